"""Tests for kgan.data.openmoji: a tiny fake npm package, and the real one if there."""

import json
import os

import numpy as np
import pytest

from kgan.data import openmoji as openmoji_module
from kgan.data.arrays import ArrayDataset
from kgan.data.openmoji import OPENMOJI_ATTRIBUTION
from kgan.data.openmoji import OPENMOJI_LICENSE
from kgan.data.openmoji import OPENMOJI_SOURCE
from kgan.data.openmoji import OPENMOJI_VERSION
from kgan.data.openmoji import OpenMojiPairs
from kgan.data.openmoji import install_openmoji_package
from kgan.data.openmoji import load_openmoji_pairs
from kgan.data.openmoji import load_openmoji_pairs_uint8
from kgan.data.openmoji import openmoji_package_dir
from kgan.data.openmoji import openmoji_pairs_dataset

# Resolved before any test changes KGAN_HOME: the user's installed package, if any.
_REAL_PACKAGE_DIR = openmoji_package_dir()

_SIZE = 16
_SVG = '<svg viewBox="0 0 72 72" xmlns="http://www.w3.org/2000/svg">{}</svg>'
_CIRCLE_LINE = _SVG.format(
    '<circle cx="36" cy="36" r="26" fill="none" stroke="#000" stroke-width="6"/>'
)
_CIRCLE_RED = _SVG.format('<circle cx="36" cy="36" r="29" fill="#ff0000"/>')
_SQUARE_LINE = _SVG.format(
    '<rect x="10" y="10" width="52" height="52" fill="none" stroke="#000" '
    'stroke-width="6"/>'
)
_SQUARE_BLUE = _SVG.format('<rect x="7" y="7" width="58" height="58" fill="#0000ff"/>')
# A marker that names an id the SVG does not define (as one openmoji 17 flag does).
_DANGLING_MARKER = _SVG.format(
    '<rect x="0" y="0" width="72" height="72" fill="#00ff00"/>'
    '<path d="m20 20v30" stroke="#000" stroke-width="2" marker-end="url(#Dot)"/>'
)

_ENTRIES = [
    # hexcode, group, skintone_base_hexcode, black SVG, colour SVG (None: missing)
    ("1F600", "smileys-emotion", "", _CIRCLE_LINE, _CIRCLE_RED),
    ("1F44B", "people-body", "1F44B", _SQUARE_LINE, _SQUARE_BLUE),
    ("1F44B-1F3FB", "people-body", "1F44B", _SQUARE_LINE, _CIRCLE_RED),
    ("1F44B-1F3FF", "people-body", "1F44B", _SQUARE_LINE, _SQUARE_BLUE),
    ("1F436", "animals-nature", "", _CIRCLE_LINE, _SQUARE_BLUE),
    ("1F4A9", "smileys-emotion", "", _CIRCLE_LINE, None),
    ("1F1E9-1F1EA", "flags", "", _SQUARE_LINE, _DANGLING_MARKER),
]
_DRAWN = tuple(hexcode for hexcode, *_, colour in _ENTRIES if colour is not None)


def _add_entry(root, hexcode, group, base, line, colour):
    (root / "black" / "svg" / f"{hexcode}.svg").write_text(line)
    if colour is not None:
        (root / "color" / "svg" / f"{hexcode}.svg").write_text(colour)
    return {
        "emoji": "?",
        "hexcode": hexcode,
        "group": group,
        "subgroups": "test",
        "annotation": hexcode.lower(),
        "skintone": 1 if base and base != hexcode else "",
        "skintone_base_hexcode": base,
    }


def _write_fake_package(root, version="0.0.0-test"):
    """Writes a package like openmoji: 7 entries, one of them without a colour SVG."""
    for folder in ("black/svg", "color/svg", "data"):
        (root / folder).mkdir(parents=True)
    package_json = {"name": "openmoji", "version": version}
    (root / "package.json").write_text(json.dumps(package_json))
    entries = [_add_entry(root, *entry) for entry in _ENTRIES]
    (root / "data" / "openmoji.json").write_text(json.dumps(entries))
    return root


