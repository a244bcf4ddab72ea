"""Tests for kgan.data.fashion_mnist, on the files of Debian's dataset-fashion-mnist."""

import os
import shutil

import numpy as np
import pytest

from kgan.data.arrays import ArrayDataset
from kgan.data.fashion_mnist import CLASS_NAMES
from kgan.data.fashion_mnist import FASHION_MNIST_DIR
from kgan.data.fashion_mnist import LICENSE
from kgan.data.fashion_mnist import fashion_mnist_dataset
from kgan.data.fashion_mnist import load_fashion_mnist
from kgan.data.fashion_mnist import load_fashion_mnist_uint8

_ENV = "KGAN_FASHION_MNIST_DIR"
_TRAIN_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")


def _data_dir():
    return os.environ.get(_ENV) or FASHION_MNIST_DIR


pytestmark = pytest.mark.skipif(
    not os.path.isfile(os.path.join(_data_dir(), _TRAIN_FILES[0])),
    reason="Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)",
)


@pytest.fixture(scope="module")
def train():
    return load_fashion_mnist("train")


@pytest.fixture(scope="module")
def test_split():
    return load_fashion_mnist("test")


def test_constants():
    assert FASHION_MNIST_DIR == "/usr/share/datasets/fashion-mnist"
    assert LICENSE == "MIT"
    assert len(CLASS_NAMES) == 10
    assert CLASS_NAMES[0] == "T-shirt/top" and CLASS_NAMES[9] == "Ankle boot"


def test_train_shapes_dtypes_and_range(train):
    images, labels = train
    assert images.shape == (60000, 28, 28, 1) and images.dtype == np.float32
    assert labels.shape == (60000,) and labels.dtype == np.int32
    assert images.min() == -1.0 and images.max() == 1.0


def test_train_labels(train):
    _, labels = train
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), [6000] * 10)
    # The first ten training labels of Fashion-MNIST (the first is an ankle boot).
    np.testing.assert_array_equal(labels[:10], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])


def test_test_split(test_split):
    images, labels = test_split
    assert images.shape == (10000, 28, 28, 1) and images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), [1000] * 10)
    assert CLASS_NAMES[labels[0]] == "Ankle boot"


def test_raw_uint8_is_cached_and_read_only(train):
    images, labels = load_fashion_mnist_uint8("train")
    assert images.dtype == np.uint8 and images.shape == (60000, 28, 28)
    assert int(labels.sum(dtype=np.int64)) == 270000  # 6000 * (0 + 1 + ... + 9)
    # Scaling is exactly x / 127.5 - 1 of the raw bytes.
    np.testing.assert_array_equal(
        train[0][:50, ..., 0], images[:50].astype(np.float32) / 127.5 - 1
    )
    again_images, _ = load_fashion_mnist_uint8("train")
    assert again_images is images  # served from the in-process cache
    assert not images.flags.writeable and not labels.flags.writeable
    with pytest.raises(ValueError):
        images[0, 0, 0] = 1


def test_loaded_arrays_are_copies(test_split):
    images, labels = load_fashion_mnist("test")
    images[:] = 0
    labels[:] = 0
    fresh_images, fresh_labels = load_fashion_mnist("test")
    np.testing.assert_array_equal(fresh_images, test_split[0])
    np.testing.assert_array_equal(fresh_labels, test_split[1])


def test_bad_split_raises():
    with pytest.raises(ValueError, match=r"split.*'validation'"):
        load_fashion_mnist("validation")


def test_missing_directory_raises(tmp_path, monkeypatch):
    monkeypatch.delenv(_ENV, raising=False)
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist("train", data_dir=missing)
    message = str(info.value)
    assert "dataset-fashion-mnist" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert str(missing) in message
    assert _ENV in message


def test_env_var_override(tmp_path, monkeypatch):
    source = _data_dir()
    monkeypatch.setenv(_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte.gz"):
        load_fashion_mnist("test")
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(os.path.join(source, name), tmp_path / name)
    images, labels = load_fashion_mnist("test")
    assert images.shape == (10000, 28, 28, 1) and labels.shape == (10000,)
    # data_dir= wins over the environment variable.
    monkeypatch.setenv(_ENV, str(tmp_path / "nowhere"))
    images, _ = load_fashion_mnist("test", data_dir=tmp_path)
    assert images.shape == (10000, 28, 28, 1)


def test_dataset_batches():
    dataset = fashion_mnist_dataset("test", batch_size=64, with_labels=True, seed=2)
    assert isinstance(dataset, ArrayDataset)
    assert len(dataset) == 10000 // 64
    images, labels = dataset[0]
    assert images.shape == (64, 28, 28, 1) and images.dtype == np.float32
    assert labels.shape == (64,) and labels.dtype == np.int32
    images_only = fashion_mnist_dataset("test", batch_size=64, seed=2)
    np.testing.assert_array_equal(images_only[0], images)
    unshuffled = fashion_mnist_dataset("test", batch_size=64, shuffle=False, with_labels=True)
    np.testing.assert_array_equal(unshuffled[0][1][:3], [9, 2, 1])
