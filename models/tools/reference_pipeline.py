#!/usr/bin/env python3
"""Python reference for the Rust pipeline's benchmark: the same ONNX files, the same schedule
(DDIM, "leading" spacing from scheduler_config.json), classifier-free guidance as one batch-2 UNet
call, VAE decode, PNG encode, on the `onnxruntime` package. Prints one JSON line of timings.

Needs only onnxruntime, numpy, tokenizers and pillow (scripts/bench-worker.sh makes that venv).
"""
import argparse
import json
import os
import resource
import statistics
import time

import numpy as np
import onnxruntime as ort
from PIL import Image
from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors


def clip_tokenizer(folder, length):
    bpe = models.BPE.from_file(
        os.path.join(folder, "vocab.json"), os.path.join(folder, "merges.txt"),
        end_of_word_suffix="</w>", unk_token="<|endoftext|>",
    )
    tok = Tokenizer(bpe)
    tok.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"), behavior="removed", invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    bos, eos = tok.token_to_id("<|startoftext|>"), tok.token_to_id("<|endoftext|>")
    tok.post_processor = processors.RobertaProcessing(("<|endoftext|>", eos), ("<|startoftext|>", bos), trim_offsets=False, add_prefix_space=False)
    tok.enable_truncation(length)
    tok.enable_padding(length=length, pad_id=eos, pad_token="<|endoftext|>")
    return tok


NP_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(int64)": np.int64, "tensor(int32)": np.int32}


class Reference:
    def __init__(self, model, threads):
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            opts.intra_op_num_threads = threads
        session = lambda name: ort.InferenceSession(os.path.join(model, name, "model.onnx"), opts, providers=["CPUExecutionProvider"])
        self.text_encoder, self.unet, self.vae = session("text_encoder"), session("unet"), session("vae_decoder")
        self.tokenizer = clip_tokenizer(os.path.join(model, "tokenizer"), 77)
        self.types = {i.name: NP_TYPES[i.type] for s in (self.text_encoder, self.unet, self.vae) for i in s.get_inputs()}
        with open(os.path.join(model, "scheduler", "scheduler_config.json")) as f:
            self.sched = json.load(f)
        with open(os.path.join(model, "vae_decoder", "config.json")) as f:
            vae = json.load(f)
        self.scaling = vae.get("scaling_factor", 0.18215)
        self.factor = 2 ** (len(vae.get("block_out_channels", [0] * 4)) - 1)
        n, b0, b1 = self.sched["num_train_timesteps"], self.sched["beta_start"], self.sched["beta_end"]
        betas = np.linspace(b0 ** 0.5, b1 ** 0.5, n, dtype=np.float64) ** 2
        self.alphas_cumprod = np.cumprod(1.0 - betas)

    def generate(self, prompt, steps, guidance, width, height, seed, noise=None, png_out=None):
        timings = {"step_ms": []}
        t_all = time.perf_counter()
        t0 = time.perf_counter()
        ids = np.array([e.ids for e in self.tokenizer.encode_batch(["", prompt])], dtype=self.types["input_ids"])
        hidden = self.text_encoder.run(None, {"input_ids": ids})[0]
        timings["text_encoder_ms"] = (time.perf_counter() - t0) * 1000
        n = self.sched["num_train_timesteps"]
        ratio = n // steps
        timesteps = [i * ratio + self.sched.get("steps_offset", 0) for i in reversed(range(steps))]
        final = 1.0 if self.sched.get("set_alpha_to_one") else self.alphas_cumprod[0]
        shape = (1, 4, height // self.factor, width // self.factor)
        if noise is None:
            noise = np.random.default_rng(seed).standard_normal(shape)
        latents = np.asarray(noise, dtype=np.float32).reshape(shape)
        for t in timesteps:
            t0 = time.perf_counter()
            sample = np.concatenate([latents, latents]).astype(self.types["sample"])
            timestep = np.array([t], dtype=self.types["timestep"])
            noise = self.unet.run(None, {"sample": sample, "timestep": timestep, "encoder_hidden_states": hidden.astype(self.types["encoder_hidden_states"])})[0].astype(np.float32)
            eps = noise[0:1] + guidance * (noise[1:2] - noise[0:1])
            a = self.alphas_cumprod[t]
            a_prev = self.alphas_cumprod[t - ratio] if t - ratio >= 0 else final
            x0 = (latents - np.sqrt(1 - a) * eps) / np.sqrt(a)
            latents = (np.sqrt(a_prev) * x0 + np.sqrt(1 - a_prev) * eps).astype(np.float32)
            timings["step_ms"].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        image = self.vae.run(None, {"latent_sample": (latents / self.scaling).astype(self.types["latent_sample"])})[0]
        timings["vae_decoder_ms"] = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        rgb = (np.clip(image[0].astype(np.float32) / 2 + 0.5, 0, 1) * 255).round().astype(np.uint8).transpose(1, 2, 0)
        Image.fromarray(rgb).save(png_out or "/dev/null", format="PNG")
        timings["png_ms"] = (time.perf_counter() - t0) * 1000
        timings["total_ms"] = (time.perf_counter() - t_all) * 1000
        return timings


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", required=True)
    p.add_argument("--prompt", default="a red circle on a blue background")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--guidance", type=float, default=7.5)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--height", type=int, default=256)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    ref = Reference(a.model, a.threads)
    for i in range(a.warmup):
        ref.generate(a.prompt, a.steps, a.guidance, a.width, a.height, i)
    runs = [ref.generate(a.prompt, a.steps, a.guidance, a.width, a.height, 100 + i) for i in range(a.runs)]
    print(json.dumps({
        "impl": "python-onnxruntime " + ort.__version__,
        "runs": a.runs,
        "step_ms_median": statistics.median(s for r in runs for s in r["step_ms"]),
        "text_encoder_ms_median": statistics.median(r["text_encoder_ms"] for r in runs),
        "vae_decoder_ms_median": statistics.median(r["vae_decoder_ms"] for r in runs),
        "png_ms_median": statistics.median(r["png_ms"] for r in runs),
        "steps_sum_ms_median": statistics.median(sum(r["step_ms"]) for r in runs),
        "total_ms_median": statistics.median(r["total_ms"] for r in runs),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
