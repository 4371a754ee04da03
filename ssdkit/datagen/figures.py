"""Sprites of the synthetic detection classes, drawn with Pillow in a random pose-independent variant.

Each drawer takes a numpy ``Generator`` and returns an RGBA ``PIL.Image`` whose alpha marks the object;
the pose (scale, aspect, rotation, flip, position) is applied later by :mod:`ssdkit.datagen.pikachu`.
Coordinates below are in "units": a 112 x 120 design grid scaled by ``UNIT_PX`` pixels per unit.

Examples
--------
>>> import numpy as np
>>> sprite = draw_pikachu(np.random.default_rng(0))
>>> sprite.mode, sprite.size
('RGBA', (280, 300))
"""
import numpy as np
from PIL import Image, ImageDraw

__all__ = ["CLASS_NAMES", "DRAWERS", "draw_pikachu", "draw_pokeball", "draw_star"]

#: Pixels per design unit; sprites are drawn larger than they are ever shown and then reduced.
UNIT_PX = 2.5
GRID_W, GRID_H = 112, 120
YELLOW = (250, 214, 40)
OUTLINE = (92, 58, 18)
BROWN = (150, 92, 30)
BLACK = (22, 18, 16)
CHEEK_RED = (226, 40, 30)
WHITE = (250, 250, 250)


def _jitter(rng, color, amount):
    return tuple(int(np.clip(c + rng.normal(0, amount), 0, 255)) for c in color)


class _Pen:
    """ImageDraw in design units, so shapes read like the design sketch."""

    def __init__(self, image):
        self.draw = ImageDraw.Draw(image)

    @staticmethod
    def _px(points):
        return [(x * UNIT_PX, y * UNIT_PX) for x, y in points]

    def ellipse(self, cx, cy, rx, ry, fill, outline=None, width=0.0):
        box = self._px([(cx - rx, cy - ry), (cx + rx, cy + ry)])
        self.draw.ellipse(box, fill=fill, outline=outline, width=int(round(width * UNIT_PX)))

    def polygon(self, points, fill, outline=None, width=0.0):
        self.draw.polygon(self._px(points), fill=fill, outline=outline, width=int(round(width * UNIT_PX)))

    def line(self, points, fill, width):
        self.draw.line(self._px(points), fill=fill, width=max(1, int(round(width * UNIT_PX))), joint="curve")

    def arc(self, cx, cy, rx, ry, start, end, fill, width):
        box = self._px([(cx - rx, cy - ry), (cx + rx, cy + ry)])
        self.draw.arc(box, start, end, fill=fill, width=max(1, int(round(width * UNIT_PX))))


def _canvas():
    return Image.new("RGBA", (int(GRID_W * UNIT_PX), int(GRID_H * UNIT_PX)), (0, 0, 0, 0))


def _rotate_about(points, pivot, degrees):
    theta = np.deg2rad(degrees)
    c, s = np.cos(theta), np.sin(theta)
    px, py = pivot
    return [(px + c * (x - px) - s * (y - py), py + s * (x - px) + c * (y - py)) for x, y in points]


def _ear(pen, rng, side, yellow):
    """A long tapered ear whose last ~40% is black; ``side`` is -1 (left) or +1 (right)."""
    base_in, base_out = (50 + side * 8, 27), (50 + side * 21, 33)
    tip = (50 + side * 36, 2)
    mid_out, mid_in = (50 + side * 33, 16), (50 + side * 22, 10)
    shape = [base_in, mid_in, tip, mid_out, base_out]
    angle = side * rng.uniform(-14, 16)
    shape = _rotate_about(shape, ((base_in[0] + base_out[0]) / 2, 30), angle)
    pen.polygon(shape, yellow, OUTLINE, 0.8)
    t = rng.uniform(0.8, 1.0)   # the black tip covers this fraction of the tip-to-widest-point edges
    tip_xy = np.array(shape[2])
    black = [tuple(tip_xy + t * (np.array(shape[1]) - tip_xy)), tuple(tip_xy),
             tuple(tip_xy + t * (np.array(shape[3]) - tip_xy))]
    pen.polygon(black, BLACK, BLACK, 0.8)


