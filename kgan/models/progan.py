"""ProGAN (Karras et al. 2018): progressive growing of GANs.

The generator and discriminator are built once at the target resolution and
hold every level's weights. A non-trainable scalar `lod` (level of detail, as
in the official code) selects what they compute: `lod = 0` is the full
resolution, `lod = k` is `resolution / 2**k`, and a fractional `lod` is a
fade-in between two levels. Training runs the networks only up to the
current resolution (a Python choice made between steps), while `lod` moves
inside the step, so the fade-in is seen by compiled steps on every backend.
"""

import math

import keras
from keras import ops

from kgan import augment as augmentation
from kgan import backend
from kgan import losses
from kgan.layers import Downsample2D
from kgan.layers import EqualizedConv2D
from kgan.layers import EqualizedDense
from kgan.layers import MinibatchStdDev
from kgan.layers import PixelNorm
from kgan.layers import Upsample2D
from kgan.models.gan import GAN
from kgan.validation import peek_batch

MAX_RESOLUTION = 1024


def check_resolution(name, resolution, low=4, high=MAX_RESOLUTION):
    """`log2(resolution)` of a power of two in [low, high]; else a ValueError."""
    value = int(resolution)
    if value != resolution or value < low or value > high or value & (value - 1):
        raise ValueError(
            f"Expected {name} to be a power of two between {low} and {high}. "
            f"Received: {name}={resolution!r}"
        )
    return int(math.log2(value))


def num_filters(stage, fmap_base=8192, fmap_max=512):
    """Channels of a stage: `min(fmap_base / 2**stage, fmap_max)` (official `nf`)."""
    return int(min(fmap_base / 2.0**stage, fmap_max))


def _lrelu(x):
    return ops.leaky_relu(x, negative_slope=0.2)


def _lerp_clip(a, b, t):
    """`a + (b - a) * clip(t, 0, 1)`, the official code's level blend."""
    return a + (b - a) * ops.clip(t, 0.0, 1.0)


class _LevelNetwork(keras.layers.Layer):
    """Shared parts of ProGAN's generator and discriminator.

    Level `i` has resolution `4 * 2**i`; `lod` is a non-trainable scalar.
    """

    def __init__(self, resolution, channels, fmap_base, fmap_max, **kwargs):
        super().__init__(**kwargs)
        self.resolution_log2 = check_resolution("resolution", resolution)
        self.resolution = int(resolution)
        self.channels = int(channels)
        self.fmap_base = int(fmap_base)
        self.fmap_max = int(fmap_max)
        self.num_levels = self.resolution_log2 - 1

    def nf(self, stage):
        return num_filters(stage, self.fmap_base, self.fmap_max)

    def _add_lod(self):
        self.lod = self.add_weight(
            name="lod", shape=(), initializer="zeros", trainable=False, autocast=False
        )

    def levels_for(self, resolution):
        """Number of levels that run at `resolution` (1 for 4x4)."""
        log2 = check_resolution("resolution", resolution, high=self.resolution)
        return log2 - 1

    def level_lod(self, level):
        """The `lod` at which level `level` is fully faded in."""
        return float(self.num_levels - 1 - level)

    def variables_for(self, resolution):
        """The trainable variables used when running at `resolution`."""
        raise NotImplementedError

    def get_config(self):
        config = super().get_config()
        config.update(
            resolution=self.resolution,
            channels=self.channels,
            fmap_base=self.fmap_base,
            fmap_max=self.fmap_max,
        )
        return config


