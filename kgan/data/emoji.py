"""Google's Noto emoji (Apache-2.0) from the npm package `emoji-datasource-google`.

The package holds one 64x64 RGBA PNG per emoji in `img/google/64/` and
`emoji.json`, one entry per emoji with its `image` file name, `category`,
`subcategory` and `short_name`. kgan composites each PNG onto a white canvas
and keeps RGB: the data of the `dcgan_emoji_64` preset. Nothing is downloaded
from Python: install the package once with npm (`install_emoji_package()` runs
the command), then `load_emoji()` builds the arrays and caches them as an
`.npz` file in kgan's cache folder.
"""

import hashlib
import json
import os
import shutil
import subprocess

import numpy as np

from kgan.data import _cache
from kgan.data import _npm
from kgan.data.arrays import as_dataset
from kgan.data.arrays import to_float_images

EMOJI_PACKAGE = "emoji-datasource-google"
"""The npm package holding the images and `emoji.json`."""

EMOJI_VERSION = "16.0.0"
"""The package version kgan's presets were trained on."""

EMOJI_DIR_ENV = "KGAN_EMOJI_DIR"
"""The environment variable naming the package directory, if not in the cache."""

EMOJI_LICENSE = "Apache-2.0"
"""Licence of the Google (Noto) emoji images; the package's code and JSON are MIT."""

EMOJI_SOURCE = "npm emoji-datasource-google"

EMOJI_CATEGORIES = (
    "Activities",
    "Animals & Nature",
    "Component",
    "Flags",
    "Food & Drink",
    "Objects",
    "People & Body",
    "Smileys & Emotion",
    "Symbols",
    "Travel & Places",
)
"""The sorted emoji categories (Unicode's groups); labels index this tuple."""

NATIVE_SIZE = 64
"""Side of the PNGs in `img/google/64/`."""

_IMAGE_SUBDIR = os.path.join("img", "google", "64")
_CATEGORY_INDEX = {name: index for index, name in enumerate(EMOJI_CATEGORIES)}
_CACHE_FORMAT = 1

# `shutil` and `subprocess` stay attributes of this module for code that
# patches `emoji.shutil.which` or `emoji.subprocess.run`: `_npm` calls the
# same module functions.
_PATCHABLE_MODULES = (shutil, subprocess)


def _cache_dir():
    return _npm.kgan_cache_dir()


def _install_command(version=EMOJI_VERSION):
    return _npm.install_command(EMOJI_PACKAGE, version)


def emoji_package_dir(package_dir=None):
    """Returns the directory of the `emoji-datasource-google` npm package.

    Resolved in order: the `package_dir` argument, the `KGAN_EMOJI_DIR`
    environment variable, then `<cache>/npm/node_modules/
    emoji-datasource-google`, where `<cache>` is `kgan.zoo.download.
    cache_dir()` (`$KGAN_HOME`, else `~/.cache/kgan`). The directory is not
    checked; `load_emoji` does that.

    Args:
        package_dir: str or path-like, or None.

    Returns:
        The directory, as a str.

    Example:

    >>> emoji_package_dir("/opt/emoji-datasource-google")
    '/opt/emoji-datasource-google'
    """
    return _npm.npm_package_dir(EMOJI_PACKAGE, EMOJI_DIR_ENV, package_dir)


def install_emoji_package(version=EMOJI_VERSION):
    """Installs `emoji-datasource-google` with npm into kgan's cache folder.

    Runs `npm install --no-audit --no-fund --prefix <cache>/npm
    emoji-datasource-google@<version>`, which needs `npm` on the PATH and
    access to the npm registry (about 60 MB).

    Args:
        version: str, the package version (or any npm version range).

    Returns:
        The package directory, as `emoji_package_dir()` resolves it when
        neither argument nor environment variable is set.

    Raises:
        FileNotFoundError: if `npm` is not on the PATH.
        RuntimeError: if npm fails.

    Example:

    >>> install_emoji_package()  # doctest: +SKIP
    '/home/me/.cache/kgan/npm/node_modules/emoji-datasource-google'
    """
    version = _npm.check_version(version, EMOJI_VERSION)
    return _npm.install_npm_package(EMOJI_PACKAGE, version)


def _missing_package_error(package_dir, what):
    return FileNotFoundError(
        f"The {EMOJI_PACKAGE} npm package was not found: {what} in "
        f"{package_dir!r}. Install it once with\n"
        f"    {_npm.shell_command(_install_command())}\n"
        "(or call kgan.data.install_emoji_package()), or point the "
        f"{EMOJI_DIR_ENV} environment variable (or the `package_dir=` "
        f"argument) at a directory holding its emoji.json and {_IMAGE_SUBDIR}/."
    )


