"""Argument checks shared by the model builders (private).

Every builder validates its arguments before touching Keras, so a wrong call fails with a
message that names what was received and what to do, not a shape error deep in a layer.
"""

from numbers import Integral

from cnn_lectures.shapes import conv_output_size


def positive_int(value, name, *, minimum=1):
    """``value`` as an int if it is an integer >= ``minimum``; else a TypeError/ValueError."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"`{name}` must be an integer. Received: {name}={value!r}")
    if value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}. Received: {name}={value!r}")
    return int(value)


def check_input_shape(input_shape, *, rank=3):
    """``input_shape`` as a tuple of positive ints, (height, width, channels) by default."""
    layout = "(height, width, channels)" if rank == 3 else f"a tuple of {rank} sizes"
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != rank:
        raise ValueError(f"`input_shape` must be {layout}. Received: input_shape={input_shape!r}")
    if any(isinstance(v, bool) or not isinstance(v, Integral) or v < 1 for v in input_shape):
        raise ValueError(
            f"`input_shape` must hold positive integers. Received: input_shape={input_shape!r}"
        )
    return tuple(int(v) for v in input_shape)


def check_num_classes(num_classes):
    """``num_classes`` as an int >= 1."""
    return positive_int(num_classes, "num_classes")


def check_dropout(rate):
    """``rate`` as a float in [0, 1)."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise ValueError(f"`dropout` must be a number in [0, 1). Received: dropout={rate!r}")
    return float(rate)


def classifier_activation(num_classes):
    """Softmax over classes; a single output unit gets a sigmoid (binary probability)."""
    return "sigmoid" if num_classes == 1 else "softmax"


def check_fits(input_shape, steps, *, model):
    """Check that ``steps`` ((kernel, stride, padding) per layer) leave at least one pixel.

    Raises a ValueError that names the smallest input side that works.
    """

    def fits(n):
        try:
            for kernel, stride, padding in steps:
                n = conv_output_size(n, kernel, stride=stride, padding=padding)
        except ValueError:
            return False
        return True

    small = min(input_shape[:2])
    if not fits(small):
        minimum = next(n for n in range(small + 1, 4096) if fits(n))
        raise ValueError(
            f"{model} needs inputs of at least {minimum}x{minimum} pixels: its convolutions and "
            f"pooling would shrink a {small}-pixel side to nothing. Received: "
            f"input_shape={tuple(input_shape)}. Resize or pad the images."
        )


def check_divisible(input_shape, factor, *, model, reason):
    """Height and width must be multiples of ``factor`` (e.g. 2**depth for a U-Net)."""
    if input_shape[0] % factor or input_shape[1] % factor:
        raise ValueError(
            f"{model}: height and width must be multiples of {factor} ({reason}). "
            f"Received: input_shape={tuple(input_shape)}"
        )
