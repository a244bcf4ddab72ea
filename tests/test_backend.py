"""kgan.backend: gradients, input gradients, optimizer updates; the import rule."""

import ast
import pathlib

import keras
import numpy as np
from keras import ops

from kgan import backend

KGAN = pathlib.Path(__file__).resolve().parents[1] / "kgan"
FRAMEWORKS = {"tensorflow", "jax", "jaxlib", "torch"}


def test_only_kgan_backend_imports_frameworks():
    offenders = []
    for path in KGAN.rglob("*.py"):
        if path.parent.name == "backend":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(name.split(".")[0] in FRAMEWORKS for name in names):
                offenders.append(f"{path.relative_to(KGAN.parent)}:{node.lineno}")
    assert offenders == []


def test_only_kgan_backend_branches_on_the_backend():
    offenders = [
        str(path.relative_to(KGAN.parent))
        for path in KGAN.rglob("*.py")
        if path.parent.name != "backend" and "backend.backend()" in path.read_text()
    ]
    assert offenders == []


def _dense(kernel, bias):
    layer = keras.layers.Dense(1)
    layer.build((None, 2))
    layer.kernel.assign(np.array(kernel, "float32"))
    layer.bias.assign(np.array(bias, "float32"))
    return layer


def test_value_and_gradients_match_hand_computation():
    layer = _dense([[2.0], [-1.0]], [0.5])
    x = ops.convert_to_tensor(np.array([[1.0, 3.0], [2.0, -1.0]], "float32"))

    def loss_fn():
        y = layer(x)  # [[-0.5], [5.5]]
        return ops.mean(ops.square(y)), ops.sum(y)

    (loss, aux), grads = backend.value_and_gradients(loss_fn, layer.trainable_variables)
    # loss = mean(y^2); d/dW = mean(2 y x), d/db = mean(2 y)
    np.testing.assert_allclose(float(loss), (0.25 + 30.25) / 2, rtol=1e-6)
    np.testing.assert_allclose(float(aux), 5.0, rtol=1e-6)
    y = np.array([-0.5, 5.5])
    xs = np.array([[1.0, 3.0], [2.0, -1.0]])
    expected_kernel = (2 * y[:, None] * xs).mean(axis=0)[:, None]
    np.testing.assert_allclose(ops.convert_to_numpy(grads[0]), expected_kernel, rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(grads[1]), [np.mean(2 * y)], rtol=1e-5)


def test_unused_variable_gets_zero_gradient():
    used, unused = _dense([[1.0], [1.0]], [0.0]), _dense([[1.0], [1.0]], [0.0])
    x = ops.ones((1, 2))
    (_, _), grads = backend.value_and_gradients(
        lambda: (ops.sum(used(x)), None), used.trainable_variables + unused.trainable_variables
    )
    assert [tuple(g.shape) for g in grads] == [(2, 1), (1,), (2, 1), (1,)]
    np.testing.assert_array_equal(ops.convert_to_numpy(grads[2]), 0.0)


def test_input_gradient_is_differentiable_wrt_weights():
    # f(x) = (w . x)^2 summed: d f / dx = 2 (w.x) w; penalty = sum((df/dx)^2)
    # d penalty / dw, by hand, at w = (1, 2), x = (1, 1): w.x = 3,
    # df/dx = (6, 12), penalty = 180 = 4 (w.x)^2 |w|^2,
    # d penalty / dw = 8 (w.x) |w|^2 x + 8 (w.x)^2 w = (120 + 72, 120 + 144).
    layer = keras.layers.Dense(1, use_bias=False)
    layer.build((None, 2))
    layer.kernel.assign(np.array([[1.0], [2.0]], "float32"))
    x = ops.ones((1, 2))

    def penalty():
        gradient = backend.input_gradient(lambda v: ops.square(layer(v)), x)
        return ops.sum(ops.square(gradient)), gradient

    (value, gradient), grads = backend.value_and_gradients(penalty, [layer.kernel])
    np.testing.assert_allclose(ops.convert_to_numpy(gradient), [[6.0, 12.0]], rtol=1e-6)
    np.testing.assert_allclose(float(value), 180.0, rtol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(grads[0])[:, 0], [192.0, 264.0], rtol=1e-5)


def test_apply_gradients_takes_one_sgd_step():
    variable = keras.Variable(np.array([1.0, -2.0], "float32"))
    optimizer = keras.optimizers.SGD(learning_rate=0.5)
    optimizer.build([variable])
    backend.apply_gradients(optimizer, [ops.convert_to_tensor(np.array([2.0, 4.0], "float32"))], [variable])
    np.testing.assert_allclose(ops.convert_to_numpy(variable.value), [0.0, -4.0])
    assert int(ops.convert_to_numpy(optimizer.iterations.value)) == 1
