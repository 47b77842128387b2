#!/usr/bin/env bash
# `make demo`: the 31-account reference landing zone, discovered org-wide and triaged.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/emulator-env.sh
start_emulator landing-zone-31
echo "emulator: $EMULATOR_READY at $AWS_ENDPOINT_URL" >&2
"${CARGO_TARGET_DIR:-target}/debug/certinv" triage --all-accounts --output table --quiet
