#!/usr/bin/env python3
"""Binary PPM/PGM files and PIL's decoding of them, for tests/core/test_netpbm_decoder.cpp.

  packaging/env python3 tests/reference/netpbm_reference.py

Writes tests/data/image/netpbm/: files written by PIL, by hand (comments, CR LF, tabs, trailing bytes)
and by the synthetic-data generator, and manifest.json with each file's Image.open(f).convert("RGB")
bytes as hex. Every file is decoded back with PIL here, so the expected bytes are PIL's, not ours.
"""
import json
import os
import sys

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "tests", "data", "image", "netpbm")
sys.path.insert(0, ROOT)


def by_hand(header: bytes, raster: np.ndarray, trailing: bytes = b"") -> bytes:
    return header + raster.astype(np.uint8).tobytes() + trailing


def cases():
    rng = np.random.default_rng(11)
    rgb = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    grey = rng.integers(0, 256, (6, 3), dtype=np.uint8)
    files = {}

    def pil_written(name, array, mode):
        path = os.path.join(OUT, name)
        Image.fromarray(array, mode).save(path)
        files[name] = path

    def hand_written(name, data):
        path = os.path.join(OUT, name)
        with open(path, "wb") as f:
            f.write(data)
        files[name] = path

    pil_written("rgb_7x5.ppm", rgb, "RGB")
    pil_written("grey_3x6.pgm", grey, "L")
    pil_written("one_pixel.ppm", rgb[:1, :1], "RGB")
    hand_written("comments.ppm", by_hand(b"P6 # written by hand\n# another comment\n7\t5\r\n255\n", rgb))
    hand_written("crlf_tabs.pgm", by_hand(b"P5\r\n3\t\t6\r\n255\t", grey))
    hand_written("trailing_bytes.ppm", by_hand(b"P6\n7 5\n255\n", rgb, b"extra bytes PIL ignores"))
    # The byte after maxval is the one separator: a raster starting with a whitespace value stays data.
    white_start = rgb.copy()
    white_start[0, 0] = (10, 32, 13)
    hand_written("raster_starts_with_whitespace.ppm", by_hand(b"P6\n7 5\n255\n", white_start))

    from training.synth import render, scenes
    scene = scenes.sample_shape_scene(np.random.default_rng(3), 48)
    path = os.path.join(OUT, "synthetic_scene_48.ppm")
    with open(path, "wb") as f:
        f.write(render.encode_image(render.render_shapes(scene, 48), "ppm"))
    files["synthetic_scene_48.ppm"] = path
    return files


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {}
    for name, path in sorted(cases().items()):
        with Image.open(path) as image:
            decoded = image.convert("RGB")
        manifest[name] = {"width": decoded.width, "height": decoded.height, "pil_mode": image.mode,
                          "rgb_hex": decoded.tobytes().hex()}
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(manifest)} netpbm files -> {OUT}")


if __name__ == "__main__":
    main()
