"""Adversarial losses and penalties, as plain functions of `keras.ops` tensors.

Discriminator outputs are logits (no sigmoid). Every loss is computed in
float32 and reduced to a scalar mean, also under mixed precision.
"""

import numpy as np
from keras import ops

from kgan import backend


def _f32(x):
    return ops.cast(x, "float32")


def _softplus(x):
    return ops.softplus(_f32(x))


# Minimax (Goodfellow et al. 2014): D maximises log D(x) + log(1 - D(G(z))).
def minimax_discriminator_loss(real_logits, fake_logits):
    """Sigmoid cross-entropy: real -> 1, fake -> 0.

    Args:
        real_logits: D's logits on real images.
        fake_logits: D's logits on generated images.

    Returns:
        Scalar float32: `BCE(real, 1) + BCE(fake, 0)`, each a batch mean.

    Example:
    >>> float(minimax_discriminator_loss(ops.zeros((2, 1)), ops.zeros((2, 1))))
    1.386...
    """
    return ops.mean(_softplus(-real_logits)) + ops.mean(_softplus(fake_logits))


def minimax_generator_loss(fake_logits):
    """The saturating generator loss: minimise `log(1 - D(G(z)))`.

    Args:
        fake_logits: D's logits on generated images.

    Returns:
        Scalar float32 `-BCE(fake, 0)`.
    """
    return -ops.mean(_softplus(fake_logits))


def nonsaturating_generator_loss(fake_logits):
    """The non-saturating generator loss: minimise `-log D(G(z))`.

    Args:
        fake_logits: D's logits on generated images.

    Returns:
        Scalar float32 `BCE(fake, 1)`.
    """
    return ops.mean(_softplus(-fake_logits))


def least_squares_discriminator_loss(real_scores, fake_scores):
    """LSGAN (Mao et al. 2017) with targets 1 (real) and 0 (fake).

    Returns:
        Scalar float32 `0.5 * mean((real - 1)^2) + 0.5 * mean(fake^2)`.
    """
    return 0.5 * ops.mean(ops.square(_f32(real_scores) - 1.0)) + 0.5 * ops.mean(
        ops.square(_f32(fake_scores))
    )


def least_squares_generator_loss(fake_scores):
    """LSGAN generator loss: `0.5 * mean((fake - 1)^2)`."""
    return 0.5 * ops.mean(ops.square(_f32(fake_scores) - 1.0))


def wasserstein_discriminator_loss(real_scores, fake_scores):
    """Critic loss of WGAN: `mean(fake) - mean(real)`."""
    return ops.mean(_f32(fake_scores)) - ops.mean(_f32(real_scores))


def wasserstein_generator_loss(fake_scores):
    """Generator loss of WGAN: `-mean(fake)`."""
    return -ops.mean(_f32(fake_scores))


def hinge_discriminator_loss(real_scores, fake_scores):
    """Hinge loss: `mean(relu(1 - real)) + mean(relu(1 + fake))`."""
    return ops.mean(ops.relu(1.0 - _f32(real_scores))) + ops.mean(
        ops.relu(1.0 + _f32(fake_scores))
    )


def hinge_generator_loss(fake_scores):
    """Generator loss paired with the hinge loss: `-mean(fake)`."""
    return -ops.mean(_f32(fake_scores))


def gradient_penalty(critic, real, fake, epsilon, target=1.0):
    """WGAN-GP penalty (Gulrajani et al. 2017) on interpolated images.

    `x = real + epsilon * (fake - real)`; the penalty is
    `mean((||d critic(x) / dx||_2 - target)^2)`, the norm over all axes but
    the batch. It stays differentiable w.r.t. the critic's weights.

    Args:
        critic: a callable from images to scores, `[N, ...] -> [N, 1]`.
        real: real images `[N, H, W, C]`.
        fake: generated images of the same shape.
        epsilon: interpolation weights `[N, 1, 1, 1]` in [0, 1].
        target: the target gradient norm (1 in WGAN-GP).

    Returns:
        Scalar float32 penalty (multiply by lambda yourself).

    Example:
    >>> critic = lambda x: ops.sum(3.0 * x, axis=(1, 2, 3))[:, None]
    >>> x = ops.zeros((2, 1, 1, 1))
    >>> float(gradient_penalty(critic, x, x, ops.ones((2, 1, 1, 1))))
    4.0
    """
    real = _f32(real)
    interpolated = real + _f32(epsilon) * (_f32(fake) - real)
    gradients = _f32(backend.input_gradient(critic, interpolated))
    axes = tuple(range(1, len(gradients.shape)))
    norms = ops.sqrt(ops.sum(ops.square(gradients), axis=axes) + 1e-12)
    return ops.mean(ops.square(norms - target))