@pytest.fixture
def kgan_home(tmp_path, monkeypatch):
    home = tmp_path / "kgan_home"
    monkeypatch.setenv("KGAN_HOME", str(home))
    monkeypatch.delenv("KGAN_OPENMOJI_DIR", raising=False)
    return home


@pytest.fixture
def package(tmp_path, kgan_home):
    return _write_fake_package(tmp_path / "openmoji")


@pytest.fixture
def pairs(package):
    """All pairs of the fake package at 16x16 (rendered once, with the warning)."""
    with pytest.warns(UserWarning, match=r"1 of the 7 entries.*1F4A9"):
        return load_openmoji_pairs_uint8(
            _SIZE, split="all", package_dir=package, workers=1, progress=False
        )


def _split(package, split, test_fraction=0.1, **kwargs):
    return load_openmoji_pairs_uint8(
        _SIZE, split, test_fraction, package_dir=package, workers=1, **kwargs
    )


def _keys(package, hexcodes):
    """The drawings (split keys) of the emoji: their base emoji's line-art SVG."""
    bases = {hexcode: base for hexcode, _, base, *_ in _ENTRIES}
    return {
        openmoji_module._drawing_key(package, bases[hexcode] or hexcode) for hexcode in hexcodes
    }


def test_constants():
    assert OPENMOJI_VERSION == "17.0.0"
    assert OPENMOJI_LICENSE == "CC-BY-SA-4.0"
    assert OPENMOJI_SOURCE == "npm openmoji 17.0.0"
    assert OPENMOJI_ATTRIBUTION == (
        "All emojis designed by OpenMoji \u2013 the open-source emoji and icon "
        "project. License: CC BY-SA 4.0"
    )


def test_shapes_dtypes_and_skipped_entry(pairs):
    assert isinstance(pairs, OpenMojiPairs)
    line_art, colour, hexcodes = pairs
    assert hexcodes == _DRAWN  # openmoji.json's order, without 1F4A9
    assert line_art.shape == (6, _SIZE, _SIZE, 1) and line_art.dtype == np.uint8
    assert colour.shape == (6, _SIZE, _SIZE, 3) and colour.dtype == np.uint8


def test_line_art_is_dark_strokes_on_white(pairs):
    circle = pairs.line_art[0, :, :, 0]
    assert circle[0, 0] == 255 and circle[8, 8] == 255  # corner, centre: paper
    assert circle[8, 2] < 64 and circle[2, 8] < 64  # on the ring (r = 26 of 72)
    assert 0.05 < np.mean(circle < 128) < 0.5
    square = pairs.line_art[1, :, :, 0]
    assert square[8, 8] == 255 and square[0, 0] == 255 and square[2, 8] < 64


def test_colour_is_red_where_filled_and_white_outside(pairs):
    red = pairs.colour[0]
    np.testing.assert_array_equal(red[8, 8], (255, 0, 0))
    np.testing.assert_array_equal(red[0, 0], (255, 255, 255))
    blue = pairs.colour[1]
    np.testing.assert_array_equal(blue[8, 8], (0, 0, 255))
    # The flag with a dangling marker is drawn (green), not skipped.
    flag = pairs.colour[_DRAWN.index("1F1E9-1F1EA")]
    np.testing.assert_array_equal(flag[1, 1], (0, 255, 0))


def test_float_pairs(package, pairs):
    line_art, colour, hexcodes = load_openmoji_pairs(
        _SIZE, split="all", package_dir=package, workers=1, progress=False
    )
    assert line_art.dtype == np.float32 and colour.dtype == np.float32
    assert line_art.shape == (6, _SIZE, _SIZE, 1) and hexcodes == _DRAWN
    assert line_art.min() >= -1.0 and colour.max() == 1.0
    np.testing.assert_array_equal(colour, pairs.colour.astype(np.float32) / 127.5 - 1)


