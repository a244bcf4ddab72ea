import keras
import numpy as np
import pytest

import kgan
from kgan.metrics import FeatureNetwork
from kgan.metrics.tags import TagClassifier
from kgan.metrics.tags import change_one_tag
from kgan.metrics.tags import grouped_tag_loss
from kgan.metrics.tags import identity_distances
from kgan.metrics.tags import tag_accuracy
from kgan.models import ConditionalGAN

GROUPS = {"colour": [0, 1, 2], "glasses": [3, 4]}


def one_per_group(rng, n):
    tags = np.zeros((n, 5), "float32")
    tags[np.arange(n), rng.integers(0, 3, n)] = 1.0
    tags[np.arange(n), 3 + rng.integers(0, 2, n)] = 1.0
    return tags


def numpy_grouped_loss(tags, logits):
    total = np.zeros(len(tags))
    for columns in GROUPS.values():
        z = logits[:, columns]
        log_softmax = z - z.max(1, keepdims=True)
        log_softmax -= np.log(np.exp(log_softmax).sum(1, keepdims=True))
        total -= (tags[:, columns] * log_softmax).sum(1)
    return total


def test_grouped_loss_matches_numpy():
    rng = np.random.default_rng(0)
    tags = one_per_group(rng, 6)
    logits = rng.standard_normal((6, 5)).astype("float32")
    loss = keras.ops.convert_to_numpy(grouped_tag_loss(GROUPS)(tags, logits))
    np.testing.assert_allclose(loss, numpy_grouped_loss(tags, logits), rtol=1e-5)


def test_tag_accuracy_per_group():
    tags = np.array([[1, 0, 0, 0, 1], [0, 1, 0, 1, 0], [0, 0, 1, 1, 0], [1, 0, 0, 0, 1]], "float32")
    logits = np.array(
        [[3, 0, 0, 0, 1], [0, 0, 5, 2, 0], [0, 1, 2, 0, 1], [1, 0, 0, 0, 1]], "float32"
    )
    # colour: rows 0, 2, 3 right; glasses: rows 0, 1, 3 right.
    assert tag_accuracy(logits, tags, GROUPS) == {"colour": 0.75, "glasses": 0.75}


def test_tag_accuracy_rejects_bad_input():
    with pytest.raises(ValueError, match="one shape"):
        tag_accuracy(np.zeros((2, 5)), np.zeros((2, 4)), GROUPS)
    with pytest.raises(ValueError, match="outside the 5 columns"):
        tag_accuracy(np.zeros((2, 5)), np.zeros((2, 5)), {"x": [4, 5]})


def tiny_classifier():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.GlobalAveragePooling2D()(inputs)
    return keras.Model(inputs, keras.layers.Dense(5)(x), name="tiny_tags")


def test_classifier_accuracy_on_images_it_can_read():
    # A hand-set classifier: channel means decide colour (R, G, B) and glasses.
    model = tiny_classifier()
    kernel = np.zeros((3, 5), "float32")
    kernel[:, :3] = 10 * np.eye(3)
    kernel[0, 3] = 10.0  # red images "wear glasses"
    model.layers[-1].set_weights([kernel, np.zeros(5, "float32")])
    rng = np.random.default_rng(1)
    colour = rng.integers(0, 3, 20)
    images = np.full((20, 8, 8, 3), -1.0, "float32")
    images[np.arange(20), ..., colour] = 1.0
    tags = np.zeros((20, 5), "float32")
    tags[np.arange(20), colour] = 1.0
    tags[np.arange(20), np.where(colour == 0, 3, 4)] = 1.0
    classifier = TagClassifier(model, GROUPS)
    assert classifier.accuracy(images, tags) == {"colour": 1.0, "glasses": 1.0}
    # uint8 images are scaled to [-1, 1] first: the same answer.
    uint8 = np.round((images + 1) * 127.5).astype("uint8")
    assert classifier.accuracy(uint8, tags) == {"colour": 1.0, "glasses": 1.0}
    tags[:, [3, 4]] = tags[:, [4, 3]]
    assert classifier.accuracy(images, tags)["glasses"] == 0.0


