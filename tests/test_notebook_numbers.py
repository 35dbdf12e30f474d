"""The lectures' worked numbers must appear in the notebooks' stored outputs.

nbval re-runs every notebook and compares its outputs with the stored ones; this test makes
sure the stored ones still contain each number the lectures work out, so an edit cannot
silently drop one. Each entry: notebook -> substrings of its stdout / text results.
"""

import json
import re
from pathlib import Path

import pytest

from cnn_lectures.results import is_output_of_record

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

WORKED_NUMBERS = {
    "01_neurons_and_forward_propagation": [
        "z = (0.4)·(0.5) + (0.3)·(-1.0) + (-0.2)·(2.0) + 0.1 = -0.400",  # a neuron
        "parameters: 16 + 10 = 26; Keras counts 26",  # an FC layer by hand and as Dense
        "label: 6  image: (28, 28) -> flattened: (784,)",  # 28×28 -> 784 inputs
        "28×28×1: n_i = 784 inputs -> n_i·n_o = 614,656 weights",  # W²H²3² for 28×28
        "224×224×3: n_i = 150,528 inputs -> n_i·n_o = 22,658,678,784 weights",  # and for 224×224×3
        "check W²·H²·3² for 224×224×3: 22,658,678,784",
    ],
    "02_backpropagation": [
        "q = x + y = 3",  # lecture 001: f = (x + y)·z at x = -2, y = 5, z = -4
        "∂f/∂x = ∂f/∂q · ∂q/∂x = -4 × 1 = -4",
        "∂f/∂y = ∂f/∂q · ∂q/∂y = -4 × 1 = -4",
        "∂f/∂z = q = 3",
        "y_P = 1/(1 + e^-P) = 0.880",  # lecture 000: label 0, y_P ≈ 0.88
        "dL/dy_P = -(y_i - y_P)/((1 - y_P)·y_P) = 8.33",
        "dP/d0 = w_0P = 0.3",
        "d0/dw10 = x_0 = 2",
        "slide: dL/dw10 = 8.33 × 0.107 × 0.3 × 2 = 0.535",
        "exact: dL/dw10 = 8.333 × 0.1056 × 0.3 × 2 = 0.528",  # where the slide's rounding lands
        "dL/dw10: chain by hand 0.528 | scratch 0.528 | GradientTape 0.528 | numerical 0.528",
        "w10_new = w10 - η · dL/dw10 = 0.5 - 0.1 × 0.528 = 0.4472",  # the update rule
        "backward: ȳ = y - t = -0.332",  # lecture 003: univariate logistic least squares
        "df/dt: by hand 2.4105 | GradientTape 2.4105 | numerical 2.4105",  # f = y + e^{xy}
        "w̄ = z̄·x + R̄·w = -0.1104 + 0.0800 = -0.0304",  # the L2-regularised version
        "W̄(2): (2, 4)   W̄(1): (4, 3)",  # the vectorised MLP backward pass
    ],
    "03_feedforward_networks_and_xor": [
        "its predictions: [0.5 0.5 0.5 0.5]",  # a linear model's MSE optimum
        "its MSE J = 0.250",
        "hidden: kernel (2, 2) = [[1.0, 1.0], [1.0, 1.0]], bias (2,) = [0.0, -1.0]",  # the exact ReLU solution
        "output: kernel (2, 1) = [[1.0], [-2.0]], bias (1,) = [0.0]",
        "predictions: [0, 1, 1, 0]",  # exact weights and the trained 2-2-1 MLP
        "correct: True",
        "∂L/∂z cross-entropy  -0.9975",  # why MSE / MAE learn slowly through a saturated sigmoid
        "∂L/∂z MSE            -0.0049",
    ],
    "04_activation_functions": [
        "max |tanh(z) - (2σ(2z) - 1)| on [-6, 6]: below 1e-12? True",  # tanh = 2σ(2z) - 1
        "leaky_relu:   [-0.2  -0.05  0.    0.5   2.  ]",  # leaky ReLU 0.1x
        "forward agrees: True",  # the small Maxout layer
        "backward agrees: True",
    ],
    "05_convolution": [
        "image (6, 6) → padded (8, 8)",  # lecture 000's padding example
        "sum = -10",
        "[[-10   2   1  -5   7  15]\n [-15   3   0  -9  11  24]\n [-13   8   0 -10   1  24]\n"
        " [ -9  -2   0  -9  -4  24]\n [ -4  -3  -2  -3  -7  17]\n [ -3  -7  -1   1  -1  10]]",
        "TensorFlow gives the same 6×6 matrix: True",
        "RGB image shape (height, width, channels): (2, 3, 3)",  # RGB as three matrices
        "image (32, 32, 3) * six 5×5×3 filters (5, 5, 3, 6) → (28, 28, 6)",
        "stride 1: 7×7 input → 5×5 output = 25 values",
        "stride 1: 49 inputs → 25 outputs with 9 weights",
        "n =  7: k = 3, s = 1, p = 1 → 7",  # k = 3, s = 1, p = 1 keeps the size
        "one 5×5×3 kernel: 5·5·3 + 1 = 76",  # H×W×C + 1 per kernel
        "six kernels: 456 | Keras: 456",
        "Dense 3,072 → 4,704: 14,455,392 parameters | Keras: 14,455,392",  # weight sharing
        "receptive field 5×5 = 25 pixels",  # two stacked 3×3
        "receptive field 7×7 = 49 pixels",  # three stacked 3×3
        "27·C² = 110,592",  # lecture 004: 3·(3²C²) ...
        "49·C² = 200,704",  # ... vs 7²C²
    ],
    "06_pooling": [
        "max pooling    : [7. 4.]",  # lecture 002's example
        "average pooling: [1.75 1.25]",
        "Keras agrees: True True",
        "gradient through max pooling:\n [[ 0.5  0.   0.   0. ]\n [ 0.   0.  -2.   0. ]]",  # argmax only
        "max pooling: GradientTape gives the same gradient: True",
        "max pooling: 5.0 | average pooling: 0.0",  # why average can be a poor choice
    ],
    "07_backprop_through_conv_and_pool": [
        "df/dG matches: True",  # lecture 004's ∂f/∂G as a correlation
        "df/dI matches: True",  # and ∂f/∂I
        "df/dG matches conv2d_backward: True",
        "df/dI matches conv2d_backward: True",
        "conv_w: backprop vs numerical, relative error < 1e-6: True",
        "loss went down: True",  # a tiny CNN trained with the scratch layers alone
        "largest |NumPy − Keras| loss difference < 1e-6: True",  # beside the same CNN in Keras
    ],
    "08_digit_recognizer_cnn": [
        "(42000, 785)",  # lecture 003: train.csv, label + 784 pixels
        "first five labels: 1, 0, 1, 4, 0",
        "x_train shape: (42000, 28, 28, 1)\ntest shape:    (28000, 28, 28, 1)",  # reshape
        "x_train shape (37800, 28, 28, 1)\nx_val shape   (4200, 28, 28, 1)\ny_train shape (37800, 10)",  # the split
        "208 + 1,168 + 200,960 + 2,570 = 204,906 | Keras: 204,906",  # the model summary
        "y_train shape (37800, 10) -> encoded again: (37800, 10, 10)",  # the slide's (37800, 10, 10), explained
        "labels: (37800, 10) | model output: (None, 10)",  # and fixed
        "confusion matrix shape: (10, 10) | images counted: 4200",
        "columns: ['ImageId', 'Label'] | rows: 28000",  # submission.csv
    ],
    "09_performance_tuning": [
        "x_train (37800, 28, 28, 1) | y_train (37800, 10) | x_val (4200, 28, 28, 1) | y_val (4200, 10)",
        "(8, 16) 204,906 parameters",  # the lecture's widths, and the sweep's others
        "(16, 32) 409,290 parameters",
    ],
    "10_cnn_architectures": [
        "total         61,706  keras:  61,706",  # LeNet-5
        "fc6 (the first fully connected layer): 37,752,832 = 60.5% of them",  # AlexNet
        "keras.applications.VGG16(weights=None):     138,357,544 parameters",
        "C =  64: three 3×3 layers    110,592 weights (27C²), one 7×7 layer    200,704 (49C²), ratio 0.55",
        "the 1×1 reductions save 58% of the multiply-adds",  # GoogLeNet's inception module
        "parameters: 6,998,552; the only dense layer (the classifier): 1,025,000 = 14.6%",
        "ResNet-152 bottleneck blocks (3, 8, 36, 3): 1 + 3 × 50 + 1 = 152 layers with weights",
    ],
    "11_transfer_learning": [
        "cnn_digits_0_4: 203,621 parameters",
        " 2 block1_conv, block2_conv   202,245         1,376",  # trainable / non-trainable, N = 2 frozen
        " 1              block1_conv   203,413           208",
        "conv layers: 53 = 49 on the main path + 4 on shortcuts",  # ResNet-50
        "ResNet-50 parameters: 23,587,712 without its ImageNet output layer, 25,636,712 with it",
    ],
    "12_visualizing_what_cnns_learn": [
        "block1_conv kernel (kh, kw, c_in, c_out): (5, 5, 1, 8)",  # first-layer filters
        "block2_pool  output shape (None, 7, 7, 16)",  # feature maps layer by layer
        "saliency: (28, 28) | Grad-CAM: (28, 28) from (14, 14) | occlusion: (28, 28)",
        "projection: (28, 28) | equals the filter on its patch, zeros elsewhere: True",  # deconvnet-style
        "every projection is 0 outside the unit's receptive field: True",
    ],
    "13_autoencoders_and_unets": [
        "autoencoder: 70,577 parameters (encoder 29,904 + decoder 40,673)",
        "image (None, 28, 28, 1) → code (None, 16) → reconstruction (None, 28, 28, 1)",  # dimensionality reduction
        "2-D autoencoder: 26,659 parameters; code shape (None, 2)",  # the 2-D latent space
        "U-Net: 29,321 parameters; output (None, 28, 28, 1)",
        "up1_concat    (None, 28, 28, 16)",  # the skip connection
    ],
}


def stored_output_text(name):
    """stdout and text results nbval compares (not NBVAL_IGNORE_OUTPUT cells, nor record()'s lines)."""
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    texts = []
    for cell in notebook["cells"]:
        if "NBVAL_IGNORE_OUTPUT" in "".join(cell.get("source", "")):
            continue  # a number printed there could change without nbval noticing
        for output in cell.get("outputs", []):
            if is_output_of_record(output):
                continue  # record()'s line is compared within a tolerance, not as text
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                texts.append("".join(output["text"]))
            for kind in ("text/plain",):
                if kind in output.get("data", {}):
                    texts.append("".join(output["data"][kind]))
    return ANSI.sub("", "\n".join(texts))


@pytest.mark.parametrize("name", sorted(WORKED_NUMBERS))
def test_stored_outputs_contain_the_lectures_worked_numbers(name):
    text = stored_output_text(name)
    missing = [number for number in WORKED_NUMBERS[name] if number not in text]
    assert not missing, f"{name}.ipynb no longer shows: {missing}"


def test_every_numbered_notebook_is_listed_or_new():
    present = {path.stem for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    assert set(WORKED_NUMBERS) <= present, f"listed but missing: {set(WORKED_NUMBERS) - present}"
