"""RESULTS.md: the tables and command blocks each section is made of, and the file
itself (rewritten after every section, so a stopped run still leaves its figures)."""

from __future__ import annotations

import os
import platform
import subprocess
import time

from common import (BENCH, CERTINV, EMU_PY, QUICK, RESULTS, ROOT, RUNS, SKIP, cmdline, fmt_mb,
                    fmt_s, fmt_x)
from measure import Case

def calls_text(c: Case) -> str:
    cr = c.calls()
    if cr is None:
        return "–"
    return str(cr[0]) if cr[0] == cr[1] else f"{cr[0]}–{cr[1]}"


def case_table(cases: list[Case], ref: Case | None = None, ref_label: str = "vs ref") -> list[str]:
    head = "| command | median wall | min–max | CPU user+sys | peak RSS (median / max) | API calls |"
    sep = "|---|---:|---:|---:|---:|---:|"
    if ref:
        head += f" {ref_label} |"
        sep += "---:|"
    lines = [head, sep]
    for c in cases:
        w = c.walls()
        name = c.name + (f" — {fmt_s(c.inner())} of it in the calls" if c.inner() is not None else "")
        cpu = c.cpu()
        cpu_text = "< 10 ms" if cpu == 0 else fmt_s(cpu)  # GNU time counts in 10 ms steps
        row = (f"| {name} | {fmt_s(c.median())} | {fmt_s(min(w))}–{fmt_s(max(w))} | {cpu_text} | "
               f"{fmt_mb(c.rss())} / {fmt_mb(c.rss_max())} | {calls_text(c)} |")
        if ref:
            row += f" {fmt_x(c.median() / ref.median()) if c is not ref else '1.00×'} |"
        lines.append(row)
    return lines


def commands_block(cases: list[Case]) -> list[str]:
    lines = ["```sh"]
    for c in cases:
        lines.append(f"# {c.name}")
        lines.append(c.command())
    lines.append("```")
    return lines


def ops_block(c: Case) -> str:
    counts = c.op_counts()
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


# --- the report --------------------------------------------------------------------------

class Report:
    def __init__(self):
        self.sections: list[tuple[str, list[str]]] = []
        self.targets: list[tuple[str, str, str, str]] = []  # (target, measured, verdict, note)
        self.started = time.time()

    def add(self, title: str, lines: list[str]) -> None:
        self.sections.append((title, lines))
        self.write(final=False)

    def target(self, what: str, measured: str, ok: bool | None, note: str = "") -> None:
        verdict = "n/a" if ok is None else ("**met**" if ok else "**missed**")
        self.targets.append((what, measured, verdict, note))

    def write(self, final: bool) -> None:
        out = ["# certinv benchmark results", ""]
        out.append(f"Written by `bench/run.sh` on {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; "
                   f"{'complete' if final else '**incomplete: the run is still going or stopped early**'}; "
                   f"script wall time {fmt_s(time.time() - self.started)}.")
        out.append("Every ratio compares medians measured alternately in this one run; "
                   "absolute times depend on the machine below and on what else ran on it.")
        out.append("")
        if self.targets:
            out += ["## Targets", "", "| target | measured | verdict | note |", "|---|---|---|---|"]
            out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.targets]
            out.append("")
        # Sections in the brief's order (4a and 3 share an emulator, so 4a runs first).
        order = lambda t: (t[0] != "Machine", t[0])  # noqa: E731
        for title, lines in sorted(self.sections, key=order):
            out += [f"## {title}", ""] + lines + [""]
        RESULTS.write_text("\n".join(out))


def machine_section() -> list[str]:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass

    def out(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
        except Exception:
            return "n/a"

    load = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else []
    rows = [
        ("nproc", out(["nproc"])),
        ("memory", mem),
        ("CPU model", cpu),
        ("kernel", platform.release()),
        ("load average at start", " ".join(load)),
        ("certinv", f"{out([str(CERTINV), '--version'])} (`{cmdline([CERTINV])}`)"),
        ("certinv source", (f"CERTINV_BIN override: {os.environ.get('BENCH_CERTINV_SOURCE', 'built elsewhere')}"
                            if os.environ.get("CERTINV_BIN_OVERRIDDEN") else
                            f"this tree: git {out(['git', '-C', str(ROOT), 'describe', '--always', '--dirty'])}")),
        ("rustc", out(["rustc", "--version"])),
        ("emulator python", out([str(EMU_PY), "--version"])),
        ("moto", out([str(EMU_PY), "-c", "import moto; print(moto.__version__)"])),
        ("runbooks", out([str(BENCH / '.venv' / 'bin' / 'python'), "-c",
                          "import importlib.metadata as m; print(m.version('runbooks'))"])),
        ("runs per command", f"{RUNS} after 1 warm-up, alternated"),
        ("knobs", f"BENCH_QUICK={int(QUICK)}, skipped: "
                  f"{', '.join(k for k, v in SKIP.items() if v) or 'none'}"),
    ]
    return ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]

