#!/usr/bin/env bash
# Fuzzes the real runtime with libFuzzer (cargo-fuzz, nightly): random blocks of real extrinsics
# through Executive, with every pallet's try_state, the issuance ledger and the weight limits
# after each block (fuzz/src). Usage: scripts/fuzz.sh [seconds] [libFuzzer options…] (default 60
# seconds; e.g. `scripts/fuzz.sh 3600 -len_control=0` for a long run with long inputs at once).
# It first writes the seed corpus (the test suite's scenarios, each replayed and checked) to
# fuzz/seeds/runtime; what the fuzzer finds grows fuzz/corpus/runtime (neither is committed).
# A crash is written to fuzz/artifacts/runtime/; replay it with
#   AITBC_FUZZ_TRACE=1 scripts/fuzz.sh --replay fuzz/artifacts/runtime/<file>
# which prints every operation and its outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
command -v cargo-fuzz >/dev/null || bash scripts/setup.sh
# Its own target dir outside the checkout (the instrumented runtime is a build of its own), and
# no wasm: the fuzzer runs the native runtime.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/aitbc/fuzz-target}"
export SKIP_WASM_BUILD=1
cd fuzz
cargo +nightly fuzz build runtime -O -s none
fuzzer="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/runtime"
if [ "${1:-}" = "--replay" ]; then
  exec "$fuzzer" -runs=1 "$2"
fi
seconds=${1:-60}
shift || true
mkdir -p corpus/runtime seeds/runtime artifacts/runtime
AITBC_FUZZ_SEEDS=seeds/runtime "$fuzzer" corpus/runtime seeds/runtime \
  -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=4096 -timeout=60 \
  -artifact_prefix=artifacts/runtime/ -print_final_stats=1 "$@"
