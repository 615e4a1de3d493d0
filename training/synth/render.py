"""Drawing scenes with PIL: supersampled (SUPERSAMPLE x the output side) and box-filtered down, so edges
are antialiased like a real drawing's. The held-out renderer (heldout.py) draws independently of this."""
import io
import os
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from . import spec
from .scenes import NumberScene, ShapeScene

SUPERSAMPLE = 4
_REFERENCE_SIZE = 400  # font size at which ink proportions are measured


class MissingFontError(RuntimeError):
    pass


class FontBook:
    """The DejaVu faces of spec.FONT_FILES from one folder; refuses to start when any is missing."""

    def __init__(self, fonts_dir: str):
        self.fonts_dir = fonts_dir
        missing = [f for f in spec.FONT_FILES.values() if not os.path.isfile(os.path.join(fonts_dir, f))]
        if missing:
            raise MissingFontError(
                f"{fonts_dir}: missing font file(s) {', '.join(missing)} (Debian: fonts-dejavu-core; pass "
                f"--fonts-dir with a folder holding all of {', '.join(spec.FONT_FILES.values())})")

    def path(self, font: str) -> str:
        return os.path.join(self.fonts_dir, spec.FONT_FILES[font])

    def face(self, font: str, size: int) -> ImageFont.FreeTypeFont:
        return _load_face(self.path(font), size)

    def ink_aspect(self, font: str, text: str) -> float:
        left, top, right, bottom = ink_box(self.face(font, _REFERENCE_SIZE), text)
        return (right - left) / (bottom - top)

    def size_for_ink_height(self, font: str, text: str, height_px: float) -> int:
        _, top, _, bottom = ink_box(self.face(font, _REFERENCE_SIZE), text)
        return max(1, round(height_px * _REFERENCE_SIZE / (bottom - top)))


def ink_box(face: ImageFont.FreeTypeFont, text: str):
    """The inked pixels' box relative to the drawing origin (getbbox includes side bearings)."""
    mask, (dx, dy) = face.getmask2(text, mode="L")
    left, top, right, bottom = mask.getbbox()
    return dx + left, dy + top, dx + right, dy + bottom


@lru_cache(maxsize=512)
def _load_face(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _canvas(side: int, background):
    big = side * SUPERSAMPLE
    image = Image.new("RGB", (big, big), tuple(background))
    return image, ImageDraw.Draw(image), big


def render_shapes(scene: ShapeScene, side: int) -> Image.Image:
    image, draw, big = _canvas(side, scene.background)
    for shape in scene.shapes:
        outline = shape.outline()
        if outline is None:
            x0, y0, x1, y1 = shape.box()
            draw.ellipse([x0 * big, y0 * big, x1 * big, y1 * big], fill=shape.rgb)
        else:
            draw.polygon([(x * big, y * big) for x, y in outline], fill=shape.rgb)
    return image.reduce(SUPERSAMPLE)


def render_number(scene: NumberScene, side: int, fonts: FontBook) -> Image.Image:
    image, draw, big = _canvas(side, scene.background)
    text = str(scene.value)
    face = fonts.face(scene.font, fonts.size_for_ink_height(scene.font, text, scene.glyph_height * big))
    left, top, _, _ = ink_box(face, text)
    # Shift the drawing origin so that the ink's corner lands on (x, y).
    draw.text((scene.x * big - left, scene.y * big - top), text, font=face, fill=tuple(scene.ink))
    return image.reduce(SUPERSAMPLE)


def encode_image(image: Image.Image, image_format: str) -> bytes:
    """PNG, or binary PPM (P6, maxval 255) for machines whose vora build has no PNG decoder."""
    if image_format not in ("png", "ppm"):
        raise ValueError(f"unknown image format {image_format!r} (png or ppm)")
    buffer = io.BytesIO()
    image.save(buffer, format=image_format.upper())
    return buffer.getvalue()
