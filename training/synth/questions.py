"""Questions and answers about a picture, from plain facts (kind, colour, centre) so that the generator
and the held-out renderer phrase everything the same way. docs/synthetic-data.md lists these phrasings;
the scorer (training/answer_scoring.h) relies on the answers naming colours, shapes, positions and
numbers as plain words."""
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import numpy as np

from . import spec


@dataclass(frozen=True)
class ShapeFact:
    kind: str
    colour: str
    cx: float  # centre, fraction of the side
    cy: float


QA = Tuple[str, str, str]  # (question type, question, answer)

QUESTION_TYPES = ("count", "color", "shape", "position", "describe", "number")
# Opt-in types (`generate --question-types`), never in the demo model's data: a new task to fine-tune on.
EXTRA_QUESTION_TYPES = ("exists",)

EXACT = {
    "count": "How many shapes are in the image?",
    "color": "What color is the {shape}?",
    "shape": "What shape is the {colour} object?",
    "position": "Where is the {colour} {shape}?",
    "describe": "Describe the image.",
    "number": "What number is written in the image?",
    "exists": "Is there {a} {colour} {shape}?",
}

# Training-only variety (never in the test split): the model should not hinge on one wording.
PARAPHRASES = {
    "count": ("How many shapes are there?", "How many shapes do you see?", "Count the shapes in the image.",
              "How many objects are in the picture?"),
    "color": ("What colour is the {shape}?", "Which color is the {shape}?", "What is the color of the {shape}?",
              "What color does the {shape} have?"),
    "shape": ("Which shape is {colour}?", "What is the {colour} shape?", "What kind of shape is the {colour} object?",
              "What shape is the {colour} one?"),
    "position": ("Where is the {colour} {shape} located?", "In which part of the image is the {colour} {shape}?",
                 "Where can you see the {colour} {shape}?"),
    "describe": ("Describe this picture.", "What is in the image?", "What do you see in the image?"),
    "number": ("What number is shown?", "Which number is written in the picture?", "Read the number in the image.",
               "What is the number in the image?"),
    "exists": ("Is there {a} {colour} {shape} in the image?", "Do you see {a} {colour} {shape}?",
               "Does the picture have {a} {colour} {shape}?"),
}

_ROWS = ("top", "middle", "bottom")
_COLUMNS = ("left", "middle", "right")


def position_name(cx: float, cy: float) -> str:
    """The third of the image: "top left", "top", ..., "center", ..., "bottom right"."""
    row = _ROWS[min(2, int(cy * 3))]
    column = _COLUMNS[min(2, int(cx * 3))]
    if row == "middle" and column == "middle":
        return "center"
    if row == "middle":
        return column
    if column == "middle":
        return row
    return f"{row} {column}"


def position_phrase(name: str) -> str:
    if name == "center":
        return "in the center"
    if name in ("left", "right"):
        return f"on the {name}"
    return f"at the {name}"


def thirds_clear(cx: float, cy: float) -> bool:
    """True when the centre is not within spec.THIRDS_CLEARANCE of a line between thirds."""
    return all(abs(v - line) >= spec.THIRDS_CLEARANCE for v in (cx, cy) for line in (1 / 3, 2 / 3))


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def reading_order(facts: Sequence[ShapeFact]) -> List[ShapeFact]:
    return sorted(facts, key=lambda f: (min(2, int(f.cy * 3)), f.cx, f.cy))


def count_answer(count: int) -> str:
    return "There is 1 shape." if count == 1 else f"There are {count} shapes."


def describe_answer(facts: Sequence[ShapeFact]) -> str:
    parts = [f"{_article(f.colour)} {f.colour} {f.kind} {position_phrase(position_name(f.cx, f.cy))}"
             for f in reading_order(facts)]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    head = "There is 1 shape" if len(facts) == 1 else f"There are {len(facts)} shapes"
    return f"{head}: {listed}."


def number_caption(value: int) -> str:
    return f"The number {value} is written in the image."


def _phrase(rng: np.random.Generator, qtype: str, paraphrase_share: float, **slots) -> str:
    template = EXACT[qtype]
    if paraphrase_share > 0 and rng.random() < paraphrase_share:
        options = PARAPHRASES[qtype]
        template = options[rng.integers(len(options))]
    return template.format(**slots)


