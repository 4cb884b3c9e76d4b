#!/usr/bin/env bash
# Fuzzes the real runtime with libFuzzer (cargo-fuzz, nightly): random blocks of real extrinsics
# through Executive, with every pallet's try_state and the issuance ledger after each block
# (fuzz/fuzz_targets/runtime.rs). Usage: scripts/fuzz.sh [seconds] (default 60).
# The corpus grows in fuzz/corpus/runtime (not committed); a crash is written to
# fuzz/artifacts/runtime/ and replays with `cargo +nightly fuzz run runtime <file>`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# Its own target dir outside the checkout (the instrumented runtime is a build of its own), and
# no wasm: the fuzzer runs the native runtime.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/aitbc/fuzz-target}"
export SKIP_WASM_BUILD=1
mkdir -p fuzz/corpus/runtime
cd fuzz
cargo +nightly fuzz build runtime -O
cargo +nightly fuzz run runtime -O corpus/runtime -- \
  -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=4096 -print_final_stats=1
