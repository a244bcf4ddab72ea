"""Tests for kgan.data.avatars: small sets (n <= 16, size <= 32) drawn offline."""

import importlib.metadata
import importlib.resources
import json
import os
from concurrent import futures

import numpy as np
import pytest

from kgan.data import _parallel
from kgan.data import avatars as avatars_module
from kgan.data.arrays import ArrayDataset
from kgan.data.avatars import AVATAR_ATTRIBUTION
from kgan.data.avatars import AVATAR_LICENSE
from kgan.data.avatars import AVATAR_OPTIONS
from kgan.data.avatars import AVATAR_PACKAGES
from kgan.data.avatars import AVATAR_STYLE
from kgan.data.avatars import AVATAR_TAG_GROUPS
from kgan.data.avatars import AVATAR_TAGS
from kgan.data.avatars import HAIR_COLOR_PALETTE
from kgan.data.avatars import SKIN_COLOR_PALETTE
from kgan.data.avatars import avatar_tag_groups
from kgan.data.avatars import avatar_tags
from kgan.data.avatars import avatars_dataset
from kgan.data.avatars import build_avatars
from kgan.data.avatars import encode_avatar_tags
from kgan.data.avatars import load_avatars
from kgan.data.avatars import nearest_color_name
from kgan.data.avatars import tag_counts

EXPECTED_TAGS = [
    "hair_color:none", "hair_color:black", "hair_color:brown", "hair_color:blonde",
    "hair_color:grey", "hair_color:red", "hair_color:orange", "hair_color:pink",
    "hair_color:purple", "hair_color:blue", "hair_color:green",
    "hair:long", "hair:tied", "hair:short", "hair:bald",
    "hair_accessory:none", "hair_accessory:flowers",
    "skin_color:light", "skin_color:medium", "skin_color:brown", "skin_color:dark",
    "eyes:open", "eyes:half_closed", "eyes:closed", "eyes:wink", "eyes:sparkling",
    "mouth:closed", "mouth:open", "mouth:teeth", "mouth:tongue", "mouth:lipstick",
    "mouth:pout",
    "glasses:none", "glasses:regular", "glasses:sunglasses",
    "face_detail:none", "face_detail:blush", "face_detail:freckles",
    "face_detail:birthmark", "face_detail:mustache",
]


