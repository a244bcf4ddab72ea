"""FID and KID of a generator against real images."""

import numpy as np
import tqdm

from kgan.metrics.distances import FeatureStatistics
from kgan.metrics.distances import frechet_distance
from kgan.metrics.distances import kernel_distance


def _features(features, images, batch_size, description=None):
    parts = []
    for start in tqdm.trange(
        0, len(images), batch_size, desc=description, disable=description is None, leave=False
    ):
        parts.append(features(images[start : start + batch_size], batch_size=batch_size))
    return np.concatenate(parts)


def _fid(features_a, features_b):
    stats = []
    for features in (features_a, features_b):
        accumulator = FeatureStatistics()
        accumulator.update(features)
        stats.extend(accumulator.mean_and_covariance())
    return frechet_distance(*stats)


def fid(real_images, fake_images, features, batch_size=256):
    """FID between two sets of images with a feature network.

    Args:
        real_images, fake_images: uint8 or float [-1, 1] arrays `[N, H, W, C]`.
        features: a `kgan.metrics.FeatureNetwork`.
        batch_size: images per forward pass.

    Returns:
        The Frechet distance of the two feature distributions.
    """
    return _fid(
        _features(features, real_images, batch_size), _features(features, fake_images, batch_size)
    )


def evaluate(
    model,
    real_images,
    features,
    samples=10000,
    seed=0,
    floor_images=None,
    batch_size=256,
    conditions=None,
):
    """FID and KID of `model.generate` against real images, with the floor.

    Args:
        model: anything with `generate(n, seed=..., batch_size=...)` -> uint8.
        real_images: the reference set (e.g. the test split).
        features: a `kgan.metrics.FeatureNetwork`.
        samples: generated and real images (at most `len(real_images)`).
        seed: seed of the generated latents.
        floor_images: other real images (e.g. the train split) whose FID
            against `real_images` is the best a model can hope for with this
            sample count.
        batch_size: images per forward pass.
        conditions: for conditional models, the conditions (class labels or
            tag vectors) of `real_images`, row by row: generated image `i`
            gets `conditions[i]`, so both sets share one class mix.

    Returns:
        A dict: `fid`, `kid`, `kid_std`, `features`, `samples`, and
        `floor` when `floor_images` is given.
    """
    samples = min(samples, len(real_images))
    real = _features(features, real_images[:samples], batch_size, "real features")
    parts = []
    for start in tqdm.trange(0, samples, batch_size, desc="generating", leave=False):
        count = min(batch_size, samples - start)
        options = {} if conditions is None else {"conditions": conditions[start : start + count]}
        images = model.generate(
            count, seed=seed * 1_000_003 + start, batch_size=batch_size, **options
        )
        parts.append(features(images, batch_size=batch_size))
    fake = np.concatenate(parts)
    kid, kid_std = kernel_distance(real, fake)
    result = {
        "fid": _fid(real, fake),
        "kid": kid,
        "kid_std": kid_std,
        "features": features.name,
        "samples": int(samples),
        "real_samples": int(len(real)),
    }
    if floor_images is not None:
        floor = _features(features, floor_images[:samples], batch_size, "floor features")
        result["floor"] = _fid(real, floor)
    return result


def emoji_halves():
    """The emoji set split in two halves by a fixed permutation (seed 0)."""
    from kgan.data import load_emoji

    images, labels = load_emoji(skin_tones=True)
    order = np.random.default_rng(0).permutation(len(images))
    half = len(order) // 2
    return (images[order[:half]], labels[order[:half]]), (images[order[half:]], labels[order[half:]])


def avatar_splits():
    """The DiceBear avatars: 20,000 for training (seed 0), 5,000 held out (seed 1)."""
    from kgan.data import load_avatars

    return load_avatars(n=20000, seed=0), load_avatars(n=5000, seed=1)


def reference_labels(dataset):
    """The class labels of `reference_sets(dataset)`'s reference images."""
    if dataset == "fashion_mnist":
        from kgan.data import load_fashion_mnist

        return load_fashion_mnist("test")[1]
    if dataset == "emoji":
        return emoji_halves()[1][1]
    if dataset == "avatars":
        return avatar_splits()[1].tags
    raise ValueError(f"No FID reference for dataset {dataset!r}.")


