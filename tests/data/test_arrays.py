"""Tests for kgan.data.arrays: the IDX reader, image scaling and ArrayDataset."""

import gzip
import struct

import keras
import numpy as np
import pytest

from kgan.data.arrays import ArrayDataset
from kgan.data.arrays import as_dataset
from kgan.data.arrays import read_idx
from kgan.data.arrays import to_float_images

_TYPE_CODES = {"uint8": 0x08, "int8": 0x09, "int16": 0x0B, "int32": 0x0C,
               "float32": 0x0D, "float64": 0x0E}


def _idx_bytes(array):
    array = np.asarray(array)
    header = bytes([0, 0, _TYPE_CODES[array.dtype.name], array.ndim])
    header += struct.pack(f">{array.ndim}i", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write(path, content, compress):
    if compress:
        content = gzip.compress(content)
    path.write_bytes(content)
    return path


# --- read_idx -----------------------------------------------------------------


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("shape", [(5, 3, 4), (7,)], ids=["3d", "1d"])
def test_read_idx_round_trip_uint8(tmp_path, compress, shape):
    rng = np.random.default_rng(0)
    array = rng.integers(0, 256, size=shape, dtype=np.uint8)
    # The reader sniffs gzip from the content, not the name: use a neutral name.
    path = _write(tmp_path / "data.idx", _idx_bytes(array), compress)
    result = read_idx(path)
    assert result.dtype == np.uint8
    assert result.shape == shape
    np.testing.assert_array_equal(result, array)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "float32", "float64"])
def test_read_idx_round_trip_other_dtypes_native_order(tmp_path, dtype):
    array = (np.arange(24).reshape(2, 3, 4) - 12).astype(dtype)
    path = _write(tmp_path / "data.idx.gz", _idx_bytes(array), compress=True)
    result = read_idx(str(path))
    assert result.dtype == np.dtype(dtype)  # native byte order
    assert result.dtype.isnative
    np.testing.assert_array_equal(result, array)
    result[0, 0, 0] = 1  # owns writable memory


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
def test_read_idx_truncated_data_raises(tmp_path, compress):
    content = _idx_bytes(np.zeros((4, 5, 5), np.uint8))[:-3]
    path = _write(tmp_path / "short-idx3-ubyte", content, compress)
    with pytest.raises(ValueError, match="short-idx3-ubyte.*truncated"):
        read_idx(path)


def test_read_idx_truncated_header_raises(tmp_path):
    content = _idx_bytes(np.zeros((4, 5, 5), np.uint8))[:9]
    path = _write(tmp_path / "header.idx", content, compress=False)
    with pytest.raises(ValueError, match="truncated"):
        read_idx(path)


def test_read_idx_trailing_bytes_raises(tmp_path):
    content = _idx_bytes(np.zeros((3,), np.uint8)) + b"\x00"
    path = _write(tmp_path / "long.idx", content, compress=False)
    with pytest.raises(ValueError, match="long.idx"):
        read_idx(path)


def test_read_idx_truncated_gzip_stream_raises(tmp_path):
    compressed = gzip.compress(_idx_bytes(np.arange(200, dtype=np.uint8)))
    path = tmp_path / "cut.idx.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(ValueError, match="cut.idx.gz"):
        read_idx(path)


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
def test_read_idx_bad_magic_raises(tmp_path, compress):
    content = b"\x01\x00" + _idx_bytes(np.zeros((3,), np.uint8))[2:]
    path = _write(tmp_path / "magic.idx", content, compress)
    with pytest.raises(ValueError, match="magic"):
        read_idx(path)


def test_read_idx_unknown_type_code_raises(tmp_path):
    content = bytearray(_idx_bytes(np.zeros((3,), np.uint8)))
    content[2] = 0x42
    path = _write(tmp_path / "type.idx", bytes(content), compress=False)
    with pytest.raises(ValueError, match="0x42"):
        read_idx(path)


def test_read_idx_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "absent.idx")


# --- to_float_images --------------------------------------------------------------


def test_to_float_images_adds_channel_and_scales():
    images = np.array([[[0, 127], [128, 255]]], dtype=np.uint8)
    result = to_float_images(images)
    assert result.shape == (1, 2, 2, 1)
    assert result.dtype == np.float32
    assert result.min() == -1.0 and result.max() == 1.0
    np.testing.assert_allclose(result[..., 0], images / 127.5 - 1, atol=1e-6)


def test_to_float_images_keeps_nhwc():
    images = np.full((2, 3, 3, 3), 255, dtype=np.uint8)
    result = to_float_images(images)
    assert result.shape == (2, 3, 3, 3)
    assert np.all(result == 1.0)


def test_to_float_images_rejects_bad_dtype_and_rank():
    with pytest.raises(ValueError, match="uint8.*float32"):
        to_float_images(np.zeros((1, 2, 2), np.float32))
    with pytest.raises(ValueError, match=r"\[N, H, W\].*\(2, 2\)"):
        to_float_images(np.zeros((2, 2), np.uint8))


# --- ArrayDataset -----------------------------------------------------------------


def _images(n, size=4):
    # Each image is filled with its index, so batches reveal their order.
    return np.broadcast_to(
        np.arange(n, dtype=np.float32)[:, None, None, None], (n, size, size, 1)
    ).copy()


def _order(dataset):
    return np.concatenate([batch[:, 0, 0, 0] for batch in dataset]).astype(int)


