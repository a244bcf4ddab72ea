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
        path: output file (its folder is created), or a binary file object,
            which gets a PNG.
        image: uint8 array.

    Returns:
        The path.
    """
    from PIL import Image

    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if not isinstance(path, (str, os.PathLike)):
        Image.fromarray(image).save(path, "PNG")
        return path
    directory = os.path.dirname(os.fspath(path))
    if directory:
        os.makedirs(directory, exist_ok=True)
    Image.fromarray(image).save(path)
    return path


def save_grid(path, images, columns=None):
    """Saves uint8 images `[N, H, W, C]` as one grid image; returns the path."""
    return save_image(path, make_grid(images, columns=columns))


def load_image(path):
    """Reads an image file as uint8 `[H, W, C]`: C is 1 (grey), 3 (RGB) or 4 (RGBA)."""
    from PIL import Image

    with Image.open(path) as image:
        if image.mode not in ("L", "RGB", "RGBA"):
            has_alpha = "A" in image.getbands() or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
        array = np.asarray(image)
    return array[..., None] if array.ndim == 2 else array


def split_alpha(image, background=255):
    """Composites a uint8 `[H, W, C]` image on a flat background.

    Args:
        image: uint8 array with C in (1, 2, 3, 4): grey, grey + alpha, RGB, RGBA.
        background: the grey level under transparent pixels (white).

    Returns:
        `(colour, alpha)`: uint8 `[H, W, 1 or 3]` without alpha, and the alpha
        channel `[H, W, 1]` (None for an opaque input).
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] not in (1, 2, 3, 4) or image.dtype != np.uint8:
        raise ValueError(
            "Expected a uint8 image of shape (height, width, channels) with 1-4 "
            f"channels. Received: shape={image.shape}, dtype={image.dtype}"
        )
    if image.shape[-1] in (1, 3):
        return image, None
    colour, alpha = image[..., :-1], image[..., -1:]
    weight = alpha.astype("float32") / 255.0
    blended = colour * weight + float(background) * (1.0 - weight)
    return np.clip(np.rint(blended), 0, 255).astype("uint8"), alpha


def as_image_list(images):
    """Splits model input into single images: `(list of images, single)`.

    `images` is one uint8 image `[H, W]` / `[H, W, C]` (then `single` is
    True), a batch `[N, H, W, C]`, or a list of images of different sizes.
    """
    single = isinstance(images, np.ndarray) and images.ndim in (2, 3)
    return ([images] if single else list(images)), single


def as_channels(image, channels, index=0):
    """One user image as a model input: `(colour, alpha)` with `channels` channels.

    Args:
        image: uint8 `[H, W]` or `[H, W, C]`, C in 1-4 (grey, grey + alpha,
            RGB, RGBA); alpha is composited on white and returned apart.
        channels: the channels the model takes (1 grey or 3 RGB).
        index: the image's position, for the error message.

    Returns:
        `(colour, alpha)`: uint8 `[H, W, channels]` and `[H, W, 1]` or None.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[-1] not in (1, 2, 3, 4):
        raise ValueError(
            "Expected uint8 images of shape (height, width) or (height, width, "
            f"channels) with 1-4 channels. Received: image {index} with "
            f"shape={image.shape}, dtype={image.dtype}"
        )
    colour, alpha = split_alpha(image)
    if channels == 1:
        colour = to_grey(colour)
    elif colour.shape[-1] == 1:
        colour = np.repeat(colour, channels, axis=-1)
    return colour, alpha


def to_grey(image):
    """uint8 `[H, W, 1 or 3]` -> uint8 `[H, W, 1]` (ITU-R 601 luma for RGB)."""
    image = np.asarray(image)
    if image.shape[-1] == 1:
        return image
    luma = image[..., :3].astype("float32") @ np.array([0.299, 0.587, 0.114], "float32")
    return np.clip(np.rint(luma), 0, 255).astype("uint8")[..., None]


def resize(image, height, width=None):
    """Resizes a uint8 `[H, W, C]` image with PIL's bicubic filter (area when shrinking)."""
    from PIL import Image

    width = height if width is None else width
    image = np.asarray(image)
    if image.shape[:2] == (height, width):
        return image
    shrinking = height < image.shape[0] and width < image.shape[1]
    method = Image.Resampling.BOX if shrinking else Image.Resampling.BICUBIC
    channels = [
        np.asarray(Image.fromarray(image[..., c]).resize((width, height), method))
        for c in range(image.shape[-1])
    ]
    return np.stack(channels, axis=-1)
