"""GAN-CLS (ConditionalGAN): builders, the matching-aware loss, fit, save, the task API."""

import math

import keras
import numpy as np
import pytest
from keras import ops

import kgan
from kgan.layers.residual import ResidualBottleneckBlock
from kgan.models import ConditionalGAN
from kgan.models import conditional_discriminator
from kgan.models import conditional_generator
from kgan.models import dcgan_generator
from kgan.models import gan_cls_discriminator_loss

TAGS = ["blonde hair", "black hair", "blue eyes", "smile"]


def tiny(**kwargs):
    kwargs.setdefault("seed", 1)
    gan = ConditionalGAN.create(
        16, channels=1, tag_names=TAGS, latent_dim=8, width=8, embedding_dim=8, **kwargs
    )
    gan.compile()
    return gan


def spread(gan, seed=0):
    """Gives the generator's kernels He-scaled values from a seeded NumPy RNG.

    With the N(0, 0.02) initialisation an untrained generator's images are
    nearly constant (uint8 127 or 128 everywhere), whatever the latent or the
    tags: checks that tags or seeds change the image need livelier weights.
    """
    rng = np.random.default_rng(seed)
    for variable in gan.generator.trainable_variables:
        shape = tuple(variable.shape)
        if len(shape) >= 2:
            scale = np.sqrt(2.0 / np.prod(shape[:-1]))
            variable.assign((scale * rng.standard_normal(shape)).astype("float32"))
    return gan


def weights(model):
    return [ops.convert_to_numpy(v.value).copy() for v in model.variables]


def moving_statistics(model):
    return [ops.convert_to_numpy(v.value).copy() for v in model.non_trainable_variables]


def multi_hot(n, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.uniform(size=(n, len(TAGS))) < 0.4).astype("float32")


def numpy_softplus(x):
    return np.log1p(np.exp(x))


# ------------------------------------------------------------------ builders
@pytest.mark.parametrize("size, channels, start", [(16, 1, 4), (28, 1, 7), (64, 3, 4)])
def test_builder_shapes(size, channels, start):
    generator = conditional_generator(size, channels, latent_dim=8, condition_dim=5, width=8,
                                      embedding_dim=8)
    discriminator = conditional_discriminator(size, channels, condition_dim=5, width=8,
                                              embedding_dim=8)
    assert [tuple(i.shape) for i in generator.inputs] == [(None, 8), (None, 5)]
    assert generator.output_shape == (None, size, size, channels)
    assert [tuple(i.shape) for i in discriminator.inputs] == [
        (None, size, size, channels),
        (None, 5),
    ]
    assert discriminator.output_shape == (None, 1)
    # REFERENCE section 4: the tags are tiled over D's last map (4x4, or 7x7
    # for 7-based sizes) and a conv covering that whole map gives the logit.
    last = discriminator.layers[-2]
    assert isinstance(last, keras.layers.Conv2D) and last.kernel_size == (start, start)
    assert last.padding == "valid"
    tile = discriminator.get_layer("tile_conditions")
    assert tile.output.shape[1:3] == (start, start)
    rng = np.random.default_rng(0)
    conditions = (rng.uniform(size=(2, 5)) < 0.5).astype("float32")
    images = generator.predict_on_batch([rng.standard_normal((2, 8)).astype("float32"), conditions])
    images = ops.convert_to_numpy(images)
    assert images.shape == (2, size, size, channels) and np.abs(images).max() <= 1.0


def test_condition_embeddings_follow_gan_cls():
    # REFERENCE section 4: tags -> Dense(256) + LeakyReLU(0.2), in G and in D.
    for network in (
        conditional_generator(16, 1, latent_dim=8, condition_dim=5, width=8),
        conditional_discriminator(16, 1, condition_dim=5, width=8),
    ):
        dense = network.get_layer("condition_embedding")
        assert dense.kernel.shape == (5, 256)
        following = [l for l in network.layers if isinstance(l, keras.layers.LeakyReLU)]
        assert any(l.input is dense.output for l in following)
        assert all(float(l.negative_slope) == pytest.approx(0.2) for l in following)


