"""Line art from users' colour images, and image pairs from folders (pix2pix data).

`extract_line_art` turns colour images into dark lines on white paper with a
morphological edge detector: the grey image is dilated (a max filter), and a
pixel is as dark as it is darker than its brightest neighbour, so flat areas
of colour become white and the dark side of every edge becomes a line. It
needs NumPy only. `load_paired_folders` reads pairs made elsewhere (e.g.
sketches with their coloured versions), `line_art_pairs_from_folder` makes
the pairs from colour images alone.
"""

import os
from typing import NamedTuple

import numpy as np

from kgan import images as image_utils

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".bmp")
"""The file endings the folder readers take (case-insensitive)."""

_LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601, as PIL's "L"
_FLOAT_TOLERANCE = 1e-3
_EXAMPLES = 5  # names listed in an error message


class PairedImages(NamedTuple):
    """Source and target images paired by file name, as `load_paired_folders` returns.

    Attributes:
        sources: uint8 `[N, size, size, source_channels]`.
        targets: uint8 `[N, size, size, target_channels]`.
        names: tuple of `N` str, the file names without extension, sorted.
    """

    sources: np.ndarray
    targets: np.ndarray
    names: tuple


class LineArtPairs(NamedTuple):
    """Line art made from colour images, as `line_art_pairs_from_folder` returns.

    Attributes:
        line_art: uint8 `[N, size, size, 1]`, dark lines on white.
        colour: uint8 `[N, size, size, 3]`, RGB on white.
        names: tuple of `N` str, the file names without extension, sorted.
    """

    line_art: np.ndarray
    colour: np.ndarray
    names: tuple


def _check_int(name, value, minimum, example, odd=False):
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < minimum
        or (odd and value % 2 == 0)
    ):
        kind = "an odd int" if odd else "an int"
        raise ValueError(
            f"Argument `{name}` must be {kind} >= {minimum} (e.g. {example}); "
            f"received {value!r}."
        )
    return int(value)


def _check_number(name, value, low, high, example, low_open=False):
    number = None
    if not isinstance(value, bool) and isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        number = float(value)
    if (
        number is None
        or not np.isfinite(number)
        or number < low
        or (low_open and number == low)
        or number >= high
    ):
        bracket = "(" if low_open else "["
        raise ValueError(
            f"Argument `{name}` must be a number in {bracket}{low:g}, {high:g}) "
            f"(e.g. {example}); received {value!r}."
        )
    return number


def _check_channels(name, value):
    if isinstance(value, bool) or value not in (1, 3):
        raise ValueError(
            f"Argument `{name}` must be 1 (grey) or 3 (RGB); received {value!r}."
        )
    return int(value)


def _as_float_pixels(images):
    """uint8, or float in [-1, 1] -> `(float32 [N, H, W, C] in [0, 255], single)`."""
    array = np.asarray(images)
    if array.ndim not in (3, 4) or array.shape[-1] not in (1, 3, 4):
        raise ValueError(
            "Argument `images` must have shape [N, H, W, C] or [H, W, C] with "
            f"C in (1, 3, 4) (grey, RGB, RGBA); received shape {array.shape}."
        )
    single = array.ndim == 3
    if single:
        array = array[np.newaxis]
    if array.dtype == np.uint8:
        return array.astype(np.float32), single
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(
            "Argument `images` must be uint8 in [0, 255] or float in [-1, 1]; "
            f"received dtype {array.dtype}."
        )
    if array.size:
        low, high = float(np.min(array)), float(np.max(array))
        if not (
            np.isfinite(low)
            and np.isfinite(high)
            and low >= -1.0 - _FLOAT_TOLERANCE
            and high <= 1.0 + _FLOAT_TOLERANCE
        ):
            raise ValueError(
                "Argument `images` of a float dtype must hold values in "
                f"[-1, 1]; received values in [{low:g}, {high:g}]."
            )
    pixels = (np.clip(array.astype(np.float32), -1.0, 1.0) + 1.0) * 127.5
    return pixels, single


def _grey_on_white(pixels):
    """float `[N, H, W, C]` in [0, 255] -> grey `[N, H, W]`, composited on white."""
    if pixels.shape[-1] == 4:
        alpha = pixels[..., 3:] / 255.0
        pixels = pixels[..., :3] * alpha + 255.0 * (1.0 - alpha)
    if pixels.shape[-1] == 3:
        return pixels @ _LUMA
    return pixels[..., 0]


