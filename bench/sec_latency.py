"""Section 3: the latency model, P3 on 300 x 3 with a fixed latency per call.

The bound is calls x latency / concurrency. It assumes the server answers 32 calls
every 40 ms (800 calls/s); one emulator process serves far fewer, so the section runs
the emulator with forked workers (``--workers``, read-only, the latency set at start
with ``--faults``) and first measures what that set-up can serve at all: a zero-work
client with no latency. Where that limit is above the bound, the wall measures certinv.
"""

from __future__ import annotations

import os
import statistics

from common import (EMU_WORKERS, LATENCY_MS, RUNS, SCEN_DIR, SWEEP, WORK, fmt_mb, fmt_s, fmt_x,
                    log)
from emulators import Emulator
from measure import Case, alternate, certinv_case, floor_case
from report import Report, calls_text, commands_block

P3 = ["inventory", "--all-accounts", "--source", "acm", "--output", "json"]


def _calls(c: Case) -> float:
    return statistics.median(len(s.ops) for s in c.samples)


def _capacity(workers: int) -> tuple[float, Case, float]:
    """Calls per second the emulator serves to the zero-work P3 client at 32 threads,
    with no latency: the most any client could get from it on this machine. Also the
    emulator's CPU seconds per call."""
    emu = Emulator(SCEN_DIR / "scale-300x3.json", f"s300-cap-{workers}", workers=workers)
    try:
        fl = floor_case(f"floor P3, 32 threads, no latency, {workers} emulator process(es)",
                        emu, "p3", 32)
        fl.run()  # warm-up: the first calls load moto's service models
        cpu0 = emu.cpu_s()
        alternate([fl], runs=max(3, RUNS - 2), warmup=0)
        cpu = (emu.cpu_s() - cpu0) / len(fl.samples)
    finally:
        emu.stop()
    rate = statistics.median(len(s.ops) / s.inner for s in fl.samples)
    log(f"emulator with {workers} process(es): {rate:.0f} calls/s")
    return rate, fl, cpu / _calls(fl)


