"""Early checks of user input, with messages that name what was expected."""

import numpy as np


def _shape_of(x):
    return tuple(None if d is None else int(d) for d in x.shape)


def check_images(images, image_shape, name="images", check_values=True):
    """Checks a batch of images against a model's `(H, W, C)`.

    Args:
        images: an array or tensor `[N, H, W, C]`, float, values in [-1, 1].
        image_shape: the expected `(H, W, C)`.
        name: the argument's name for the message.
        check_values: also check the value range (needs concrete values).

    Raises:
        ValueError: wrong rank, size, channel count, an integer dtype or
            values outside [-1, 1].
    """
    shape = _shape_of(images)
    expected = (None,) + tuple(image_shape)
    if len(shape) != 4:
        raise ValueError(
            f"Expected `{name}` of rank 4 (batch, height, width, channels) with "
            f"shape {expected}. Received: {name}.shape={shape}"
        )
    if shape[1:3] != tuple(image_shape[:2]):
        raise ValueError(
            f"Expected `{name}` of size {image_shape[0]}x{image_shape[1]}, "
            f"shape {expected}. Received: {name}.shape={shape}"
        )
    if shape[3] != image_shape[2]:
        raise ValueError(
            f"Expected `{name}` with {image_shape[2]} channel(s), shape "
            f"{expected}. Received: {name}.shape={shape}"
        )
    dtype = str(getattr(images, "dtype", ""))
    if "int" in dtype or "bool" in dtype:
        raise ValueError(
            f"Expected `{name}` as floats in [-1, 1]. Received: "
            f"{name}.dtype={dtype}. Convert uint8 images with "
            "kgan.images.to_float (x / 127.5 - 1)."
        )
    if check_values:
        values = np.asarray(images, dtype="float32")
        low, high = float(values.min()), float(values.max())
        if not (np.isfinite(low) and np.isfinite(high)) or low < -1.001 or high > 1.001:
            raise ValueError(
                f"Expected `{name}` with values in [-1, 1]. Received: values in "
                f"[{low:g}, {high:g}]. Scale uint8 images with x / 127.5 - 1."
            )


def check_conditions(conditions, width, name="conditions"):
    """Checks conditions `[N, width]` (one-hot classes or multi-hot tags).

    Raises:
        ValueError: conditions missing, of the wrong rank or width.
    """
    if conditions is None:
        raise ValueError(
            f"Expected `{name}` of shape (batch, {width}). Received: None"
        )
    shape = _shape_of(conditions)
    if len(shape) != 2 or shape[1] != width:
        raise ValueError(
            f"Expected `{name}` of shape (batch, {width}). "
            f"Received: {name}.shape={shape}"
        )


def peek_batch(x, y=None):
    """The first batch of training data, without consuming it.

    Args:
        x: a NumPy array, a `keras.utils.PyDataset`, a `tf.data.Dataset`, or
            anything else (generators cannot be peeked).
        y: conditions passed beside array `x`.

    Returns:
        `(images, conditions)` as NumPy arrays, or `(None, None)` when the
        data cannot be looked at without consuming it.
    """
    batch = None
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        batch = (x, y)
    elif hasattr(x, "__getitem__") and hasattr(x, "on_epoch_end"):  # PyDataset
        batch = x[0]
    elif hasattr(x, "element_spec") and hasattr(x, "take"):  # tf.data
        batch = next(iter(x.take(1)))
    if batch is None:
        return None, None
    if isinstance(batch, (tuple, list)):
        images = batch[0]
        conditions = batch[1] if len(batch) > 1 else None
    else:
        images, conditions = batch, None
    to_numpy = lambda v: None if v is None else np.asarray(v)  # noqa: E731
    if hasattr(images, "numpy"):
        images = images.numpy()
    if hasattr(conditions, "numpy"):
        conditions = conditions.numpy()
    return to_numpy(images), to_numpy(conditions)