def _max_filter(grey, kernel_size):
    """The max over each `kernel_size`-square window of `[N, H, W]` (edge-padded)."""
    radius = kernel_size // 2
    height, width = grey.shape[1:]
    padded = np.pad(grey, ((0, 0), (radius, radius), (0, 0)), mode="edge")
    rows = padded[:, :height]
    for offset in range(1, kernel_size):
        rows = np.maximum(rows, padded[:, offset : offset + height])
    padded = np.pad(rows, ((0, 0), (0, 0), (radius, radius)), mode="edge")
    result = padded[:, :, :width]
    for offset in range(1, kernel_size):
        result = np.maximum(result, padded[:, :, offset : offset + width])
    return result


def _check_line_art_arguments(kernel_size, threshold, contrast):
    return (
        _check_int("kernel_size", kernel_size, 3, 3, odd=True),
        _check_number("threshold", threshold, 0.0, 255.0, 8),
        _check_number("contrast", contrast, 0.0, np.inf, 2.0, low_open=True),
    )


def extract_line_art(images, kernel_size=3, threshold=8, contrast=2.0):
    """Draws line art from colour images: dark lines on white, uint8, 1 channel.

    Each image is composited on white (if it has alpha) and made grey; a max
    filter of `kernel_size` x `kernel_size` dilates it, and the difference
    `dilated - grey` (how much darker a pixel is than its brightest
    neighbour: 0 in flat areas, large on the dark side of an edge) becomes
    the ink: `255 - clip(contrast * (difference - threshold), 0, 255)`.
    Edges between colours of the same brightness draw no line.

    Args:
        images: uint8 in [0, 255] or float in [-1, 1], shape
            `[N, H, W, C]` or one image `[H, W, C]`, with C 1 (grey), 3
            (RGB) or 4 (RGBA, composited on white).
        kernel_size: odd int >= 3, the side of the max filter; larger
            draws thicker lines.
        threshold: number in [0, 255), the grey-level difference at or
            below which a pixel stays white (hides noise, JPEG artefacts and
            gentle shading).
        contrast: number > 0, the gain from difference to ink; a difference
            of `threshold + 255 / contrast` or more is black.

    Returns:
        uint8 line art `[N, H, W, 1]` (`[H, W, 1]` for one image): 255 on
        flat areas, darker along edges.

    Raises:
        ValueError: if an argument has the wrong shape, dtype or range.

    Example:

    >>> image = np.full((32, 32, 3), 255, np.uint8)
    >>> image[8:24, 8:24] = (200, 30, 40)  # a red square on white
    >>> lines = extract_line_art(image)
    >>> lines.shape, int(lines[8, 16, 0]), int(lines[16, 16, 0]), int(lines[2, 2, 0])
    ((32, 32, 1), 0, 255, 255)
    """
    kernel_size, threshold, contrast = _check_line_art_arguments(
        kernel_size, threshold, contrast
    )
    pixels, single = _as_float_pixels(images)
    grey = _grey_on_white(pixels)
    difference = _max_filter(grey, kernel_size) - grey
    ink = np.clip(contrast * (difference - threshold), 0.0, 255.0)
    lines = np.clip(np.rint(255.0 - ink), 0, 255).astype(np.uint8)[..., np.newaxis]
    return lines[0] if single else lines


def _image_files(folder, argument):
    """Maps each stem to its image file in `folder`; raises if missing or ambiguous."""
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"Argument `{argument}` must be a folder of images; {folder!r} is "
            "not a folder."
        )
    files, clashes = {}, []
    for name in sorted(os.listdir(folder)):
        stem, extension = os.path.splitext(name)
        path = os.path.join(folder, name)
        if (
            name.startswith(".")
            or extension.lower() not in IMAGE_EXTENSIONS
            or not os.path.isfile(path)
        ):
            continue
        if stem in files:
            clashes.append(f"{os.path.basename(files[stem])} / {name}")
        files[stem] = path
    if clashes:
        raise ValueError(
            f"The folder {folder!r} (`{argument}`) holds images that differ "
            f"only in their extension, so they cannot be paired by name: "
            f"{clashes[:_EXAMPLES]}."
        )
    return files


def _read_image(path, size, channels):
    """Reads one image: composited on white, grey or RGB, resized to `size` x `size`."""
    try:
        image = image_utils.load_image(path)
    except Exception as error:  # PIL raises several types for a bad file
        raise ValueError(f"Could not read the image {path!r}: {error}") from error
    colour, _ = image_utils.split_alpha(image)
    if channels == 1:
        colour = image_utils.to_grey(colour)
    elif colour.shape[-1] == 1:
        colour = np.repeat(colour, 3, axis=-1)
    return image_utils.resize(colour, size)


def _read_images(paths, size, channels):
    images = np.empty((len(paths), size, size, channels), np.uint8)
    for index, path in enumerate(paths):
        images[index] = _read_image(path, size, channels)
    return images


