"""Face-aging metrics with fake faces, fake models and a classifier that reads a pixel pattern."""

import json
import os
import shutil

import keras
import numpy as np
import pytest

import kgan
from kgan import images as image_utils
from kgan.data.utkface import FaceAgeData
from kgan.metrics import AgeClassifier
from kgan.metrics import evaluate_aging
from kgan.metrics import frechet_distance
from kgan.metrics import group_accuracy
from kgan.metrics.aging import _partners
from kgan.models import CAAE

SIZE = 16
GROUPS = 10


def stamp(images, age_groups, genders):
    """Writes the labels into row 0, red channel: 255 at column `group` and `10 + gender`."""
    images = images.copy()
    images[:, 0, :12, 0] = 0
    rows = np.arange(len(images))
    images[rows, 0, age_groups, 0] = 255
    images[rows, 0, 10 + genders, 0] = 255
    return images


def fake_faces(people=3, seed=0):
    """`people` people at every age group, identity-major like the test split."""
    identities = np.repeat(np.arange(people), GROUPS).astype("int32")
    age_groups = np.tile(np.arange(GROUPS), people).astype("int32")
    genders = (identities % 2).astype("int32")
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (len(identities), SIZE, SIZE, 3)).astype(np.uint8)
    return FaceAgeData(stamp(images, age_groups, genders), age_groups, genders, None, None, identities)


def pixel_classifier():
    """Logits = the stamped pixels: a perfect age (10) and gender (2) classifier of stamped faces."""
    inputs = keras.Input((SIZE, SIZE, 3))
    flat = keras.layers.Flatten()(inputs)
    dense = keras.layers.Dense(12, use_bias=False, name="features")
    logits = dense(flat)
    kernel = np.zeros((SIZE * SIZE * 3, 12), "float32")
    kernel[np.arange(12) * 3, np.arange(12)] = 1.0  # pixel (0, column, red)
    dense.set_weights([kernel])
    return AgeClassifier(keras.Model(inputs, logits, name="pixel_classifier"), age_groups=GROUPS)


class Perfect:
    """Renders each face at group k by stamping k over it (gender kept)."""

    def translate(self, faces, groups=None, genders=None, batch_size=64):
        faces = image_utils.to_uint8(faces)
        out = np.repeat(faces[:, None], GROUPS, axis=1)
        for k in range(GROUPS):
            out[:, k] = stamp(out[:, k], np.full(len(faces), k), np.asarray(genders))
        return out


class Unchanged:
    """Ignores the age: every rendering is the input face."""

    def translate(self, faces, groups=None, genders=None, batch_size=64):
        return np.repeat(image_utils.to_uint8(faces)[:, None], GROUPS, axis=1)


@pytest.fixture(scope="module")
def classifier():
    return pixel_classifier()


def test_group_accuracy():
    result = group_accuracy([0, 1, 1, 3], [0, 1, 2, 2], groups=4)
    assert result["per_group"] == [1.0, 1.0, 0.0, None]
    assert result["overall"] == 0.5
    assert result["mean_group_error"] == 0.5


def test_partners_are_other_people_and_fixed():
    people = np.repeat(np.arange(4), 5)
    partners = _partners(people, seed=0)
    assert np.all(people[partners] != people)
    np.testing.assert_array_equal(partners, _partners(people, seed=0))
    assert np.all(_partners(np.zeros(3, "int64"), seed=0) == -1)  # one person: nobody else


def test_perfect_model_and_classifier_score_one(classifier):
    data = fake_faces()
    result = evaluate_aging(
        Perfect(), data.images, data.age_groups, data.genders, data.identities, classifier,
        classifier.features(),
    )
    assert result["classifier_accuracy_real"]["per_group"] == [1.0] * GROUPS
    assert result["classifier_accuracy_real"]["overall"] == 1.0
    assert result["aging_accuracy"]["per_group"] == [1.0] * GROUPS
    assert result["aging_accuracy"]["overall"] == 1.0
    assert result["aging_accuracy"]["other_groups"] == 1.0
    assert result["aging_accuracy"]["mean_group_error"] == 0.0
    assert result["gender_accuracy"] == {"real": 1.0, "rendered": 1.0}
    assert result["reconstruction_l1"] == 0.0 and result["reconstruction_psnr"] == 100.0


