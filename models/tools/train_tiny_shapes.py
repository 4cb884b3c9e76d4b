#!/usr/bin/env python3
"""Train and export `models/tiny-shapes`: a tiny text-to-image latent diffusion model in the Stable
Diffusion 1.5 ONNX layout (CLIP BPE tokenizer, CLIP text encoder, conditional UNet, VAE decoder,
scheduler config), trained on procedurally generated coloured shapes (`shapes_dataset.py`).

Nothing here is needed by the build or the tests: the exported files are committed. Needs PyTorch,
diffusers, transformers and onnx from PyPI (`scripts/train-model.sh` makes the virtual environment and runs this).

Stages (each cached under --work so a later stage can be rerun alone):
  1. tokenizer: a CLIP byte-level BPE vocabulary built by CLIP's own rule (bytes, bytes + "</w>",
     one entry per merge, then <|startoftext|> and <|endoftext|>) with merges for the data set's words;
  2. VAE (AutoencoderKL, 8x downsampling, 4 latent channels) trained on crops of the images;
  3. text encoder + UNet trained together with the DDPM noise-prediction loss and 10 % caption dropout
     (so classifier-free guidance works), on latents of the whole data set;
  4. ONNX export (input/output names and dtypes as in the common SD 1.5 export), configs, manifest.
"""
import argparse
import hashlib
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shapes_dataset as ds  # noqa: E402

IMAGE_SIZE = 256
LATENT_SIZE = IMAGE_SIZE // 8
MAX_TOKENS = 77
BETA_START, BETA_END, TRAIN_TIMESTEPS = 0.00085, 0.012, 1000


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


# ---------------------------------------------------------------- 1. tokenizer
def bytes_to_unicode():
    """GPT-2/CLIP's reversible byte -> printable unicode map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(
        range(ord("®"), ord("ÿ") + 1)
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def write_tokenizer(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    base = list(bytes_to_unicode().values())
    merges = []
    for word in ds.WORDS:
        parts = list(word[:-1]) + [word[-1] + "</w>"]
        while len(parts) > 1:
            pair = (parts[0], parts[1])
            if pair not in merges:
                merges.append(pair)
            parts = [parts[0] + parts[1]] + parts[2:]
    vocab = base + [b + "</w>" for b in base] + ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    # CLIP's rule can produce a token twice (a merge equal to a base token); keep the first id.
    ids = {}
    for token in vocab:
        ids.setdefault(token, len(ids))
    with open(os.path.join(out_dir, "vocab.json"), "w") as f:
        json.dump(ids, f, ensure_ascii=False)
    with open(os.path.join(out_dir, "merges.txt"), "w") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    special = {
        "bos_token": "<|startoftext|>",
        "eos_token": "<|endoftext|>",
        "unk_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>",
    }
    with open(os.path.join(out_dir, "special_tokens_map.json"), "w") as f:
        json.dump(special, f, indent=2)
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w") as f:
        json.dump(
            dict(special, tokenizer_class="CLIPTokenizer", model_max_length=MAX_TOKENS, do_lower_case=True),
            f,
            indent=2,
        )
    return len(ids)


def load_tokenizer(out_dir):
    from transformers import CLIPTokenizer

    return CLIPTokenizer.from_pretrained(out_dir, model_max_length=MAX_TOKENS)


def tokenize(tokenizer, prompts):
    return tokenizer(
        prompts, padding="max_length", max_length=MAX_TOKENS, truncation=True, return_tensors="pt"
    ).input_ids


# ---------------------------------------------------------------- data
def make_dataset(n, seed):
    rng = random.Random(seed)
    images = np.zeros((n, 3, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    captions = []
    for i in range(n):
        image, text = ds.sample(IMAGE_SIZE, rng)
        images[i] = np.asarray(image, dtype=np.float32).transpose(2, 0, 1) / 127.5 - 1.0
        captions.append(text)
    return torch.from_numpy(images), captions


# ---------------------------------------------------------------- 2. VAE
def make_vae(**sizes):
    """The tiny model's VAE; `sizes` overrides its configuration (export_sd15_random.py)."""
    from diffusers import AutoencoderKL

    config = dict(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        block_out_channels=(16, 32, 32, 64),
        layers_per_block=1,
        latent_channels=4,
        norm_num_groups=8,
        sample_size=IMAGE_SIZE,
        mid_block_add_attention=False,
    )
    return AutoencoderKL(**{**config, **sizes})


