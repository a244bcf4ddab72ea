"""uint8 conversion, grids and image files."""

import numpy as np
import pytest
from PIL import Image

from kgan import images


def test_to_uint8_rounds_and_clips():
    x = np.array([-2.0, -1.0, -0.999, 0.0, 0.5, 1.0, 3.0])
    np.testing.assert_array_equal(images.to_uint8(x), [0, 0, 0, 128, 191, 255, 255])


def test_to_float_inverts_to_uint8():
    levels = np.arange(256, dtype=np.uint8)
    floats = images.to_float(levels)
    assert floats.min() == -1.0 and floats.max() == 1.0 and floats.dtype == np.float32
    np.testing.assert_array_equal(images.to_uint8(floats), levels)
    with pytest.raises(ValueError, match="uint8.*float64"):
        images.to_float(np.zeros(3))


def test_make_grid_places_each_image():
    batch = np.stack([np.full((2, 3, 1), i, np.uint8) for i in range(5)])
    grid = images.make_grid(batch, columns=3, padding=1, background=200)
    assert grid.shape == (2 * 2 + 3, 3 * 3 + 4, 1)
    assert grid[1, 1, 0] == 0 and grid[1, 5, 0] == 1 and grid[4, 1, 0] == 3
    assert grid[4, 9, 0] == 200  # the sixth cell is empty
    with pytest.raises(ValueError, match="uint8 images of shape"):
        images.make_grid(np.zeros((2, 3, 3)))


def test_save_grid_writes_a_png(tmp_path):
    batch = np.random.default_rng(0).integers(0, 256, (4, 8, 8, 3), dtype=np.uint8)
    path = images.save_grid(tmp_path / "sub" / "grid.png", batch)
    loaded = np.asarray(Image.open(path))
    assert loaded.shape == (2 * 8 + 3 * 2, 2 * 8 + 3 * 2, 3)
    np.testing.assert_array_equal(loaded[2:10, 2:10], batch[0])