def test_model_that_ignores_age_is_at_chance_and_keeps_the_face(classifier):
    data = fake_faces()
    result = evaluate_aging(
        Unchanged(), data.images, data.age_groups, data.genders, data.identities, classifier
    )
    # Each target group k is hit only by the faces that were already k: 1 in 10.
    assert result["aging_accuracy"]["per_group"] == pytest.approx([0.1] * GROUPS)
    assert result["aging_accuracy"]["overall"] == pytest.approx(0.1)
    assert result["aging_accuracy"]["other_groups"] == 0.0
    assert result["same_face_distance"] == 0.0
    assert result["other_face_distance"] > 0 and result["identity_ratio"] == 0.0
    assert result["reconstruction_l1"] == 0.0


def test_distances_in_grey_levels():
    # Person 0 is all grey 50, person 1 all grey 150: other people differ by 100 levels.
    identities = np.repeat([0, 1], GROUPS)
    images = np.where(identities[:, None, None, None] == 0, 50, 150) * np.ones((1, SIZE, SIZE, 3))
    images = images.astype(np.uint8)
    result = evaluate_aging(
        Unchanged(), images, np.tile(np.arange(GROUPS), 2), identities % 2, identities
    )
    assert result["same_face_distance"] == 0.0
    assert result["other_face_distance"] == pytest.approx(100.0)
    assert result["identity_ratio"] == 0.0
    real = result["identity_real"]["pixel"]
    assert real == {"same_person_distance": 0.0, "other_person_distance": pytest.approx(100.0), "ratio": 0.0}
    assert "classifier_accuracy_real" not in result and "fid" not in result


@pytest.fixture(scope="module")
def caae():
    return CAAE.create(SIZE, latent_dim=10, width=4, discriminator_width=4, seed=0)


# Under JAX every new batch shape compiles the networks again: one batch size for all CAAE calls.
BATCH = 20


def test_caae_keys_shapes_and_values_against_numpy(caae, classifier):
    data = fake_faces(people=2)
    features = classifier.features()
    floor = fake_faces(people=3, seed=1).images
    result = evaluate_aging(
        caae, data.images, data.age_groups, data.genders, data.identities, classifier, features,
        floor_faces=floor, batch_size=BATCH,
    )
    for key in ("classifier_accuracy_real", "aging_accuracy"):
        assert len(result[key]["per_group"]) == GROUPS
        assert all(0.0 <= v <= 1.0 for v in result[key]["per_group"])
    for key in ("same_face_distance", "other_face_distance", "identity_ratio"):
        assert result[key] >= 0 and result["identity_features"][key] >= 0
    assert set(result["identity_real"]) == {"pixel", "features"}
    assert result["features"] == "pixel_classifier/12"
    assert (result["faces"], result["samples"], result["real_samples"]) == (20, 200, 20)
    assert result["floor_samples"] == 30 and result["floor"] >= 0 and result["fid"] >= 0
    assert result["kid_std"] >= 0

    floats = image_utils.to_float(data.images)
    rendered = caae.translate(floats, genders=data.genders, batch_size=BATCH).astype(float)
    assert rendered.shape == (20, GROUPS, SIZE, SIZE, 3)
    own = rendered[np.arange(20), data.age_groups]
    assert result["reconstruction_l1"] == pytest.approx(np.abs(own - data.images).mean(), rel=1e-6)
    same = [
        np.abs(rendered[i, k] - rendered[i, m]).mean()
        for i in range(20) for k in range(GROUPS) for m in range(k + 1, GROUPS)
    ]
    assert result["same_face_distance"] == pytest.approx(np.mean(same), rel=1e-5)
    partners = _partners(data.identities, seed=0)
    other = np.abs(rendered - rendered[partners]).mean()
    assert result["other_face_distance"] == pytest.approx(other, rel=1e-5)
    real_features = features(data.images)
    fake_features = features(rendered.reshape(-1, SIZE, SIZE, 3).astype(np.uint8))
    expected = frechet_distance(
        real_features.mean(0), np.cov(real_features, rowvar=False),
        fake_features.mean(0), np.cov(fake_features, rowvar=False),
    )
    assert result["fid"] == pytest.approx(expected, rel=1e-6, abs=1e-6)
    json_ready = json.dumps(result)
    assert "NaN" not in json_ready


