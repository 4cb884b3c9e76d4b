#!/usr/bin/env bash
# Fuzzes the real runtime with libFuzzer (cargo-fuzz, nightly): random blocks of real extrinsics
# through Executive, with every pallet's try_state, the issuance ledger and the weight limits
# after each block (fuzz/src).
#
#   scripts/fuzz.sh [seconds] [libFuzzer options…]   fuzz (default 60 s); the long run is
#                                                     scripts/fuzz.sh 2700 -len_control=0
#   scripts/fuzz.sh --replay FILE                     run one input (a crash) again
#
# It first writes the seed corpus (the test suite's scenarios, each replayed and checked) to
# fuzz/seeds/runtime; what the fuzzer finds grows fuzz/corpus/runtime (neither is committed).
# A crash is written to fuzz/artifacts/runtime/. AITBC_FUZZ_TRACE=1 prints every operation and
# its outcome; AITBC_FUZZ_STATS=1 prints the calls by kind at the end.
set -euo pipefail
replay=""
if [ "${1:-}" = "--replay" ]; then
  replay=$(realpath -- "${2:?usage: scripts/fuzz.sh --replay FILE}")
  shift 2
fi
seconds=60
if [ -n "${1:-}" ] && [[ $1 =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
cd "$(dirname "$0")/.."
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
command -v cargo-fuzz >/dev/null || bash scripts/setup.sh
# Its own target dir outside the checkout (the instrumented runtime is a build of its own), and
# no wasm: the fuzzer runs the native runtime.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/aitbc/fuzz-target}"
export SKIP_WASM_BUILD=1
cd fuzz
# -O: optimized; -a: with debug assertions and overflow checks (an arithmetic overflow the
# release runtime would wrap silently is a crash here); -s none: no AddressSanitizer (safe Rust;
# it halved the speed and ran every input twice for leak checks).
cargo +nightly fuzz build runtime -O -a -s none
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
fuzzer="$CARGO_TARGET_DIR/$host/release/runtime"
if [ -n "$replay" ]; then
  exec "$fuzzer" -runs=1 "$replay"
fi
mkdir -p corpus/runtime seeds/runtime artifacts/runtime
AITBC_FUZZ_SEEDS=seeds/runtime "$fuzzer" corpus/runtime seeds/runtime \
  -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=4096 -timeout=60 \
  -artifact_prefix=artifacts/runtime/ -print_final_stats=1 "$@"
