#!/usr/bin/env bash
# Benchmark the worker's Rust pipeline against the Python onnxruntime reference on the same ONNX
# files and schedule, and print both plus the ratio. The two run alternately for several rounds
# (--rounds, default 4; each round swaps which goes first) and each figure is the median over
# rounds, so a slow spell of a shared machine does not land on one side only. CPU by default; pass `--device cuda` on a GPU machine
# (the Python reference stays on CPU; compare CUDA runs by hand).
#
#   scripts/bench-worker.sh [--rounds 4] [--model DIR] [--steps 20] [--width 256] [--height 256] [--runs 5]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

MODEL=models/tiny-shapes
ROUNDS=4
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --model) MODEL="$2"; ARGS+=("$1" "$2"); shift 2 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done

VENV="$HOME/.cache/aitbc/bench-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import onnxruntime, tokenizers, numpy, PIL" 2>/dev/null; then
  echo "[bench] creating $VENV (onnxruntime 1.31.1, tokenizers, numpy, pillow)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "onnxruntime==1.31.1" tokenizers numpy pillow
fi

cargo build --release --locked -p aitbc-worker --example bench_pipeline >&2
py_args=()
for ((i = 0; i < ${#ARGS[@]}; i++)); do
  case "${ARGS[$i]}" in --device | --model) i=$((i + 1)) ;; *) py_args+=("${ARGS[$i]}") ;; esac
done
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((round = 1; round <= ROUNDS; round++)); do
  echo "[bench] round $round of $ROUNDS" >&2
  # Alternate which side goes first, so neither always runs on a machine the other just warmed.
  if ((round % 2)); then order=(rust python); else order=(python rust); fi
  for side in "${order[@]}"; do
    if [ "$side" = rust ]; then
      echo "rust $("$CARGO_TARGET_DIR/release/examples/bench_pipeline" --device cpu "${ARGS[@]}")" >>"$results"
    else
      echo "python $("$VENV/bin/python" models/tools/reference_pipeline.py --model "$MODEL" "${py_args[@]}")" >>"$results"
    fi
  done
done

python3 - "$results" <<'PY'
import json, statistics, sys
runs = {"rust": [], "python": []}
for line in open(sys.argv[1]):
    side, payload = line.split(" ", 1)
    runs[side].append(json.loads(payload))
r, p = runs["rust"], runs["python"]
med = lambda rows, key: statistics.median(row[key] for row in rows)
rows = [("UNet step (CFG batch 2), median ms", "step_ms_median"), ("all steps of a run, median ms", "steps_sum_ms_median"), ("text encoder, median ms", "text_encoder_ms_median"),
        ("VAE decoder, median ms", "vae_decoder_ms_median"), ("PNG encode, median ms", "png_ms_median"), ("end to end, median ms", "total_ms_median"), ("peak RSS, MB", "peak_rss_mb")]
print(f"{'':38} {'Rust (ort)':>12} {'Python (ort)':>13} {'Rust/Python':>12}")
for label, key in rows:
    print(f"{label:38} {med(r, key):12.2f} {med(p, key):13.2f} {med(r, key) / med(p, key):12.3f}")
step_ratios = [a["step_ms_median"] / b["step_ms_median"] for a, b in zip(r, p)]
print(f"UNet step Rust/Python per round: {', '.join(f'{x:.3f}' for x in step_ratios)}")
print(f"rounds: {len(r)} x {r[0]['runs']} runs; {r[0]['impl']} vs {p[0]['impl']}; "
      f"Rust peak RSS growth after warm-up: {max(row['peak_rss_growth_after_warmup_mb'] for row in r):.1f} MB")
PY