@keras.saving.register_keras_serializable(package="kgan")
class ProGANGenerator(_LevelNetwork):
    """ProGAN's generator (official `G_paper`), all levels up to `resolution`.

    Latents are pixel-normalised; the 4x4 level is a dense layer to
    `4 * 4 * nf(1)` (gain `sqrt(2) / 4`), LeakyReLU(0.2) and PixelNorm, then a
    3x3 convolution; every higher level is a nearest 2x upsampling and two 3x3
    convolutions, each followed by LeakyReLU and PixelNorm. Every level has a
    1x1 ToRGB (gain 1, linear). The output blends the levels by `lod` exactly
    as the official linear structure does: starting from the 4x4 ToRGB, each
    level computes `lerp_clip(to_rgb(x), upsample(previous), lod - level_lod)`.

    Args:
        resolution: output resolution, a power of two from 4 to 1024.
        latent_dim: size of the latent vector (512 in the paper).
        channels: image channels.
        fmap_base, fmap_max: channels of stage s are `min(fmap_base / 2**s,
            fmap_max)`; the level at resolution `2**r` has `nf(r - 1)`.
        dense_gain: He gain of the 4x4 dense layer (`sqrt(2) / 4` officially,
            `sqrt(2)` in pytorch_GAN_zoo).
        to_rgb_gain: He gain of the ToRGB layers (1 officially).
        normalize_latents: pixel-normalise the latents first.
        **kwargs: base layer arguments (`name`, `dtype`).

    Call arguments:
        latents: `[N, latent_dim]`.
        resolution: Python int, the resolution to run up to (default: the
            full resolution). Levels above it are not computed.

    Example:
    >>> g = ProGANGenerator(16, latent_dim=8, fmap_base=32, fmap_max=8)
    >>> tuple(g(np.zeros((2, 8), "float32")).shape)
    (2, 16, 16, 3)
    """

    def __init__(
        self,
        resolution=1024,
        latent_dim=512,
        channels=3,
        fmap_base=8192,
        fmap_max=512,
        dense_gain=math.sqrt(2.0) / 4.0,
        to_rgb_gain=1.0,
        normalize_latents=True,
        **kwargs,
    ):
        super().__init__(resolution, channels, fmap_base, fmap_max, **kwargs)
        self.latent_dim = int(latent_dim)
        self.dense_gain = float(dense_gain)
        self.to_rgb_gain = float(to_rgb_gain)
        self.normalize_latents = bool(normalize_latents)
        self.pixel_norm = PixelNorm()
        self.upsample = Upsample2D(2)
        self.dense = EqualizedDense(16 * self.nf(1), gain=self.dense_gain, name="dense_4x4")
        self.convs = []
        self.to_rgb = []
        for level in range(self.num_levels):
            res = 4 * 2**level
            if level == 0:
                self.convs.append([EqualizedConv2D(self.nf(1), 3, name="conv_4x4")])
            else:
                filters = self.nf(level + 1)
                self.convs.append(
                    [
                        EqualizedConv2D(filters, 3, name=f"conv0_{res}x{res}"),
                        EqualizedConv2D(filters, 3, name=f"conv1_{res}x{res}"),
                    ]
                )
            self.to_rgb.append(
                EqualizedConv2D(channels, 1, gain=self.to_rgb_gain, name=f"to_rgb_{res}x{res}")
            )

    def build(self, input_shape=None):
        self.pixel_norm.build((None, self.latent_dim))
        self.upsample.build((None, 4, 4, self.channels))
        self.dense.build((None, self.latent_dim))
        previous = self.nf(1)
        for level, convs in enumerate(self.convs):
            res = 4 * 2**level
            for conv in convs:
                conv.build((None, res, res, previous))
                previous = conv.filters
            self.to_rgb[level].build((None, res, res, previous))
        self._add_lod()
        self.built = True

    def _level(self, level, x):
        if level == 0:
            x = self.dense(x)
            x = ops.reshape(x, (-1, 4, 4, self.nf(1)))
            x = self.pixel_norm(_lrelu(x))
        else:
            x = self.upsample(x)
        for conv in self.convs[level]:
            x = self.pixel_norm(_lrelu(conv(x)))
        return x

    def call(self, latents, resolution=None):
        levels = self.levels_for(resolution or self.resolution)
        x = self.pixel_norm(latents) if self.normalize_latents else latents
        images = None
        for level in range(levels):
            x = self._level(level, x)
            rgb = self.to_rgb[level](x)
            if images is None:
                images = rgb
            else:
                t = ops.cast(self.lod, rgb.dtype) - self.level_lod(level)
                images = _lerp_clip(rgb, self.upsample(images), t)
        return images

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.resolution, self.resolution, self.channels)

    def variables_for(self, resolution):
        levels = self.levels_for(resolution)
        layers = [self.dense] + [c for convs in self.convs[:levels] for c in convs]
        layers += self.to_rgb[:levels]
        return [v for layer in layers for v in layer.trainable_variables]

    def get_config(self):
        config = super().get_config()
        config.update(
            latent_dim=self.latent_dim,
            dense_gain=self.dense_gain,
            to_rgb_gain=self.to_rgb_gain,
            normalize_latents=self.normalize_latents,
        )
        return config


