"""pix2pix (Isola et al. 2017): a U-Net translates images, a PatchGAN judges pairs.

kgan uses it to colour line art, with the loss variants the paints_tf
colorization project compared: L1 only, L1 + GAN, L1 + WGAN-GP, and SELU
networks (self-normalising, no normalisation layers).
"""

import math

import numpy as np
import keras
from keras import ops

from kgan import backend
from kgan import images as image_utils
from kgan import losses
from kgan.layers import Conv2D
from kgan.layers import Conv2DTranspose
from kgan.layers import SELUConvBlock
from kgan.models.gan import GAN
from kgan.validation import check_images

LOSSES = ("l1", "l1_gan", "wgan_gp")
ACTIVATIONS = ("relu", "selu")
UPSAMPLING = ("transpose", "resize")


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"Expected {name} in {choices}. Received: {name}={value!r}")
    return value


def _check_size(image_size):
    if not isinstance(image_size, int) or image_size < 8 or image_size & (image_size - 1):
        raise ValueError(
            "Expected image_size to be a power of two >= 8 (the U-Net halves it "
            f"down to 1x1). Received: image_size={image_size!r}"
        )
    return int(math.log2(image_size))


def _conv_block(x, filters, strides, activation, normalize, name, up=None):
    """Conv -> instance norm -> activation; SELU blocks have no norm.

    Encoder and discriminator blocks (`up=None`): 4x4 conv at `strides`,
    LeakyReLU 0.2. Decoder blocks double the size, with a 4x4 transposed conv
    (`up="transpose"`) or nearest upsampling and a 3x3 conv (`up="resize"`),
    then ReLU.
    """
    kernel, transpose = 4, up == "transpose"
    if up == "resize":
        x = keras.layers.UpSampling2D(2, name=f"{name}_upsample")(x)
        kernel, strides = 3, 1
    if activation == "selu":
        return SELUConvBlock(filters, kernel, strides, transpose=transpose, name=name)(x)
    conv = Conv2DTranspose if transpose else Conv2D
    init = keras.initializers.RandomNormal(0.0, 0.02)
    x = conv(
        filters, kernel, strides=strides, padding="same", kernel_initializer=init,
        use_bias=not normalize, name=f"{name}_conv",
    )(x)
    if normalize:  # instance normalisation: one group per channel
        x = keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, name=f"{name}_norm")(x)
    if up:
        return keras.layers.ReLU(name=f"{name}_relu")(x)
    return keras.layers.LeakyReLU(0.2, name=f"{name}_lrelu")(x)


