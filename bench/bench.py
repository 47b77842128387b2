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

import subprocess
import sys
from pathlib import Path

from common import BENCH, CERTINV, EMU_PY, PYTHON, RESULTS, SCEN_DIR, SKIP, WORK, log
from report import Report, machine_section
from sec_latency import latency_section
from sec_peer import peer_section
from sec_scale import scale2000_section, scale300_section
from sec_snapshot import snapshot_section


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
        ("scale300", not SKIP["scale300"], lambda: scale300_section(rep)),
        ("latency", not SKIP["latency"], lambda: latency_section(rep)),
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
