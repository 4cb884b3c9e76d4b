#!/usr/bin/env bash
# Regenerates chain-specs/ (plain and raw) from the runtime's genesis presets.
# The chain_specs integration test fails when the committed files drift from these.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
# --workspace like scripts/test.sh: `-p aitbc-node` resolves features apart and rebuilds most of the SDK.
cargo build --release --locked --workspace --bins
node="$CARGO_TARGET_DIR/release/aitbc-node"
for chain in dev local testnet; do
  "$node" export-chain-spec --chain "$chain" > "chain-specs/$chain.json"
  "$node" export-chain-spec --chain "$chain" --raw > "chain-specs/$chain-raw.json"
  echo "chain-specs/$chain.json, chain-specs/$chain-raw.json"
done
