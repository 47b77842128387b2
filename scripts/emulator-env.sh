# Sourced by the demo and bench scripts: start the emulator with a scenario on
# a free loopback port and point every AWS client at it. Sets EMULATOR_PID,
# AWS_ENDPOINT_URL and dummy credentials; stops the emulator on exit.
# Usage: start_emulator SCENARIO [OPLOG]

start_emulator() {
  local scenario="$1" oplog="${2:-}" ready
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local fifo
  fifo="$(mktemp -u)"
  mkfifo "$fifo"
  "$root/emulator/.venv/bin/python" "$root/emulator/run.py" --port 0 --scenario "$scenario" \
    ${oplog:+--oplog "$oplog"} >"$fifo" &
  EMULATOR_PID=$!
  trap 'kill "$EMULATOR_PID" 2>/dev/null; wait "$EMULATOR_PID" 2>/dev/null' EXIT
  if ! read -r -t 60 ready <"$fifo"; then
    echo "error: the emulator did not start within 60 s" >&2
    rm -f "$fifo"
    return 1
  fi
  rm -f "$fifo"
  local port
  port="$(printf '%s' "$ready" | sed -E 's/.*"port": ?([0-9]+).*/\1/')"
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=AKIAEMULATORDEMO0001 AWS_SECRET_ACCESS_KEY=emulator-demo-secret
  export AWS_REGION=ap-southeast-2 AWS_EC2_METADATA_DISABLED=true
  unset AWS_PROFILE AWS_SESSION_TOKEN
  EMULATOR_READY="$ready"
}