@pytest.mark.parametrize("blocks", [0, 1, 2, 3])
def test_residual_blocks_in_the_generator(blocks):
    generator = conditional_generator(32, 3, latent_dim=8, condition_dim=4, width=8,
                                      embedding_dim=8, residual_blocks=blocks)
    residual = [l for l in generator.layers if isinstance(l, ResidualBottleneckBlock)]
    assert len(residual) == blocks
    # One per stage from the lowest resolution: 4x4, 8x8, 16x16.
    assert [int(l.output.shape[1]) for l in residual] == [4, 8, 16][:blocks]


def test_builders_reject_bad_arguments():
    with pytest.raises(ValueError, match="residual_blocks=3"):
        conditional_generator(16, 1, latent_dim=8, condition_dim=4, width=8, residual_blocks=3)
    with pytest.raises(ValueError, match="image_size=30"):
        conditional_discriminator(30, 1, condition_dim=4, width=8)


def test_discriminator_logit_depends_on_the_condition():
    discriminator = conditional_discriminator(16, 1, condition_dim=4, width=8, embedding_dim=8)
    image = np.random.default_rng(0).uniform(-1, 1, (1, 16, 16, 1)).astype("float32")
    images = np.repeat(image, 2, axis=0)
    conditions = np.array([[1, 0, 0, 1], [0, 1, 1, 0]], "float32")
    logits = ops.convert_to_numpy(discriminator([images, conditions], training=False))
    assert logits.shape == (2, 1)
    assert abs(float(logits[0, 0]) - float(logits[1, 0])) > 1e-6


# ---------------------------------------------------------------------- loss
def test_gan_cls_discriminator_loss_against_numpy():
    # REFERENCE section 4: BCE(real, 1) + 0.5 BCE(mismatched, 0) + 0.5 BCE(fake, 0).
    real = np.array([[2.0], [-1.0], [0.3]], "float32")
    mismatched = np.array([[0.5], [-3.0], [1.2]], "float32")
    fake = np.array([[-0.7], [4.0], [0.0]], "float32")
    expected = (
        numpy_softplus(-real).mean()
        + 0.5 * numpy_softplus(mismatched).mean()
        + 0.5 * numpy_softplus(fake).mean()
    )
    value = float(ops.convert_to_numpy(gan_cls_discriminator_loss(real, mismatched, fake)))
    assert value == pytest.approx(float(expected), rel=1e-6)
    zeros = np.zeros((2, 1), "float32")
    assert float(ops.convert_to_numpy(gan_cls_discriminator_loss(zeros, zeros, zeros))) == (
        pytest.approx(2 * math.log(2), rel=1e-6)
    )


class FixedLatentsGAN(ConditionalGAN):
    """Latents from a fixed table, so a test can recompute the step's loss."""

    table = np.random.default_rng(5).standard_normal((8, 8)).astype("float32")

    def sample_latents(self, batch_size):
        return ops.convert_to_tensor(self.table)


def test_the_step_pairs_images_with_rolled_tags_in_separate_batches():
    generator = conditional_generator(16, 1, latent_dim=8, condition_dim=4, width=8,
                                      embedding_dim=8)
    discriminator = conditional_discriminator(16, 1, condition_dim=4, width=8, embedding_dim=8)
    gan = FixedLatentsGAN(generator, discriminator, tag_names=TAGS)
    gan.compile()
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    tags = multi_hot(8)
    logits = lambda x, t: ops.convert_to_numpy(  # noqa: E731
        discriminator([x, t], training=True)
    )
    fake = ops.convert_to_numpy(generator([FixedLatentsGAN.table, tags], training=True))
    # Three separate batches through D: real, real with the tags rolled by
    # one (another sample's tags), fake.
    expected = (
        numpy_softplus(-logits(images, tags)).mean()
        + 0.5 * numpy_softplus(logits(images, np.roll(tags, 1, axis=0))).mean()
        + 0.5 * numpy_softplus(logits(fake, tags)).mean()
    )
    losses = gan.gan_step(ops.convert_to_tensor(images), ops.convert_to_tensor(tags))
    assert float(ops.convert_to_numpy(losses["d_loss"])) == pytest.approx(
        float(expected), rel=1e-4
    )