def drift_penalty(real_scores):
    """ProGAN's drift term `mean(D(real)^2)` (weight it by 0.001)."""
    return ops.mean(ops.square(_f32(real_scores)))


def tag_classification_loss(tags, logits, groups=None):
    """An auxiliary classifier's loss on tag logits (AC-GAN), a batch mean.

    Args:
        tags: the true multi-hot (or one-hot) tags `[N, T]`.
        logits: the classifier's logits `[N, T]`.
        groups: `{group: [column, ...]}` of mutually exclusive tags: the loss
            is the softmax cross-entropy within each group, summed over groups.
            None: the sigmoid cross-entropy of every tag, summed over tags.

    Returns:
        Scalar float32.
    """
    tags, logits = _f32(tags), _f32(logits)
    if groups is None:
        per_tag = ops.softplus(logits) - tags * logits  # sigmoid cross-entropy
        return ops.mean(ops.sum(per_tag, axis=-1))
    total = 0.0
    for columns in groups.values():
        index = np.asarray(columns, "int32")
        group_logits = ops.take(logits, index, axis=1)
        log_probabilities = group_logits - ops.logsumexp(group_logits, axis=-1, keepdims=True)
        total = total - ops.sum(ops.take(tags, index, axis=1) * log_probabilities, axis=-1)
    return ops.mean(total)


def total_variation(images):
    """Mean absolute difference between neighbouring pixels, `[N, H, W, C]`.

    Returns:
        Scalar float32: `mean|x[:, 1:] - x[:, :-1]| + mean|x[:, :, 1:] - x[:, :, :-1]|`.
    """
    images = _f32(images)
    vertical = ops.mean(ops.abs(images[:, 1:, :, :] - images[:, :-1, :, :]))
    horizontal = ops.mean(ops.abs(images[:, :, 1:, :] - images[:, :, :-1, :]))
    return vertical + horizontal


def l1(predictions, targets):
    """Mean absolute error, float32 scalar."""
    return ops.mean(ops.abs(_f32(predictions) - _f32(targets)))


def mode_seeking_loss(images_a, images_b, latents_a, latents_b, epsilon=1e-5):
    """MSGAN's mode-seeking term (Mao et al. 2019), to be minimised by G.

    `1 / (mean|G(z_a) - G(z_b)| / mean|z_a - z_b| + epsilon)` for two batches
    generated from the latents `z_a`, `z_b` with the same conditions: large
    when G maps different latents to the same image (mode collapse).

    Returns:
        Scalar float32.
    """
    ratio = l1(images_a, images_b) / l1(latents_a, latents_b)
    return 1.0 / (ratio + epsilon)


ADVERSARIAL_LOSSES = {
    "minimax": (minimax_discriminator_loss, minimax_generator_loss),
    "nonsaturating": (minimax_discriminator_loss, nonsaturating_generator_loss),
    "least_squares": (
        least_squares_discriminator_loss,
        least_squares_generator_loss,
    ),
    "wasserstein": (wasserstein_discriminator_loss, wasserstein_generator_loss),
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
}


def get_adversarial_loss(name):
    """Returns `(discriminator_loss, generator_loss)` for a loss name.

    Args:
        name: one of `ADVERSARIAL_LOSSES`.

    Returns:
        A pair of functions.
    """
    if name not in ADVERSARIAL_LOSSES:
        raise ValueError(
            f"Unknown adversarial loss. Expected one of "
            f"{sorted(ADVERSARIAL_LOSSES)}. Received: loss={name!r}"
        )
    return ADVERSARIAL_LOSSES[name]

