"""Section 5: local work on a 1,000,000-certificate snapshot, and where its time goes."""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from common import (BENCH, CERTINV, HARNESS, PYTHON, RUNS, SNAPSHOT_N, WORK, env_flag, fmt_mb, fmt_s)
from emulators import Emulator, base_env
from measure import Case, alternate, certinv_case
from report import Report, case_table, commands_block

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
        "`crates/certinv/src/commands/report.rs` does (certinv-core's `snapshot::read_file`, "
        "`report::build`, `render::render` into a 64 KiB `BufWriter` on stdout, the report left "
        "to the OS at exit) with a timer and an RSS reading after each "
        "stage, built like the release binary (fat LTO) but with symbols. `sequential read` is the "
        "same with `snapshot::read`, the one-thread streaming reader certinv used before "
        "`read_file` split the work across cores.")
    stage_runs = max(3, RUNS - 2)
    variants = (("as certinv", []), ("sequential read", ["--sequential"]))
    stats: dict[str, list[dict]] = {label: [] for label, _ in variants}
    for i in range(1, stage_runs + 1):  # no warm-up round: the formats above warmed the file cache
        for label, extra in variants:
            r = subprocess.run([harness, big, "json", now, *extra], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:
                return lines + ["", f"harness failed: {r.stderr[-500:]}"]
            stats[label].append(json.loads(r.stderr.strip().splitlines()[-1]))
    keys = [("read_s", "read + parse"), ("build_s", "assess + sort + summary"),
            ("render_s", "render JSON and write it"), ("total_s", "total")]
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
        f"{m['rss_mb_after_render']:.0f} MiB after streaming {m['output_bytes'] / 1e6:.0f} MB of JSON "
        f"to stdout; peak {m['peak_rss_mb']:.0f} MiB.",
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

