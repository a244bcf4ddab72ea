"""Data-parallel training on several devices: `kgan.distribute`.

Each batch is split across the devices; every device holds all the weights,
runs the step on its slice, and the gradients are combined so that the update
is the one of the same step on the whole batch on one device. JAX uses
`keras.distribution.DataParallel`, TensorFlow `tf.distribute.MirroredStrategy`;
Keras's torch backend has no distribution API, so there it is an error.

What "the same step" means, per backend:

- Losses are means over the global batch; the gradient penalty is a mean of
  per-sample terms, so it is the global one too.
- Noise (latents, interpolation weights, DiffAugment): the replicas together
  draw exactly the noise of the single-device step on the global batch.
- Batch statistics: on JAX the step is one SPMD program, so everything that
  looks across the batch (BatchNorm, ProGAN's minibatch standard deviation,
  GAN-CLS's mismatched tags) sees the global batch, as on one device. On
  TensorFlow each replica sees only its slice: BatchNorm normalizes with the
  slice's statistics (like PyTorch's DistributedDataParallel without
  SyncBatchNorm), minibatch-stddev groups and mismatched pairs are formed
  within the slice, and Keras's Dropout layers draw the same mask pattern on
  every replica. kgan averages BatchNorm's moving statistics over the replicas
  after each step, so every replica (and a saved model) holds the same values.
- Counters (`optimizer.iterations`, ProGAN's `images_seen`) count global steps
  and images.
"""

import contextlib

from kgan import backend


def available_devices():
    """The devices `distribute` can use: accelerators if any, else CPUs.

    Returns:
        A list of names such as `["gpu:0", "gpu:1"]` or `["cpu:0"]`.
    """
    return list(backend.list_devices())


def virtual_cpu_devices(n):
    """Splits the host CPU into `n` virtual devices, for testing.

    Call it before any computation (TensorFlow and JAX fix their devices when
    they start). The virtual devices share the same cores: data parallelism
    over them gives the same numbers as over real devices, not a speed-up.
    Not available on torch.

    Args:
        n: number of virtual CPU devices (>= 1).

    Example:
    >>> import kgan
    >>> kgan.virtual_cpu_devices(4)
    >>> kgan.available_devices()
    ['cpu:0', 'cpu:1', 'cpu:2', 'cpu:3']
    """
    if int(n) < 1:
        raise ValueError(f"Expected n >= 1 virtual CPU devices. Received: n={n}")
    backend.split_cpu(int(n))


@contextlib.contextmanager
def distribute(devices=None):
    """Trains data-parallel over several devices inside the `with` block.

    Create the model, `compile` it and `fit` it inside the block. The batch
    size passed to `fit` is the global batch: each of the N devices gets
    `batch_size / N` images per step.

    Args:
        devices: how many devices to use (the first ones of
            `available_devices()`), a list of device names, or None for all.

    Yields:
        The backend's distribution object (`keras.distribution.DataParallel`
        on JAX, `tf.distribute.MirroredStrategy` on TensorFlow).

    Raises:
        NotImplementedError: on the torch backend.
        ValueError: when more devices are asked for than there are.

    Example:
    >>> with kgan.distribute(devices=4):
    ...     gan = kgan.models.DCGAN.create(64, channels=3)
    ...     gan.compile()
    ...     gan.fit(dataset, epochs=10)
    """
    if backend.BACKEND == "torch":
        backend.data_parallel(None)  # raises, saying why and what to use
    available = available_devices()
    if devices is None:
        chosen = available
    elif isinstance(devices, int) and not isinstance(devices, bool):
        if devices < 1:
            raise ValueError(f"Expected devices >= 1. Received: devices={devices}")
        if devices > len(available):
            raise ValueError(
                f"Asked for devices={devices} but only {len(available)} "
                f"are available: {available}. On a CPU-only machine, "
                "kgan.virtual_cpu_devices(n) (`kgan train --virtual-cpu`) "
                "makes n virtual CPU devices for testing."
            )
        chosen = available[:devices]
    else:
        chosen = [str(d).lower() for d in devices]
        missing = [d for d in chosen if d not in available]
        if missing or not chosen:
            raise ValueError(
                f"Expected devices among {available}. Received: devices={list(devices)}"
            )
    with backend.data_parallel(chosen) as distribution:
        yield distribution