def unet_generator(
    image_size=64,
    source_channels=1,
    target_channels=3,
    width=64,
    max_width=512,
    activation="relu",
    dropout=0.5,
    upsampling="transpose",
    name="generator",
):
    """The pix2pix U-Net: strided 4x4 convolutions down to 1x1 and back up.

    Each decoder level is concatenated with the encoder level of the same
    size (skip connections); the three innermost decoder levels use dropout.
    Encoder: conv, instance norm (not on the first and innermost levels),
    LeakyReLU 0.2; decoder: transposed conv (or nearest upsampling and a 3x3
    conv, which draws no checkerboard), instance norm, ReLU; output: the same
    upsampling to `target_channels` and tanh. With `activation="selu"` every block is a
    `SELUConvBlock` (LeCun-normal weights, no normalisation) and dropout is
    `AlphaDropout`.

    Args:
        image_size: height and width, a power of two >= 8.
        source_channels: channels of the input (1 for line art).
        target_channels: channels of the output (3 for colour).
        width: filters of the first level, doubled per level.
        max_width: the most filters a level gets.
        activation: `"relu"` (LeakyReLU/ReLU with instance norm) or `"selu"`.
        dropout: dropout rate of the three innermost decoder levels.
        upsampling: `"transpose"` (4x4 transposed convolutions, the paper)
            or `"resize"` (nearest upsampling + 3x3 convolution).
        name: the model's name.

    Returns:
        A functional `keras.Model` from `[N, S, S, source_channels]` to
        `[N, S, S, target_channels]` in [-1, 1].

    Example:
    >>> g = unet_generator(64, width=16)
    >>> tuple(g.output.shape)
    (None, 64, 64, 3)
    """
    depth = _check_size(image_size)
    _check_choice("activation", activation, ACTIVATIONS)
    _check_choice("upsampling", upsampling, UPSAMPLING)
    filters = [min(width * 2**level, max_width) for level in range(depth)]
    inputs = keras.Input((image_size, image_size, source_channels), name="source")
    x, skips = inputs, []
    for level in range(depth):
        normalize = 0 < level < depth - 1  # 1x1 has nothing to normalise over
        x = _conv_block(x, filters[level], 2, activation, normalize, f"down{level}")
        skips.append(x)
    for step, level in enumerate(reversed(range(depth - 1))):
        x = _conv_block(x, filters[level], 2, activation, True, f"up{level}", up=upsampling)
        if dropout and step < 3:
            drop = keras.layers.AlphaDropout if activation == "selu" else keras.layers.Dropout
            x = drop(dropout, name=f"up{level}_dropout")(x)
        x = keras.layers.Concatenate(name=f"up{level}_skip")([x, skips[level]])
    init = "lecun_normal" if activation == "selu" else "glorot_uniform"
    if upsampling == "resize":
        x = keras.layers.UpSampling2D(2, name="to_image_upsample")(x)
        to_image = Conv2D(
            target_channels, 3, padding="same", kernel_initializer=init, name="to_image"
        )
    else:
        to_image = Conv2DTranspose(
            target_channels, 4, strides=2, padding="same", kernel_initializer=init, name="to_image"
        )
    outputs = keras.layers.Activation("tanh", name="tanh")(to_image(x))
    return keras.Model(inputs, outputs, name=name)


def patch_discriminator(
    image_size=64,
    source_channels=1,
    target_channels=3,
    width=64,
    max_width=512,
    layers=3,
    activation="relu",
    name="discriminator",
):
    """The PatchGAN: one score per overlapping patch of a (source, target) pair.

    `layers` strided 4x4 convolutions (instance norm from the second,
    LeakyReLU 0.2), one more at stride 1, then a 1-filter 4x4 convolution:
    `[N, S / 2**layers, S / 2**layers, 1]` logits. `layers=3` is the paper's
    70x70 PatchGAN. With `activation="selu"` the blocks are `SELUConvBlock`s.

    Args:
        image_size: height and width of both images.
        source_channels, target_channels: channels of the two inputs.
        width: filters of the first convolution, doubled per layer.
        max_width: the most filters a layer gets.
        layers: strided convolutions (each halves the size).
        activation: `"relu"` or `"selu"`.
        name: the model's name.

    Returns:
        A functional `keras.Model` from `[source, target]` to patch logits.

    Example:
    >>> d = patch_discriminator(64, width=16)
    >>> tuple(d.output.shape)
    (None, 8, 8, 1)
    """
    _check_size(image_size)
    _check_choice("activation", activation, ACTIVATIONS)
    if not 1 <= layers < int(math.log2(image_size)):
        raise ValueError(
            f"Expected 1 <= layers < {int(math.log2(image_size))} for image_size="
            f"{image_size}. Received: layers={layers}"
        )
    source = keras.Input((image_size, image_size, source_channels), name="source")
    target = keras.Input((image_size, image_size, target_channels), name="target")
    x = keras.layers.Concatenate(name="pair")([source, target])
    for level in range(layers + 1):
        filters = min(width * 2**level, max_width)
        strides = 2 if level < layers else 1
        x = _conv_block(x, filters, strides, activation, level > 0, f"block{level}")
    logits = Conv2D(1, 4, padding="same", name="patch_logits")(x)
    return keras.Model([source, target], logits, name=name)


