"""Tests for kgan.data.aging_faces: facesjs under node (when installed), tiny sets at 16-32 px."""

import hashlib
import json
import os
import shutil

import numpy as np
import pytest

from kgan.data import _npm
from kgan.data import aging_faces as aging_faces_module
from kgan.data.aging_faces import AGING_FACES_TEST_ID_OFFSET
from kgan.data.aging_faces import AGING_FACES_TEST_IDENTITIES
from kgan.data.aging_faces import AGING_FACES_TRAIN_IDENTITIES
from kgan.data.aging_faces import FACESJS_ATTRIBUTION
from kgan.data.aging_faces import FACESJS_LICENSE
from kgan.data.aging_faces import FACESJS_VERSION
from kgan.data.aging_faces import aging_faces_dataset
from kgan.data.aging_faces import aging_faces_identities
from kgan.data.aging_faces import draw_aging_faces
from kgan.data.aging_faces import facesjs_package_dir
from kgan.data.aging_faces import identity_seed
from kgan.data.aging_faces import install_facesjs_package
from kgan.data.aging_faces import load_aging_faces
from kgan.data.aging_faces import load_aging_faces_uint8
from kgan.data.arrays import ArrayDataset
from kgan.data.utkface import AGE_GROUPS
from kgan.data.utkface import FaceAgeData

# Resolved before any test changes KGAN_HOME: the user's installed package, if any.
_REAL_PACKAGE_DIR = facesjs_package_dir()
_HAVE_FACESJS = shutil.which("node") is not None and os.path.isfile(
    os.path.join(_REAL_PACKAGE_DIR, "build", "index.js")
)
needs_facesjs = pytest.mark.skipif(
    not _HAVE_FACESJS,
    reason="needs `node` and npm facesjs (make install, or "
    "kgan.data.install_facesjs_package())",
)
_SIZE = 32


@pytest.fixture
def kgan_home(tmp_path, monkeypatch):
    home = tmp_path / "kgan_home"
    monkeypatch.setenv("KGAN_HOME", str(home))
    monkeypatch.delenv("KGAN_FACESJS_DIR", raising=False)
    return home


@pytest.fixture(scope="module")
def faces():
    """Identities 0, 1, 2 (man, woman, man) at all 10 ages, 32x32, not cached."""
    return draw_aging_faces([0, 1, 2], image_size=_SIZE, package_dir=_REAL_PACKAGE_DIR)


@pytest.fixture(scope="module")
def cached_test_split(tmp_path_factory):
    """The first 2 test identities at 16x16, built into a fresh cache folder."""
    cache_dir = tmp_path_factory.mktemp("aging_cache")
    data = load_aging_faces_uint8(
        "test", image_size=16, n_identities=2, package_dir=_REAL_PACKAGE_DIR,
        cache_dir=cache_dir, progress=False, workers=1,
    )
    return cache_dir, data


def test_constants_and_splits():
    assert FACESJS_VERSION == "5.0.3" and FACESJS_LICENSE == "Apache-2.0"
    assert "Jeremy Scheff" in FACESJS_ATTRIBUTION
    assert (AGING_FACES_TRAIN_IDENTITIES, AGING_FACES_TEST_IDENTITIES) == (1200, 200)
    train = aging_faces_identities("train")
    test = aging_faces_identities("test")
    assert train == list(range(1200))
    assert test == list(range(AGING_FACES_TEST_ID_OFFSET, AGING_FACES_TEST_ID_OFFSET + 200))
    assert aging_faces_identities("test", 3) == test[:3]
    # Disjoint people with distinct seeds; genders balanced in both splits.
    seeds = [identity_seed(i) for i in train + test]
    assert len(set(seeds)) == len(seeds) and all(0 <= s < 2**32 for s in seeds)
    assert identity_seed(5) == int.from_bytes(
        hashlib.sha256(b"kgan-aging-faces-5").digest()[:4], "big"
    )
    for ids in (train, test):
        assert sum(i % 2 for i in ids) == len(ids) // 2