def shape_questions(facts: Sequence[ShapeFact], rng: np.random.Generator, paraphrase_share: float) -> List[QA]:
    """Every question this scene supports: colour only for a unique shape, shape only for a unique
    colour, position only for a unique (colour, shape) pair whose centre is clear of the thirds lines."""
    kinds = [f.kind for f in facts]
    colours = [f.colour for f in facts]
    pairs = [(f.colour, f.kind) for f in facts]
    out = [("count", _phrase(rng, "count", paraphrase_share), count_answer(len(facts)))]
    for f in facts:
        if kinds.count(f.kind) == 1:
            out.append(("color", _phrase(rng, "color", paraphrase_share, shape=f.kind), f"The {f.kind} is {f.colour}."))
    for f in facts:
        if colours.count(f.colour) == 1:
            out.append(("shape", _phrase(rng, "shape", paraphrase_share, colour=f.colour),
                        f"It is {_article(f.kind)} {f.kind}."))
    for f in facts:
        if pairs.count((f.colour, f.kind)) == 1 and thirds_clear(f.cx, f.cy):
            where = position_phrase(position_name(f.cx, f.cy))
            out.append(("position", _phrase(rng, "position", paraphrase_share, colour=f.colour, shape=f.kind),
                        f"The {f.colour} {f.kind} is {where}."))
    out.append(("describe", _phrase(rng, "describe", paraphrase_share), describe_answer(facts)))
    return out


def exists_questions(facts: Sequence[ShapeFact], rng: np.random.Generator, paraphrase_share: float) -> List[QA]:
    """"Is there a/an <colour> <shape>?" twice: once for a pair in the picture ("Yes, there is ..."), once for one
    that is not ("No, there is no ..."), which shares its colour or its shape with something in the picture
    when it can (so that neither word alone gives the answer)."""
    present = sorted({(f.colour, f.kind) for f in facts})
    colours, kinds = {f.colour for f in facts}, {f.kind for f in facts}
    absent = [(c, k) for c in spec.COLOURS for k in spec.SHAPES if (c, k) not in present]
    near = [(c, k) for c, k in absent if c in colours or k in kinds]
    yes = present[rng.integers(len(present))]
    no = (near or absent)[rng.integers(len(near or absent))]
    return [("exists", _phrase(rng, "exists", paraphrase_share, a=_article(yes[0]), colour=yes[0], shape=yes[1]),
             f"Yes, there is {_article(yes[0])} {yes[0]} {yes[1]}."),
            ("exists", _phrase(rng, "exists", paraphrase_share, a=_article(no[0]), colour=no[0], shape=no[1]),
             f"No, there is no {no[0]} {no[1]}.")]


def number_questions(value: int, rng: np.random.Generator, paraphrase_share: float) -> List[QA]:
    return [("number", _phrase(rng, "number", paraphrase_share), f"The number is {value}.")]


def caption(facts: Sequence[ShapeFact] = (), number: int = None) -> QA:
    """The pre-training (stage 1) sample: the scene described, or the number named."""
    answer = number_caption(number) if number is not None else describe_answer(facts)
    return ("describe", EXACT["describe"], answer)


def select_balanced(questions: Sequence[QA], rng: np.random.Generator, count: int) -> List[QA]:
    """count questions (0 = all): first one of each of as many distinct types as possible, in a random
    type order, then random others; so that frequent types (colour, shape) do not crowd out the rest."""
    if count <= 0 or count >= len(questions):
        return list(questions)
    by_type = {}
    for index, qa in enumerate(questions):
        by_type.setdefault(qa[0], []).append(index)
    types = list(by_type)
    chosen = []
    for t in (types[i] for i in rng.permutation(len(types))):
        if len(chosen) == count:
            break
        options = by_type[t]
        chosen.append(options[rng.integers(len(options))])
    rest = [i for i in range(len(questions)) if i not in chosen]
    for i in rng.permutation(len(rest))[: count - len(chosen)]:
        chosen.append(rest[i])
    return [questions[i] for i in sorted(chosen)]
