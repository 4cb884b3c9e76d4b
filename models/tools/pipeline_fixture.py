#!/usr/bin/env python3
"""Write gpu-worker/tests/fixtures/reference/: standard-normal initial noise and the image the
Python onnxruntime reference (reference_pipeline.py) makes from it with the embedded model, so
the Rust pipeline can be checked pixel by pixel on exactly the same start (tests/pipeline.rs).
Rerun after retraining the model."""
import json
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from reference_pipeline import Reference  # noqa: E402

CASE = {"prompt": "a red circle on a blue background", "steps": 12, "guidance": 5.0, "width": 256, "height": 256}

if __name__ == "__main__":
    model = os.path.join(here, "..", "tiny-shapes")
    out = os.path.join(here, "..", "..", "gpu-worker", "tests", "fixtures", "reference")
    os.makedirs(out, exist_ok=True)
    ref = Reference(model, 0)
    noise = np.random.default_rng(2026).standard_normal((1, 4, CASE["height"] // ref.factor, CASE["width"] // ref.factor)).astype("<f4")
    noise.tofile(os.path.join(out, "noise.f32"))
    ref.generate(CASE["prompt"], CASE["steps"], CASE["guidance"], CASE["width"], CASE["height"], 0, noise=noise, png_out=os.path.join(out, "expected.png"))
    with open(os.path.join(out, "case.json"), "w") as f:
        json.dump(CASE, f, indent=2)
        f.write("\n")
    print("wrote", os.path.relpath(out))
