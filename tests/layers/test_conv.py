"""kgan.layers.Conv2D and Conv2DTranspose: Keras's layers, with fast gradients on JAX (issue 8)."""

import json
import os

import keras
import numpy as np
import pytest
from keras import ops

import kgan
from kgan import backend
from kgan.layers import Conv2D
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


def conv_reference(x, kernel, stride, padding):
    """NHWC strided convolution, kernel HWIO, in float64 NumPy."""
    k = kernel.shape[0]
    pads = [(0, 0)] * 4
    if padding == "same":  # Keras/TF: ceil(H / stride) rows, the smaller half of the padding before
        for axis in (1, 2):
            total = max((-(-x.shape[axis] // stride) - 1) * stride + k - x.shape[axis], 0)
            pads[axis] = (total // 2, total - total // 2)
    x = np.pad(x.astype(np.float64), pads)
    rows, columns = (x.shape[1] - k) // stride + 1, (x.shape[2] - k) // stride + 1
    out = np.zeros((x.shape[0], rows, columns, kernel.shape[3]))
    for a in range(k):
        for b in range(k):
            patch = x[:, a : a + (rows - 1) * stride + 1 : stride, b : b + (columns - 1) * stride + 1 : stride]
            out += patch @ kernel[a, b].astype(np.float64)
    return out


LAYERS = {
    "Conv2D": (Conv2D, keras.layers.Conv2D, conv_reference),
    "Conv2DTranspose": (Conv2DTranspose, keras.layers.Conv2DTranspose, conv_transpose_reference),
}


def twin_layers(kind, filters, kernel_size, **kwargs):
    """A kgan and a Keras layer of `kind`, with the same random weights."""
    ours, theirs, _ = LAYERS[kind]
    return ours(filters, kernel_size, **kwargs), theirs(filters, kernel_size, **kwargs)


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


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize("kernel_size", [3, 4, 5])
@pytest.mark.parametrize("strides", [1, 2])
@pytest.mark.parametrize("padding", ["same", "valid"])
def test_matches_numpy_and_the_keras_layer(kind, kernel_size, strides, padding):
    x = RNG.normal(size=(2, 6, 7, 3)).astype("float32")
    ours, theirs = twin_layers(kind, 4, kernel_size, strides=strides, padding=padding, activation="tanh")
    build_alike(ours, theirs, x.shape)
    reference = LAYERS[kind][2]
    expected = np.tanh(reference(x, ours.kernel.numpy(), strides, padding) + ours.bias.numpy())
    np.testing.assert_allclose(to_numpy(ours(x)), expected, rtol=1e-4, atol=1e-5)
    x_tensor = ops.convert_to_tensor(x)
    for mine, other in zip(loss_and_gradients(ours, x_tensor, x_tensor), loss_and_gradients(theirs, x_tensor, x_tensor)):
        np.testing.assert_allclose(mine, other, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_second_order_gradient_matches_the_keras_layer(kind):
    """A gradient penalty differentiates the input gradient again (WGAN-GP)."""
    x = ops.convert_to_tensor(RNG.normal(size=(2, 6, 6, 3)).astype("float32"))
    ours, theirs = twin_layers(kind, 2, 4, strides=2, padding="same")
    build_alike(ours, theirs, x.shape)

    def penalty_gradients(layer):
        def loss_fn():
            gradient = backend.input_gradient(lambda inputs: ops.square(layer(inputs)), x)
            return ops.sum(ops.square(gradient)), ()

        (loss, _), gradients = backend.value_and_gradients(loss_fn, layer.trainable_variables)
        return [to_numpy(loss)] + [to_numpy(g) for g in gradients]

    for mine, other in zip(penalty_gradients(ours), penalty_gradients(theirs)):
        np.testing.assert_allclose(mine, other, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "kind, kwargs",
    [
        ("Conv2DTranspose", {"strides": 2, "output_padding": 1}),
        ("Conv2DTranspose", {"dilation_rate": 2}),
        ("Conv2D", {"dilation_rate": 2}),
        ("Conv2D", {"groups": 3}),
    ],
)
def test_other_configurations_match_the_keras_layer(kind, kwargs):
    x = RNG.normal(size=(2, 5, 5, 3)).astype("float32")
    ours, theirs = twin_layers(kind, 6, 3, padding="same", **kwargs)
    build_alike(ours, theirs, x.shape)
    np.testing.assert_allclose(to_numpy(ours(x)), to_numpy(theirs(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_mixed_precision_computes_in_bfloat16(kind):
    layer = LAYERS[kind][0](4, 4, strides=2, padding="same", dtype="mixed_bfloat16")
    y = layer(RNG.normal(size=(1, 3, 3, 2)).astype("float32"))
    assert ops.convert_to_numpy(y).dtype.name == "bfloat16"
    assert layer.kernel.dtype == "float32"


def test_save_and_load_keeps_the_class_and_outputs(tmp_path):
    x = RNG.normal(size=(2, 4, 4, 3)).astype("float32")
    inputs = keras.Input((4, 4, 3))
    hidden = Conv2D(3, 3, strides=2, padding="same")(inputs)
    model = keras.Model(inputs, Conv2DTranspose(2, 4, strides=2, padding="same")(hidden))
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert [type(layer) for layer in loaded.layers[1:]] == [Conv2D, Conv2DTranspose]
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))


def conv_configs(config):
    """Every Conv2D and Conv2DTranspose entry of a serialized model config."""
    if isinstance(config, dict):
        found = [config] if config.get("class_name") in LAYERS else []
        return found + [c for value in config.values() for c in conv_configs(value)]
    if isinstance(config, list):
        return [c for value in config for c in conv_configs(value)]
    return []


def test_models_and_bundled_presets_use_it():
    generator = kgan.models.dcgan_generator(image_size=28, channels=1, width=8)
    critic = kgan.models.dcgan_discriminator(image_size=28, channels=1, width=8)
    layers = generator.layers + critic.layers
    convolutions = [layer for layer in layers if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose))]
    assert len(convolutions) == 4
    assert all(type(layer) in (Conv2D, Conv2DTranspose) for layer in convolutions)
    root = kgan.zoo.registry.bundled_root()
    checked = 0
    for name in kgan.zoo.registry.bundled_names():
        with open(os.path.join(root, name, "config.json")) as file:
            entries = conv_configs(json.load(file))
        assert all(entry["registered_name"] == "kgan>" + entry["class_name"] for entry in entries), name
        checked += len(entries)
    assert checked >= 60