def test_array_dataset_batch_shapes_and_count():
    dataset = as_dataset(_images(10), batch_size=4)
    assert isinstance(dataset, ArrayDataset)
    assert isinstance(dataset, keras.utils.PyDataset)
    assert len(dataset) == 2
    batches = list(dataset)
    assert len(batches) == 2
    assert all(b.shape == (4, 4, 4, 1) and b.dtype == np.float32 for b in batches)
    with pytest.raises(IndexError):
        dataset[2]


def test_array_dataset_keeps_remainder_when_asked():
    dataset = as_dataset(_images(10), batch_size=4, drop_remainder=False)
    assert len(dataset) == 3
    assert [len(b) for b in dataset] == [4, 4, 2]
    assert sorted(_order(dataset)) == list(range(10))
    exact = as_dataset(_images(8), batch_size=4, drop_remainder=False)
    assert len(exact) == 2


def test_array_dataset_unshuffled_is_in_order():
    dataset = as_dataset(_images(12), batch_size=4, shuffle=False)
    np.testing.assert_array_equal(_order(dataset), np.arange(12))
    dataset.on_epoch_end()
    np.testing.assert_array_equal(_order(dataset), np.arange(12))


def test_array_dataset_shuffle_is_deterministic_per_seed():
    first = _order(as_dataset(_images(64), batch_size=8, seed=3))
    again = _order(as_dataset(_images(64), batch_size=8, seed=3))
    other = _order(as_dataset(_images(64), batch_size=8, seed=4))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert not np.array_equal(first, np.arange(64))
    assert sorted(first) == list(range(64))
    expected = np.random.Generator(np.random.PCG64(3)).permutation(64)
    np.testing.assert_array_equal(first, expected)


def test_array_dataset_reshuffles_each_epoch():
    dataset = as_dataset(_images(64), batch_size=8, seed=0)
    epoch0 = _order(dataset)
    np.testing.assert_array_equal(_order(dataset), epoch0)  # stable within epoch
    dataset.on_epoch_end()
    assert dataset.epoch == 1
    epoch1 = _order(dataset)
    assert not np.array_equal(epoch0, epoch1)
    assert sorted(epoch1) == list(range(64))
    # Epoch e of seed s is epoch 0 of seed s + e.
    np.testing.assert_array_equal(epoch1, _order(as_dataset(_images(64), batch_size=8, seed=1)))


def test_array_dataset_labels_stay_aligned():
    images = _images(50)
    labels = np.arange(50, dtype=np.int32) * 7
    dataset = as_dataset(images, labels, batch_size=16, seed=5)
    for _ in range(2):
        seen = 0
        for batch_images, batch_labels in dataset:
            assert batch_images.shape == (16, 4, 4, 1)
            assert batch_labels.shape == (16,) and batch_labels.dtype == np.int32
            np.testing.assert_array_equal(batch_images[:, 0, 0, 0] * 7, batch_labels)
            seen += len(batch_labels)
        assert seen == 48
        dataset.on_epoch_end()


def test_array_dataset_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"batch_size.*64.*10 samples"):
        as_dataset(_images(10), batch_size=64)
    assert len(as_dataset(_images(10), batch_size=64, drop_remainder=False)) == 1
    with pytest.raises(ValueError, match="batch_size"):
        as_dataset(_images(10), batch_size=0)
    with pytest.raises(ValueError, match="batch_size"):
        as_dataset(_images(10), batch_size=2.0)
    with pytest.raises(ValueError, match=r"labels.*10.*\(9,\)"):
        as_dataset(_images(10), np.zeros(9), batch_size=2)


def test_array_dataset_passes_pydataset_kwargs():
    dataset = as_dataset(_images(8), batch_size=4, workers=2, max_queue_size=3)
    assert dataset.workers == 2
    assert dataset.max_queue_size == 3
    assert dataset.use_multiprocessing is False


def test_array_dataset_fits_a_tiny_model():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(40, 4, 4, 1)).astype(np.float32)
    y = (x.reshape(40, -1).sum(axis=1) > 0).astype(np.float32)
    dataset = as_dataset(x, y, batch_size=8, seed=1)
    model = keras.Sequential(
        [keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(dataset, epochs=2, verbose=0, shuffle=False)
    assert len(history.history["loss"]) == 2
    assert np.all(np.isfinite(history.history["loss"]))
    # Keras calls on_epoch_end once after building the model, then after each
    # epoch; the same count on every backend keeps the orders in step.
    assert dataset.epoch == 3


def test_array_dataset_repeat_is_endless_and_reshuffles_each_pass():
    images = np.arange(10, dtype="float32").reshape(10, 1, 1, 1)
    data = ArrayDataset(images, batch_size=4, seed=3, repeat=True)
    assert data.num_batches is None and len(data) == 2
    passes = [
        np.concatenate([data[p * 2 + i].ravel() for i in range(2)]) for p in range(3)
    ]
    for p, seen in enumerate(passes):
        order = np.random.Generator(np.random.PCG64(3 + p)).permutation(10)[:8]
        np.testing.assert_array_equal(seen, order)
    data.on_epoch_end()  # Keras epochs do not move an endless dataset
    np.testing.assert_array_equal(data[2].ravel(), passes[1][:4])
    data.first_batch = 2
    np.testing.assert_array_equal(data[0].ravel(), passes[1][:4])
