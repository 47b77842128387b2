"""What every part of the benchmark shares: paths, the BENCH_* knobs, logging and
number formatting."""

from __future__ import annotations

import os
import re
import shlex
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work"
SCEN_DIR = BENCH / "scenarios"
# BENCH_RESULTS: write elsewhere (a partial run would otherwise replace RESULTS.md).
RESULTS = Path(os.environ.get("BENCH_RESULTS") or BENCH / "RESULTS.md")

CERTINV = Path(os.environ.get("CERTINV_BIN", ROOT / "target" / "release" / "certinv"))
RUNBOOKS = BENCH / ".venv" / "bin" / "runbooks"
EMU_PY = ROOT / "emulator" / ".venv" / "bin" / "python"
EMU_RUN = ROOT / "emulator" / "run.py"
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
# Section 3's emulator: this many forked workers (emulator/run.py --workers).
EMU_WORKERS = max(1, int(os.environ.get("BENCH_EMULATOR_WORKERS", "2")))
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


def slug(s: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "-", s).strip("-").lower()