def test_split_by_drawing_keeps_skin_tones_and_same_line_art_together(package, pairs):
    hands = {"1F44B", "1F44B-1F3FB", "1F44B-1F3FF"}
    circles = {"1F600", "1F436"}  # two emoji, one line-art drawing
    hand_value = openmoji_module._split_value(openmoji_module._drawing_key(package, "1F44B"))
    # Just above the hand's value: it is in test; at it: in train (test is `<`).
    for test_fraction in (0.0, 0.3, 0.5, 0.7, 1.0, hand_value, hand_value + 1e-9):
        train = load_openmoji_pairs_uint8(
            _SIZE, "train", test_fraction, package_dir=package, workers=1
        )
        test = load_openmoji_pairs_uint8(
            _SIZE, "test", test_fraction, package_dir=package, workers=1
        )
        assert not _keys(package, train.hexcodes) & _keys(package, test.hexcodes)
        assert circles <= set(train.hexcodes) or circles <= set(test.hexcodes)
        assert sorted(train.hexcodes + test.hexcodes) == sorted(_DRAWN)
        assert hands <= set(train.hexcodes) or hands <= set(test.hexcodes)
        # Rows are the same pairs as in the full set.
        for hexcode, image in zip(test.hexcodes, test.colour):
            np.testing.assert_array_equal(image, pairs.colour[_DRAWN.index(hexcode)])
        assert test.line_art.shape == (len(test.hexcodes), _SIZE, _SIZE, 1)
    train = _split(package, "train", hand_value)
    test = _split(package, "test", hand_value + 1e-9)
    assert hands <= set(train.hexcodes) and hands <= set(test.hexcodes)
    assert _split(package, "test", 0.0).hexcodes == ()
    assert _split(package, "train", 1.0).hexcodes == ()


def test_split_is_deterministic_monotone_and_stable_when_emoji_are_added(
    package, pairs
):
    first = _split(package, "test", 0.5).hexcodes
    assert _split(package, "test", 0.5).hexcodes == first
    larger = _split(package, "test", 0.8).hexcodes
    assert set(first) <= set(larger)
    entries = json.loads((package / "data" / "openmoji.json").read_text())
    entries.append(
        _add_entry(package, "1F431", "animals-nature", "", _CIRCLE_LINE, _CIRCLE_RED)
    )
    (package / "data" / "openmoji.json").write_text(json.dumps(entries))
    with pytest.warns(UserWarning):  # re-rendered: openmoji.json changed
        after = load_openmoji_pairs_uint8(_SIZE, "test", 0.5, package_dir=package)
    assert [h for h in after.hexcodes if h != "1F431"] == list(first)
    # The hash spreads keys evenly: about `test_fraction` of many keys.
    share = np.mean([openmoji_module._is_test(f"K{i}", 0.1) for i in range(5000)])
    assert 0.08 < share < 0.12


def test_groups(package, pairs):
    smileys = load_openmoji_pairs_uint8(
        _SIZE, "all", groups=["smileys-emotion", "flags"], package_dir=package
    )
    assert smileys.hexcodes == ("1F600", "1F1E9-1F1EA")
    people = _split(package, "all", groups="people-body")
    assert people.line_art.shape == (3, _SIZE, _SIZE, 1)
    with pytest.raises(ValueError, match=r"`groups`.*'flags'.*unknown: \['food'\]"):
        load_openmoji_pairs_uint8(_SIZE, groups=["food"], package_dir=package)
    with pytest.raises(ValueError, match="`groups`"):
        load_openmoji_pairs_uint8(_SIZE, groups=[], package_dir=package)


