"""ProGAN: level-of-detail networks, the growth schedule, fade-in, EMA, resume."""

import numpy as np
import keras
import pytest
from keras import ops

from kgan.models.progan import ProGAN
from kgan.models.progan import ProGANDiscriminator
from kgan.models.progan import ProGANGenerator
from kgan.models.progan import num_filters

TINY = dict(latent_dim=8, fmap_base=32, fmap_max=8)


def tiny_gan(resolution=8, stable=16, fade=32, seed=0, **kwargs):
    return ProGAN.create(
        resolution, channels=3, stable_images=stable, fade_images=fade, seed=seed,
        **TINY, **kwargs,
    )


def to_numpy(x):
    return ops.convert_to_numpy(x)


def upsample(x):
    return x.repeat(2, axis=1).repeat(2, axis=2)


def images(n=8, size=8, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 3)).astype("float32")


def test_channels_follow_the_official_formula():
    assert [num_filters(s) for s in range(1, 10)] == [512, 512, 512, 512, 256, 128, 64, 32, 16]
    g = ProGANGenerator(32, **TINY)
    assert to_numpy(g(np.zeros((2, 8), "float32"))).shape == (2, 32, 32, 3)
    # 4x4 dense to 4 * 4 * nf(1); ToRGB at 32x32 from nf(4) = min(32 / 16, 8) = 2 channels.
    assert tuple(g.dense.kernel.shape) == (8, 16 * 8)
    assert tuple(g.to_rgb[-1].kernel.shape) == (1, 1, 2, 3)


def test_generator_lod_blends_levels():
    g = ProGANGenerator(8, **TINY)
    z = np.random.default_rng(1).standard_normal((3, 8)).astype("float32")
    low = to_numpy(g(z, resolution=4))
    g.lod.assign(0.0)
    high = to_numpy(g(z))
    g.lod.assign(1.0)
    np.testing.assert_allclose(to_numpy(g(z)), upsample(low), atol=1e-5)
    g.lod.assign(0.25)  # three quarters faded in
    np.testing.assert_allclose(to_numpy(g(z)), high + (upsample(low) - high) * 0.25, atol=1e-5)
    g.lod.assign(7.0)  # beyond the lowest level: clipped
    np.testing.assert_allclose(to_numpy(g(z)), upsample(low), atol=1e-5)


def test_discriminator_reads_every_level():
    d = ProGANDiscriminator(8, fmap_base=32, fmap_max=8)
    x = images(8)
    pooled = x.reshape(8, 4, 2, 4, 2, 3).mean(axis=(2, 4))
    assert to_numpy(d(pooled)).shape == (8, 1)
    d.lod.assign(1.0)  # the 8x8 level is faded out: only the pooled image counts
    np.testing.assert_allclose(to_numpy(d(x)), to_numpy(d(pooled)), rtol=1e-5, atol=1e-5)
    d.lod.assign(0.0)
    assert not np.allclose(to_numpy(d(x)), to_numpy(d(pooled)))


def test_variables_of_a_resolution():
    gan = tiny_gan(16)
    # 4x4: dense, conv and ToRGB (kernel + bias each).
    assert len(gan.generator.variables_for(4)) == 6
    assert len(gan.generator.variables_for(16)) == 6 + 2 * 6
    assert len(gan.discriminator.variables_for(4)) == 8
    assert len(gan.discriminator.variables_for(16)) == len(gan.discriminator.trainable_variables)


def test_schedule():
    gan = tiny_gan(16, stable=50, fade=100)
    assert [gan.fade_start(r) for r in (4, 8, 16)] == [0, 50, 200]
    assert [gan.resolution_at(n) for n in (0, 49, 50, 199, 200, 10**6)] == [4, 4, 8, 8, 16, 16]
    assert float(to_numpy(gan.lod_at(10, 4))) == 2.0
    assert [float(to_numpy(gan.lod_at(n, 8))) for n in (50, 100, 150, 199)] == [2.0, 1.5, 1.0, 1.0]
    assert float(to_numpy(gan.lod_at(250, 16))) == 0.5


