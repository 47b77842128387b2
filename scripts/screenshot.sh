#!/usr/bin/env bash
# `make screenshot`: run the audited pipeline on the emulator's 31-account
# landing zone and photograph its report.html with headless Chromium, into
# docs/img/report.png. Everything stays on this machine: the emulator listens
# on loopback and Chromium is told not to reach for the network.
# Usage: scripts/screenshot.sh [OUT.png]; KEEP=1 keeps the evidence directory.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
out="${1:-docs/img/report.png}"
case "$out" in /*) ;; *) out="$root/$out" ;; esac

if ! command -v chromium >/dev/null 2>&1; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  echo "installing Debian's chromium" >&2
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
[ -x emulator/.venv/bin/python ] || make emulator
cargo build -q -p certinv

work="$(mktemp -d)"
profile="$(mktemp -d)"
source scripts/emulator-env.sh
start_emulator landing-zone-31
# emulator-env.sh owns the EXIT trap (it stops the emulator); extend it.
trap 'kill "$EMULATOR_PID" 2>/dev/null; wait "$EMULATOR_PID" 2>/dev/null; rm -rf "$profile"; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
anchor="$(printf '%s' "$EMULATOR_READY" | sed -E 's/.*"anchor": ?"([^"]+)".*/\1/')"

certinv=(target/debug/certinv)
for role in product-owner cloud-architect; do
  "${certinv[@]}" coord sign --project demo --role "$role" --by "screenshot@$role" \
    --evidence-dir "$work" >/dev/null
done

# Two runs at earlier instants stand in for the previous weeks' scheduled
# runs, so the report has a trend and a change since the last run to show.
for days_ago in 14 7 0; do
  now="$(date -u -d "$anchor - $days_ago days" +%Y-%m-%dT%H:%M:%SZ)"
  rc=0
  "${certinv[@]}" pipeline --project demo --all-accounts --evidence-dir "$work" \
    --now "$now" --quiet >"$work/pipeline.log" 2>&1 || rc=$?
  # 1 (findings) and 3 (partial) still seal a pack worth showing; 5 may not.
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && [ "$rc" -ne 3 ]; then
    cat "$work/pipeline.log" >&2
    echo "error: certinv pipeline exited $rc at --now $now" >&2
    exit "$rc"
  fi
done
report="$work/demo/certs/latest/report.html"
[ -f "$report" ] || { echo "error: no $report" >&2; exit 1; }

mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" --window-size=1280,2400 \
  --screenshot="$out" "file://$report" 2>/dev/null
echo "wrote ${out#"$root/"} ($(du -k "$out" | cut -f1) KB)" >&2
