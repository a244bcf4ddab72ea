"""GAN-CLS (Reed et al. 2016): the tag-conditioned GAN of Girl Friend Factory."""

import difflib

import keras
import numpy as np
from keras import layers
from keras import ops

from kgan import augment as augmentation
from kgan import losses
from kgan.layers.conv import Conv2D
from kgan.layers.conv import Conv2DTranspose
from kgan.layers.residual import ResidualBottleneckBlock
from kgan.models.dcgan import _batch_norm
from kgan.models.dcgan import _init
from kgan.models.dcgan import _plan
from kgan.models.gan import GAN
from kgan.validation import check_conditions as check_condition_width


def conditional_generator(
    image_size=64,
    channels=3,
    latent_dim=100,
    condition_dim=64,
    width=64,
    embedding_dim=256,
    residual_blocks=2,
    init_stddev=0.02,
    name="generator",
):
    """The GAN-CLS generator: embedded tags joined to z, a DCGAN up path.

    Conditions go through Dense(embedding_dim) + LeakyReLU(0.2) and are
    concatenated to z (REFERENCE section 4). Then, as in `dcgan_generator`:
    a dense layer to a `start x start` map (4x4, or 7x7 for 28 px), BN, ReLU,
    stride-2 deconvolutions with BN + ReLU, a last deconvolution to
    `channels` and tanh. A `ResidualBottleneckBlock` (Girl Friend Factory)
    follows each of the `residual_blocks` lowest-resolution stages.

    Args:
        image_size: output height and width, `4 * 2**k` or `7 * 2**k`.
        channels: 1 (grey) or 3 (RGB).
        latent_dim: size of z.
        condition_dim: size of the condition vector (number of tags).
        width: channels of the last hidden layer; they double going down.
        embedding_dim: size of the condition embedding (256 in GAN-CLS).
        residual_blocks: number of residual bottleneck blocks, one after each
            stage starting at the lowest resolution; at most the number of
            hidden stages (`log2(image_size / start)`).
        init_stddev: weights ~ N(0, init_stddev).
        name: the model's name.

    Returns:
        A functional `keras.Model` from `[latents [N, latent_dim], conditions
        [N, condition_dim]]` to images `[N, image_size, image_size, channels]`
        in [-1, 1].

    Example:
    >>> g = conditional_generator(64, 3, latent_dim=100, condition_dim=64)
    >>> g.output_shape
    (None, 64, 64, 3)
    """
    start, n_up = _plan(image_size)
    residual_blocks = int(residual_blocks)
    if not 0 <= residual_blocks <= n_up:
        raise ValueError(
            f"Expected 0 <= residual_blocks <= {n_up} (one per hidden stage of a "
            f"{image_size} px generator). Received: residual_blocks={residual_blocks}"
        )
    kernel = _init(init_stddev)
    z = keras.Input((latent_dim,), name="latents")
    conditions = keras.Input((condition_dim,), name="conditions")
    embedded = layers.Dense(embedding_dim, kernel_initializer=kernel, name="condition_embedding")(
        conditions
    )
    embedded = layers.LeakyReLU(0.2)(embedded)
    x = layers.Concatenate()([z, embedded])
    filters = width * 2 ** (n_up - 1)
    x = layers.Dense(start * start * filters, use_bias=False, kernel_initializer=kernel)(x)
    x = layers.Reshape((start, start, filters))(x)
    x = _batch_norm(init_stddev)(x)
    x = layers.ReLU()(x)
    for stage in range(n_up):
        if stage < residual_blocks:
            x = ResidualBottleneckBlock(filters, name=f"residual_{stage}")(x)
        if stage == n_up - 1:
            break
        filters //= 2
        x = Conv2DTranspose(
            filters, 4, strides=2, padding="same", use_bias=False, kernel_initializer=kernel
        )(x)
        x = _batch_norm(init_stddev)(x)
        x = layers.ReLU()(x)
    x = Conv2DTranspose(channels, 4, strides=2, padding="same", kernel_initializer=kernel)(x)
    images = layers.Activation("tanh", dtype="float32")(x)
    return keras.Model([z, conditions], images, name=name)