def shape_crops(images, idx, crop):
    """Crops that mostly contain the shape's edge: with background-only crops the VAE learns
    backgrounds well and shape colours badly."""
    out = []
    for i in idx.tolist():
        image = images[i]
        mask = (image - image[:, :1, :1]).abs().amax(0) > 0.3
        ys, xs = torch.nonzero(mask, as_tuple=True)
        if len(ys) > 0 and random.random() < 0.8:
            k = random.randrange(len(ys))
            cy, cx = int(ys[k]), int(xs[k])
        else:
            cy, cx = random.randrange(IMAGE_SIZE), random.randrange(IMAGE_SIZE)
        y = min(max(cy - crop // 2, 0), IMAGE_SIZE - crop)
        x = min(max(cx - crop // 2, 0), IMAGE_SIZE - crop)
        out.append(image[:, y : y + crop, x : x + crop])
    return torch.stack(out)


def train_vae(images, steps, batch, crop, seed, kl_weight, vae=None, lr=2e-3):
    torch.manual_seed(seed)
    vae = vae or make_vae()
    vae.train()
    opt = torch.optim.AdamW(vae.parameters(), lr=lr)
    lr_sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, s / 50) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * s / steps)))
    )
    n = images.shape[0]
    t0 = time.time()
    for step in range(1, steps + 1):
        x0 = shape_crops(images, torch.randint(0, n, (batch,)), crop)
        posterior = vae.encode(x0).latent_dist
        z = posterior.sample()
        recon = vae.decode(z).sample
        kl = posterior.kl().mean() / (crop * crop)
        loss = F.mse_loss(recon, x0) + 0.5 * F.l1_loss(recon, x0) + kl_weight * kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        lr_sched.step()
        if step % 50 == 0 or step == steps:
            rate = (time.time() - t0) / step
            log(f"vae step {step}/{steps} loss {loss.item():.4f} ({rate:.2f} s/step)")
    return vae.eval()


@torch.no_grad()
def encode_latents(vae, images, batch=32):
    out = []
    for i in range(0, images.shape[0], batch):
        out.append(vae.encode(images[i : i + batch]).latent_dist.mean)
    return torch.cat(out)


# ---------------------------------------------------------------- 3. text encoder + UNet
def make_text_encoder(vocab_size, eos_id, bos_id, **sizes):
    """The tiny model's CLIP text encoder; `sizes` overrides its configuration."""
    from transformers import CLIPTextConfig, CLIPTextModel

    config = dict(
        vocab_size=vocab_size,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=MAX_TOKENS,
        projection_dim=64,
        bos_token_id=bos_id,
        eos_token_id=eos_id,
        pad_token_id=eos_id,
    )
    return CLIPTextModel(CLIPTextConfig(**{**config, **sizes}))


def make_unet(**sizes):
    """The tiny model's UNet; `sizes` overrides its configuration."""
    from diffusers import UNet2DConditionModel

    config = dict(
        sample_size=LATENT_SIZE,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        block_out_channels=(32, 64, 64),
        layers_per_block=1,
        cross_attention_dim=64,
        attention_head_dim=8,
        norm_num_groups=16,
    )
    return UNet2DConditionModel(**{**config, **sizes})


