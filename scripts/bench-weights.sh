#!/usr/bin/env bash
# Runs the economy pallets' benchmarks on the runtime wasm and writes each pallet's weights.rs.
# Builds aitbc-node with the `runtime-benchmarks` feature (a separate, slower build; not needed
# to run a node). Usage: scripts/bench-weights.sh [steps] [repeat] [pallet...]
# (defaults: 20 10, all seven pallets: marketplace jobs receipts staking audits validators probes)
# Fits use median slopes ($ANALYSIS, default median-slopes): on a shared 2-core machine the
# least-squares intercept of a hook's fit picked up milliseconds of noise (jobs `on_initialize`:
# 4.4 ms at n = 0 against a fastest run of 9 µs), which every block would have paid.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
steps=${1:-20}
repeat=${2:-10}
shift $(( $# < 2 ? $# : 2 ))
pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(marketplace jobs receipts staking audits validators probes)

# Without the workspace hint: the benchmark CLI brings a test runtime of its own whose wasm
# build cannot find itself in this workspace's (default-feature) metadata.
env -u WASM_BUILD_WORKSPACE_HINT cargo build --release --locked -p aitbc-node --features runtime-benchmarks
node="$CARGO_TARGET_DIR/release/aitbc-node"
wasm="$CARGO_TARGET_DIR/release/wbuild/aitbc-runtime/aitbc_runtime.compact.compressed.wasm"
for pallet in "${pallets[@]}"; do
  echo "[bench] pallet_aitbc_$pallet"
  # The probes pallet lives in offchain-worker/ (the layout's name for the validators' workers).
  dir="pallets/$pallet"
  if [ "$pallet" = probes ]; then dir=offchain-worker; fi
  "$node" benchmark pallet \
    --runtime "$wasm" --genesis-builder=runtime --genesis-builder-preset=development \
    --pallet "pallet_aitbc_$pallet" --extrinsic '*' \
    --steps "$steps" --repeat "$repeat" --heap-pages 4096 \
    --template scripts/weight-template.hbs --output-analysis "${ANALYSIS:-median-slopes}" \
    --output "$dir/src/weights.rs"
done
