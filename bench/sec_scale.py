"""Sections 4a and 4b: 300 accounts x 3 regions on P1, P2 and P3; 2,000 accounts and
20,000 certificates on P1."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from common import BENCH, REGION, SCEN_DIR, WORK, fmt_mb, fmt_ms_signed, fmt_s
from emulators import Emulator
from measure import alternate, certinv_case, floor_case, paired_overhead
from report import Report, calls_text, case_table, commands_block, ops_block

def select_probe(emu: Emulator) -> tuple[float, float]:
    """Time two Select pages after seeding: the first builds the aggregator's items
    (what every page cost before the emulator kept them), the second reuses them."""
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


def report_total(path: Path) -> str:
    try:
        d = json.loads(path.read_text())
        s = d["summary"]
        return (f"total {s['total']}, accounts {s['accounts']}, buckets "
                f"{json.dumps(s['buckets'])}, missing {len(d['scope']['missing'])}")
    except Exception as e:  # noqa: BLE001
        return f"unreadable ({e})"


def scale300_section(rep: Report) -> None:
    scen = SCEN_DIR / "scale-300x3.json"
    emu = Emulator(scen, "s300")
    try:
        miss, hit = select_probe(emu)
        seeded = emu.info
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
            "The emulator keeps Config's configuration items between Select pages until a call "
            "changes state (`emulator/certinv_emulator/config.py`): the first 100-row page after "
            f"seeding took **{fmt_s(miss)}** here (it builds all {seeded['certificates']} items), the "
            f"next {fmt_s(hit)}. Rebuilding them on every page would cost ≈ "
            f"{fmt_s(miss * (seeded['certificates'] / 100 + 1))} of emulator time per P1 run.",
            "",
        ] + case_table(cases) + [
            "",
            "- P1 beyond the time its calls take on this server (certinv's wall − the zero-work "
            "client's in-process call time, paired by round): "
            f"**{fmt_ms_signed(paired_overhead(p1, f1)[0])}** (range "
            f"{fmt_ms_signed(paired_overhead(p1, f1)[1])} to {fmt_ms_signed(paired_overhead(p1, f1)[2])}); "
            f"certinv's own CPU time {fmt_s(p1.cpu())}. The floor makes the calls strictly one "
            "after another, so a negative figure means certinv overlapped some of them.",
            f"- P2 and P3 are bound by the emulator: here one Python process (as the integration "
            f"tests run it) serving {calls_text(p3)} P3 calls. Section 3 runs P3 against the "
            "emulator's forked workers, next to a zero-work client making the same calls.",
            f"- Outputs: P1 {report_total(outs['p1'])}; P2 {report_total(outs['p2'])}; "
            f"P3 {report_total(outs['p3'])}.",
            f"- Calls by operation: P1 {ops_block(p1)}. P2 {ops_block(p2)}. P3 {ops_block(p3)}.",
            "",
        ] + commands_block(cases)
        rep.add("4a. Scale: 300 accounts × 3 regions, 3,000 certificates (P1, P2, P3)", lines)

    finally:
        emu.stop()


def scale2000_section(rep: Report) -> Path | None:
    scen = SCEN_DIR / "scale-2000.json"
    emu = Emulator(scen, "s2000", timeout=1200)
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
            "As in 4a, the first Select page after seeding builds the items "
            f"(**{fmt_s(miss)}**), the next takes {fmt_s(hit)}; rebuilding them on every page would cost "
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