def make_train_scheduler():
    from diffusers import DDPMScheduler

    return DDPMScheduler(
        num_train_timesteps=TRAIN_TIMESTEPS,
        beta_start=BETA_START,
        beta_end=BETA_END,
        beta_schedule="scaled_linear",
        prediction_type="epsilon",
    )


def train_diffusion(latents, ids, empty_ids, text_encoder, unet, steps, batch, seed, lr=5e-4, offset_noise=0.0):
    torch.manual_seed(seed)
    sched = make_train_scheduler()
    params = list(unet.parameters()) + list(text_encoder.parameters())
    text_encoder.train()
    unet.train()
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=1e-2)
    warmup = 100
    lr_at = lambda s: min(1.0, s / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * s / steps)))
    lr_sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    n = latents.shape[0]
    t0 = time.time()
    ema = None
    for step in range(1, steps + 1):
        idx = torch.randint(0, n, (batch,))
        x0 = latents[idx]
        cond = ids[idx].clone()
        drop = torch.rand(batch) < 0.1
        cond[drop] = empty_ids
        # Offset noise: a per-image, per-channel constant added to the noise. Without it the
        # schedule's last step still leaves the latents' channel means visible (terminal SNR > 0),
        # the UNet learns to keep the background colour from its noisy input instead of from the
        # caption, and sampling from pure noise gives every prompt the same average background.
        noise = torch.randn_like(x0) + offset_noise * torch.randn(x0.shape[0], x0.shape[1], 1, 1)
        t = torch.randint(0, TRAIN_TIMESTEPS, (batch,))
        xt = sched.add_noise(x0, noise, t)
        hidden = text_encoder(cond).last_hidden_state
        pred = unet(xt, t, encoder_hidden_states=hidden).sample
        loss = F.mse_loss(pred, noise)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        lr_sched.step()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % 50 == 0 or step == steps:
            rate = (time.time() - t0) / step
            log(f"diffusion step {step}/{steps} loss(ema) {ema:.4f} ({rate:.2f} s/step, eta {rate * (steps - step) / 60:.1f} min)")
    return text_encoder.eval(), unet.eval()


# ---------------------------------------------------------------- 4. export
class TextEncoderOnnx(torch.nn.Module):
    def __init__(self, te):
        super().__init__()
        self.te = te

    def forward(self, input_ids):
        out = self.te(input_ids.long())
        return out.last_hidden_state, out.pooler_output


class UnetOnnx(torch.nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states):
        return self.unet(sample, timestep, encoder_hidden_states=encoder_hidden_states).sample


class VaeDecoderOnnx(torch.nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, latent_sample):
        return self.vae.decode(latent_sample).sample


