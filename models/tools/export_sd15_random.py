#!/usr/bin/env python3
"""Export a Stable Diffusion 1.5-sized model with random weights in the SD 1.5 ONNX layout, for
measuring the worker's pipeline on a GPU (seconds per CFG step at 512x512) where no real SD 1.5
weights can be downloaded.

The UNet is SD 1.5's (diffusers' UNet2DConditionModel with SD 1.5's configuration: 860 M parameters,
cross-attention width 768), the text encoder CLIP ViT-L/14's text tower (12 layers of width 768), the VAE decoder SD
1.5's (AutoencoderKL, 4 latent channels, 8x); UNet and VAE in --dtype (fp16 by default), the text
encoder in fp32 (see below). Weights are PyTorch's random initialisation (seeded),
so the images are noise: only the timings mean anything. The tokenizer is the embedded model's CLIP
BPE tokenizer (the text encoder's vocabulary is sized to it; a lookup costs the same at any size).
Input and output names and dtypes are those of the common SD 1.5 ONNX export, so the worker runs
it unchanged.

    python3 models/tools/export_sd15_random.py --out /tmp/sd15-random [--device cuda] [--dtype fp16]

Needs PyTorch, diffusers, transformers and onnx (`scripts/gpu-bench.sh` brings diffusers to a GPU
machine that lacks it). About 1.7 GB in fp16.
"""
import argparse
import json
import os
import shutil
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_tiny_shapes import (  # noqa: E402
    MAX_TOKENS,
    TextEncoderOnnx,
    UnetOnnx,
    VaeDecoderOnnx,
    export,
    make_text_encoder,
    make_unet,
    make_vae,
    write_manifest,
    write_scheduler_and_index,
)

HERE = os.path.dirname(os.path.abspath(__file__))
SD15_SCALING = 0.18215
# SD 1.5 draws at 512 px; its UNet downsamples three times after the VAE's 8x, so sides are
# multiples of 64.
SD15_LIMITS = {"max_width": 768, "max_height": 768, "max_steps": 100, "size_multiple": 64}


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


def sd15_unet():
    """SD 1.5's UNet configuration (diffusers' UNet2DConditionModel defaults are the same)."""
    return make_unet(
        sample_size=64,
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        block_out_channels=(320, 640, 1280, 1280),
        layers_per_block=2,
        cross_attention_dim=768,
        norm_num_groups=32,
    )


def sd15_vae():
    """SD 1.5's VAE configuration."""
    return make_vae(
        block_out_channels=(128, 256, 512, 512),
        layers_per_block=2,
        norm_num_groups=32,
        sample_size=512,
        mid_block_add_attention=True,
        scaling_factor=SD15_SCALING,
    )


def clip_l_text(vocab_size, bos_id, eos_id):
    """CLIP ViT-L/14's text tower, SD 1.5's text encoder."""
    return make_text_encoder(
        vocab_size, eos_id, bos_id,
        hidden_size=768,
        intermediate_size=3072,
        num_hidden_layers=12,
        num_attention_heads=12,
        projection_dim=768,
        hidden_act="quick_gelu",
    )


def params(module):
    return sum(p.numel() for p in module.parameters())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--dtype", choices=["fp16", "fp32"], default="fp16")
    parser.add_argument("--tokenizer", default=os.path.join(HERE, "..", "tiny-shapes", "tokenizer"))
    parser.add_argument("--seed", type=int, default=0)
    a = parser.parse_args()
    dtype = torch.float16 if a.dtype == "fp16" else torch.float32
    out = a.out
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    torch.manual_seed(a.seed)

    shutil.copytree(a.tokenizer, os.path.join(out, "tokenizer"))
    with open(os.path.join(out, "tokenizer", "vocab.json")) as f:
        vocab = json.load(f)

    def prepare(module, name, dtype):
        module = module.eval().to(device=a.device, dtype=dtype)
        log(f"{name}: {params(module) / 1e6:.0f} M parameters, {dtype} on {a.device}")
        return module

    # The text encoder stays fp32: transformers' CLIP traced in fp16 gives a LayerNormalization
    # fed both float and float16, which ONNX Runtime refuses. It runs once per image, so its
    # precision does not change the per-step figure, and the worker converts its output to the
    # UNet's dtype (a mixed-precision model is what it must handle anyway).
    text_encoder = prepare(
        clip_l_text(len(vocab), vocab["<|startoftext|>"], vocab["<|endoftext|>"]), "text encoder", torch.float32
    )
    unet = prepare(sd15_unet(), "UNet", dtype)
    vae = prepare(sd15_vae(), "VAE", dtype)
    with torch.no_grad():
        log("exporting the text encoder")
        export(
            TextEncoderOnnx(text_encoder), (torch.zeros((1, MAX_TOKENS), dtype=torch.int32, device=a.device),),
            os.path.join(out, "text_encoder", "model.onnx"),
            ["input_ids"], ["last_hidden_state", "pooler_output"],
            {"input_ids": {0: "batch", 1: "sequence"}, "last_hidden_state": {0: "batch", 1: "sequence"}, "pooler_output": {0: "batch"}},
        )
        log("exporting the UNet")
        export(
            UnetOnnx(unet),
            (
                torch.randn(2, 4, 64, 64, device=a.device, dtype=dtype),
                torch.tensor([500], dtype=torch.int64, device=a.device),
                torch.randn(2, MAX_TOKENS, 768, device=a.device, dtype=dtype),
            ),
            os.path.join(out, "unet", "model.onnx"),
            ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
            {"sample": {0: "batch", 2: "height", 3: "width"}, "timestep": {0: "steps"}, "encoder_hidden_states": {0: "batch", 1: "sequence"}, "out_sample": {0: "batch", 2: "height", 3: "width"}},
        )
        log("exporting the VAE decoder")
        export(
            VaeDecoderOnnx(vae), (torch.randn(1, 4, 64, 64, device=a.device, dtype=dtype),),
            os.path.join(out, "vae_decoder", "model.onnx"),
            ["latent_sample"], ["sample"],
            {"latent_sample": {0: "batch", 2: "height", 3: "width"}, "sample": {0: "batch", 2: "height", 3: "width"}},
        )
    with open(os.path.join(out, "text_encoder", "config.json"), "w") as f:
        json.dump({"hidden_size": 768, "max_position_embeddings": MAX_TOKENS, "vocab_size": len(vocab)}, f, indent=2)
    with open(os.path.join(out, "unet", "config.json"), "w") as f:
        json.dump({"sample_size": 64, "in_channels": 4, "out_channels": 4, "cross_attention_dim": 768}, f, indent=2)
    with open(os.path.join(out, "vae_decoder", "config.json"), "w") as f:
        json.dump({"latent_channels": 4, "block_out_channels": [128, 256, 512, 512], "scaling_factor": SD15_SCALING, "sample_size": 512}, f, indent=2)
    write_scheduler_and_index(out)
    write_manifest(out, f"sd15-random-{a.dtype}", SD15_LIMITS)
    log(f"exported to {out}")


if __name__ == "__main__":
    main()
