"""Pix2Pix: networks, the three losses against NumPy, colorize, save/load, errors."""

import numpy as np
import keras
import pytest
from keras import ops

from kgan.layers import Conv2D
from kgan.models import Pix2Pix
from kgan.models import patch_discriminator
from kgan.models import unet_generator

SIZE = 16
TINY = dict(width=4, max_width=8)


def tiny(loss="l1_gan", activation="relu", dropout=0.0, **kwargs):
    keras.utils.set_random_seed(0)
    return Pix2Pix.create(
        SIZE, activation=activation, dropout=dropout, discriminator_layers=2, loss=loss,
        seed=0, **TINY, **kwargs,
    )


def pairs(n=4, seed=0):
    rng = np.random.default_rng(seed)
    sources = rng.uniform(-1, 1, (n, SIZE, SIZE, 1)).astype("float32")
    targets = rng.uniform(-1, 1, (n, SIZE, SIZE, 3)).astype("float32")
    return sources, targets


def numpy(x):
    return ops.convert_to_numpy(x)


def softplus(x):
    return np.logaddexp(0.0, x)


def layer_types(model):
    return [type(layer).__name__ for layer in model.layers]


def test_unet_shape_skips_and_dropout():
    g = unet_generator(32, width=8, max_width=32)
    assert tuple(g.output.shape) == (None, 32, 32, 3)
    types = layer_types(g)
    assert types.count("Conv2D") == 5  # 32 -> 1
    assert types.count("Concatenate") == 4  # every decoder level but the output
    assert types.count("Dropout") == 3
    assert "UpSampling2D" not in types  # transposed convolutions by default
    # Instance norm (one group per channel) on all but the outer and innermost levels.
    norms = [layer for layer in g.layers if isinstance(layer, keras.layers.GroupNormalization)]
    assert len(norms) == 3 + 4 and all(layer.groups == layer.input.shape[-1] for layer in norms)
    assert [layer.filters for layer in g.layers if type(layer) is Conv2D] == [
        8, 16, 32, 32, 32
    ]


@pytest.mark.parametrize("activation", ["relu", "selu"])
def test_resize_convolution_decoder(activation):
    g = unet_generator(16, width=4, max_width=8, activation=activation, upsampling="resize")
    assert tuple(g.output.shape) == (None, 16, 16, 3)
    types = layer_types(g)
    assert "Conv2DTranspose" not in types and types.count("UpSampling2D") == 4


def test_selu_networks_have_no_normalisation():
    g = unet_generator(32, width=4, activation="selu")
    d = patch_discriminator(32, width=4, activation="selu")
    for model in (g, d):
        types = layer_types(model)
        assert "GroupNormalization" not in types and "SELUConvBlock" in types
    assert layer_types(g).count("AlphaDropout") == 3


def test_patch_discriminator_scores_patches():
    d = patch_discriminator(64, width=8, layers=3)
    assert tuple(d.output.shape) == (None, 8, 8, 1)
    assert [tuple(t.shape) for t in d.inputs] == [(None, 64, 64, 1), (None, 64, 64, 3)]


def test_l1_gan_step_matches_numpy():
    gan = tiny("l1_gan", gan_weight=2.0)
    gan.compile()
    sources, targets = pairs()
    generator_before = keras.models.clone_model(gan.generator)
    generator_before.set_weights(gan.generator.get_weights())
    discriminator_before = keras.models.clone_model(gan.discriminator)
    discriminator_before.set_weights(gan.discriminator.get_weights())
    logs = gan.fit(sources, targets, batch_size=4, epochs=1, verbose=0).history

    fake = numpy(generator_before(sources))
    d_real = numpy(discriminator_before([sources, targets]))
    d_fake = numpy(discriminator_before([sources, fake]))
    expected_d = softplus(-d_real).mean() + softplus(d_fake).mean()
    # G's loss is taken after D's update, with G's weights from before its own.
    g_fake = numpy(gan.discriminator([sources, fake]))
    l1 = np.abs(fake - targets).mean()
    expected_g = l1 + 2.0 * softplus(-g_fake).mean()
    np.testing.assert_allclose(logs["d_loss"][0], expected_d, rtol=1e-4)
    np.testing.assert_allclose(logs["l1"][0], l1, rtol=1e-4)
    np.testing.assert_allclose(logs["g_loss"][0], expected_g, rtol=1e-4)


