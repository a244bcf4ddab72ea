"""In-memory arrays: the IDX file reader, image scaling and a batched `PyDataset`."""

import gzip
import os
import zlib

import keras
import numpy as np

from kgan import images as image_utils

# IDX type codes (third byte of the magic number) -> big-endian numpy dtypes.
_IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path):
    """Returns the (decompressed, if gzip) contents of `path`."""
    with open(path, "rb") as file:
        content = file.read()
    if not content.startswith(_GZIP_MAGIC):
        return content
    try:
        return gzip.decompress(content)
    except (EOFError, OSError, zlib.error) as error:
        raise ValueError(
            f"IDX file '{path}' is not a valid gzip stream (truncated or "
            f"corrupt): {error}"
        ) from error


def read_idx(path):
    """Reads an IDX file (the MNIST format), gzip-compressed or plain.

    The header is two zero bytes, a type code (0x08 uint8, 0x09 int8,
    0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), the number of
    dimensions, then one big-endian int32 per dimension; the data follow in
    row-major order. Compression is detected from the gzip magic bytes, not
    from the file name.

    Args:
        path: str or path-like, the file to read.

    Returns:
        A numpy array of the stored shape, in native byte order.

    Raises:
        FileNotFoundError: if `path` does not exist.
        ValueError: if the header is malformed or the data size does not
            match the header (truncated or corrupt file).

    Example:

    >>> labels = read_idx("/usr/share/datasets/fashion-mnist/"
    ...                   "t10k-labels-idx1-ubyte.gz")
    >>> labels.shape, labels.dtype
    ((10000,), dtype('uint8'))
    """
    path = os.fspath(path)
    content = _read_bytes(path)
    if len(content) < 4:
        raise ValueError(
            f"IDX file '{path}' is too short for a header: expected at least "
            f"4 bytes, received {len(content)}."
        )
    if content[0] != 0 or content[1] != 0:
        raise ValueError(
            f"IDX file '{path}' has a bad magic number: expected it to start "
            f"with two zero bytes, received {content[:4].hex()}."
        )
    type_code, ndim = content[2], content[3]
    if type_code not in _IDX_DTYPES:
        known = ", ".join(f"0x{code:02X}" for code in _IDX_DTYPES)
        raise ValueError(
            f"IDX file '{path}' has an unknown type code: expected one of "
            f"{known}, received 0x{type_code:02X}."
        )
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise ValueError(
            f"IDX file '{path}' is truncated: its header declares {ndim} "
            f"dimensions ({header_size} header bytes), received "
            f"{len(content)} bytes in all."
        )
    shape = tuple(int(d) for d in np.frombuffer(content, ">i4", ndim, offset=4))
    dtype = _IDX_DTYPES[type_code]
    expected = header_size + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(content) != expected:
        problem = "truncated" if len(content) < expected else "corrupt"
        raise ValueError(
            f"IDX file '{path}' is {problem}: its header declares shape "
            f"{shape} of {dtype.name}, so {expected} bytes, received "
            f"{len(content)} bytes."
        )
    data = np.frombuffer(content, dtype, offset=header_size).reshape(shape)
    # A native-order, writable copy that owns its memory.
    return data.astype(dtype.newbyteorder("="))


