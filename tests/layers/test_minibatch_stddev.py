"""Tests for MinibatchStdDev (ProGAN's minibatch standard deviation, REFERENCE.md 2).

Fact checked: the official code reshapes the batch to [G, M, H, W, C], so sample
n = g * M + m belongs to subgroup m, and the statistic of subgroup m is appended
to every one of its members.
"""

import keras
import numpy as np
import pytest

from kgan.layers import MinibatchStdDev

RNG = np.random.default_rng(5)


def to_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def minibatch_stddev_reference(x, group_size):
    """Loops over subgroups explicitly; sample n = g * M + m is member g of subgroup m."""
    x = x.astype(np.float64)
    n = x.shape[0]
    groups = min(group_size, n)
    m_count = n // groups
    feature = np.zeros(x.shape[:3] + (1,))
    for m in range(m_count):
        members = np.stack([x[g * m_count + m] for g in range(groups)])
        variance = np.mean((members - members.mean(axis=0)) ** 2, axis=0)
        value = np.mean(np.sqrt(variance + 1e-8))
        for g in range(groups):
            feature[g * m_count + m] = value
    return np.concatenate([x, feature], axis=-1)


@pytest.mark.parametrize(
    "shape, group_size",
    [((8, 4, 4, 3), 4), ((4, 2, 3, 5), 4), ((6, 2, 2, 2), 2), ((6, 3, 3, 1), 3), ((4, 2, 2, 3), 1)],
)
def test_matches_numpy(shape, group_size):
    x = RNG.normal(size=shape).astype("float32")
    # Give each sample its own scale so that different groupings give different results.
    x *= np.arange(1, shape[0] + 1, dtype="float32").reshape(-1, 1, 1, 1)
    layer = MinibatchStdDev(group_size=group_size)
    outputs = layer(x)
    np.testing.assert_allclose(
        to_numpy(outputs), minibatch_stddev_reference(x, group_size), rtol=1e-5, atol=1e-5
    )
    assert tuple(outputs.shape) == layer.compute_output_shape(x.shape)


def test_grouping_order_is_g_times_m_plus_m():
    # Batch 8, group 4 -> M = 2. Subgroup m=0 is samples 0, 2, 4, 6 (all equal: std 0);
    # subgroup m=1 is samples 1, 3, 5, 7 (values 0, 2, 4, 6: std sqrt(5)).
    x = np.zeros((8, 2, 2, 1), "float32")
    x[1::2] = np.array([0.0, 2.0, 4.0, 6.0], "float32").reshape(4, 1, 1, 1)
    x[0::2] = 3.0
    feature = to_numpy(MinibatchStdDev(group_size=4)(x))[:, :, :, -1]
    np.testing.assert_allclose(feature[0::2], 1e-4, rtol=1e-3)  # sqrt(0 + 1e-8)
    np.testing.assert_allclose(feature[1::2], np.sqrt(5.0), rtol=1e-5)
    np.testing.assert_array_equal(to_numpy(MinibatchStdDev(4)(x))[..., :1], x)


def test_batch_smaller_than_group_size_uses_the_whole_batch():
    x = RNG.normal(size=(3, 2, 2, 4)).astype("float32")
    feature = to_numpy(MinibatchStdDev(group_size=16)(x))[..., -1]
    expected = np.mean(np.sqrt(np.var(x.astype(np.float64), axis=0) + 1e-8))
    np.testing.assert_allclose(feature, expected, rtol=1e-5)


def test_unknown_batch_size_in_compiled_predict():
    # 10 samples in batches of 4 -> 4, 4, 2; the last batch has groups of 2.
    x = RNG.normal(size=(10, 2, 2, 3)).astype("float32")
    inputs = keras.Input((2, 2, 3))
    model = keras.Model(inputs, MinibatchStdDev(group_size=4)(inputs))
    outputs = model.predict(x, batch_size=4, verbose=0)
    expected = np.concatenate(
        [minibatch_stddev_reference(x[i : i + 4], 4) for i in range(0, 10, 4)]
    )
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-5)


def test_computes_in_float32_and_returns_the_input_dtype():
    x = RNG.normal(size=(4, 2, 2, 3)).astype("float32")
    layer = MinibatchStdDev(dtype="mixed_bfloat16")
    outputs = layer(keras.ops.cast(x, "bfloat16"))
    assert keras.backend.standardize_dtype(outputs.dtype) == "bfloat16"
    feature = to_numpy(keras.ops.cast(outputs[..., -1], "float32"))
    x_bf16 = to_numpy(keras.ops.cast(keras.ops.cast(x, "bfloat16"), "float32"))
    reference = minibatch_stddev_reference(x_bf16, 4)
    np.testing.assert_allclose(feature, reference[..., -1], rtol=1e-2)


def test_config_round_trip():
    x = RNG.normal(size=(4, 2, 2, 3)).astype("float32")
    layer = MinibatchStdDev(group_size=2, name="mbstd")
    assert layer.get_config()["group_size"] == 2
    clone = MinibatchStdDev.from_config(layer.get_config())
    np.testing.assert_array_equal(to_numpy(clone(x)), to_numpy(layer(x)))


def test_model_save_and_load(tmp_path):
    x = RNG.normal(size=(4, 4, 4, 2)).astype("float32")
    inputs = keras.Input((4, 4, 2))
    model = keras.Model(inputs, MinibatchStdDev(group_size=2)(inputs))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[-1], MinibatchStdDev)
    assert loaded.layers[-1].group_size == 2
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="`group_size` must be a positive integer.*group_size=0"):
        MinibatchStdDev(group_size=0)
    with pytest.raises(ValueError, match=r"rank 4.*input_shape=\(4, 8\)"):
        MinibatchStdDev()(np.ones((4, 8), "float32"))
    with pytest.raises(
        ValueError, match=r"divisible by the group size min\(group_size=4, batch=6\) = 4"
    ):
        MinibatchStdDev(group_size=4)(np.ones((6, 2, 2, 1), "float32"))