def load_paired_folders(
    source_dir, target_dir, size=64, source_channels=1, target_channels=3
):
    """Loads image pairs from two folders, paired by file name, as uint8.

    `source_dir/cat.png` pairs with `target_dir/cat.jpg`: the names without
    extension must match one to one (`.png`, `.jpg`, `.jpeg`, `.webp`,
    `.bmp`; other files are ignored). Each image is composited on white if
    it has alpha, made grey or RGB, and resized to `size` x `size` with PIL
    (box filter when shrinking, bicubic when enlarging; the aspect ratio is
    not kept).

    Args:
        source_dir: str or path-like, the folder of model inputs (e.g. line
            art).
        target_dir: str or path-like, the folder of model outputs (e.g. the
            coloured images).
        size: positive int, the side of the images.
        source_channels: 1 (grey) or 3 (RGB), the channels of `sources`.
        target_channels: 1 (grey) or 3 (RGB), the channels of `targets`.

    Returns:
        A `PairedImages` `(sources, targets, names)`: uint8
        `[N, size, size, source_channels]`, uint8
        `[N, size, size, target_channels]` and the `N` names, sorted.

    Raises:
        FileNotFoundError: if a folder does not exist.
        ValueError: if a folder holds no images, a name has no partner in
            the other folder (a few are listed), or an argument is out of
            range.

    Example:

    >>> sources, targets, names = load_paired_folders("sketches/", "colour/")
    >>> sources.shape, targets.shape
    ((120, 64, 64, 1), (120, 64, 64, 3))
    """
    size = _check_int("size", size, 1, 64)
    source_channels = _check_channels("source_channels", source_channels)
    target_channels = _check_channels("target_channels", target_channels)
    sources = _image_files(source_dir, "source_dir")
    targets = _image_files(target_dir, "target_dir")
    names = sorted(set(sources) & set(targets))
    only_source = sorted(set(sources) - set(targets))
    only_target = sorted(set(targets) - set(sources))
    if only_source or only_target or not names:
        problems = []
        if not sources:
            problems.append(f"`source_dir` {os.fspath(source_dir)!r} holds no images")
        if not targets:
            problems.append(f"`target_dir` {os.fspath(target_dir)!r} holds no images")
        if only_source:
            problems.append(
                f"{len(only_source)} source images have no target of the same "
                f"name, e.g. {only_source[:_EXAMPLES]}"
            )
        if only_target:
            problems.append(
                f"{len(only_target)} target images have no source of the same "
                f"name, e.g. {only_target[:_EXAMPLES]}"
            )
        raise ValueError(
            "Expected images with the same names (without extension; "
            f"{', '.join(IMAGE_EXTENSIONS)}) in both folders; "
            + "; ".join(problems)
            + "."
        )
    return PairedImages(
        _read_images([sources[name] for name in names], size, source_channels),
        _read_images([targets[name] for name in names], size, target_channels),
        tuple(names),
    )


def line_art_pairs_from_folder(
    colour_dir, size=64, kernel_size=3, threshold=8, contrast=2.0
):
    """Makes line art and colour pairs from a folder of colour images.

    Each image is read as `load_paired_folders` reads a target (composited
    on white, RGB, resized to `size` x `size`), then `extract_line_art`
    draws its line art at that size.

    Args:
        colour_dir: str or path-like, a folder of images (`.png`, `.jpg`,
            `.jpeg`, `.webp`, `.bmp`).
        size: positive int, the side of the images.
        kernel_size: odd int >= 3, the max filter of `extract_line_art`.
        threshold: number in [0, 255), see `extract_line_art`.
        contrast: number > 0, see `extract_line_art`.

    Returns:
        A `LineArtPairs` `(line_art, colour, names)`: uint8
        `[N, size, size, 1]`, uint8 `[N, size, size, 3]` and the `N` file
        names without extension, sorted.

    Raises:
        FileNotFoundError: if the folder does not exist.
        ValueError: if it holds no images, or an argument is out of range.

    Example:

    >>> line_art, colour, names = line_art_pairs_from_folder("my_art/", 64)
    >>> line_art.shape[1:], colour.shape[1:]
    ((64, 64, 1), (64, 64, 3))
    """
    size = _check_int("size", size, 1, 64)
    _check_line_art_arguments(kernel_size, threshold, contrast)
    files = _image_files(colour_dir, "colour_dir")
    if not files:
        raise ValueError(
            f"Argument `colour_dir` must be a folder holding images "
            f"({', '.join(IMAGE_EXTENSIONS)}); {os.fspath(colour_dir)!r} holds "
            "none."
        )
    names = sorted(files)
    colour = _read_images([files[name] for name in names], size, 3)
    line_art = extract_line_art(
        colour, kernel_size=kernel_size, threshold=threshold, contrast=contrast
    )
    return LineArtPairs(line_art, colour, tuple(names))
