#!/usr/bin/env python3
"""Expected outputs for VoRA image preprocessing, from PIL and HF transformers' CLIPImageProcessor.

Run inside the toolbox with transformers 4.50.3 (see PREAMBLE / ENVIRONMENT.md):
  packaging/env /var/cache/vora-studio/venv-image/bin/python tests/reference/image_reference.py

Writes tests/data/image/:
  sources/*.png|jpg         inputs (real photos from python3-skimage, downscaled or cropped to stay small)
  expected/<case>.png       HF pixel_values quantised back to uint8 (exact: one level is 1/255 before
                            normalisation, the reconstruction error is printed and stored)
  decode/*                  small files in many modes, with PIL's convert("RGB") bytes in the manifest
  manifest.json             everything the C++ tests need
Synthetic images are not stored: both sides draw them from synthetic_pixel() below.
"""
import hashlib
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image
from transformers import CLIPImageProcessor

SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "image")
MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
SIZE = 448


def synthetic(w, h):
    """Gradients plus an 8x8 checkerboard (sharp edges exercise the filter's negative lobes)."""
    x = np.arange(w, dtype=np.int64)[None, :]
    y = np.arange(h, dtype=np.int64)[:, None]
    r = (x * 255) // max(w - 1, 1) + 0 * y
    g = (y * 255) // max(h - 1, 1) + 0 * x
    b = 30 + ((x // (w // 8 + 1) + y // (h // 8 + 1)) % 2) * 200
    return Image.fromarray(np.stack([r, g, b], axis=-1).astype(np.uint8), "RGB")


def expand_to_square(img):
    w, h = img.size
    if w == h:
        return img
    side = max(w, h)
    canvas = Image.new(img.mode, (side, side), (0, 0, 0))
    canvas.paste(img, ((side - w) // 2, (side - h) // 2))
    return canvas


def processor():
    return CLIPImageProcessor(size={"shortest_edge": SIZE}, crop_size={"height": SIZE, "width": SIZE},
                              do_center_crop=True, resample=Image.BICUBIC, do_convert_rgb=True,
                              image_mean=list(MEAN), image_std=list(STD), rescale_factor=1 / 255)


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def fnv_np(a: np.ndarray) -> str:
    # Vectorised FNV is awkward; hashes of big buffers are only used for small decode checks.
    return fnv1a64(a.tobytes())


def hf_expected(img):
    pv = processor()(images=expand_to_square(img.convert("RGB")), return_tensors="np",
                     input_data_format="channels_last")["pixel_values"][0]
    mean = np.array(MEAN, dtype=np.float32)[:, None, None]
    std = np.array(STD, dtype=np.float32)[:, None, None]
    u8 = np.rint((pv.astype(np.float64) * std + mean) * 255).clip(0, 255).astype(np.uint8)
    # Rebuild HF's floats from the bytes exactly as HF computes them and check nothing was lost.
    rebuilt = ((u8.astype(np.float64) * (1 / 255)).astype(np.float32) - mean) / std
    return u8.transpose(1, 2, 0), float(np.abs(rebuilt - pv).max())


def save_png(path, array_or_image):
    img = array_or_image if isinstance(array_or_image, Image.Image) else Image.fromarray(array_or_image)
    img.save(path, optimize=True)


def photo_sources():
    """(case, stored file, PIL image as the reference reads it)."""
    os.makedirs(f"{OUT}/sources", exist_ok=True)
    out = []
    astronaut = Image.open(f"{SKIMAGE}/astronaut.png").convert("RGB").resize((200, 200), Image.LANCZOS)
    out.append(("astronaut_200", "sources/astronaut_200.png", astronaut))
    chelsea = Image.open(f"{SKIMAGE}/chelsea.png").crop((60, 20, 380, 240))
    out.append(("chelsea_crop_320x220", "sources/chelsea_320x220.png", chelsea))
    out.append(("camera_grey_512", "sources/camera.png", Image.open(f"{SKIMAGE}/camera.png")))
    out.append(("page_grey_384x191", "sources/page.png", Image.open(f"{SKIMAGE}/page.png")))
    logo = Image.open(f"{SKIMAGE}/logo.png").resize((250, 250), Image.LANCZOS)
    out.append(("logo_rgba_250", "sources/logo_rgba_250.png", logo))
    out.append(("green_palette_320x240", "sources/green_palette.png", Image.open(f"{SKIMAGE}/green_palette.png")))
    for case, rel, img in out:
        save_png(f"{OUT}/{rel}", img)
    # The JPEG is stored as it is: the C++ side decodes it and must match PIL's decoding.
    with open(f"{SKIMAGE}/rocket.jpg", "rb") as f:
        data = f.read()
    with open(f"{OUT}/sources/rocket.jpg", "wb") as f:
        f.write(data)
    out.append(("rocket_jpeg_640x427", "sources/rocket.jpg", Image.open(f"{OUT}/sources/rocket.jpg")))
    return out


SYNTHETIC = [(1, 1), (13, 7), (2000, 50), (50, 2000), (448, 448), (449, 449), (447, 300), (4000, 3000), (897, 1)]


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png16(path, a):
    """PIL cannot write 16-bit colour PNGs: a minimal encoder (colour types 0, 4, 2, 6)."""
    a = a if a.ndim == 3 else a[..., None]
    h, w, c = a.shape
    raw = b"".join(b"\x00" + a[y].astype(">u2").tobytes() for y in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 16, {1: 0, 2: 4, 3: 2, 4: 6}[c], 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


def decode_cases():
    """Small files in many modes; expected = PIL Image.open(f).convert('RGB')."""
    os.makedirs(f"{OUT}/decode", exist_ok=True)
    rng = np.random.default_rng(7)
    rgba = rng.integers(0, 256, (5, 7, 4), dtype=np.uint8)
    rgba[0, :, 3] = 0  # fully transparent row: PIL keeps its colour
    cases = {}

    def add(name, writer):
        path = f"{OUT}/decode/{name}"
        writer(path)
        cases[name] = path

    add("rgba.png", lambda p: Image.fromarray(rgba, "RGBA").save(p))
    add("grey.png", lambda p: Image.fromarray(rgba[..., 0], "L").save(p))
    add("grey_alpha.png", lambda p: Image.fromarray(rgba[..., :2], "LA").save(p))
    add("bilevel.png", lambda p: Image.fromarray(rgba[..., 0] > 127).save(p))
    pal = Image.fromarray(rgba[..., :3], "RGB").quantize(6)
    pal.info["transparency"] = 2
    add("palette_trns.png", lambda p: pal.save(p, transparency=2))
    wide = rng.integers(0, 65536, (3, 4, 3), dtype=np.uint16)
    wide[0, 0] = (0, 255, 256)
    add("rgb16.png", lambda p: write_png16(p, wide))
    add("rgba16.png", lambda p: write_png16(p, np.concatenate([wide, wide[..., :1]], axis=-1)))
    grey16 = np.array([[0, 1, 255, 256, 1000, 65535]], dtype=np.uint16)
    add("grey16.png", lambda p: write_png16(p, grey16))
    add("grey_alpha16.png", lambda p: write_png16(p, np.stack([grey16, grey16[:, ::-1]], axis=-1)))
    add("grey16.tif", lambda p: Image.fromarray(grey16).save(p))
    add("rgb.bmp", lambda p: Image.fromarray(rgba[..., :3], "RGB").save(p))
    add("rgb.tif", lambda p: Image.fromarray(rgba[..., :3], "RGB").save(p))
    add("rgb_lossless.webp", lambda p: Image.fromarray(rgba[..., :3], "RGB").save(p, lossless=True))
    add("rgba_lossless.webp", lambda p: Image.fromarray(rgba, "RGBA").save(p, lossless=True))
    smooth = synthetic(64, 48)
    add("grey.jpg", lambda p: smooth.convert("L").save(p, quality=90))
    add("rgb.jpg", lambda p: smooth.save(p, quality=90))
    add("cmyk.jpg", lambda p: smooth.convert("CMYK").save(p, quality=95))
    out = {}
    for name, path in cases.items():
        rgb = np.asarray(Image.open(path).convert("RGB"))
        out[name] = {"width": rgb.shape[1], "height": rgb.shape[0], "rgb": rgb.reshape(-1).tolist(),
                     "pil_mode": Image.open(path).mode}
    return out


def exif_case():
    """A 6x4 JPEG tagged orientation 6 (display rotated 90 degrees clockwise)."""
    img = synthetic(60, 40)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = f"{OUT}/decode/exif_rotate90.jpg"
    img.save(path, quality=95, exif=exif.tobytes())
    upright = np.asarray(Image.open(path).convert("RGB")).copy()
    from PIL import ImageOps
    shown = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
    return {"file": "decode/exif_rotate90.jpg", "stored_width": upright.shape[1], "stored_height": upright.shape[0],
            "shown_width": shown.shape[1], "shown_height": shown.shape[0],
            "shown_rgb_fnv1a64": fnv_np(shown), "stored_rgb_fnv1a64": fnv_np(upright)}


def main():
    os.makedirs(f"{OUT}/expected", exist_ok=True)
    manifest = {"mean": MEAN, "std": STD, "image_size": SIZE, "cases": []}
    worst = 0.0
    inputs = [(case, {"file": rel}, img) for case, rel, img in photo_sources()]
    inputs += [(f"synthetic_{w}x{h}", {"synthetic": [w, h]}, synthetic(w, h)) for w, h in SYNTHETIC]
    for case, source, img in inputs:
        expected, rebuild_error = hf_expected(img)
        worst = max(worst, rebuild_error)
        save_png(f"{OUT}/expected/{case}.png", expected)
        rgb = np.asarray(img.convert("RGB"))
        manifest["cases"].append({"name": case, **source, "width": img.size[0], "height": img.size[1],
                                  "pil_mode": img.mode, "source_rgb_fnv1a64": fnv_np(rgb) if "file" in source else None,
                                  "expected": f"expected/{case}.png", "rebuild_max_abs_error": rebuild_error})
        print(f"{case:28s} {img.mode:4s} {img.size} rebuild error {rebuild_error:.3g}")
    manifest["decode"] = decode_cases()
    manifest["exif"] = exif_case()
    with open(f"{OUT}/manifest.json", "w") as f:
        json.dump(manifest, f, separators=(",", ":"))
    print("max HF-float reconstruction error", worst)


if __name__ == "__main__":
    main()
