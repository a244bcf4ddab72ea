"""Tests for kgan.data.lineart: line art from synthetic images and paired folders."""

import numpy as np
import pytest
from PIL import Image

from kgan.data.arrays import to_float_images
from kgan.data.lineart import LineArtPairs
from kgan.data.lineart import PairedImages
from kgan.data.lineart import extract_line_art
from kgan.data.lineart import line_art_pairs_from_folder
from kgan.data.lineart import load_paired_folders

_RED = (200, 30, 40)


def _red_square(size=32, low=8, high=24):
    """A filled red square `[low, high)` on white, RGB uint8."""
    image = np.full((size, size, 3), 255, np.uint8)
    image[low:high, low:high] = _RED
    return image


def _border(size=32, low=8, high=24, width=1):
    """Mask of the square's pixels within `width` of its edge."""
    mask = np.zeros((size, size), bool)
    mask[low:high, low:high] = True
    mask[low + width : high - width, low + width : high - width] = False
    return mask


def test_red_square_gives_dark_border_and_white_elsewhere():
    lines = extract_line_art(_red_square())
    assert lines.shape == (32, 32, 1) and lines.dtype == np.uint8
    grey = lines[..., 0]
    border = _border()
    assert np.all(grey[border] < 64)
    assert np.all(grey[~border] == 255)  # inside the square and outside it


def test_batch_grey_input_and_kernel_size():
    batch = np.stack([_red_square(), np.full((32, 32, 3), 255, np.uint8)])
    lines = extract_line_art(batch)
    assert lines.shape == (2, 32, 32, 1)
    assert np.all(lines[1] == 255)  # a blank page stays blank
    grey = np.asarray(Image.fromarray(_red_square()).convert("L"))[..., None]
    np.testing.assert_array_equal(extract_line_art(grey[None]), lines[:1])
    thick = extract_line_art(_red_square(), kernel_size=5)[..., 0]
    assert np.all(thick[_border(width=2)] < 64)
    assert np.all(thick[~_border(width=2)] == 255)


def test_threshold_and_contrast():
    faint = np.full((16, 16, 1), 255, np.uint8)
    faint[4:12, 4:12] = 250  # a difference of 5 grey levels
    assert np.all(extract_line_art(faint) == 255)  # below the default threshold
    lines = extract_line_art(faint, threshold=0, contrast=40.0)[..., 0]
    assert np.all(lines[_border(16, 4, 12)] < 64)
    soft = extract_line_art(_red_square(), contrast=0.5)[..., 0]
    assert 128 < soft[8, 16] < 255  # a lower gain draws a lighter line


def test_alpha_is_composited_on_white():
    rgba = np.zeros((32, 32, 4), np.uint8)  # transparent black everywhere
    rgba[8:24, 8:24] = _RED + (255,)
    expected = extract_line_art(_red_square())
    np.testing.assert_array_equal(extract_line_art(rgba), expected)


def test_float_input_matches_uint8():
    image = _red_square()
    floats = to_float_images(image[None])
    assert floats.dtype == np.float32
    expected = extract_line_art(image[None])
    np.testing.assert_array_equal(extract_line_art(floats), expected)
    np.testing.assert_array_equal(
        extract_line_art(floats[0].astype(np.float64)), extract_line_art(image)
    )


def test_bad_arguments():
    image = _red_square()
    with pytest.raises(ValueError, match=r"`images`.*shape.*received shape \(32, 32\)"):
        extract_line_art(image[..., 0])
    with pytest.raises(ValueError, match=r"`images`.*C in \(1, 3, 4\).*\(32, 32, 2\)"):
        extract_line_art(image[..., :2])
    with pytest.raises(ValueError, match=r"`images`.*uint8.*float.*int64"):
        extract_line_art(image.astype(np.int64))
    with pytest.raises(ValueError, match=r"`images`.*\[-1, 1\].*values in \[30, 255\]"):
        extract_line_art(image.astype(np.float32))
    with pytest.raises(ValueError, match=r"`kernel_size`.*odd int >= 3.*received 4"):
        extract_line_art(image, kernel_size=4)
    with pytest.raises(ValueError, match=r"`kernel_size`.*received 1"):
        extract_line_art(image, kernel_size=1)
    with pytest.raises(ValueError, match=r"`threshold`.*\[0, 255\).*received -1"):
        extract_line_art(image, threshold=-1)
    with pytest.raises(ValueError, match=r"`contrast`.*\(0, inf\).*received 0"):
        extract_line_art(image, contrast=0)


