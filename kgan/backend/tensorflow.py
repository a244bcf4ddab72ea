"""TensorFlow implementations of kgan's backend functions."""

import contextlib

import tensorflow as tf


def value_and_gradients(loss_fn, variables):
    """`loss_fn() -> (loss, aux)`; returns `((loss, aux), gradients)`."""
    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
    gradients = tape.gradient(loss, variables)
    gradients = [
        tf.zeros_like(v.value) if g is None else g
        for g, v in zip(gradients, variables)
    ]
    return (loss, aux), gradients


def input_gradient(fn, inputs):
    """Gradient of `sum(fn(inputs))` w.r.t. `inputs`, differentiable itself."""
    inputs = tf.convert_to_tensor(inputs)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = fn(inputs)
    return tape.gradient(outputs, inputs)


def apply_gradients(optimizer, gradients, variables):
    """Applies one update of `optimizer` to `variables`."""
    optimizer.apply(gradients, variables)


def run_train_step(model, step_fn, data):
    """TensorFlow's trainer calls `train_step(data)`: the step runs as it is."""
    return step_fn(data)


def no_grad():
    """TensorFlow records gradients only inside a tape: nothing to do."""
    return contextlib.nullcontext()
