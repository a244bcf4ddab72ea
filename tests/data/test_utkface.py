"""Tests for kgan.data.utkface on a tiny folder of UTKFace-named images (REFERENCE.md 3)."""

import warnings

import numpy as np
import pytest
from PIL import Image

from kgan.data.arrays import ArrayDataset
from kgan.data.utkface import AGE_GROUPS
from kgan.data.utkface import GENDERS
from kgan.data.utkface import RACES
from kgan.data.utkface import FaceAgeData
from kgan.data.utkface import age_group
from kgan.data.utkface import face_age_labels
from kgan.data.utkface import load_utkface
from kgan.data.utkface import load_utkface_uint8
from kgan.data.utkface import parse_utkface_name
from kgan.data.utkface import utkface_dataset

# (file name, colour, size): UTKFace names, the "aligned & cropped" `.chip.jpg` kind too.
_GOOD = [
    ("1_0_2_20161219140623097.jpg", (200, 30, 30), (40, 40)),
    ("25_1_3_20170119171413953.jpg.chip.jpg", (30, 200, 30), (40, 40)),
    ("71_0_0_20170120134639935.jpg.chip.jpg", (30, 30, 200), (40, 40)),
    ("6_1_4_20170103230000000.png", (220, 220, 40), (24, 24)),
]
_BAD = [
    "39_1_20170116174525125.jpg.chip.jpg",  # no race (a real UTKFace mistake)
    "61_3_0_20170109150557335.jpg",  # gender 3
    "117_0_0_20170109150557335.jpg",  # age above 116
    "portrait.jpg",
]


def _write(path, colour, size):
    Image.new("RGB", size, colour).save(path, quality=95)


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "UTKFace"
    root.mkdir()
    for name, colour, size in _GOOD:
        _write(root / name, colour, size)
    for name in _BAD:
        _write(root / name, (0, 0, 0), (8, 8))
    (root / "README.txt").write_text("not an image")
    return root


def test_constants_follow_caae():
    assert AGE_GROUPS == (
        "0-5", "6-10", "11-15", "16-20", "21-30", "31-40", "41-50", "51-60", "61-70", "71+",
    )
    assert GENDERS == ("male", "female") and len(RACES) == 5


def test_parse_good_and_malformed_names():
    assert parse_utkface_name("25_1_3_20170119171413953.jpg.chip.jpg") == (25, 1, 3)
    assert parse_utkface_name("/data/UTKFace/100_0_0_20170112213500903.jpg") == (100, 0, 0)
    assert parse_utkface_name("0_0_4_20170103.jpg") == (0, 0, 4)
    assert parse_utkface_name("116_1_0_x.jpg") == (116, 1, 0)
    for name in _BAD + ["25_1_5_2017.jpg", "a_1_0_2017.jpg", "25_1_0.jpg", "-5_1_0_x.jpg"]:
        assert parse_utkface_name(name) is None, name


def test_age_group_boundaries():
    cases = {0: 0, 5: 0, 6: 1, 10: 1, 11: 2, 15: 2, 16: 3, 20: 3, 21: 4, 30: 4,
             31: 5, 40: 5, 41: 6, 50: 6, 51: 7, 60: 7, 61: 8, 70: 8, 71: 9, 116: 9}
    for age, group in cases.items():
        assert age_group(age) == group, age
        assert isinstance(age_group(age), int)
    ages = np.array(list(cases))
    groups = age_group(ages)
    assert groups.dtype == np.int32 and groups.tolist() == list(cases.values())
    assert age_group(np.array([[5, 6]])).shape == (1, 2)
    assert age_group(25.0) == 4 and age_group(np.int64(71)) == 9


@pytest.mark.parametrize("bad", [-1, [3, -2], 2.5, [1.0, np.nan], "25", True, None])
def test_age_group_rejects_bad_ages(bad):
    with pytest.raises(ValueError, match="`age`"):
        age_group(bad)


def test_load_reads_parses_and_warns_once(folder):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        faces = load_utkface_uint8(folder, image_size=16)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1
    assert messages[0].startswith(
        "skipped 4 files whose names are not age_gender_race_date.jpg: e.g. "
    )
    assert "portrait.jpg" in messages[0] and "README" not in messages[0]
    assert isinstance(faces, FaceAgeData)
    assert faces.images.shape == (4, 16, 16, 3) and faces.images.dtype == np.uint8
    # Sorted by file name: 1_..., 25_..., 6_..., 71_...
    assert faces.ages.tolist() == [1, 25, 6, 71]
    assert faces.age_groups.tolist() == [0, 4, 1, 9]
    assert faces.genders.tolist() == [0, 1, 1, 0]
    assert faces.races.tolist() == [2, 3, 4, 0]
    assert faces.identities is None
    for labels in (faces.age_groups, faces.genders, faces.races, faces.ages):
        assert labels.dtype == np.int32
    expected = [(200, 30, 30), (30, 200, 30), (220, 220, 40), (30, 30, 200)]
    for image, colour in zip(faces.images, expected):
        assert np.abs(image.astype(int) - colour).max() <= 6  # JPEG


def test_non_square_images_are_centre_cropped(tmp_path):
    image = np.zeros((20, 60, 3), np.uint8)
    image[:, :20] = (255, 0, 0)
    image[:, 20:40] = (0, 255, 0)
    image[:, 40:] = (0, 0, 255)
    Image.fromarray(image).save(tmp_path / "30_0_1_2017.png")
    (image,) = load_utkface_uint8(tmp_path, image_size=8).images
    assert image.shape == (8, 8, 3)
    assert (image == (0, 255, 0)).all()


def test_float_loader_and_dataset(folder):
    with pytest.warns(UserWarning, match="skipped 4 files"):
        faces = load_utkface(folder, image_size=8)
    assert faces.images.dtype == np.float32 and faces.images.shape == (4, 8, 8, 3)
    assert -1.0 <= faces.images.min() and faces.images.max() <= 1.0
    assert face_age_labels(faces).tolist() == [[0, 0], [4, 1], [1, 1], [9, 0]]
    with pytest.warns(UserWarning):
        data = utkface_dataset(folder, batch_size=2, image_size=8, seed=3)
    assert isinstance(data, ArrayDataset) and len(data) == 2
    images, labels = data[0]
    assert images.shape == (2, 8, 8, 3) and images.dtype == np.float32
    assert labels.shape == (2, 2) and labels.dtype == np.int32


def test_recursive_reads_subfolders(tmp_path):
    for part, name in (("part1", "10_0_0_a.jpg"), ("part2", "50_1_1_b.jpg")):
        (tmp_path / part).mkdir()
        _write(tmp_path / part / name, (128, 128, 128), (12, 12))
    with pytest.raises(ValueError, match="recursive=True"):
        load_utkface_uint8(tmp_path)
    faces = load_utkface_uint8(tmp_path, image_size=8, recursive=True)
    assert faces.ages.tolist() == [10, 50]


def test_errors(tmp_path, folder):
    with pytest.raises(FileNotFoundError, match="`directory`.*not a folder"):
        load_utkface_uint8(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    _write(empty / "holiday.jpg", (0, 0, 0), (8, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="no image named like UTKFace"):
            load_utkface_uint8(empty)
    for bad in (4, 64.0, True, "64"):
        with pytest.raises(ValueError, match="`image_size`"):
            load_utkface_uint8(folder, image_size=bad)
    with pytest.raises(ValueError, match="`directory`"):
        load_utkface_uint8(None)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "30_0_0_x.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(ValueError, match="Could not read the image"):
        load_utkface_uint8(broken)
