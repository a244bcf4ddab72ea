"""Differentiable augmentation against NumPy references, and inside DCGAN."""

import keras
import numpy as np
import pytest
from keras import ops

from kgan import augment
from kgan import backend
from kgan.models import DCGAN

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(-1, 1, (3, 8, 8, 2)).astype("float32")


def draws(*values):
    """A `random_uniform(shape)` handing out the given U(0, 1) draws in order."""
    queue = [np.asarray(v, "float32") for v in values]

    def random_uniform(shape):
        value = queue.pop(0)
        assert value.shape == tuple(shape)
        return ops.convert_to_tensor(value)

    return random_uniform


def numpy(x):
    return ops.convert_to_numpy(x)


def shifted(image, dy, dx):
    """NumPy reference: out[i, j] = image[i - dy, j - dx], 0 outside."""
    out = np.zeros_like(image)
    h, w = image.shape[:2]
    for i in range(h):
        for j in range(w):
            if 0 <= i - dy < h and 0 <= j - dx < w:
                out[i, j] = image[i - dy, j - dx]
    return out


def test_translation_matches_a_numpy_shift():
    # ratio 0.125 of 8 px: shifts in [-1, 1]; u -> floor(u * 3) - 1.
    u_y, u_x = [0.0, 0.5, 0.99], [0.99, 0.0, 0.5]
    out = numpy(augment.translation(IMAGES, draws(u_y, u_x)))
    for n, (dy, dx) in enumerate([(-1, 1), (0, -1), (1, 0)]):
        np.testing.assert_allclose(out[n], shifted(IMAGES[n], dy, dx), atol=1e-6)


def test_cutout_zeroes_one_square_of_half_the_size():
    # 8 px, ratio 0.5: a 4x4 square whose top-left is floor(u * 9) - 2.
    out = numpy(augment.cutout(IMAGES, draws([0.0, 0.5, 0.99], [0.3, 0.3, 0.0])))
    for n, (top, left) in enumerate([(-2, 0), (2, 0), (6, -2)]):
        expected = IMAGES[n].copy()
        expected[max(top, 0) : top + 4, max(left, 0) : left + 4] = 0.0
        np.testing.assert_array_equal(out[n], expected)


def test_color_matches_the_formulas():
    b, s, c = np.array([0.2, 0.5, 0.9]), np.array([0.0, 0.5, 1.0]), np.array([0.1, 0.5, 0.7])
    column = lambda v: v.reshape(3, 1, 1, 1).astype("float32")  # noqa: E731
    out = numpy(augment.color(IMAGES, draws(column(b), column(s), column(c))))
    x = IMAGES + column(b) - 0.5
    x = (x - x.mean(3, keepdims=True)) * column(s) * 2 + x.mean(3, keepdims=True)
    x = (x - x.mean((1, 2, 3), keepdims=True)) * (column(c) + 0.5) + x.mean((1, 2, 3), keepdims=True)
    np.testing.assert_allclose(out, x, rtol=1e-5, atol=1e-6)


def test_augmentation_is_differentiable():
    # Cutout's gradient is its mask; translation's is the shift backwards.
    mask_draws = ([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
    gradient = numpy(backend.input_gradient(lambda x: augment.cutout(x, draws(*mask_draws)), IMAGES))
    mask = numpy(augment.cutout(np.ones_like(IMAGES), draws(*mask_draws)))
    np.testing.assert_array_equal(gradient, mask)
    gradient = numpy(
        backend.input_gradient(lambda x: augment.translation(x, draws([0.99] * 3, [0.5] * 3)), IMAGES)
    )
    assert gradient[:, -1].sum() == 0 and gradient[:, :-1].min() == 1


def test_policy_is_checked_and_normalised():
    assert augment.parse_policy(" color , cutout") == ("color", "cutout")
    assert augment.parse_policy(None) == () == augment.parse_policy("")
    with pytest.raises(ValueError, match="Expected augmentation policies from"):
        augment.parse_policy("color,flip")
    with pytest.raises(ValueError, match="flip"):
        DCGAN.create(16, 1, latent_dim=8, width=8, augment="flip")


def test_dcgan_with_augmentation_trains_and_round_trips(tiny_images, tmp_path):
    gan = DCGAN.create(16, 1, latent_dim=8, width=8, seed=1, augment="color,translation,cutout")
    gan.compile()
    history = gan.fit(tiny_images, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()
    gan.save(tmp_path / "a.keras")
    loaded = keras.models.load_model(tmp_path / "a.keras")
    assert loaded.augment == "color,translation,cutout"
    np.testing.assert_array_equal(loaded.generate(4, seed=0), gan.generate(4, seed=0))
