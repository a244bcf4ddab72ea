"""Tests for SELUConvBlock (conv or transposed conv, LeCun-normal init, SELU, no norm)."""

import keras
import numpy as np
import pytest

from kgan.layers import SELUConvBlock

RNG = np.random.default_rng(17)

# The tests reuse a few kernel shapes on purpose: under JAX every new shape of a random
# initializer costs an XLA compilation (about a second on CPU).
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def to_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def selu(x):
    return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))


def same_padding(size, kernel, stride):
    """TF-style "same" padding for a convolution: (before, after, output size)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2, out


def conv_reference(x, kernel, bias, stride):
    """NHWC convolution with an HWIO kernel and "same" padding, float64."""
    x, kernel = x.astype(np.float64), kernel.astype(np.float64)
    (kh, kw), (sh, sw) = kernel.shape[:2], stride
    top, bottom, out_h = same_padding(x.shape[1], kh, sh)
    left, right, out_w = same_padding(x.shape[2], kw, sw)
    x = np.pad(x, [(0, 0), (top, bottom), (left, right), (0, 0)])
    out = np.zeros((x.shape[0], out_h, out_w, kernel.shape[-1]))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, i * sh : i * sh + kh, j * sw : j * sw + kw, :]
            out[:, i, j] = np.einsum("nhwc,hwcf->nf", patch, kernel)
    return out + bias


def conv_transpose_reference(x, kernel, bias, stride):
    """Transposed convolution (the adjoint of a "same" strided conv), kernel [kh, kw, out, in]."""
    x, kernel = x.astype(np.float64), kernel.astype(np.float64)
    (kh, kw), (sh, sw) = kernel.shape[:2], stride
    n, h, w, _ = x.shape
    out_h, out_w = h * sh, w * sw
    top = same_padding(out_h, kh, sh)[0]
    left = same_padding(out_w, kw, sw)[0]
    full = np.zeros((n, (h - 1) * sh + kh, (w - 1) * sw + kw, kernel.shape[2]))
    for i in range(h):
        for j in range(w):
            for a in range(kh):
                for b in range(kw):
                    full[:, i * sh + a, j * sw + b] += x[:, i, j] @ kernel[a, b].T
    return full[:, top : top + out_h, left : left + out_w] + bias


@pytest.mark.parametrize(
    "shape, filters, kernel_size, strides",
    [((2, 5, 5, 3), 4, 3, 1), ((1, 6, 6, 8), 3, 4, 2), ((1, 5, 5, 3), 4, 3, (1, 2))],
)
def test_conv_matches_numpy(shape, filters, kernel_size, strides):
    x = RNG.normal(size=shape).astype("float32")
    block = SELUConvBlock(filters, kernel_size, strides)
    block.build(x.shape)
    block.conv.bias.assign(RNG.normal(size=(filters,)).astype("float32"))
    kernel, bias = to_numpy(block.conv.kernel), to_numpy(block.conv.bias)
    stride = block.strides
    expected = selu(conv_reference(x, kernel, bias, stride))
    outputs = block(x)
    np.testing.assert_allclose(to_numpy(outputs), expected, rtol=1e-5, atol=1e-5)
    assert tuple(outputs.shape) == block.compute_output_shape(x.shape)


@pytest.mark.parametrize(
    "shape, filters, kernel_size, strides",
    [((1, 3, 3, 3), 2, 3, 2), ((2, 3, 3, 2), 3, 4, 2), ((1, 3, 3, 3), 2, 3, 1)],
)
def test_conv_transpose_matches_numpy(shape, filters, kernel_size, strides):
    x = RNG.normal(size=shape).astype("float32")
    block = SELUConvBlock(filters, kernel_size, strides, transpose=True)
    block.build(x.shape)
    block.conv.bias.assign(RNG.normal(size=(filters,)).astype("float32"))
    kernel, bias = to_numpy(block.conv.kernel), to_numpy(block.conv.bias)
    expected = selu(conv_transpose_reference(x, kernel, bias, block.strides))
    outputs = block(x)
    np.testing.assert_allclose(to_numpy(outputs), expected, rtol=1e-5, atol=1e-5)
    assert tuple(outputs.shape) == block.compute_output_shape(x.shape)
    assert outputs.shape[1] == shape[1] * strides


def test_lecun_normal_init_no_normalization_and_self_normalizing_output():
    block = SELUConvBlock(128, kernel_size=3)
    x = RNG.normal(size=(4, 8, 8, 64)).astype("float32")
    y = to_numpy(block(x))[:, 1:-1, 1:-1]  # interior: no zero padding in the receptive field
    kernel = to_numpy(block.conv.kernel)
    # LeCun normal: truncated normal with std sqrt(1 / fan_in), fan_in = 3 * 3 * 64.
    assert abs(kernel.std() - np.sqrt(1.0 / 576)) < 0.002
    assert abs(kernel.mean()) < 0.002
    assert len(block.weights) == 2  # kernel and bias only: no normalisation layer
    config = block.conv.get_config()
    assert config["padding"] == "same" and config["activation"] == "selu"
    # Self-normalising: unit-variance inputs give activations near mean 0, std 1.
    assert abs(y.mean()) < 0.1
    assert abs(y.std() - 1.0) < 0.1


@pytest.mark.parametrize("transpose, shape", [(False, (1, 6, 6, 8)), (True, (2, 3, 3, 2))])
def test_config_round_trip(transpose, shape):
    x = RNG.normal(size=shape).astype("float32")
    block = SELUConvBlock(3, kernel_size=4, strides=2, transpose=transpose, name="selu")
    block.build(x.shape)
    config = block.get_config()
    assert {k: config[k] for k in ("filters", "kernel_size", "strides", "transpose")} == {
        "filters": 3,
        "kernel_size": (4, 4),
        "strides": (2, 2),
        "transpose": transpose,
    }
    clone = SELUConvBlock.from_config(config)
    clone.build(x.shape)
    clone.set_weights(block.get_weights())
    np.testing.assert_array_equal(to_numpy(clone(x)), to_numpy(block(x)))


def test_model_save_and_load(tmp_path):
    x = RNG.normal(size=(1, 6, 6, 8)).astype("float32")
    inputs = keras.Input((6, 6, 8))
    hidden = SELUConvBlock(3, 4, strides=2)(inputs)
    model = keras.Model(inputs, SELUConvBlock(2, 3, strides=2, transpose=True)(hidden))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert [type(layer) for layer in loaded.layers[1:]] == [SELUConvBlock, SELUConvBlock]
    assert loaded.layers[2].transpose
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="`filters` must be a positive integer.*filters=0"):
        SELUConvBlock(0)
    with pytest.raises(ValueError, match=r"`strides`.*strides=\(1, 2, 3\)"):
        SELUConvBlock(4, strides=(1, 2, 3))
    with pytest.raises(ValueError, match=r"rank 4.*input_shape=\(2, 8\)"):
        SELUConvBlock(4)(np.ones((2, 8), "float32"))
