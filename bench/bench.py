#!/usr/bin/env python3
"""certinv's benchmark driver. Run it through bench/run.sh, which builds and
installs what it needs first; this file only measures and writes bench/RESULTS.md.

Rules it keeps: every comparison is made inside one run of this script, with the
compared commands run alternately (A B A B ...) after one warm-up each, at least
BENCH_RUNS (default 5) times each; figures are medians; peak RSS is /usr/bin/time's
maximum resident set size; API calls come from the emulator's op log (--oplog).
Everything talks to emulators on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import platform
import re
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work"
SCEN_DIR = BENCH / "scenarios"
RESULTS = BENCH / "RESULTS.md"

CERTINV = Path(os.environ.get("CERTINV_BIN", ROOT / "target" / "release" / "certinv"))
RUNBOOKS = BENCH / ".venv" / "bin" / "runbooks"
EMU_PY = ROOT / "emulator" / ".venv" / "bin" / "python"
EMU_RUN = ROOT / "emulator" / "run.py"
EMU_MEMO = BENCH / "emulator_memo.py"
PYTHON = sys.executable


def env_flag(name: str, default: bool = False) -> bool:
    v = os.environ.get(name)
    if v is None or v == "":
        return default
    return v not in ("0", "false", "no")


QUICK = env_flag("BENCH_QUICK")
RUNS = max(1, int(os.environ.get("BENCH_RUNS", "5")))
SKIP = {
    "peer": env_flag("BENCH_SKIP_PEER"),
    "scale300": env_flag("BENCH_SKIP_SCALE300"),
    "latency": env_flag("BENCH_SKIP_LATENCY"),
    "scale2000": env_flag("BENCH_SKIP_SCALE2000", QUICK),
    "snapshot": env_flag("BENCH_SKIP_SNAPSHOT"),
}
SNAPSHOT_N = int(os.environ.get("BENCH_SNAPSHOT_N", "100000" if QUICK else "1000000"))
LATENCY_MS = int(os.environ.get("BENCH_LATENCY_MS", "40"))
SWEEP = [int(c) for c in os.environ.get("BENCH_CONCURRENCY_SWEEP",
                                         "32,128" if QUICK else "8,32,128").split(",") if c]
# The stage-timing harness bench/profile (built by run.sh); perf is used when installed.
HARNESS = os.environ.get("BENCH_HARNESS_BIN")

KEY_ID, SECRET = "AKIAEMULATORBENCH001", "emulator-bench-secret"
REGION = "ap-southeast-2"


# --- small helpers -----------------------------------------------------------------------

def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def fmt_s(x: float | None) -> str:
    if x is None:
        return "n/a"
    if x < 0.01:
        return f"{x * 1000:.2f} ms"
    if x < 1:
        return f"{x * 1000:.0f} ms"
    return f"{x:.2f} s"


def fmt_ms_signed(x: float) -> str:
    return ("−" if x < 0 else "") + fmt_s(abs(x))


def fmt_mb(kb: float | None) -> str:
    return "n/a" if kb is None else f"{kb / 1024:.1f} MB"


def fmt_x(r: float | None) -> str:
    return "n/a" if r is None else (f"{r:.1f}×" if r >= 10 else f"{r:.2f}×")


def cmdline(argv: list, env_keys: dict | None = None) -> str:
    parts = [str(a) for a in argv]
    for i, a in enumerate(parts):
        if a == PYTHON:
            parts[i] = "python3"
        elif a.startswith(str(ROOT) + "/"):
            parts[i] = a[len(str(ROOT)) + 1:]
    text = " ".join(shlex.quote(p) for p in parts)
    if env_keys:
        text = " ".join(f"{k}={v if str(v).startswith('$') else shlex.quote(str(v))}"
                        for k, v in env_keys.items()) + " " + text
    return text


# --- the emulator ------------------------------------------------------------------------

class Emulator:
    """One emulator process on a free loopback port, with its own op log."""

    def __init__(self, scenario: str | Path, name: str, memo: bool = False, timeout: float = 600):
        self.name = name
        self.oplog = WORK / f"oplog-{name}.jsonl"
        if self.oplog.exists():
            self.oplog.unlink()
        self.stderr_path = WORK / f"emulator-{name}.err"
        launcher = EMU_MEMO if memo else EMU_RUN
        self.argv = [str(EMU_PY), str(launcher), "--port", "0", "--scenario", str(scenario),
                     "--oplog", str(self.oplog)]
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE,
                                     stderr=open(self.stderr_path, "wb"), cwd=ROOT)
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else b""
        self.ready_s = time.perf_counter() - t0
        if not line:
            self.proc.kill()
            tail = self.stderr_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"emulator {name} did not start in {timeout:.0f} s: {tail}")
        self.info = json.loads(line)
        self.port = int(self.info["port"])
        self.url = f"http://127.0.0.1:{self.port}"
        log(f"emulator {name}: {self.info} ready in {self.ready_s:.1f} s")

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read() or b"{}")

    def faults(self, spec: dict) -> dict:
        return self.call("POST", "/certinv-emulator/faults", spec)

    def offset(self) -> int:
        return self.oplog.stat().st_size if self.oplog.exists() else 0

    def ops_since(self, offset: int) -> list[dict]:
        with open(self.oplog, "rb") as f:
            f.seek(offset)
            return [json.loads(line) for line in f.read().splitlines() if line.strip()]

    def rss_kb(self) -> int | None:
        try:
            for line in open(f"/proc/{self.proc.pid}/status"):
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            return None
        return None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def write_home(emu: Emulator) -> Path:
    """A throw-away HOME whose AWS config points profile `ops` (and default) at the emulator."""
    home = WORK / "home"
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    (home / ".aws" / "config").write_text(
        f"[default]\nregion = {REGION}\nendpoint_url = {emu.url}\n\n"
        f"[profile ops]\nregion = {REGION}\nendpoint_url = {emu.url}\n")
    (home / ".aws" / "credentials").write_text(
        f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n\n"
        f"[ops]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n")
    return home


def base_env() -> dict:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
            "HOME": str(WORK / "home"), "AWS_EC2_METADATA_DISABLED": "true",
            "TZ": "UTC"}


def certinv_env(emu: Emulator) -> tuple[dict, dict]:
    shown = {"AWS_ENDPOINT_URL": emu.url, "AWS_ACCESS_KEY_ID": KEY_ID,
             "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": REGION}
    return {**base_env(), **shown}, shown


def runbooks_env(emu: Emulator) -> tuple[dict, dict]:
    shown = {"HOME": "$TMPHOME", "AWS_OPERATIONS_PROFILE": "ops", "AWS_ENDPOINT_URL": emu.url,
             "COLUMNS": "160"}
    env = {**base_env(), "AWS_OPERATIONS_PROFILE": "ops", "AWS_ENDPOINT_URL": emu.url,
           "COLUMNS": "160", "PYTHONDONTWRITEBYTECODE": "0"}
    return env, shown


# --- measuring ---------------------------------------------------------------------------

@dataclass
class Sample:
    wall: float
    rss_kb: int | None
    rc: int
    ops: list[dict] = field(default_factory=list)
    inner: float | None = None   # floor.py: seconds spent on the calls, in-process
    cpu: float | None = None     # user + system CPU seconds of the measured process


@dataclass
class Case:
    name: str
    argv: list
    env: dict
    shown_env: dict | None = None
    cwd: Path | None = None
    stdout: Path | None = None       # None: /dev/null
    ok_rc: tuple = (0,)
    emu: Emulator | None = None
    samples: list[Sample] = field(default_factory=list)
    before: object = None            # callable run (untimed) before each sample

    def command(self) -> str:
        return cmdline(self.argv, self.shown_env)

    def run(self) -> Sample:
        if self.before:
            self.before()
        off = self.emu.offset() if self.emu else 0
        tfile = WORK / "time.out"
        err = WORK / f"stderr-{slug(self.name)}.txt"
        out = open(self.stdout, "wb") if self.stdout else subprocess.DEVNULL
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", str(tfile)] + [str(a) for a in self.argv],
                           env=self.env, cwd=self.cwd or WORK, stdout=out, stderr=open(err, "wb"))
        wall = time.perf_counter() - t0
        if self.stdout:
            out.close()
        rss = cpu = None
        try:
            m, u, sy = tfile.read_text().strip().splitlines()[-1].split()
            rss, cpu = int(m), float(u) + float(sy)
        except (OSError, ValueError, IndexError):
            pass
        ops = self.emu.ops_since(off) if self.emu else []
        if p.returncode not in self.ok_rc:
            tail = err.read_text(errors="replace")[-1500:]
            raise RuntimeError(f"{self.name}: exit {p.returncode}\n{self.command()}\n{tail}")
        inner = None
        if self.stdout and "floor.py" in " ".join(map(str, self.argv)):
            try:
                inner = json.loads(Path(self.stdout).read_text())["seconds"]
            except (OSError, ValueError, KeyError):
                pass
        return Sample(wall, rss, p.returncode, ops, inner, cpu)

    # statistics
    def walls(self):
        return [s.wall for s in self.samples]

    def median(self) -> float | None:
        return statistics.median(self.walls()) if self.samples else None

    def rss(self) -> float | None:
        vals = [s.rss_kb for s in self.samples if s.rss_kb]
        return statistics.median(vals) if vals else None

    def rss_max(self) -> float | None:
        vals = [s.rss_kb for s in self.samples if s.rss_kb]
        return max(vals) if vals else None

    def calls(self) -> tuple[int, int] | None:
        if not self.emu or not self.samples:
            return None
        n = [len(s.ops) for s in self.samples]
        return min(n), max(n)

    def cpu(self) -> float | None:
        vals = [s.cpu for s in self.samples if s.cpu is not None]
        return statistics.median(vals) if vals else None

    def inner(self) -> float | None:
        """For floor.py cases: the median of the seconds it reports spending on calls
        (its own process start-up excluded)."""
        vals = [s.inner for s in self.samples if s.inner is not None]
        return statistics.median(vals) if vals else None

    def op_counts(self) -> Counter:
        if not self.samples:
            return Counter()
        return Counter(f"{o['service']}:{o['operation']}" for o in self.samples[-1].ops)


def slug(s: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "-", s).strip("-").lower()


def alternate(cases: list[Case], runs: int = RUNS, warmup: int = 1) -> None:
    """One warm-up each, then `runs` rounds of every case in turn (A B C, B C A, ...)."""
    for c in cases:
        for _ in range(warmup):
            log(f"warm-up {c.name}")
            c.run()
    for r in range(runs):
        # Rotate the order each round, so no command always follows the same one.
        k = r % len(cases)
        for c in cases[k:] + cases[:k]:
            s = c.run()
            c.samples.append(s)
            log(f"run {r + 1}/{runs} {c.name}: {s.wall:.3f} s, {fmt_mb(s.rss_kb)}, "
                f"{len(s.ops)} calls" + (f", {s.inner:.3f} s in calls" if s.inner is not None else ""))


def paired_overhead(c: Case, floor: Case) -> tuple[float, float, float]:
    """certinv's wall minus the floor's in-process call time, round by round (the two ran
    next to each other in each round): median, min, max. Pairing cancels slow drifts in
    what else the machine is doing."""
    diffs = [a.wall - b.inner for a, b in zip(c.samples, floor.samples) if b.inner is not None]
    return statistics.median(diffs), min(diffs), max(diffs)


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


# --- 1 + 2: the peer on landing-zone-31, and the emulator floor ----------------------------

def peer_section(rep: Report) -> Path | None:
    emu = Emulator("landing-zone-31", "lz31")
    try:
        write_home(emu)
        cenv, cshown = certinv_env(emu)
        renv, rshown = runbooks_env(emu)
        rb_cwd = WORK / "runbooks-cwd"
        rb_cwd.mkdir(exist_ok=True)
        ci_inv_out = WORK / "lz31-certinv-inventory.json"
        ci_tri_out = WORK / "lz31-certinv-triage.json"
        cases = [
            Case("certinv inventory --source config", [CERTINV, "inventory", "--all-accounts",
                 "--source", "config", "--output", "json"], cenv, cshown, stdout=ci_inv_out, emu=emu),
            Case("runbooks cert inventory", [RUNBOOKS, "cert", "inventory", "--all-accounts"],
                 renv, rshown, cwd=rb_cwd, stdout=WORK / "lz31-runbooks-inventory.txt", emu=emu),
            Case("certinv triage --source config", [CERTINV, "triage", "--all-accounts",
                 "--source", "config", "--output", "json"], cenv, cshown, stdout=ci_tri_out, emu=emu),
            Case("runbooks cert triage", [RUNBOOKS, "cert", "triage", "--all-accounts",
                 "--output-dir", str(rb_cwd)], renv, rshown, cwd=rb_cwd,
                 stdout=WORK / "lz31-runbooks-triage.txt", emu=emu),
            Case("floor: P1 calls, zero work (bench/floor.py)", [PYTHON, BENCH / "floor.py",
                 "--endpoint", emu.url, "p1"], base_env(), None, stdout=WORK / "lz31-floor.json", emu=emu),
            Case("context: runbooks --version (Python start-up + imports)", [RUNBOOKS, "--version"],
                 renv, None, cwd=rb_cwd, emu=emu),
            Case("context: certinv --version", [CERTINV, "--version"], cenv, None, emu=emu),
        ]
        alternate(cases)
        ci_inv, rb_inv, ci_tri, rb_tri, floor, rb_ver, ci_ver = cases

        # What each found: one more run of each tool with a machine-readable export.
        rb_json = WORK / "lz31-runbooks-inventory-export.json"
        Case("runbooks export", [RUNBOOKS, "cert", "inventory", "--all-accounts", "--export-json",
             rb_json], renv, None, cwd=rb_cwd, emu=emu).run()
        rb_tri_json = WORK / "lz31-runbooks-triage-export.json"
        Case("runbooks triage export", [RUNBOOKS, "cert", "triage", "--all-accounts", "--output-dir",
             rb_cwd, "--export-json", rb_tri_json], renv, None, cwd=rb_cwd, emu=emu).run()
        compare = compare_findings(ci_inv_out, ci_tri_out, rb_json, rb_tri_json)
        to_first_call = first_call_ms(ci_inv.argv, cenv)

        r_inv = rb_inv.median() / ci_inv.median()
        r_tri = rb_tri.median() / ci_tri.median()
        selects = ci_inv.op_counts().get("config:SelectAggregateResourceConfig", 0)
        selects_t = ci_tri.op_counts().get("config:SelectAggregateResourceConfig", 0)
        calls_s = floor.inner()
        lines = [
            f"Emulator: `landing-zone-31` (31 accounts, 176 certificates, org aggregator "
            f"`org-aggregator`), started in {emu.ready_s:.1f} s. Both tools take the Config "
            "aggregator path (P1). runbooks reads profile `ops` from a throw-away `$TMPHOME/.aws` "
            "whose `endpoint_url` is the emulator (dummy keys, region ap-southeast-2); certinv "
            "takes the endpoint and keys from the environment. stdout goes to a file, stderr to "
            "a file; runbooks renders its Rich table (not a terminal), certinv writes JSON.",
            "",
        ] + case_table(cases, ci_inv, "vs certinv inventory") + [
            "",
            f"**Ratios (runbooks ÷ certinv, medians of alternated runs): inventory {fmt_x(r_inv)}, "
            f"triage {fmt_x(r_tri)}.**",
            "",
            f"- The floor makes certinv's {calls_text(ci_inv)} P1 calls with no work at all; the calls themselves "
            f"take {fmt_s(calls_s)} (its Python start-up excluded). So certinv inventory spends "
            f"{fmt_s(ci_inv.median() - calls_s)} beyond the emulator's own time, start-up "
            f"({fmt_s(ci_ver.median())}) included, and the best ratio any client could reach "
            f"against runbooks here is ≈ {fmt_x(rb_inv.median() / calls_s)}.",
            (f"- certinv's first AWS call leaves {to_first_call:.1f} ms after its `execve` (median of "
             "5 runs under `strace -f --seccomp-bpf -ttt -e trace=execve,connect`): process start-up, profile "
             "handling and loading the SDK configurations." if to_first_call is not None else
             "- (strace not installed: no start-up-to-first-call figure.)"),
            f"- Of runbooks' {fmt_s(rb_inv.median())}, {fmt_s(rb_ver.median())} is Python start-up and "
            f"imports (`runbooks --version`); it also makes "
            f"{rb_inv.op_counts().get('organizations:DescribeAccount', 0)} sequential `DescribeAccount` "
            "calls for account names, where certinv takes them from the `ListAccounts` pages it "
            f"reads anyway ({ci_inv.op_counts().get('organizations:ListAccounts', 0)} here).",
            "",
            "API calls (last run, from the op log):",
            "",
            f"- certinv inventory: {ops_block(ci_inv)}",
            f"- certinv triage: {ops_block(ci_tri)}",
            f"- runbooks inventory: {ops_block(rb_inv)}",
            f"- runbooks triage: {ops_block(rb_tri)}",
            f"- floor: {ops_block(floor)}",
            "",
            "Commands:",
            "",
        ] + commands_block(cases) + ["", "### What each tool found", ""] + compare
        rep.add("1–2. The peer (runbooks 1.5.11) and the emulator floor, landing-zone-31 on P1", lines)
        rep.target("P1 landing-zone-31 ≥ 10× faster than the Python tool",
                   f"inventory {fmt_x(r_inv)}, triage {fmt_x(r_tri)}", min(r_inv, r_tri) >= 10,
                   f"certinv {fmt_s(ci_inv.median())} / {fmt_s(ci_tri.median())}; "
                   f"runbooks {fmt_s(rb_inv.median())} / {fmt_s(rb_tri.median())}")
        rep.target("P1 landing-zone-31 ≤ 3 Select calls", f"{selects} (inventory), {selects_t} (triage)",
                   max(selects, selects_t) <= 3)
        return ci_inv_out
    finally:
        emu.stop()


def first_call_ms(argv: list, env: dict, runs: int = 5) -> float | None:
    """Median time from certinv's execve to its first connect() (strace -ttt): start-up,
    argument and profile handling, SDK configuration, before any AWS call."""
    if not shutil.which("strace"):
        return None
    vals = []
    trace = WORK / "strace.txt"
    for _ in range(runs):
        # --seccomp-bpf: only the traced calls stop the process, so the rest runs at speed.
        r = subprocess.run(["strace", "-f", "--seccomp-bpf", "-ttt", "-e", "trace=execve,connect",
                            "-o", str(trace)]
                           + [str(a) for a in argv], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        if r.returncode != 0:
            return None
        start = first = None
        for line in trace.read_text().splitlines():
            parts = line.split(None, 2)
            if len(parts) < 3:
                continue
            if start is None and parts[2].startswith("execve("):
                start = float(parts[1])
            elif first is None and parts[2].startswith("connect("):
                first = float(parts[1])
                break
        if start is not None and first is not None:
            vals.append((first - start) * 1000)
    return statistics.median(vals) if vals else None


def bucket_of_runbooks(rec: dict) -> str:
    """runbooks' own triage groups (cli/commands/cert.py, triage()), named as certinv's buckets."""
    days = rec.get("days_until_expiry")
    if rec.get("expiry_bucket") == "EXPIRED":
        return "CRITICAL" if rec.get("in_use") else "REMOVE"
    if days is None:
        return "(none)"
    if 0 < days <= 90:
        return "HIGH+MEDIUM"
    if days > 90:
        return "OK"
    return "(in no group)"


def compare_findings(ci_inv: Path, ci_tri: Path, rb_json: Path, rb_tri_json: Path) -> list[str]:
    ci = json.loads(ci_inv.read_text())
    tri = json.loads(ci_tri.read_text())
    rb = json.loads(rb_json.read_text())
    rb_tri = json.loads(rb_tri_json.read_text())
    ci_tri_arns = {c["arn"] for c in tri["certificates"]}
    rb_tri_arns = {c["certificate_arn"] for c in rb_tri["certificates"]}
    ci_by = {c["arn"]: c for c in ci["certificates"]}
    rb_by = {c["certificate_arn"]: c for c in rb["certificates"]}
    only_ci = sorted(set(ci_by) - set(rb_by))
    only_rb = sorted(set(rb_by) - set(ci_by))
    both = sorted(set(ci_by) & set(rb_by))

    def ci_group(c):
        b = c.get("bucket")
        return "HIGH+MEDIUM" if b in ("HIGH", "MEDIUM") else b

    group_diff = [a for a in both if ci_group(ci_by[a]) != bucket_of_runbooks(rb_by[a])]
    days_diff = [a for a in both if ci_by[a].get("days_to_expiry") != rb_by[a].get("days_until_expiry")]
    inuse_diff = [a for a in both if bool(ci_by[a].get("in_use")) != bool(rb_by[a].get("in_use"))]
    name_diff = [a for a in both if (ci_by[a].get("account_name") or "") != (rb_by[a].get("account_name") or "")]
    alg_diff = [a for a in both if ci_by[a].get("key_algorithm") != rb_by[a].get("key_algorithm")]
    ci_groups = Counter(ci_group(ci_by[a]) for a in ci_by)
    rb_groups = Counter(bucket_of_runbooks(r) for r in rb_by.values())
    rb_native = Counter(r.get("expiry_bucket") for r in rb_by.values())
    seven = [a for a in both if rb_by[a].get("expiry_bucket") == "CRITICAL_7D"]
    renew_ci = Counter(ci_by[a].get("renewal_status") for a in both)
    renew_rb = Counter(rb_by[a].get("renewal_status") for a in both)

    lines = [
        "| | certinv | runbooks |",
        "|---|---:|---:|",
        f"| certificates | {len(ci_by)} | {len(rb_by)} |",
        f"| accounts | {len({c['account_id'] for c in ci_by.values()})} | "
        f"{len({c['account_id'] for c in rb_by.values()})} |",
        f"| in use | {sum(1 for c in ci_by.values() if c.get('in_use'))} | "
        f"{sum(1 for c in rb_by.values() if c.get('in_use'))} |",
    ]
    for g in ("CRITICAL", "REMOVE", "HIGH+MEDIUM", "OK", "NOT_ISSUED", "(in no group)", "(none)"):
        if ci_groups.get(g) or rb_groups.get(g):
            lines.append(f"| {g} | {ci_groups.get(g, 0)} | {rb_groups.get(g, 0)} |")
    lines += [
        "",
        f"certinv triage buckets: {json.dumps(tri['summary']['buckets'])}. "
        f"runbooks' own expiry buckets: {json.dumps(dict(rb_native))} (EXPIRED = days < 0; "
        "CRITICAL_7D ≤ 7 days, WARNING_30D ≤ 30, ATTENTION_90D ≤ 90, VALID otherwise); its "
        "`triage` groups them as expired-in-use, expired-unused, `0 < days ≤ 90` and "
        "`days > 90`, which the rows above map to certinv's buckets.",
        "",
        f"- ARNs only certinv found: {len(only_ci)}; only runbooks found: {len(only_rb)}; both: {len(both)}. "
        f"`triage` exports: certinv {len(ci_tri_arns)}, runbooks {len(rb_tri_arns)} "
        f"({'the same ARNs' if ci_tri_arns == rb_tri_arns else 'different ARNs'}).",
        f"- Same ARN, different bucket group: {len(group_diff)}"
        + (": " + "; ".join(f"`{ci_by[a]['domain_name']}` certinv {ci_by[a]['bucket']} "
                            f"({ci_by[a]['days_to_expiry']} d), runbooks {rb_by[a].get('expiry_bucket')} "
                            f"({rb_by[a].get('days_until_expiry')} d) → {bucket_of_runbooks(rb_by[a])}"
                            for a in group_diff[:8]) if group_diff else "") + ".",
        f"- Different day count: {len(days_diff)}; different in-use flag: {len(inuse_diff)}; "
        f"different account name: {len(name_diff)}.",
        f"- Key algorithm spelled differently: {len(alg_diff)} of {len(both)} "
        + (f"(e.g. certinv `{ci_by[alg_diff[0]]['key_algorithm']}`, runbooks "
           f"`{rb_by[alg_diff[0]]['key_algorithm']}`: runbooks passes Config's DescribeCertificate "
           "spelling through, certinv normalises to ACM's enum)" if alg_diff else "") + ".",
        f"- runbooks flags {len(seven)} certificate(s) CRITICAL_7D (≤ 7 days), a bucket certinv "
        "does not have (they are HIGH there).",
        f"- Renewal status: certinv {dict(renew_ci)}; runbooks {dict(renew_rb)} "
        "(runbooks keeps `renewal_status` empty on the P1 path and derives "
        "`auto_renewal_eligible` from renewalStatus == SUCCESS).",
    ]
    return lines


# --- 3 + 4: scale scenarios -----------------------------------------------------------------

def select_probe(emu: Emulator) -> tuple[float, float]:
    """Time two Select pages: the first computes the aggregator's items (the stock
    emulator's cost per page), the second is served from bench/emulator_memo.py's cache."""
    sys.path.insert(0, str(BENCH))
    import floor  # noqa: E402
    c = floor.Client(emu.url)
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        c.json("config", REGION, "StarlingDoveService.SelectAggregateResourceConfig",
               {"ConfigurationAggregatorName": "org-aggregator", "Expression": floor.EXPRESSION,
                "Limit": 100})
        times.append(time.perf_counter() - t0)
    return times[0], times[1]


def certinv_case(name, emu, args, out: Path | None, ok_rc=(0,)) -> Case:
    env, shown = certinv_env(emu)
    return Case(name, [CERTINV] + args, env, shown, stdout=out, emu=emu, ok_rc=ok_rc)


def floor_case(name, emu, path, concurrency=None) -> Case:
    argv = [PYTHON, BENCH / "floor.py", "--endpoint", emu.url, path]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    return Case(name, argv, base_env(), None, stdout=WORK / f"floor-{slug(name)}.json", emu=emu)


def report_total(path: Path) -> str:
    try:
        d = json.loads(path.read_text())
        s = d["summary"]
        return (f"total {s['total']}, accounts {s['accounts']}, buckets "
                f"{json.dumps(s['buckets'])}, missing {len(d['scope']['missing'])}")
    except Exception as e:  # noqa: BLE001
        return f"unreadable ({e})"


def scale300_sections(rep: Report) -> None:
    scen = SCEN_DIR / "scale-300x3.json"
    emu = Emulator(scen, "s300", memo=True)
    try:
        miss, hit = select_probe(emu)
        seeded = emu.info
        if not SKIP["scale300"]:
            outs = {p: WORK / f"s300-{p}.json" for p in ("p1", "p2", "p3")}
            cases = [
                certinv_case("certinv inventory --source config (P1)", emu,
                             ["inventory", "--all-accounts", "--source", "config", "--output", "json"], outs["p1"]),
                certinv_case("certinv inventory --source explorer (P2)", emu,
                             ["inventory", "--all-accounts", "--source", "explorer", "--output", "json"], outs["p2"]),
                certinv_case("certinv inventory --source acm (P3)", emu,
                             ["inventory", "--all-accounts", "--source", "acm", "--output", "json"], outs["p3"]),
                floor_case("floor P1 (zero work)", emu, "p1"),
            ]
            alternate(cases)
            p1, p2, p3, f1 = cases
            lines = [
                f"Scenario `bench/scenarios/scale-300x3.json` (written by `bench/gen_scenarios.py`): "
                f"{seeded['accounts']} accounts × 3 regions, {seeded['certificates']} certificates, "
                "organization aggregator and an AGGREGATOR index with an organization view. "
                f"Emulator start-up + seeding: **{emu.ready_s:.1f} s**, emulator peak RSS "
                f"{fmt_mb(emu.rss_kb())} (neither is in any figure below).",
                "",
                "The emulator runs through `bench/emulator_memo.py`: the stock emulator rebuilds every "
                "certificate's Config item on each Select page; the first (uncached) 100-row page took "
                f"**{fmt_s(miss)}** here, a cached page {fmt_s(hit)}. Without the cache a P1 run would "
                f"cost ≈ {fmt_s(miss * (seeded['certificates'] / 100 + 1))} of emulator time alone.",
                "",
            ] + case_table(cases) + [
                "",
                "- P1 beyond the time its calls take on this server (certinv's wall − the zero-work "
                "client's in-process call time, paired by round): "
                f"**{fmt_ms_signed(paired_overhead(p1, f1)[0])}** (range "
                f"{fmt_ms_signed(paired_overhead(p1, f1)[1])} to {fmt_ms_signed(paired_overhead(p1, f1)[2])}); "
                f"certinv's own CPU time {fmt_s(p1.cpu())}. The floor makes the calls strictly one "
                "after another, so a negative figure means certinv overlapped some of them.",
                f"- P2 and P3 are bound by the emulator: one Python process serving "
                f"{calls_text(p3)} P3 calls. Section 3 runs a zero-work P3 client with the same "
                "calls and concurrency for comparison.",
                f"- Outputs: P1 {report_total(outs['p1'])}; P2 {report_total(outs['p2'])}; "
                f"P3 {report_total(outs['p3'])}.",
                f"- Calls by operation: P1 {ops_block(p1)}. P2 {ops_block(p2)}. P3 {ops_block(p3)}.",
                "",
            ] + commands_block(cases)
            rep.add("4a. Scale: 300 accounts × 3 regions, 3,000 certificates (P1, P2, P3)", lines)

        if not SKIP["latency"]:
            latency_section(rep, emu)
    finally:
        emu.stop()


def latency_section(rep: Report, emu: Emulator) -> None:
    spec = {"latency": {"fixed_ms": LATENCY_MS}}
    answer = emu.faults(spec)
    log(f"faults set: {answer}")
    p3 = ["inventory", "--all-accounts", "--source", "acm", "--output", "json"]
    try:
        main = [certinv_case("certinv P3 --concurrency 32 (default)", emu, p3, WORK / "lat-p3-32.json"),
                floor_case("floor P3, 32 threads (zero work)", emu, "p3", 32)]
        alternate(main)
        sweep = [certinv_case(f"certinv P3 --concurrency {c}", emu, p3 + ["--concurrency", str(c)],
                              WORK / f"lat-p3-{c}.json") for c in SWEEP if c != 32]
        sweep_runs = int(os.environ.get("BENCH_SWEEP_RUNS", "3"))
        if sweep:
            alternate(sweep, runs=sweep_runs)
    finally:
        emu.faults({})
    ci, fl = main
    lat = LATENCY_MS / 1000
    # What the emulator can serve with this latency: the zero-work client's calls per second.
    fl_calls = statistics.median(len(s.ops) for s in fl.samples)
    served_per_s = fl_calls / fl.inner()

    def calls(c: Case) -> float:
        return statistics.median(len(s.ops) for s in c.samples)

    rows = ["| run | calls | bound = calls × latency ÷ concurrency | emulator limit = calls ÷ floor's calls/s | median wall | wall ÷ bound | wall ÷ max(bound, limit) | peak RSS |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    table = [(ci, 32), (fl, 32)] + [(c, int(c.argv[-1])) for c in sweep]
    table.sort(key=lambda t: (t[1], t[0] is fl))
    for c, conc in table:
        n = calls(c)
        b = n * lat / conc
        limit = n / served_per_s
        wall = c.inner() if c is fl else c.median()
        rows.append(f"| {c.name} ({len(c.samples)} runs) | {calls_text(c)} | {fmt_s(b)} | {fmt_s(limit)} | "
                    f"{fmt_s(wall)} | {fmt_x(wall / b)} | {fmt_x(wall / max(b, limit))} | {fmt_mb(c.rss())} |")
    b32 = calls(ci) * lat / 32
    ratio = ci.median() / b32
    la = ci.op_counts().get("organizations:ListAccounts", 0)
    chain = (1 + la + 4) * lat
    lines = [
        f"Same emulator and scenario as 4a, after `POST /certinv-emulator/faults "
        f"{json.dumps(spec)}`: every call sleeps {LATENCY_MS} ms in the emulator before it is served. "
        "Calls are counted from the op log of each run. For the floor, the wall is the time its "
        "calls took in-process.",
        "",
    ] + rows + [
        "",
        f"**certinv at its default concurrency: {fmt_x(ratio)} the bound** ({fmt_s(ci.median())} vs "
        f"{fmt_s(b32)}). The zero-work client with the same calls and 32 threads needs "
        f"{fmt_s(fl.inner())}, {fmt_x(fl.inner() / (calls(fl) * lat / 32))} its bound: the emulator "
        f"serves about **{served_per_s:.0f} calls/s** here (one Python process, its CPU shared with the "
        f"client on {os.cpu_count()} cores), while the bound at 32 in flight assumes "
        f"{32 / lat:.0f} calls/s. certinv ÷ floor = {fmt_x(ci.median() / fl.inner())}. "
        "The bound is reachable only where it is above the emulator's limit (low concurrency). "
        f"The dependent chain alone (GetCallerIdentity, {la} ListAccounts pages, then AssumeRole → "
        f"DescribeRegions → ListCertificates → DescribeCertificate) is ≥ {fmt_s(chain)}.",
        "",
    ] + commands_block(main + sweep)
    # Where the latency bound is above what the emulator can serve, the bound is testable.
    testable = [(c, conc) for c, conc in table
                if c is not fl and calls(c) * lat / conc >= calls(c) / served_per_s]
    t_note = "; ".join(f"at --concurrency {conc}, where the bound exceeds the emulator's limit: "
                       f"{fmt_x(c.median() / (calls(c) * lat / conc))} its bound"
                       for c, conc in testable)
    rep.target(f"P3 at {LATENCY_MS} ms latency, 300×3, within 1.5× of calls × latency ÷ concurrency",
               f"{fmt_x(ratio)} at --concurrency 32 ({fmt_s(ci.median())} vs bound {fmt_s(b32)})",
               ratio <= 1.5,
               f"the emulator serves ~{served_per_s:.0f} calls/s, so a zero-work client is "
               f"{fmt_x(fl.inner() / (calls(fl) * lat / 32))} the bound and certinv "
               f"{fmt_x(ci.median() / fl.inner())} that client" + (f"; {t_note}" if t_note else ""))
    cb = commands_block(main + sweep)
    lines[-len(cb):-len(cb)] = [
        (f"Where the bound is the binding limit: {t_note}." if t_note else
         "No concurrency tried here puts the latency bound above the emulator's limit."), ""]
    rep.add(f"3. Latency model: P3 on 300 × 3 with {LATENCY_MS} ms per call", lines)


def scale2000_section(rep: Report) -> Path | None:
    scen = SCEN_DIR / "scale-2000.json"
    emu = Emulator(scen, "s2000", memo=True, timeout=1200)
    try:
        miss, hit = select_probe(emu)
        out = WORK / "s2000-p1.json"
        cases = [
            certinv_case("certinv inventory --source config (P1)", emu,
                         ["inventory", "--all-accounts", "--source", "config", "--output", "json"], out),
            floor_case("floor P1 (zero work)", emu, "p1"),
            certinv_case("certinv triage --source snapshot of that output (no AWS)", emu,
                         ["triage", "--source", f"snapshot:{out}", "--output", "json"], None),
        ]
        cases[0].run()  # the snapshot case reads this output
        alternate(cases)
        p1, fl, snap = cases
        overhead, o_min, o_max = paired_overhead(p1, fl)
        rss = p1.rss_max()
        lines = [
            f"Scenario `bench/scenarios/scale-2000.json`: {emu.info['accounts']} accounts × 2 regions, "
            f"{emu.info['certificates']} certificates, organization aggregator. Emulator start-up + "
            f"seeding: **{emu.ready_s:.1f} s**, emulator peak RSS {fmt_mb(emu.rss_kb())} "
            "(neither is in any figure below).",
            "",
            "As in 4a, Select is cached by `bench/emulator_memo.py`; the first (uncached) page took "
            f"**{fmt_s(miss)}**, a cached page {fmt_s(hit)}: the stock emulator would spend "
            f"≈ {fmt_s(miss * (emu.info['certificates'] / 100 + 1))} per P1 run.",
            "",
        ] + case_table(cases) + [
            "",
            f"**Local overhead beyond the API calls: {fmt_ms_signed(overhead)}** (median over rounds of "
            "certinv's P1 wall − the zero-work client's in-process time for the same calls on the "
            f"same server, run next to it; range {fmt_ms_signed(o_min)} to {fmt_ms_signed(o_max)}; "
            f"medians alone: {fmt_s(p1.median())} − {fmt_s(fl.inner())}). certinv's own CPU time "
            f"for the whole run: **{fmt_s(p1.cpu())}**. The same report re-triaged from the file "
            f"(no AWS at all) takes {fmt_s(snap.median())}.",
            f"- Output: {report_total(out)}.",
            f"- Calls: {ops_block(p1)}.",
            "",
        ] + commands_block(cases)
        rep.add("4b. Scale: 2,000 accounts, 20,000 certificates on P1", lines)
        rep.target("20,000 certificates on P1: < 2 s local overhead beyond API calls",
                   f"{fmt_ms_signed(overhead)} (CPU {fmt_s(p1.cpu())})", overhead < 2.0,
                   "certinv wall − zero-work client's call time, paired by round, median")
        rep.target("20,000 certificates on P1: < 300 MB RSS", f"{fmt_mb(rss)} (max of runs)",
                   rss is not None and rss < 300 * 1024)
        return out
    finally:
        emu.stop()


# --- 5: local work ---------------------------------------------------------------------------

def ensure_seed_report() -> Path:
    seed = WORK / "lz31-certinv-inventory.json"
    if seed.exists():
        return seed
    emu = Emulator("landing-zone-31", "lz31-seed")
    try:
        certinv_case("seed", emu, ["inventory", "--all-accounts", "--source", "config",
                                   "--output", "json"], seed).run()
    finally:
        emu.stop()
    return seed


def snapshot_section(rep: Report) -> None:
    seed = ensure_seed_report()
    big = WORK / f"snapshot-{SNAPSHOT_N}.json"
    empty = WORK / "snapshot-empty.json"
    t0 = time.perf_counter()
    subprocess.run([PYTHON, BENCH / "gen_snapshot.py", seed, str(SNAPSHOT_N), big], check=True)
    gen_s = time.perf_counter() - t0
    subprocess.run([PYTHON, BENCH / "gen_snapshot.py", seed, "0", empty], check=True)
    size_mb = big.stat().st_size / 1e6
    env = {**base_env()}
    seed_doc = json.loads(seed.read_text())
    now = seed_doc["now"]

    def snap_case(name, fmt, path=big, cmd="triage", extra=()):
        return Case(name, [CERTINV, cmd, *extra, "--source", f"snapshot:{path}", "--now", now,
                           "--output", fmt], env, None, stdout=None)

    wanted = os.environ.get("BENCH_FORMATS", "json,csv,markdown,html").split(",")
    helptext = subprocess.run([CERTINV, "triage", "--help"], capture_output=True, text=True).stdout
    formats = [f for f in wanted if f == "json" or re.search(rf"\b{re.escape(f)}\b", helptext)]
    cases = [snap_case(f"triage --output {f}", f) for f in formats]
    alternate(cases)
    js = cases[0]
    small = [Case("certinv --version", [CERTINV, "--version"], env, None),
             snap_case("triage of an empty snapshot --output json", "json", empty)]
    alternate(small, runs=max(RUNS, 10))
    # Not alternated, one run: the terminal table on the same file.
    table = snap_case("triage --output table (one run, not alternated)", "table")
    table.samples.append(table.run())

    out_sizes = {}
    for f in formats:
        p = subprocess.Popen([CERTINV, "triage", "--source", f"snapshot:{big}", "--now", now,
                              "--output", f], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        n = 0
        while chunk := p.stdout.read(1 << 20):
            n += len(chunk)
        p.wait()
        out_sizes[f] = n
    lines = [
        f"Snapshot: {SNAPSHOT_N:,} certificates ({size_mb:.0f} MB): the "
        f"{len(seed_doc['certificates'])} records of a landing-zone-31 P1 report (every one with "
        f"four tags, 124 with `in_use_by`) repeated with unique ARNs by `bench/gen_snapshot.py` "
        f"({gen_s:.1f} s to write). Output to /dev/null; `--now` fixed to the seed report's.",
        "",
    ] + case_table(cases + small + [table], js, "vs triage json") + [
        "",
        "Output sizes: " + ", ".join(f"{f} {out_sizes[f] / 1e6:.0f} MB" for f in formats) + ".",
        "",
        f"Start-up: `certinv --version` {fmt_s(small[0].median())}; an empty snapshot end to end "
        f"{fmt_s(small[1].median())}.",
        "",
    ]
    lines += profile_lines(big, now, env, js)
    lines += ["", "Commands:", ""] + commands_block(cases + small + [table])
    rep.add(f"5. Local work: a {SNAPSHOT_N:,}-certificate snapshot", lines)
    if not env_flag("BENCH_KEEP_WORK"):
        big.unlink(missing_ok=True)  # ~0.8 GB at 1M; regenerated in seconds
        for f in WORK.glob("perf.data*"):
            f.unlink()
    if SNAPSHOT_N >= 1_000_000:
        rss = js.rss_max()
        rep.target("1M snapshot triage + JSON < 3 s", fmt_s(js.median()), js.median() < 3.0,
                   "see section 5, where the time goes")
        rep.target("1M snapshot triage + JSON < 2 GB RSS", f"{fmt_mb(rss)} (max of runs)",
                   rss is not None and rss < 2 * 1024 * 1024)


def profile_lines(big: Path, now: str, env: dict, js: Case) -> list[str]:
    lines = ["### Where the time goes", ""]
    harness = Path(HARNESS) if HARNESS else None
    if not harness or not harness.exists():
        return lines + ["(No stage breakdown: bench/profile was not built; bench/run.sh builds it.)"]
    lines.append(
        "`bench/profile` is a harness that runs certinv's snapshot path exactly as "
        "`crates/certinv/src/commands/report.rs` does (certinv-core's `snapshot::read`, "
        "`report::build`, `render::render` into a `Vec`, one write) with a timer and an RSS "
        "reading after each stage, built like the release binary (fat LTO) but with symbols. "
        "Two what-if variants use certinv-core's public API unchanged: `stream + forget` renders "
        "straight into a 64 KiB `BufWriter` on stdout instead of a `Vec` and leaves the report "
        "to the OS at exit instead of freeing it; `+ from_slice` also reads the whole file into "
        "memory and parses it with `serde_json::from_slice` instead of `snapshot::read`'s "
        "streaming `from_reader`.")
    stage_runs = max(3, RUNS - 2)
    variants = (("as certinv", []), ("stream + forget", ["--stream", "--forget"]),
                ("+ from_slice", ["--slice", "--stream", "--forget"]))
    stats: dict[str, list[dict]] = {label: [] for label, _ in variants}
    for i in range(1, stage_runs + 1):  # no warm-up round: the formats above warmed the file cache
        for label, extra in variants:
            r = subprocess.run([harness, big, "json", now, *extra], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:
                return lines + ["", f"harness failed: {r.stderr[-500:]}"]
            if i:  # the first round is the warm-up
                stats[label].append(json.loads(r.stderr.strip().splitlines()[-1]))
    keys = [("read_s", "read + parse"), ("build_s", "assess + sort"),
            ("render_s", "render JSON (streamed: and write it)"), ("write_s", "write to /dev/null"),
            ("free_s", "free the report"), ("total_s", "total")]
    med = lambda label, k: statistics.median(x[k] for x in stats[label])  # noqa: E731
    lines += ["", f"Medians of {stage_runs} runs each, alternated, `triage --output json`:", "",
              "| stage | " + " | ".join(label for label, _ in variants) + " |",
              "|---|" + "---:|" * len(variants)]
    for k, label in keys:
        lines.append(f"| {label} | " + " | ".join(fmt_s(med(v, k)) for v, _ in variants) + " |")
    lines.append("| peak RSS | " + " | ".join(f"{med(v, 'peak_rss_mb'):.0f} MiB" for v, _ in variants) + " |")
    m = stats["as certinv"][-1]
    lines += [
        "",
        f"Resident memory (as certinv): {m['rss_mb_after_read']:.0f} MiB once the {SNAPSHOT_N:,} records "
        f"are read ({m['rss_mb_after_read'] * 1024 / SNAPSHOT_N:.2f} KiB a record in "
        f"memory, against {big.stat().st_size / SNAPSHOT_N / 1024:.2f} KiB in the file), "
        f"{m['rss_mb_after_render']:.0f} MiB after rendering {m['output_bytes'] / 1e6:.0f} MB of JSON "
        f"into a buffer; peak {m['peak_rss_mb']:.0f} MiB.",
    ]
    if shutil.which("perf"):
        data = WORK / "perf.data"
        r = subprocess.run(["perf", "record", "-F", "499", "-o", str(data), "--", harness, big,
                            "json", now], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode == 0:
            rp = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "-F", "overhead,sym",
                                 "--percent-limit", "1.5"], capture_output=True, text=True)
            top = [re.sub(r"\s{2,}", "  ", ln).strip()[:160] for ln in rp.stdout.splitlines()
                   if ln.strip() and not ln.startswith("#")][:22]
            lines += ["", "`perf record -F 499` of the harness (`triage --output json`), self time "
                      "per symbol ≥ 1.5 %:", "", "```"] + top + ["```"]
        else:
            lines += ["", f"(perf record failed: {r.stderr.decode(errors='replace')[-300:]})"]
    return lines


# --- main ------------------------------------------------------------------------------------

def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    for p in (CERTINV, EMU_PY):
        if not Path(p).exists():
            raise SystemExit(f"missing {p}: run bench/run.sh")
    rep = Report()
    rep.add("Machine", machine_section())
    SCEN_DIR.mkdir(exist_ok=True)
    subprocess.run([PYTHON, BENCH / "gen_scenarios.py", SCEN_DIR], check=True,
                   stdout=subprocess.DEVNULL)

    steps = [
        ("peer", not SKIP["peer"], lambda: peer_section(rep)),
        ("scale300", not (SKIP["scale300"] and SKIP["latency"]), lambda: scale300_sections(rep)),
        ("scale2000", not SKIP["scale2000"], lambda: scale2000_section(rep)),
        ("snapshot", not SKIP["snapshot"], lambda: snapshot_section(rep)),
    ]
    failures = []
    for name, enabled, fn in steps:
        if not enabled:
            log(f"skipping {name}")
            continue
        log(f"=== {name}")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - one broken section must not lose the others
            log(f"{name} failed: {e}")
            failures.append(name)
            rep.add(f"{name}: FAILED", ["```", str(e)[-3000:], "```"])
    skipped = [n for n, en, _ in steps if not en]
    if skipped:
        rep.add("Skipped in this run", [", ".join(skipped) + " (see the BENCH_* knobs in bench/run.sh)"])
    rep.write(final=True)
    log(f"wrote {RESULTS}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
