"""The distribution, in one place (docs/synthetic-data.md states the same numbers).

Sizes and positions are fractions of the image side, so one scene can be drawn at any size.
"""

SHAPES = ("circle", "square", "triangle")

# Colour centres; every drawn colour lies within +-COLOUR_JITTER per channel of its centre.
COLOURS = {
    "red": (220, 30, 30),
    "green": (30, 160, 60),
    "blue": (30, 70, 220),
    "yellow": (240, 210, 20),
    "purple": (130, 40, 170),
    "orange": (245, 130, 20),
}
COLOUR_JITTER = 40

# Plain light backgrounds, each within +-BACKGROUND_JITTER per channel of its centre (clipped to 255).
BACKGROUNDS = {
    "white": (255, 255, 255),
    "light grey": (222, 222, 222),
    "beige": (245, 240, 220),
}
BACKGROUND_JITTER = 10

MAX_SHAPES = 4
SHAPE_SIZE = (0.10, 0.40)      # width of the unrotated shape: circle diameter, square side, triangle side
SHAPE_ROTATION_DEG = 15.0      # squares and (upright) triangles are turned by up to this much either way
MIN_GAP_PX = 3                 # shapes' bounding boxes are at least this far apart in the output image
MIN_GAP_FRACTION = 0.015       # ... and at least this fraction of the side
EDGE_MARGIN = 0.02             # shapes and numbers keep this far from the border

# Numbers: 0-9999, the digit count drawn uniformly from 1-4 so that short numbers are as common as long.
NUMBER_DIGITS = (1, 4)
GLYPH_HEIGHT = (0.10, 0.35)    # ink height of the digits
INK_MAX = 70                   # dark ink: every channel in 0..INK_MAX
FONT_FILES = {
    "DejaVu Sans": "DejaVuSans.ttf",
    "DejaVu Sans Bold": "DejaVuSans-Bold.ttf",
    "DejaVu Serif": "DejaVuSerif.ttf",
    "DejaVu Serif Bold": "DejaVuSerif-Bold.ttf",
    "DejaVu Sans Mono": "DejaVuSansMono.ttf",
    "DejaVu Sans Mono Bold": "DejaVuSansMono-Bold.ttf",
}
DEFAULT_FONTS_DIR = "/usr/share/fonts/truetype/dejavu"

# Position questions are only asked when the shape's centre is at least this far from a thirds line,
# so that the answer is not a coin toss for the model (or for a person).
THIRDS_CLEARANCE = 0.03
