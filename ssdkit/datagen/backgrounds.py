"""Procedural backgrounds for the synthetic detection set: textures, gradients, scenery and clutter.

Clutter includes unlabeled yellow and red blobs, so that a colour threshold alone cannot find the
figure. All randomness comes from the ``Generator`` passed in, so a background is a pure function of it.

Examples
--------
>>> import numpy as np
>>> bg = random_background(np.random.default_rng(0), 64)
>>> bg.shape, bg.dtype
((64, 64, 3), dtype('uint8'))
"""
import numpy as np
from PIL import Image, ImageDraw

__all__ = ["random_background", "KINDS"]

#: Colours a distractor blob may take: yellows close to the figure's, and cheek-like reds.
DISTRACTOR_COLOURS = ((250, 214, 40), (240, 200, 60), (255, 230, 90), (230, 180, 30), (226, 40, 30))
MAX_CLUTTER = 14
DISTRACTOR_PROBABILITY = 0.8
YELLOW_TINT_PROBABILITY = 0.2


def _colour(rng, low=0, high=256):
    return rng.integers(low, high, 3).astype(np.float32)


def _value_noise(rng, size):
    """Smooth coloured blobs: a few octaves of random grids upsampled with bicubic interpolation."""
    out = np.zeros((size, size, 3), np.float32)
    weight = 1.0
    for cells in rng.choice([2, 3, 4, 6, 8, 12, 16], size=3, replace=False):
        grid = rng.integers(0, 256, (cells, cells, 3), dtype=np.uint8)
        out += weight * np.asarray(Image.fromarray(grid).resize((size, size), Image.BICUBIC), np.float32)
        weight *= 0.5
    return out / 1.75


def _gradient(rng, size):
    theta = rng.uniform(0, 2 * np.pi)
    ys, xs = np.ogrid[0:size, 0:size]
    ys, xs = ys.astype(np.float32) / size, xs.astype(np.float32) / size
    t = np.clip(0.5 + (np.cos(theta) * (xs - 0.5) + np.sin(theta) * (ys - 0.5)), 0, 1)[..., None]
    if rng.random() < 0.4:   # radial instead of linear
        cx, cy = rng.uniform(0, 1, 2)
        t = np.clip(np.hypot(xs - cx, ys - cy) / rng.uniform(0.4, 1.2), 0, 1)[..., None]
    return (1 - t) * _colour(rng) + t * _colour(rng)


def _pattern(rng, size):
    """Stripes or a checkerboard in two colours, at a random frequency and angle."""
    theta = rng.uniform(0, np.pi)
    freq = rng.uniform(3, 24) * 2 * np.pi / size
    ys, xs = (a.astype(np.float32) for a in np.ogrid[0:size, 0:size])
    u = np.cos(theta) * xs + np.sin(theta) * ys
    wave = np.sin(freq * u)
    if rng.random() < 0.5:
        wave = wave * np.sin(freq * (np.cos(theta) * ys - np.sin(theta) * xs))
    t = (wave > 0).astype(np.float32)[..., None] if rng.random() < 0.5 else (wave[..., None] + 1) / 2
    return (1 - t) * _colour(rng) + t * _colour(rng)


def _scenery(rng, size):
    """Sky above a horizon, textured ground below: the look of the photo backgrounds of the original."""
    horizon = int(size * rng.uniform(0.3, 0.75))
    ys = np.arange(size, dtype=np.float32)[:, None, None] / size
    sky = _colour(rng, 120) * (1 - ys) + _colour(rng, 60) * ys
    ground = _value_noise(rng, size) * 0.5 + _colour(rng, 0, 200) * 0.5
    out = np.broadcast_to(sky, (size, size, 3)).copy()
    out[horizon:] = ground[horizon:]
    return out


KINDS = (_value_noise, _gradient, _pattern, _scenery)


def _clutter(rng, image, size):
    """Random ellipses, polygons, rectangles and lines, some translucent, some yellow distractors."""
    draw = ImageDraw.Draw(image, "RGBA")
    count = int(rng.integers(2, MAX_CLUTTER + 1))
    distractors = int(rng.integers(1, 5)) if rng.random() < DISTRACTOR_PROBABILITY else 0
    for k in range(count + distractors):
        if k < distractors:
            colour = np.array(DISTRACTOR_COLOURS[rng.integers(len(DISTRACTOR_COLOURS))]) \
                + rng.normal(0, 10, 3)
            alpha = 255
        else:
            colour, alpha = _colour(rng), int(rng.choice([255, 255, 160, 90]))
        fill = tuple(int(c) for c in np.clip(colour, 0, 255)) + (alpha,)
        cx, cy = rng.uniform(-0.1, 1.1, 2) * size
        rx, ry = rng.uniform(0.02, 0.25, 2) * size if k >= distractors else rng.uniform(0.08, 0.25, 2) * size
        shape = rng.integers(4) if k >= distractors else rng.integers(2)
        if shape == 0:
            draw.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=fill)
        elif shape == 1:
            n = int(rng.integers(3, 8))
            angles = np.sort(rng.uniform(0, 2 * np.pi, n))
            draw.polygon([(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles], fill=fill)
        elif shape == 2:
            draw.rectangle([cx - rx, cy - ry, cx + rx, cy + ry], fill=fill)
        else:
            draw.line([(cx - rx, cy - ry), (cx + rx, cy + ry)], fill=fill, width=int(rng.integers(1, 8)))
    return image


def random_background(rng, size):
    """Return a random ``size`` x ``size`` RGB background with clutter.

    Parameters
    ----------
    rng : numpy.random.Generator
    size : int

    Returns
    -------
    numpy.ndarray, uint8, shape (size, size, 3)

    Examples
    --------
    >>> a = random_background(np.random.default_rng(3), 32)
    >>> bool((a == random_background(np.random.default_rng(3), 32)).all())
    True
    """
    base = KINDS[rng.integers(len(KINDS))](rng, size)
    if rng.random() < YELLOW_TINT_PROBABILITY:   # warm scenes where yellow is everywhere
        tint = np.array(DISTRACTOR_COLOURS[rng.integers(len(DISTRACTOR_COLOURS) - 1)], np.float32)
        mix = np.float32(rng.uniform(0.35, 0.7))
        base = base * (1 - mix) + tint * mix
    image = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    return np.asarray(_clutter(rng, image, size))