def _read_package(package_dir):
    """Returns `(version, emoji.json bytes)`; raises if the package is missing."""
    json_path = os.path.join(package_dir, "emoji.json")
    if not os.path.isfile(json_path):
        raise _missing_package_error(package_dir, "no emoji.json")
    try:
        with open(os.path.join(package_dir, "package.json"), "rb") as file:
            version = str(json.load(file).get("version", "unknown"))
    except (OSError, ValueError):
        version = "unknown"
    with open(json_path, "rb") as file:
        return version, file.read()


def _check_background(background):
    try:
        values = np.asarray(background)
    except ValueError:
        values = np.asarray([])
    if values.ndim == 0:
        values = np.repeat(values, 3)
    if (
        values.shape != (3,)
        or values.dtype.kind not in "iu"
        or values.min() < 0
        or values.max() > 255
    ):
        raise ValueError(
            "Argument `background` must be an int in [0, 255] or three such "
            f"ints (R, G, B); received {background!r}."
        )
    return tuple(int(v) for v in values)


def _check_size(size):
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(
            f"Argument `size` must be a positive int (e.g. 64 or 32); "
            f"received {size!r}."
        )
    return int(size)


def _entries(emoji_json, skin_tones):
    """Yields `(image file name, category)` for each emoji with a Google image."""
    try:
        emojis = json.loads(emoji_json)
    except ValueError as error:
        raise ValueError(f"emoji.json is not valid JSON: {error}") from error
    if not isinstance(emojis, list):
        raise ValueError(
            "emoji.json must hold a list of emoji entries; received a "
            f"{type(emojis).__name__}."
        )
    for emoji in emojis:
        if not emoji.get("has_img_google") or not emoji.get("image"):
            continue
        category = emoji.get("category")
        if category not in _CATEGORY_INDEX:
            raise ValueError(
                f"emoji.json entry {emoji.get('short_name')!r} has category "
                f"{category!r}, expected one of {list(EMOJI_CATEGORIES)}."
            )
        yield emoji["image"], category
        if skin_tones:
            for variant in (emoji.get("skin_variations") or {}).values():
                if variant.get("has_img_google") and variant.get("image"):
                    yield variant["image"], category


def _composite(path, size, background):
    """Reads one PNG, composites it onto `background` and resizes it to `size`."""
    from PIL import Image

    with Image.open(path) as image:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float32)
    alpha = rgba[..., 3:] / 255.0
    canvas = np.asarray(background, dtype=np.float32)
    rgb = rgba[..., :3] * alpha + canvas * (1.0 - alpha)
    rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    if rgb.shape[:2] != (size, size):
        resized = Image.fromarray(rgb, "RGB").resize(
            (size, size), Image.Resampling.LANCZOS
        )
        rgb = np.asarray(resized, dtype=np.uint8)
    return rgb


def _build(package_dir, emoji_json, size, background, skin_tones):
    import tqdm

    image_dir = os.path.join(package_dir, _IMAGE_SUBDIR)
    if not os.path.isdir(image_dir):
        raise _missing_package_error(package_dir, f"no {_IMAGE_SUBDIR}/ folder")
    found = []
    for file_name, category in _entries(emoji_json, skin_tones):
        path = os.path.join(image_dir, file_name)
        if os.path.isfile(path):
            found.append((path, _CATEGORY_INDEX[category]))
    if not found:
        raise _missing_package_error(
            package_dir, f"no PNG named in emoji.json exists in {_IMAGE_SUBDIR}/"
        )
    images = np.empty((len(found), size, size, 3), dtype=np.uint8)
    labels = np.array([label for _, label in found], dtype=np.int32)
    progress = tqdm.tqdm(found, desc=f"emoji {size}x{size}", unit="img", leave=False)
    for index, (path, _) in enumerate(progress):
        images[index] = _composite(path, size, background)
    return images, labels


def _cache_path(size, background, skin_tones):
    name = f"emoji_google_{size}"
    if skin_tones:
        name += "_skin"
    if background != (255, 255, 255):
        name += "_bg{}-{}-{}".format(*background)
    return os.path.join(_cache_dir(), "datasets", name + ".npz")


def _read_cache(path, key):
    """Returns the cached `(images, labels)` if `path` holds them for `key`."""
    cached = _cache.read_arrays(path, key, ("images", "labels"))
    return None if cached is None else (cached[0], cached[1].astype(np.int32))


def _write_cache(path, key, images, labels):
    _cache.write_arrays(path, key, images=images, labels=labels)


