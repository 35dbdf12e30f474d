"""cnn_lectures: a lecture series on convolutional neural networks, as a Python package.

Modules, one concern each:

- ``cnn_lectures.data``          -- the Kaggle "Digit Recognizer" loader and submission writer
- ``cnn_lectures.preprocessing`` -- normalise, reshape, one-hot, train/validation split
- ``cnn_lectures.models``        -- Keras builders, from one neuron to ResNet and U-Net
- ``cnn_lectures.augmentation``  -- the lectures' ImageDataGenerator and a fast tf.data path
- ``cnn_lectures.training``      -- one training entry point for the CLI and the notebooks
- ``cnn_lectures.scratch``       -- NumPy reference layers (forward next to backward)
- ``cnn_lectures.shapes``        -- output sizes, parameter counts, receptive fields
- ``cnn_lectures.evaluation``    -- confusion matrix, reports, confident mistakes
- ``cnn_lectures.plotting``      -- figures for the notebooks (``ax=None``; never show or save)
- ``cnn_lectures.interpret``     -- saliency, Grad-CAM, activation maximisation, inversion

Submodules are imported on demand so that ``import cnn_lectures`` stays cheap
(TensorFlow is only loaded by the modules that need it).
"""

__version__ = "0.1.0"
