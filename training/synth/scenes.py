"""Scene sampling: what is in a picture, as plain data in fractions of the image side (no drawing here).

Every draw comes from the numpy Generator passed in, so a scene is a pure function of its seed.
"""
import math
from dataclasses import dataclass
from typing import Callable, Optional, Tuple

import numpy as np

from . import spec

RGB = Tuple[int, int, int]


@dataclass(frozen=True)
class Shape:
    kind: str          # one of spec.SHAPES
    colour: str        # colour class, a key of spec.COLOURS
    rgb: RGB           # the jittered colour actually drawn
    cx: float          # centre of the bounding box, fraction of the side (x to the right, y down)
    cy: float
    size: float        # width of the unrotated shape, fraction of the side
    rotation: float    # degrees, counter-clockwise as seen; 0 for circles

    def outline(self):
        """Polygon vertices (fractions of the side) for squares and triangles; None for circles."""
        if self.kind == "circle":
            return None
        return [(self.cx + x, self.cy + y) for x, y in _centred_outline(self.kind, self.size, self.rotation)]

    def box(self):
        half_w, half_h = _half_extent(self.kind, self.size, self.rotation)
        return (self.cx - half_w, self.cy - half_h, self.cx + half_w, self.cy + half_h)


@dataclass(frozen=True)
class ShapeScene:
    background: RGB
    shapes: Tuple[Shape, ...]


@dataclass(frozen=True)
class NumberScene:
    value: int
    font: str          # a key of spec.FONT_FILES
    ink: RGB
    background: RGB
    glyph_height: float  # ink height of the digits, fraction of the side
    x: float           # left edge of the ink, fraction of the side
    y: float           # top edge of the ink


def _raw_vertices(kind, size):
    if kind == "square":
        h = size / 2
        return [(-h, -h), (h, -h), (h, h), (-h, h)]
    # Equilateral, apex up, centred on its centroid.
    height = size * math.sqrt(3) / 2
    return [(0.0, -2 * height / 3), (size / 2, height / 3), (-size / 2, height / 3)]


def _rotated(kind, size, rotation):
    angle = math.radians(rotation)
    c, s = math.cos(angle), math.sin(angle)
    # y grows downwards, so a counter-clockwise turn as seen uses -angle in these coordinates.
    return [(x * c + y * s, -x * s + y * c) for x, y in _raw_vertices(kind, size)]


def _centred_outline(kind, size, rotation):
    """Vertices relative to the centre of their bounding box."""
    points = _rotated(kind, size, rotation)
    mid_x = (min(p[0] for p in points) + max(p[0] for p in points)) / 2
    mid_y = (min(p[1] for p in points) + max(p[1] for p in points)) / 2
    return [(x - mid_x, y - mid_y) for x, y in points]


def _half_extent(kind, size, rotation):
    if kind == "circle":
        return size / 2, size / 2
    points = _rotated(kind, size, rotation)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (max(xs) - min(xs)) / 2, (max(ys) - min(ys)) / 2


def jittered(rng: np.random.Generator, centre: RGB, jitter: int) -> RGB:
    values = np.asarray(centre) + rng.integers(-jitter, jitter + 1, size=3)
    return tuple(int(v) for v in np.clip(values, 0, 255))


def sample_background(rng: np.random.Generator) -> RGB:
    names = list(spec.BACKGROUNDS)
    return jittered(rng, spec.BACKGROUNDS[names[rng.integers(len(names))]], spec.BACKGROUND_JITTER)


def boxes_apart(a, b, gap) -> bool:
    return a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1]


def _place(rng, kind, size, rotation, placed, gap) -> Optional[Tuple[float, float]]:
    half_w, half_h = _half_extent(kind, size, rotation)
    lo_x, hi_x = spec.EDGE_MARGIN + half_w, 1 - spec.EDGE_MARGIN - half_w
    lo_y, hi_y = spec.EDGE_MARGIN + half_h, 1 - spec.EDGE_MARGIN - half_h
    if lo_x > hi_x or lo_y > hi_y:
        return None
    for _ in range(40):
        cx, cy = rng.uniform(lo_x, hi_x), rng.uniform(lo_y, hi_y)
        box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
        if all(boxes_apart(box, other.box(), gap) for other in placed):
            return cx, cy
    return None


def sample_shape_scene(rng: np.random.Generator, side_px: int) -> ShapeScene:
    """1-MAX_SHAPES shapes whose bounding boxes are at least a gap apart; sizes are redrawn until they fit."""
    background = sample_background(rng)
    count = int(rng.integers(1, spec.MAX_SHAPES + 1))
    gap = max(spec.MIN_GAP_PX / side_px, spec.MIN_GAP_FRACTION)
    colour_names = list(spec.COLOURS)
    while True:
        placed = []
        for _ in range(count):
            kind = spec.SHAPES[rng.integers(len(spec.SHAPES))]
            colour = colour_names[rng.integers(len(colour_names))]
            size = float(rng.uniform(*spec.SHAPE_SIZE))
            rotation = 0.0 if kind == "circle" else float(rng.uniform(-1, 1) * spec.SHAPE_ROTATION_DEG)
            where = _place(rng, kind, size, rotation, placed, gap)
            if where is None:
                break
            rgb = jittered(rng, spec.COLOURS[colour], spec.COLOUR_JITTER)
            placed.append(Shape(kind, colour, rgb, float(where[0]), float(where[1]), size, rotation))
        if len(placed) == count:
            return ShapeScene(background, tuple(placed))


def sample_number_value(rng: np.random.Generator) -> int:
    digits = int(rng.integers(spec.NUMBER_DIGITS[0], spec.NUMBER_DIGITS[1] + 1))
    low = 0 if digits == 1 else 10 ** (digits - 1)
    return int(rng.integers(low, 10 ** digits))


def sample_number_scene(rng: np.random.Generator, ink_aspect: Callable[[str, str], float]) -> NumberScene:
    """ink_aspect(font, text): ink width / ink height of text in that font (from the renderer's fonts)."""
    value = sample_number_value(rng)
    fonts = list(spec.FONT_FILES)
    font = fonts[rng.integers(len(fonts))]
    aspect = ink_aspect(font, str(value))
    room = 1 - 2 * spec.EDGE_MARGIN
    # "Anywhere it fits": the tallest height whose width still fits bounds the draw.
    top = min(spec.GLYPH_HEIGHT[1], room / aspect)
    height = float(rng.uniform(spec.GLYPH_HEIGHT[0], top))
    width = height * aspect
    x = float(rng.uniform(spec.EDGE_MARGIN, 1 - spec.EDGE_MARGIN - width))
    y = float(rng.uniform(spec.EDGE_MARGIN, 1 - spec.EDGE_MARGIN - height))
    ink = tuple(int(v) for v in rng.integers(0, spec.INK_MAX + 1, size=3))
    return NumberScene(value, font, ink, sample_background(rng), height, x, y)
