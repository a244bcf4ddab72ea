"""TensorFlow implementations of kgan's backend functions.

Data parallelism uses `tf.distribute.MirroredStrategy`: Keras's trainer runs
`train_step` once per replica on its slice of the batch. Each replica's
losses are means over its slice, and `optimizer.apply` sums the gradients of
all replicas, so `apply_gradients` first divides them by the number of
replicas: the update is then the one of the mean loss over the global batch.
BatchNorm normalizes with each replica's own batch statistics;
`run_train_step` averages the moving statistics over the replicas after each
step, so every replica (and a saved model) holds the same values.
"""

import contextlib

import keras
import tensorflow as tf

from kgan.backend._common import conv  # noqa: F401 (kgan.backend.conv)
from kgan.backend._common import conv_transpose  # noqa: F401 (kgan.backend.conv_transpose)
from kgan.backend._common import created_outside_error


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
    """Applies one update of `optimizer` to `variables`.

    In a replica of a `tf.distribute` strategy the optimizer all-reduces
    (sums) the gradients; they are divided by the number of replicas first.
    """
    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync if context is not None else 1
    if replicas > 1:
        strategy = getattr(optimizer, "_distribution_strategy", None)
        if strategy is not tf.distribute.get_strategy():
            raise ValueError(
                f"The optimizer {optimizer.name} was created outside the "
                "data-parallel scope the model trains in, so it would not "
                "combine the replicas' gradients. Create the model and call "
                "compile() (which makes the optimizers) inside "
                "`with kgan.distribute(...)`."
            )
        gradients = [_divide(g, replicas) for g in gradients]
    optimizer.apply(gradients, variables)


def _divide(gradient, n):
    if isinstance(gradient, tf.IndexedSlices):  # embeddings' sparse gradients
        return tf.IndexedSlices(gradient.values / n, gradient.indices, gradient.dense_shape)
    return gradient / n


def run_train_step(model, step_fn, data):
    """TensorFlow's trainer calls `train_step(data)`: the step runs as it is.

    In a replica of a `tf.distribute` strategy, the BatchNorm moving
    statistics are then averaged over the replicas: each replica updated its
    own copy from its slice of the batch, and the copies must stay the same.
    (Every other variable gets the same update on every replica.)
    """
    logs = step_fn(data)
    context = tf.distribute.get_replica_context()
    if context is not None and context.num_replicas_in_sync > 1:
        statistics = [
            variable
            for layer in model._flatten_layers(include_self=False)
            if isinstance(layer, keras.layers.BatchNormalization)
            for variable in (layer.moving_mean, layer.moving_variance)
        ]
        if statistics:
            means = context.all_reduce(
                tf.distribute.ReduceOp.MEAN, [v.value for v in statistics]
            )
            for variable, mean in zip(statistics, means):
                variable.assign(mean)
    return logs


def no_grad():
    """TensorFlow records gradients only inside a tape: nothing to do."""
    return contextlib.nullcontext()


# ------------------------------------------------------------ data parallel
def list_devices():
    """The devices a data-parallel step can use: GPUs, else (logical) CPUs."""
    kinds = ("GPU", "TPU")
    devices = [d for d in tf.config.list_logical_devices() if d.device_type in kinds]
    if not devices:
        devices = tf.config.list_logical_devices("CPU")
    return [f"{d.device_type.lower()}:{d.name.rsplit(':', 1)[-1]}" for d in devices]


def split_cpu(n):
    """Splits the host CPU into `n` logical devices (before TF starts)."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(int(n))]
        )
    except RuntimeError as error:  # the runtime is already initialized
        raise RuntimeError(
            f"Cannot split the CPU into {n} logical devices: TensorFlow's "
            "runtime has already started. Call kgan.virtual_cpu_devices() "
            "before any computation."
        ) from error


_strategies = {}


@contextlib.contextmanager
def data_parallel(devices):
    """A `tf.distribute.MirroredStrategy` over `devices` for the block.

    Models and optimizers created inside get mirrored variables; `fit` runs
    the step on every replica with its slice of each batch.
    """
    devices = tuple(f"/{d}" for d in devices)
    # One strategy per device set: two MirroredStrategy objects over the same
    # devices in one process mix up their collective all-reduces.
    if devices not in _strategies:
        _strategies[devices] = tf.distribute.MirroredStrategy(list(devices))
    strategy = _strategies[devices]
    with strategy.scope():
        yield strategy


def num_replicas(model=None):
    """How many replicas share each batch (the model's strategy, if any)."""
    strategy = getattr(model, "distribute_strategy", None) or tf.distribute.get_strategy()
    return int(strategy.num_replicas_in_sync)


def global_batch_size(batch_size):
    """The batch size of the whole step: this replica's times the replicas."""
    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync if context is not None else 1
    return batch_size * replicas if replicas > 1 else batch_size


def replica_noise(draw, shape):
    """This replica's rows of the noise `draw` gives for the global batch.

    Every replica holds the same seed state, so drawing only `shape` would
    give all replicas the same noise. Drawing `[replicas * shape[0], ...]` and
    taking this replica's block gives each its own, and the step the noise of
    the single-device step on the global batch.
    """
    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync if context is not None else 1
    if replicas == 1:
        return draw(shape)
    rows, rest = shape[0], list(shape[1:])
    values = draw([rows * replicas] + rest)
    values = tf.reshape(values, [replicas, rows] + rest)
    return tf.gather(values, context.replica_id_in_sync_group)



def check_distributed(model):
    """Raises if a strategy is active but `model` was built outside it."""
    if tf.distribute.has_strategy() and getattr(model, "_distribute_strategy", None) is None:
        raise created_outside_error(model)
