"""Tests for Upsample2D (nearest neighbour) and Downsample2D (average pooling)."""

import keras
import numpy as np
import pytest

from kgan.layers import Downsample2D, Upsample2D

RNG = np.random.default_rng(3)


def to_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def upsample_reference(x, f):
    n, h, w, c = x.shape
    out = np.zeros((n, h * f, w * f, c))
    for i in range(h * f):
        for j in range(w * f):
            out[:, i, j] = x[:, i // f, j // f]
    return out


def downsample_reference(x, f):
    n, h, w, c = x.shape
    out = np.zeros((n, h // f, w // f, c))
    for i in range(h // f):
        for j in range(w // f):
            out[:, i, j] = x[:, i * f : (i + 1) * f, j * f : (j + 1) * f].astype(np.float64).mean(
                axis=(1, 2)
            )
    return out


@pytest.mark.parametrize("shape, factor", [((2, 3, 4, 2), 2), ((1, 2, 1, 3), 3), ((2, 2, 2, 1), 1)])
def test_upsample_matches_numpy(shape, factor):
    x = RNG.normal(size=shape).astype("float32")
    layer = Upsample2D(factor)
    outputs = layer(x)
    np.testing.assert_allclose(to_numpy(outputs), upsample_reference(x, factor), rtol=1e-6)
    assert tuple(outputs.shape) == layer.compute_output_shape(x.shape)


@pytest.mark.parametrize("shape, factor", [((2, 4, 6, 2), 2), ((1, 6, 3, 3), 3), ((2, 2, 2, 1), 1)])
def test_downsample_matches_numpy(shape, factor):
    x = RNG.normal(size=shape).astype("float32")
    layer = Downsample2D(factor)
    outputs = layer(x)
    np.testing.assert_allclose(
        to_numpy(outputs), downsample_reference(x, factor), rtol=1e-5, atol=1e-6
    )
    assert tuple(outputs.shape) == layer.compute_output_shape(x.shape)


def test_downsample_inverts_upsample():
    x = RNG.normal(size=(2, 3, 3, 4)).astype("float32")
    np.testing.assert_allclose(to_numpy(Downsample2D(2)(Upsample2D(2)(x))), x, rtol=1e-6)


def test_symbolic_shapes_with_unknown_dimensions():
    inputs = keras.Input((None, None, 3))
    assert tuple(Upsample2D(2)(inputs).shape) == (None, None, None, 3)
    assert tuple(Downsample2D(2)(keras.Input((8, None, 3))).shape) == (None, 4, None, 3)


def test_unknown_height_and_width_in_compiled_predict():
    inputs = keras.Input((None, None, 2))
    model = keras.Model(inputs, Downsample2D(2)(Upsample2D(3)(inputs)))
    for shape in [(2, 4, 6, 2), (2, 2, 4, 2), (1, 6, 2, 2)]:  # retraces relax H, W to None on TF
        x = RNG.normal(size=shape).astype("float32")
        expected = downsample_reference(upsample_reference(x, 3), 2)
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layer_class", [Upsample2D, Downsample2D])
def test_config_round_trip(layer_class):
    x = RNG.normal(size=(1, 4, 4, 2)).astype("float32")
    layer = layer_class(factor=2, name="resample")
    assert layer.get_config()["factor"] == 2
    clone = layer_class.from_config(layer.get_config())
    np.testing.assert_array_equal(to_numpy(clone(x)), to_numpy(layer(x)))


def test_model_save_and_load(tmp_path):
    x = RNG.normal(size=(2, 4, 4, 2)).astype("float32")
    inputs = keras.Input((4, 4, 2))
    model = keras.Model(inputs, Downsample2D(4)(Upsample2D(2)(inputs)))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert [type(layer) for layer in loaded.layers[1:]] == [Upsample2D, Downsample2D]
    assert loaded.layers[2].factor == 4
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))


@pytest.mark.parametrize("layer_class", [Upsample2D, Downsample2D])
def test_bad_arguments_and_ranks(layer_class):
    with pytest.raises(ValueError, match="`factor` must be a positive integer.*factor=0"):
        layer_class(factor=0)
    with pytest.raises(ValueError, match=r"rank 4.*input_shape=\(2, 4, 3\)"):
        layer_class(2)(np.ones((2, 4, 3), "float32"))


def test_downsample_needs_divisible_height_and_width():
    with pytest.raises(ValueError, match=r"height divisible by factor=2.*\(1, 5, 4, 1\)"):
        Downsample2D(2)(np.ones((1, 5, 4, 1), "float32"))
    with pytest.raises(ValueError, match="width divisible by factor=3"):
        Downsample2D(3)(keras.Input((6, 4, 1)))
