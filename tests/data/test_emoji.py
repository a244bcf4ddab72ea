"""Tests for kgan.data.emoji: a tiny fake npm package, and the real one if installed."""

import json
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from kgan.data import emoji as emoji_module
from kgan.data.arrays import ArrayDataset
from kgan.data.emoji import EMOJI_CATEGORIES
from kgan.data.emoji import EMOJI_LICENSE
from kgan.data.emoji import EMOJI_SOURCE
from kgan.data.emoji import emoji_dataset
from kgan.data.emoji import emoji_package_dir
from kgan.data.emoji import install_emoji_package
from kgan.data.emoji import load_emoji
from kgan.data.emoji import load_emoji_uint8

# Resolved before any test changes KGAN_HOME: the user's installed package, if any.
_REAL_PACKAGE_DIR = emoji_package_dir()

_SMILEYS = EMOJI_CATEGORIES.index("Smileys & Emotion")
_ANIMALS = EMOJI_CATEGORIES.index("Animals & Nature")
_RED = (200, 30, 40)
_GREEN = (20, 180, 60)


def _save_png(path, rgba):
    Image.fromarray(np.asarray(rgba, dtype=np.uint8), "RGBA").save(path)


def _write_fake_package(root, version="0.0.0-test"):
    """Writes a package like emoji-datasource-google: 3 images, 1 missing PNG."""
    image_dir = root / "img" / "google" / "64"
    image_dir.mkdir(parents=True)
    (root / "package.json").write_text(
        json.dumps({"name": "emoji-datasource-google", "version": version})
    )
    # Opaque red on the left half, fully transparent (junk colour) on the right.
    half = np.zeros((64, 64, 4), np.uint8)
    half[:, :32] = _RED + (255,)
    half[:, 32:] = (10, 20, 30, 0)
    _save_png(image_dir / "1f600.png", half)
    # Black at alpha 128 everywhere.
    _save_png(image_dir / "1f436.png", np.full((64, 64, 4), (0, 0, 0, 128)))
    # Opaque green, and one skin-tone variant in blue.
    _save_png(image_dir / "1f431.png", np.full((64, 64, 4), _GREEN + (255,)))
    _save_png(image_dir / "1f431-1f3fb.png", np.full((64, 64, 4), (0, 0, 255, 255)))
    # An entry without a Google image (its PNG exists but must be left out).
    _save_png(image_dir / "1f47b.png", np.full((64, 64, 4), 255))
    entries = [
        {"short_name": "grinning", "image": "1f600.png", "has_img_google": True,
         "category": "Smileys & Emotion", "subcategory": "face-smiling"},
        {"short_name": "dog", "image": "1f436.png", "has_img_google": True,
         "category": "Animals & Nature", "subcategory": "animal-mammal"},
        {"short_name": "cat", "image": "1f431.png", "has_img_google": True,
         "category": "Animals & Nature", "subcategory": "animal-mammal",
         "skin_variations": {"1F3FB": {"image": "1f431-1f3fb.png",
                                       "has_img_google": True}}},
        {"short_name": "poop", "image": "1f4a9.png", "has_img_google": True,
         "category": "Smileys & Emotion", "subcategory": "face-costume"},
        {"short_name": "ghost", "image": "1f47b.png", "has_img_google": False,
         "category": "Smileys & Emotion", "subcategory": "face-costume"},
    ]
    (root / "emoji.json").write_text(json.dumps(entries))
    return root


@pytest.fixture
def kgan_home(tmp_path, monkeypatch):
    home = tmp_path / "kgan_home"
    monkeypatch.setenv("KGAN_HOME", str(home))
    monkeypatch.delenv("KGAN_EMOJI_DIR", raising=False)
    return home


@pytest.fixture
def package(tmp_path, kgan_home):
    return _write_fake_package(tmp_path / "emoji-datasource-google")


def test_constants():
    assert EMOJI_LICENSE == "Apache-2.0"
    assert EMOJI_SOURCE == "npm emoji-datasource-google"
    assert list(EMOJI_CATEGORIES) == sorted(EMOJI_CATEGORIES)
    assert len(EMOJI_CATEGORIES) == 10


def test_shapes_dtype_range_and_labels(package):
    images, labels = load_emoji(package_dir=package)
    assert images.shape == (3, 64, 64, 3) and images.dtype == np.float32
    assert labels.dtype == np.int32
    np.testing.assert_array_equal(labels, [_SMILEYS, _ANIMALS, _ANIMALS])
    assert images.min() >= -1.0 and images.max() <= 1.0


