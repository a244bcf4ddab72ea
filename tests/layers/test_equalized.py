"""Tests for EqualizedDense and EqualizedConv2D (ProGAN equalized learning rate, REFERENCE.md 2)."""

import math

import keras
import numpy as np
import pytest

from kgan.layers import EqualizedConv2D, EqualizedDense

RNG = np.random.default_rng(1234)

# The tests reuse a few kernel shapes on purpose: under JAX every new shape of a random
# initializer costs an XLA compilation (about a second on CPU).


def to_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def randn(*shape):
    return RNG.normal(size=shape).astype("float32")


def conv2d_reference(x, kernel, padding):
    """Stride-1 2D convolution, NHWC input and HWIO kernel, in float64 NumPy."""
    x = x.astype(np.float64)
    kernel = kernel.astype(np.float64)
    kh, kw = kernel.shape[:2]
    if padding == "same":
        # Keras/TF "same": total padding k - 1, the smaller half before.
        pads = [((k - 1) // 2, (k - 1) - (k - 1) // 2) for k in (kh, kw)]
        x = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)])
    out_h, out_w = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.zeros((x.shape[0], out_h, out_w, kernel.shape[-1]))
    for i in range(kh):
        for j in range(kw):
            out += x[:, i : i + out_h, j : j + out_w, :] @ kernel[i, j]
    return out


def randomize_bias(layer):
    layer.bias.assign(randn(*layer.bias.shape))


# --- EqualizedDense -------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, units, gain, lr_multiplier",
    [((3, 16), 4, math.sqrt(2.0), 1.0), ((2, 16), 4, 1.0, 1.0), ((2, 3, 16), 4, 2.0, 0.01)],
)
def test_dense_matches_numpy(shape, units, gain, lr_multiplier):
    x = randn(*shape)
    layer = EqualizedDense(units, gain=gain, lr_multiplier=lr_multiplier)
    layer.build(x.shape)
    randomize_bias(layer)
    kernel, bias = to_numpy(layer.kernel), to_numpy(layer.bias)
    fan_in = shape[-1]
    scale = gain / math.sqrt(fan_in) * lr_multiplier
    expected = x.astype(np.float64) @ (kernel * scale) + bias * lr_multiplier
    np.testing.assert_allclose(to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-5)
    assert layer.scale == pytest.approx(scale)
    assert tuple(layer(x).shape) == layer.compute_output_shape(x.shape)


def test_dense_effective_weight_is_kernel_times_gain_over_sqrt_fan_in():
    layer = EqualizedDense(4, gain=1.0, use_bias=False)
    x = np.eye(16, dtype="float32")  # the identity reads out the effective weight row by row
    effective = to_numpy(layer(x))
    np.testing.assert_allclose(effective, to_numpy(layer.kernel) / 4.0, rtol=1e-6)
    assert layer.kernel.shape == (16, 4)  # [in, out], Keras's Dense layout
    assert layer.bias is None


def test_dense_kernel_is_stored_as_unit_normal_and_bias_as_zeros():
    layer = EqualizedDense(512)
    layer.build((None, 256))
    kernel = to_numpy(layer.kernel)
    assert abs(kernel.mean()) < 0.01
    assert abs(kernel.std() - 1.0) < 0.01
    np.testing.assert_array_equal(to_numpy(layer.bias), 0.0)
    assert layer.scale == pytest.approx(math.sqrt(2.0) / 16.0)


def test_dense_lr_multiplier_keeps_effective_init_and_scales_the_stored_kernel():
    layer = EqualizedDense(512, gain=1.0, lr_multiplier=0.01)
    layer.build((None, 256))
    kernel = to_numpy(layer.kernel)
    assert abs(kernel.std() - 100.0) < 1.0  # stored N(0, 1 / lr_multiplier**2)
    assert abs((kernel * layer.scale).std() - 1.0 / 16.0) < 0.001


def test_dense_scale_before_build_raises():
    with pytest.raises(ValueError, match="not built"):
        EqualizedDense(3).scale


def test_dense_config_round_trip():
    x = randn(4, 16)
    layer = EqualizedDense(4, gain=1.5, use_bias=True, lr_multiplier=0.5, name="dense")
    layer.build(x.shape)
    randomize_bias(layer)
    config = layer.get_config()
    assert {k: config[k] for k in ("units", "gain", "use_bias", "lr_multiplier")} == {
        "units": 4,
        "gain": 1.5,
        "use_bias": True,
        "lr_multiplier": 0.5,
    }
    clone = EqualizedDense.from_config(config)
    clone.build(x.shape)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(to_numpy(clone(x)), to_numpy(layer(x)))