def test_l1_only_leaves_the_discriminator_alone():
    gan = tiny("l1")
    gan.compile()
    before = [w.copy() for w in gan.discriminator.get_weights()]
    g_before = gan.generator.get_weights()
    sources, targets = pairs()
    logs = gan.fit(sources, targets, batch_size=4, epochs=2, verbose=0).history
    assert logs["d_loss"] == [0.0, 0.0]
    np.testing.assert_allclose(logs["g_loss"], logs["l1"])
    assert logs["l1"][1] < logs["l1"][0]
    for a, b in zip(before, gan.discriminator.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert any(not np.allclose(a, b) for a, b in zip(g_before, gan.generator.get_weights()))


@pytest.mark.parametrize("activation", ["relu", "selu"])
def test_wgan_gp_trains_the_critic(activation):
    gan = tiny("wgan_gp", activation=activation, dropout=0.5)
    gan.compile()
    before = [w.copy() for w in gan.discriminator.get_weights()]
    sources, targets = pairs()
    logs = gan.fit(sources, targets, batch_size=4, epochs=2, verbose=0).history
    assert all(np.isfinite(v) for values in logs.values() for v in values)
    assert any(not np.allclose(a, b) for a, b in zip(before, gan.discriminator.get_weights()))


def test_save_load_round_trip(tmp_path):
    gan = tiny("wgan_gp", gan_weight=0.5, activation="selu")
    gan.compile()
    sources, targets = pairs()
    gan.fit(sources, targets, batch_size=4, epochs=1, verbose=0)
    gan.save(tmp_path / "p2p.keras")
    loaded = keras.models.load_model(tmp_path / "p2p.keras")
    assert (loaded.loss, loaded.gan_weight) == ("wgan_gp", 0.5)
    np.testing.assert_array_equal(loaded.translate(sources), gan.translate(sources))
    for a, b in zip(gan.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_allclose(numpy(a), numpy(b), err_msg=a.path)
    loaded.fit(sources, targets, batch_size=4, epochs=1, verbose=0)  # and trains on


def test_colorize_any_size_grey_rgb_and_alpha():
    gan = tiny()
    rng = np.random.default_rng(1)
    grey = rng.integers(0, 256, (20, 30), dtype=np.uint8)
    out = gan.colorize(grey)
    assert out.shape == (20, 30, 3) and out.dtype == np.uint8
    # RGB line art is made grey first: the same picture in RGB gives the same colours.
    np.testing.assert_array_equal(gan.colorize(np.repeat(grey[..., None], 3, -1)), out)
    # Alpha: composited on white for the model, put back on the output.
    rgba = np.concatenate([np.repeat(grey[..., None], 3, -1), np.full((20, 30, 1), 255, np.uint8)], -1)
    rgba[:5, :, 3] = 0
    coloured = gan.colorize(rgba)
    assert coloured.shape == (20, 30, 4)
    np.testing.assert_array_equal(coloured[..., 3], rgba[..., 3])
    # A batch stays a batch; a list of sizes stays a list.
    assert gan.colorize(np.stack([grey, grey])[..., None]).shape == (2, 20, 30, 3)
    listed = gan.colorize([grey, grey[:8, :8]])
    assert [image.shape for image in listed] == [(20, 30, 3), (8, 8, 3)]
    # At the model's own size, colorize is translate on the scaled input.
    square = grey[:SIZE, :SIZE, None]
    expected = gan.translate(square[None].astype("float32") / 127.5 - 1.0)[0]
    np.testing.assert_array_equal(gan.colorize(square), expected)


def test_bad_inputs():
    gan = tiny()
    with pytest.raises(ValueError, match="uint8"):
        gan.colorize(np.zeros((16, 16), "float32"))
    with pytest.raises(ValueError, match="1-4 channels"):
        gan.colorize(np.zeros((16, 16, 5), np.uint8))
    with pytest.raises(TypeError, match="colorize"):
        gan.generate(4)
    gan.compile()
    sources, targets = pairs()
    with pytest.raises(ValueError, match="target images"):
        gan.fit(sources, batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="3 channel"):
        gan.fit(sources, targets[..., :1], batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="1 channel"):
        gan.fit(targets, targets, batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="power of two"):
        unet_generator(48)
    with pytest.raises(ValueError, match="activation"):
        unet_generator(16, activation="tanh")
    with pytest.raises(ValueError, match="upsampling"):
        unet_generator(16, upsampling="bilinear")
    with pytest.raises(ValueError, match="loss"):
        tiny("hinge")
    with pytest.raises(ValueError, match="layers"):
        patch_discriminator(16, layers=4)
    with pytest.raises(ValueError, match="pairs of shapes"):
        Pix2Pix(unet_generator(16, **TINY), patch_discriminator(16, 3, 3, **TINY))
