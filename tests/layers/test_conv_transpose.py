"""kgan.layers.Conv2DTranspose: Keras's layer, with fast gradients on JAX (issue 8)."""

import json
import os

import keras
import numpy as np
import pytest
from keras import ops

import kgan
from kgan import backend
from kgan.layers import Conv2DTranspose

RNG = np.random.default_rng(8)


def to_numpy(x):
    return np.asarray(ops.convert_to_numpy(x), dtype=np.float64)


def conv_transpose_reference(x, kernel, stride, padding):
    """NHWC transposed convolution, kernel (kh, kw, out, in), in float64 NumPy."""
    n, h, w, _ = x.shape
    k = kernel.shape[0]
    full = np.zeros((n, (h - 1) * stride + k, (w - 1) * stride + k, kernel.shape[2]))
    for i in range(h):
        for j in range(w):
            full[:, i * stride : i * stride + k, j * stride : j * stride + k] += np.einsum(
                "nc,abOc->nabO", x[:, i, j].astype(np.float64), kernel.astype(np.float64)
            )
    if padding == "same":  # Keras/TF: output H * stride, max(k - stride, 0) // 2 cut before
        start = max(k - stride, 0) // 2
        return full[:, start : start + h * stride, start : start + w * stride]
    size_h, size_w = h * stride + max(k - stride, 0), w * stride + max(k - stride, 0)
    out = np.zeros((n, size_h, size_w, kernel.shape[2]))
    out[:, : full.shape[1], : full.shape[2]] = full[:, :size_h, :size_w]
    return out


def twin_layers(filters, kernel_size, **kwargs):
    """A kgan and a Keras layer with the same random weights."""
    ours = Conv2DTranspose(filters, kernel_size, **kwargs)
    theirs = keras.layers.Conv2DTranspose(filters, kernel_size, **kwargs)
    return ours, theirs


def build_alike(ours, theirs, input_shape):
    ours.build(input_shape)
    theirs.build(input_shape)
    for mine, other in zip(ours.weights, theirs.weights):
        value = RNG.normal(size=mine.shape).astype("float32")
        mine.assign(value)
        other.assign(value)


def loss_and_gradients(layer, x, weights):
    """A non-linear loss of the layer's output, its weight and input gradients."""
    shape = layer.compute_output_shape(x.shape)
    target = ops.convert_to_tensor(np.cos(np.arange(np.prod(shape))).reshape(shape).astype("float32"))

    def loss_fn():
        y = layer(x)
        return ops.mean(ops.square(y - target)), ()

    (loss, _), weight_gradients = backend.value_and_gradients(loss_fn, layer.trainable_variables)
    input_gradient = backend.input_gradient(lambda inputs: ops.sin(layer(inputs)) * target, weights)
    return [to_numpy(loss)] + [to_numpy(g) for g in weight_gradients] + [to_numpy(input_gradient)]


@pytest.mark.parametrize("kernel_size", [3, 4, 5])
@pytest.mark.parametrize("strides", [1, 2])
@pytest.mark.parametrize("padding", ["same", "valid"])
def test_matches_numpy_and_the_keras_layer(kernel_size, strides, padding):
    x = RNG.normal(size=(2, 5, 6, 3)).astype("float32")
    ours, theirs = twin_layers(4, kernel_size, strides=strides, padding=padding, activation="tanh")
    build_alike(ours, theirs, x.shape)
    expected = np.tanh(
        conv_transpose_reference(x, ours.kernel.numpy(), strides, padding) + ours.bias.numpy()
    )
    np.testing.assert_allclose(to_numpy(ours(x)), expected, rtol=1e-4, atol=1e-5)
    x_tensor = ops.convert_to_tensor(x)
    for mine, other in zip(loss_and_gradients(ours, x_tensor, x_tensor), loss_and_gradients(theirs, x_tensor, x_tensor)):
        np.testing.assert_allclose(mine, other, rtol=1e-4, atol=1e-5)


def test_second_order_gradient_matches_the_keras_layer():
    """A gradient penalty differentiates the input gradient again (WGAN-GP)."""
    x = ops.convert_to_tensor(RNG.normal(size=(2, 4, 4, 3)).astype("float32"))
    ours, theirs = twin_layers(2, 4, strides=2, padding="same")
    build_alike(ours, theirs, x.shape)

    def penalty_gradients(layer):
        def loss_fn():
            gradient = backend.input_gradient(lambda inputs: ops.square(layer(inputs)), x)
            return ops.sum(ops.square(gradient)), ()

        (loss, _), gradients = backend.value_and_gradients(loss_fn, layer.trainable_variables)
        return [to_numpy(loss)] + [to_numpy(g) for g in gradients]

    for mine, other in zip(penalty_gradients(ours), penalty_gradients(theirs)):
        np.testing.assert_allclose(mine, other, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kwargs", [{"output_padding": 1}, {"dilation_rate": 2}])
def test_other_configurations_run_the_keras_code(kwargs):
    x = RNG.normal(size=(2, 5, 5, 3)).astype("float32")
    strides = 1 if "dilation_rate" in kwargs else 2
    ours, theirs = twin_layers(4, 3, strides=strides, padding="same", **kwargs)
    build_alike(ours, theirs, x.shape)
    assert not ours._fast_path()
    np.testing.assert_allclose(to_numpy(ours(x)), to_numpy(theirs(x)), rtol=1e-5, atol=1e-6)


def test_mixed_precision_computes_in_bfloat16():
    layer = Conv2DTranspose(4, 4, strides=2, padding="same", dtype="mixed_bfloat16")
    y = layer(RNG.normal(size=(1, 3, 3, 2)).astype("float32"))
    assert ops.convert_to_numpy(y).dtype.name == "bfloat16"
    assert layer.kernel.dtype == "float32"


def test_save_and_load_keeps_the_class_and_outputs(tmp_path):
    x = RNG.normal(size=(2, 4, 4, 3)).astype("float32")
    inputs = keras.Input((4, 4, 3))
    model = keras.Model(inputs, Conv2DTranspose(2, 4, strides=2, padding="same")(inputs))
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.layers[-1]) is Conv2DTranspose
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))


def conv_transpose_configs(config):
    """Every Conv2DTranspose entry of a serialized model config."""
    if isinstance(config, dict):
        found = [config] if config.get("class_name") == "Conv2DTranspose" else []
        return found + [c for value in config.values() for c in conv_transpose_configs(value)]
    if isinstance(config, list):
        return [c for value in config for c in conv_transpose_configs(value)]
    return []


def test_models_and_bundled_presets_use_it():
    generator = kgan.models.dcgan_generator(image_size=28, channels=1, width=8)
    transposed = [layer for layer in generator.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    assert transposed and all(type(layer) is Conv2DTranspose for layer in transposed)
    root = kgan.zoo.registry.bundled_root()
    checked = 0
    for name in kgan.zoo.registry.bundled_names():
        with open(os.path.join(root, name, "config.json")) as file:
            entries = conv_transpose_configs(json.load(file))
        assert all(entry["registered_name"] == "kgan>Conv2DTranspose" for entry in entries), name
        checked += len(entries)
    assert checked >= 20
