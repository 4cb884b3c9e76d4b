#!/usr/bin/env bash
# Prepares, on this machine, what the GPU measurement (scripts/gpu-bench.sh) needs on a lent GPU
# machine, which can fetch nothing and takes at most 64 MiB per call:
#   - ONNX Runtime 1.31.1 with its CUDA provider, from the PyPI onnxruntime-gpu wheel (about 310 MB
#     of libraries, about 190 MB as xz), in numbered parts, one per call;
#   - the diffusers wheel (that machine has PyTorch, transformers and onnx, not diffusers), for
#     models/tools/export_sd15_random.py;
#   - the worker's benchmark program, built here (same x86-64).
# Everything lands in .gpu-kit/ (git-ignored): one .gpu-kit/ort-N per call, and .gpu-kit/base
# with the last, smallest part; scripts/gpu-bench.sh says how. A part plus the working tree
# (about 16 MB) must stay under 64 MiB. Idempotent: downloads and packing are cached in
# ~/.cache/aitbc/gpu-wheels.
#
#   scripts/gpu-kit.sh [--part-mib 45]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

PART_MIB=45
[ "${1:-}" = "--part-mib" ] && PART_MIB="$2"
KIT=.gpu-kit
DOWNLOADS="$HOME/.cache/aitbc/gpu-wheels"
mkdir -p "$KIT/base/wheels" "$DOWNLOADS"

pip_download() {
  python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
    -d "$DOWNLOADS" "$@"
}

if ! ls "$DOWNLOADS"/onnxruntime_gpu-1.31.1-*.whl >/dev/null 2>&1; then
  echo "[gpu-kit] downloading onnxruntime-gpu 1.31.1, diffusers 0.42.1, importlib_metadata" >&2
  pip_download onnxruntime-gpu==1.31.1 diffusers==0.42.1 importlib_metadata==10.2.0
fi
cp "$DOWNLOADS"/diffusers-0.42.1-*.whl "$DOWNLOADS"/importlib_metadata-10.2.0-*.whl "$KIT/base/wheels/"

packed="$DOWNLOADS/ort-gpu-1.31.1.tar.xz"
if [ ! -f "$packed" ]; then
  echo "[gpu-kit] packing the ONNX Runtime GPU libraries (xz, a few minutes)" >&2
  unpacked=$(mktemp -d)
  trap 'rm -rf "$unpacked"' EXIT
  (cd "$unpacked" && python3 -m zipfile -e "$(ls "$DOWNLOADS"/onnxruntime_gpu-1.31.1-*.whl)" wheel)
  capi="$unpacked/wheel/onnxruntime/capi"
  tar -C "$capi" -cf - libonnxruntime.so.1.31.1 libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so \
    | xz -6 -T2 >"$packed.tmp"
  mv "$packed.tmp" "$packed"
fi
rm -rf "$KIT"/ort-*
split -b "${PART_MIB}M" -d -a 1 "$packed" "$KIT/ort-gpu.tar.xz."
n=0
for part in "$KIT"/ort-gpu.tar.xz.?; do
  n=$((n + 1))
  mkdir -p "$KIT/ort-$n"
  mv "$part" "$KIT/ort-$n/"
done
(cd "$DOWNLOADS" && sha256sum "$(basename "$packed")") | sed 's/ort-gpu-1.31.1.tar.xz/ort-gpu.tar.xz/' >"$KIT/base/ort-gpu.sha256"
echo "$n" >"$KIT/base/ort-parts"

echo "[gpu-kit] building the benchmark program" >&2
cargo build --release --locked -p aitbc-worker --example bench_pipeline >&2
mkdir -p "$KIT/base/bin"
cp "$CARGO_TARGET_DIR/release/examples/bench_pipeline" "$KIT/base/bin/"

du -sh "$KIT"/* >&2
echo "[gpu-kit] ready: $(cat "$KIT/base/ort-parts") parts; see scripts/gpu-bench.sh for the calls" >&2
