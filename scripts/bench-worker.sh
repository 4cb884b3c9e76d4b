#!/usr/bin/env bash
# Benchmark the worker's Rust pipeline against the Python onnxruntime reference on the same ONNX
# files and schedule, in one run, and print both plus the ratio. CPU by default; pass
# `--device cuda` on a GPU machine (the Python reference stays on CPU; compare CUDA runs by hand).
#
#   scripts/bench-worker.sh [--model DIR] [--steps 20] [--width 256] [--height 256] [--runs 5]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

MODEL=models/tiny-shapes
ARGS=("$@")
for ((i = 0; i < ${#ARGS[@]}; i++)); do
  [ "${ARGS[$i]}" = "--model" ] && MODEL="${ARGS[$((i + 1))]}"
done

VENV="$HOME/.cache/aitbc/bench-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import onnxruntime, tokenizers, numpy, PIL" 2>/dev/null; then
  echo "[bench] creating $VENV (onnxruntime 1.31.1, tokenizers, numpy, pillow)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "onnxruntime==1.31.1" tokenizers numpy pillow
fi

cargo build --release --locked -p aitbc-worker --example bench_pipeline >&2
rust=$("$CARGO_TARGET_DIR/release/examples/bench_pipeline" --device cpu "$@")
py_args=()
for ((i = 0; i < ${#ARGS[@]}; i++)); do
  case "${ARGS[$i]}" in --device) i=$((i + 1)) ;; --model) i=$((i + 1)) ;; *) py_args+=("${ARGS[$i]}") ;; esac
done
python=$("$VENV/bin/python" models/tools/reference_pipeline.py --model "$MODEL" "${py_args[@]}")

python3 - "$rust" "$python" <<'PY'
import json, sys
r, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rows = [("UNet step (CFG batch 2), median ms", "step_ms_median"), ("text encoder, median ms", "text_encoder_ms_median"),
        ("VAE decoder, median ms", "vae_decoder_ms_median"), ("end to end, median ms", "total_ms_median"), ("peak RSS, MB", "peak_rss_mb")]
print(f"{'':38} {'Rust (ort)':>12} {'Python (ort)':>13} {'Rust/Python':>12}")
for label, key in rows:
    print(f"{label:38} {r[key]:12.2f} {p[key]:13.2f} {r[key] / p[key]:12.3f}")
print(f"runs: {r['runs']}; {r['impl']} vs {p['impl']}; Rust peak RSS growth after warm-up: {r['peak_rss_growth_after_warmup_mb']:.1f} MB")
PY
