"""Differentiable augmentation for GAN training on small datasets.

The policies of DiffAugment (Zhao et al. 2020, "Differentiable Augmentation
for Data-Efficient GAN Training"): the same random transforms are applied to
real and generated images before the discriminator, in both the discriminator
and the generator update, so D cannot memorise a few thousand images and G is
never asked to produce augmented ones. Every transform is written with
`keras.ops` (it runs on every backend) and is differentiable in the images.

Images are float NHWC in [-1, 1]. Randomness comes from a `random_uniform(shape)`
callable returning U(0, 1) noise, e.g. `GAN.random_uniform`, so training stays
reproducible from the model's seed.
"""

from keras import ops

POLICIES = ("color", "translation", "cutout")


def parse_policy(policy):
    """`"color,translation"` (or a list, or None/"") -> a tuple of names."""
    if policy is None or policy == "":
        return ()
    names = policy.split(",") if isinstance(policy, str) else list(policy)
    names = tuple(name.strip() for name in names)
    unknown = [name for name in names if name not in POLICIES]
    if unknown:
        raise ValueError(
            f"Expected augmentation policies from {POLICIES}. "
            f"Received: policy={policy!r}"
        )
    return names


def color(images, random_uniform):
    """Random brightness (+-0.5), saturation (x0..2) and contrast (x0.5..1.5)."""
    images = ops.convert_to_tensor(images)
    n = ops.shape(images)[0]
    x = images + (random_uniform((n, 1, 1, 1)) - 0.5)
    mean = ops.mean(x, axis=3, keepdims=True)
    x = (x - mean) * (random_uniform((n, 1, 1, 1)) * 2.0) + mean
    mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
    return (x - mean) * (random_uniform((n, 1, 1, 1)) + 0.5) + mean


def _integers(random_uniform, n, low, high):
    """`n` random ints in [low, high], as float32 `[n]`."""
    return ops.floor(random_uniform((n,)) * (high - low + 1)) + low


def _shift_matrix(offsets, size):
    """`[n, size, size]` 0/1 matrices M with `(M @ v)[i] = v[i - offset]`."""
    index = ops.arange(size, dtype="float32")
    source = index[None, :, None] - offsets[:, None, None]
    return ops.cast(ops.equal(index[None, None, :], source), "float32")


def translation(images, random_uniform, ratio=0.125):
    """Shifts each image by up to `ratio` of its size; uncovered pixels are 0.

    The shift is a product with one-hot shift matrices, so it is exact and
    differentiable on every backend.
    """
    n, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
    dy = _integers(random_uniform, n, -int(height * ratio + 0.5), int(height * ratio + 0.5))
    dx = _integers(random_uniform, n, -int(width * ratio + 0.5), int(width * ratio + 0.5))
    rows = _shift_matrix(dy, height)
    columns = _shift_matrix(dx, width)
    x = ops.einsum("nij,njwc->niwc", rows, ops.cast(images, "float32"))
    x = ops.einsum("nkw,nhwc->nhkc", columns, x)
    return ops.cast(x, images.dtype)


def cutout(images, random_uniform, ratio=0.5):
    """Sets a random square of side `ratio * size` in each image to 0."""
    images = ops.convert_to_tensor(images)
    n, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
    size_y, size_x = int(height * ratio + 0.5), int(width * ratio + 0.5)
    top = _integers(random_uniform, n, 0, height + (1 - size_y % 2) - 1) - size_y // 2
    left = _integers(random_uniform, n, 0, width + (1 - size_x % 2) - 1) - size_x // 2
    rows = ops.arange(height, dtype="float32")[None, :]
    columns = ops.arange(width, dtype="float32")[None, :]
    inside_y = ops.logical_and(rows >= top[:, None], rows < top[:, None] + size_y)
    inside_x = ops.logical_and(columns >= left[:, None], columns < left[:, None] + size_x)
    inside = ops.logical_and(inside_y[:, :, None], inside_x[:, None, :])
    mask = 1.0 - ops.cast(inside, images.dtype)
    return images * mask[..., None]


_TRANSFORMS = {"color": color, "translation": translation, "cutout": cutout}


def augment(images, policy, random_uniform):
    """Applies the transforms of `policy` in order ("color,translation,cutout").

    Args:
        images: float tensor `[N, H, W, C]` in [-1, 1].
        policy: comma-separated names from `POLICIES`, a list of them, or
            None / `""` for no augmentation.
        random_uniform: `random_uniform(shape)` -> U(0, 1) tensor.

    Returns:
        The augmented images, same shape and dtype.

    Example:
    >>> gan = kgan.models.DCGAN.create(28, 1, augment="translation,cutout")
    """
    for name in parse_policy(policy):
        images = _TRANSFORMS[name](images, random_uniform)
    return images

