"""Procedural captioned images for the embedded default model: one coloured shape on a coloured
background, captioned "a <colour> <shape> on a <colour> background".

The palette and the vocabulary live here once; the training script, the Python reference pipeline
and (through `models/tiny-shapes/dataset.json`) the Rust tests all read them from this module.
"""
import random

from PIL import Image, ImageDraw

# sRGB values of the palette; chosen far apart so a pixel's nearest palette colour is unambiguous.
COLOURS = {
    "red": (220, 30, 30),
    "green": (30, 170, 60),
    "blue": (40, 70, 220),
    "yellow": (240, 210, 40),
    "white": (245, 245, 245),
    "black": (15, 15, 15),
}
SHAPES = ["circle", "square", "triangle"]
WORDS = ["a", "on", "background"] + list(COLOURS) + SHAPES


def caption(shape: str, fg: str, bg: str) -> str:
    return f"a {fg} {shape} on a {bg} background"


def all_captions():
    return [
        (shape, fg, bg)
        for shape in SHAPES
        for fg in COLOURS
        for bg in COLOURS
        if fg != bg
    ]


def jitter(rgb, rng: random.Random, amount: int = 12):
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in rgb)


def draw(shape: str, fg: str, bg: str, size: int, rng: random.Random) -> Image.Image:
    """One image: the shape covers roughly 6-25 % of the picture, anywhere inside it."""
    image = Image.new("RGB", (size, size), jitter(COLOURS[bg], rng))
    pen = ImageDraw.Draw(image)
    half = rng.uniform(0.16, 0.30) * size
    cx = rng.uniform(half + 2, size - half - 2)
    cy = rng.uniform(half + 2, size - half - 2)
    colour = jitter(COLOURS[fg], rng)
    if shape == "circle":
        pen.ellipse([cx - half, cy - half, cx + half, cy + half], fill=colour)
    elif shape == "square":
        pen.rectangle([cx - half, cy - half, cx + half, cy + half], fill=colour)
    else:
        pen.polygon([(cx, cy - half), (cx - half, cy + half), (cx + half, cy + half)], fill=colour)
    return image


def sample(size: int, rng: random.Random):
    shape, fg, bg = rng.choice(all_captions())
    return draw(shape, fg, bg, size, rng), caption(shape, fg, bg)
