#!/usr/bin/env bash
# The GPU measurement of issue 4, run on a lent GPU machine (the `device` tool) after
# scripts/gpu-kit.sh prepared .gpu-kit/ here. The kit is bigger than one call may carry, so it
# travels over consecutive calls while the machine stays warm (30 s between calls):
#
#   call k < N: carry [".gpu-kit/ort-k"]                  command: bash scripts/gpu-bench.sh stage
#   call N:     carry [".gpu-kit/ort-N", ".gpu-kit/base"]  command: bash scripts/gpu-bench.sh stage run
#
# (N is in .gpu-kit/base/ort-parts; with 45 MiB parts it is 5.)
# `stage` copies the parts this call carried to /tmp/aitbc-gpu-kit. `run` checks that every part
# is there, unpacks ONNX Runtime GPU, exports the SD 1.5-sized random-weight model in fp16
# (models/tools/export_sd15_random.py) and runs the worker's benchmark program with the CUDA
# provider: the embedded model at 256² and 512², and the SD 1.5-sized model at 512² (20 DDIM
# steps, guidance 7.5). JSON lines and a summary go to $OUT (or ./gpu-bench-out).
#
# A dry run on any machine with PyTorch, diffusers and transformers (it checks the script, not the
# GPU): GPU_BENCH_DEVICE=cpu GPU_BENCH_STEPS=1 GPU_BENCH_RUNS=1 GPU_BENCH_WARMUP=0 ... run
set -euo pipefail
cd "$(dirname "$0")/.."

STAGE=/tmp/aitbc-gpu-kit
DEVICE="${GPU_BENCH_DEVICE:-cuda}"
STEPS="${GPU_BENCH_STEPS:-20}"
WARMUP="${GPU_BENCH_WARMUP:-2}"
OUT_DIR="${OUT:-$PWD/gpu-bench-out}"
mkdir -p "$STAGE" "$OUT_DIR"

stage() {
  [ -d .gpu-kit ] || { echo "[gpu-bench] no .gpu-kit in this call: carry a .gpu-kit/ort-N part (and .gpu-kit/base with the last)" >&2; exit 2; }
  cp -r .gpu-kit/. "$STAGE/"
  echo "[gpu-bench] staged: $(cd "$STAGE" && ls -d base ort-* 2>/dev/null | tr '\n' ' ')"
}

run() {
  local parts ort site
  parts=$(cat "$STAGE/base/ort-parts" 2>/dev/null) || { echo "[gpu-bench] .gpu-kit/base was never staged" >&2; exit 2; }
  for ((k = 1; k <= parts; k++)); do
    [ -f "$STAGE/ort-$k/ort-gpu.tar.xz.$((k - 1))" ] || { echo "[gpu-bench] part $k of $parts missing: stage .gpu-kit/ort-$k first" >&2; exit 2; }
  done
  ort=/tmp/ort-gpu
  if [ ! -f "$ort/libonnxruntime_providers_cuda.so" ]; then
    mkdir -p "$ort"
    for ((k = 1; k <= parts; k++)); do cat "$STAGE/ort-$k/ort-gpu.tar.xz.$((k - 1))"; done >/tmp/ort-gpu.tar.xz
    (cd /tmp && sha256sum -c "$STAGE/base/ort-gpu.sha256")
    tar -C "$ort" -xJf /tmp/ort-gpu.tar.xz
  fi
  site=/tmp/aitbc-site
  python3 -m pip install -q --root-user-action=ignore --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$site" "$STAGE"/base/wheels/*.whl
  export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"
  # The CUDA provider loads cuBLAS, cuDNN, cuFFT, cuRAND and the CUDA runtime: PyTorch's copies.
  local cuda_libs
  cuda_libs=$(python3 - <<'PY'
import glob, os, torch
site = os.path.dirname(os.path.dirname(torch.__file__))
dirs = sorted({os.path.dirname(p) for p in glob.glob(os.path.join(site, "nvidia", "**", "lib*.so*"), recursive=True)})
print(":".join(dirs))
PY
)
  export LD_LIBRARY_PATH="$ort:$cuda_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export AITBC_ORT_LIB="$ort/libonnxruntime.so.1.31.1"
  echo "[gpu-bench] libraries the CUDA provider cannot find: $(ldd "$ort/libonnxruntime_providers_cuda.so" | grep -c 'not found' || true)"
  ldd "$ort/libonnxruntime_providers_cuda.so" | grep 'not found' || true
  { nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "no nvidia-smi"; } | tee "$OUT_DIR/gpu.txt"

  local bench="$STAGE/base/bin/bench_pipeline" results="$OUT_DIR/results.jsonl"
  chmod +x "$bench"
  : >"$results"
  measure() { # label, then bench_pipeline arguments
    local label=$1
    shift
    echo "[gpu-bench] $label" >&2
    printf '{"label": "%s", "result": %s}\n' "$label" "$("$bench" "$@")" >>"$results"
  }
  local common=(--device "$DEVICE" --steps "$STEPS" --warmup "$WARMUP")
  measure "tiny-shapes 256x256 $DEVICE" "${common[@]}" --width 256 --height 256 --runs "${GPU_BENCH_RUNS:-10}"
  measure "tiny-shapes 512x512 $DEVICE" "${common[@]}" --width 512 --height 512 --runs "${GPU_BENCH_RUNS:-10}"
  if [ ! -f /tmp/sd15-random/manifest.json ]; then
    python3 models/tools/export_sd15_random.py --out /tmp/sd15-random --device "$DEVICE" --dtype fp16 2>&1 \
      | grep -v -i warning | tail -8
  fi
  measure "sd15-sized fp16 512x512 $DEVICE" "${common[@]}" --model /tmp/sd15-random --width 512 --height 512 \
    --runs "${GPU_BENCH_RUNS:-5}"
  python3 - "$results" <<'PY' | tee "$OUT_DIR/summary.txt"
import json, sys
print(f"{'':32} {'CFG step ms':>12} {'text enc ms':>12} {'VAE ms':>8} {'end to end ms':>14} {'peak RSS MB':>12}  provider")
for line in open(sys.argv[1]):
    row = json.loads(line)
    r = row["result"]
    print(f"{row['label']:32} {r['step_ms_median']:12.2f} {r['text_encoder_ms_median']:12.2f} {r['vae_decoder_ms_median']:8.1f} "
          f"{r['total_ms_median']:14.1f} {r['peak_rss_mb']:12.0f}  {r['impl']}")
print("published: ONNX Runtime CUDA fp16 on an H100, about 12 ms per CFG step of SD 1.5 at 512x512")
PY
}

[ $# -gt 0 ] || { echo "usage: scripts/gpu-bench.sh stage|run [run]" >&2; exit 2; }
for action in "$@"; do
  case "$action" in
    stage) stage ;;
    run) run ;;
    *) echo "unknown action $action (stage or run)" >&2; exit 2 ;;
  esac
done