def test_alpha_compositing_on_white(package):
    images, _ = load_emoji(package_dir=package)
    red = np.array(_RED, np.float32) / 127.5 - 1
    np.testing.assert_array_equal(images[0, :, :32], np.broadcast_to(red, (64, 32, 3)))
    # A transparent pixel becomes the white canvas, whatever its colour.
    assert np.all(images[0, :, 32:] == 1.0)
    # Half alpha: 0 * a + 255 * (1 - a) with a = 128 / 255.
    expected = np.rint(255.0 * (1 - 128 / 255)) / 127.5 - 1
    np.testing.assert_allclose(images[1], expected, atol=1e-6)
    green = np.array(_GREEN, np.float32) / 127.5 - 1
    np.testing.assert_array_equal(images[2], np.broadcast_to(green, (64, 64, 3)))


def test_uint8_and_background(package):
    images, labels = load_emoji_uint8(package_dir=package)
    assert images.dtype == np.uint8 and images.shape == (3, 64, 64, 3)
    assert labels.dtype == np.int32
    assert np.all(images[0, :, 32:] == 255) and np.all(images[1] == 127)
    np.testing.assert_array_equal(
        load_emoji(package_dir=package)[0], images.astype(np.float32) / 127.5 - 1
    )
    black, _ = load_emoji_uint8(package_dir=package, background=0)
    assert np.all(black[0, :, 32:] == 0) and np.all(black[1] == 0)
    grey, _ = load_emoji_uint8(package_dir=package, background=(10, 20, 30))
    assert np.all(grey[0, :, 32:] == (10, 20, 30))


def test_resize_to_32_with_lanczos(package):
    images, labels = load_emoji_uint8(size=32, package_dir=package)
    assert images.shape == (3, 32, 32, 3) and len(labels) == 3
    full, _ = load_emoji_uint8(size=64, package_dir=package)
    expected = Image.fromarray(full[0]).resize((32, 32), Image.Resampling.LANCZOS)
    np.testing.assert_array_equal(images[0], np.asarray(expected))
    assert load_emoji(size=32, package_dir=package)[0].shape == (3, 32, 32, 3)


def test_cache_is_written_atomically_and_reused(package, kgan_home):
    images, labels = load_emoji(package_dir=package)
    cache_file = kgan_home / "datasets" / "emoji_google_64.npz"
    assert cache_file.is_file()
    assert os.listdir(kgan_home / "datasets") == ["emoji_google_64.npz"]  # no temp
    shutil.rmtree(package / "img")  # a second load must not read the PNGs
    again, again_labels = load_emoji(package_dir=package)
    np.testing.assert_array_equal(again, images)
    np.testing.assert_array_equal(again_labels, labels)
    with pytest.raises(FileNotFoundError, match="img/google/64"):
        load_emoji(package_dir=package, cache=False)


def test_cache_is_keyed_by_package_version(package, kgan_home):
    first, _ = load_emoji_uint8(package_dir=package)
    _save_png(package / "img" / "google" / "64" / "1f431.png",
              np.full((64, 64, 4), (1, 2, 3, 255)))
    # Same version and emoji.json: the cached arrays are served.
    np.testing.assert_array_equal(load_emoji_uint8(package_dir=package)[0], first)
    (package / "package.json").write_text(json.dumps({"version": "0.0.1-test"}))
    rebuilt, _ = load_emoji_uint8(package_dir=package)
    assert np.all(rebuilt[2] == (1, 2, 3))


def test_cache_false_writes_nothing(package, kgan_home):
    load_emoji(package_dir=package, cache=False)
    assert not (kgan_home / "datasets").exists()


def test_skin_tones(package):
    images, labels = load_emoji_uint8(package_dir=package, skin_tones=True)
    assert images.shape == (4, 64, 64, 3)
    np.testing.assert_array_equal(labels, [_SMILEYS, _ANIMALS, _ANIMALS, _ANIMALS])
    assert np.all(images[3] == (0, 0, 255))


