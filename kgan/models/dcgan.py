"""DCGAN (Radford et al. 2016) with the Chainer illustration system's defaults."""

import math

import keras
from keras import layers

from kgan import augment as augmentation
from kgan import losses
from kgan.layers.conv import Conv2D
from kgan.layers.conv import Conv2DTranspose
from kgan.models.gan import GAN

NORMALIZATIONS = ("batch", "layer", None)


def _plan(image_size):
    """`(start_size, n_resamples)` with `image_size == start_size * 2**n`."""
    for start in (4, 7):
        n = math.log2(image_size / start) if image_size >= start * 2 else -1
        if n >= 1 and n == int(n):
            return start, int(n)
    raise ValueError(
        "Expected image_size = 4 * 2**k or 7 * 2**k with k >= 1 "
        f"(e.g. 28, 32, 64). Received: image_size={image_size}"
    )


def _init(stddev):
    return keras.initializers.RandomNormal(0.0, stddev)


def _batch_norm(init_stddev):
    # PyTorch's and Chainer's BatchNorm settings (momentum 0.1 there, 0.9
    # here; epsilon 1e-5), so third-party DCGAN weights convert exactly.
    return layers.BatchNormalization(
        momentum=0.9,
        epsilon=1e-5,
        gamma_initializer=keras.initializers.RandomNormal(1.0, init_stddev),
    )


def dcgan_generator(
    image_size=64,
    channels=3,
    latent_dim=100,
    width=64,
    init_stddev=0.02,
    name="generator",
):
    """The DCGAN generator: dense to a small map, then stride-2 deconvolutions.

    For 64 px with width 64: Dense(100 -> 4*4*512) + BN + ReLU, deconvs
    (k4, s2) 512 -> 256 -> 128 -> 64 with BN + ReLU, a last deconv to
    `channels`, tanh. 28 px starts at 7x7, 32 px at 4x4.

    Args:
        image_size: output height and width (28, 32, 64, 128, ...).
        channels: 1 (grey) or 3 (RGB).
        latent_dim: size of z.
        width: channels of the last hidden layer; they double going down.
        init_stddev: weights ~ N(0, init_stddev) (0.02 in the DCGAN paper).
        name: the model's name.

    Returns:
        A functional `keras.Model` from `[N, latent_dim]` to
        `[N, image_size, image_size, channels]` in [-1, 1].

    Example:
    >>> g = dcgan_generator(28, channels=1)
    >>> g.output_shape
    (None, 28, 28, 1)
    """
    start, n_up = _plan(image_size)
    kernel = _init(init_stddev)
    z = keras.Input((latent_dim,), name="latents")
    filters = width * 2 ** (n_up - 1)
    x = layers.Dense(start * start * filters, use_bias=False, kernel_initializer=kernel)(z)
    x = layers.Reshape((start, start, filters))(x)
    x = _batch_norm(init_stddev)(x)
    x = layers.ReLU()(x)
    for _ in range(n_up - 1):
        filters //= 2
        x = Conv2DTranspose(
            filters, 4, strides=2, padding="same", use_bias=False, kernel_initializer=kernel
        )(x)
        x = _batch_norm(init_stddev)(x)
        x = layers.ReLU()(x)
    x = Conv2DTranspose(
        channels, 4, strides=2, padding="same", kernel_initializer=kernel
    )(x)
    images = layers.Activation("tanh", dtype="float32")(x)
    return keras.Model(z, images, name=name)