def _thick_polyline(points, half_widths, max_miter=2.5):
    """Outline polygon of a polyline whose half width varies per vertex (mitred joins, capped)."""
    pts = np.asarray(points, dtype=np.float64)
    seg = np.diff(pts, axis=0)
    normals = np.stack([-seg[:, 1], seg[:, 0]], axis=1) / np.linalg.norm(seg, axis=1, keepdims=True)
    # vertex normals: ends use their segment's normal, joints the mitre direction of both segments
    vn = np.concatenate([normals[:1], normals[:-1] + normals[1:], normals[-1:]])
    vn /= np.linalg.norm(vn, axis=1, keepdims=True)
    seg_n = np.concatenate([normals[:1], normals])
    scale = np.minimum(1.0 / np.maximum(np.abs(np.sum(vn * seg_n, axis=1)), 1e-6), max_miter)
    offset = vn * (np.asarray(half_widths) * scale)[:, None]
    outline = np.concatenate([pts + offset, (pts - offset)[::-1]])
    return [tuple(p) for p in outline]


def _tail(pen, rng, yellow):
    """Lightning-bolt tail behind the right side of the body, widening to the tip, brown at the root."""
    centre = [(58, 99), (75, 91), (69, 82), (86, 73), (79, 63), (96, 49)]
    centre = _rotate_about(centre, (60, 97), rng.uniform(-12, 8))
    half = np.array([2.6, 3.2, 3.6, 4.4, 5.2, 6.6]) * rng.uniform(0.85, 1.15)
    pen.polygon(_thick_polyline(centre, half), yellow, OUTLINE, 0.7)
    pen.polygon(_thick_polyline(centre[:2], half[:2]), BROWN, OUTLINE, 0.7)


def _face(pen, rng, head_cy):
    eye_y = head_cy - 3
    closed = rng.random() < 0.12
    for side in (-1, 1):
        ex = 50 + side * 10
        if closed:
            pen.arc(ex, eye_y, 3.6, 2.5, 200, 340, BLACK, 1.1)
        else:
            pen.ellipse(ex, eye_y, 3.6, 4.2, BLACK)
            pen.ellipse(ex - 1.0, eye_y - 1.6, 1.4, 1.4, WHITE)
        pen.ellipse(50 + side * 21, eye_y + 11, 5.4, 4.6, _jitter(rng, CHEEK_RED, 10))
    pen.ellipse(50, eye_y + 6, 1.1, 0.7, BLACK)
    mouth_y = eye_y + 9
    if rng.random() < 0.4:   # open mouth
        pen.ellipse(50, mouth_y + 2.2, 3.2, 2.8, (120, 30, 30), BLACK, 0.5)
        pen.ellipse(50, mouth_y + 3.4, 2.0, 1.2, (235, 110, 110))
    else:                    # the "w" mouth
        pen.arc(47.6, mouth_y, 2.4, 2.0, 10, 170, BLACK, 0.6)
        pen.arc(52.4, mouth_y, 2.4, 2.0, 10, 170, BLACK, 0.6)


def _shade(image, rng):
    """Light from a random upper direction: brighten one side, darken the other (a cheap 3-D look)."""
    rgba = np.asarray(image, dtype=np.float32)
    h, w = rgba.shape[:2]
    theta = rng.uniform(-2.4, -0.7)
    xs = np.linspace(-1, 1, w, dtype=np.float32) * np.float32(np.cos(theta))
    ys = np.linspace(-1, 1, h, dtype=np.float32) * np.float32(np.sin(theta))
    gain = 1.0 + np.float32(rng.uniform(0.08, 0.22)) * (xs[None, :] + ys[:, None])
    rgba[..., :3] *= gain[..., None]
    return Image.fromarray(np.clip(rgba, 0, 255).astype(np.uint8), "RGBA")


