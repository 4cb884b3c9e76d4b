#!/usr/bin/env bash
# The main job on the embedded default, end to end on this machine:
#   a development chain (Alice authors, finalizes and holds the sudo key), governance registers the
#   embedded tiny-shapes model, one aitbc-worker with a freshly generated provider key is approved
#   and registers its offer, a client (Charlie, who holds no AIT) submits a free text-to-image job,
#   the worker claims it, runs it, stores the image and submits a signed receipt; after the
#   challenge window the receipt is final and the provider is minted units x price.
#   Prints the receipt, the minted amount and the provider's new balance; writes the image.
#
# Options:  --keep        leave the chain and the worker running until Ctrl-C
#           --chain-only  only start the dev chain (RPC on ws://127.0.0.1:9944), as polkadot.js expects
# Settings: AITBC_PROMPT, AITBC_SEED, AITBC_RPC_PORT (9944), AITBC_WORKER_PORT (8090),
#           AITBC_OUT (out/)
set -euo pipefail
cd "$(dirname "$0")/.."
keep=0 chain_only=0
for arg in "$@"; do
  case "$arg" in
    --keep) keep=1 ;;
    --chain-only) chain_only=1 ;;
    *) echo "unknown option $arg (use --keep or --chain-only)" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh
source scripts/env.sh

bin="$CARGO_TARGET_DIR/release"
rpc_port="${AITBC_RPC_PORT:-9944}"
url="ws://127.0.0.1:$rpc_port"
if [ "$chain_only" = 1 ]; then
  cargo build --release --locked --workspace --bins
  echo "[run] RPC: $url (polkadot.js apps: ?rpc=$url); Ctrl-C stops it"
  exec "$bin/aitbc-node" --dev --tmp --rpc-port "$rpc_port"
fi

# The same build as scripts/test.sh (one feature set, so the shared target dir is reused).
cargo build --release --locked --workspace --bins
http_port="${AITBC_WORKER_PORT:-8090}"
prompt="${AITBC_PROMPT:-a red circle on a blue background}"
seed="${AITBC_SEED:-1}"
out_dir="${AITBC_OUT:-out}"
data=.aitbc-data/run
rm -rf "$data"
mkdir -p "$data" "$out_dir"
aitbc() { "$bin/aitbc" --node "$url" "$@"; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

echo "[run] 1/7 dev chain on $url (log $data/node.log)"
"$bin/aitbc-node" --dev --tmp --rpc-port "$rpc_port" --no-prometheus >"$data/node.log" 2>&1 &
node_pid=$!
pids+=("$node_pid")
for _ in $(seq 120); do
  aitbc models >/dev/null 2>&1 && break
  kill -0 "$node_pid" 2>/dev/null || { tail -20 "$data/node.log"; echo "[run] the node exited (is port $rpc_port taken?)" >&2; exit 1; }
  sleep 0.5
done

echo "[run] 2/7 governance (Alice) registers the embedded model"
"$bin/aitbc-worker" add-model models/tiny-shapes --node "$url" --governance alice

echo "[run] 3/7 a worker folder with new provider and worker keys ($data/worker)"
init_out=$("$bin/aitbc-worker" init --dir "$data/worker" --node "$url" --price 0.001 \
  --http-listen "127.0.0.1:$http_port")
echo "$init_out" | sed 's/^/      /'
provider=$(echo "$init_out" | sed -n 's/^provider account //p')

echo "[run] 4/7 governance approves the provider; the worker registers its offer"
aitbc --account alice approve-provider "$provider"
"$bin/aitbc-worker" register --config "$data/worker"

echo "[run] 5/7 the worker starts (log $data/worker.log)"
"$bin/aitbc-worker" --log-format text start --config "$data/worker" >"$data/worker.log" 2>&1 &
pids+=("$!")
for _ in $(seq 120); do
  grep -q "listening on" "$data/worker.log" && break
  sleep 0.5
done
grep -q "listening on" "$data/worker.log" || { cat "$data/worker.log"; echo "[run] the worker did not start" >&2; exit 1; }

echo "[run] 6/7 Charlie submits a job: \"$prompt\""
job_json=$(aitbc --account charlie --json submit --prompt "$prompt" --seed "$seed" --max-price 0.001)
job=$(echo "$job_json" | sed -n 's/.*"job_id":\([0-9]*\).*/\1/p')
echo "      job $job: $(echo "$job_json" | sed -n 's/.*"units_milli":\([0-9]*\).*/\1/p') milli-units"
aitbc status "$job" --follow

echo "[run] 7/7 the result"
aitbc receipts --job "$job"
aitbc fetch "$job" --out "$out_dir/job-$job.png"
echo "provider balance: $(aitbc balance "$provider")"
if [ "$keep" = 1 ]; then
  echo "[run] chain on $url and worker on http://127.0.0.1:$http_port keep running; Ctrl-C stops them"
  wait
fi
