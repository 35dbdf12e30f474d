"""Argument checks shared by the model builders (private).

Every builder validates its arguments before touching Keras, so a wrong call fails with a
message that names what was received and what to do, not a shape error deep in a layer.
"""

from cnn_lectures._validation import check_int, check_number
from cnn_lectures.shapes import conv_output_size


def check_input_shape(input_shape, *, rank=3):
    """``input_shape`` as a tuple of positive ints, (height, width, channels) by default."""
    layout = "(height, width, channels)" if rank == 3 else f"a tuple of {rank} sizes"
    if not isinstance(input_shape, (tuple, list)):
        raise TypeError(f"`input_shape` must be {layout}. Received: input_shape={input_shape!r}.")
    if len(input_shape) != rank:
        raise ValueError(f"`input_shape` must be {layout}. Received: input_shape={input_shape!r}.")
    return tuple(check_int(v, "input_shape", min_value=1) for v in input_shape)


def check_num_classes(num_classes):
    """``num_classes`` as an int >= 1."""
    return check_int(num_classes, "num_classes", min_value=1)


def check_dropout(rate):
    """``rate`` as a float in [0, 1)."""
    return check_number(rate, "dropout", min_value=0, max_value=1, include_max=False)


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