def to_float_images(uint8_images):
    """Scales uint8 images to float32 NHWC in [-1, 1] (`x / 127.5 - 1`).

    Args:
        uint8_images: uint8 array of shape `[N, H, W]` (a channel axis is
            added) or `[N, H, W, C]`.

    Returns:
        A new float32 array of shape `[N, H, W, C]` with values in [-1, 1].

    Example:

    >>> x = to_float_images(np.array([[[0, 255]]], dtype="uint8"))
    >>> x.shape, float(x.min()), float(x.max())
    ((1, 1, 2, 1), -1.0, 1.0)
    """
    images = np.asarray(uint8_images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    elif images.ndim != 4:
        raise ValueError(
            "Argument `uint8_images` must have shape [N, H, W] or "
            f"[N, H, W, C]; received shape {images.shape}."
        )
    return image_utils.to_float(images)


class ArrayDataset(keras.utils.PyDataset):
    """Batches of in-memory arrays, reshuffled every epoch; needs no TensorFlow.

    A `keras.utils.PyDataset`, so `keras.Model.fit` consumes it on the
    TensorFlow, JAX and PyTorch backends. Each batch is `images[idx]`, or
    `(images[idx], labels[idx])` when `labels` is given, as numpy arrays.
    The order of epoch `e` is a permutation drawn from
    `np.random.Generator(np.random.PCG64(seed + e))`: the same on every
    machine. Keras calls `on_epoch_end()` after every epoch, which moves on
    to the next epoch's order; `fit` also calls it once before its first
    epoch (after reading a batch to build the model), so the epochs of a
    first `fit` use seeds `seed + 1, seed + 2, ...` on every backend. Pass
    `shuffle=False` to `fit` for a reproducible run: its default `True`
    also permutes the order of the batches with Python's `random` module.

    Args:
        images: array whose first axis indexes the samples, e.g. float32
            `[N, H, W, C]`.
        labels: optional array with the same first dimension `N`.
        batch_size: positive int, the number of samples per batch.
        shuffle: bool, whether to permute the samples every epoch.
        seed: int, the seed of epoch 0's permutation.
        drop_remainder: bool, whether to leave out the last partial batch.
            Keep the default `True` for training: a batch of a new shape
            recompiles the step on JAX and under XLA.
        repeat: bool. If True the dataset is endless (`num_batches` is
            None): batch `i` is batch `i % len(self)` of pass
            `i // len(self)`, whose order uses `seed + pass`; give `fit` a
            `steps_per_epoch` (Keras cuts an epoch short, with a warning,
            when a finite dataset has fewer batches than `steps_per_epoch`).
            `GAN.fit` starts it at the model's step count, so a run resumed
            by `BackupAndRestore` continues where it stopped in the data.
        **kwargs: `workers`, `use_multiprocessing`, `max_queue_size`, passed
            to `keras.utils.PyDataset`.

    Example:

    >>> data = ArrayDataset(np.zeros((10, 4, 4, 1), "float32"), batch_size=4)
    >>> len(data), data[0].shape
    (2, (4, 4, 4, 1))
    """

    def __init__(
        self,
        images,
        labels=None,
        batch_size=64,
        shuffle=True,
        seed=0,
        drop_remainder=True,
        repeat=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        images = np.asarray(images)
        if images.ndim < 1:
            raise ValueError(
                "Argument `images` must have a sample axis, e.g. shape "
                f"[N, H, W, C]; received shape {images.shape}."
            )
        if labels is not None:
            labels = np.asarray(labels)
            if labels.ndim < 1 or len(labels) != len(images):
                raise ValueError(
                    "Argument `labels` must have the same first dimension as "
                    f"`images` ({len(images)}); received shape {labels.shape}."
                )
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size < 1
        ):
            raise ValueError(
                "Argument `batch_size` must be a positive int; received "
                f"{batch_size!r}."
            )
        if drop_remainder and len(images) < batch_size:
            raise ValueError(
                f"Argument `batch_size` ({batch_size}) must not exceed the "
                f"number of samples when `drop_remainder=True`, else there is "
                f"no full batch; received {len(images)} samples."
            )
        if len(images) == 0:
            raise ValueError(
                "Argument `images` must hold at least one sample; received "
                f"shape {images.shape}."
            )
        self.images = images
        self.labels = labels
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.seed = int(seed)
        self.drop_remainder = bool(drop_remainder)
        self.repeat = bool(repeat)
        self.first_batch = 0
        self.epoch = 0
        self._cached_order = (0, self._epoch_order(0))

    def _order_of(self, epoch):
        # One (epoch, order) tuple, replaced whole: safe with worker threads.
        cached_epoch, order = self._cached_order
        if cached_epoch != epoch:
            order = self._epoch_order(epoch)
            self._cached_order = (epoch, order)
        return order

    def _epoch_order(self, epoch):
        if not self.shuffle:
            return np.arange(len(self.images))
        generator = np.random.Generator(np.random.PCG64(self.seed + epoch))
        return generator.permutation(len(self.images))

    def __len__(self):
        full, remainder = divmod(len(self.images), self.batch_size)
        return full + (1 if remainder and not self.drop_remainder else 0)

    @property
    def num_batches(self):
        """Batches per epoch; None (endless) when `repeat` is set."""
        return None if self.repeat else len(self)

    def __getitem__(self, index):
        epoch = self.epoch
        if self.repeat and index >= 0:
            epoch, index = divmod(self.first_batch + index, len(self))
        if not 0 <= index < len(self):
            raise IndexError(
                f"Batch index {index} is out of range for {len(self)} batches."
            )
        start = index * self.batch_size
        idx = self._order_of(epoch)[start : start + self.batch_size]
        if self.labels is None:
            return self.images[idx]
        return self.images[idx], self.labels[idx]

    def on_epoch_end(self):
        """Moves to the next epoch and its order of samples (unless `repeat`)."""
        if self.repeat:
            return
        self.epoch += 1


def as_dataset(
    images,
    labels=None,
    batch_size=64,
    shuffle=True,
    seed=0,
    drop_remainder=True,
    repeat=False,
    **kwargs,
):
    """Wraps in-memory arrays as a batched dataset for `keras.Model.fit`.

    Args:
        images: array whose first axis indexes the samples, e.g. float32
            `[N, H, W, C]` in [-1, 1].
        labels: optional array with the same first dimension `N`.
        batch_size: positive int, the number of samples per batch.
        shuffle: bool, whether to permute the samples every epoch.
        seed: int, the seed of epoch 0's permutation (epoch `e` uses
            `seed + e`).
        drop_remainder: bool, whether to leave out the last partial batch.
        repeat: bool, whether the dataset is endless (see `ArrayDataset`);
            use it with `fit(..., steps_per_epoch=N)`.
        **kwargs: `workers`, `use_multiprocessing`, `max_queue_size`, passed
            to `keras.utils.PyDataset`.

    Returns:
        An `ArrayDataset` yielding `images` or `(images, labels)` batches.

    Example:

    >>> data = as_dataset(np.zeros((100, 8, 8, 1), "float32"), batch_size=32)
    >>> len(data)
    3
    """
    return ArrayDataset(
        images,
        labels=labels,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
        repeat=repeat,
        **kwargs,
    )
