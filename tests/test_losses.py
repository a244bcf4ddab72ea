"""Losses and penalties against values computed by hand."""

import math

import keras
import numpy as np
import pytest
from keras import ops

from kgan import losses

REAL = np.array([[2.0], [-1.0]], "float32")
FAKE = np.array([[0.5], [-3.0]], "float32")


def softplus(x):
    return math.log1p(math.exp(x))


def value(x):
    return float(ops.convert_to_numpy(ops.stop_gradient(x)))


def test_minimax_and_nonsaturating():
    d = (softplus(-2.0) + softplus(1.0)) / 2 + (softplus(0.5) + softplus(-3.0)) / 2
    assert value(losses.minimax_discriminator_loss(REAL, FAKE)) == pytest.approx(d, rel=1e-6)
    g_minimax = -(softplus(0.5) + softplus(-3.0)) / 2
    assert value(losses.minimax_generator_loss(FAKE)) == pytest.approx(g_minimax, rel=1e-6)
    g_ns = (softplus(-0.5) + softplus(3.0)) / 2
    assert value(losses.nonsaturating_generator_loss(FAKE)) == pytest.approx(g_ns, rel=1e-6)
    # At D(x) = 0.5 everywhere the minimax loss is 2 log 2.
    assert value(losses.minimax_discriminator_loss(np.zeros((4, 1)), np.zeros((4, 1)))) == pytest.approx(
        2 * math.log(2), rel=1e-6
    )


def test_least_squares():
    d = 0.5 * ((2 - 1) ** 2 + (-1 - 1) ** 2) / 2 + 0.5 * (0.25 + 9.0) / 2
    assert value(losses.least_squares_discriminator_loss(REAL, FAKE)) == pytest.approx(d)
    g = 0.5 * ((0.5 - 1) ** 2 + (-3 - 1) ** 2) / 2
    assert value(losses.least_squares_generator_loss(FAKE)) == pytest.approx(g)


def test_wasserstein_and_hinge():
    assert value(losses.wasserstein_discriminator_loss(REAL, FAKE)) == pytest.approx(-1.25 - 0.5)
    assert value(losses.wasserstein_generator_loss(FAKE)) == pytest.approx(1.25)
    # relu(1 - [2, -1]) = [0, 2]; relu(1 + [0.5, -3]) = [1.5, 0]
    assert value(losses.hinge_discriminator_loss(REAL, FAKE)) == pytest.approx(1.0 + 0.75)
    assert value(losses.hinge_generator_loss(FAKE)) == pytest.approx(1.25)


def test_gradient_penalty_of_a_linear_critic():
    # critic(x) = sum(w * x): gradient w everywhere, |w| = 5 -> (5 - 1)^2 = 16.
    w = np.zeros((1, 2, 2, 1), "float32")
    w[0, 0, 0, 0], w[0, 1, 1, 0] = 3.0, 4.0
    w = ops.convert_to_tensor(w)
    critic = lambda x: ops.sum(x * w, axis=(1, 2, 3))[:, None]  # noqa: E731
    rng = np.random.default_rng(0)
    real = rng.normal(size=(3, 2, 2, 1)).astype("float32")
    fake = rng.normal(size=(3, 2, 2, 1)).astype("float32")
    epsilon = rng.uniform(size=(3, 1, 1, 1)).astype("float32")
    assert value(losses.gradient_penalty(critic, real, fake, epsilon)) == pytest.approx(16.0, rel=1e-5)
    assert value(losses.gradient_penalty(critic, real, fake, epsilon, target=5.0)) == pytest.approx(0.0, abs=1e-5)


def test_gradient_penalty_of_a_quadratic_critic_uses_the_interpolate():
    # critic(x) = sum(x^2): gradient 2x at x = real + eps (fake - real).
    critic = lambda x: ops.sum(ops.square(x), axis=(1, 2, 3))[:, None]  # noqa: E731
    real = np.full((2, 1, 1, 1), 1.0, "float32")
    fake = np.full((2, 1, 1, 1), 3.0, "float32")
    epsilon = np.array([0.0, 0.5], "float32").reshape(2, 1, 1, 1)
    # x = [1, 2]: norms [2, 4] -> ((2-1)^2 + (4-1)^2) / 2 = 5
    assert value(losses.gradient_penalty(critic, real, fake, epsilon)) == pytest.approx(5.0, rel=1e-5)


def test_drift_total_variation_l1():
    assert value(losses.drift_penalty(REAL)) == pytest.approx((4 + 1) / 2)
    image = np.array([[1.0, 2.0], [4.0, 8.0]], "float32").reshape(1, 2, 2, 1)
    # vertical |4-1|, |8-2| -> 4.5 ; horizontal |2-1|, |8-4| -> 2.5
    assert value(losses.total_variation(image)) == pytest.approx(7.0)
    assert value(losses.l1(REAL, FAKE)) == pytest.approx((1.5 + 2.0) / 2)


def test_losses_are_float32_for_half_inputs():
    half = ops.cast(REAL, "float16")
    assert keras.backend.standardize_dtype(losses.wasserstein_generator_loss(half).dtype) == "float32"


def test_unknown_loss_name():
    with pytest.raises(ValueError, match="hinge.*Received: loss='wasserstien'"):
        losses.get_adversarial_loss("wasserstien")


def test_mode_seeking_loss_matches_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.uniform(-1, 1, (2, 4, 8, 8, 3)).astype("float32")
    za, zb = rng.standard_normal((2, 4, 16)).astype("float32")
    expected = 1.0 / (np.abs(a - b).mean() / np.abs(za - zb).mean() + 1e-5)
    value = float(keras.ops.convert_to_numpy(losses.mode_seeking_loss(a, b, za, zb)))
    np.testing.assert_allclose(value, expected, rtol=1e-5)
    # A collapsed generator (the same image for both latents) is penalised hard.
    assert float(keras.ops.convert_to_numpy(losses.mode_seeking_loss(a, a, za, zb))) > 9e4


def test_tag_classification_loss_against_numpy():
    from kgan.losses import tag_classification_loss

    rng = np.random.default_rng(0)
    logits = rng.standard_normal((6, 5)).astype("float32")
    tags = np.zeros((6, 5), "float32")
    tags[np.arange(6), rng.integers(0, 2, 6)] = 1  # group a: columns 0, 1
    tags[np.arange(6), 2 + rng.integers(0, 3, 6)] = 1  # group b: columns 2, 3, 4
    groups = {"a": [0, 1], "b": [2, 3, 4]}
    expected = 0.0
    for columns in groups.values():
        z = logits[:, columns]
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        expected = expected - (tags[:, columns] * log_p).sum(axis=1)
    got = float(ops.convert_to_numpy(tag_classification_loss(tags, logits, groups)))
    assert got == pytest.approx(expected.mean(), rel=1e-5)
    sigmoid = 1 / (1 + np.exp(-logits))
    bce = -(tags * np.log(sigmoid) + (1 - tags) * np.log(1 - sigmoid)).sum(axis=1).mean()
    assert float(ops.convert_to_numpy(tag_classification_loss(tags, logits))) == pytest.approx(bce, rel=1e-5)
