#!/usr/bin/env bash
# The main job on the embedded default, end to end on this machine:
#   a development chain (Alice authors, finalizes and holds the sudo key), governance registers the
#   embedded tiny-shapes model and audits every receipt (rate 100 %), two aitbc-workers with
#   freshly generated provider keys are approved and register their offers, a client (Charlie,
#   who holds no AIT) submits a free text-to-image job, one worker claims it, runs it, stores the
#   image and submits a signed receipt; the other is drawn as its auditor: it fetches the image,
#   re-runs the job, commits and reveals its verdict. The audit passes, the receipt is final and
#   the provider is minted units x price (the auditor as much, for its re-run).
#   Prints the receipt, the audit, the minted amounts and the new balances; writes the image.
#
# Options:  --keep        leave the chain and the workers running until Ctrl-C, and serve the web
#                         app for them (`aitbc web`, http://127.0.0.1:8080/)
#           --chain-only  only start the dev chain (RPC on ws://127.0.0.1:9944), as polkadot.js expects
# Settings: AITBC_PROMPT, AITBC_SEED, AITBC_RPC_PORT (9944), AITBC_WORKER_PORT (8090; the
#           auditor's is the next port), AITBC_WEB_PORT (8080, with --keep), AITBC_OUT (out/)
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

echo "[run] 2/7 governance (Alice) registers the embedded model and audits every receipt"
"$bin/aitbc-worker" add-model models/tiny-shapes --node "$url" --governance alice
aitbc --account alice set-audit-params --rate 100

echo "[run] 3/7 two worker folders with new provider and worker keys ($data/worker, $data/auditor)"
providers=()
for name in worker auditor; do
  port=$http_port; [ "$name" = auditor ] && port=$((http_port + 1))
  init_out=$("$bin/aitbc-worker" init --dir "$data/$name" --node "$url" --price 0.001 \
    --http-listen "127.0.0.1:$port")
  echo "$init_out" | sed 's/^/      /'
  providers+=("$(echo "$init_out" | sed -n 's/^provider account //p')")
done
provider=${providers[0]} auditor=${providers[1]}

echo "[run] 4/7 governance approves the providers; the workers register their offers"
for name in worker auditor; do
  [ "$name" = worker ] && who=$provider || who=$auditor
  aitbc --account alice approve-provider "$who"
  "$bin/aitbc-worker" register --config "$data/$name"
done

echo "[run] 5/7 the workers start (logs $data/worker.log, $data/auditor.log)"
for name in worker auditor; do
  "$bin/aitbc-worker" --log-format text start --config "$data/$name" >"$data/$name.log" 2>&1 &
  pids+=("$!")
done
for name in worker auditor; do
  for _ in $(seq 120); do
    grep -q "registered as an auditor" "$data/$name.log" && break
    sleep 0.5
  done
  grep -q "registered as an auditor" "$data/$name.log" || { cat "$data/$name.log"; echo "[run] the $name did not start" >&2; exit 1; }
done

echo "[run] 6/7 Charlie submits a job: \"$prompt\""
job_json=$(aitbc --account charlie --json submit --prompt "$prompt" --seed "$seed" --max-price 0.001)
job=$(echo "$job_json" | sed -n 's/.*"job_id":\([0-9]*\).*/\1/p')
echo "      job $job: $(echo "$job_json" | sed -n 's/.*"units_milli":\([0-9]*\).*/\1/p') milli-units"
aitbc status "$job" --follow

echo "[run] 7/7 the result"
aitbc receipts --job "$job"
aitbc status "$job"
aitbc fetch "$job" --out "$out_dir/job-$job.png"
served_by=$(aitbc --json receipts --job "$job" | sed -n 's/.*"provider":"\([^"]*\)".*/\1/p')
for who in "$provider" "$auditor"; do
  role=auditor; [ "$who" = "$served_by" ] && role=provider
  echo "$role $who balance: $(aitbc balance "$who")"
done
web_port="${AITBC_WEB_PORT:-8080}"
if [ "$keep" = 1 ]; then
  # The web app (web/dist, built by setup.sh) for this chain: explorer, the job, providers, wallet.
  aitbc web --listen "127.0.0.1:$web_port" >"$data/web.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 40); do grep -q "web app:" "$data/web.log" && break; sleep 0.25; done
  grep -q "web app:" "$data/web.log" || { cat "$data/web.log"; echo "[run] the web app did not start" >&2; exit 1; }
  echo "[run] web app: http://127.0.0.1:$web_port/?rpc=$url#/job/$job (the job, its receipt, audit and verified image)"
  echo "[run] chain on $url and workers on http://127.0.0.1:$http_port and :$((http_port + 1)) keep running; Ctrl-C stops them"
  wait
else
  echo "[run] scripts/run.sh --keep leaves the chain running and serves the web app on http://127.0.0.1:$web_port/"
fi
