#!/usr/bin/env python3
"""Measures how far LibTorch's interpolate(bicubic, antialias=True) lands from PIL's BICUBIC resize
on the padded images of the parity fixture (why vora_core resamples with its own PIL-exact code).
  packaging/env /var/cache/vora-studio/venv-image/bin/python tests/reference/torch_interpolate_vs_pil.py"""
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from image_reference import SKIMAGE, expand_to_square, synthetic  # noqa: E402

CASES = {
    "astronaut 200 (upscale)": lambda: Image.open(f"{SKIMAGE}/astronaut.png").convert("RGB").resize((200, 200), Image.LANCZOS),
    "chelsea 451x300 (pad+upscale)": lambda: Image.open(f"{SKIMAGE}/chelsea.png").convert("RGB"),
    "coffee 600x400 (pad+downscale)": lambda: Image.open(f"{SKIMAGE}/coffee.png").convert("RGB"),
    "synthetic 4000x3000 (downscale)": lambda: synthetic(4000, 3000),
    "synthetic 13x7 (big upscale)": lambda: synthetic(13, 7),
}

for name, make in CASES.items():
    square = expand_to_square(make())
    pil = np.asarray(square.resize((448, 448), Image.BICUBIC)).astype(np.int16)
    chw = torch.from_numpy(np.asarray(square).copy()).permute(2, 0, 1)[None]
    as_float = torch.nn.functional.interpolate(chw.float(), size=(448, 448), mode="bicubic", antialias=True,
                                               align_corners=False)
    f8 = as_float.round().clamp(0, 255).to(torch.int16)[0].permute(1, 2, 0).numpy()
    u8 = torch.nn.functional.interpolate(chw, size=(448, 448), mode="bicubic", antialias=True,
                                         align_corners=False)[0].permute(1, 2, 0).numpy().astype(np.int16)
    for label, got in (("float32", f8), ("uint8", u8)):
        d = np.abs(got - pil)
        print(f"{name:34s} torch {label:7s}: max {d.max():3d} levels, mean {d.mean():.4f}, "
              f"{(d > 0).mean() * 100:5.2f}% of samples differ, {(d > 1).mean() * 100:5.2f}% by >1")
