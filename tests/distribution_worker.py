"""Runs GAN steps on one device and data-parallel on 4 virtual CPU devices.

Used by test_distribution.py: `python distribution_worker.py OUT.npz`, with
KERAS_BACKEND set to jax or tensorflow. Weights, data and noise are fixed
(NumPy tables, as in cross_backend_worker.py); each case trains 2 steps with a
global batch of 8 once without and once inside `kgan.distribute(4)`, and saves
the per-step losses and every network variable of both runs.
"""

import sys
import threading
import time

import numpy as np

import kgan

DEVICES = 4
kgan.virtual_cpu_devices(DEVICES)  # before anything runs

import keras  # noqa: E402
from keras import layers  # noqa: E402
from keras import ops  # noqa: E402

from kgan import backend  # noqa: E402
from kgan.models import CAAE  # noqa: E402
from kgan.models import DCGAN  # noqa: E402
from kgan.models import ConditionalGAN  # noqa: E402
from kgan.models import Pix2Pix  # noqa: E402
from kgan.models import ProGAN  # noqa: E402
from kgan.models import WGANGP  # noqa: E402
from kgan.models import dcgan_discriminator  # noqa: E402
from kgan.models import dcgan_generator  # noqa: E402

STEPS = 2
BATCH = 8
SIZE = 16
LATENT = 8


class FixedNoise:
    """Noise from NumPy tables indexed by step and call, split per replica.

    The call counter is per thread: TensorFlow's MirroredStrategy traces each
    replica's step in its own thread, switching between them at every
    all-reduce.
    """

    _local = threading.local()

    def _next(self, kind, shape):
        rng = np.random.default_rng(1 if kind == "normal" else 2)
        table = rng.standard_normal((STEPS, 16, 1024)) if kind == "normal" else rng.uniform(
            0.0, 1.0, (STEPS, 16, 1024)
        )
        index = self._local.calls
        self._local.calls += 1
        n = 1
        for d in shape:
            n = n * d
        row = ops.take(ops.convert_to_tensor(table.astype("float32")), self.optimizer.iterations, axis=0)
        return ops.reshape(row[index, :n], shape)

    def random_normal(self, shape):
        return backend.replica_noise(lambda s: self._next("normal", s), shape)

    def random_uniform(self, shape, minval=0.0, maxval=1.0):
        return backend.replica_noise(
            lambda s: self._next("uniform", s) * (maxval - minval) + minval, shape
        )

    def gan_step(self, images, conditions=None):
        self._local.calls = 0
        return super().gan_step(images, conditions)


class FixedDCGAN(FixedNoise, DCGAN):
    pass


class FixedWGANGP(FixedNoise, WGANGP):
    pass


def plain_generator():
    """A DCGAN-shaped generator without BatchNorm."""
    z = keras.Input((LATENT,))
    x = layers.Dense(4 * 4 * 16)(z)
    x = layers.Reshape((4, 4, 16))(x)
    x = layers.ReLU()(x)
    x = layers.Conv2DTranspose(8, 4, strides=2, padding="same")(x)
    x = layers.ReLU()(x)
    x = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh")(x)
    return keras.Model(z, x, name="generator")


def set_fixed_weights(model, seed=7):
    rng = np.random.default_rng(seed)
    for variable in model.variables:
        if any(part in variable.path for part in ("seed_generator", "iteration")):
            continue
        shape = tuple(variable.shape)
        name = variable.path.rsplit("/", 1)[-1]
        if name in ("gamma", "moving_variance"):
            value = 1.0 + 0.1 * rng.uniform(0.0, 1.0, shape)
        elif name in ("beta", "moving_mean", "bias"):
            value = 0.05 * rng.standard_normal(shape)
        else:
            value = rng.standard_normal(shape) / np.sqrt(int(np.prod(shape[:-1])) or 1)
        variable.assign(value.astype(variable.dtype))


def build(case):
    if case == "dcgan":  # BatchNorm in G and D
        gan = FixedDCGAN(
            dcgan_generator(SIZE, 1, latent_dim=LATENT, width=8),
            dcgan_discriminator(SIZE, 1, width=8),
        )
    elif case == "dcgan_plain":  # no BatchNorm: G without, D with LayerNorm
        gan = FixedDCGAN(plain_generator(), dcgan_discriminator(SIZE, 1, width=8, normalization="layer"))
    else:  # wgangp: critic without normalization, G without BatchNorm
        gan = FixedWGANGP(
            plain_generator(), dcgan_discriminator(SIZE, 1, width=8, normalization=None), n_critic=2
        )
    set_fixed_weights(gan)
    gan.compile()
    return gan