def test_dense_model_save_and_load(tmp_path):
    x = randn(3, 16)
    inputs = keras.Input((16,))
    model = keras.Model(inputs, EqualizedDense(4, gain=1.0, lr_multiplier=0.5)(inputs))
    randomize_bias(model.layers[1])
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.layers[1], EqualizedDense)
    assert (loaded.layers[1].gain, loaded.layers[1].lr_multiplier) == (1.0, 0.5)
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"units": 0}, "`units` must be a positive integer.*units=0"),
        ({"units": 2.5}, "`units`.*units=2.5"),
        ({"units": 3, "gain": 0.0}, "`gain` must be a positive number.*gain=0.0"),
        ({"units": 3, "lr_multiplier": -1}, "`lr_multiplier`.*lr_multiplier=-1"),
    ],
)
def test_dense_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EqualizedDense(**kwargs)


def test_dense_bad_input_shape():
    with pytest.raises(ValueError, match=r"rank >= 2.*input_shape=\(5,\)"):
        EqualizedDense(3).build((5,))
    with pytest.raises(ValueError, match="known last .*channel"):
        EqualizedDense(3).build((2, None))


# --- EqualizedConv2D ------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, filters, kernel_size, gain, padding",
    [
        ((2, 5, 5, 3), 4, 3, math.sqrt(2.0), "same"),
        ((2, 6, 5, 3), 2, (3, 2), 1.0, "same"),
        ((1, 6, 6, 3), 4, 3, math.sqrt(2.0), "valid"),
    ],
)
def test_conv_matches_numpy(shape, filters, kernel_size, gain, padding):
    x = randn(*shape)
    layer = EqualizedConv2D(filters, kernel_size, gain=gain, padding=padding)
    layer.build(x.shape)
    randomize_bias(layer)
    kernel, bias = to_numpy(layer.kernel), to_numpy(layer.bias)
    fan_in = np.prod(kernel.shape[:-1])
    expected = conv2d_reference(x, kernel * gain / math.sqrt(fan_in), padding) + bias
    outputs = layer(x)
    np.testing.assert_allclose(to_numpy(outputs), expected, rtol=1e-5, atol=1e-5)
    assert tuple(outputs.shape) == layer.compute_output_shape(x.shape)
    assert layer.scale == pytest.approx(gain / math.sqrt(fan_in))


def test_conv_kernel_layout_is_hwio_and_stored_as_unit_normal():
    layer = EqualizedConv2D(128, 3)
    layer.build((None, 8, 8, 64))
    kernel = to_numpy(layer.kernel)
    assert kernel.shape == (3, 3, 64, 128)
    assert abs(kernel.mean()) < 0.01
    assert abs(kernel.std() - 1.0) < 0.01
    np.testing.assert_array_equal(to_numpy(layer.bias), 0.0)
    assert layer.scale == pytest.approx(math.sqrt(2.0) / math.sqrt(3 * 3 * 64))


def test_conv_effective_weight_is_kernel_times_gain_over_sqrt_fan_in():
    # A 1x1 conv on one-hot pixels reads out the effective kernel.
    layer = EqualizedConv2D(3, 1, gain=1.0, use_bias=False)
    x = np.eye(4, dtype="float32").reshape(4, 1, 1, 4)
    effective = to_numpy(layer(x)).reshape(4, 3)
    np.testing.assert_allclose(effective, to_numpy(layer.kernel)[0, 0] / math.sqrt(4), rtol=1e-6)


def test_conv_config_round_trip():
    x = randn(1, 6, 6, 3)
    layer = EqualizedConv2D(4, 3, gain=1.0, use_bias=True, padding="valid")
    layer.build(x.shape)
    randomize_bias(layer)
    config = layer.get_config()
    assert config["kernel_size"] == (3, 3) and config["padding"] == "valid"
    assert config["gain"] == 1.0 and config["filters"] == 4
    clone = EqualizedConv2D.from_config(config)
    clone.build(x.shape)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(to_numpy(clone(x)), to_numpy(layer(x)))


def test_conv_model_save_and_load(tmp_path):
    x = randn(2, 5, 5, 3)
    inputs = keras.Input((5, 5, 3))
    hidden = EqualizedConv2D(4, 3)(inputs)
    model = keras.Model(inputs, EqualizedConv2D(3, 1, gain=1.0, use_bias=False)(hidden))
    randomize_bias(model.layers[1])
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.layers[1], EqualizedConv2D)
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"filters": -2, "kernel_size": 3}, "`filters`.*filters=-2"),
        ({"filters": 2, "kernel_size": (3,)}, r"`kernel_size`.*tuple of 2.*kernel_size=\(3,\)"),
        ({"filters": 2, "kernel_size": 0}, "`kernel_size`"),
        (
            {"filters": 2, "kernel_size": 3, "padding": "full"},
            r"`padding`.*\['same', 'valid'\].*'full'",
        ),
        ({"filters": 2, "kernel_size": 3, "gain": -1.0}, "`gain`.*gain=-1.0"),
    ],
)
def test_conv_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EqualizedConv2D(**kwargs)


def test_conv_bad_input_shapes():
    with pytest.raises(ValueError, match=r"rank 4.*input_shape=\(2, 4, 3\)"):
        EqualizedConv2D(2, 3)(randn(2, 4, 3))
    with pytest.raises(ValueError, match="height >= kernel size 3"):
        EqualizedConv2D(2, 3, padding="valid").build((1, 2, 5, 1))
