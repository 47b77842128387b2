#!/usr/bin/env bash
# Wall time and retry count of a landing-zone-31 inventory with and without
# 20% ACM/Config throttling (figures quoted in docs/RELIABILITY.md).
# Usage: scripts/measure-throttling.sh [runs]   (needs `make emulator build`)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
work="$(mktemp -d)"
python3 - "$work" <<'PY'
import json, sys
s = json.load(open("emulator/scenarios/landing-zone-31.json"))
s["faults"] = {"throttle": [{"service": "acm", "rate": 0.2, "seed": 7},
                            {"service": "config", "rate": 0.2, "seed": 8}]}
json.dump(s, open(sys.argv[1] + "/throttled.json", "w"))
PY
source scripts/emulator-env.sh
for scenario in landing-zone-31 "$work/throttled.json"; do
  start_emulator "$scenario" "$work/ops.jsonl"
  for source in acm config; do
    times=()
    for _ in $(seq "$runs"); do
      : > "$work/ops.jsonl"
      start=$(date +%s.%N)
      target/debug/certinv inventory --all-accounts --source "$source" --output json --quiet > /dev/null
      end=$(date +%s.%N)
      times+=("$(awk "BEGIN {print $end - $start}")")
    done
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    calls=$(wc -l < "$work/ops.jsonl")
    throttled=$(grep -c '"fault": *"throttle"' "$work/ops.jsonl" || true)
    echo "$(basename "$scenario" .json) source=$source median=${median}s calls=$calls throttled=$throttled"
  done
  kill "$EMULATOR_PID"; wait "$EMULATOR_PID" 2>/dev/null || true
done
rm -rf "$work"
