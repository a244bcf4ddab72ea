"""Fashion-MNIST (Zalando, MIT licence) from the local IDX files; no download."""

import functools
import os

import numpy as np

from kgan.data.arrays import ArrayDataset
from kgan.data.arrays import read_idx
from kgan.data.arrays import to_float_images

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
"""Where Debian's `dataset-fashion-mnist` package installs the IDX files."""

FASHION_MNIST_DIR_ENV = "KGAN_FASHION_MNIST_DIR"
"""The environment variable that overrides `FASHION_MNIST_DIR`."""

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
"""The 10 Fashion-MNIST class names; `CLASS_NAMES[label]`."""

LICENSE = "MIT"

IMAGE_SHAPE = (28, 28, 1)

_SPLIT_PREFIXES = {"train": "train", "test": "t10k"}


def _resolve_dir(data_dir):
    if data_dir is not None:
        return os.fspath(data_dir)
    return os.environ.get(FASHION_MNIST_DIR_ENV) or FASHION_MNIST_DIR


def _find_file(data_dir, name):
    """Returns the path of `name` (.gz preferred, then plain) or None."""
    for candidate in (name + ".gz", name):
        path = os.path.join(data_dir, candidate)
        if os.path.isfile(path):
            return path
    return None


def _split_paths(split, data_dir):
    if split not in _SPLIT_PREFIXES:
        raise ValueError(
            f"Argument `split` must be one of {sorted(_SPLIT_PREFIXES)}; "
            f"received {split!r}."
        )
    prefix = _SPLIT_PREFIXES[split]
    names = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
    paths = [_find_file(data_dir, name) for name in names]
    missing = [name + ".gz" for name, path in zip(names, paths) if path is None]
    if missing:
        raise FileNotFoundError(
            f"Fashion-MNIST {split!r} files not found in {data_dir!r}: missing "
            f"{', '.join(missing)}. Install the Debian package "
            f"dataset-fashion-mnist (`sudo apt-get install "
            f"dataset-fashion-mnist`, which puts them in {FASHION_MNIST_DIR}), "
            f"or point the {FASHION_MNIST_DIR_ENV} environment variable (or "
            f"the `data_dir=` argument) at a directory holding the IDX files."
        )
    return tuple(os.path.realpath(path) for path in paths)


@functools.lru_cache(maxsize=8)
def _read_split_uint8(images_path, labels_path):
    """Reads and checks one split; cached, so the arrays are made read-only."""
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.dtype != np.uint8 or images.shape[1:] != IMAGE_SHAPE[:2]:
        raise ValueError(
            f"Fashion-MNIST images file '{images_path}' must hold uint8 "
            f"images of shape [N, 28, 28]; received {images.dtype} of shape "
            f"{images.shape}."
        )
    if labels.dtype != np.uint8 or labels.shape != images.shape[:1]:
        raise ValueError(
            f"Fashion-MNIST labels file '{labels_path}' must hold "
            f"{images.shape[0]} uint8 labels to match '{images_path}'; "
            f"received {labels.dtype} of shape {labels.shape}."
        )
    if labels.size and labels.max() >= len(CLASS_NAMES):
        raise ValueError(
            f"Fashion-MNIST labels file '{labels_path}' must hold labels in "
            f"[0, {len(CLASS_NAMES) - 1}]; received a maximum of "
            f"{labels.max()}."
        )
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def load_fashion_mnist_uint8(split="train", data_dir=None):
    """Loads a Fashion-MNIST split as raw uint8 arrays (read-only, cached).

    Args:
        split: `"train"` (60000 images) or `"test"` (10000 images).
        data_dir: directory holding the IDX files; defaults to the
            `KGAN_FASHION_MNIST_DIR` environment variable, else
            `FASHION_MNIST_DIR`.

    Returns:
        A tuple `(images, labels)`: read-only uint8 arrays of shapes
        `[N, 28, 28]` and `[N]`. Copy them before writing.

    Example:

    >>> images, labels = load_fashion_mnist_uint8("test")
    >>> images.shape, int(labels[0])
    ((10000, 28, 28), 9)
    """
    paths = _split_paths(split, _resolve_dir(data_dir))
    return _read_split_uint8(*paths)


def load_fashion_mnist(split="train", data_dir=None):
    """Loads a Fashion-MNIST split as float32 NHWC images in [-1, 1] and labels.

    Reads the IDX files installed by Debian's `dataset-fashion-mnist`
    package; nothing is downloaded. The decoded files are cached in-process,
    so loading again is fast; every call returns new arrays.

    Args:
        split: `"train"` (60000 images) or `"test"` (10000 images).
        data_dir: directory holding `{train,t10k}-{images-idx3,labels-idx1}
            -ubyte[.gz]`; defaults to the `KGAN_FASHION_MNIST_DIR`
            environment variable, else `FASHION_MNIST_DIR`.

    Returns:
        A tuple `(images, labels)`: float32 `[N, 28, 28, 1]` in [-1, 1] and
        int32 `[N]` in [0, 9] (names in `CLASS_NAMES`).

    Raises:
        ValueError: if `split` is not `"train"` or `"test"`.
        FileNotFoundError: if the files are not in the directory.

    Example:

    >>> images, labels = load_fashion_mnist("test")
    >>> images.shape, images.dtype, CLASS_NAMES[labels[0]]
    ((10000, 28, 28, 1), dtype('float32'), 'Ankle boot')
    """
    images, labels = load_fashion_mnist_uint8(split, data_dir=data_dir)
    return to_float_images(images), labels.astype(np.int32)


def fashion_mnist_dataset(
    split="train",
    batch_size=64,
    shuffle=True,
    seed=0,
    with_labels=False,
    data_dir=None,
    repeat=False,
):
    """Returns Fashion-MNIST as batches for `keras.Model.fit`.

    Full batches only (the last partial batch is left out), reshuffled every
    epoch from `seed`.

    Args:
        split: `"train"` or `"test"`.
        batch_size: positive int, the number of images per batch.
        shuffle: bool, whether to permute the images every epoch.
        seed: int, the seed of epoch 0's permutation (epoch `e` uses
            `seed + e`).
        with_labels: bool, whether batches are `(images, labels)` rather than
            `images` alone.
        data_dir: directory holding the IDX files; see `load_fashion_mnist`.
        repeat: bool, an endless dataset for `fit(..., steps_per_epoch=N)`
            (see `ArrayDataset`).

    Returns:
        An `ArrayDataset` of float32 `[batch_size, 28, 28, 1]` images in
        [-1, 1] (and int32 `[batch_size]` labels when `with_labels`).

    Example:

    >>> data = fashion_mnist_dataset("test", batch_size=100)
    >>> len(data), data[0].shape
    (100, (100, 28, 28, 1))
    """
    images, labels = load_fashion_mnist(split, data_dir=data_dir)
    return ArrayDataset(
        images,
        labels=labels if with_labels else None,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=True,
        repeat=repeat,
    )
