"""Runs fixed GAN steps on the backend in KERAS_BACKEND and saves the results.

Used by test_cross_backend.py: `python cross_backend_worker.py MODEL.keras OUT.npz`.
Everything random is fixed outside Keras (NumPy tables), so the three backends
must agree up to float32 rounding.
"""

import sys

import keras
import numpy as np
from keras import ops

import kgan
from kgan.models import ConditionalGAN
from kgan.models import DCGAN
from kgan.models import WGANGP
from kgan.models import conditional_discriminator
from kgan.models import conditional_generator
from kgan.models import dcgan_discriminator
from kgan.models import dcgan_generator
from kgan.models import CAAE
from kgan.models import Pix2Pix
from kgan.models.progan import ProGAN
from kgan.zoo import registry

STEPS = 3
BATCH = 8
SIZE = 16
LATENT = 8
TAGS = 5


class FixedNoise:
    """Replaces the seed-generator noise with NumPy tables indexed by step."""

    def _table(self, kind):
        rng = np.random.default_rng(1 if kind == "normal" else 2)
        if kind == "normal":
            values = rng.standard_normal((STEPS, 32, 4096))
        else:
            values = rng.uniform(0.0, 1.0, (STEPS, 32, 4096))
        return ops.convert_to_tensor(values.astype("float32"))

    def _next(self, kind, shape, scale=1.0, offset=0.0):
        n = int(np.prod([int(d) for d in shape]))
        index = self._calls
        self._calls += 1
        step_table = ops.take(self._table(kind), self.optimizer.iterations, axis=0)
        return ops.reshape(step_table[index, :n], shape) * scale + offset

    def random_normal(self, shape):
        return self._next("normal", shape)

    def random_uniform(self, shape, minval=0.0, maxval=1.0):
        return self._next("uniform", shape, maxval - minval, minval)

    def gan_step(self, images, conditions=None):
        self._calls = 0
        return super().gan_step(images, conditions)


class FixedDCGAN(FixedNoise, DCGAN):
    pass


class FixedWGANGP(FixedNoise, WGANGP):
    pass


class FixedConditionalGAN(FixedNoise, ConditionalGAN):
    pass


class FixedProGAN(FixedNoise, ProGAN):
    pass


class FixedPix2Pix(FixedNoise, Pix2Pix):
    pass


class FixedCAAE(FixedNoise, CAAE):
    pass


def set_fixed_weights(model, seed):
    """Deterministic, backend-independent values for every network variable."""
    rng = np.random.default_rng(seed)
    for variable in model.variables:
        skipped = ("seed_generator", "iteration", "images_seen", "/lod")
        if any(part in variable.path for part in skipped):
            continue
        shape = tuple(variable.shape)
        name = variable.path.rsplit("/", 1)[-1]
        if name in ("gamma", "moving_variance"):
            value = 1.0 + 0.1 * rng.uniform(0.0, 1.0, shape)
        elif name in ("beta", "moving_mean", "bias"):
            value = 0.05 * rng.standard_normal(shape)
        else:
            fan_in = int(np.prod(shape[:-1])) or 1
            value = rng.standard_normal(shape) / np.sqrt(fan_in)
        variable.assign(value.astype(variable.dtype))


def fixed_data():
    rng = np.random.default_rng(0)
    return rng.uniform(-1.0, 1.0, (STEPS * BATCH, SIZE, SIZE, 1)).astype("float32")


def fixed_tags():
    """Multi-hot tags, two of five set per image."""
    rng = np.random.default_rng(3)
    tags = np.zeros((STEPS * BATCH, TAGS), "float32")
    for row in tags:
        row[rng.choice(TAGS, 2, replace=False)] = 1.0
    return tags


def fixed_line_art():
    """64 grey 80x80 drawings: dark rings of varied centres and radii on white."""
    rng = np.random.default_rng(4)
    y, x = np.mgrid[:80, :80]
    drawings = np.full((64, 80, 80, 1), 255, np.uint8)
    for drawing in drawings:
        for _ in range(3):
            cy, cx, r = rng.uniform(15, 65), rng.uniform(15, 65), rng.uniform(6, 25)
            drawing[np.abs(np.hypot(y - cy, x - cx) - r) < 1.5] = 0
    return drawings


