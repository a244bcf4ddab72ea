"""CAAE (Zhang, Song, Qi 2017): a conditional adversarial autoencoder that ages faces.

An encoder maps a face to a bounded latent (tanh), a generator renders the
latent under an age group and a gender; two discriminators keep the latents
uniform and the renderings real for their labels. A face is encoded once and
rendered at every age group.
"""

import math

import numpy as np
import keras
from keras import ops

from kgan import backend
from kgan import images as image_utils
from kgan import losses
from kgan.data.utkface import AGE_GROUPS
from kgan.layers.conv import Conv2D
from kgan.layers.conv import Conv2DTranspose
from kgan.data.utkface import GENDERS
from kgan.models.gan import GAN
from kgan.validation import check_images

# The official code tiles the one-hot labels to the latent's width before
# joining them to it: a 50-d latent gets 5 copies of the 10 ages and 25 of the
# 2 genders (50 + 50 + 50).
LATENT_DIM = 50


def _levels(image_size):
    if not isinstance(image_size, int) or image_size < 8 or image_size & (image_size - 1):
        raise ValueError(
            "Expected image_size to be a power of two >= 8 (the networks halve it "
            f"down to 4x4). Received: image_size={image_size!r}"
        )
    return int(math.log2(image_size)) - 2


def _label_inputs(age_groups, genders):
    return (
        keras.Input((age_groups,), name="age_group"),
        keras.Input((genders,), name="gender"),
    )


def caae_encoder(image_size=64, channels=3, latent_dim=LATENT_DIM, width=64, name="encoder"):
    """E: strided 5x5 convolutions down to 4x4, then a dense layer to a tanh latent.

    Filters `width, 2 * width, ...` (the official 128 px encoder: 64 to 1024),
    ReLU, no normalisation.

    Args:
        image_size: height and width, a power of two >= 8.
        channels: image channels.
        latent_dim: size of the latent (50 in the paper).
        width: filters of the first convolution, doubled per level.
        name: the model's name.

    Returns:
        A functional `keras.Model` from `[N, S, S, C]` in [-1, 1] to latents
        `[N, latent_dim]` in (-1, 1).

    Example:
    >>> e = caae_encoder(64, width=16)
    >>> tuple(e.output.shape)
    (None, 50)
    """
    levels = _levels(image_size)
    inputs = keras.Input((image_size, image_size, channels), name="images")
    x = inputs
    for level in range(levels):
        x = Conv2D(
            width * 2**level, 5, strides=2, padding="same", activation="relu", name=f"conv{level}"
        )(x)
    x = keras.layers.Flatten(name="flatten")(x)
    latents = keras.layers.Dense(latent_dim, activation="tanh", name="latent")(x)
    return keras.Model(inputs, latents, name=name)