def export(module, args, path, input_names, output_names, dynamic_axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(
        module,
        args,
        path,
        input_names=input_names,
        output_names=output_names,
        dynamic_axes=dynamic_axes,
        opset_version=17,
        dynamo=False,
    )
    import onnx

    # By path: a model over 2 GB (an fp32 SD 1.5 UNet) keeps its weights in external files.
    onnx.checker.check_model(path)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_scheduler_and_index(out):
    """The DDIM scheduler config of SD 1.5's schedule and the ONNX pipeline's model_index.json."""
    os.makedirs(os.path.join(out, "scheduler"), exist_ok=True)
    with open(os.path.join(out, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump(
            {
                "_class_name": "DDIMScheduler",
                "num_train_timesteps": TRAIN_TIMESTEPS,
                "beta_start": BETA_START,
                "beta_end": BETA_END,
                "beta_schedule": "scaled_linear",
                "prediction_type": "epsilon",
                "set_alpha_to_one": False,
                "steps_offset": 1,
                "timestep_spacing": "leading",
                "clip_sample": False,
            },
            f,
            indent=2,
        )
    with open(os.path.join(out, "model_index.json"), "w") as f:
        json.dump(
            {
                "_class_name": "OnnxStableDiffusionPipeline",
                "scheduler": ["diffusers", "DDIMScheduler"],
                "text_encoder": ["diffusers", "OnnxRuntimeModel"],
                "tokenizer": ["transformers", "CLIPTokenizer"],
                "unet": ["diffusers", "OnnxRuntimeModel"],
                "vae_decoder": ["diffusers", "OnnxRuntimeModel"],
            },
            f,
            indent=2,
        )


# Limits the worker enforces for the tiny model: trained at 256 px; the UNet's two downsamplings
# after the VAE's 8x need sides that are multiples of 32; above 512 px the shapes repeat, so 512 is
# the cap.
TINY_LIMITS = {"max_width": 512, "max_height": 512, "max_steps": 100, "size_multiple": 32}


def write_manifest(out_dir, name, limits=TINY_LIMITS):
    files = []
    for root, _, names in os.walk(out_dir):
        for n in sorted(names):
            rel = os.path.relpath(os.path.join(root, n), out_dir)
            if rel == "manifest.json":
                continue
            files.append({"path": rel, "sha256": sha256(os.path.join(root, n)), "bytes": os.path.getsize(os.path.join(root, n))})
    files.sort(key=lambda f: f["path"])
    manifest = {"name": name, "pipeline": "stable-diffusion", "limits": limits, "files": files}
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(here, "..", "tiny-shapes"))
    parser.add_argument("--work", default=os.path.expanduser("~/.cache/aitbc/train-work"))
    parser.add_argument("--images", type=int, default=3000)
    parser.add_argument("--vae-steps", type=int, default=2500)
    parser.add_argument("--vae-extra-steps", type=int, default=0, help="continue training a cached VAE")
    parser.add_argument(
        "--kl-weight",
        type=float,
        default=1e-2,
        help="VAE KL weight: at 1e-4 flat green and black encode to nearly the same latent and the UNet "
        "cannot tell those backgrounds apart; 1e-2 spreads the palette at the same reconstruction error",
    )
    parser.add_argument(
        "--offset-noise",
        type=float,
        default=0.3,
        help="std of the per-channel constant added to the training noise, so backgrounds follow the caption",
    )
    parser.add_argument("--steps", type=int, default=2500)
    parser.add_argument("--resume", action="store_true", help="continue training the cached text encoder and UNet")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--export-only", action="store_true", help="export the cached checkpoints again")
    a = parser.parse_args()
    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    out = os.path.abspath(a.out)
    os.makedirs(a.work, exist_ok=True)

    vocab_size = write_tokenizer(os.path.join(out, "tokenizer"))
    tokenizer = load_tokenizer(os.path.join(out, "tokenizer"))
    eos_id = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    bos_id = tokenizer.convert_tokens_to_ids("<|startoftext|>")
    log(f"tokenizer: {vocab_size} tokens")

    vae_ckpt = os.path.join(a.work, "vae.pt")
    diff_ckpt = os.path.join(a.work, "diffusion.pt")
    vae = make_vae()
    text_encoder = make_text_encoder(vocab_size, eos_id, bos_id)
    unet = make_unet()
    if a.export_only:
        vae.load_state_dict(torch.load(vae_ckpt))
        state = torch.load(diff_ckpt)
        text_encoder.load_state_dict(state["text_encoder"])
        unet.load_state_dict(state["unet"])
        scaling = state["scaling_factor"]
    else:
        log(f"data set: {a.images} images of {IMAGE_SIZE}x{IMAGE_SIZE}")
        images, captions = make_dataset(a.images, a.seed)
        if os.path.exists(vae_ckpt):
            vae.load_state_dict(torch.load(vae_ckpt))
            log("vae: cached checkpoint")
            if a.vae_extra_steps:
                vae = train_vae(images, a.vae_extra_steps, 16, 64, a.seed + 1, a.kl_weight, vae=vae, lr=7e-4)
                torch.save(vae.state_dict(), vae_ckpt)
        else:
            vae = train_vae(images, a.vae_steps, 16, 64, a.seed, a.kl_weight)
            torch.save(vae.state_dict(), vae_ckpt)
        vae.eval()
        latents = encode_latents(vae, images)
        scaling = float(1.0 / latents.std())
        log(f"latents {tuple(latents.shape)} std {latents.std():.3f} -> scaling_factor {scaling:.5f}")
        latents = latents * scaling
        ids = tokenize(tokenizer, captions)
        empty_ids = tokenize(tokenizer, [""])[0]
        lr = 5e-4
        if a.resume and os.path.exists(diff_ckpt):
            state = torch.load(diff_ckpt)
            text_encoder.load_state_dict(state["text_encoder"])
            unet.load_state_dict(state["unet"])
            lr = 3e-4
            log("diffusion: resuming from the cached checkpoint")
        text_encoder, unet = train_diffusion(
            latents, ids, empty_ids, text_encoder, unet, a.steps, a.batch, a.seed + int(a.resume), lr, a.offset_noise
        )
        torch.save({"text_encoder": text_encoder.state_dict(), "unet": unet.state_dict(), "scaling_factor": scaling}, diff_ckpt)
    vae.eval()
    text_encoder.eval()
    unet.eval()

    log("exporting ONNX")
    with torch.no_grad():
        ids = torch.zeros((1, MAX_TOKENS), dtype=torch.int32)
        export(
            TextEncoderOnnx(text_encoder), (ids,), os.path.join(out, "text_encoder", "model.onnx"),
            ["input_ids"], ["last_hidden_state", "pooler_output"],
            {"input_ids": {0: "batch", 1: "sequence"}, "last_hidden_state": {0: "batch", 1: "sequence"}, "pooler_output": {0: "batch"}},
        )
        sample = torch.randn(2, 4, LATENT_SIZE, LATENT_SIZE)
        timestep = torch.tensor([500], dtype=torch.int64)
        hidden = torch.randn(2, MAX_TOKENS, 64)
        export(
            UnetOnnx(unet), (sample, timestep, hidden), os.path.join(out, "unet", "model.onnx"),
            ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
            {"sample": {0: "batch", 2: "height", 3: "width"}, "timestep": {0: "steps"}, "encoder_hidden_states": {0: "batch", 1: "sequence"}, "out_sample": {0: "batch", 2: "height", 3: "width"}},
        )
        latent = torch.randn(1, 4, LATENT_SIZE, LATENT_SIZE)
        export(
            VaeDecoderOnnx(vae), (latent,), os.path.join(out, "vae_decoder", "model.onnx"),
            ["latent_sample"], ["sample"],
            {"latent_sample": {0: "batch", 2: "height", 3: "width"}, "sample": {0: "batch", 2: "height", 3: "width"}},
        )

    with open(os.path.join(out, "text_encoder", "config.json"), "w") as f:
        json.dump({"hidden_size": 64, "max_position_embeddings": MAX_TOKENS, "vocab_size": vocab_size}, f, indent=2)
    with open(os.path.join(out, "unet", "config.json"), "w") as f:
        json.dump({"sample_size": LATENT_SIZE, "in_channels": 4, "out_channels": 4, "cross_attention_dim": 64}, f, indent=2)
    with open(os.path.join(out, "vae_decoder", "config.json"), "w") as f:
        json.dump({"latent_channels": 4, "block_out_channels": [16, 32, 32, 64], "scaling_factor": scaling, "sample_size": IMAGE_SIZE}, f, indent=2)
    write_scheduler_and_index(out)
    with open(os.path.join(out, "dataset.json"), "w") as f:
        json.dump(
            {"image_size": IMAGE_SIZE, "colours": ds.COLOURS, "shapes": ds.SHAPES, "caption": "a {colour} {shape} on a {colour} background"},
            f,
            indent=2,
        )
    write_manifest(out, "tiny-shapes")
    log(f"exported to {out}")


if __name__ == "__main__":
    main()
