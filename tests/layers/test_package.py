"""Tests for the `kgan.layers` package: exports, registration, backend neutrality."""

import pathlib
import re

import keras
import numpy as np

import kgan.layers

EXPECTED = {
    "Conv2D",
    "Conv2DTranspose",
    "Downsample2D",
    "EqualizedConv2D",
    "EqualizedDense",
    "FadeIn",
    "MinibatchStdDev",
    "PixelNorm",
    "ResidualBottleneckBlock",
    "SELUConvBlock",
    "Upsample2D",
}


def test_exports_and_registration():
    assert set(kgan.layers.__all__) == EXPECTED
    for name in EXPECTED:
        layer_class = getattr(kgan.layers, name)
        assert keras.saving.get_registered_name(layer_class) == f"kgan>{name}"
        assert keras.saving.get_registered_object(f"kgan>{name}") is layer_class
        doc = layer_class.__doc__
        assert doc and "Args:" in doc and "Example:" in doc, name
        assert "Returns:" in doc or "Call arguments:" in doc, name


def test_layers_and_their_tests_use_keras_ops_only():
    forbidden = re.compile(
        r"^\s*(import|from)\s+(tensorflow|jax|torch)\b|keras\.backend\.backend\(\)", re.M
    )
    source_dir = pathlib.Path(kgan.layers.__file__).parent
    test_dir = pathlib.Path(__file__).parent
    paths = sorted(source_dir.glob("*.py")) + sorted(test_dir.glob("*.py"))
    assert len(paths) > 10
    for path in paths:
        assert not forbidden.search(path.read_text()), path.name


def test_all_layers_train_in_fit():
    """One optimizer step through every layer under the backend's own trainer."""
    # Kernel shapes as in the other test files (JAX compiles each initializer per shape).
    layers = kgan.layers
    inputs = keras.Input((4, 4, 3), batch_size=4)
    old = layers.Upsample2D(2)(layers.EqualizedConv2D(4, 3)(layers.Downsample2D(2)(inputs)))
    new = layers.EqualizedConv2D(4, 3)(inputs)
    fade = layers.FadeIn()
    x = fade([old, new])
    x = layers.PixelNorm()(x)
    x = layers.ResidualBottleneckBlock(8, bottleneck_ratio=2)(x)
    x = layers.SELUConvBlock(3, kernel_size=4, strides=2)(x)
    x = layers.MinibatchStdDev(group_size=2)(x)
    outputs = layers.EqualizedDense(4, gain=1.0)(keras.layers.Flatten()(x))
    model = keras.Model(inputs, outputs)
    fade.alpha.assign(0.5)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = [np.array(keras.ops.convert_to_numpy(w)) for w in model.trainable_weights]
    data = np.random.default_rng(0).normal(size=(4, 4, 4, 3)).astype("float32")
    history = model.fit(data, np.ones((4, 4), "float32"), batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    after = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
    weights = model.trainable_weights
    unchanged = [w.path for w, b, a in zip(weights, before, after) if np.all(a == b)]
    assert unchanged == []
    assert float(keras.ops.convert_to_numpy(fade.alpha)) == 0.5