def latency_section(rep: Report) -> None:
    lat = LATENCY_MS / 1000
    one_rate, one_fl, one_cpu = _capacity(1)
    rate, cap_fl, cpu_per_call = _capacity(EMU_WORKERS) if EMU_WORKERS > 1 else (one_rate, one_fl, one_cpu)
    spec = {"latency": {"fixed_ms": LATENCY_MS}}
    emu = Emulator(SCEN_DIR / "scale-300x3.json", "s300-lat", workers=EMU_WORKERS, faults=spec)
    try:
        main = [certinv_case("certinv P3 --concurrency 32 (default)", emu, P3, WORK / "lat-p3-32.json"),
                floor_case("floor P3, 32 threads (zero work)", emu, "p3", 32)]
        alternate(main)
        sweep = [certinv_case(f"certinv P3 --concurrency {c}", emu, P3 + ["--concurrency", str(c)],
                              WORK / f"lat-p3-{c}.json") for c in SWEEP if c != 32]
        if sweep:
            alternate(sweep, runs=int(os.environ.get("BENCH_SWEEP_RUNS", "3")))
        ready_s, rss = emu.ready_s, emu.rss_kb()
    finally:
        emu.stop()
    ci, fl = main

    rows = ["| run | calls | bound = calls × latency ÷ concurrency | emulator limit = calls ÷ its calls/s "
            "| median wall | wall ÷ bound | wall ÷ max(bound, limit) | peak RSS |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    table = [(ci, 32), (fl, 32)] + [(c, int(c.argv[-1])) for c in sweep]
    table.sort(key=lambda t: (t[1], t[0] is fl))
    for c, conc in table:
        n = _calls(c)
        bound, limit = n * lat / conc, n / rate
        wall = c.inner() if c is fl else c.median()
        rows.append(f"| {c.name} ({len(c.samples)} runs) | {calls_text(c)} | {fmt_s(bound)} | "
                    f"{fmt_s(limit)} | {fmt_s(wall)} | {fmt_x(wall / bound)} | "
                    f"{fmt_x(wall / max(bound, limit))} | {fmt_mb(c.rss())} |")
    b32 = _calls(ci) * lat / 32
    ratio = ci.median() / b32
    floor_ratio = fl.inner() / (_calls(fl) * lat / 32)
    la = ci.op_counts().get("organizations:ListAccounts", 0)
    chain = (1 + la + 4) * lat
    setup = (f"{EMU_WORKERS} forked workers (`emulator/run.py --workers {EMU_WORKERS} --faults "
             f"'{{\"latency\": {{\"fixed_ms\": {LATENCY_MS}}}}}'`)" if EMU_WORKERS > 1 else
             "one emulator process (`--faults` latency)")
    lines = [
        f"Scenario as in 4a, served by {setup}: every call sleeps {LATENCY_MS} ms in the emulator "
        f"before it is served. Emulator start-up + seeding {ready_s:.1f} s, peak RSS of a worker "
        f"{fmt_mb(rss)}. Calls are counted from the op log of each run. For the floor, the wall is "
        "the time its calls took in-process.",
        "",
        f"**What the emulator can serve** (the zero-work P3 client at 32 threads, no latency, "
        f"medians of {len(cap_fl.samples)} runs; the client shares the {os.cpu_count()} cores): "
        f"one process {one_rate:.0f} calls/s ({one_cpu * 1000:.2f} ms of emulator CPU a call)"
        + (f"; {EMU_WORKERS} workers **{rate:.0f} calls/s** ({cpu_per_call * 1000:.2f} ms a call)"
           if EMU_WORKERS > 1 else "")
        + f". The bound at 32 in flight assumes {32 / lat:.0f} calls/s; the emulator limit "
        "column is the calls ÷ that rate.",
        "",
    ] + rows + [
        "",
        f"**certinv at its default concurrency: {fmt_x(ratio)} the bound** ({fmt_s(ci.median())} vs "
        f"{fmt_s(b32)}). The zero-work client with the same calls and 32 threads needs "
        f"{fmt_s(fl.inner())}, {fmt_x(floor_ratio)} the bound; certinv ÷ floor = "
        f"{fmt_x(ci.median() / fl.inner())}. The dependent chain alone (GetCallerIdentity, {la} "
        "ListAccounts pages, then AssumeRole → DescribeRegions → ListCertificates → "
        f"DescribeCertificate) is ≥ {fmt_s(chain)}.",
        "",
    ]
    # Where the latency bound is above what the emulator can serve, the bound is testable.
    testable = [(c, conc) for c, conc in table
                if c is not fl and _calls(c) * lat / conc >= _calls(c) / rate]
    t_note = "; ".join(f"--concurrency {conc}: {fmt_x(c.median() / (_calls(c) * lat / conc))}"
                       for c, conc in testable)
    lines += [(f"Where the bound is above the emulator's limit (so it is the binding one), certinv ÷ "
               f"bound: {t_note}." if t_note else
               "No concurrency tried here puts the latency bound above the emulator's limit."), ""]
    lines += commands_block([cap_fl] + main + sweep)
    rep.target(f"P3 at {LATENCY_MS} ms latency, 300×3, within 1.5× of calls × latency ÷ concurrency",
               f"{fmt_x(ratio)} at --concurrency 32 ({fmt_s(ci.median())} vs bound {fmt_s(b32)})",
               ratio <= 1.5,
               f"emulator: {setup.split(' (')[0]}, ~{rate:.0f} calls/s with no latency; a zero-work "
               f"client is {fmt_x(floor_ratio)} the bound and certinv {fmt_x(ci.median() / fl.inner())} "
               "that client")
    rep.add(f"3. Latency model: P3 on 300 × 3 with {LATENCY_MS} ms per call", lines)
