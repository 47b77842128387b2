#!/usr/bin/env bash
# certinv's benchmark suite: `bash bench/run.sh` (or `make bench`) writes bench/RESULTS.md.
#
# It installs what it needs (GNU time and strace via apt, the emulator's venv, a venv
# with the peer tool runbooks==1.5.11 in bench/.venv), builds certinv in release mode and
# the stage harness bench/profile, then runs bench/bench.py, which starts emulators on
# 127.0.0.1 only and measures. ~20 min on 2 cores once built; a cold release build adds
# 5 min on an idle machine (17-26 min were seen while other builds shared the cores).
#
# Knobs (environment):
#   BENCH_QUICK=1            skip the 2,000-account scenario, 100k-record snapshot, shorter sweep
#   BENCH_RUNS=N             timed runs per command after one warm-up (default 5)
#   BENCH_SKIP_PEER=1        skip section 1-2 (runbooks vs certinv on landing-zone-31, floor)
#   BENCH_SKIP_SCALE300=1    skip 4a (300 accounts x 3 regions on P1, P2, P3)
#   BENCH_SKIP_LATENCY=1     skip 3 (P3 with 40 ms per call, concurrency sweep)
#   BENCH_SKIP_SCALE2000=1   skip 4b (2,000 accounts, 20,000 certificates on P1)
#   BENCH_SKIP_SNAPSHOT=1    skip 5 (1M-certificate snapshot, start-up)
#   BENCH_SNAPSHOT_N=N       snapshot size (default 1000000)
#   BENCH_KEEP_WORK=1        keep the big snapshot and perf data in bench/work
#   BENCH_FORMATS=json,csv,markdown,html   --output formats timed on the snapshot (unsupported ones are skipped)
#   BENCH_LATENCY_MS=40      per-call latency for section 3
#   BENCH_EMULATOR_WORKERS=2 forked emulator workers serving section 3 (emulator/run.py --workers)
#   BENCH_CONCURRENCY_SWEEP=8,32,128   --concurrency values tried in section 3
#   BENCH_SWEEP_RUNS=3       timed runs per sweep value other than 32 (32 gets BENCH_RUNS)
#   CERTINV_BIN=PATH         measure this binary instead of building target/release/certinv
#                            (BENCH_CERTINV_SOURCE="text" says in RESULTS.md what it was built from)
#   BENCH_HARNESS_BIN=PATH   use this bench/profile build instead of building it
#   BENCH_RESULTS=PATH       write the results there instead of bench/RESULTS.md (for partial runs)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '[bench] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root for: $*"; return 1; fi
}

# GNU time for peak RSS (required); strace for the start-up-to-first-call figure (optional).
# perf, when installed, adds a profile to section 5; it is not installed here because
# its package must match the running kernel.
if [ ! -x /usr/bin/time ] || ! command -v strace >/dev/null; then
  say "installing GNU time and strace"
  as_root apt-get update -q && as_root apt-get install -y -q time strace
fi

# The emulator's pinned venv (same recipe as `make emulator`).
if [ ! -f emulator/.venv/.installed ] || [ emulator/requirements.txt -nt emulator/.venv/.installed ]; then
  say "creating the emulator venv"
  python3 -m venv emulator/.venv
  emulator/.venv/bin/pip install -q --disable-pip-version-check -r emulator/requirements.txt
  touch emulator/.venv/.installed
fi

# The peer tool, in its own venv.
RUNBOOKS_VERSION=1.5.11
if [ ! -f "bench/.venv/.runbooks-$RUNBOOKS_VERSION" ]; then
  say "installing runbooks==$RUNBOOKS_VERSION into bench/.venv (~1-2 min)"
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install -q --disable-pip-version-check "runbooks==$RUNBOOKS_VERSION"
  touch "bench/.venv/.runbooks-$RUNBOOKS_VERSION"
fi

if [ -n "${CERTINV_BIN:-}" ]; then
  export CERTINV_BIN_OVERRIDDEN=1
else
  say "cargo build --release -p certinv"
  cargo build --release -p certinv
  export CERTINV_BIN="$ROOT/target/release/certinv"
fi

# The stage-timing harness for section 5 (certinv-core only: ~1 min cold). It pins
# the workspace's dependency versions by starting from a copy of its Cargo.lock.
if [ "${BENCH_SKIP_SNAPSHOT:-0}" != 1 ] && [ -z "${BENCH_HARNESS_BIN:-}" ]; then
  say "cargo build --release (bench/profile: snapshot stage harness)"
  [ -f bench/profile/Cargo.lock ] || cp Cargo.lock bench/profile/Cargo.lock
  if cargo build --release -q --manifest-path bench/profile/Cargo.toml; then
    export BENCH_HARNESS_BIN="$ROOT/bench/profile/target/release/certinv-bench-profile"
  else
    say "bench/profile did not build; section 5 will have no stage breakdown"
  fi
fi

exec python3 bench/bench.py