def fixed_labels():
    """(age group, gender) per image, every group and both genders."""
    index = np.arange(STEPS * BATCH)
    return np.stack([index % 10, (index // 10) % 2], axis=1).astype("int32")


def fixed_faces():
    """64 RGB 72x72 pictures: soft colour blobs on grey."""
    rng = np.random.default_rng(5)
    y, x = np.mgrid[:72, :72] / 72.0
    faces = np.full((64, 72, 72, 3), 0.5)
    for face in faces:
        for _ in range(4):
            cy, cx, r = rng.uniform(0.2, 0.8, 2).tolist() + [rng.uniform(0.05, 0.2)]
            weight = np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r**2))[..., None]
            face[:] = face * (1 - weight) + rng.uniform(0, 1, 3) * weight
    return np.clip(np.rint(faces * 255), 0, 255).astype(np.uint8)


def build(name):
    generator = dcgan_generator(SIZE, 1, latent_dim=LATENT, width=8)
    if name == "cgan":  # GAN-CLS with GAN-INT, DiffAugment, mode seeking and AC head
        gan = FixedConditionalGAN(
            conditional_generator(
                SIZE, 1, LATENT, TAGS, width=8, embedding_dim=8, residual_blocks=1
            ),
            conditional_discriminator(
                SIZE, 1, TAGS, width=8, embedding_dim=8, auxiliary_classifier=True
            ),
            tag_names=[f"tag{i}" for i in range(TAGS)],
            interpolate=True,
            augment="translation,cutout",
            mode_seeking=1.0,
            auxiliary_weight=1.0,
        )
    elif name == "dcgan":
        gan = FixedDCGAN(generator, dcgan_discriminator(SIZE, 1, width=8))
    elif name == "dcgan_augment":
        gan = FixedDCGAN(
            generator, dcgan_discriminator(SIZE, 1, width=8), augment="color,translation,cutout"
        )
    elif name == "progan":  # 8x8: one step at 4x4, then two fading in 8x8
        gan = FixedProGAN.create(
            8, channels=1, latent_dim=LATENT, fmap_base=32, fmap_max=8,
            stable_images=BATCH, fade_images=4 * BATCH,
        )
    elif name.startswith("pix2pix"):  # no dropout: its masks come from each backend's RNG
        selu_wgan = name == "pix2pix_selu_wgan"
        gan = FixedPix2Pix.create(
            SIZE, width=4, max_width=8, dropout=0.0, discriminator_layers=2,
            activation="selu" if selu_wgan else "relu",
            loss="wgan_gp" if selu_wgan else "l1_gan",
        )
    elif name == "caae":  # every loss term on; the warm-up is at 0, 1/2 and 1
        gan = FixedCAAE.create(
            SIZE, channels=1, latent_dim=LATENT, width=8, discriminator_width=4,
            image_adversarial_weight=0.5, latent_adversarial_weight=0.5,
            total_variation_weight=0.1, warmup_steps=2,
        )
    else:
        critic = dcgan_discriminator(SIZE, 1, width=8, normalization=None)
        gan = FixedWGANGP(generator, critic, n_critic=2)
    set_fixed_weights(gan, seed=7)
    gan.compile()
    return gan


def train(name):
    gan = build(name)
    per_step = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: per_step.append(
            [float(logs[k]) for k in gan.loss_names]
        )
    )
    tags = fixed_tags() if name == "cgan" else None
    images = fixed_data()
    if name.startswith("pix2pix"):  # targets: three channels from the images
        tags = np.concatenate([images, -images, images**2 * 2 - 1], axis=-1)
    if name == "caae":
        tags = fixed_labels()
    if name == "progan":  # 8x8 images: 2x2 means of the 16x16 ones
        images = images.reshape(-1, SIZE // 2, 2, SIZE // 2, 2, 1).mean(axis=(2, 4))
    gan.fit(
        images, tags, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[record]
    )
    results = {f"{name}/logs": np.array(per_step)}
    networks = ("generator", "discriminator", "generator_ema", "encoder", "latent_discriminator")
    for network in networks:
        for variable in getattr(gan, network).variables if hasattr(gan, network) else []:
            results[f"{name}/{network}/{variable.path}"] = ops.convert_to_numpy(variable.value)
    return results


def main(model_path, output_path):
    results = {}
    results.update(train("dcgan"))
    results.update(train("dcgan_augment"))
    results.update(train("wgangp"))
    results.update(train("cgan"))
    results.update(train("progan"))
    results.update(train("pix2pix"))
    results.update(train("pix2pix_selu_wgan"))
    results.update(train("caae"))
    results["generate"] = keras.models.load_model(model_path).generate(16, seed=3)
    for name in registry.bundled_names():
        model = kgan.zoo.load(name)
        if hasattr(model, "colorize"):  # 64 drawings of 80x80, resized to and from the model
            results[f"preset/{name}"] = model.colorize(fixed_line_art())
            continue
        if hasattr(model, "age"):  # 64 pictures of 72x72 at every age group
            genders = np.arange(64) % 2
            results[f"preset/{name}"] = model.age(fixed_faces(), gender=genders)
            continue
        options = {}
        if hasattr(model, "tag_names"):  # every tag in turn (other tag groups drawn from seed 0)
            one_hot = np.eye(model.condition_dim)[np.arange(64) % model.condition_dim]
            options["conditions"] = model.complete_tags(one_hot, seed=0)
        results[f"preset/{name}"] = model.generate(64, seed=0, **options)
    np.savez(output_path, **results)


if __name__ == "__main__":
    main(*sys.argv[1:])