@pytest.mark.filterwarnings("ignore:1 of the 7 entries:UserWarning")
def test_cache_is_reused_for_every_split(package, pairs, kgan_home, monkeypatch):
    path = kgan_home / "datasets" / f"openmoji_pairs_{_SIZE}.npz"
    assert path.is_file()
    assert os.listdir(kgan_home / "datasets") == [path.name]  # no temporary file

    def fail(*args):
        raise AssertionError("rendered although the cache is warm")

    monkeypatch.setattr(openmoji_module, "_render_chunk", fail)
    again = load_openmoji_pairs_uint8(_SIZE, "all", package_dir=package)
    np.testing.assert_array_equal(again.line_art, pairs.line_art)
    np.testing.assert_array_equal(again.colour, pairs.colour)
    assert again.hexcodes == pairs.hexcodes and isinstance(again.hexcodes[0], str)
    load_openmoji_pairs_uint8(_SIZE, "test", 0.5, groups=["flags"], package_dir=package)
    # Another size, a new package version, or cache=False: a new render.
    with pytest.raises(AssertionError, match="rendered"):
        load_openmoji_pairs_uint8(8, "all", package_dir=package)
    with pytest.raises(AssertionError, match="rendered"):
        load_openmoji_pairs_uint8(_SIZE, "all", package_dir=package, cache=False)
    (package / "package.json").write_text(json.dumps({"version": "0.0.1-test"}))
    with pytest.raises(AssertionError, match="rendered"):
        load_openmoji_pairs_uint8(_SIZE, "all", package_dir=package)


def test_dataset(package, pairs):
    data = openmoji_pairs_dataset(
        _SIZE, "all", batch_size=4, seed=3, package_dir=package, workers=1
    )
    assert isinstance(data, ArrayDataset) and len(data) == 1
    line_art, colour = data[0]
    assert line_art.shape == (4, _SIZE, _SIZE, 1)
    assert colour.shape == (4, _SIZE, _SIZE, 3)
    assert line_art.dtype == np.float32 and colour.dtype == np.float32
    assert -1.0 <= line_art.min() and colour.max() <= 1.0
    again = openmoji_pairs_dataset(
        _SIZE, "all", batch_size=4, seed=3, package_dir=package, workers=1
    )
    np.testing.assert_array_equal(again[0][1], colour)
    every = openmoji_pairs_dataset(
        _SIZE, "all", batch_size=4, shuffle=False, drop_remainder=False,
        package_dir=package, seed=None,
    )
    assert len(every) == 2 and every[1][0].shape == (2, _SIZE, _SIZE, 1)
    np.testing.assert_array_equal(
        every[0][1], pairs.colour[:4].astype(np.float32) / 127.5 - 1
    )
    with pytest.raises(ValueError, match="`seed`"):
        openmoji_pairs_dataset(_SIZE, package_dir=package, seed="zero")


def test_package_dir_resolution(tmp_path, kgan_home, monkeypatch):
    default = kgan_home / "npm" / "node_modules" / "openmoji"
    assert openmoji_package_dir() == str(default)
    monkeypatch.setenv("KGAN_OPENMOJI_DIR", str(tmp_path / "from_env"))
    assert openmoji_package_dir() == str(tmp_path / "from_env")
    assert openmoji_package_dir(tmp_path / "arg") == str(tmp_path / "arg")


def test_package_from_env_var(package, pairs, monkeypatch):
    monkeypatch.setenv("KGAN_OPENMOJI_DIR", str(package))
    assert load_openmoji_pairs_uint8(_SIZE, "all").hexcodes == _DRAWN


