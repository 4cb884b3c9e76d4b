#!/usr/bin/env python3
"""Write the token ids Hugging Face's CLIPTokenizer gives for a set of prompts with the embedded
model's vocabulary, as a fixture for the Rust tokenizer's test (gpu-worker/tests/tokenizer.rs)."""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from train_tiny_shapes import MAX_TOKENS, load_tokenizer  # noqa: E402

PROMPTS = [
    "a red circle on a blue background",
    "a yellow triangle on a black background",
    "A   WHITE Square\ton a green background",
    "",
    "a purple hexagon, on a grey background!",
    "3 red circles don't overlap; 42 blue squares can't",
    "red " * 100,
]

if __name__ == "__main__":
    model = os.path.join(here, "..", "tiny-shapes", "tokenizer")
    tokenizer = load_tokenizer(model)
    cases = [
        {"prompt": p, "ids": tokenizer(p, padding="max_length", max_length=MAX_TOKENS, truncation=True).input_ids}
        for p in PROMPTS
    ]
    out = os.path.join(here, "..", "..", "gpu-worker", "tests", "fixtures", "clip_token_ids.json")
    with open(out, "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(out))