def draw_pikachu(rng):
    """Draw a pikachu-like figure: yellow pear body and wide head, black-tipped ears, red cheeks,
    eyes, nose, mouth, arms, feet and a lightning-bolt tail; proportions and details vary with ``rng``.

    Parameters
    ----------
    rng : numpy.random.Generator

    Returns
    -------
    PIL.Image.Image
        RGBA sprite of ``(GRID_W, GRID_H) * UNIT_PX`` pixels; alpha 0 outside the figure.

    Examples
    --------
    >>> im = draw_pikachu(np.random.default_rng(1))
    >>> alpha = np.asarray(im)[..., 3]
    >>> bool(alpha.max() == 255 and alpha.min() == 0)
    True
    """
    image = _canvas()
    pen = _Pen(image)
    yellow = _jitter(rng, YELLOW, 8)
    body_rx, body_ry = 23 * rng.uniform(0.9, 1.1), 25 * rng.uniform(0.92, 1.06)
    head_rx, head_ry = 27 * rng.uniform(0.93, 1.06), 21 * rng.uniform(0.93, 1.06)
    head_cy = 47
    _tail(pen, rng, yellow)
    for side in (-1, 1):   # feet
        pen.ellipse(50 + side * 12, 110, 9, 5, yellow, OUTLINE, 0.7)
    pen.ellipse(50, 87, body_rx, body_ry, yellow, OUTLINE, 0.8)
    for side in (-1, 1):   # arms: down along the body or raised
        raised = rng.random() < 0.35
        ax, ay = 50 + side * (body_rx - 6), (72 if raised else 82)
        pen.ellipse(ax, ay, 4.5, 8 if not raised else 6, yellow, OUTLINE, 0.6)
    for side in (-1, 1):
        _ear(pen, rng, side, yellow)
    pen.ellipse(50, head_cy, head_rx, head_ry, yellow, OUTLINE, 0.8)
    _face(pen, rng, head_cy)
    return _shade(image, rng)


def draw_pokeball(rng):
    """Draw a ball (red top, white bottom, black band and button), an optional second class.

    Examples
    --------
    >>> draw_pokeball(np.random.default_rng(0)).size
    (280, 300)
    """
    image = _canvas()
    pen = _Pen(image)
    r = 40 * rng.uniform(0.9, 1.1)
    cx, cy = 50, 60
    pen.ellipse(cx, cy, r, r, _jitter(rng, WHITE, 6), BLACK, 2.0)
    pen.draw.pieslice(pen._px([(cx - r, cy - r), (cx + r, cy + r)]), 180, 360,
                      fill=_jitter(rng, (220, 30, 35), 12), outline=BLACK, width=int(2 * UNIT_PX))
    pen.line([(cx - r, cy), (cx + r, cy)], BLACK, 4)
    pen.ellipse(cx, cy, 9, 9, WHITE, BLACK, 3)
    return _shade(image, rng)


def draw_star(rng):
    """Draw a five-pointed star in a random colour, an optional third class.

    Examples
    --------
    >>> draw_star(np.random.default_rng(0)).mode
    'RGBA'
    """
    image = _canvas()
    pen = _Pen(image)
    angles = np.deg2rad(-90 + 36 * np.arange(10))
    radii = np.where(np.arange(10) % 2 == 0, 45.0, 45.0 * rng.uniform(0.38, 0.5))
    points = list(zip(50 + radii * np.cos(angles), 62 + radii * np.sin(angles)))
    colour = tuple(int(c) for c in rng.integers(40, 256, 3))
    pen.polygon(points, colour, BLACK, 1.5)
    return _shade(image, rng)


#: Class names in label-id order; id 0 is always pikachu.
CLASS_NAMES = ("pikachu", "pokeball", "star")
DRAWERS = (draw_pikachu, draw_pokeball, draw_star)
