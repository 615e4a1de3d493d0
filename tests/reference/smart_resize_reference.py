#!/usr/bin/env python3
"""Expected native-resolution sizes from HF transformers' smart_resize (the Qwen2-VL image processor's,
the same rule the VoRA reference's PILSmartResize applies with factor = patch size 14).

Run inside the toolbox with transformers 4.50.3:
  packaging/env /var/cache/vora-studio/venv-ref/bin/python3 tests/reference/smart_resize_reference.py

Writes tests/data/image/smart_resize.json: {"factor", "cases": [{"height", "width", "min_pixels",
"max_pixels", "resized": [h, w]} or {..., "error": "too_small" | "aspect" | "zero_side"}]}.
Python's round() rounds half to even, which is what the half-patch sizes (21, 35, ... px) test.
"""
import json
import os

from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

FACTOR = 14
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "image", "smart_resize.json")
# (min_pixels, max_pixels): VoRA's PILSmartResize defaults, a preprocessor_config.json-like pair, a tight one.
BOUNDS = [(56 * 56, 14 * 14 * 50 * 80), (1000, 200000), (14 * 14, 14 * 14 * 16)]


def case(height, width, low, high):
    entry = {"height": height, "width": width, "min_pixels": low, "max_pixels": high}
    if height < FACTOR or width < FACTOR:
        entry["error"] = "too_small"
        try:
            smart_resize(height, width, FACTOR, low, high)
            raise AssertionError("smart_resize accepted a side under the factor")
        except ValueError:
            return entry
    if max(height, width) / min(height, width) > 200:
        entry["error"] = "aspect"
        try:
            smart_resize(height, width, FACTOR, low, high)
            raise AssertionError("smart_resize accepted an aspect ratio over 200")
        except ValueError:
            return entry
    h, w = smart_resize(height, width, FACTOR, low, high)
    if h == 0 or w == 0:
        entry["error"] = "zero_side"  # transformers returns it; an image of no pixels must be refused
    else:
        entry["resized"] = [h, w]
    return entry


def main():
    sides = sorted(set([1, 5, 13, 14, 15, 20, 27, 28, 29] + [7 + 14 * k for k in range(1, 12)]
                       + [191, 384, 480, 640, 1000, 1920, 2800, 2801, 4000]))
    cases = []
    for low, high in BOUNDS:
        for height in sides:
            for width in (13, 14, 21, 35, 63, 191, 1000, 2800, 2801, 4000):
                cases.append(case(height, width, low, high))
    with open(OUT, "w") as f:
        json.dump({"factor": FACTOR, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    kinds = {}
    for c in cases:
        kinds[c.get("error", "resized")] = kinds.get(c.get("error", "resized"), 0) + 1
    ties = sum(1 for c in cases if "resized" in c and any((v / FACTOR) % 1 == 0.5 for v in (c["height"], c["width"])))
    print(f"{len(cases)} cases -> {OUT}: {kinds}; {ties} with a side half-way between patch multiples")


if __name__ == "__main__":
    main()
