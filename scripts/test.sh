#!/usr/bin/env bash
# The test command: set up the machine (idempotent), build the node, run every test.
# Integration tests start real aitbc-node processes on loopback (free ports, temp dirs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

echo "[test] building aitbc-node (release; the first build on a new machine takes ~20 min)"
cargo build --release --locked -p aitbc-node
echo "[test] running the tests"
# One test at a time: the multi-node tests start up to four nodes and the machine has two cores.
cargo test --release --locked --workspace -- --test-threads=1
