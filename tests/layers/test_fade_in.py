"""Tests for FadeIn (ProGAN's `lerp(old, new, alpha)` with a trainer-set alpha, REFERENCE.md 2)."""

import keras
import numpy as np
import pytest

from kgan.layers import FadeIn

RNG = np.random.default_rng(11)


def to_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def pair(shape):
    return RNG.normal(size=shape).astype("float32"), RNG.normal(size=shape).astype("float32")


def test_alpha_is_a_non_trainable_float32_scalar_starting_at_zero():
    layer = FadeIn()
    old, new = pair((2, 4, 4, 3))
    outputs = layer([old, new])
    assert layer.alpha.shape == ()
    assert layer.alpha.dtype == "float32"
    assert not layer.alpha.trainable
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 1
    np.testing.assert_array_equal(to_numpy(outputs), old)


@pytest.mark.parametrize("shape", [(2, 4, 4, 3), (3, 5), (1, 2, 3, 1)])
@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_matches_numpy(shape, alpha):
    old, new = pair(shape)
    layer = FadeIn()
    layer.build([old.shape, new.shape])
    layer.alpha.assign(alpha)
    outputs = layer([old, new])
    expected = old.astype(np.float64) * (1.0 - alpha) + new.astype(np.float64) * alpha
    np.testing.assert_allclose(to_numpy(outputs), expected, rtol=1e-5, atol=1e-6)
    assert tuple(outputs.shape) == layer.compute_output_shape([old.shape, new.shape])
    if alpha == 1.0:
        np.testing.assert_allclose(to_numpy(outputs), new, rtol=1e-6, atol=1e-6)


def test_assigning_alpha_changes_the_output_of_a_compiled_model():
    old, new = pair((2, 2, 2, 3))
    inputs = [keras.Input((2, 2, 3)), keras.Input((2, 2, 3))]
    fade = FadeIn()
    model = keras.Model(inputs, fade(inputs))
    first = model.predict([old, new], verbose=0)
    np.testing.assert_allclose(first, old, rtol=1e-6)
    fade.alpha.assign(0.75)
    second = model.predict([old, new], verbose=0)  # same compiled predict function
    np.testing.assert_allclose(second, 0.25 * old + 0.75 * new, rtol=1e-5, atol=1e-6)


def test_config_round_trip():
    old, new = pair((2, 3, 3, 2))
    layer = FadeIn(name="fade")
    layer.build([old.shape, new.shape])
    layer.alpha.assign(0.4)
    clone = FadeIn.from_config(layer.get_config())
    clone.build([old.shape, new.shape])
    clone.set_weights(layer.get_weights())
    assert clone.name == "fade"
    np.testing.assert_array_equal(to_numpy(clone([old, new])), to_numpy(layer([old, new])))


def test_model_save_and_load_keeps_alpha(tmp_path):
    old, new = pair((2, 4, 4, 3))
    inputs = [keras.Input((4, 4, 3)), keras.Input((4, 4, 3))]
    fade = FadeIn()
    model = keras.Model(inputs, fade(inputs))
    fade.alpha.assign(0.3)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    loaded_fade = loaded.layers[-1]
    assert isinstance(loaded_fade, FadeIn)
    assert float(to_numpy(loaded_fade.alpha)) == pytest.approx(0.3)
    np.testing.assert_array_equal(to_numpy(loaded([old, new])), to_numpy(model([old, new])))


def test_bad_inputs():
    expected = r"same shape.*old.shape=\(2, 4, 4, 3\), new.shape=\(2, 8, 8, 3\)"
    with pytest.raises(ValueError, match=expected):
        FadeIn()([np.zeros((2, 4, 4, 3), "float32"), np.zeros((2, 8, 8, 3), "float32")])
    with pytest.raises(ValueError, match="same shape"):
        FadeIn()([keras.Input((4, 4, 3)), keras.Input((4, 4, 1))])
    with pytest.raises(ValueError, match=r"list of two tensors \[old, new\]"):
        FadeIn()(np.zeros((2, 4, 4, 3), "float32"))