def test_fit_grows_fades_and_resets_the_optimizers():
    gan = tiny_gan(8, stable=16, fade=32)
    gan.compile()
    pairs = [(a, w) for a, w in zip(gan.generator_ema.weights, gan.generator.weights) if w.trainable]
    start = [to_numpy(w) for _, w in pairs]
    gan.fit(images(8), batch_size=8, epochs=1, verbose=0)
    # One step: the generator average moved by (1 - beta) of the step.
    assert not np.allclose(to_numpy(pairs[0][1]), start[0])
    for (average, after), before in zip(pairs, start):
        expected = to_numpy(after) + (before - to_numpy(after)) * 0.999
        np.testing.assert_allclose(to_numpy(average), expected, rtol=1e-5, atol=1e-6)
    gan.fit(images(8), batch_size=8, epochs=3, verbose=0)
    # Steps at 4x4 (images 0, 8), then 8x8 (16, 24): the last one at alpha 8/32.
    assert gan.stage_resolution == 8
    assert int(to_numpy(gan.images_seen)) == 32
    for network in (gan.generator, gan.discriminator, gan.generator_ema):
        assert float(to_numpy(network.lod)) == pytest.approx(0.75)
    # The optimizers restarted at 8x8: two updates since.
    for optimizer in gan._optimizer_for.values():
        assert int(to_numpy(optimizer.iterations)) == 2
    assert int(to_numpy(gan.optimizer.iterations)) == 4


def test_resume_in_the_middle_of_a_fade_in(tmp_path):
    data = images(8)

    def run(epochs, gan=None, initial_epoch=0):
        if gan is None:
            keras.utils.set_random_seed(3)  # the same initial weights
            gan = tiny_gan(8, stable=16, fade=32, seed=3)
        if not gan.compiled:
            gan.compile()
        gan.fit(data, batch_size=8, epochs=epochs, initial_epoch=initial_epoch, verbose=0)
        return gan

    straight = run(5)
    first = run(3)  # stops after the first 8x8 step, alpha 0
    first.save(tmp_path / "mid.keras")
    resumed = keras.models.load_model(tmp_path / "mid.keras")
    assert float(to_numpy(resumed.generator.lod)) == 1.0
    run(5, resumed, initial_epoch=3)
    assert int(to_numpy(resumed.images_seen)) == 40
    for a, b in zip(straight.weights, resumed.weights):
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-5, atol=1e-6, err_msg=a.path)
    assert np.abs(
        straight.generate(4, seed=0).astype(int) - resumed.generate(4, seed=0)
    ).max() <= 1


def test_augmentation_reaches_the_critic(tmp_path):
    def first_step(augment):
        keras.utils.set_random_seed(1)
        gan = tiny_gan(8, seed=1, augment=augment)
        gan.compile()
        history = gan.fit(images(8), batch_size=8, epochs=1, verbose=0)
        return gan, history.history["d_loss"][0]

    plain, plain_loss = first_step(None)
    augmented, augmented_loss = first_step("translation,cutout")
    assert plain.augment == "" and augmented.augment == "translation,cutout"
    assert np.isfinite(augmented_loss) and augmented_loss != pytest.approx(plain_loss)
    augmented.save(tmp_path / "augmented.keras")
    assert keras.models.load_model(tmp_path / "augmented.keras").augment == "translation,cutout"
    with pytest.raises(ValueError, match="rotate"):
        tiny_gan(8, augment="rotate")


def test_generate_uses_the_average_generator():
    gan = tiny_gan(8)
    for variable in gan.generator.trainable_variables:
        variable.assign(np.zeros(variable.shape, "float32"))
    # The average still holds the initial weights.
    assert gan.generate(4, seed=0).std() > 0
    assert gan.generate(4, seed=0).shape == (4, 8, 8, 3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="power of two"):
        ProGANGenerator(12)
    with pytest.raises(ValueError, match="power of two"):
        ProGANGenerator(2048)
    with pytest.raises(ValueError, match="same resolution"):
        ProGAN(ProGANGenerator(8, **TINY), ProGANDiscriminator(16, fmap_base=32, fmap_max=8))
    with pytest.raises(ValueError, match="fade_images"):
        tiny_gan(8, fade=0)
    with pytest.raises(TypeError, match="ProGANGenerator"):
        ProGAN(keras.Sequential([keras.layers.Dense(4)]), ProGANDiscriminator(8))
    g = ProGANGenerator(8, **TINY)
    with pytest.raises(ValueError, match="resolution=16"):
        g(np.zeros((1, 8), "float32"), resolution=16)
    gan = tiny_gan(8)
    gan.compile()
    with pytest.raises(ValueError, match="batch size"):
        gan.fit((x for x in [images(8)]), steps_per_epoch=1)