def load_emoji_uint8(
    size=64, package_dir=None, background=255, cache=True, skin_tones=False
):
    """Loads the Google emoji as uint8 RGB images on white, with category labels.

    The arrays are built once (a progress bar shows) and cached in
    `<cache>/datasets/emoji_google_<size>.npz` (`<cache>` is `$KGAN_HOME`,
    else `~/.cache/kgan`), keyed by the package version and the content of
    its emoji.json; a later call reads only that file.

    Args:
        size: positive int, the side of the images; PNGs that are not
            `size` x `size` (the package's are 64x64) are resized with PIL's
            LANCZOS filter after compositing.
        package_dir: the `emoji-datasource-google` directory; see
            `emoji_package_dir`.
        background: int in [0, 255], or (R, G, B), the canvas colour each
            PNG is alpha-composited onto: `rgb * a + background * (1 - a)`.
        cache: bool, whether to read and write the `.npz` cache.
        skin_tones: bool, whether to add each emoji's skin-tone variants
            (all in "People & Body") after it. The default keeps the
            top-level entries of emoji.json only.

    Returns:
        A tuple `(images, labels)`: uint8 `[N, size, size, 3]` and int32
        `[N]` indices into `EMOJI_CATEGORIES`, in emoji.json's order.

    Raises:
        FileNotFoundError: if the package is not installed.
        ValueError: if an argument is out of range.

    Example:

    >>> images, labels = load_emoji_uint8()
    >>> images.shape, EMOJI_CATEGORIES[labels[0]]
    ((1911, 64, 64, 3), 'Symbols')
    """
    size = _check_size(size)
    background = _check_background(background)
    skin_tones = bool(skin_tones)
    package_dir = emoji_package_dir(package_dir)
    version, emoji_json = _read_package(package_dir)
    key = {
        "format": _CACHE_FORMAT,
        "package": EMOJI_PACKAGE,
        "version": version,
        "emoji_json_sha256": hashlib.sha256(emoji_json).hexdigest(),
        "size": size,
        "background": list(background),
        "skin_tones": skin_tones,
    }
    path = _cache_path(size, background, skin_tones)
    if cache and os.path.isfile(path):
        cached = _read_cache(path, key)
        if cached is not None:
            return cached
    images, labels = _build(package_dir, emoji_json, size, background, skin_tones)
    if cache:
        _write_cache(path, key, images, labels)
    return images, labels


def load_emoji(
    size=64, package_dir=None, background=255, cache=True, skin_tones=False
):
    """Loads the Google emoji as float32 NHWC images in [-1, 1], with labels.

    Each 64x64 RGBA PNG of the npm package `emoji-datasource-google` is
    alpha-composited onto a white canvas (`rgb * a + 255 * (1 - a)`), so a
    transparent pixel becomes exactly 1.0. See `load_emoji_uint8` for the
    cache and the arguments.

    Args:
        size: positive int, the side of the images (64 is native).
        package_dir: the package directory; see `emoji_package_dir`.
        background: int in [0, 255], or (R, G, B), the canvas colour.
        cache: bool, whether to read and write the `.npz` cache.
        skin_tones: bool, whether to add the skin-tone variants.

    Returns:
        A tuple `(images, labels)`: float32 `[N, size, size, 3]` in [-1, 1]
        and int32 `[N]` indices into `EMOJI_CATEGORIES`.

    Raises:
        FileNotFoundError: if the package is not installed; the message
            gives the npm command that installs it.

    Example:

    >>> images, labels = load_emoji(size=32)
    >>> images.shape, images.dtype, float(images.max())
    ((1911, 32, 32, 3), dtype('float32'), 1.0)
    """
    images, labels = load_emoji_uint8(
        size=size,
        package_dir=package_dir,
        background=background,
        cache=cache,
        skin_tones=skin_tones,
    )
    return to_float_images(images), labels.astype(np.int32)


def emoji_dataset(
    batch_size=64,
    size=64,
    shuffle=True,
    seed=0,
    with_labels=False,
    package_dir=None,
    skin_tones=False,
    repeat=False,
):
    """Returns the Google emoji as batches for `keras.Model.fit`.

    Full batches only (the last partial batch is left out), reshuffled every
    epoch from `seed`.

    Args:
        batch_size: positive int, the number of images per batch.
        size: positive int, the side of the images (64 is native).
        shuffle: bool, whether to permute the images every epoch.
        seed: int, the seed of epoch 0's permutation (epoch `e` uses
            `seed + e`).
        with_labels: bool, whether batches are `(images, labels)` with
            labels indexing `EMOJI_CATEGORIES`.
        package_dir: the package directory; see `emoji_package_dir`.
        skin_tones: bool, whether to add the skin-tone variants.
        repeat: bool, an endless dataset for `fit(..., steps_per_epoch=N)`
            (see `ArrayDataset`).

    Returns:
        An `ArrayDataset` of float32 `[batch_size, size, size, 3]` images in
        [-1, 1] (and int32 `[batch_size]` labels when `with_labels`).

    Example:

    >>> data = emoji_dataset(batch_size=64)
    >>> len(data), data[0].shape
    (29, (64, 64, 64, 3))
    """
    images, labels = load_emoji(
        size=size, package_dir=package_dir, skin_tones=skin_tones
    )
    return as_dataset(
        images,
        labels=labels if with_labels else None,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=True,
        repeat=repeat,
    )