def test_package_dir_and_install_without_npm(tmp_path, kgan_home, monkeypatch):
    default = kgan_home / "npm" / "node_modules" / "facesjs"
    assert facesjs_package_dir() == str(default)
    monkeypatch.setenv("KGAN_FACESJS_DIR", str(tmp_path / "env"))
    assert facesjs_package_dir() == str(tmp_path / "env")
    assert facesjs_package_dir(tmp_path / "arg") == str(tmp_path / "arg")
    monkeypatch.setattr(_npm.shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="(?s)needs `npm`.*facesjs@5.0.3"):
        install_facesjs_package()
    with pytest.raises(ValueError, match="`version`"):
        install_facesjs_package("")


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="`split`"):
        aging_faces_identities("validation")
    for bad in (0, -3, 2.0, True, AGING_FACES_TEST_ID_OFFSET + 1):
        with pytest.raises(ValueError, match="`n_identities`"):
            aging_faces_identities("train", bad)
    for kwargs, name in (
        (dict(image_size=4), "image_size"),
        (dict(image_size=32.0), "image_size"),
        (dict(workers=0), "workers"),
        (dict(split="all"), "split"),
    ):
        with pytest.raises(ValueError, match=f"`{name}`"):
            load_aging_faces_uint8(package_dir=tmp_path, cache=False, **kwargs)
    for bad in ([], [1, 1], [-1], "12", [1.5], 3):
        with pytest.raises(ValueError, match="`identities"):
            draw_aging_faces(bad, package_dir=tmp_path)
    for bad in ([], [10], [-1], [2.0], "0"):
        with pytest.raises(ValueError, match="`age_groups"):
            draw_aging_faces([0], age_groups=bad, package_dir=tmp_path)


def test_missing_package_and_missing_node(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="(?s)facesjs npm package was not found.*"
                       "npm install .*facesjs@5.0.3"):
        load_aging_faces_uint8(package_dir=tmp_path / "nowhere", cache=False)
    fake = tmp_path / "facesjs"
    (fake / "build").mkdir(parents=True)
    (fake / "build" / "index.js").write_text("export {};\n")
    monkeypatch.setattr(aging_faces_module.shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="(?s)`node` was not found.*apt-get install nodejs"):
        draw_aging_faces([0], package_dir=fake)


def test_node_failure_is_reported(tmp_path):
    if shutil.which("node") is None:
        pytest.skip("needs `node`")
    fake = tmp_path / "facesjs"
    (fake / "build").mkdir(parents=True)
    (fake / "build" / "index.js").write_text("throw new Error('broken facesjs');\n")
    with pytest.raises(RuntimeError, match="(?s)failed with exit status 1.*broken facesjs"):
        draw_aging_faces([0], age_groups=[4], image_size=8, package_dir=fake)


@needs_facesjs
def test_shapes_and_labels(faces):
    assert isinstance(faces, FaceAgeData)
    assert faces.images.shape == (30, _SIZE, _SIZE, 3) and faces.images.dtype == np.uint8
    assert faces.identities.tolist() == [0] * 10 + [1] * 10 + [2] * 10
    assert faces.age_groups.tolist() == list(range(10)) * 3
    assert faces.genders.tolist() == [0] * 10 + [1] * 10 + [0] * 10
    for labels in (faces.identities, faces.age_groups, faces.genders, faces.races):
        assert labels.dtype == np.int32 and labels.shape == (30,)
    # One race per person, in UTKFace's codes (white, black, asian, "indian").
    assert set(faces.races.tolist()) <= {0, 1, 2, 3}
    assert all(len(set(faces.races[i * 10 : i * 10 + 10].tolist())) == 1 for i in range(3))
    assert faces.ages is None
    # A face on white: white corners, and a drawing in the middle.
    assert (faces.images[:, 0, 0] == 255).all()
    assert (faces.images.reshape(30, -1).min(axis=1) < 60).all()
    assert len(AGE_GROUPS) == 10


