"""PyTorch implementations of kgan's backend functions."""

import torch

from kgan.backend._common import conv  # noqa: F401 (kgan.backend.conv)
from kgan.backend._common import conv_transpose  # noqa: F401 (kgan.backend.conv_transpose)


def value_and_gradients(loss_fn, variables):
    """`loss_fn() -> (loss, aux)`; returns `((loss, aux), gradients)`."""
    with torch.enable_grad():
        loss, aux = loss_fn()
        tensors = [v.value for v in variables]
        gradients = torch.autograd.grad(loss, tensors, allow_unused=True)
    gradients = [
        torch.zeros_like(t) if g is None else g
        for g, t in zip(gradients, tensors)
    ]
    aux = torch.utils._pytree.tree_map(
        lambda t: t.detach() if isinstance(t, torch.Tensor) else t, aux
    )
    return (loss.detach(), aux), gradients


def input_gradient(fn, inputs):
    """Gradient of `sum(fn(inputs))` w.r.t. `inputs`, differentiable itself."""
    inputs = torch.as_tensor(inputs)
    if not inputs.requires_grad:
        inputs = inputs.detach().requires_grad_(True)
    outputs = fn(inputs)
    (gradient,) = torch.autograd.grad(
        outputs.sum(), inputs, create_graph=True
    )
    return gradient


def apply_gradients(optimizer, gradients, variables):
    """Applies one update of `optimizer` to `variables`."""
    with torch.no_grad():
        optimizer.apply(gradients, variables)


def run_train_step(model, step_fn, data):
    """PyTorch's trainer calls `train_step(data)`: the step runs as it is."""
    return step_fn(data)


def no_grad():
    """A context in which torch records no autograd graph."""
    return torch.no_grad()


# ------------------------------------------------------------ data parallel
NO_DATA_PARALLEL = (
    "Data-parallel training is not available on the torch backend: Keras's "
    "distribution API (keras.distribution) supports JAX only and Keras's "
    "torch trainer runs on one device. Train on several devices with "
    "KERAS_BACKEND=jax (keras.distribution.DataParallel) or "
    "KERAS_BACKEND=tensorflow (tf.distribute.MirroredStrategy); the weights "
    "load on torch afterwards."
)


def list_devices():
    """Devices torch could use (data parallelism itself is unavailable)."""
    if torch.cuda.is_available():
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return ["cpu:0"]


def split_cpu(n):
    raise NotImplementedError(NO_DATA_PARALLEL)


def data_parallel(devices):
    raise NotImplementedError(NO_DATA_PARALLEL)


def num_replicas(model=None):
    """Always 1: kgan trains on one device on torch."""
    return 1


def global_batch_size(batch_size):
    """The batch size of the step: one device."""
    return batch_size


def replica_noise(draw, shape):
    """`draw(shape)`: one device."""
    return draw(shape)


def check_distributed(model):
    """Nothing to check: kgan trains on one device on torch."""
