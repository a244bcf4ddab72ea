"""Feature networks and FID of generators."""

import keras
import numpy as np
import pytest

import kgan
from kgan.metrics import FeatureNetwork


def mean_pixel_network(size=8, channels=1):
    """Features = (mean, std) of the image: easy to check by hand."""
    inputs = keras.Input((size, size, channels))
    mean = keras.layers.GlobalAveragePooling2D()(inputs)
    square = keras.layers.GlobalAveragePooling2D()(keras.layers.Lambda(lambda x: x * x)(inputs))
    return FeatureNetwork(keras.Model(inputs, keras.layers.Concatenate()([mean, square])), "toy")


def test_preprocess_scales_resizes_and_converts_channels():
    features = mean_pixel_network(size=8, channels=1)
    rgb = np.zeros((2, 16, 16, 3), np.uint8)
    rgb[1] = 255
    batch = features.preprocess(rgb)
    assert batch.shape == (2, 8, 8, 1) and batch.dtype == np.float32
    np.testing.assert_allclose(batch[0], -1.0, atol=1e-6)
    np.testing.assert_allclose(batch[1], 1.0, atol=1e-6)
    grey = features.preprocess(np.zeros((3, 8, 8), np.uint8))
    assert grey.shape == (3, 8, 8, 1)
    with pytest.raises(ValueError, match=r"\(N, H, W, 1 or 3\).*\(2, 8, 8, 2\)"):
        features.preprocess(np.zeros((2, 8, 8, 2), np.uint8))


def test_features_are_batched_consistently():
    features = mean_pixel_network()
    images = np.random.default_rng(0).integers(0, 256, (10, 8, 8, 1), dtype=np.uint8)
    np.testing.assert_allclose(features(images, batch_size=3), features(images, batch_size=10), rtol=1e-6)
    expected = images.astype(np.float64) / 127.5 - 1
    np.testing.assert_allclose(features(images)[:, 0], expected.mean(axis=(1, 2, 3)), rtol=1e-5)


class ConstantGenerator:
    def __init__(self, value):
        self.value = value

    def generate(self, n, seed=None, batch_size=64):
        rng = np.random.default_rng(seed)
        noise = rng.integers(-20, 21, (n, 8, 8, 1))
        return np.clip(self.value + noise, 0, 255).astype(np.uint8)


def test_evaluate_ranks_generators_and_reports_the_floor():
    features = mean_pixel_network()
    real = ConstantGenerator(128).generate(400, seed=1)
    floor = ConstantGenerator(128).generate(400, seed=2)
    near = kgan.metrics.evaluate(ConstantGenerator(130), real, features, samples=400, floor_images=floor)
    far = kgan.metrics.evaluate(ConstantGenerator(200), real, features, samples=400, floor_images=floor)
    assert near["samples"] == 400 and near["features"] == "toy"
    assert near["floor"] < near["fid"] < far["fid"]
    assert far["kid"] > near["kid"]


def test_sample_count_is_capped_by_the_reference():
    features = mean_pixel_network()
    real = ConstantGenerator(128).generate(50, seed=1)
    result = kgan.metrics.evaluate(ConstantGenerator(128), real, features, samples=1000)
    assert result["samples"] == 50


class LabelGenerator:
    """A conditional stand-in: image i is a constant grey of `conditions[i]`."""

    def generate(self, n, seed=None, batch_size=64, conditions=None):
        return np.broadcast_to(np.asarray(conditions, np.uint8)[:, None, None, None], (n, 8, 8, 1))


def test_evaluate_gives_each_generated_image_the_real_images_condition():
    features = mean_pixel_network()
    labels = np.random.default_rng(0).integers(0, 250, 300)
    real = np.broadcast_to(labels.astype(np.uint8)[:, None, None, None], (300, 8, 8, 1))
    result = kgan.metrics.evaluate(
        LabelGenerator(), real, features, samples=300, batch_size=64, conditions=labels
    )
    assert result["fid"] == pytest.approx(0.0, abs=1e-3)


def test_reference_labels_match_the_reference_images():
    assert kgan.metrics.reference_labels("fashion_mnist").shape == (10000,)
    with pytest.raises(ValueError, match="No FID reference"):
        kgan.metrics.reference_labels("cifar10")


def test_fashion_mnist_features_are_shipped():
    features = kgan.metrics.fashion_mnist_features()
    assert features.input_shape == (28, 28, 1)
    images = np.zeros((4, 28, 28, 1), np.uint8)
    assert features(images).shape == (4, 128)


def test_unknown_dataset_for_evaluate():
    with pytest.raises(ValueError, match="No FID reference for dataset 'cifar10'"):
        kgan.metrics.reference_sets("cifar10")
