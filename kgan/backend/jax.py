"""JAX implementations of kgan's backend functions.

JAX's trainer calls `train_step(state, data)` with the values of every
variable and expects `(logs, new_state)`; the variables themselves hold no
values during `fit`. `run_train_step` opens one `keras.StatelessScope` that maps
every variable of the trainer state to its traced value, runs the stateful-style
step inside it and reads the new values back. A gradient opens an inner scope
inside `jax.value_and_grad` that maps the differentiated variables to the traced
arguments and every other variable to its current value in the outer scope;
the inner scope's other updates (BatchNorm statistics, seed states) are written
back to the outer scope.
"""

import contextlib
import functools

import jax
import keras

from kgan.backend._common import created_outside_error

# The variables mapped by each open scope, innermost last. An inner scope must
# map all of them: a variable missing from the innermost scope reads its own
# stored value (cleared during `fit`), not the traced value of an outer scope.
_state_variables = []


def _other_variables(targets):
    """The state variables being run, except `targets`."""
    target_ids = {id(v) for v in targets}
    current = _state_variables[-1] if _state_variables else []
    return [v for v in current if id(v) not in target_ids]


def _run_in_inner_scope(fn, others, targets, target_values, *args):
    """Runs `fn(*args)` in a scope where `targets` read `target_values`.

    Every variable in `others` reads its current value in the outer scope.
    Returns `(output, new values of others)`.
    """
    mapping = [(v, v.value) for v in others] + list(zip(targets, target_values))
    _state_variables.append(list(others) + list(targets))
    try:
        with keras.StatelessScope(state_mapping=mapping) as scope:
            output = fn(*args)
    finally:
        _state_variables.pop()
    return output, [scope.get_current_value(v) for v in others]


def _write_back(variables, values):
    for variable, value in zip(variables, values):
        variable.assign(value)


def value_and_gradients(loss_fn, variables):
    """`loss_fn() -> (loss, aux)`; returns `((loss, aux), gradients)`."""
    variables = list(variables)
    others = _other_variables(variables)

    def loss_of(values):
        (loss, aux), updates = _run_in_inner_scope(loss_fn, others, variables, values)
        return loss, (aux, updates)

    (loss, (aux, updates)), gradients = jax.value_and_grad(loss_of, has_aux=True)(
        [v.value for v in variables]
    )
    _write_back(others, updates)
    return (loss, aux), gradients


def input_gradient(fn, inputs):
    """Gradient of `sum(fn(inputs))` w.r.t. `inputs`, differentiable itself."""
    others = _other_variables([])

    def summed(x):
        output, updates = _run_in_inner_scope(fn, others, [], [], x)
        return output.sum(), updates

    gradient, updates = jax.grad(summed, has_aux=True)(inputs)
    _write_back(others, updates)
    return gradient


def apply_gradients(optimizer, gradients, variables):
    """Applies one update of `optimizer` to `variables` (inside the scope)."""
    optimizer.apply(gradients, variables)


def run_train_step(model, step_fn, state, data):
    """Adapts JAX's `train_step(state, data)` to the stateful `step_fn(data)`."""
    references = (
        model.trainable_variables,
        model.non_trainable_variables,
        model.optimizer.variables,
        model.metrics_variables,
    )
    flat = [v for group in references for v in group]
    mapping = [
        (v, value)
        for group, values in zip(references, state)
        for v, value in zip(group, values)
    ]
    _state_variables.append(flat)
    try:
        with keras.StatelessScope(state_mapping=mapping) as scope:
            logs = step_fn(data)
    finally:
        _state_variables.pop()
    new_state = tuple(
        [scope.get_current_value(v) for v in group] for group in references
    )
    return logs, new_state


def no_grad():
    """JAX records no gradient graph outside `jax.grad`: nothing to do."""
    return contextlib.nullcontext()


# ------------------------------------------------------------ data parallel
def list_devices():
    """The devices a data-parallel step can use: GPUs or TPUs, else CPUs."""
    return keras.distribution.list_devices()


def split_cpu(n):
    """Splits the host CPU into `n` virtual devices (before JAX starts)."""
    try:
        jax.config.update("jax_num_cpu_devices", int(n))
    except RuntimeError as error:  # the CPU backend is already running
        raise RuntimeError(
            f"Cannot split the CPU into {n} virtual devices: JAX has already "
            "started its CPU backend. Call kgan.virtual_cpu_devices() before "
            "any computation, or set XLA_FLAGS=--xla_force_host_platform_"
            f"device_count={n} before starting Python."
        ) from error


@contextlib.contextmanager
def data_parallel(devices):
    """`keras.distribution.DataParallel` over `devices` for the block.

    Variables created inside are replicated on every device and `fit` splits
    each batch along its first axis; the whole step is one SPMD program, so
    losses, their gradients and BatchNorm statistics are over the global batch.
    """
    distribution = keras.distribution.DataParallel(devices=list(devices))
    with distribution.scope():
        yield distribution


def num_replicas(model=None):
    """How many devices share each batch under the current distribution."""
    distribution = keras.distribution.distribution()
    if distribution is None:
        return 1
    mesh = distribution.device_mesh
    return int(mesh.shape[list(mesh.axis_names).index(distribution.batch_dim_name)])


def global_batch_size(batch_size):
    """The batch size of the whole step: SPMD sees the global batch."""
    return batch_size


def replica_noise(draw, shape):
    """`draw(shape)`: one SPMD program draws the global batch's noise."""
    return draw(shape)



def check_distributed(model):
    """Raises if a distribution is active but `model` was built outside it."""
    distribution = keras.distribution.distribution()
    if distribution is None or num_replicas() == 1:
        return
    for variable in model.variables:
        value = variable._value  # no cleared-value error mid-fit
        if value is not None and isinstance(value.sharding, jax.sharding.SingleDeviceSharding):
            raise created_outside_error(model)