@keras.saving.register_keras_serializable(package="kgan")
class ProGANDiscriminator(_LevelNetwork):
    """ProGAN's discriminator (official `D_paper`), all levels up to `resolution`.

    Each level has a 1x1 FromRGB (LeakyReLU) and, above 4x4, two 3x3
    convolutions (`nf(r - 1)`, `nf(r - 2)` channels) and a 2x2 average pool.
    The 4x4 level appends the minibatch standard deviation, then a 3x3
    convolution, a dense layer to `nf(0)` and a linear dense layer to one score
    (gain 1). The input resolution selects the first level; `lod` blends each
    level with the FromRGB of the downsampled image, as in the official linear
    structure.

    Args:
        resolution: the largest input resolution, a power of two 4..1024.
        channels: image channels.
        fmap_base, fmap_max: as in `ProGANGenerator`.
        mbstd_group_size: minibatch-stddev group size (4 in training; 16 in
            the Theano-era CelebA-HQ networks). 0 or 1 switches it off.
        **kwargs: base layer arguments.

    Call arguments:
        images: `[N, R, R, channels]` with R a power of two up to `resolution`.

    Returns:
        Scores `[N, 1]`.
    """

    def __init__(
        self,
        resolution=1024,
        channels=3,
        fmap_base=8192,
        fmap_max=512,
        mbstd_group_size=4,
        **kwargs,
    ):
        super().__init__(resolution, channels, fmap_base, fmap_max, **kwargs)
        self.mbstd_group_size = int(mbstd_group_size)
        self.downsample = Downsample2D(2)
        self.mbstd = MinibatchStdDev(self.mbstd_group_size) if self.mbstd_group_size > 1 else None
        self.from_rgb = []
        self.convs = []
        for level in range(self.num_levels):
            res = 4 * 2**level
            stage = level + 2  # log2(res)
            self.from_rgb.append(EqualizedConv2D(self.nf(stage - 1), 1, name=f"from_rgb_{res}x{res}"))
            if level == 0:
                self.convs.append(
                    [
                        EqualizedConv2D(self.nf(1), 3, name="conv_4x4"),
                        EqualizedDense(self.nf(0), name="dense0_4x4"),
                        EqualizedDense(1, gain=1.0, name="dense1_4x4"),
                    ]
                )
            else:
                self.convs.append(
                    [
                        EqualizedConv2D(self.nf(stage - 1), 3, name=f"conv0_{res}x{res}"),
                        EqualizedConv2D(self.nf(stage - 2), 3, name=f"conv1_{res}x{res}"),
                    ]
                )

    def build(self, input_shape=None):
        self.downsample.build((None, 8, 8, self.channels))
        if self.mbstd is not None:
            self.mbstd.build((None, 4, 4, self.nf(1)))
        for level in range(self.num_levels):
            res = 4 * 2**level
            stage = level + 2
            self.from_rgb[level].build((None, res, res, self.channels))
            if level == 0:
                conv, dense0, dense1 = self.convs[0]
                extra = 1 if self.mbstd is not None else 0
                conv.build((None, 4, 4, self.nf(1) + extra))
                dense0.build((None, 16 * self.nf(1)))
                dense1.build((None, self.nf(0)))
            else:
                conv0, conv1 = self.convs[level]
                conv0.build((None, res, res, self.nf(stage - 1)))
                conv1.build((None, res, res, self.nf(stage - 1)))
        self._add_lod()
        self.built = True

    def _level(self, level, x):
        if level == 0:
            if self.mbstd is not None:
                x = self.mbstd(x)
            conv, dense0, dense1 = self.convs[0]
            x = _lrelu(conv(x))
            x = ops.reshape(x, (-1, 16 * self.nf(1)))
            return dense1(_lrelu(dense0(x)))
        for conv in self.convs[level]:
            x = _lrelu(conv(x))
        return self.downsample(x)

    def call(self, images):
        top = self.levels_for(images.shape[1]) - 1
        x = _lrelu(self.from_rgb[top](images))
        for level in range(top, 0, -1):
            x = self._level(level, x)
            images = self.downsample(images)
            y = _lrelu(self.from_rgb[level - 1](images))
            t = ops.cast(self.lod, x.dtype) - self.level_lod(level)
            x = _lerp_clip(x, y, t)
        return self._level(0, x)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def variables_for(self, resolution):
        levels = self.levels_for(resolution)
        layers = self.from_rgb[:levels] + [c for convs in self.convs[:levels] for c in convs]
        return [v for layer in layers for v in layer.trainable_variables]

    def get_config(self):
        config = super().get_config()
        config.update(mbstd_group_size=self.mbstd_group_size)
        return config


