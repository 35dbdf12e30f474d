"""Matrices as HTML tables for the convolution explorer: values, padding, window and progress.

HTML instead of figures: a 34x34 table is a few milliseconds of string building, crisp on a
projector, and its numbers can be read (and tested) as text.
"""

import html

import numpy as np

__all__ = ["matrix_table"]

_TABLE = "border-collapse:collapse;font-family:monospace;font-size:{font}px"


def _cell_size(shape):
    """Cell side in pixels: large enough to print numbers in small matrices, small for digits."""
    side = max(shape)
    return 34 if side <= 8 else 26 if side <= 12 else 9 if side <= 36 else 6


def _format(value):
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _colour(value, low, high, diverging):
    """Background colour: grey ramp for images, blue-white-red around 0 for signed maps."""
    if diverging:
        peak = max(abs(low), abs(high)) or 1.0
        t = float(np.clip(value / peak, -1, 1))
        fade = int(255 * (1 - abs(t)))
        return f"rgb(255,{fade},{fade})" if t >= 0 else f"rgb({fade},{fade},255)"
    t = 0.0 if high <= low else float((value - low) / (high - low))
    level = int(255 * (1 - t))
    return f"rgb({level},{level},{level})"


def matrix_table(matrix, *, css_class, window=None, filled=None, current=None, pad=0, diverging=False):
    """One matrix as an HTML table.

    Args:
        matrix: 2-D array to show.
        css_class: class of the ``<table>`` (how tests and the page's CSS find it).
        window: ``(top, left, height, width)`` cells to outline (the kernel's current window).
        filled: number of cells (row-major) to show; the rest are drawn empty (the map filling in).
        current: ``(row, col)`` of the cell to outline as the one being computed.
        pad: width of the zero-padding ring, drawn hatched.
        diverging: colour negative values blue and positive red (feature maps), else grey.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    rows, cols = matrix.shape
    side = _cell_size(matrix.shape)
    numbers = side >= 26
    low, high = (float(matrix.min()), float(matrix.max())) if matrix.size else (0.0, 0.0)
    parts = [f'<table class="{css_class}" style="{_TABLE.format(font=11 if side < 34 else 13)}">']
    for r in range(rows):
        parts.append("<tr>")
        for c in range(cols):
            style = [f"width:{side}px;height:{side}px;padding:0;text-align:center"]
            shown = filled is None or r * cols + c < filled
            in_pad = pad and not (pad <= r < rows - pad and pad <= c < cols - pad)
            value = matrix[r, c]
            if not shown:
                style.append("background:#fafafa;border:1px dotted #ccc")
            else:
                style.append(f"background:{_colour(value, low, high, diverging)};border:1px solid #ddd")
                if in_pad:
                    style.append("background-image:repeating-linear-gradient(45deg,#9ecae1 0 2px,transparent 2px 5px)")
                dark = not diverging and high > low and (value - low) / (high - low) > 0.55
                style.append(f"color:{'#fff' if dark else '#000'}")
            if window is not None:
                top, left, height, width = window
                if top <= r < top + height and left <= c < left + width:
                    edges = [
                        ("top", r == top),
                        ("bottom", r == top + height - 1),
                        ("left", c == left),
                        ("right", c == left + width - 1),
                    ]
                    style += [f"border-{edge}:3px solid #d62728" for edge, on in edges if on]
            if current == (r, c):
                style.append("outline:3px solid #d62728;outline-offset:-3px")
            text = html.escape(_format(value)) if numbers and shown else ""
            parts.append(f'<td style="{";".join(style)}">{text}</td>')
        parts.append("</tr>")
    parts.append("</table>")
    return "".join(parts)