def reference_sets(dataset):
    """`(reference images, floor images, feature network)` for a dataset name.

    Fashion-MNIST: the test split, the train split as floor, the features of
    a classifier trained on the train split. Emoji (no test split): one half
    as reference, the other half as floor, the features of a category
    classifier trained on the floor half. Avatars: 5,000 held-out avatars,
    the 20,000 training avatars as floor, the features of the tag classifier
    trained on the training avatars.
    """
    from kgan.metrics.features import shipped_classifier_features

    if dataset == "fashion_mnist":
        from kgan.data import load_fashion_mnist

        test, _ = load_fashion_mnist("test")
        train, _ = load_fashion_mnist("train")
        return test, train, shipped_classifier_features("fashion_mnist")
    if dataset == "emoji":
        (floor, _), (reference, _) = emoji_halves()
        return reference, floor, shipped_classifier_features("emoji")
    if dataset == "avatars":
        train, held_out = avatar_splits()
        return held_out.images, train.images, shipped_classifier_features("avatars")
    raise ValueError(
        f"No FID reference for dataset {dataset!r}. Expected one of ['avatars', 'emoji', "
        "'fashion_mnist']; for other data call kgan.metrics.evaluate with your own "
        "images and features."
    )


def evaluate_on(model, dataset, samples=10000, seed=0, batch_size=256):
    """`evaluate` against a named dataset's test split, with its train-split floor.

    A conditional model (one with `tag_names`) generates image `i` with the
    label of reference image `i`. `"openmoji"` measures a colorization model
    (pix2pix) on the held-out OpenMoji drawings at its size, one colouring per
    drawing (`kgan.data.OPENMOJI_COLORIZATION_SUBSET`), with
    `kgan.metrics.evaluate_translation` and emoji-classifier features.
    `"aging_faces"` measures a face-aging model (CAAE) on the held-out aging
    faces at its size (the test split: 200 people at 10 ages, in identity
    order; `samples` caps the faces, so a multiple of 10 keeps whole people),
    each rendered at every age group, with `kgan.metrics.evaluate_aging`, the
    shipped age classifier and its features; its `floor` is the FID of as many
    training faces as renderings (at most 12,000) against the test faces.
    """
    if dataset == "aging_faces":
        from kgan.data import load_aging_faces_uint8
        from kgan.metrics import aging

        size = model.image_shape[0]
        test = load_aging_faces_uint8("test", image_size=size)
        train = load_aging_faces_uint8("train", image_size=size)
        classifier = aging.age_classifier()
        result = aging.evaluate_aging(
            model, test.images, test.age_groups, test.genders, test.identities,
            classifier, classifier.features(), floor_faces=train.images,
            max_faces=samples, seed=seed, batch_size=batch_size,
        )
        result.update(
            reference="aging faces test split (held-out people, every age group)",
            floor_from="training faces vs test faces",
            dataset=dataset,
        )
        return result
    if dataset == "openmoji":
        from kgan.data import OPENMOJI_COLORIZATION_SUBSET
        from kgan.data import load_openmoji_pairs_uint8
        from kgan.metrics.features import shipped_classifier_features
        from kgan.metrics.translation import evaluate_translation

        size = model.image_shape[0]
        test = load_openmoji_pairs_uint8(size, "test", **OPENMOJI_COLORIZATION_SUBSET)
        features = shipped_classifier_features("emoji")
        result = evaluate_translation(model, test.line_art, test.colour, features, batch_size)
        result.update(reference="OpenMoji test drawings", dataset=dataset)
        return result
    reference, floor, features = reference_sets(dataset)
    # A conditional model draws the reference's labels (its class mix).
    conditions = reference_labels(dataset) if hasattr(model, "tag_names") else None
    result = evaluate(
        model, reference, features, samples=samples, seed=seed, floor_images=floor,
        batch_size=batch_size, conditions=conditions,
    )
    result["reference"], result["floor_from"] = {
        "fashion_mnist": ("test split", "train split vs test split"),
        "emoji": ("half B", "half A vs half B"),
        "avatars": ("5,000 held-out avatars (seed 1)", "training avatars vs held-out avatars"),
    }[dataset]
    result["dataset"] = dataset
    return result
