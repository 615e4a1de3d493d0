"""Held-out scenes drawn by independent code: ImageMagick's rasteriser and its own layout sampler
(shapes in distinct cells of a 2x2 or 3x3 grid, axis-aligned squares, triangles of varying height,
named ImageMagick background colours), so that a model's accuracy here is not a property of the
generator's PIL drawing. Only the question phrasings (questions.py) and the colour centres (spec.py)
are shared with the generator. Needs `magick` (ImageMagick 7) or `convert` (6) on PATH."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import questions, spec

BACKGROUNDS = ("white", "snow", "ivory", "whitesmoke", "gainsboro", "lightgray", "beige", "linen", "oldlace")
COLOUR_JITTER = 30   # inside the generator's +-40
DIGIT_HEIGHT_EM = 0.729  # DejaVu's digit height per em (pointsize = pixels per em at 72 dpi)
DIGIT_ADVANCE_EM = 0.70  # at least the widest DejaVu digit advance (Sans Bold 0.696 em)


def _magick():
    for tool in ("magick", "convert"):
        if shutil.which(tool):
            return tool
    raise RuntimeError("the held-out renderer needs ImageMagick (`magick` or `convert`) on PATH")


def _rgb(values):
    return "rgb({},{},{})".format(*values)


def _shape_layout(rng):
    """[(kind, colour, rgb, cx, cy, size)] in fractions of the side."""
    grid = int(rng.choice([2, 3]))
    cell = 1.0 / grid
    count = int(rng.integers(1, min(spec.MAX_SHAPES, grid * grid) + 1))
    cells = rng.choice(grid * grid, size=count, replace=False)
    names = list(spec.COLOURS)
    shapes = []
    for c in cells:
        row, column = divmod(int(c), grid)
        size = float(rng.uniform(spec.SHAPE_SIZE[0], min(spec.SHAPE_SIZE[1], cell - 0.04)))
        cx = column * cell + float(rng.uniform(0.02 + size / 2, cell - 0.02 - size / 2))
        cy = row * cell + float(rng.uniform(0.02 + size / 2, cell - 0.02 - size / 2))
        kind = spec.SHAPES[rng.integers(len(spec.SHAPES))]
        colour = names[rng.integers(len(names))]
        rgb = np.clip(np.asarray(spec.COLOURS[colour]) + rng.integers(-COLOUR_JITTER, COLOUR_JITTER + 1, 3), 0, 255)
        shapes.append((kind, colour, tuple(int(v) for v in rgb), cx, cy, size))
    return shapes


def _shape_commands(rng, shapes, side):
    args = []
    for kind, _, rgb, cx, cy, size in shapes:
        x, y, half = cx * side, cy * side, size * side / 2
        if kind == "circle":
            primitive = f"circle {x:.2f},{y:.2f} {x + half:.2f},{y:.2f}"
        elif kind == "square":
            primitive = f"rectangle {x - half:.2f},{y - half:.2f} {x + half:.2f},{y + half:.2f}"
        else:
            height = 2 * half * float(rng.uniform(0.8, 0.95))
            primitive = (f"polygon {x:.2f},{y - height / 2:.2f} {x + half:.2f},{y + height / 2:.2f} "
                         f"{x - half:.2f},{y + height / 2:.2f}")
        args += ["-fill", _rgb(rgb), "-draw", primitive]
    return args


def _number_commands(rng, side, fonts_dir):
    value = int(rng.integers(0, 10 ** int(rng.integers(1, 5))))
    text = str(value)
    font = os.path.join(fonts_dir, list(spec.FONT_FILES.values())[rng.integers(len(spec.FONT_FILES))])
    if not os.path.isfile(font):
        raise RuntimeError(f"{font}: font file missing (pass --fonts-dir)")
    room = 0.92
    top = min(spec.GLYPH_HEIGHT[1], room * DIGIT_HEIGHT_EM / (DIGIT_ADVANCE_EM * len(text)))
    height = float(rng.uniform(spec.GLYPH_HEIGHT[0], top))
    em = height / DIGIT_HEIGHT_EM
    width = em * DIGIT_ADVANCE_EM * len(text)
    x = float(rng.uniform(0.03, 0.97 - width))
    baseline = float(rng.uniform(0.03 + height, 0.97))
    ink = tuple(int(v) for v in rng.integers(0, spec.INK_MAX + 1, 3))
    args = ["-font", font, "-pointsize", f"{em * side:.2f}", "-fill", _rgb(ink),
            "-annotate", f"+{x * side:.2f}+{baseline * side:.2f}", text]
    return value, args


def _draw(task):
    tool, out_dir, frame, side, commands = task
    path = os.path.join(out_dir, frame)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    kind = "PPM" if frame.endswith(".ppm") else "PNG"
    subprocess.run([tool, *commands, "-depth", "8", f"{kind}:{path}"], check=True)
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def build(seed, count, side, number_share, image_format, fonts_dir):
    """[(frame, magick arguments, questions)] for every picture."""
    plans = []
    for index in range(count):
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x4E1D, index]))
        commands = ["-size", f"{side}x{side}", f"xc:{BACKGROUNDS[rng.integers(len(BACKGROUNDS))]}"]
        if rng.random() < number_share:
            value, drawn = _number_commands(rng, side, fonts_dir)
            asked = questions.number_questions(value, rng, 0.0)
        else:
            shapes = _shape_layout(rng)
            drawn = _shape_commands(rng, shapes, side)
            facts = [questions.ShapeFact(kind, colour, cx, cy) for kind, colour, _, cx, cy, _ in shapes]
            asked = questions.shape_questions(facts, rng, 0.0)
        plans.append((f"images/heldout/heldout-{index:06d}.{image_format}", commands + drawn, asked))
    return plans


def main(args) -> int:
    try:
        tool = _magick()
        plans = build(args.seed, args.count, args.size, args.number_share, args.format, args.fonts_dir)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()
    with ThreadPoolExecutor(max(1, args.workers)) as pool:
        digests = list(pool.map(_draw, [(tool, args.out, frame, args.size, cmds) for frame, cmds, _ in plans]))
    types = Counter()
    with open(os.path.join(args.out, "heldout.jsonl"), "w", encoding="utf-8") as f:
        for index, (frame, _, asked) in enumerate(plans):
            for n, (qtype, question, answer) in enumerate(asked):
                types[qtype] += 1
                f.write(json.dumps({"id": f"heldout-{index:06d}-q{n}", "frames": [frame], "conversations": [
                    {"from": "human", "value": "<image>" + question}, {"from": "gpt", "value": answer}]}) + "\n")
    images = hashlib.sha256("".join(f"{p[0]} {d}\n" for p, d in zip(plans, digests)).encode()).hexdigest()
    manifest = {"generator": "training.synth heldout (ImageMagick)", "seed": args.seed, "images": len(plans),
                "size": args.size, "format": args.format, "questions": {t: types.get(t, 0) for t in questions.QUESTION_TYPES},
                "images_sha256": images}
    with open(os.path.join(args.out, "heldout-manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    seconds = time.monotonic() - started
    print(f"{len(plans)} held-out images in {seconds:.1f} s -> {args.out}", file=sys.stderr)
    return 0