def test_emoji_dataset(package):
    data = emoji_dataset(batch_size=2, package_dir=package, shuffle=False)
    assert isinstance(data, ArrayDataset) and len(data) == 1
    batch = data[0]
    assert batch.shape == (2, 64, 64, 3) and batch.dtype == np.float32
    data = emoji_dataset(batch_size=3, size=32, with_labels=True, package_dir=package)
    images, labels = data[0]
    assert images.shape == (3, 32, 32, 3)
    assert sorted(labels.tolist()) == [_ANIMALS, _ANIMALS, _SMILEYS]


def test_package_dir_resolution(tmp_path, kgan_home, monkeypatch):
    default = kgan_home / "npm" / "node_modules" / "emoji-datasource-google"
    assert emoji_package_dir() == str(default)
    monkeypatch.setenv("KGAN_EMOJI_DIR", str(tmp_path / "from_env"))
    assert emoji_package_dir() == str(tmp_path / "from_env")
    assert emoji_package_dir(tmp_path / "arg") == str(tmp_path / "arg")


def test_package_from_env_var(package, monkeypatch):
    monkeypatch.setenv("KGAN_EMOJI_DIR", str(package))
    assert load_emoji_uint8()[0].shape == (3, 64, 64, 3)


def test_missing_package_error_names_npm_command(kgan_home):
    with pytest.raises(FileNotFoundError) as info:
        load_emoji()
    message = str(info.value)
    assert "emoji-datasource-google" in message
    prefix = os.path.join(str(kgan_home), "npm")
    assert (
        f"npm install --no-audit --no-fund --prefix {prefix} "
        "emoji-datasource-google@16.0.0" in message
    )
    assert "KGAN_EMOJI_DIR" in message


def test_bad_arguments(package):
    with pytest.raises(ValueError, match="`size`.*received 0"):
        load_emoji(size=0, package_dir=package)
    with pytest.raises(ValueError, match="`background`.*received 300"):
        load_emoji(package_dir=package, background=300)
    with pytest.raises(ValueError, match="`background`"):
        load_emoji(package_dir=package, background=(1, 2))


def test_unknown_category(package):
    entries = json.loads((package / "emoji.json").read_text())
    entries[0]["category"] = "Moods"
    (package / "emoji.json").write_text(json.dumps(entries))
    with pytest.raises(ValueError, match="Moods"):
        load_emoji(package_dir=package)


def test_install_without_npm(kgan_home, monkeypatch):
    monkeypatch.setattr(emoji_module.shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="npm install --no-audit"):
        install_emoji_package()


def test_install_runs_npm(kgan_home, monkeypatch):
    calls = []

    class Result:
        returncode = 0
        stdout = stderr = ""

    monkeypatch.setattr(emoji_module.shutil, "which", lambda name: "/usr/bin/npm")
    def fake_run(command, **kwargs):
        calls.append(command)
        return Result()

    monkeypatch.setattr(emoji_module.subprocess, "run", fake_run)
    path = install_emoji_package("16.0.0")
    prefix = os.path.join(str(kgan_home), "npm")
    assert calls == [["/usr/bin/npm", "install", "--no-audit", "--no-fund",
                      "--prefix", prefix, "emoji-datasource-google@16.0.0"]]
    assert path == os.path.join(prefix, "node_modules", "emoji-datasource-google")
    Result.returncode, Result.stderr = 1, "E404 not found"
    with pytest.raises(RuntimeError, match="E404"):
        install_emoji_package("99.0.0")
    with pytest.raises(ValueError, match="`version`"):
        install_emoji_package("")


@pytest.mark.skipif(
    not os.path.isfile(os.path.join(_REAL_PACKAGE_DIR, "emoji.json")),
    reason="npm package emoji-datasource-google not installed",
)
def test_real_package(kgan_home):
    images, labels = load_emoji(package_dir=_REAL_PACKAGE_DIR, cache=False)
    assert images.shape[1:] == (64, 64, 3) and images.dtype == np.float32
    assert len(images) > 1800  # 1911 top-level emoji in version 16.0.0
    assert images.min() == -1.0 and images.max() == 1.0
    assert len(np.unique(labels)) >= 8
    # With the skin-tone variants there are more than 3000 images (3786 in 16.0.0).
    with open(os.path.join(_REAL_PACKAGE_DIR, "emoji.json"), "rb") as file:
        names = [name for name, _ in emoji_module._entries(file.read(), True)]
    image_dir = os.path.join(_REAL_PACKAGE_DIR, "img", "google", "64")
    assert sum(os.path.isfile(os.path.join(image_dir, n)) for n in names) > 3000
