# The two commands a newcomer needs are `make demo` and `make test`; both
# install what they need (the emulator's pinned venv) on a fresh machine.

VENV := emulator/.venv
EMULATOR_PY := $(VENV)/bin/python

.PHONY: demo test emulator build release lint fmt clean screenshot bench fuzz

$(VENV)/.installed: emulator/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r emulator/requirements.txt
	touch $@

## emulator: create the emulator's Python venv (moto 5.2.5, pinned)
emulator: $(VENV)/.installed

build:
	cargo build -p certinv

release:
	cargo build --release -p certinv

## demo: start the emulator with the 31-account landing zone and run a triage
demo: emulator build
	bash scripts/demo.sh

## test: formatting, lints, unit + golden + emulator tests, emulator self-tests
test: emulator
	bash scripts/test.sh

## screenshot: render the demo landing zone's report.html to docs/img/report.png (installs chromium)
screenshot: emulator build
	bash scripts/screenshot.sh

## bench: side-by-side benchmark on the emulator; writes bench/RESULTS.md (long; BENCH_QUICK=1 for the short version)
bench: emulator
	bash bench/run.sh

## fuzz: a short cargo-fuzz run of the snapshot and manifest readers (not in CI)
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the pinned stable toolchain accept them.
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run snapshot -- -max_total_time=$${FUZZ_SECONDS:-30}
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run manifest -- -max_total_time=$${FUZZ_SECONDS:-30}

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf $(VENV)
