#!/usr/bin/env python3
"""Write gpu-worker/tests/fixtures/io-variant-model: a few-kilobyte model folder in the SD ONNX
layout whose graphs are trivial but whose *interface* differs from the embedded model the way real
exports differ: float16 inputs and outputs everywhere, int32 token ids with a fixed batch of 1 (so
the text encoder is called once per prompt), and a rank-0 float32 timestep. The Rust pipeline must
read all of that from the model (tests/pipeline.rs runs it). Needs only `onnx`."""
import json
import os
import shutil
import sys

import onnx
from onnx import TensorProto, helper

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "..", "gpu-worker", "tests", "fixtures", "io-variant-model")
tiny = os.path.join(here, "..", "tiny-shapes")
F16, F32 = TensorProto.FLOAT16, TensorProto.FLOAT
HIDDEN = 8


def save(graph, name):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="aitbc-io-fixture")
    model.ir_version = 8
    onnx.checker.check_model(model)
    os.makedirs(os.path.join(out, name), exist_ok=True)
    onnx.save(model, os.path.join(out, name, "model.onnx"))


def const(name, dtype, dims, values):
    return helper.make_node("Constant", [], [name], value=helper.make_tensor(name + "_v", dtype, dims, values))


# text encoder: int32 ids [1, 77] -> f16 hidden [1, 77, 8] (ids scaled, repeated over the hidden dim)
save(
    helper.make_graph(
        [
            helper.make_node("Cast", ["input_ids"], ["ids_f"], to=F32),
            const("scale", F32, [], [0.001]),
            helper.make_node("Mul", ["ids_f", "scale"], ["ids_s"]),
            const("axes", TensorProto.INT64, [1], [2]),
            helper.make_node("Unsqueeze", ["ids_s", "axes"], ["ids_u"]),
            const("shape", TensorProto.INT64, [3], [1, 77, HIDDEN]),
            helper.make_node("Expand", ["ids_u", "shape"], ["hidden_f"]),
            helper.make_node("Cast", ["hidden_f"], ["last_hidden_state"], to=F16),
        ],
        "text_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT32, [1, 77])],
        [helper.make_tensor_value_info("last_hidden_state", F16, [1, 77, HIDDEN])],
    ),
    "text_encoder",
)

# unet: f16 sample, rank-0 f32 timestep, f16 hidden -> f16 noise = 0.1 * sample + 0 * (t + mean(hidden))
save(
    helper.make_graph(
        [
            helper.make_node("Cast", ["sample"], ["x"], to=F32),
            const("k", F32, [], [0.1]),
            helper.make_node("Mul", ["x", "k"], ["eps"]),
            helper.make_node("Cast", ["encoder_hidden_states"], ["h"], to=F32),
            helper.make_node("ReduceMean", ["h"], ["hm"], keepdims=0),
            helper.make_node("Add", ["hm", "timestep"], ["cond"]),
            const("zero", F32, [], [0.0]),
            helper.make_node("Mul", ["cond", "zero"], ["nothing"]),
            helper.make_node("Add", ["eps", "nothing"], ["eps2"]),
            helper.make_node("Cast", ["eps2"], ["out_sample"], to=F16),
        ],
        "unet",
        [
            helper.make_tensor_value_info("sample", F16, ["batch", 4, "h", "w"]),
            helper.make_tensor_value_info("timestep", F32, []),
            helper.make_tensor_value_info("encoder_hidden_states", F16, ["batch", 77, HIDDEN]),
        ],
        [helper.make_tensor_value_info("out_sample", F16, ["batch", 4, "h", "w"])],
    ),
    "unet",
)

# vae decoder: f16 latents [1, 4, h, w] -> f16 image [1, 3, 8h, 8w] (nearest upsampling, 3 channels, tanh)
save(
    helper.make_graph(
        [
            helper.make_node("Cast", ["latent_sample"], ["z"], to=F32),
            const("scales", F32, [4], [1.0, 1.0, 8.0, 8.0]),
            helper.make_node("Resize", ["z", "", "scales"], ["up"], mode="nearest"),
            const("starts", TensorProto.INT64, [1], [0]),
            const("ends", TensorProto.INT64, [1], [3]),
            const("axes1", TensorProto.INT64, [1], [1]),
            helper.make_node("Slice", ["up", "starts", "ends", "axes1"], ["rgb"]),
            helper.make_node("Tanh", ["rgb"], ["img"]),
            helper.make_node("Cast", ["img"], ["sample"], to=F16),
        ],
        "vae_decoder",
        [helper.make_tensor_value_info("latent_sample", F16, [1, 4, "h", "w"])],
        [helper.make_tensor_value_info("sample", F16, [1, 3, "H", "W"])],
    ),
    "vae_decoder",
)

for rel in ["tokenizer/vocab.json", "tokenizer/merges.txt", "scheduler/scheduler_config.json", "model_index.json"]:
    os.makedirs(os.path.dirname(os.path.join(out, rel)), exist_ok=True)
    shutil.copy(os.path.join(tiny, rel), os.path.join(out, rel))
with open(os.path.join(out, "vae_decoder", "config.json"), "w") as f:
    json.dump({"latent_channels": 4, "block_out_channels": [1, 1, 1, 1], "scaling_factor": 1.0}, f)

sys.path.insert(0, here)
from train_tiny_shapes import write_manifest  # noqa: E402

write_manifest(out, "io-variant")
print("wrote", os.path.relpath(out))