def dcgan_discriminator(
    image_size=64,
    channels=3,
    width=64,
    normalization="batch",
    init_stddev=0.02,
    name="discriminator",
):
    """The DCGAN discriminator: stride-2 convolutions, LeakyReLU, one logit.

    For 64 px with width 64: convs (k4, s2) 3 -> 64 -> 128 -> 256 -> 512,
    normalization from the second conv on, LeakyReLU(0.2), Dense -> 1.

    Args:
        image_size: input height and width (28, 32, 64, ...).
        channels: 1 or 3.
        width: channels of the first conv; they double going down.
        normalization: `"batch"` (DCGAN), `"layer"` or None (WGAN-GP critics
            must not use BatchNorm: the penalty is per sample).
        init_stddev: weights ~ N(0, init_stddev).
        name: the model's name.

    Returns:
        A functional `keras.Model` from images to logits `[N, 1]`.
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(
            f"Expected normalization in {NORMALIZATIONS}. "
            f"Received: normalization={normalization!r}"
        )
    _, n_down = _plan(image_size)
    kernel = _init(init_stddev)
    images = keras.Input((image_size, image_size, channels), name="images")
    x = images
    filters = width
    for i in range(n_down):
        normalized = i > 0 and normalization is not None
        x = Conv2D(
            filters,
            4,
            strides=2,
            padding="same",
            use_bias=not normalized,
            kernel_initializer=kernel,
        )(x)
        if normalized and normalization == "batch":
            x = _batch_norm(init_stddev)(x)
        elif normalized:
            x = layers.LayerNormalization(axis=(1, 2, 3))(x)
        x = layers.LeakyReLU(0.2)(x)
        filters *= 2
    x = layers.Flatten()(x)
    logits = layers.Dense(1, kernel_initializer=kernel, dtype="float32")(x)
    return keras.Model(images, logits, name=name)


@keras.saving.register_keras_serializable(package="kgan")
class DCGAN(GAN):
    """DCGAN: a generator and a BatchNorm discriminator, sigmoid cross-entropy.

    Defaults follow the DCGAN paper and the Chainer illustration system
    (REFERENCE section 1): z ~ U(-1, 1)^100, N(0, 0.02) init, Adam lr 2e-4
    with beta1 0.5 (beta1 0.9 gave blurry images), real and fake batches
    through D separately (one mixed batch breaks BatchNorm statistics).

    Args:
        generator: e.g. `dcgan_generator(64, 3)`.
        discriminator: e.g. `dcgan_discriminator(64, 3)`, giving logits.
        loss: `"nonsaturating"` (default), `"minimax"`, `"least_squares"`
            or `"hinge"`.
        latent_distribution: `"uniform"` (default) or `"normal"`.
        augment: differentiable augmentation of every image D sees, real
            and generated, e.g. `"color,translation,cutout"` (DiffAugment;
            see `kgan.augment`); for datasets of a few thousand images.
        seed: seed of the training noise.

    Example:
    >>> gan = DCGAN(dcgan_generator(28, 1), dcgan_discriminator(28, 1))
    >>> gan.compile()
    >>> gan.fit(images, batch_size=64, epochs=1)
    >>> gan.generate(16, seed=0).shape
    (16, 28, 28, 1)
    """

    def __init__(
        self,
        generator,
        discriminator,
        loss="nonsaturating",
        latent_distribution="uniform",
        augment=None,
        seed=None,
        **kwargs,
    ):
        self.d_loss_fn, self.g_loss_fn = losses.get_adversarial_loss(loss)
        super().__init__(
            generator,
            discriminator,
            latent_distribution=latent_distribution,
            seed=seed,
            **kwargs,
        )
        self.loss_name = loss
        self.augment = ",".join(augmentation.parse_policy(augment))

    @classmethod
    def create(cls, image_size=64, channels=3, latent_dim=100, width=64, **kwargs):
        """A DCGAN with the standard networks for a size and channel count."""
        return cls(
            dcgan_generator(image_size, channels, latent_dim, width),
            dcgan_discriminator(image_size, channels, width),
            **kwargs,
        )

    def gan_step(self, images, conditions=None):
        batch_size = keras.ops.shape(images)[0]
        latents = self.sample_latents(batch_size)
        fake = keras.ops.stop_gradient(self.generator(latents, training=True))

        def discriminator_loss():
            real_logits = self.discriminate(images)
            fake_logits = self.discriminate(fake)
            return self.d_loss_fn(real_logits, fake_logits)

        def generator_loss():
            return self.g_loss_fn(self.discriminate(self.generator(latents, training=True)))

        d_loss = self.update("discriminator", discriminator_loss)
        g_loss = self.update("generator", generator_loss)
        return {"d_loss": d_loss, "g_loss": g_loss}

    def get_config(self):
        return {**super().get_config(), "loss": self.loss_name, "augment": self.augment}