def conditional_discriminator(
    image_size=64,
    channels=3,
    condition_dim=64,
    width=64,
    embedding_dim=256,
    init_stddev=0.02,
    name="discriminator",
    auxiliary_classifier=False,
):
    """The GAN-CLS discriminator: DCGAN convolutions, tags tiled over the last map.

    Stride-2 convolutions (k4) with BN from the second and LeakyReLU(0.2)
    down to a 4x4 map (7x7 for 28 px). The conditions go through
    Dense(embedding_dim) + LeakyReLU(0.2), are tiled over that map and
    concatenated; then a 1x1 convolution, BN, LeakyReLU and a convolution
    covering the whole map (valid padding) give one logit (REFERENCE
    section 4).

    Args:
        image_size: input height and width, `4 * 2**k` or `7 * 2**k`.
        channels: 1 or 3.
        condition_dim: size of the condition vector.
        width: channels of the first conv; they double going down.
        embedding_dim: size of the condition embedding (256 in GAN-CLS).
        init_stddev: weights ~ N(0, init_stddev).
        name: the model's name.
        auxiliary_classifier: also output tag logits `[N, condition_dim]`
            read from the image features alone (a dense layer on the last
            map, before the conditions join): AC-GAN's classifier head.

    Returns:
        A functional `keras.Model` from `[images, conditions]` to logits
        `[N, 1]` (and the tag logits with `auxiliary_classifier`).

    Example:
    >>> d = conditional_discriminator(28, 1, condition_dim=10, width=8)
    >>> d.output_shape
    (None, 1)
    """
    start, n_down = _plan(image_size)
    kernel = _init(init_stddev)
    images = keras.Input((image_size, image_size, channels), name="images")
    conditions = keras.Input((condition_dim,), name="conditions")
    x = images
    filters = width
    for i in range(n_down):
        x = Conv2D(
            filters, 4, strides=2, padding="same", use_bias=i == 0, kernel_initializer=kernel
        )(x)
        if i > 0:
            x = _batch_norm(init_stddev)(x)
        x = layers.LeakyReLU(0.2)(x)
        filters *= 2
    filters //= 2  # channels of the last map
    features = x
    embedded = layers.Dense(embedding_dim, kernel_initializer=kernel, name="condition_embedding")(
        conditions
    )
    embedded = layers.LeakyReLU(0.2)(embedded)
    embedded = layers.Reshape((1, 1, embedding_dim))(embedded)
    tiled = layers.UpSampling2D(size=(start, start), name="tile_conditions")(embedded)
    x = layers.Concatenate()([x, tiled])
    x = Conv2D(filters, 1, use_bias=False, kernel_initializer=kernel)(x)
    x = _batch_norm(init_stddev)(x)
    x = layers.LeakyReLU(0.2)(x)
    x = Conv2D(1, start, padding="valid", kernel_initializer=kernel, dtype="float32")(x)
    logits = layers.Flatten(dtype="float32")(x)
    if auxiliary_classifier:
        tag_logits = layers.Dense(
            condition_dim, kernel_initializer=kernel, dtype="float32", name="tag_logits"
        )(layers.Flatten()(features))
        return keras.Model([images, conditions], [logits, tag_logits], name=name)
    return keras.Model([images, conditions], logits, name=name)


def gan_cls_discriminator_loss(real_logits, mismatched_logits, fake_logits):
    """The GAN-CLS discriminator loss (matching-aware, REFERENCE section 4).

    Args:
        real_logits: D's logits on real images with their own conditions.
        mismatched_logits: D's logits on real images with another sample's
            conditions.
        fake_logits: D's logits on generated images with the conditions
            they were generated from.

    Returns:
        Scalar float32 `BCE(real, 1) + 0.5 * BCE(mismatched, 0) +
        0.5 * BCE(fake, 0)`, each a batch mean.

    Example:
    >>> zeros = ops.zeros((2, 1))
    >>> float(gan_cls_discriminator_loss(zeros, zeros, zeros))
    1.386...
    """
    real = ops.mean(ops.softplus(-ops.cast(real_logits, "float32")))
    mismatched = ops.mean(ops.softplus(ops.cast(mismatched_logits, "float32")))
    fake = ops.mean(ops.softplus(ops.cast(fake_logits, "float32")))
    return real + 0.5 * mismatched + 0.5 * fake


