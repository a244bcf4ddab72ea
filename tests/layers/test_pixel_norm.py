"""Tests for PixelNorm (ProGAN's `x * rsqrt(mean(x^2 over channels) + 1e-8)`, REFERENCE.md 2)."""

import keras
import numpy as np
import pytest

from kgan.layers import PixelNorm

RNG = np.random.default_rng(7)


def to_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def pixel_norm_reference(x, epsilon=1e-8):
    x = x.astype(np.float64)
    return x / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + epsilon)


@pytest.mark.parametrize("shape", [(4, 512), (2, 3, 3, 5), (1, 4, 2, 1), (3, 2, 7)])
@pytest.mark.parametrize("epsilon", [1e-8, 0.5])
def test_matches_numpy(shape, epsilon):
    x = RNG.normal(size=shape).astype("float32") * 3.0
    layer = PixelNorm(epsilon=epsilon)
    outputs = layer(x)
    np.testing.assert_allclose(
        to_numpy(outputs), pixel_norm_reference(x, epsilon), rtol=1e-5, atol=1e-5
    )
    assert tuple(outputs.shape) == layer.compute_output_shape(x.shape)


def test_unit_mean_square_per_pixel_and_zero_stays_finite():
    x = RNG.normal(size=(2, 4, 4, 8)).astype("float32")
    x[0, 0, 0] = 0.0
    y = to_numpy(PixelNorm()(x))
    assert np.all(np.isfinite(y))
    np.testing.assert_array_equal(y[0, 0, 0], 0.0)
    np.testing.assert_allclose(np.mean(y[1] ** 2, axis=-1), 1.0, atol=1e-4)


def test_config_round_trip():
    x = RNG.normal(size=(2, 3, 3, 4)).astype("float32")
    layer = PixelNorm(epsilon=1e-4, name="pn")
    config = layer.get_config()
    assert config["epsilon"] == 1e-4
    clone = PixelNorm.from_config(config)
    assert clone.name == "pn"
    np.testing.assert_array_equal(to_numpy(clone(x)), to_numpy(layer(x)))


def test_model_save_and_load(tmp_path):
    x = RNG.normal(size=(3, 16)).astype("float32")
    inputs = keras.Input((16,))
    model = keras.Model(inputs, PixelNorm(epsilon=1e-6)(inputs))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[-1], PixelNorm)
    assert loaded.layers[-1].epsilon == 1e-6
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="`epsilon` must be a positive number.*epsilon=0"):
        PixelNorm(epsilon=0)
    with pytest.raises(ValueError, match=r"rank >= 2.*input_shape=\(5,\)"):
        PixelNorm()(np.ones((5,), "float32"))
