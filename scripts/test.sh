#!/usr/bin/env bash
# The test command: set up the machine (idempotent), build the node, run every test.
# Integration tests start real aitbc-node processes on loopback (free ports, temp dirs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

echo "[test] building aitbc-node, aitbc-worker and aitbc (release; the first build on a new machine takes ~25 min)"
# --workspace, not -p: the binaries then share one feature resolution (and one set of compiled
# dependencies) with `cargo test --workspace` below instead of building the SDK twice.
cargo build --release --locked --workspace --bins
echo "[test] running the tests"
# One test at a time: the multi-node tests start up to four nodes and the machine has two cores.
cargo test --release --locked --workspace -- --test-threads=1
# A short bounded fuzzing run keeps the fuzzer alive: it replays and checks the seed scenarios,
# then any crash (a panic, a failed invariant, an overweight block) fails the suite. The first
# build of the instrumented runtime on a new machine takes ~15 min; the long run is separate.
echo "[test] fuzzing the runtime for 60 s (scripts/fuzz.sh)"
bash scripts/fuzz.sh 60
