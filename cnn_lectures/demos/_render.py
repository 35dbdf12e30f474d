"""Small, fast renderers for the demos: arrays to PNG bytes, probabilities to HTML bars.

No Matplotlib figures: a figure costs tens of milliseconds to draw, a PNG of a few pixels
upscaled by PIL costs well under one, which keeps the live demos responsive.
"""

import html
import io

import matplotlib
import numpy as np
from PIL import Image

__all__ = ["colorize", "png", "grid", "probability_bars"]


def colorize(values, cmap="magma", *, vmin=None, vmax=None):
    """Map a 2-D array to RGB uint8 (h, w, 3) with a Matplotlib colormap (no figure drawn)."""
    values = np.asarray(values, dtype=np.float64)
    low = values.min() if vmin is None else vmin
    high = values.max() if vmax is None else vmax
    scaled = np.zeros_like(values) if high <= low else np.clip((values - low) / (high - low), 0, 1)
    return (matplotlib.colormaps[cmap](scaled)[..., :3] * 255).astype(np.uint8)


def png(pixels, *, scale=1):
    """PNG bytes of a uint8 (h, w) or (h, w, 3) array, each pixel drawn as ``scale`` x ``scale``."""
    image = Image.fromarray(np.asarray(pixels, dtype=np.uint8))
    if scale != 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def grid(tiles, *, columns, gap=2, fill=255):
    """Tile equal-sized uint8 (h, w, 3) arrays row by row, ``gap`` pixels of ``fill`` between."""
    tiles = list(tiles)
    height, width = tiles[0].shape[:2]
    rows = -(-len(tiles) // columns)
    sheet = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap, 3), fill, np.uint8)
    for i, tile in enumerate(tiles):
        top, left = (i // columns) * (height + gap), (i % columns) * (width + gap)
        sheet[top : top + height, left : left + width] = tile
    return sheet


def probability_bars(probabilities, *, revision=0):
    """HTML: the predicted digit in large type, then one horizontal bar per class.

    The answer carries ``class="cnn-prediction"``, ``data-digit`` and ``data-revision`` (the
    canvas revision it answers), which is how the browser test reads it.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    digit = int(probabilities.argmax())
    rows = []
    for label, p in enumerate(probabilities):
        colour = "#d62728" if label == digit else "#4c72b0"
        rows.append(
            f'<div style="display:flex;align-items:center;gap:6px;height:20px">'
            f'<span style="width:14px;text-align:right;font-weight:{700 if label == digit else 400}">{label}</span>'
            f'<span style="display:inline-block;height:14px;width:{240 * p:.1f}px;background:{colour}"></span>'
            f'<span style="font-size:12px;color:#555">{100 * p:.1f} %</span></div>'
        )
    return (
        f'<div class="cnn-answer" style="font-family:sans-serif">'
        f'<div style="font-size:14px;color:#555">the CNN reads</div>'
        f'<div class="cnn-prediction" data-digit="{digit}" data-revision="{int(revision)}" '
        f'style="font-size:64px;font-weight:700;line-height:1">{digit}</div>'
        f'<div style="font-size:14px;margin:4px 0 8px">{100 * probabilities[digit]:.1f} % sure</div>'
        f"{''.join(rows)}</div>"
    )


def waiting(message, *, revision=0):
    """HTML shown instead of an answer (blank canvas, or before the first stroke)."""
    return (
        f'<div class="cnn-answer" style="font-family:sans-serif">'
        f'<div class="cnn-prediction" data-digit="" data-revision="{int(revision)}" '
        f'style="font-size:20px;color:#777">{html.escape(message)}</div></div>'
    )