def _style_definition():
    path = importlib.resources.files("dicebear_styles").joinpath("adventurer.json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def kgan_home(tmp_path, monkeypatch):
    home = tmp_path / "kgan_home"
    monkeypatch.setenv("KGAN_HOME", str(home))
    return home


@pytest.fixture(scope="module")
def small():
    """16 avatars at 32x32, seed 0, drawn once for the module (not cached)."""
    return load_avatars(n=16, size=32, seed=0, cache=False, progress=False)


def test_constants_and_vocabulary_are_stable():
    assert AVATAR_STYLE == "adventurer" and AVATAR_LICENSE == "CC BY 4.0"
    assert "Lisa Wischofsky" in AVATAR_ATTRIBUTION
    assert list(AVATAR_TAGS) == EXPECTED_TAGS
    assert 20 <= len(AVATAR_TAGS) <= 80 and len(set(AVATAR_TAGS)) == len(AVATAR_TAGS)
    groups = avatar_tag_groups()
    assert list(groups) == list(AVATAR_TAG_GROUPS)
    flat = sorted(index for indices in groups.values() for index in indices)
    assert flat == list(range(len(AVATAR_TAGS)))  # the groups partition the tags
    for group, indices in groups.items():
        assert all(AVATAR_TAGS[i].startswith(group + ":") for i in indices)


def test_installed_packages_match_the_pins_and_the_style_licence():
    for name, version in AVATAR_PACKAGES.items():
        assert importlib.metadata.version(name) == version
    meta = _style_definition()["meta"]["license"]
    assert meta["name"] == AVATAR_LICENSE and meta["text"] == AVATAR_ATTRIBUTION


def test_every_variant_and_colour_of_the_style_has_a_tag():
    definition = _style_definition()
    components = definition["components"]
    tables = {
        "hair": avatars_module._HAIR_SHAPES,
        "eyes": avatars_module._EYE_SHAPES,
        "mouth": avatars_module._MOUTH_SHAPES,
        "glasses": avatars_module._GLASSES,
        "details": avatars_module._FACE_DETAILS,
    }
    for component, table in tables.items():
        assert sorted(components[component]["variants"]) == sorted(table), component
    hair = [nearest_color_name(c, HAIR_COLOR_PALETTE)
            for c in definition["colors"]["hair"]["values"]]
    assert hair == ["black", "blonde", "blonde", "brown", "blue", "brown", "brown",
                    "grey", "green", "pink", "purple", "orange", "orange", "red"]
    skin = [nearest_color_name(c, SKIN_COLOR_PALETTE)
            for c in definition["colors"]["skin"]["values"]]
    assert skin == ["light", "medium", "brown", "dark"]


def test_avatar_tags_from_resolved_options():
    options = {"hairVariant": "long08", "hairColor": ["#e5d7a3"],
               "skinColor": ["#9e5622"], "eyesVariant": "variant21",
               "mouthVariant": "variant05", "glassesVariant": "variant01",
               "detailsVariant": "blush"}
    assert avatar_tags(options) == [
        "hair_color:blonde", "hair:long", "hair_accessory:flowers",
        "skin_color:brown", "eyes:wink", "mouth:lipstick", "glasses:sunglasses",
        "face_detail:blush"]
    bald = {"hairVariant": "short19", "skinColor": ["#f2d3b1"],
            "eyesVariant": "variant04", "mouthVariant": "variant11",
            "glassesVariant": "variant03"}
    assert avatar_tags(bald) == [
        "hair_color:none", "hair:bald", "hair_accessory:none", "skin_color:light",
        "eyes:half_closed", "mouth:teeth", "glasses:regular", "face_detail:none"]
    with pytest.raises(ValueError, match="hairVariant 'long99'"):
        avatar_tags(dict(bald, hairVariant="long99"))
    with pytest.raises(ValueError, match="skinColor"):
        avatar_tags({"hairVariant": "short01"})


def test_shapes_dtypes_range_and_white_background(small):
    images, tags, tag_names, groups = small
    assert images.shape == (16, 32, 32, 3) and images.dtype == np.float32
    assert tags.shape == (16, len(AVATAR_TAGS)) and tags.dtype == np.float32
    assert tag_names == list(AVATAR_TAGS) and groups == avatar_tag_groups()
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert images.min() < -0.9  # black outlines
    assert np.all(images[:, 0, 0] == 1.0)  # the corners are the white canvas
    assert set(np.unique(tags)) <= {0.0, 1.0}
    for group, indices in groups.items():
        np.testing.assert_array_equal(tags[:, indices].sum(axis=1), 1, err_msg=group)


def test_tags_are_those_of_each_avatars_resolved_options(small):
    import dicebear

    style = avatars_module._load_style(AVATAR_STYLE)
    for index in (0, 5, 15):
        avatar = dicebear.Avatar(
            style, {"seed": f"kgan-avatars-0-{index}", **AVATAR_OPTIONS}
        )
        names = avatar_tags(avatar.to_json()["options"])
        np.testing.assert_array_equal(small.tags[index], encode_avatar_tags(names))


def test_build_is_uint8_and_deterministic_per_seed_and_index(small):
    data = build_avatars(n=4, size=32, seed=0, cache=False, progress=False)
    assert data.images.dtype == np.uint8 and data.tags.dtype == np.uint8
    # The first avatars of a larger set are the same: each depends on (seed, i).
    np.testing.assert_array_equal(data.images.astype(np.float32) / 127.5 - 1,
                                  small.images[:4])
    np.testing.assert_array_equal(data.tags, small.tags[:4])
    again = build_avatars(n=4, size=32, seed=0, cache=False, progress=False)
    np.testing.assert_array_equal(again.images, data.images)
    other = build_avatars(n=4, size=32, seed=1, cache=False, progress=False)
    assert not np.array_equal(other.images, data.images)
    assert not np.array_equal(other.tags, data.tags)


def test_cache_is_written_atomically_and_reused(kgan_home, monkeypatch):
    first = load_avatars(n=6, size=16, seed=3, progress=False)
    folder = kgan_home / "datasets"
    assert os.listdir(folder) == ["avatars_adventurer_16px_n6_seed3.npz"]  # no temp

    def fail(*args, **kwargs):
        raise AssertionError("the renderer must not run when the cache is valid")

    monkeypatch.setattr(avatars_module, "_render_avatar", fail)
    again = load_avatars(n=6, size=16, seed=3, progress=False)
    np.testing.assert_array_equal(again.images, first.images)
    np.testing.assert_array_equal(again.tags, first.tags)
    assert again.tag_names == first.tag_names and again.groups == first.groups
    with pytest.raises(AssertionError, match="renderer"):  # another key draws
        load_avatars(n=6, size=16, seed=4, progress=False)
    with pytest.raises(AssertionError, match="renderer"):
        load_avatars(n=6, size=16, seed=3, progress=False, cache=False)


def test_cache_is_keyed_by_package_versions(kgan_home, monkeypatch):
    build_avatars(n=2, size=16, progress=False)
    versions = dict(AVATAR_PACKAGES, cairosvg="0.0.0")
    monkeypatch.setattr(avatars_module, "_versions", lambda: versions)
    calls = []
    render = avatars_module._render_avatar

    def counting(*args):
        calls.append(args[1])
        return render(*args)

    monkeypatch.setattr(avatars_module, "_render_avatar", counting)
    build_avatars(n=2, size=16, progress=False)
    assert calls == ["kgan-avatars-0-0", "kgan-avatars-0-1"]


def test_cache_dir_argument(tmp_path, kgan_home):
    build_avatars(n=2, size=16, cache_dir=tmp_path / "mine", progress=False)
    assert os.listdir(tmp_path / "mine") == ["avatars_adventurer_16px_n2_seed0.npz"]
    assert not (kgan_home / "datasets").exists()


def test_workers_assemble_chunks_in_order(monkeypatch):
    # Threads stand in for the spawned processes: same chunking, no start-up cost.
    class ThreadPool(futures.ThreadPoolExecutor):
        def __init__(self, max_workers, mp_context):
            assert mp_context.get_start_method() == "spawn"
            super().__init__(max_workers=max_workers)

    monkeypatch.setattr(_parallel.futures, "ProcessPoolExecutor", ThreadPool)
    monkeypatch.setattr(avatars_module, "_CHUNK", 2)
    serial = build_avatars(n=5, size=16, cache=False, progress=False)
    pooled = build_avatars(n=5, size=16, cache=False, progress=False, workers=2)
    np.testing.assert_array_equal(pooled.images, serial.images)
    np.testing.assert_array_equal(pooled.tags, serial.tags)


def test_avatars_dataset(kgan_home):
    data = avatars_dataset(batch_size=4, n=8, size=16, shuffle=False, progress=False)
    assert isinstance(data, ArrayDataset) and len(data) == 2
    images, tags = data[1]
    assert images.shape == (4, 16, 16, 3) and images.dtype == np.float32
    assert tags.shape == (4, len(AVATAR_TAGS)) and tags.dtype == np.float32
    full = load_avatars(n=8, size=16, progress=False)
    np.testing.assert_array_equal(images, full.images[4:])
    np.testing.assert_array_equal(tags, full.tags[4:])
    only_images = avatars_dataset(batch_size=8, n=8, size=16, with_tags=False,
                                  repeat=True, progress=False)
    assert only_images.num_batches is None and only_images[3].shape == (8, 16, 16, 3)


def test_encode_tags_and_counts():
    vector = encode_avatar_tags(["hair_color:pink", "glasses:regular"])
    assert vector.shape == (len(AVATAR_TAGS),) and vector.dtype == np.float32
    assert [AVATAR_TAGS[i] for i in np.flatnonzero(vector)] == [
        "hair_color:pink", "glasses:regular"]
    batch = encode_avatar_tags([["eyes:wink"], []])
    assert batch.shape == (2, len(AVATAR_TAGS)) and batch.sum() == 1
    with pytest.raises(ValueError, match="Unknown avatar tag 'hair_color:gold'"):
        encode_avatar_tags(["hair_color:gold"])
    with pytest.raises(ValueError, match="not a single str"):
        encode_avatar_tags("glasses:regular")
    counts = tag_counts(np.stack([vector, vector]))
    assert counts["hair_color:pink"] == 2 and counts["eyes:open"] == 0
    with pytest.raises(ValueError, match=r"shape \[N, 40\]"):
        tag_counts(np.zeros((2, 3)))


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"`n` must be an int >= 1.*received 0"):
        load_avatars(n=0)
    with pytest.raises(ValueError, match=r"`n`.*received 2\.5"):
        load_avatars(n=2.5)
    with pytest.raises(ValueError, match=r"`size` must be an int >= 8.*received 4"):
        load_avatars(n=2, size=4)
    with pytest.raises(ValueError, match=r"`size`.*received '64'"):
        load_avatars(n=2, size="64")
    with pytest.raises(ValueError, match=r"`style`.*\['adventurer'\].*'lorelei'"):
        load_avatars(n=2, style="lorelei")
    with pytest.raises(ValueError, match=r"`seed` must be an int.*received None"):
        load_avatars(n=2, seed=None)
    with pytest.raises(ValueError, match=r"`workers` must be an int >= 1.*received 0"):
        load_avatars(n=2, workers=0)


def test_missing_package_names_the_pip_command(monkeypatch):
    real_version = importlib.metadata.version

    def version(name):
        if name == "dicebear-styles":
            raise importlib.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(avatars_module.importlib.metadata, "version", version)
    with pytest.raises(ImportError) as info:
        load_avatars(n=2, size=16)
    assert "pip install dicebear-core==10.7.0 dicebear-styles==10.6.0 " \
           "cairosvg==2.9.1" in str(info.value)


def test_missing_cairo_library_names_libcairo2(monkeypatch):
    real_import = avatars_module.importlib.import_module

    def import_module(name):
        if name == "cairosvg":
            raise OSError("no library called \"cairo-2\" was found")
        return real_import(name)

    monkeypatch.setattr(avatars_module.importlib, "import_module", import_module)
    with pytest.raises(ImportError, match="apt-get install libcairo2"):
        build_avatars(n=2, size=16, cache=False, progress=False)
    monkeypatch.setattr(avatars_module.importlib, "import_module",
                        lambda name: (_ for _ in ()).throw(ImportError(name)))
    with pytest.raises(ImportError, match="pip install dicebear-core"):
        build_avatars(n=2, size=16, cache=False, progress=False)