class ProgressiveGrowth(keras.callbacks.Callback):
    """Picks the resolution of each training step and retraces on a change.

    Added by `ProGAN.fit`. The images seen so far are read from the model once
    at the start (after any `BackupAndRestore`), then counted in Python.
    """

    def __init__(self, batch_size):
        super().__init__()
        self.batch_size = int(batch_size)

    def on_train_begin(self, logs=None):
        self.images = int(ops.convert_to_numpy(self.model.images_seen))

    def on_train_batch_begin(self, batch, logs=None):
        resolution = self.model.resolution_at(self.images)
        if resolution != self.model.stage_resolution:
            self.model.stage_resolution = resolution
            self.model.make_train_function(force=True)

    def on_train_batch_end(self, batch, logs=None):
        self.images += self.batch_size


@keras.saving.register_keras_serializable(package="kgan")
class ProGAN(GAN):
    """Progressive growing of GANs (Karras et al. 2018), trained with WGAN-GP.

    Training starts at 4x4 for `stable_images` images; every higher level
    then fades in over `fade_images` images (alpha from 0 to 1, as `lod`
    moving from one level to the next) and is trained alone for
    `stable_images` more. The last level trains as long as `fit` runs. The
    optimizers' state is reset when a new level starts. Losses: WGAN-GP
    (lambda 10) plus the drift term `0.001 * D(real)^2`; real images are
    average-pooled to the current resolution and faded like the generator's
    output. `generate` uses `generator_ema`, the moving average of the
    generator's weights (beta 0.999).

    Args:
        generator: a `ProGANGenerator`.
        discriminator: a `ProGANDiscriminator` of the same resolution.
        generator_ema: the averaged generator (default: a copy of
            `generator`).
        gradient_penalty_weight: lambda of WGAN-GP.
        drift_weight: weight of the drift term.
        ema_beta: decay of the generator average.
        fade_images: images per fade-in phase (600,000 in the paper).
        stable_images: images per stabilisation phase (600,000).
        augment: differentiable augmentation of every image the critic sees
            (reals, fakes and so their interpolates), e.g.
            `"color,translation,cutout"` (DiffAugment, `kgan.augment`); for
            datasets of a few thousand images. Not in the paper.
        seed: seed of the training noise.
        **kwargs: passed to `keras.Model`.

    Example:
    >>> gan = ProGAN.create(16, latent_dim=16, fmap_base=64, fmap_max=16,
    ...                     fade_images=512, stable_images=512)
    >>> gan.compile()
    >>> gan.fit(images, batch_size=16, epochs=4)   # 4x4 -> 8x8 -> 16x16
    """

    loss_names = ("d_loss", "g_loss", "gradient_penalty")

    def __init__(
        self,
        generator,
        discriminator,
        generator_ema=None,
        gradient_penalty_weight=10.0,
        drift_weight=0.001,
        ema_beta=0.999,
        fade_images=600_000,
        stable_images=600_000,
        augment=None,
        seed=None,
        **kwargs,
    ):
        kwargs.pop("latent_distribution", None)
        super().__init__(generator, discriminator, latent_distribution="normal", seed=seed, **kwargs)
        if not isinstance(generator, ProGANGenerator):
            raise TypeError(f"Expected a ProGANGenerator. Received: {type(generator).__name__}")
        if not isinstance(discriminator, ProGANDiscriminator):
            raise TypeError(
                f"Expected a ProGANDiscriminator. Received: {type(discriminator).__name__}"
            )
        if discriminator.resolution != generator.resolution:
            raise ValueError(
                "The generator and discriminator must have the same resolution. Received: "
                f"{generator.resolution} and {discriminator.resolution}"
            )
        for name, value in (("fade_images", fade_images), ("stable_images", stable_images)):
            if int(value) < 1:
                raise ValueError(f"Expected {name} >= 1. Received: {name}={value}")
        for network in (generator, discriminator):
            if not network.built:
                network.build()
        if generator_ema is None:
            config = dict(generator.get_config(), name=f"{generator.name}_ema")
            generator_ema = ProGANGenerator.from_config(config)
            generator_ema.build()
            generator_ema.set_weights(generator.get_weights())
        elif not generator_ema.built:
            generator_ema.build()
        # A copy deserialized with trainable=False has trainable sublayers (the
        # flag reaches sublayers only when it is set): set it from True.
        generator_ema.trainable = True
        generator_ema.trainable = False
        self.generator_ema = generator_ema
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.drift_weight = float(drift_weight)
        self.ema_beta = float(ema_beta)
        self.fade_images = int(fade_images)
        self.stable_images = int(stable_images)
        self.augment = ",".join(augmentation.parse_policy(augment))
        self.images_seen = self.add_weight(
            name="images_seen", shape=(), dtype="int32", initializer="zeros", trainable=False
        )
        self.stage_resolution = None  # Python: the resolution steps are traced for

    @classmethod
    def create(
        cls,
        resolution=64,
        channels=3,
        latent_dim=512,
        fmap_base=8192,
        fmap_max=512,
        mbstd_group_size=4,
        **kwargs,
    ):
        """A ProGAN with the paper's networks at `resolution` (channels by `fmap_*`)."""
        return cls(
            ProGANGenerator(resolution, latent_dim, channels, fmap_base, fmap_max),
            ProGANDiscriminator(resolution, channels, fmap_base, fmap_max, mbstd_group_size),
            **kwargs,
        )

    @property
    def latent_dim(self):
        return self.generator.latent_dim

    @property
    def image_shape(self):
        g = self.generator
        return (g.resolution, g.resolution, g.channels)

    @property
    def sampler(self):
        return self.generator_ema

    def default_optimizer(self, network_name):
        return keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8)

    # --------------------------------------------------------------- schedule
    def fade_start(self, resolution):
        """Images seen when `resolution` starts to fade in (4x4: 0)."""
        level = check_resolution("resolution", resolution, high=self.generator.resolution) - 2
        if level == 0:
            return 0
        return self.stable_images + (level - 1) * (self.fade_images + self.stable_images)

    def resolution_at(self, images_seen):
        """The training resolution after `images_seen` images."""
        resolution = 4
        while (
            resolution < self.generator.resolution
            and images_seen >= self.fade_start(resolution * 2)
        ):
            resolution *= 2
        return resolution

    def stage_lod(self, resolution):
        """The `lod` of `resolution` fully faded in (0 for the full resolution)."""
        return float(self.generator.resolution_log2 - int(math.log2(resolution)))

    def lod_at(self, images_seen, resolution):
        """`lod` for a step at `resolution` after `images_seen` images (a tensor)."""
        if resolution == 4:
            return ops.convert_to_tensor(self.stage_lod(4), "float32")
        progress = (ops.cast(images_seen, "float32") - self.fade_start(resolution)) / self.fade_images
        return self.stage_lod(resolution) + 1.0 - ops.clip(progress, 0.0, 1.0)

    def trainable_variables_of(self, network_name):
        network = self.networks[network_name]
        return network.variables_for(self.stage_resolution or network.resolution)

    # ------------------------------------------------------------------- step
    def _reset_optimizers(self, keep):
        """Multiplies every optimizer state variable by `keep` (0 resets it)."""
        for optimizer in self._optimizer_for.values():
            for variable in optimizer.variables:
                if variable.name != "learning_rate":
                    variable.assign(variable * ops.cast(keep, variable.dtype))

    def gan_step(self, images, conditions=None):
        resolution = self.stage_resolution or self.generator.resolution
        batch_size = ops.shape(images)[0]
        # Images of the whole step (all devices under kgan.distribute).
        step_images = backend.global_batch_size(batch_size)
        lod = self.lod_at(self.images_seen, resolution)
        for network in (self.generator, self.discriminator, self.generator_ema):
            network.lod.assign(lod)
        if resolution > 4:
            first_step = self.images_seen < self.fade_start(resolution) + step_images
            self._reset_optimizers(1 - ops.cast(first_step, "int32"))

        reals = images
        for _ in range(self.generator.resolution_log2 - int(math.log2(resolution))):
            reals = self.discriminator.downsample(reals)
        if resolution > 4:  # fade the reals like the generator's output
            blurred = self.generator.upsample(self.discriminator.downsample(reals))
            reals = _lerp_clip(reals, blurred, lod - self.stage_lod(resolution))

        generator, critic = self.generator, self.discriminator
        latents = self.sample_latents(batch_size)
        epsilon = self.random_uniform((batch_size, 1, 1, 1))
        fake = ops.stop_gradient(generator(latents, resolution=resolution, training=True))
        if self.augment:  # the critic's inputs, its penalty's interpolates among them
            both = augmentation.augment(
                ops.concatenate([reals, fake]), self.augment, self.random_uniform
            )
            reals, fake = both[:batch_size], both[batch_size:]

        def critic_loss():
            real_scores = critic(reals, training=True)
            fake_scores = critic(fake, training=True)
            penalty = losses.gradient_penalty(
                lambda x: critic(x, training=True), reals, fake, epsilon
            )
            loss = (
                losses.wasserstein_discriminator_loss(real_scores, fake_scores)
                + self.gradient_penalty_weight * penalty
                + self.drift_weight * losses.drift_penalty(real_scores)
            )
            return loss, penalty

        d_loss, penalty = self.update("discriminator", critic_loss)

        latents = self.sample_latents(batch_size)

        def generator_loss():
            fake = generator(latents, resolution=resolution, training=True)
            return losses.wasserstein_generator_loss(self.discriminate(fake))

        g_loss = self.update("generator", generator_loss)
        for average, weight in zip(self.generator_ema.weights, generator.weights):
            if weight.trainable:
                average.assign(weight + (average - weight) * self.ema_beta)
        self.images_seen.assign_add(ops.cast(step_images, "int32"))
        return {"d_loss": d_loss, "g_loss": g_loss, "gradient_penalty": penalty}

    # -------------------------------------------------------------------- fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, callbacks=None, **kwargs):
        """Trains progressively: one call runs every phase (see `GAN.fit`).

        The resolution follows the images seen (`images_seen`, saved with the
        weights), so a run restored by `keras.callbacks.BackupAndRestore` or
        from a saved model continues where it stopped, also mid fade-in. The
        batch size must be the same for every step.
        """
        images, _ = peek_batch(x, y)
        if images is None:
            raise ValueError(
                "ProGAN.fit needs data whose batch size it can read: a NumPy array "
                "with batch_size, a keras.utils.PyDataset or a tf.data.Dataset."
            )
        size = (batch_size or 32) if hasattr(x, "shape") else images.shape[0]
        callbacks = list(callbacks or []) + [ProgressiveGrowth(size)]
        return super().fit(x, y, batch_size=batch_size, epochs=epochs, callbacks=callbacks, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("latent_distribution")
        config.update(
            generator_ema=keras.saving.serialize_keras_object(self.generator_ema),
            gradient_penalty_weight=self.gradient_penalty_weight,
            drift_weight=self.drift_weight,
            ema_beta=self.ema_beta,
            fade_images=self.fade_images,
            stable_images=self.stable_images,
            augment=self.augment,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator_ema"] = keras.saving.deserialize_keras_object(config["generator_ema"])
        return super().from_config(config)
