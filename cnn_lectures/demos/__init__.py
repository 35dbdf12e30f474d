"""Live classroom demos: draw a digit for the course's CNN, turn the knobs of a convolution.

- ``cnn_lectures.demos.convolution`` -- the convolution and pooling explorer (lectures 000-004):
  input, kernel, stride, padding, pooling window; the window, the feature map, the size formula
- ``cnn_lectures.demos.draw``        -- draw a digit: the CNN's answer, its ten probabilities,
  a Grad-CAM or saliency map and the first layer's feature maps
- ``cnn_lectures.demos.mnist_format`` -- a drawing to a Kaggle/MNIST digit (20x20 box, centre of mass)
- ``cnn_lectures.demos.canvas``      -- the drawing pad widget (anywidget)

``make demo`` serves the notebooks of ``demos/`` with Voilà; see ``docs/demos.md``.
Submodules are imported on demand (``draw`` loads TensorFlow, the explorer does not).
"""