def test_missing_package_error_names_npm_command(kgan_home, tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_openmoji_pairs_uint8()
    message = str(info.value)
    prefix = os.path.join(str(kgan_home), "npm")
    assert (
        f"npm install --no-audit --no-fund --prefix {prefix} openmoji@17.0.0"
        in message
    )
    assert "install_openmoji_package()" in message and "KGAN_OPENMOJI_DIR" in message
    half = _write_fake_package(tmp_path / "half")
    for svg in (half / "color" / "svg").iterdir():
        svg.unlink()
    (half / "color" / "svg").rmdir()
    with pytest.raises(FileNotFoundError, match="color/svg"):
        load_openmoji_pairs_uint8(package_dir=half)


def test_bad_arguments(package):
    with pytest.raises(ValueError, match=r"`size`.*>= 8.*received 4"):
        load_openmoji_pairs_uint8(4, package_dir=package)
    with pytest.raises(ValueError, match=r"`size`.*received 64\.0"):
        load_openmoji_pairs_uint8(64.0, package_dir=package)
    with pytest.raises(ValueError, match=r"`split`.*'train', 'test', 'all'.*'valid'"):
        load_openmoji_pairs_uint8(split="valid", package_dir=package)
    with pytest.raises(ValueError, match=r"`test_fraction`.*\[0, 1\].*received 1\.5"):
        load_openmoji_pairs_uint8(test_fraction=1.5, package_dir=package)
    with pytest.raises(ValueError, match=r"`test_fraction`.*received True"):
        load_openmoji_pairs_uint8(test_fraction=True, package_dir=package)
    with pytest.raises(ValueError, match=r"`workers`.*received 0"):
        load_openmoji_pairs_uint8(workers=0, package_dir=package)


def test_install_runs_npm(kgan_home, monkeypatch):
    calls = []

    class Result:
        returncode = 0
        stdout = stderr = ""

    def fake_run(command, **kwargs):
        calls.append(command)
        return Result()

    monkeypatch.setattr(openmoji_module._npm.shutil, "which", lambda name: "/bin/npm")
    monkeypatch.setattr(openmoji_module._npm.subprocess, "run", fake_run)
    path = install_openmoji_package()
    prefix = os.path.join(str(kgan_home), "npm")
    assert calls == [["/bin/npm", "install", "--no-audit", "--no-fund",
                      "--prefix", prefix, "openmoji@17.0.0"]]
    assert path == os.path.join(prefix, "node_modules", "openmoji")
    with pytest.raises(ValueError, match="`version`.*'17.0.0'"):
        install_openmoji_package(" ")


@pytest.mark.skipif(
    not os.path.isfile(os.path.join(_REAL_PACKAGE_DIR, "data", "openmoji.json")),
    reason="npm package openmoji not installed",
)
def test_real_package_layout():
    version, openmoji_json = openmoji_module._read_package(_REAL_PACKAGE_DIR)
    entries = openmoji_module._entries(openmoji_json)
    assert len(entries) > 4000  # 4495 in 17.0.0
    hexcodes = [hexcode for hexcode, _, _ in entries]
    for subdir in ("black/svg", "color/svg"):
        names = set(os.listdir(os.path.join(_REAL_PACKAGE_DIR, subdir)))
        assert sum(f"{h}.svg" in names for h in hexcodes) > 4000
    # The colour SVG with a dangling marker, and two others, draw at 32x32.
    sample = ["1F600", "1F44B-1F3FB", "1F3F4-E0065-E0073-E0063-E006D-E007F"]
    render = openmoji_module._render_chunk
    line_art, colour, errors = render(_REAL_PACKAGE_DIR, sample, 32)
    assert errors == [None] * 3
    assert line_art.shape == (3, 32, 32, 1) and colour.shape == (3, 32, 32, 3)
    assert line_art.min() < 64 and line_art[:, 0, 0].tolist() == [[255]] * 3


def test_skin_tone_variants_can_be_left_out(package, pairs):
    kept = load_openmoji_pairs_uint8(_SIZE, "all", package_dir=package, skin_tones=False)
    assert "1F44B" in kept.hexcodes
    assert not {"1F44B-1F3FB", "1F44B-1F3FF"} & set(kept.hexcodes)
    assert len(kept.hexcodes) == len(pairs.hexcodes) - 2
