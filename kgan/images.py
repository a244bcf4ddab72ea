"""Image conversions at kgan's edges: float [-1, 1] inside, uint8 outside."""

import math
import os

import numpy as np


def to_uint8(images):
    """Converts float images in [-1, 1] to uint8: `clip(rint((x + 1) * 127.5))`.

    Args:
        images: float array, any shape.

    Returns:
        uint8 NumPy array of the same shape.

    Example:
    >>> to_uint8(np.array([-1.0, 0.0, 1.0]))
    array([  0, 128, 255], dtype=uint8)
    """
    images = np.asarray(images, dtype="float32")
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype("uint8")


def to_float(images):
    """Converts uint8 images to float32 in [-1, 1]: `x / 127.5 - 1`."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"Expected uint8 images. Received: dtype={images.dtype}")
    return images.astype("float32") / 127.5 - 1.0


def make_grid(images, columns=None, padding=2, background=255):
    """Tiles uint8 images `[N, H, W, C]` into one image `[rows*H', cols*W', C]`.

    Args:
        images: uint8 array `[N, H, W, C]` with C in (1, 3, 4).
        columns: images per row (default: about the square root of N).
        padding: pixels between images.
        background: value of the padding.

    Returns:
        uint8 array `[H_grid, W_grid, C]`.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.dtype != np.uint8:
        raise ValueError(
            "Expected uint8 images of shape (N, H, W, C). "
            f"Received: shape={images.shape}, dtype={images.dtype}"
        )
    n, height, width, channels = images.shape
    if n == 0:
        raise ValueError("Expected at least one image. Received: 0 images")
    columns = columns or int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / columns))
    grid = np.full(
        (
            rows * height + (rows + 1) * padding,
            columns * width + (columns + 1) * padding,
            channels,
        ),
        background,
        dtype=np.uint8,
    )
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        top = padding + row * (height + padding)
        left = padding + column * (width + padding)
        grid[top : top + height, left : left + width] = image
    return grid


def save_image(path, image):
    """Writes a uint8 image `[H, W, C]` (C in 1, 3, 4) to a PNG/JPEG file.

    Args:
        path: output file; its folder is created.
        image: uint8 array.

    Returns:
        The path.
    """
    from PIL import Image

    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    directory = os.path.dirname(os.fspath(path))
    if directory:
        os.makedirs(directory, exist_ok=True)
    Image.fromarray(image).save(path)
    return path


def save_grid(path, images, columns=None):
    """Saves uint8 images `[N, H, W, C]` as one grid image; returns the path."""
    return save_image(path, make_grid(images, columns=columns))
