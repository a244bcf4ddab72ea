"""PyTorch implementations of kgan's backend functions."""

import torch


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