def _save(path, array, mode):
    Image.fromarray(np.asarray(array, np.uint8), mode).save(path)


@pytest.fixture
def folders(tmp_path):
    """`sketch/` (grey PNG, RGB JPEG) and `colour/` (RGBA PNG, RGB PNG), 20x20."""
    sketch, colour = tmp_path / "sketch", tmp_path / "colour"
    sketch.mkdir()
    colour.mkdir()
    _save(sketch / "apple.png", np.full((20, 20), 30), "L")
    _save(sketch / "boat.jpg", np.full((20, 20, 3), 200), "RGB")
    (sketch / "notes.txt").write_text("not an image")
    red = np.zeros((20, 20, 4), np.uint8)
    red[:, :10] = (255, 0, 0, 255)  # left half opaque red, right half transparent
    _save(colour / "apple.png", red, "RGBA")
    _save(colour / "boat.PNG", np.full((20, 20, 3), (0, 0, 255)), "RGB")
    return sketch, colour


def test_load_paired_folders(folders):
    sketch, colour = folders
    pairs = load_paired_folders(sketch, colour, size=10)
    assert isinstance(pairs, PairedImages)
    sources, targets, names = pairs
    assert names == ("apple", "boat")
    assert sources.shape == (2, 10, 10, 1) and sources.dtype == np.uint8
    assert targets.shape == (2, 10, 10, 3) and targets.dtype == np.uint8
    assert np.all(sources[0] == 30)
    assert np.all(np.abs(sources[1].astype(int) - 200) <= 2)  # JPEG
    np.testing.assert_array_equal(targets[0, :, :5], np.full((10, 5, 3), (255, 0, 0)))
    assert np.all(targets[0, :, 5:] == 255)  # transparent: white
    assert np.all(targets[1] == (0, 0, 255))
    rgb, grey, _ = load_paired_folders(
        sketch, colour, size=32, source_channels=3, target_channels=1
    )
    assert rgb.shape == (2, 32, 32, 3) and grey.shape == (2, 32, 32, 1)


def test_load_paired_folders_errors(folders, tmp_path):
    sketch, colour = folders
    _save(sketch / "cat.png", np.zeros((4, 4)), "L")
    _save(colour / "dog.png", np.zeros((4, 4)), "L")
    with pytest.raises(ValueError, match=r"no target.*\['cat'\].*no source.*\['dog'\]"):
        load_paired_folders(sketch, colour)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="`source_dir`.*holds no images"):
        load_paired_folders(empty, colour)
    with pytest.raises(FileNotFoundError, match="`target_dir`"):
        load_paired_folders(sketch, tmp_path / "missing")
    _save(sketch / "cat.jpeg", np.zeros((4, 4)), "L")
    with pytest.raises(ValueError, match="cat.jpeg / cat.png"):
        load_paired_folders(sketch, colour)
    with pytest.raises(ValueError, match=r"`size`.*received 0"):
        load_paired_folders(sketch, colour, size=0)
    with pytest.raises(ValueError, match=r"`source_channels`.*1 \(grey\).*received 4"):
        load_paired_folders(sketch, colour, source_channels=4)


def test_line_art_pairs_from_folder(tmp_path):
    folder = tmp_path / "art"
    folder.mkdir()
    _save(folder / "square.png", _red_square(), "RGB")
    _save(folder / "blank.webp", np.full((32, 32, 3), 255), "RGB")
    pairs = line_art_pairs_from_folder(folder, size=32)
    assert isinstance(pairs, LineArtPairs)
    line_art, colour, names = pairs
    assert names == ("blank", "square")
    assert line_art.shape == (2, 32, 32, 1) and colour.shape == (2, 32, 32, 3)
    np.testing.assert_array_equal(colour[1], _red_square())
    np.testing.assert_array_equal(line_art[1], extract_line_art(_red_square()))
    assert np.all(line_art[0] == 255)
    with pytest.raises(ValueError, match="`colour_dir`.*holds none"):
        line_art_pairs_from_folder(tmp_path)
    with pytest.raises(ValueError, match="`kernel_size`"):
        line_art_pairs_from_folder(folder, kernel_size=2)