def test_float_faces_and_max_faces(caae, classifier):
    data = fake_faces()
    options = dict(classifier=classifier, max_faces=20, batch_size=BATCH)
    as_uint8 = evaluate_aging(caae, data.images, data.age_groups, data.genders, **options)
    as_float = evaluate_aging(caae, image_utils.to_float(data.images), data.age_groups, data.genders, **options)
    assert as_uint8["faces"] == 20 and as_uint8["samples"] == 200
    assert as_float["reconstruction_l1"] == pytest.approx(as_uint8["reconstruction_l1"])
    assert as_float["aging_accuracy"] == as_uint8["aging_accuracy"]
    assert "identity_real" not in as_uint8  # no identities


def test_bad_inputs(caae, classifier):
    data = fake_faces(people=2)
    with pytest.raises(ValueError, match="age_groups"):
        evaluate_aging(caae, data.images, data.age_groups[:5], data.genders)
    with pytest.raises(ValueError, match="genders"):
        evaluate_aging(caae, data.images, data.age_groups, data.genders.astype("float32"))
    with pytest.raises(ValueError, match="at least 10 logits"):
        AgeClassifier(keras.Sequential([keras.Input((SIZE, SIZE, 3)), keras.layers.Flatten(), keras.layers.Dense(4)]))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        evaluate_aging(caae, data.images.astype("float32"), data.age_groups, data.genders)


def test_evaluate_on_aging_faces(caae, classifier, monkeypatch):
    splits = {"test": fake_faces(people=4), "train": fake_faces(people=3, seed=1)}

    def load(split="train", image_size=64, **kwargs):
        assert image_size == SIZE
        return splits[split]

    monkeypatch.setattr(kgan.data, "load_aging_faces_uint8", load)
    monkeypatch.setattr(kgan.metrics.aging, "age_classifier", lambda: classifier)
    result = kgan.metrics.evaluate_on(caae, "aging_faces", samples=20, batch_size=BATCH)
    assert result["dataset"] == "aging_faces" and "held-out" in result["reference"]
    assert (result["faces"], result["samples"], result["floor_samples"]) == (20, 200, 30)
    assert "floor" in kgan.zoo.describe_quality(result)


def _have_facesjs():
    from kgan.data.aging_faces import facesjs_package_dir

    return shutil.which("node") is not None and os.path.isfile(
        os.path.join(facesjs_package_dir(), "build", "index.js")
    )


@pytest.mark.skipif(not _have_facesjs(), reason="needs `node` and npm facesjs (make install)")
def test_shipped_classifier_on_real_held_out_faces():
    from kgan.data import aging_faces_identities
    from kgan.data import draw_aging_faces

    faces = draw_aging_faces(aging_faces_identities("test", 2), image_size=64)
    classifier = kgan.metrics.age_classifier()
    assert (classifier.age_groups, classifier.genders) == (10, 2)
    ages, genders = classifier.predict(faces.images)
    assert ages.shape == (20,) and ages.dtype.kind == "i"
    assert np.mean(ages == faces.age_groups) >= 0.6
    assert np.mean(np.abs(ages - faces.age_groups)) <= 0.5
    assert np.mean(genders == faces.genders) >= 0.9
    assert classifier.features()(faces.images).shape == (20, 128)
    assert classifier.features().name == "aging_faces_classifier/128"