def train(case, images):
    gan = build(case)
    per_step = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: per_step.append([float(logs[k]) for k in gan.loss_names])
    )
    start = time.perf_counter()
    gan.fit(images, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[record])
    results = {"logs": np.array(per_step), "seconds": np.array(time.perf_counter() - start)}
    # TensorFlow keeps one copy of each variable per replica: they must agree.
    spread = 0.0
    for variable in gan.variables:
        copies = getattr(variable.value, "values", None)
        if isinstance(copies, tuple):
            first = np.asarray(copies[0])
            spread = max([spread] + [float(np.abs(np.asarray(c) - first).max()) for c in copies])
    results["replica_spread"] = np.array(spread)
    for network in ("generator", "discriminator"):  # paths differ between runs
        for i, variable in enumerate(getattr(gan, network).variables):
            results[f"{network}/{i}"] = ops.convert_to_numpy(variable.value)
    return results


def uneven_batch_error(images):
    """The message `fit` gives for a batch that does not split over 4 devices."""
    with kgan.distribute(DEVICES):
        gan = DCGAN.create(SIZE, channels=1, latent_dim=LATENT, width=8)
        gan.compile()
        try:
            gan.fit(images, batch_size=6, epochs=1, verbose=0)
        except ValueError as error:
            return str(error)
    return ""


def other_families(images):
    """Per-step losses of the other families, 2 steps data-parallel on 4 devices.

    Their equality with one device follows from the same mechanisms as
    DCGAN's and WGAN-GP's (losses, gradients, noise); this checks that each
    family's step runs under the distribution and keeps its counters global.
    """
    rng = np.random.default_rng(6)
    n = len(images)
    tags = np.zeros((n, 4), "float32")
    tags[np.arange(n), rng.integers(0, 4, n)] = 1.0
    families = {
        "cgan": (
            lambda: ConditionalGAN.create(
                SIZE, 1, tag_names=[f"t{i}" for i in range(4)], latent_dim=LATENT,
                width=8, embedding_dim=8, residual_blocks=1,
            ),
            images, tags,
        ),
        "progan": (
            lambda: ProGAN.create(
                8, channels=1, latent_dim=LATENT, fmap_base=32, fmap_max=8,
                stable_images=BATCH, fade_images=4 * BATCH,
            ),
            images[:, ::2, ::2], None,
        ),
        "pix2pix": (
            lambda: Pix2Pix.create(SIZE, width=4, max_width=8, discriminator_layers=2),
            images, np.concatenate([images, -images, images], axis=-1),
        ),
        "caae": (
            lambda: CAAE.create(SIZE, channels=1, latent_dim=LATENT, width=8, discriminator_width=4),
            images, np.stack([np.arange(n) % 10, np.arange(n) % 2], axis=1).astype("int32"),
        ),
    }
    results = {}
    for name, (make, x, y) in families.items():
        with kgan.distribute(DEVICES):
            gan = make()
            gan.compile()
            history = gan.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        results[f"family/{name}/logs"] = np.array([history.history[k][-1] for k in gan.loss_names])
        results[f"family/{name}/steps"] = np.array(int(ops.convert_to_numpy(gan.optimizer.iterations)))
        if name == "progan":
            results[f"family/{name}/images_seen"] = np.array(int(ops.convert_to_numpy(gan.images_seen)))
    return results


# JAX: one SPMD program, BatchNorm statistics over the global batch: every
# case matches. TensorFlow: BatchNorm statistics per replica, so "dcgan"
# (BatchNorm in G and D) differs and the exact cases are BatchNorm-free.
CASES = {
    "jax": ("dcgan", "wgangp"),
    "tensorflow": ("dcgan_plain", "wgangp", "dcgan"),
}


def main(output_path, *cases):
    images = np.random.default_rng(0).uniform(-1.0, 1.0, (STEPS * BATCH, SIZE, SIZE, 1)).astype("float32")
    results = {
        "devices": np.array(kgan.available_devices()),
        "uneven_batch_error": np.array(uneven_batch_error(images)),
    }
    results.update(other_families(images))
    for case in cases or CASES[backend.BACKEND]:
        for key, value in train(case, images).items():
            results[f"{case}/single/{key}"] = value
        with kgan.distribute(DEVICES):
            for key, value in train(case, images).items():
                results[f"{case}/parallel/{key}"] = value
    np.savez(output_path, **results)


if __name__ == "__main__":
    main(*sys.argv[1:])