def caae_generator(
    image_size=64,
    channels=3,
    latent_dim=LATENT_DIM,
    age_groups=len(AGE_GROUPS),
    genders=len(GENDERS),
    width=64,
    name="generator",
):
    """G: the latent joined with tiled labels, dense to 4x4, strided 5x5 deconvolutions.

    The age one-hot is repeated `latent_dim // age_groups` times and the
    gender one-hot `latent_dim // genders` times, so each has the latent's
    weight. Dense to `4x4x(width * 2**(levels - 1))`, then one stride-2
    transposed convolution per level halving the filters (down to
    `width / 2`), two stride-1 ones (to `width / 4` and `channels`), ReLU and
    a tanh output, as the official code.

    Args:
        image_size: height and width, a power of two >= 8.
        channels: image channels.
        latent_dim: size of the latent.
        age_groups: number of age groups (10).
        genders: number of genders (2).
        width: sets the filters (64 for the official widths).
        name: the model's name.

    Returns:
        A functional `keras.Model` from `[latents, age one-hot, gender
        one-hot]` (labels as -1/+1) to images `[N, S, S, C]` in [-1, 1].

    Example:
    >>> g = caae_generator(64, width=16)
    >>> tuple(g.output.shape)
    (None, 64, 64, 3)
    """
    levels = _levels(image_size)
    latents = keras.Input((latent_dim,), name="latents")
    age, gender = _label_inputs(age_groups, genders)
    age_copies = max(1, latent_dim // age_groups)
    gender_copies = max(1, latent_dim // genders)
    x = keras.layers.Concatenate(name="latents_and_labels")(
        [latents] + [age] * age_copies + [gender] * gender_copies
    )
    top = width * 2 ** (levels - 1)
    x = keras.layers.Dense(4 * 4 * top, activation="relu", name="dense")(x)
    x = keras.layers.Reshape((4, 4, top), name="to_4x4")(x)
    for level in range(levels):
        x = Conv2DTranspose(
            max(1, top // 2 ** (level + 1)), 5, strides=2, padding="same",
            activation="relu", name=f"deconv{level}",
        )(x)
    x = Conv2DTranspose(
        max(1, width // 4), 5, padding="same", activation="relu", name="deconv_out0"
    )(x)
    images = Conv2DTranspose(
        channels, 5, padding="same", activation="tanh", name="deconv_out1"
    )(x)
    return keras.Model([latents, age, gender], images, name=name)


def caae_image_discriminator(
    image_size=64,
    channels=3,
    age_groups=len(AGE_GROUPS),
    genders=len(GENDERS),
    width=16,
    name="discriminator",
):
    """D_img: is this image real for these labels?

    Strided 5x5 convolutions `width` to `8 * width` with BatchNorm and ReLU;
    the labels join as constant maps after the first; dense 1024
    (LeakyReLU 0.2) and one logit.

    Args:
        image_size: height and width, a power of two >= 16.
        channels: image channels.
        age_groups, genders: label widths.
        width: filters of the first convolution (16 in the official code).
        name: the model's name.

    Returns:
        A functional `keras.Model` from `[images, age one-hot, gender one-hot]`
        to logits `[N, 1]`.
    """
    if _levels(image_size) < 2:
        raise ValueError(f"Expected image_size >= 16. Received: image_size={image_size}")
    images = keras.Input((image_size, image_size, channels), name="images")
    age, gender = _label_inputs(age_groups, genders)
    x = images
    for level in range(4):
        x = Conv2D(  # no bias: BatchNorm removes it (its gradient is 0)
            width * 2**level, 5, strides=2, padding="same", use_bias=False, name=f"conv{level}"
        )(x)
        x = keras.layers.BatchNormalization(name=f"conv{level}_bn")(x)
        x = keras.layers.ReLU(name=f"conv{level}_relu")(x)
        if level == 0:
            size = image_size // 2
            labels = keras.layers.Concatenate(name="labels")([age, gender])
            labels = keras.layers.Reshape((1, 1, age_groups + genders), name="labels_1x1")(labels)
            maps = keras.layers.UpSampling2D(size, name="label_maps")(labels)
            x = keras.layers.Concatenate(name="with_labels")([x, maps])
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(1024, name="dense")(x)
    x = keras.layers.LeakyReLU(0.2, name="dense_lrelu")(x)
    logits = keras.layers.Dense(1, name="logits")(x)
    return keras.Model([images, age, gender], logits, name=name)


def caae_latent_discriminator(latent_dim=LATENT_DIM, widths=(64, 32, 16), name="latent_discriminator"):
    """D_z: does this latent come from the uniform prior or from the encoder?

    Dense layers `widths` with BatchNorm and ReLU, then one logit.

    Returns:
        A functional `keras.Model` from `[N, latent_dim]` to logits `[N, 1]`.
    """
    latents = keras.Input((latent_dim,), name="latents")
    x = latents
    for index, units in enumerate(widths):
        x = keras.layers.Dense(units, use_bias=False, name=f"dense{index}")(x)
        x = keras.layers.BatchNormalization(name=f"dense{index}_bn")(x)
        x = keras.layers.ReLU(name=f"dense{index}_relu")(x)
    logits = keras.layers.Dense(1, name="logits")(x)
    return keras.Model(latents, logits, name=name)


def _check_weight(name, value):
    if float(value) < 0:
        raise ValueError(f"Expected {name} >= 0. Received: {name}={value}")
    return float(value)


@keras.saving.register_keras_serializable(package="kgan")
class CAAE(GAN):
    """CAAE: encode a face once, render it at every age group.

    Train with `fit(images, labels)`: float faces in [-1, 1] and int labels
    `[N, 2]` = (age group 0-9, gender 0 male / 1 female). One step:

    - D_z learns to tell prior latents `U(-1, 1)` from `E(x)`;
    - D_img learns to tell `(x, labels)` from `(G(E(x), labels), labels)`;
    - E and G share one update on
      `L1(G(E(x), l), x) + w_img * adv_img + w_z * adv_z + w_tv * TV`, where
      the adversarial weights rise linearly from 0 over `warmup_steps` (the
      author's advice: start as a plain autoencoder).

    Args:
        encoder: images to latents (`caae_encoder`).
        generator: `[latents, age, gender]` to images (`caae_generator`).
        latent_discriminator: latents to logits (`caae_latent_discriminator`).
        discriminator: `[images, age, gender]` to logits
            (`caae_image_discriminator`).
        image_adversarial_weight: `w_img` (official default 1e-4).
        latent_adversarial_weight: `w_z` (official default 0).
        total_variation_weight: `w_tv` (official default 0).
        warmup_steps: steps over which the adversarial weights reach their
            value (0: from the start).
        seed: seed of the training noise.
        **kwargs: passed to `keras.Model`.

    Example:
    >>> model = CAAE.create(64, width=32)
    >>> model.compile()
    >>> model.fit(faces, labels, batch_size=64, epochs=10)
    >>> strip = model.age(face_uint8)           # [10, 64, 64, 3]
    """

    network_names = ("encoder", "generator", "latent_discriminator", "discriminator")
    loss_names = ("eg_loss", "l1", "d_img_loss", "d_z_loss")

    def __init__(
        self,
        encoder,
        generator,
        latent_discriminator,
        discriminator,
        image_adversarial_weight=1e-4,
        latent_adversarial_weight=0.0,
        total_variation_weight=0.0,
        warmup_steps=0,
        seed=None,
        **kwargs,
    ):
        kwargs.pop("latent_distribution", None)
        super().__init__(generator, discriminator, latent_distribution="uniform", seed=seed, **kwargs)
        self.encoder = encoder
        self.latent_discriminator = latent_discriminator
        self.image_adversarial_weight = _check_weight(
            "image_adversarial_weight", image_adversarial_weight
        )
        self.latent_adversarial_weight = _check_weight(
            "latent_adversarial_weight", latent_adversarial_weight
        )
        self.total_variation_weight = _check_weight("total_variation_weight", total_variation_weight)
        if int(warmup_steps) < 0:
            raise ValueError(f"Expected warmup_steps >= 0. Received: warmup_steps={warmup_steps}")
        self.warmup_steps = int(warmup_steps)
        latent_shape = tuple(encoder.outputs[0].shape[1:])
        if latent_shape != (self.latent_dim,):
            raise ValueError(
                f"Expected an encoder to latents of shape (None, {self.latent_dim}) "
                f"(the generator's). Received: {(None,) + latent_shape}"
            )

    @classmethod
    def create(
        cls,
        image_size=64,
        channels=3,
        latent_dim=LATENT_DIM,
        width=64,
        discriminator_width=16,
        **kwargs,
    ):
        """A CAAE with the official architecture scaled by `width`."""
        return cls(
            caae_encoder(image_size, channels, latent_dim, width),
            caae_generator(image_size, channels, latent_dim, width=width),
            caae_latent_discriminator(latent_dim),
            caae_image_discriminator(image_size, channels, width=discriminator_width),
            **kwargs,
        )

    @property
    def age_groups(self):
        return int(self.generator.inputs[1].shape[-1])

    @property
    def genders(self):
        return int(self.generator.inputs[2].shape[-1])

    # ----------------------------------------------------------------- labels
    def check_conditions(self, labels):
        if labels is None:
            raise ValueError(
                "CAAE.fit needs labels: fit(images, labels) with int labels of shape "
                "(N, 2) = (age group, gender), or a dataset of (images, labels) batches."
            )
        shape = tuple(labels.shape)
        if len(shape) != 2 or shape[1] != 2:
            raise ValueError(
                f"Expected `y` (labels) of shape (N, 2) = (age group, gender). "
                f"Received: y.shape={shape}"
            )
        if isinstance(labels, np.ndarray):
            self._check_label_values(labels[:, 0], labels[:, 1], "y")

    def _check_label_values(self, age_groups, genders, name):
        for column, values, count in (
            ("age group", age_groups, self.age_groups),
            ("gender", genders, self.genders),
        ):
            values = np.asarray(values)
            if values.size and (
                not np.issubdtype(values.dtype, np.integer) or values.min() < 0 or values.max() >= count
            ):
                raise ValueError(
                    f"Expected `{name}` {column}s as ints in [0, {count - 1}]. Received: "
                    f"dtype={values.dtype}, values in [{values.min()}, {values.max()}]"
                )

    def label_inputs(self, age_groups, genders):
        """Int labels to the networks' label inputs: one-hot as -1/+1, float32."""
        age = ops.one_hot(ops.cast(age_groups, "int32"), self.age_groups)
        gender = ops.one_hot(ops.cast(genders, "int32"), self.genders)
        return 2.0 * age - 1.0, 2.0 * gender - 1.0

    # ------------------------------------------------------------------- step
    def _warmup(self):
        if not self.warmup_steps:
            return 1.0
        steps = ops.cast(self.optimizer.iterations, "float32")
        return ops.minimum(1.0, steps / float(self.warmup_steps))

    def gan_step(self, images, labels=None):
        images = ops.convert_to_tensor(images, "float32")  # a NumPy batch (train_on_batch)
        age, gender = self.label_inputs(labels[:, 0], labels[:, 1])
        encoder, generator = self.encoder, self.generator
        latents = ops.stop_gradient(encoder(images, training=True))
        fake = ops.stop_gradient(generator([latents, age, gender], training=True))
        prior = self.sample_latents(ops.shape(images)[0])

        def latent_discriminator_loss():
            return losses.minimax_discriminator_loss(
                self.latent_discriminator(prior, training=True),
                self.latent_discriminator(latents, training=True),
            )

        def image_discriminator_loss():
            return losses.minimax_discriminator_loss(
                self.discriminate(images, age, gender),
                self.discriminate(fake, age, gender),
            )

        d_z_loss = self.update("latent_discriminator", latent_discriminator_loss)
        d_img_loss = self.update("discriminator", image_discriminator_loss)
        warmup = self._warmup()

        def autoencoder_loss():
            codes = encoder(images, training=True)
            rendered = generator([codes, age, gender], training=True)
            l1 = losses.l1(rendered, images)
            loss = l1
            if self.image_adversarial_weight:
                adversarial = losses.nonsaturating_generator_loss(
                    self.discriminate(rendered, age, gender)
                )
                loss = loss + warmup * self.image_adversarial_weight * adversarial
            if self.latent_adversarial_weight:
                adversarial = losses.nonsaturating_generator_loss(
                    self.latent_discriminator(codes, training=True)
                )
                loss = loss + warmup * self.latent_adversarial_weight * adversarial
            if self.total_variation_weight:
                loss = loss + self.total_variation_weight * losses.total_variation(rendered)
            return loss, l1

        eg_loss, l1 = self.update(["encoder", "generator"], autoencoder_loss)
        return {"eg_loss": eg_loss, "l1": l1, "d_img_loss": d_img_loss, "d_z_loss": d_z_loss}

    # ------------------------------------------------------------------ aging
    def _run(self, network, inputs, batch_size):
        """Runs a network in inference mode over batches of NumPy inputs."""
        if batch_size < 1:
            raise ValueError(f"Expected batch_size >= 1. Received: {batch_size}")
        inputs = [np.asarray(x, dtype="float32") for x in inputs]
        outputs = []
        with backend.no_grad():
            for start in range(0, len(inputs[0]), batch_size):
                batch = [x[start : start + batch_size] for x in inputs]
                output = network(batch if len(batch) > 1 else batch[0], training=False)
                outputs.append(ops.convert_to_numpy(output))
        if not outputs:
            return np.zeros((0,) + tuple(network.outputs[0].shape[1:]), "float32")
        return np.concatenate(outputs)

    def encode(self, faces, batch_size=64):
        """Latents `[N, latent_dim]` of float faces `[N, S, S, C]` in [-1, 1]."""
        faces = np.asarray(faces, dtype="float32")
        check_images(faces, self.image_shape, name="faces")
        return self._run(self.encoder, [faces], batch_size)

    def render(self, latents, age_groups, genders, batch_size=64):
        """Renders latents under labels: uint8 `[N, S, S, C]`.

        Args:
            latents: `[N, latent_dim]`.
            age_groups: ints `[N]` in [0, 9].
            genders: ints `[N]`, 0 male, 1 female.
            batch_size: images per forward pass.
        """
        latents = np.asarray(latents, dtype="float32")
        if latents.ndim != 2 or latents.shape[1] != self.latent_dim:
            raise ValueError(
                f"Expected latents of shape (n, {self.latent_dim}). Received: latents.shape={latents.shape}"
            )
        age_groups = np.broadcast_to(np.asarray(age_groups), (len(latents),))
        genders = np.broadcast_to(np.asarray(genders), (len(latents),))
        self._check_label_values(age_groups, genders, "labels")
        age, gender = (ops.convert_to_numpy(t) for t in self.label_inputs(age_groups, genders))
        return image_utils.to_uint8(self._run(self.generator, [latents, age, gender], batch_size))

    def reconstruction_errors(self, faces, batch_size=64):
        """Mean |G(E(x), l) - x| of float faces for every (age group, gender): `[N, A, G]`."""
        faces = np.asarray(faces, dtype="float32")
        latents = self.encode(faces, batch_size)
        n, a, g = len(faces), self.age_groups, self.genders
        ages, genders = np.meshgrid(np.arange(a), np.arange(g), indexing="ij")
        repeated = np.repeat(latents, a * g, axis=0)
        rendered = self.render(repeated, np.tile(ages.ravel(), n), np.tile(genders.ravel(), n), batch_size)
        rendered = image_utils.to_float(rendered).reshape((n, a, g) + self.image_shape)
        return np.abs(rendered - faces[:, None, None]).mean(axis=(3, 4, 5))

    def estimate_labels(self, faces, batch_size=64):
        """(age group, gender) of each float face: the labels it reconstructs best.

        Returns:
            int32 `[N, 2]`.
        """
        errors = self.reconstruction_errors(faces, batch_size)
        flat = errors.reshape(len(errors), -1).argmin(axis=1)
        return np.stack(np.unravel_index(flat, errors.shape[1:]), axis=1).astype("int32")

    def translate(self, faces, groups=None, genders=None, batch_size=64):
        """Float faces at every requested age group: the uint8 form of `age`.

        Args:
            faces: float32 `[N, S, S, C]` in [-1, 1].
            groups: age-group indices (None: all).
            genders: ints `[N]` (or one int); None: each face's best
                reconstruction (`estimate_labels`).
            batch_size: images per forward pass.

        Returns:
            uint8 `[N, len(groups), S, S, C]`.
        """
        faces = np.asarray(faces, dtype="float32")
        groups = self._groups(groups)
        genders = self._genders(genders, faces, batch_size)
        latents = self.encode(faces, batch_size)
        rendered = self.render(
            np.repeat(latents, len(groups), axis=0),
            np.tile(groups, len(faces)),
            np.repeat(genders, len(groups)),
            batch_size,
        )
        return rendered.reshape((len(faces), len(groups)) + self.image_shape)

    def age(self, faces, groups=None, gender=None, batch_size=64):
        """Each face rendered at each requested age group (encoded once).

        Args:
            faces: a uint8 face `[H, W, C]` (any size: resized to the model's
                and back; grey or RGBA are converted), a batch `[N, H, W, C]`,
                or a list of faces.
            groups: age-group indices (0 for 0-5 ... 9 for 71+); None: all.
            gender: 0 / "male", 1 / "female", one per face, or None: the
                gender under which the face reconstructs best.
            batch_size: images per forward pass.

        Returns:
            uint8 `[len(groups), H, W, 3]` for one face, `[N, len(groups),
            H, W, 3]` for a batch, a list of those for a list.

        Example:
        >>> model = kgan.zoo.load("caae_faces_64")
        >>> strip = model.age(kgan.images.load_image("face.png"))
        >>> strip.shape
        (10, 64, 64, 3)
        """
        items, single = image_utils.as_image_list(faces)
        channels = self.image_shape[-1]
        inputs = [image_utils.as_channels(face, channels, i)[0] for i, face in enumerate(items)]
        if not inputs:
            return np.zeros((0, len(self._groups(groups))) + self.image_shape, dtype="uint8")
        size = self.image_shape[:2]
        floats = image_utils.to_float(np.stack([image_utils.resize(face, *size) for face in inputs]))
        rendered = self.translate(floats, groups, gender, batch_size)
        results = [
            np.stack([image_utils.resize(image, *face.shape[:2]) for image in strip])
            for strip, face in zip(rendered, inputs)
        ]
        if single:
            return results[0]
        return np.stack(results) if isinstance(faces, np.ndarray) else results

    def _groups(self, groups):
        if groups is None:
            return list(range(self.age_groups))
        return [int(g) for g in np.atleast_1d(groups)]

    def _genders(self, gender, floats, batch_size):
        if gender is None:
            return self.estimate_labels(floats, batch_size)[:, 1]
        values = [GENDERS.index(g) if isinstance(g, str) and g in GENDERS else g for g in np.atleast_1d(gender)]
        try:
            genders = np.broadcast_to(np.asarray(values, dtype="int64"), (len(floats),))
        except (TypeError, ValueError):
            raise ValueError(
                f"Expected gender as 0/'male', 1/'female', one per face, or None. Received: gender={gender!r}"
            ) from None
        self._check_label_values(np.zeros_like(genders), genders, "gender")
        return genders

    def generate(self, n, seed=None, batch_size=64, *, age_groups=None, genders=None):
        """New faces from prior latents `U(-1, 1)` (seeded by NumPy's PCG64).

        Args:
            n: number of faces.
            seed: int seed; the labels left as None are drawn from it too.
            batch_size: images per forward pass.
            age_groups: an int or ints `[n]` (None: random).
            genders: an int or ints `[n]` (None: random).

        Returns:
            uint8 `[n, S, S, C]`.
        """
        latents = self.latents(n, seed)
        rng = np.random.Generator(np.random.PCG64(None if seed is None else seed + 1))
        if age_groups is None:
            age_groups = rng.integers(0, self.age_groups, n)
        if genders is None:
            genders = rng.integers(0, self.genders, n)
        return self.render(latents, age_groups, genders, batch_size)

    def generate_from_latents(self, latents, batch_size=64, conditions=None):
        if conditions is None:
            raise ValueError("CAAE renders latents under labels: pass conditions=(age_groups, genders).")
        return self.render(latents, *conditions, batch_size=batch_size)

    def get_config(self):
        config = super().get_config()
        config.pop("latent_distribution")
        config.update(
            image_adversarial_weight=self.image_adversarial_weight,
            latent_adversarial_weight=self.latent_adversarial_weight,
            total_variation_weight=self.total_variation_weight,
            warmup_steps=self.warmup_steps,
        )
        return config
