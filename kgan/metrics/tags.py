"""Tag fidelity: does a tag-conditioned generator draw the tags it is asked for?

A tag classifier trained on real images (`scripts/train_fid_classifier.py
avatars`) scores each group of single-choice tags (hair colour, glasses, ...)
with its own softmax over the group's columns of one `[N, tags]` logit
vector. Its accuracy on generated images, next to its accuracy on held-out
real images, measures how well a conditional model follows its tags.
"""

import keras
import numpy as np

from kgan.metrics.features import FeatureNetwork
from kgan.metrics.features import _shipped


def _check_groups(groups, width):
    for name, columns in groups.items():
        if len(columns) == 0 or min(columns) < 0 or max(columns) >= width:
            raise ValueError(
                f"Tag group {name!r} has columns {list(columns)}, outside the {width} "
                "columns of the tags."
            )


def grouped_tag_loss(groups):
    """Sum over tag groups of the softmax cross-entropy within each group.

    Args:
        groups: `{group: [column, ...]}`, each a set of mutually exclusive tags
            (one is set per image).

    Returns:
        A loss `f(tags, logits)` for multi-hot `tags` `[N, T]` and logits `[N, T]`.
    """
    columns = [np.asarray(c, "int32") for c in groups.values()]

    def loss(tags, logits):
        total = 0.0
        for index in columns:
            total = total + keras.losses.categorical_crossentropy(
                keras.ops.take(tags, index, axis=1),
                keras.ops.take(logits, index, axis=1),
                from_logits=True,
            )
        return total

    return loss


def tag_accuracy(logits, tags, groups):
    """Per-group accuracy of tag logits against the true tags.

    Args:
        logits: `[N, T]` classifier outputs.
        tags: `[N, T]` multi-hot true tags, one set per group.
        groups: `{group: [column, ...]}`.

    Returns:
        `{group: accuracy}`: how often the group's largest logit is its set tag.
    """
    logits, tags = np.asarray(logits), np.asarray(tags)
    if logits.shape != tags.shape:
        raise ValueError(
            f"Expected logits and tags of one shape. Received: {logits.shape} and {tags.shape}"
        )
    _check_groups(groups, tags.shape[1])
    return {
        name: float(np.mean(logits[:, c].argmax(1) == tags[:, c].argmax(1)))
        for name, c in ((name, list(columns)) for name, columns in groups.items())
    }


class TagClassifier:
    """A Keras tag classifier with its tag groups, scoring images per group.

    Args:
        model: a Keras model from images `[N, H, W, C]` in [-1, 1] to logits
            `[N, T]`.
        groups: `{group: [column, ...]}` of single-choice tags.
    """

    def __init__(self, model, groups):
        self.network = FeatureNetwork(model, model.name)
        self.groups = {name: list(columns) for name, columns in groups.items()}
        _check_groups(self.groups, int(model.outputs[0].shape[-1]))

    def logits(self, images, batch_size=256):
        """Logits `[N, T]` of uint8 or [-1, 1] images of any size."""
        return self.network(images, batch_size=batch_size)

    def accuracy(self, images, tags, batch_size=256):
        """`{group: accuracy}` of the classifier on images with known tags."""
        return tag_accuracy(self.logits(images, batch_size), tags, self.groups)

    def fidelity(self, model, tags, seed=0, batch_size=256):
        """`{group: accuracy}` on images that `model` generates for `tags`.

        Image `i` is generated from latent seed `seed` with `tags[i]` as its
        condition; a faithful model gives the classifier's real-image accuracy.
        """
        images = model.generate(len(tags), seed=seed, batch_size=batch_size, conditions=tags)
        return self.accuracy(images, tags, batch_size)


def avatar_tag_classifier():
    """kgan's shipped tag classifier for the DiceBear avatars (see `TagClassifier`)."""
    from kgan.data.avatars import avatar_tag_groups

    path = _shipped("avatars_classifier.keras")
    if not path.is_file():
        raise FileNotFoundError(
            f"The shipped classifier {path} is missing; train it with "
            "`python scripts/train_fid_classifier.py avatars`."
        )
    return TagClassifier(keras.models.load_model(str(path), compile=False), avatar_tag_groups())


def change_one_tag(tags, groups, seed=0):
    """Copies of `tags` with one group switched to another of its tags.

    Row `i` changes group `i % len(groups)` (in `groups`' order) to a tag
    drawn uniformly from the group's other tags.

    Returns:
        `(changed_tags, group_of_row)`: float32 `[N, T]` and the group names.
    """
    rng = np.random.default_rng(seed)
    tags = np.array(tags, "float32")
    names = list(groups)
    changed_groups = []
    for i, row in enumerate(tags):
        name = names[i % len(names)]
        columns = list(groups[name])
        current = columns[int(np.argmax(row[columns]))]
        row[columns] = 0.0
        row[rng.choice([c for c in columns if c != current])] = 1.0
        changed_groups.append(name)
    return tags, changed_groups


def identity_distances(model, tags, groups, features=None, seed=0, batch_size=256):
    """How much an image changes when one tag changes, against a new seed.

    For each row of `tags`, three images: latent `i` of `seed` with the tags;
    the same latent with one tag group changed (`change_one_tag`); latent `i`
    of `seed + 1` with the original tags. A model that keeps the face when the
    tags change gives a smaller "one_tag" distance than "other_seed".

    Args:
        model: a `ConditionalGAN` (anything with `latents` and
            `generate_from_latents(latents, batch_size, conditions=)`).
        tags: `[N, T]` multi-hot tags, one set per group.
        groups: `{group: [column, ...]}`.
        features: optional `FeatureNetwork`; adds Euclidean feature distances.
        seed: the latent seed (and the seed of the changed tags).

    Returns:
        `{"pixel": {...}, "features": {...}}`, each with `one_tag`,
        `other_seed` and `one_tag_by_group`: mean distances (pixel: mean
        absolute difference in [0, 1]).
    """
    tags = np.asarray(tags, "float32")
    changed, changed_groups = change_one_tag(tags, groups, seed)
    latents = model.latents(len(tags), seed=seed)
    base = model.generate_from_latents(latents, batch_size, conditions=tags)
    one_tag = model.generate_from_latents(latents, batch_size, conditions=changed)
    other_seed = model.generate_from_latents(
        model.latents(len(tags), seed=seed + 1), batch_size, conditions=tags
    )

    images = {"base": base, "one_tag": one_tag, "other_seed": other_seed}
    # name: (the representation of a batch of images, the size of a difference)
    measures = {
        "pixel": (lambda x: x.reshape(len(x), -1) / 255.0, lambda d: np.abs(d).mean(axis=1))
    }
    if features is not None:
        measures["features"] = (
            lambda x: features(x, batch_size),
            lambda d: np.linalg.norm(d, axis=1),
        )
    result = {}
    for name, (represent, size) in measures.items():
        r = {key: represent(value).astype("float64") for key, value in images.items()}
        by_row = size(r["one_tag"] - r["base"])
        result[name] = {
            "one_tag": float(by_row.mean()),
            "other_seed": float(size(r["other_seed"] - r["base"]).mean()),
            "one_tag_by_group": {
                group: float(by_row[np.array(changed_groups) == group].mean())
                for group in groups
                if group in changed_groups
            },
        }
    return result
