"""One picture and its conversations, as a pure function of (seed, split, index): the picture is
sampled, drawn and saved, and its caption and questions made. Workers call make_item in any order;
the result does not depend on which worker or when."""
import hashlib
import os
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import numpy as np

from . import questions, render, scenes

SPLIT_IDS = {"train": 0, "val": 1, "test": 2}


@dataclass(frozen=True)
class ItemOptions:
    seed: int
    sizes: Tuple[int, ...]            # output side; the first is the default
    other_size_share: float           # share drawn at one of sizes[1:]
    number_share: float
    image_format: str                 # png | ppm
    questions_per_image: int          # 0 = all
    paraphrase_share: float
    question_types: Tuple[str, ...] = ()  # the types asked (questions.py); () = the six standard ones


@dataclass
class Item:
    index: int
    frame: str                        # relative to the output folder
    kind: str                         # shapes | number
    side: int
    sha256: str                       # of the image file's bytes
    caption: questions.QA
    asked: List[questions.QA] = field(default_factory=list)  # fine-tuning questions


_fonts: Optional[render.FontBook] = None


def init_worker(fonts_dir: str) -> None:
    global _fonts
    _fonts = render.FontBook(fonts_dir)


def item_rng(seed: int, split: str, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, SPLIT_IDS[split], index]))


def frame_path(split: str, index: int, image_format: str) -> str:
    # Folders of 1000 files keep directory listings fast at 100k images.
    return f"images/{split}/{index // 1000:04d}/{split}-{index:07d}.{image_format}"


def make_item(options: ItemOptions, out_dir: str, split: str, index: int) -> Item:
    rng = item_rng(options.seed, split, index)
    side = options.sizes[0]
    if len(options.sizes) > 1 and rng.random() < options.other_size_share:
        side = options.sizes[1 + rng.integers(len(options.sizes) - 1)]
    # The test split asks every question in its exact phrasing; train and validation follow the options.
    per_image = 0 if split == "test" else options.questions_per_image
    paraphrase = 0.0 if split == "test" else options.paraphrase_share
    if rng.random() < options.number_share:
        scene = scenes.sample_number_scene(rng, _fonts.ink_aspect)
        image = render.render_number(scene, side, _fonts)
        kind, caption = "number", questions.caption(number=scene.value)
        asked = questions.number_questions(scene.value, rng, paraphrase)
    else:
        scene = scenes.sample_shape_scene(rng, side)
        image = render.render_shapes(scene, side)
        facts = [questions.ShapeFact(s.kind, s.colour, s.cx, s.cy) for s in scene.shapes]
        kind, caption = "shapes", questions.caption(facts)
        asked = questions.shape_questions(facts, rng, paraphrase)
        if "exists" in options.question_types:
            asked += questions.exists_questions(facts, rng, paraphrase)
    if options.question_types:
        asked = [qa for qa in asked if qa[0] in options.question_types]
    frame = frame_path(split, index, options.image_format)
    path = os.path.join(out_dir, frame)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = render.encode_image(image, options.image_format)
    with open(path, "wb") as f:
        f.write(data)
    return Item(index, frame, kind, side, hashlib.sha256(data).hexdigest(), caption,
                questions.select_balanced(asked, rng, per_image))