def _is_tag_list(tags):
    return isinstance(tags, (list, tuple)) and all(isinstance(t, str) for t in tags)


@keras.saving.register_keras_serializable(package="kgan")
class ConditionalGAN(GAN):
    """GAN-CLS: a tag-conditioned DCGAN with a matching-aware discriminator.

    The method of Girl Friend Factory (REFERENCE sections 1 and 4). D learns
    to accept real images with their own tags and to reject both generated
    images and real images paired with another sample's tags (the
    "mismatched" pairs: the batch's conditions rolled by one, so a pair
    whose neighbour has the same tags is a matching pair labelled 0, rare
    with many tags, frequent with few classes):

    - D loss: `BCE(D(x, t), 1) + 0.5 * BCE(D(x, roll(t)), 0) +
      0.5 * BCE(D(G(z, t), t), 0)`, real, mismatched and fake as three
      separate batches through D (BatchNorm statistics).
    - G loss (non-saturating): `BCE(D(G(z, t), t), 1)`; with
      `interpolate=True` (GAN-INT) plus `interpolation_weight *
      BCE(D(G(z, t_int), t_int), 1)` with `t_int = (t + roll(t)) / 2`,
      one more fake batch; weight 1 as in Reed et al. (beta = 0.5).

    z ~ N(0, 1) as in the demo. Conditions are multi-hot tag vectors or
    one-hot classes `[N, condition_dim]`; integer class labels `[N]` or
    `[N, 1]` are turned into one-hot vectors (in the step, by shape, so the
    same data works on every backend). `condition_dim` comes from the
    networks; `tag_names` names its entries, so a saved model or preset
    knows its vocabulary. `generate(n, seed, tags=[...])`, `vary_tags`,
    `morph` and `blend` use NumPy PCG64 latents: a seed and a tag list give
    the same face on every backend.

    Tag names of the form `"group:value"` (`"hair_color:blonde"`) make a
    grouped vocabulary of single-choice groups, as in the avatars. Then a
    tag may be named by its value alone when that is unique (`"blonde"`),
    and every group a tag list leaves out gets a tag drawn from the seed
    (`complete_tags`), so the generator sees the one-tag-per-group vectors
    it was trained on and a face is still identified by its seed and tags.

    Args:
        generator: a model from `[latents, conditions]` to images, e.g.
            `conditional_generator(...)`.
        discriminator: a model from `[images, conditions]` to logits
            `[N, 1]`, e.g. `conditional_discriminator(...)`.
        tag_names: list of `condition_dim` unique strings naming the
            condition entries (tags or classes), or None.
        interpolate: add the GAN-INT generator term.
        interpolation_weight: weight of the GAN-INT term.
        latent_distribution: `"normal"` (default) or `"uniform"`.
        seed: seed of the training noise.
        tag_frequencies: for a grouped vocabulary (see `tag_groups`), how
            often each tag occurs in the training data; `complete_tags`
            draws the groups a user leaves out from them (None: uniformly).
        augment: differentiable augmentation of every image D sees (real,
            mismatched and generated), e.g. `"color,translation,cutout"`
            (DiffAugment, `kgan.augment`); it keeps D from overpowering G.
        mode_seeking: weight of the mode-seeking term of MSGAN (Mao et al.
            2019, `kgan.losses.mode_seeking_loss`) in G's loss: two latents
            with the same tags must give different images. A conditional G
            otherwise tends to ignore z and draw one face per tag set. 0: off.
        **kwargs: passed to `keras.Model`.

    Example:
    >>> gan = ConditionalGAN.create(64, 3, tag_names=["blonde hair", "smile"])
    >>> gan.compile()
    >>> gan.fit(images, tags, batch_size=64, epochs=1)
    >>> gan.generate(4, seed=7, tags=["blonde hair"]).shape
    (4, 64, 64, 3)
    """

    def __init__(
        self,
        generator,
        discriminator,
        tag_names=None,
        interpolate=False,
        interpolation_weight=1.0,
        latent_distribution="normal",
        seed=None,
        tag_frequencies=None,
        augment=None,
        mode_seeking=0.0,
        auxiliary_weight=0.0,
        **kwargs,
    ):
        expected_inputs = (
            (generator, "latents, conditions"),
            (discriminator, "images, conditions"),
        )
        for network, what in expected_inputs:
            if len(network.inputs) != 2:
                raise ValueError(
                    f"Expected the {network.name} to take two inputs ({what}). "
                    f"Received: {len(network.inputs)} input(s)."
                )
        g_width = int(generator.inputs[1].shape[-1])
        d_width = int(discriminator.inputs[1].shape[-1])
        if g_width != d_width:
            raise ValueError(
                "Expected generator and discriminator with the same condition "
                f"width. Received: {g_width} (generator) and {d_width} (discriminator)."
            )
        if tag_names is not None:
            tag_names = list(tag_names)
            if not all(isinstance(t, str) for t in tag_names):
                raise ValueError(f"Expected `tag_names` as strings. Received: {tag_names!r}")
            if len(tag_names) != g_width:
                raise ValueError(
                    f"Expected {g_width} tag_names (the networks' condition width). "
                    f"Received: {len(tag_names)} names."
                )
            duplicates = sorted({t for t in tag_names if tag_names.count(t) > 1})
            if duplicates:
                raise ValueError(f"Expected unique `tag_names`. Received duplicates: {duplicates}")
        if tag_frequencies is not None:
            tag_frequencies = np.asarray(tag_frequencies, dtype="float64")
            if tag_frequencies.shape != (g_width,) or not np.all(tag_frequencies >= 0):
                raise ValueError(
                    f"Expected `tag_frequencies` as {g_width} non-negative numbers. "
                    f"Received: shape {tag_frequencies.shape}."
                )
        super().__init__(
            generator,
            discriminator,
            latent_distribution=latent_distribution,
            seed=seed,
            **kwargs,
        )
        self.tag_names = None if tag_names is None else tuple(tag_names)
        self.interpolate = bool(interpolate)
        self.interpolation_weight = float(interpolation_weight)
        self.tag_frequencies = tag_frequencies
        self.augment = ",".join(augmentation.parse_policy(augment))
        self.mode_seeking = float(mode_seeking)
        if not self.mode_seeking >= 0:
            raise ValueError(f"Expected mode_seeking >= 0. Received: mode_seeking={mode_seeking}")
        self.auxiliary_weight = float(auxiliary_weight)
        outputs = len(discriminator.outputs)
        if not self.auxiliary_weight >= 0 or outputs != (2 if self.auxiliary_weight else 1):
            raise ValueError(
                "Expected auxiliary_weight >= 0, with a discriminator of two outputs (score, "
                "tag logits) when it is > 0 and of one otherwise. Received: "
                f"auxiliary_weight={auxiliary_weight}, {outputs} output(s)."
            )

    @classmethod
    def create(
        cls,
        image_size=64,
        channels=3,
        tag_names=None,
        latent_dim=100,
        width=64,
        embedding_dim=256,
        residual_blocks=2,
        **kwargs,
    ):
        """A ConditionalGAN with the standard networks for a tag vocabulary.

        Args:
            image_size: image height and width (`4 * 2**k` or `7 * 2**k`).
            channels: 1 or 3.
            tag_names: list of tag (or class) names; its length is the
                condition width.
            latent_dim: size of z (100 in Girl Friend Factory).
            width: the networks' base width.
            embedding_dim: size of the condition embeddings.
            residual_blocks: residual bottleneck blocks in G.
            **kwargs: passed to the constructor (`interpolate`, `seed`, ...).

        Returns:
            An uncompiled `ConditionalGAN`.

        Example:
        >>> gan = ConditionalGAN.create(28, 1, tag_names=[str(d) for d in range(10)])
        """
        if tag_names is None or isinstance(tag_names, str) or len(tag_names) == 0:
            raise ValueError(
                f"Expected `tag_names` as a non-empty list of strings. Received: {tag_names!r}"
            )
        condition_dim = len(tag_names)
        return cls(
            conditional_generator(
                image_size,
                channels,
                latent_dim,
                condition_dim,
                width,
                embedding_dim=embedding_dim,
                residual_blocks=residual_blocks,
            ),
            conditional_discriminator(
                image_size,
                channels,
                condition_dim,
                width,
                embedding_dim=embedding_dim,
                auxiliary_classifier=kwargs.get("auxiliary_weight", 0.0) > 0,
            ),
            tag_names=tag_names,
            **kwargs,
        )

    # ----------------------------------------------------------------- shapes
    @property
    def condition_dim(self):
        """Width of the condition vectors."""
        return int(self.generator.inputs[1].shape[-1])

    def call(self, inputs, training=False):
        latents, conditions = inputs
        return self.generator([latents, self.as_conditions(conditions)], training=training)

    # ------------------------------------------------------------- conditions
    def _is_labels(self, shape):
        rank = len(shape)
        return rank == 1 or (rank == 2 and shape[-1] == 1 and self.condition_dim != 1)

    def as_conditions(self, conditions):
        """Float32 conditions `[N, condition_dim]`, labels turned one-hot.

        Integer class labels `[N]` or `[N, 1]` become one-hot vectors; the
        rule looks at the shape only (no value-dependent branch), so it runs
        inside the traced step on every backend.

        Args:
            conditions: `[N, condition_dim]` vectors or labels `[N]`, `[N, 1]`.

        Returns:
            A float32 tensor `[N, condition_dim]`.
        """
        if self._is_labels(tuple(conditions.shape)):
            labels = ops.reshape(ops.cast(conditions, "int32"), (-1,))
            return ops.one_hot(labels, self.condition_dim, dtype="float32")
        return ops.cast(conditions, "float32")

    def check_conditions(self, conditions, name="conditions"):
        """Checks conditions before any step: shape, and labels' range.

        Args:
            conditions: multi-hot or one-hot `[N, condition_dim]`, or integer
                class labels `[N]` / `[N, 1]` in `[0, condition_dim)`.
            name: the argument's name for the message.

        Raises:
            ValueError: conditions missing, of a wrong shape, or labels that
                are not integers in range.
        """
        if conditions is None:
            raise ValueError(
                f"{type(self).__name__} trains on (images, conditions): expected "
                f"`{name}` of shape (batch, {self.condition_dim}) or integer class "
                "labels (batch,). Received: None"
            )
        shape = tuple(int(d) for d in np.shape(conditions))
        if not self._is_labels(shape):
            check_condition_width(conditions, self.condition_dim, name=name)
            return
        labels = np.asarray(conditions, dtype="float64")
        if labels.size == 0:
            return
        integral = np.all(np.isfinite(labels)) and np.all(labels == np.round(labels))
        if not integral or labels.min() < 0 or labels.max() >= self.condition_dim:
            raise ValueError(
                f"Expected `{name}` as integer class labels in [0, {self.condition_dim}) "
                f"(shape {shape}), or vectors of shape (batch, {self.condition_dim}). "
                f"Received: {name}.shape={shape} with values in "
                f"[{labels.min():g}, {labels.max():g}]"
            )

    def encode_tags(self, tags):
        """Turns tag names into a multi-hot float32 vector.

        Mutually exclusive tags (two hair colours) are allowed, as in the
        original demo; the generator decides what they look like.

        Args:
            tags: a list of tag names from `tag_names` (or one name).

        Returns:
            float32 NumPy array `[condition_dim]`.

        Example:
        >>> gan.encode_tags(["blonde hair", "smile"])
        array([1., 0., 1.], dtype=float32)
        """
        if self.tag_names is None:
            raise ValueError(
                "This model has no tag_names: pass `conditions=` (vectors or "
                "class labels) instead of tag names."
            )
        if isinstance(tags, str):
            tags = [tags]
        if not _is_tag_list(tags):
            raise ValueError(f"Expected `tags` as a list of tag names. Received: {tags!r}")
        index = {name: i for i, name in enumerate(self.tag_names)}
        if self.tag_groups is not None:  # "blonde" for "hair_color:blonde" when unique
            values = [name.split(":", 1)[1] for name in self.tag_names]
            index.update(
                {value: i for i, value in enumerate(values) if values.count(value) == 1}
            )
        vector = np.zeros((self.condition_dim,), dtype="float32")
        for tag in tags:
            if tag not in index:
                close = difflib.get_close_matches(tag, list(index), n=5, cutoff=0.5)
                close += [name for name in self.tag_names if name.startswith(tag + ":")]
                hint = (
                    f"Did you mean one of {close}?"
                    if close
                    else f"Valid tags: {sorted(self.tag_names)[:20]}"
                )
                raise ValueError(f"Unknown tag {tag!r}. {hint}")
            vector[index[tag]] = 1.0
        return vector

    @property
    def tag_groups(self):
        """`{group: [tag index, ...]}` when every tag name is `"group:value"`, else None."""
        if self.tag_names is None or not all(":" in name for name in self.tag_names):
            return None
        groups = {}
        for i, name in enumerate(self.tag_names):
            groups.setdefault(name.split(":", 1)[0], []).append(i)
        return groups

    def complete_tags(self, conditions, seed=None):
        """Sets one tag in every group that a row of `conditions` leaves empty.

        For a grouped vocabulary (`tag_groups`), each row draws one tag per
        group from `tag_frequencies` (uniformly without them) with NumPy
        PCG64 seeded by `seed`, and keeps the draw where the row has no tag
        of that group. Every group is drawn whether or not it is given, so
        the tags a user picks never change the draws of the other groups.
        Other vocabularies are returned unchanged.

        Args:
            conditions: `[n, condition_dim]` multi-hot rows.
            seed: int seed (None: fresh randomness).

        Returns:
            float32 NumPy array `[n, condition_dim]`.
        """
        conditions = np.array(conditions, dtype="float32").reshape(-1, self.condition_dim)
        groups = self.tag_groups
        if groups is None:
            return conditions
        frequencies = (
            np.ones(self.condition_dim) if self.tag_frequencies is None else self.tag_frequencies
        )
        rng = np.random.default_rng(None if seed is None else [int(seed), 0x7A6])
        for row in conditions:
            for columns in groups.values():
                weights = frequencies[columns] + 1e-12
                drawn = columns[rng.choice(len(columns), p=weights / weights.sum())]
                if not row[columns].any():
                    row[drawn] = 1.0
        return conditions

    def _conditions_for(self, n, tags, conditions, seed=None):
        """`[n, condition_dim]` float32 from tags or raw conditions."""
        if tags is not None and conditions is not None:
            raise ValueError("Pass either `tags` or `conditions`, not both.")
        if tags is None and conditions is None and self.tag_groups is not None:
            tags = []  # a grouped vocabulary: every group drawn from the seed
        if tags is None and conditions is None:
            examples = f" (e.g. tags={list(self.tag_names[:2])})" if self.tag_names else ""
            raise ValueError(
                f"{type(self).__name__} generates from conditions: pass "
                f"`tags=`{examples}, a list of tag names for all images or one "
                "list per image (tags=[] for none), or `conditions=` of shape "
                f"({n}, {self.condition_dim})."
            )
        if conditions is not None:
            conditions = np.asarray(conditions)
            self.check_conditions(conditions)
            conditions = ops.convert_to_numpy(self.as_conditions(conditions))
            if len(conditions) != n:
                raise ValueError(
                    f"Expected conditions for n={n} images. Received: {len(conditions)} rows."
                )
            return conditions.astype("float32")
        if isinstance(tags, str) or _is_tag_list(tags):
            return self.complete_tags(np.tile(self.encode_tags(tags)[None], (n, 1)), seed)
        if isinstance(tags, (list, tuple)) and all(_is_tag_list(t) for t in tags):
            if len(tags) != n:
                raise ValueError(
                    f"Expected one tag list per image, {n} lists. Received: {len(tags)}."
                )
            return self.complete_tags(np.stack([self.encode_tags(t) for t in tags]), seed)
        raise ValueError(
            "Expected `tags` as a list of tag names, or a list of such lists "
            f"(one per image). Received: {tags!r}"
        )

    # ------------------------------------------------------------------- step
    def gan_step(self, images, conditions=None):
        if conditions is None:
            raise ValueError(
                f"{type(self).__name__} needs conditions: fit it on (images, "
                "conditions) pairs."
            )
        conditions = self.as_conditions(conditions)
        mismatched = ops.roll(conditions, 1, axis=0)
        batch_size = ops.shape(images)[0]
        latents = self.sample_latents(batch_size)
        # A second latent per image for the mode-seeking term.
        other_latents = self.sample_latents(batch_size) if self.mode_seeking else None
        fake = ops.stop_gradient(self.generator([latents, conditions], training=True))
        groups = self.tag_groups

        def scores(images_, conditions_):
            """D's logits, and its tag logits (None without a classifier head)."""
            output = self.discriminate(images_, conditions_)
            return tuple(output) if self.auxiliary_weight else (output, None)

        def discriminator_loss():
            real_logits, real_tag_logits = scores(images, conditions)
            mismatched_logits, _ = scores(images, mismatched)
            fake_logits, _ = scores(fake, conditions)
            loss = gan_cls_discriminator_loss(real_logits, mismatched_logits, fake_logits)
            if self.auxiliary_weight:  # a Python float fixed at construction
                loss = loss + self.auxiliary_weight * losses.tag_classification_loss(
                    conditions, real_tag_logits, groups
                )
            return loss

        def generator_loss_of(conditions_):
            generated = self.generator([latents, conditions_], training=True)
            return losses.nonsaturating_generator_loss(scores(generated, conditions_)[0])

        def generator_loss():
            generated = self.generator([latents, conditions], training=True)
            logits, tag_logits = scores(generated, conditions)
            loss = losses.nonsaturating_generator_loss(logits)
            if self.auxiliary_weight:
                loss = loss + self.auxiliary_weight * losses.tag_classification_loss(
                    conditions, tag_logits, groups
                )
            if self.interpolate:  # a Python bool fixed at construction
                interpolated = 0.5 * (conditions + mismatched)
                loss = loss + self.interpolation_weight * generator_loss_of(interpolated)
            if self.mode_seeking:  # a Python float fixed at construction
                other = self.generator([other_latents, conditions], training=True)
                loss = loss + self.mode_seeking * losses.mode_seeking_loss(
                    generated, other, latents, other_latents
                )
            return loss

        d_loss = self.update("discriminator", discriminator_loss)
        g_loss = self.update("generator", generator_loss)
        return {"d_loss": d_loss, "g_loss": g_loss}

    # --------------------------------------------------------------- generate
    def generate(self, n, seed=None, batch_size=64, *, tags=None, conditions=None):
        """Generates `n` images for tags as uint8 NHWC.

        Latents come from NumPy's PCG64 with `seed`: a seed and a tag list
        give the same face on every backend and machine.

        Args:
            n: number of images.
            seed: int seed (None: fresh randomness).
            batch_size: images per forward pass.
            tags: tag names for all images (`["blonde hair", "smile"]`), or
                one list per image; `[]` for no tag. With a grouped
                vocabulary the groups left out (all of them when `tags` and
                `conditions` are None) are drawn from the seed.
            conditions: instead of `tags`, raw conditions `[n,
                condition_dim]` or integer class labels `[n]`.

        Returns:
            uint8 NumPy array `[n, H, W, C]`.

        Example:
        >>> images = gan.generate(4, seed=7, tags=["blonde hair", "blue eyes"])
        """
        conditions = self._conditions_for(n, tags, conditions, seed)
        return self.generate_from_latents(self.latents(n, seed), batch_size, conditions)

    def generate_from_latents(self, latents, batch_size=64, conditions=None):
        """Runs the generator on given latents and conditions in batches.

        Args:
            latents: `[n, latent_dim]`.
            batch_size: images per forward pass.
            conditions: `[n, condition_dim]` (or class labels `[n]`).

        Returns:
            uint8 NumPy array `[n, H, W, C]`.
        """
        latents = np.asarray(latents, dtype="float32")
        conditions = self._conditions_for(len(latents), None, conditions)
        return super().generate_from_latents(latents, batch_size, conditions=conditions)

    def vary_tags(self, seed, tag_sets, batch_size=64):
        """The same face (one latent) with other attributes, one image per tag set.

        Args:
            seed: int seed of the latent.
            tag_sets: a list of tag-name lists.
            batch_size: images per forward pass.

        Returns:
            uint8 NumPy array `[len(tag_sets), H, W, C]`.

        Example:
        >>> gan.vary_tags(7, [["blonde hair"], ["black hair"], ["black hair", "smile"]])
        """
        tag_sets = list(tag_sets)
        conditions = np.zeros((len(tag_sets), self.condition_dim), dtype="float32")
        for i, tags in enumerate(tag_sets):  # one face: the same draws for left-out groups
            conditions[i] = self.complete_tags(self.encode_tags(tags), seed)[0]
        latents = np.repeat(self.latents(1, seed), len(tag_sets), axis=0)
        return self.generate_from_latents(latents, batch_size, conditions)

    def morph(self, seed, tags_a, tags_b, steps=8, batch_size=64):
        """Morphs one face from tags `a` to tags `b` (conditions interpolated linearly).

        Args:
            seed: int seed of the latent.
            tags_a: tag names at the start.
            tags_b: tag names at the end.
            steps: number of images, >= 2; the first has exactly `tags_a`,
                the last exactly `tags_b`.
            batch_size: images per forward pass.

        Returns:
            uint8 NumPy array `[steps, H, W, C]`.

        Example:
        >>> frames = gan.morph(7, ["black hair"], ["blonde hair", "smile"], steps=8)
        """
        if int(steps) < 2:
            raise ValueError(f"Expected steps >= 2. Received: steps={steps}")
        a, b = (self.complete_tags(self.encode_tags(t), seed)[0] for t in (tags_a, tags_b))
        alphas = np.linspace(0.0, 1.0, int(steps), dtype="float32")[:, None]
        conditions = (1.0 - alphas) * a[None] + alphas * b[None]
        latents = np.repeat(self.latents(1, seed), int(steps), axis=0)
        return self.generate_from_latents(latents, batch_size, conditions)

    def blend(self, seeds, weights, tags):
        """Blends faces: the weighted mean of the seeds' latents, one image.

        Args:
            seeds: list of int seeds.
            weights: one non-negative weight per seed, normalised to sum 1.
            tags: tag names of the blended face.

        Returns:
            uint8 NumPy array `[1, H, W, C]`.

        Example:
        >>> gan.blend([3, 7], [0.7, 0.3], ["blonde hair"])
        """
        seeds, weights = list(seeds), np.asarray(weights, dtype="float64")
        if weights.ndim != 1 or len(seeds) != len(weights) or not seeds:
            raise ValueError(
                "Expected one weight per seed. Received: "
                f"{len(seeds)} seeds and weights of shape {weights.shape}."
            )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(
                "Expected finite non-negative weights with a positive sum. "
                f"Received: weights={weights.tolist()}"
            )
        weights = weights / weights.sum()
        latents = np.stack([self.latents(1, s)[0] for s in seeds]).astype("float64")
        blended = (weights[:, None] * latents).sum(axis=0, keepdims=True)
        # Left-out tag groups: drawn from the seed with the largest weight.
        conditions = self._conditions_for(1, tags, None, seeds[int(np.argmax(weights))])
        return self.generate_from_latents(blended.astype("float32"), 1, conditions)

    # ---------------------------------------------------------- serialization
    def get_config(self):
        return {
            **super().get_config(),
            "tag_names": None if self.tag_names is None else list(self.tag_names),
            "interpolate": self.interpolate,
            "interpolation_weight": self.interpolation_weight,
            "augment": self.augment,
            "mode_seeking": self.mode_seeking,
            "auxiliary_weight": self.auxiliary_weight,
            "tag_frequencies": None
            if self.tag_frequencies is None
            else [float(f) for f in self.tag_frequencies],
        }
