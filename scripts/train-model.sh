#!/usr/bin/env bash
# Retrain the embedded model (models/tiny-shapes) from scratch on CPU, then regenerate the test
# fixture that depends on it. Never needed by the build or the tests: the exported files are
# committed. About 70 minutes on 2 cores (VAE 3,000 steps, text encoder + UNet 5,000 steps).
#
# Makes a virtual environment with pinned PyTorch (from PyPI; it trains on the CPU), diffusers, transformers and onnx
# in ~/.cache/aitbc/train-venv. Arguments go to models/tools/train_tiny_shapes.py
# (e.g. --work DIR to keep checkpoints elsewhere, --export-only to re-export them).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${AITBC_TRAIN_VENV:-$HOME/.cache/aitbc/train-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || { sudo apt-get install -y -qq python3-venv && python3 -m venv "$venv"; }
fi
"$venv/bin/pip" install --quiet torch==2.15.0 diffusers==0.42.1 transformers==5.24.0 onnx==1.23.2 onnxruntime==1.31.1 \
  tokenizers==0.23.3 numpy==2.4.6 pillow==13.0.0
"$venv/bin/python" models/tools/train_tiny_shapes.py --vae-steps 3000 --steps 5000 "$@"
# The pixel-exact pipeline test compares against the Python reference on the new weights.
"$venv/bin/python" models/tools/pipeline_fixture.py
echo "[train] done: check it with aitbc-worker selftest --all, then commit models/tiny-shapes and the fixture"
