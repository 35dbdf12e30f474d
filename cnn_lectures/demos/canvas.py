"""A drawing pad widget: the student draws with a mouse, pen or finger; Python gets the strokes.

Built on anywidget: its JavaScript is the ES module below, sent by the kernel itself, so the
widget needs no separate front-end install and runs in JupyterLab, Notebook 7, VS Code, Colab
(anywidget turns on Colab's custom-widget manager) and Voilà. It draws with Pointer Events
(mouse, pen and touch alike; ``touch-action: none`` keeps a finger from scrolling the page).

At the end of each stroke (``pointerup``) the widget sends all strokes so far and a new
``revision`` number in one message; Python observes ``revision``. The *Clear* button sends an
empty list. Ink is white on black, like the digits.
"""

import anywidget
import traitlets

__all__ = ["DrawingCanvas"]

_ESM = r"""
function render({ model, el }) {
  const size = model.get("size");
  const root = document.createElement("div");
  root.className = "cnn-drawing";
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  canvas.className = "cnn-drawing-canvas";
  canvas.style.cssText = `width:${size}px;height:${size}px;background:#000;touch-action:none;` +
    "cursor:crosshair;border-radius:6px;display:block;";
  const clear = document.createElement("button");
  clear.textContent = "Clear";
  clear.className = "cnn-drawing-clear";
  clear.style.cssText = "margin-top:6px;font-size:16px;padding:4px 16px;";
  root.append(canvas, clear);
  el.appendChild(root);

  const pen = canvas.getContext("2d");
  let strokes = [];
  let current = null;

  function paint() {
    pen.fillStyle = "#000";
    pen.fillRect(0, 0, size, size);
    pen.strokeStyle = pen.fillStyle = "#fff";
    pen.lineWidth = model.get("line_width");
    pen.lineCap = pen.lineJoin = "round";
    for (const stroke of current ? strokes.concat([current]) : strokes) {
      pen.beginPath();
      stroke.forEach(([x, y], i) => (i ? pen.lineTo(x, y) : pen.moveTo(x, y)));
      if (stroke.length === 1) pen.lineTo(stroke[0][0] + 0.01, stroke[0][1]);
      pen.stroke();
    }
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) * size) / box.width;
    const y = ((event.clientY - box.top) * size) / box.height;
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  }

  function send() {
    model.set("strokes", strokes);
    model.set("revision", model.get("revision") + 1);
    model.save_changes();
  }

  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = [point(event)];
    paint();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!current) return;
    current.push(point(event));
    paint();
  });
  function finish(event) {
    if (!current) return;
    strokes = strokes.concat([current]);
    current = null;
    paint();
    send();
  }
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  clear.addEventListener("click", () => {
    strokes = [];
    current = null;
    paint();
    send();
  });
  model.on("change:strokes", () => {
    if (!current) {
      strokes = model.get("strokes");
      paint();
    }
  });
  strokes = model.get("strokes");
  paint();
}
export default { render };
"""


class DrawingCanvas(anywidget.AnyWidget):
    """A square canvas; ``strokes`` holds what was drawn, ``revision`` counts the updates.

    Attributes:
        strokes: list of strokes, each a list of ``[x, y]`` points in canvas pixels.
        revision: incremented by the browser after each stroke and each *Clear*.
        size: side of the canvas, in pixels (default 280: ten canvas pixels per MNIST pixel).
        line_width: pen width, in canvas pixels (the same width rasterises the strokes in Python).
    """

    _esm = _ESM
    strokes = traitlets.List(traitlets.List()).tag(sync=True)
    revision = traitlets.Int(0).tag(sync=True)
    size = traitlets.Int(280).tag(sync=True)
    line_width = traitlets.Int(24).tag(sync=True)
