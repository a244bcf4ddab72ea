"""Tests for ResidualBottleneckBlock (1x1 -> 3x3 -> 1x1 convs, norm, ReLU, skip)."""

import keras
import numpy as np
import pytest

from kgan.layers import ResidualBottleneckBlock

RNG = np.random.default_rng(23)
BN_EPSILON = 1e-3  # keras.layers.BatchNormalization's default

# The tests reuse a few kernel shapes on purpose: under JAX every new shape of a random
# initializer costs an XLA compilation (about a second on CPU).


def to_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def conv_same_reference(x, kernel, bias):
    kh, kw = kernel.shape[:2]
    top, left = (kh - 1) // 2, (kw - 1) // 2
    xp = np.pad(x, [(0, 0), (top, kh - 1 - top), (left, kw - 1 - left), (0, 0)])
    h, w = x.shape[1:3]
    out = np.zeros(x.shape[:3] + (kernel.shape[-1],))
    for i in range(kh):
        for j in range(kw):
            out += xp[:, i : i + h, j : j + w] @ kernel[i, j]
    return out if bias is None else out + bias


def randomize(block):
    """Gives every weight (BN statistics included) non-trivial values."""
    for variable in block.weights:
        value = RNG.normal(size=variable.shape)
        if "variance" in variable.path or "gamma" in variable.path:
            value = RNG.uniform(0.5, 1.5, size=variable.shape)
        variable.assign(value.astype("float32"))


def block_reference(block, x, training):
    """Recomputes the block from its weights in float64 NumPy."""
    x = x.astype(np.float64)

    def conv(layer, h):
        bias = to_numpy(layer.bias).astype(np.float64) if layer.use_bias else None
        return conv_same_reference(h, to_numpy(layer.kernel).astype(np.float64), bias)

    def norm(i, h):
        if block.normalization is None:
            return h
        bn = block.norms[i]
        if training:
            mean, var = h.mean(axis=(0, 1, 2)), h.var(axis=(0, 1, 2))
        else:
            mean, var = to_numpy(bn.moving_mean), to_numpy(bn.moving_variance)
        return (h - mean) / np.sqrt(var + BN_EPSILON) * to_numpy(bn.gamma) + to_numpy(bn.beta)

    h = x
    for i, layer in enumerate(block.convs):
        h = norm(i, conv(layer, h))
        if i < 2:
            h = np.maximum(h, 0.0)
    skip = x if block.projection is None else conv(block.projection, x)
    return np.maximum(h + skip, 0.0)


@pytest.mark.parametrize(
    "shape, filters, ratio, normalization",
    [
        ((2, 3, 5, 8), 8, 2, "batch"),  # identity skip
        ((2, 3, 5, 4), 8, 2, "batch"),  # projected skip
        ((2, 3, 5, 8), 8, 2, None),  # identity skip, biases instead of normalisation
        ((1, 3, 5, 4), 8, 2, None),  # projected skip, biases instead of normalisation
    ],
)
def test_matches_numpy(shape, filters, ratio, normalization):
    x = RNG.normal(size=shape).astype("float32")
    block = ResidualBottleneckBlock(filters, bottleneck_ratio=ratio, normalization=normalization)
    block.build(x.shape)
    randomize(block)
    assert (block.projection is None) == (shape[-1] == filters)
    for training in (False, True):  # inference: moving statistics; training: batch statistics
        expected = block_reference(block, x, training)
        outputs = block(x, training=training)
        np.testing.assert_allclose(to_numpy(outputs), expected, rtol=1e-5, atol=1e-4)
    assert tuple(outputs.shape) == block.compute_output_shape(x.shape)


def test_structure():
    block = ResidualBottleneckBlock(8, bottleneck_ratio=2)
    block.build((None, 3, 5, 4))
    assert [tuple(conv.kernel.shape) for conv in block.convs] == [
        (1, 1, 4, 4),
        (3, 3, 4, 4),
        (1, 1, 4, 8),
    ]
    assert tuple(block.projection.kernel.shape) == (1, 1, 4, 8)
    assert len(block.norms) == 3
    assert all(isinstance(n, keras.layers.BatchNormalization) for n in block.norms)
    assert not any(conv.use_bias for conv in block.convs)  # BN follows every conv
    plain = ResidualBottleneckBlock(8, bottleneck_ratio=2, normalization=None)
    plain.build((None, 3, 5, 8))
    assert plain.norms == [] and plain.projection is None
    assert all(conv.use_bias for conv in plain.convs)


def test_config_round_trip():
    x = RNG.normal(size=(2, 3, 5, 4)).astype("float32")  # projected skip, built in build()
    block = ResidualBottleneckBlock(8, bottleneck_ratio=2, normalization="batch", name="res")
    block.build(x.shape)
    randomize(block)
    config = block.get_config()
    assert (config["filters"], config["bottleneck_ratio"], config["normalization"]) == (
        8,
        2,
        "batch",
    )
    clone = ResidualBottleneckBlock.from_config(config)
    clone.build(x.shape)
    clone.set_weights(block.get_weights())
    np.testing.assert_array_equal(to_numpy(clone(x)), to_numpy(block(x)))


def test_model_save_and_load(tmp_path):
    x = RNG.normal(size=(2, 3, 5, 4)).astype("float32")
    inputs = keras.Input((3, 5, 4))
    hidden = ResidualBottleneckBlock(8, bottleneck_ratio=2)(inputs)
    model = keras.Model(inputs, ResidualBottleneckBlock(8, 2, normalization=None)(hidden))
    for layer in model.layers[1:]:
        randomize(layer)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert [type(layer) for layer in loaded.layers[1:]] == [ResidualBottleneckBlock] * 2
    assert loaded.layers[1].projection is not None and loaded.layers[2].projection is None
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))


def test_batch_norm_updates_statistics_in_training():
    block = ResidualBottleneckBlock(8, bottleneck_ratio=2)
    x = RNG.normal(size=(2, 3, 5, 8)).astype("float32") + 2.0
    block(x, training=False)
    before = to_numpy(block.norms[0].moving_mean).copy()
    block(x, training=True)
    assert not np.allclose(to_numpy(block.norms[0].moving_mean), before)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"filters": 0}, "`filters` must be a positive integer.*filters=0"),
        ({"filters": 8, "bottleneck_ratio": 0}, "`bottleneck_ratio`.*bottleneck_ratio=0"),
        (
            {"filters": 2, "bottleneck_ratio": 4},
            "filters // bottleneck_ratio >= 1.*filters=2, bottleneck_ratio=4",
        ),
        (
            {"filters": 8, "normalization": "layer"},
            r"`normalization` must be one of \['batch', None\].*'layer'",
        ),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ResidualBottleneckBlock(**kwargs)


def test_bad_input_shape():
    with pytest.raises(ValueError, match=r"rank 4.*input_shape=\(2, 8\)"):
        ResidualBottleneckBlock(8)(np.ones((2, 8), "float32"))
    with pytest.raises(ValueError, match="known last .*channel"):
        ResidualBottleneckBlock(8)(keras.Input((4, 4, None)))
