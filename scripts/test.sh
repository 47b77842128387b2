#!/usr/bin/env bash
# `make test`: everything CI checks, in the order that fails fastest.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_EC2_METADATA_DISABLED=true

echo "== format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

echo "== core unit and golden tests under two time zones"
# Day counts must not depend on the local zone; run the pure tests in two.
TZ=Australia/Sydney cargo test -p certinv-core
TZ=America/Los_Angeles cargo test -p certinv-core

echo "== the rest of the workspace: unit tests and emulator-backed tests"
cargo test --workspace --exclude certinv-core

echo "== emulator self-tests"
emulator/.venv/bin/python -m pytest -q emulator/tests