def test_fidelity_generates_the_requested_tags():
    gan = ConditionalGAN.create(
        8, 3, tag_names=list("abcde"), latent_dim=4, width=4, embedding_dim=4, residual_blocks=0
    )
    classifier = TagClassifier(tiny_classifier(), GROUPS)
    tags = one_per_group(np.random.default_rng(2), 10)
    result = classifier.fidelity(gan, tags, seed=0)
    images = gan.generate(10, seed=0, conditions=tags)
    assert result == classifier.accuracy(images, tags)
    assert set(result) == set(GROUPS) and all(0.0 <= v <= 1.0 for v in result.values())


def test_classifier_checks_groups_against_its_outputs():
    with pytest.raises(ValueError, match="outside the 5 columns"):
        TagClassifier(tiny_classifier(), {"x": [0, 9]})


def test_change_one_tag_switches_exactly_one_group():
    tags = one_per_group(np.random.default_rng(4), 12)
    changed, groups = change_one_tag(tags, GROUPS, seed=0)
    assert groups == ["colour", "glasses"] * 6
    for before, after, group in zip(tags, changed, groups):
        columns = GROUPS[group]
        other = [c for c in range(5) if c not in columns]
        np.testing.assert_array_equal(before[other], after[other])
        assert after[columns].sum() == 1 and np.argmax(after[columns]) != np.argmax(before[columns])


def test_identity_distances_against_numpy():
    gan = ConditionalGAN.create(
        8, 3, tag_names=list("abcde"), latent_dim=4, width=4, embedding_dim=4, residual_blocks=0
    )
    tags = one_per_group(np.random.default_rng(5), 6)
    features = FeatureNetwork(tiny_classifier(), "tiny")
    result = identity_distances(gan, tags, GROUPS, features=features, seed=3)
    changed, _ = change_one_tag(tags, GROUPS, seed=3)
    base = gan.generate(6, seed=3, conditions=tags).astype("float64")
    one_tag = gan.generate(6, seed=3, conditions=changed).astype("float64")
    other_seed = gan.generate(6, seed=4, conditions=tags).astype("float64")
    np.testing.assert_allclose(result["pixel"]["one_tag"], np.abs(one_tag - base).mean() / 255, rtol=1e-6)
    np.testing.assert_allclose(
        result["pixel"]["other_seed"], np.abs(other_seed - base).mean() / 255, rtol=1e-6
    )
    by_row = np.abs(one_tag - base).mean(axis=(1, 2, 3)) / 255
    np.testing.assert_allclose(result["pixel"]["one_tag_by_group"]["glasses"], by_row[1::2].mean(), rtol=1e-6)
    distance = np.linalg.norm(features(one_tag.astype("uint8")) - features(base.astype("uint8")), axis=1)
    np.testing.assert_allclose(result["features"]["one_tag"], distance.mean(), rtol=1e-5)


def test_shipped_avatar_classifier_reads_fresh_avatars():
    from kgan.data import load_avatars
    from kgan.metrics import avatar_tag_classifier

    classifier = avatar_tag_classifier()
    assert list(classifier.groups) == list(kgan.data.avatar_tag_groups())
    # Avatars 0..47 of the held-out seed, drawn here without the cache.
    data = load_avatars(n=48, size=64, seed=1, cache=False, progress=False)
    accuracy = classifier.accuracy(data.images, data.tags)
    assert accuracy["hair_color"] >= 0.95 and accuracy["glasses"] >= 0.9
    # Shuffled tags: the classifier does not just agree with anything.
    shuffled = classifier.accuracy(data.images, data.tags[::-1])
    assert shuffled["hair_color"] < 0.5