@needs_facesjs
def test_same_seed_same_pixels(faces):
    again = draw_aging_faces([2, 0], age_groups=[9, 0, 5], image_size=_SIZE,
                             package_dir=_REAL_PACKAGE_DIR)
    assert again.identities.tolist() == [2, 2, 2, 0, 0, 0]
    assert again.age_groups.tolist() == [9, 0, 5] * 2
    rows = [29, 20, 25, 9, 0, 5]  # the same faces in the fixture
    np.testing.assert_array_equal(again.images, faces.images[rows])


@needs_facesjs
def test_ages_differ_and_identity_persists(faces):
    images = faces.images.astype(np.float32).reshape(3, 10, _SIZE, _SIZE, 3)
    for person in range(3):
        drawn = [images[person, group] for group in range(10)]
        for group in range(9):
            assert np.abs(drawn[group] - drawn[group + 1]).mean() > 0.5, (person, group)
        # Children are drawn smaller: the figure grows until 21-30.
        ink = [(image.min(axis=-1) < 250).mean() for image in drawn]
        assert ink[0] < ink[1] < ink[2] < ink[3] < ink[4], (person, ink)
        # Adults: the same person at the next age group is closer than another
        # person at the same age group.
        for group in range(4, 9):
            same = np.abs(drawn[group] - drawn[group + 1]).mean()
            others = [
                np.abs(drawn[group] - images[other, group]).mean()
                for other in range(3) if other != person
            ]
            assert same < min(others), (person, group, same, others)


@needs_facesjs
def test_cache_round_trip(cached_test_split, monkeypatch):
    cache_dir, built = cached_test_split
    path = cache_dir / "aging_faces_test_16px_n2.npz"
    assert path.is_file()
    assert built.images.shape == (20, 16, 16, 3)
    assert built.identities.tolist() == [AGING_FACES_TEST_ID_OFFSET] * 10 + [
        AGING_FACES_TEST_ID_OFFSET + 1
    ] * 10

    def no_drawing(*args, **kwargs):
        raise AssertionError("drew instead of reading the cache")

    monkeypatch.setattr(aging_faces_module, "_draw", no_drawing)
    read = load_aging_faces_uint8("test", image_size=16, n_identities=2,
                                  package_dir=_REAL_PACKAGE_DIR, cache_dir=cache_dir)
    for name in FaceAgeData._fields:
        expected, received = getattr(built, name), getattr(read, name)
        if expected is None:
            assert received is None
        else:
            np.testing.assert_array_equal(received, expected)
    with np.load(path) as stored:
        key = json.loads(str(stored["key"]))
    assert key["version"] == FACESJS_VERSION and key["split"] == "test"
    # Another drawing script is another key: the set is drawn again.
    monkeypatch.setattr(aging_faces_module, "_script_sha256", lambda: "changed")
    with pytest.raises(AssertionError, match="drew instead"):
        load_aging_faces_uint8("test", image_size=16, n_identities=2,
                               package_dir=_REAL_PACKAGE_DIR, cache_dir=cache_dir)


@needs_facesjs
def test_float_loader_and_dataset(cached_test_split):
    cache_dir, built = cached_test_split
    faces = load_aging_faces("test", image_size=16, n_identities=2,
                             package_dir=_REAL_PACKAGE_DIR, cache_dir=cache_dir)
    assert faces.images.dtype == np.float32
    assert faces.images.min() >= -1.0 and faces.images.max() == 1.0
    np.testing.assert_array_equal(faces.age_groups, built.age_groups)
    data = aging_faces_dataset(batch_size=8, split="test", image_size=16, n_identities=2,
                               package_dir=_REAL_PACKAGE_DIR, cache_dir=cache_dir, seed=1)
    assert isinstance(data, ArrayDataset) and len(data) == 2
    images, labels = data[0]
    assert images.shape == (8, 16, 16, 3) and images.dtype == np.float32
    assert labels.shape == (8, 2) and labels.dtype == np.int32
    assert set(labels[:, 0].tolist()) <= set(range(10))
    assert set(labels[:, 1].tolist()) <= {0, 1}
    # Labels travel with their images.
    for image, (group, gender) in zip(images, labels):
        row = int(np.argmin(np.abs(faces.images - image).reshape(20, -1).max(axis=1)))
        assert (faces.age_groups[row], faces.genders[row]) == (group, gender)
