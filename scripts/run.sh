#!/usr/bin/env bash
# The main job on the embedded default: a single-authority development chain (Alice) that
# authors and finalizes blocks, with the standard RPC on ws://127.0.0.1:9944.
# Extra arguments go to aitbc-node (e.g. `scripts/run.sh --base-path /tmp/aitbc` to keep the chain).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

cargo build --release --locked -p aitbc-node
node="$CARGO_TARGET_DIR/release/aitbc-node"
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--tmp)
echo "[run] starting: aitbc-node --dev ${args[*]}"
echo "[run] RPC: ws://127.0.0.1:9944 (polkadot.js apps: ?rpc=ws://127.0.0.1:9944); Ctrl-C stops it"
exec "$node" --dev "${args[@]}"