@keras.saving.register_keras_serializable(package="kgan")
class Pix2Pix(GAN):
    """pix2pix: learns to translate source images (line art) into targets (colour).

    Train with `fit(sources, targets)`, both float NHWC in [-1, 1]; translate
    with `colorize(images)`. The generator's loss is
    `mean|G(x) - y| + gan_weight * adversarial`; the adversarial part by
    `loss`:

    - `"l1"`: none; the discriminator is not trained.
    - `"l1_gan"`: sigmoid cross-entropy on the PatchGAN's logits, the
      non-saturating generator loss.
    - `"wgan_gp"`: the Wasserstein critic (mean patch score) with a gradient
      penalty on interpolates of the real and generated targets (same source).

    Args:
        generator: a model from sources `[N, S, S, Cs]` to targets
            `[N, S, S, Ct]` (`unet_generator`).
        discriminator: a model from `[source, target]` to patch logits
            (`patch_discriminator`).
        loss: one of `LOSSES`.
        gan_weight: the weight of the adversarial term relative to L1.
        gradient_penalty_weight: lambda of WGAN-GP.
        seed: seed of the training noise.
        **kwargs: passed to `keras.Model`.

    Example:
    >>> gan = Pix2Pix.create(64, loss="l1_gan", gan_weight=1.0)
    >>> gan.compile()
    >>> gan.fit(line_art, colour, batch_size=16, epochs=10)
    >>> colour = gan.colorize(my_line_art_uint8)
    """

    loss_names = ("d_loss", "g_loss", "l1")

    def __init__(
        self,
        generator,
        discriminator,
        loss="l1_gan",
        gan_weight=1.0,
        gradient_penalty_weight=10.0,
        seed=None,
        **kwargs,
    ):
        kwargs.pop("latent_distribution", None)
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        self.loss = _check_choice("loss", loss, LOSSES)
        if float(gan_weight) < 0:
            raise ValueError(f"Expected gan_weight >= 0. Received: gan_weight={gan_weight}")
        self.gan_weight = float(gan_weight)
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        source_shape = tuple(int(d) for d in generator.inputs[0].shape[1:])
        expected = [source_shape, self.image_shape]
        received = [tuple(int(d) for d in t.shape[1:]) for t in discriminator.inputs]
        if received != expected:
            raise ValueError(
                "Expected a discriminator on (source, target) pairs of shapes "
                f"{expected}. Received: {received}"
            )

    @classmethod
    def create(
        cls,
        image_size=64,
        source_channels=1,
        target_channels=3,
        width=64,
        max_width=512,
        activation="relu",
        dropout=0.5,
        upsampling="transpose",
        discriminator_layers=3,
        **kwargs,
    ):
        """A pix2pix with a U-Net generator and a PatchGAN discriminator."""
        shape = dict(
            image_size=image_size, source_channels=source_channels,
            target_channels=target_channels, width=width, max_width=max_width,
            activation=activation,
        )
        return cls(
            unet_generator(dropout=dropout, upsampling=upsampling, **shape),
            patch_discriminator(layers=discriminator_layers, **shape),
            **kwargs,
        )

    @property
    def input_image_shape(self):
        return tuple(int(d) for d in self.generator.inputs[0].shape[1:])

    def check_conditions(self, targets):
        if targets is None:
            raise ValueError(
                "Pix2Pix.fit needs target images: fit(sources, targets) with arrays, "
                "or a dataset of (source, target) batches."
            )
        check_images(targets, self.image_shape, name="y")

    # ------------------------------------------------------------------- step
    def _patch_score(self, sources):
        """The critic as a function of the target: mean patch score, `[N, 1]`."""

        def score(targets):
            logits = self.discriminator([sources, targets], training=True)
            return ops.mean(logits, axis=(1, 2))

        return score

    def gan_step(self, sources, targets=None):
        generator, discriminator = self.generator, self.discriminator
        fake = ops.stop_gradient(generator(sources, training=True))
        d_loss = ops.zeros((), "float32")
        if self.loss == "wgan_gp":
            score = self._patch_score(sources)
            epsilon = self.random_uniform((ops.shape(sources)[0], 1, 1, 1))

            def critic_loss():
                penalty = losses.gradient_penalty(score, targets, fake, epsilon)
                wasserstein = losses.wasserstein_discriminator_loss(score(targets), score(fake))
                return wasserstein + self.gradient_penalty_weight * penalty

            d_loss = self.update("discriminator", critic_loss)
        elif self.loss == "l1_gan":

            def discriminator_loss():
                return losses.minimax_discriminator_loss(
                    discriminator([sources, targets], training=True),
                    discriminator([sources, fake], training=True),
                )

            d_loss = self.update("discriminator", discriminator_loss)

        def generator_loss():
            images = generator(sources, training=True)
            l1 = losses.l1(images, targets)
            if self.loss == "l1":
                return l1, l1
            if self.loss == "wgan_gp":
                adversarial = losses.wasserstein_generator_loss(
                    self._patch_score(sources)(images)
                )
            else:
                adversarial = losses.nonsaturating_generator_loss(
                    discriminator([sources, images], training=True)
                )
            return l1 + self.gan_weight * adversarial, l1

        g_loss, l1 = self.update("generator", generator_loss)
        return {"d_loss": d_loss, "g_loss": g_loss, "l1": l1}

    # ------------------------------------------------------------ translation
    def translate(self, sources, batch_size=64):
        """Runs the generator (no dropout) on float sources in [-1, 1].

        Args:
            sources: float32 `[N, S, S, source_channels]` in [-1, 1].
            batch_size: images per forward pass.

        Returns:
            uint8 NumPy array `[N, S, S, target_channels]`.
        """
        sources = np.asarray(sources, dtype="float32")
        check_images(sources, self.input_image_shape, name="sources")
        if batch_size < 1:
            raise ValueError(f"Expected batch_size >= 1. Received: {batch_size}")
        batches = []
        with backend.no_grad():
            for start in range(0, len(sources), batch_size):
                output = self.generator(sources[start : start + batch_size], training=False)
                batches.append(image_utils.to_uint8(ops.convert_to_numpy(output)))
        if not batches:
            return np.zeros((0,) + self.image_shape, dtype="uint8")
        return np.concatenate(batches)

    def colorize(self, images, batch_size=64):
        """Colours line art of any size: uint8 images in, uint8 images out.

        Each image is composited on white if it has alpha, made grey (or
        RGB, as the model takes), resized to the model's size, translated,
        and resized back to its own size; an input alpha channel is put back
        on the output.

        Args:
            images: a uint8 image `[H, W]` or `[H, W, C]` (C: 1 grey, 2 grey +
                alpha, 3 RGB, 4 RGBA), a batch `[N, H, W, C]`, or a list of
                images of different sizes.
            batch_size: images per forward pass.

        Returns:
            The coloured images in the same arrangement: one uint8
            `[H, W, 3]` (4 with alpha), a batch, or a list.

        Example:
        >>> model = kgan.zoo.load("pix2pix_openmoji_64")
        >>> colour = model.colorize(kgan.images.load_image("sketch.png"))
        """
        items, single = image_utils.as_image_list(images)
        channels = self.input_image_shape[-1]
        batch = [image_utils.as_channels(image, channels, i) for i, image in enumerate(items)]
        if not batch:
            return np.zeros((0,) + self.image_shape, dtype="uint8")
        size = self.input_image_shape[:2]
        sources = np.stack([image_utils.resize(source, *size) for source, _ in batch])
        outputs = self.translate(image_utils.to_float(sources), batch_size)
        results = []
        for output, (source, alpha) in zip(outputs, batch):
            output = image_utils.resize(output, *source.shape[:2])
            results.append(output if alpha is None else np.concatenate([output, alpha], -1))
        if single:
            return results[0]
        return np.stack(results) if isinstance(images, np.ndarray) else results

    def generate(self, n, seed=None, batch_size=64):
        raise TypeError(
            "Pix2Pix translates images and draws none from noise: call "
            "colorize(images) (or `kgan colorize PRESET in.png`)."
        )

    generate_from_latents = generate

    def get_config(self):
        config = super().get_config()
        config.pop("latent_distribution")
        config.update(
            loss=self.loss,
            gan_weight=self.gan_weight,
            gradient_penalty_weight=self.gradient_penalty_weight,
        )
        return config
