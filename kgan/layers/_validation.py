"""Argument and shape checks shared by the layers in `kgan.layers`."""

import numbers


def check_positive_int(name, value):
    """Returns `value` as an int, or raises ValueError if it is not an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(
            f"Argument `{name}` must be a positive integer. Received: {name}={value!r}"
        )
    return int(value)


def check_positive_float(name, value):
    """Returns `value` as a float, or raises ValueError if it is not a number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(
            f"Argument `{name}` must be a positive number. Received: {name}={value!r}"
        )
    return float(value)


def check_kernel_size(name, value):
    """Returns `value` as a pair of positive ints (an int means a square kernel)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value, value)
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or any(
            isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1
            for v in value
        )
    ):
        raise ValueError(
            f"Argument `{name}` must be a positive integer or a tuple of 2 positive "
            f"integers. Received: {name}={value!r}"
        )
    return (int(value[0]), int(value[1]))


def check_choice(name, value, choices):
    """Returns `value`, or raises ValueError if it is not one of `choices`."""
    if value not in choices:
        raise ValueError(
            f"Argument `{name}` must be one of {list(choices)}. Received: {name}={value!r}"
        )
    return value


def check_rank(layer_name, input_shape, rank, what):
    """Raises ValueError unless `input_shape` has `rank` dimensions."""
    input_shape = tuple(input_shape)
    if len(input_shape) != rank:
        raise ValueError(
            f"{layer_name} expects inputs of rank {rank} ({what}). "
            f"Received: input_shape={input_shape}"
        )
    return input_shape


def check_known_channels(layer_name, input_shape):
    """Raises ValueError if the last (channel) dimension of `input_shape` is unknown."""
    if input_shape[-1] is None:
        raise ValueError(
            f"{layer_name} needs a known last (channel) dimension. "
            f"Received: input_shape={tuple(input_shape)}"
        )
    return int(input_shape[-1])