def _conv(inputs, kernel, strides, padding):
    """XLA's strided NHWC convolution."""
    return jax.lax.conv_general_dilated(
        inputs, kernel, strides, padding.upper(), dimension_numbers=("NHWC", "HWIO", "NHWC")
    )


# XLA on CPU runs a convolution of an input-dilated operand 1-25x slower than
# a plain one. JAX's transposed convolution is one, and its kernel gradient;
# so is a strided convolution's input gradient, differentiated again by a
# gradient penalty. conv_transpose(g, k) is the input gradient of _conv(., k), so
# <g, conv_transpose(x, k)> = <_conv(g, k), x>: the two functions below take
# their gradients from each other and from _conv's kernel gradient, all plain
# convolutions, and stay differentiable to any order.


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3))
def _conv_transpose(inputs, kernel, strides, padding):
    """Keras's transposed convolution as one stride-1 convolution per output phase.

    Output row `q * s + r` (stride s) sums inputs `i` times kernel rows
    `(q - i) * s + r`: for each phase r a stride-1 convolution with every
    s-th kernel row. The s x s phases run as one convolution with s * s times
    the output channels, interleaved after (depth to space). XLA's own
    input-dilated form is 1-10x slower on CPU, depending on the shapes.
    """
    (sh, sw), (kh, kw) = strides, kernel.shape[:2]
    out_channels, in_channels = kernel.shape[2:]
    mh, mw = -(-kh // sh), -(-kw // sw)  # kernel rows per phase
    pads, crops = [], []
    for size, k, s, m in ((inputs.shape[1], kh, sh, mh), (inputs.shape[2], kw, sw, mw)):
        # Keras: "same" gives size * s rows, cut max(k - s, 0) // 2 into the full output.
        start, length = (max(k - s, 0) // 2, size * s) if padding == "same" else (0, size * s + max(k - s, 0))
        first, last = start // s, -(-(start + length) // s)  # the phase rows needed
        pads.append((m - 1 - first, last - size))
        crops.append((start - first * s, length))
    kernel = jax.numpy.pad(kernel, ((0, mh * sh - kh), (0, mw * sw - kw), (0, 0), (0, 0)))
    kernel = kernel.reshape(mh, sh, mw, sw, out_channels, in_channels)[::-1, :, ::-1]
    kernel = kernel.transpose(0, 2, 5, 1, 3, 4).reshape(mh, mw, in_channels, sh * sw * out_channels)
    phases = jax.lax.conv_general_dilated(
        inputs, kernel, (1, 1), pads, dimension_numbers=("NHWC", "HWIO", "NHWC")
    )
    n, rows, columns, _ = phases.shape
    outputs = phases.reshape(n, rows, columns, sh, sw, out_channels).transpose(0, 1, 3, 2, 4, 5)
    outputs = outputs.reshape(n, rows * sh, columns * sw, out_channels)
    (row, height), (column, width) = crops
    return outputs[:, row : row + height, column : column + width]


def _conv_transpose_forward(inputs, kernel, strides, padding):
    return _conv_transpose(inputs, kernel, strides, padding), (inputs, kernel)


def _conv_transpose_backward(strides, padding, residuals, output_gradient):
    inputs, kernel = residuals
    input_gradient = _fast_conv(output_gradient, kernel, strides, padding)
    _, pull_back = jax.vjp(lambda k: _conv(output_gradient, k, strides, padding), kernel)
    return input_gradient, pull_back(inputs)[0]


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3))
def _fast_conv(inputs, kernel, strides, padding):
    return _conv(inputs, kernel, strides, padding)


def _fast_conv_forward(inputs, kernel, strides, padding):
    return _fast_conv(inputs, kernel, strides, padding), (inputs, kernel)


def _fast_conv_backward(strides, padding, residuals, output_gradient):
    inputs, kernel = residuals
    # Row i of the inputs is row i + (padding before it) of the "valid"
    # transposed convolution, whose size can differ from the inputs': a
    # strided convolution maps several input sizes to one output size.
    spread = _conv_transpose(output_gradient, kernel, strides, "valid")
    cuts = [(0, 0, 0)]
    for axis, stride in ((1, strides[0]), (2, strides[1])):
        size, window = inputs.shape[axis], kernel.shape[axis - 1]
        before = 0
        if padding == "same":
            before = max((output_gradient.shape[axis] - 1) * stride + window - size, 0) // 2
        cuts.append((-before, size + before - spread.shape[axis], 0))
    input_gradient = jax.lax.pad(spread, jax.numpy.zeros((), spread.dtype), cuts + [(0, 0, 0)])
    _, pull_back = jax.vjp(lambda k: _conv(inputs, k, strides, padding), kernel)
    return input_gradient, pull_back(output_gradient)[0]


_conv_transpose.defvjp(_conv_transpose_forward, _conv_transpose_backward)
_fast_conv.defvjp(_fast_conv_forward, _fast_conv_backward)


def conv(inputs, kernel, strides, padding):
    """`keras.ops.conv` (NHWC, no dilation or groups), with fast gradients."""
    inputs = keras.ops.convert_to_tensor(inputs)
    kernel = keras.ops.convert_to_tensor(kernel)
    return _fast_conv(inputs, kernel, tuple(strides), padding)


def conv_transpose(inputs, kernel, strides, padding):
    """`keras.ops.conv_transpose` (NHWC, no dilation or output padding), with fast gradients."""
    inputs = keras.ops.convert_to_tensor(inputs)
    kernel = keras.ops.convert_to_tensor(kernel)
    return _conv_transpose(inputs, kernel, tuple(strides), padding)