# ----------------------------------------------------------------------- fit
@pytest.mark.parametrize(
    "conditions, interpolate",
    [
        ("multi-hot", False),
        ("multi-hot", True),
        ("labels", False),
        ("label column", False),
    ],
)
def test_fit_trains_both_networks(conditions, interpolate, tiny_images):
    labels = np.arange(32) % len(TAGS)
    y = {
        "multi-hot": multi_hot(32),
        "labels": labels.astype("int64"),
        "label column": labels.astype("int32")[:, None],
    }[conditions]
    gan = tiny(interpolate=interpolate)
    generator_before, discriminator_before = weights(gan.generator), weights(gan.discriminator)
    g_stats, d_stats = moving_statistics(gan.generator), moving_statistics(gan.discriminator)
    history = gan.fit(tiny_images, y, batch_size=8, epochs=2, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"}
    for values in history.history.values():
        assert len(values) == 2 and np.all(np.isfinite(np.array(values, dtype=float)))
    changed = lambda a, b: any(not np.array_equal(x, y) for x, y in zip(a, b))  # noqa: E731
    assert changed(weights(gan.generator), generator_before)
    assert changed(weights(gan.discriminator), discriminator_before)
    # Both condition embeddings learn.
    pairs = ((gan.generator, generator_before), (gan.discriminator, discriminator_before))
    for network, before in pairs:
        kernel = network.get_layer("condition_embedding").kernel
        index = [id(v) for v in network.variables].index(id(kernel))
        assert not np.array_equal(ops.convert_to_numpy(kernel.value), before[index])
    assert all(not np.array_equal(a, b) for a, b in zip(moving_statistics(gan.generator), g_stats))
    assert all(
        not np.array_equal(a, b) for a, b in zip(moving_statistics(gan.discriminator), d_stats)
    )
    assert int(ops.convert_to_numpy(gan.optimizer.iterations.value)) == 8


def test_integer_labels_are_one_hot():
    gan = spread(tiny())
    labels = np.array([2, 0, 3])
    one_hot = np.eye(4, dtype="float32")[labels]
    for labels_ in (labels, labels[:, None], labels.astype("int32")):
        np.testing.assert_array_equal(ops.convert_to_numpy(gan.as_conditions(labels_)), one_hot)
    np.testing.assert_array_equal(
        gan.generate(3, seed=2, conditions=labels),
        gan.generate(3, seed=2, tags=[[TAGS[i]] for i in labels]),
    )


@pytest.mark.parametrize(
    "conditions, message",
    [
        (None, "conditions.*Received: None"),
        (np.zeros((32, 3), "float32"), r"\(batch, 4\).*conditions.shape=\(32, 3\)"),
        (np.zeros((32, 2, 4), "float32"), r"\(batch, 4\).*conditions.shape=\(32, 2, 4\)"),
        (np.full((32,), 4), r"labels in \[0, 4\).*values in \[4, 4\]"),
        (np.full((32,), 1.5), r"labels in \[0, 4\)"),
    ],
)
def test_bad_conditions_fail_before_any_step(conditions, message, tiny_images):
    gan = tiny()
    before = weights(gan)
    with pytest.raises(ValueError, match=message):
        gan.fit(tiny_images, conditions, batch_size=8, verbose=0)
    for a, b in zip(weights(gan), before):
        np.testing.assert_array_equal(a, b)


def test_constructor_checks_networks_and_tag_names():
    generator = conditional_generator(16, 1, latent_dim=8, condition_dim=4, width=8,
                                      embedding_dim=8)
    discriminator = conditional_discriminator(16, 1, condition_dim=4, width=8, embedding_dim=8)
    with pytest.raises(ValueError, match="4 tag_names.*3 names"):
        ConditionalGAN(generator, discriminator, tag_names=TAGS[:3])
    with pytest.raises(ValueError, match="duplicates"):
        ConditionalGAN(generator, discriminator, tag_names=["a", "b", "a", "c"])
    with pytest.raises(ValueError, match="two inputs"):
        ConditionalGAN(dcgan_generator(16, 1, latent_dim=8, width=8), discriminator)
    other = conditional_discriminator(16, 1, condition_dim=5, width=8, embedding_dim=8)
    with pytest.raises(ValueError, match="same condition width"):
        ConditionalGAN(generator, other)
    with pytest.raises(ValueError, match="tag_names"):
        ConditionalGAN.create(16, 1, tag_names=None)


# --------------------------------------------------------------- save / load
def test_save_load_keeps_tags_images_and_training(tiny_images, tmp_path):
    gan = spread(tiny(interpolate=True, interpolation_weight=0.5))
    tags = multi_hot(32)
    gan.fit(tiny_images, tags, batch_size=8, epochs=1, shuffle=False, verbose=0)
    path = tmp_path / "cls.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is ConditionalGAN
    assert loaded.tag_names == tuple(TAGS) and loaded.condition_dim == 4
    assert loaded.interpolate and loaded.interpolation_weight == 0.5
    assert loaded.latent_distribution == "normal"
    np.testing.assert_array_equal(
        loaded.generate(6, seed=3, tags=["smile", "blue eyes"]),
        gan.generate(6, seed=3, tags=["smile", "blue eyes"]),
    )
    # Same weights, optimizer state and noise state: training continues alike.
    gan.fit(tiny_images, tags, batch_size=8, epochs=1, shuffle=False, verbose=0)
    loaded.fit(tiny_images, tags, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(weights(loaded), weights(gan)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_config_round_trip():
    gan = tiny(interpolate=True)
    config = gan.get_config()
    assert config["tag_names"] == TAGS and config["interpolate"] is True
    clone = ConditionalGAN.from_config(config)
    assert clone.tag_names == tuple(TAGS) and clone.interpolation_weight == 1.0
    assert clone.latent_dim == 8 and clone.image_shape == (16, 16, 1)


# ------------------------------------------------------------------ task API
def test_generate_is_reproducible_and_follows_the_tags():
    gan = spread(tiny())
    images = gan.generate(5, seed=3, batch_size=2, tags=["blonde hair", "smile"])
    assert images.shape == (5, 16, 16, 1) and images.dtype == np.uint8
    assert images.std() > 10  # not the near-constant image of an untrained G
    np.testing.assert_array_equal(
        images, gan.generate(5, seed=3, tags=["smile", "blonde hair"])
    )
    np.testing.assert_array_equal(images[:2], gan.generate(2, 3, 64, tags=["smile", "blonde hair"]))
    assert not np.array_equal(images, gan.generate(5, seed=4, tags=["blonde hair", "smile"]))
    assert not np.array_equal(images, gan.generate(5, seed=3, tags=["black hair"]))
    # One tag list per image, and raw conditions, give the same images.
    per_image = gan.generate(5, seed=3, tags=[["blonde hair", "smile"]] * 5)
    np.testing.assert_array_equal(images, per_image)
    conditions = np.tile(gan.encode_tags(["blonde hair", "smile"]), (5, 1))
    np.testing.assert_array_equal(images, gan.generate(5, seed=3, conditions=conditions))
    assert gan.generate(0, seed=1, tags=[]).shape == (0, 16, 16, 1)


def test_latents_are_numpy_pcg64_normal():
    gan = tiny()
    expected = np.random.Generator(np.random.PCG64(11)).standard_normal((3, 8))
    np.testing.assert_allclose(gan.latents(3, seed=11), expected, rtol=1e-6)


def test_encode_tags():
    gan = tiny()
    np.testing.assert_array_equal(
        gan.encode_tags(["smile", "blonde hair"]), np.array([1, 0, 0, 1], "float32")
    )
    # Mutually exclusive tags are allowed, as in the demo.
    np.testing.assert_array_equal(
        gan.encode_tags(["blonde hair", "black hair"]), np.array([1, 1, 0, 0], "float32")
    )
    assert gan.encode_tags([]).dtype == np.float32
    with pytest.raises(ValueError, match=r"Unknown tag 'blonde hiar'.*\['blonde hair'"):
        gan.encode_tags(["blonde hiar"])
    with pytest.raises(ValueError, match="Unknown tag 'zzz'.*Valid tags"):
        gan.encode_tags(["zzz"])


def test_vary_tags_keeps_the_face():
    gan = spread(tiny())
    tag_sets = [["blonde hair"], ["black hair", "smile"], ["blonde hair"]]
    images = gan.vary_tags(7, tag_sets)
    assert images.shape == (3, 16, 16, 1)
    np.testing.assert_array_equal(images[0], images[2])
    assert not np.array_equal(images[0], images[1])
    np.testing.assert_array_equal(images[1:2], gan.generate(1, seed=7, tags=tag_sets[1]))


def test_morph_goes_from_tags_a_to_tags_b():
    gan = spread(tiny())
    frames = gan.morph(4, ["black hair"], ["blonde hair", "smile"], steps=5)
    assert frames.shape == (5, 16, 16, 1)
    np.testing.assert_array_equal(frames[:1], gan.generate(1, seed=4, tags=["black hair"]))
    np.testing.assert_array_equal(
        frames[-1:], gan.generate(1, seed=4, tags=["blonde hair", "smile"])
    )
    with pytest.raises(ValueError, match="steps >= 2"):
        gan.morph(4, [], [], steps=1)


def test_blend_is_a_weighted_mean_of_latents():
    gan = spread(tiny())
    tags = ["blue eyes"]
    blended = gan.blend([3, 9], [1.0, 0.0], tags)
    assert blended.shape == (1, 16, 16, 1) and blended.dtype == np.uint8
    np.testing.assert_array_equal(blended, gan.generate(1, seed=3, tags=tags))
    # Weights are normalised: [2, 2] is the midpoint of the two latents.
    midpoint = 0.5 * (gan.latents(1, 3) + gan.latents(1, 9))
    np.testing.assert_array_equal(
        gan.blend([3, 9], [2.0, 2.0], tags),
        gan.generate_from_latents(midpoint, conditions=gan.encode_tags(tags)[None]),
    )
    with pytest.raises(ValueError, match="one weight per seed"):
        gan.blend([3, 9], [1.0], tags)
    with pytest.raises(ValueError, match="non-negative"):
        gan.blend([3, 9], [1.0, -0.5], tags)
    with pytest.raises(ValueError, match="positive sum"):
        gan.blend([3, 9], [0.0, 0.0], tags)


def test_generate_rejects_missing_or_bad_conditions():
    gan = tiny()
    with pytest.raises(ValueError, match="pass `tags=`.*'blonde hair'"):
        gan.generate(2, seed=1)
    with pytest.raises(ValueError, match="either `tags` or `conditions`"):
        gan.generate(2, seed=1, tags=["smile"], conditions=np.zeros((2, 4)))
    with pytest.raises(ValueError, match="2 lists. Received: 3"):
        gan.generate(2, seed=1, tags=[["smile"], [], ["smile"]])
    with pytest.raises(ValueError, match=r"\(batch, 4\).*conditions.shape=\(2, 5\)"):
        gan.generate(2, seed=1, conditions=np.zeros((2, 5)))
    with pytest.raises(ValueError, match="n=2 images. Received: 3 rows"):
        gan.generate(2, seed=1, conditions=np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"latents of shape \(n, 8\)"):
        gan.generate_from_latents(np.zeros((2, 5)), conditions=np.zeros((2, 4)))


def test_exported_from_kgan_models():
    assert kgan.models.ConditionalGAN is ConditionalGAN


def test_sample_grid_shows_given_conditions(tiny_images, tmp_path):
    import kgan
    from PIL import Image

    gan = tiny()
    grid = kgan.callbacks.SampleGrid(tmp_path, n=4, conditions=np.arange(4))
    gan.fit(tiny_images, np.arange(32) % 4, batch_size=8, epochs=1, verbose=0, callbacks=[grid])
    written = np.asarray(kgan.images.make_grid(gan.generate(4, seed=0, conditions=np.arange(4))))
    np.testing.assert_array_equal(np.asarray(Image.open(grid.last_path)), written.squeeze())


# --------------------------------------------------------- grouped vocabulary
GROUPED = ["hair:blonde", "hair:black", "hair:red", "eyes:blue", "eyes:green", "glasses:none", "glasses:round"]


def grouped(**kwargs):
    return spread(
        ConditionalGAN.create(
            16, channels=1, tag_names=GROUPED, latent_dim=8, width=8, embedding_dim=8, **kwargs
        )
    )


def test_tag_groups_come_from_group_value_names():
    assert grouped().tag_groups == {"hair": [0, 1, 2], "eyes": [3, 4], "glasses": [5, 6]}
    assert tiny().tag_groups is None


def test_short_tag_names_and_their_errors():
    gan = grouped()
    np.testing.assert_array_equal(gan.encode_tags(["red", "eyes:green"]), gan.encode_tags(["hair:red", "eyes:green"]))
    with pytest.raises(ValueError, match="glasses:round"):
        gan.encode_tags(["glasses"])  # a group, not a tag: the group's tags are suggested
    with pytest.raises(ValueError, match="hair:blonde"):
        gan.encode_tags(["blond"])


def test_complete_tags_fills_every_left_out_group_from_the_seed():
    gan = grouped(tag_frequencies=[1, 0, 0, 1, 1, 0, 1])
    given = np.zeros((50, 7), "float32")
    given[:25, 4] = 1.0  # eyes:green for half the rows
    done = gan.complete_tags(given, seed=5)
    for columns in gan.tag_groups.values():
        np.testing.assert_array_equal(done[:, columns].sum(1), 1.0)
    np.testing.assert_array_equal(done[:25, 4], 1.0)  # given tags are kept
    np.testing.assert_array_equal(done[:, [1, 2, 5]], 0.0)  # frequency 0: never drawn
    np.testing.assert_array_equal(done, gan.complete_tags(given, seed=5))
    # Giving a tag does not move the draws of the other groups.
    plain = gan.complete_tags(np.zeros((50, 7)), seed=5)
    np.testing.assert_array_equal(done[:, [0, 1, 2, 5, 6]], plain[:, [0, 1, 2, 5, 6]])
    assert 5 < plain[:, 4].sum() < 45  # eyes drawn from both tags
    # An ungrouped vocabulary is left alone.
    np.testing.assert_array_equal(tiny().complete_tags(np.zeros((2, 4))), np.zeros((2, 4)))


def test_grouped_faces_keep_their_other_attributes():
    gan = grouped()
    faces = gan.vary_tags(3, [["blonde"], ["black"]])
    # Both faces get the same drawn eyes and glasses: generate them explicitly.
    drawn = gan.complete_tags(gan.encode_tags(["blonde"]), seed=3)[0]
    eyes_and_glasses = [GROUPED[i] for i in np.flatnonzero(drawn) if i > 2]
    np.testing.assert_array_equal(faces[0], gan.generate(1, seed=3, tags=["hair:blonde"] + eyes_and_glasses)[0])
    np.testing.assert_array_equal(faces[1], gan.generate(1, seed=3, tags=["hair:black"] + eyes_and_glasses)[0])
    np.testing.assert_array_equal(faces[0], gan.generate(1, seed=3, tags=["blonde"])[0])


def test_tag_frequencies_are_checked_and_saved():
    with pytest.raises(ValueError, match="7 non-negative"):
        grouped(tag_frequencies=[1, 2])
    gan = grouped(tag_frequencies=[1, 0, 0, 1, 1, 0, 1])
    clone = ConditionalGAN.from_config(gan.get_config())
    np.testing.assert_array_equal(clone.tag_frequencies, gan.tag_frequencies)
    assert ConditionalGAN.from_config(grouped().get_config()).tag_frequencies is None


def test_augment_is_applied_to_what_d_sees_and_saved(tmp_path):
    gan = tiny(augment="translation,cutout")
    assert gan.augment == "translation,cutout"
    images = ops.ones((4, 16, 16, 1))
    tags = ops.convert_to_tensor(multi_hot(4))
    # Cutout zeroes a square: D sees other images than with no augmentation.
    plain = tiny()
    plain.set_weights(gan.get_weights())
    assert not np.allclose(
        ops.convert_to_numpy(gan.discriminate(images, tags)),
        ops.convert_to_numpy(plain.discriminate(images, tags)),
    )
    gan.save(tmp_path / "a.keras")
    assert keras.models.load_model(tmp_path / "a.keras").augment == "translation,cutout"
    with pytest.raises(ValueError, match="rotate"):
        tiny(augment="rotate")


def test_mode_seeking_term_is_in_the_generator_loss():
    # An untrained G draws nearly the same image for any latent (see `spread`):
    # the mode-seeking term 1 / (mean|G(z1) - G(z2)| / mean|z1 - z2|) is then
    # large, and it is all that separates the two G losses of the first step.
    images, tags = np.zeros((8, 16, 16, 1), "float32"), multi_hot(8)
    g_loss = {}
    for weight in (0.0, 1.0):
        gan = tiny(mode_seeking=weight)
        history = gan.fit(images, tags, batch_size=8, epochs=1, shuffle=False, verbose=0)
        g_loss[weight] = history.history["g_loss"][0]
    assert g_loss[0.0] < 5.0 and g_loss[1.0] - g_loss[0.0] > 10.0
    assert ConditionalGAN.from_config(tiny(mode_seeking=2.0).get_config()).mode_seeking == 2.0
    with pytest.raises(ValueError, match="mode_seeking >= 0"):
        tiny(mode_seeking=-1.0)


def test_auxiliary_classifier_head_trains_on_real_tags():
    gan = tiny(auxiliary_weight=1.0)
    assert [tuple(o.shape) for o in gan.discriminator.outputs] == [(None, 1), (None, len(TAGS))]
    images, tags = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)), multi_hot(8)
    images = images.astype("float32")
    head = gan.discriminator.get_layer("tag_logits")
    before = ops.convert_to_numpy(head.kernel).copy()
    history = gan.fit(images, tags, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert not np.allclose(ops.convert_to_numpy(head.kernel), before)
    # The classifier's loss (about T * log 2 untrained) is in both losses.
    plain = tiny()
    plain_history = plain.fit(images, tags, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for name in ("d_loss", "g_loss"):
        added = history.history[name][0] - plain_history.history[name][0]
        assert added == pytest.approx(len(TAGS) * np.log(2), rel=0.3), name
    config = gan.get_config()
    assert ConditionalGAN.from_config(config).auxiliary_weight == 1.0
    with pytest.raises(ValueError, match="two outputs"):
        ConditionalGAN(gan.generator, plain.discriminator, auxiliary_weight=1.0)
    with pytest.raises(ValueError, match="auxiliary_weight"):
        ConditionalGAN(gan.generator, gan.discriminator)
