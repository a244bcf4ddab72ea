"""Translation metrics against hand-computed values."""

import numpy as np
import pytest

from kgan.metrics import colourfulness
from kgan.metrics import evaluate_translation
from kgan.metrics import mean_absolute_error
from kgan.metrics import psnr


def test_l1_and_psnr():
    a = np.zeros((2, 4, 4, 3), np.uint8)
    b = a.copy()
    b[0] = 10  # image 0: MSE 100; image 1: identical
    assert mean_absolute_error(b, a) == pytest.approx(5 / 255)
    assert psnr(b, a) == pytest.approx((10 * np.log10(255**2 / 100) + 100) / 2)


def test_colourfulness_of_grey_and_two_colours():
    grey = np.full((1, 4, 4, 3), 90, np.uint8)
    assert colourfulness(grey) == 0.0
    halves = np.zeros((1, 2, 2, 3), np.uint8)
    halves[:, 0, :, 0] = 200  # red row
    halves[:, 1, :, 2] = 200  # blue row
    rg = np.array([200, 200, 0, 0], float)
    yb = np.array([100, 100, -200, -200], float)
    expected = np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())
    assert colourfulness(halves) == pytest.approx(expected)


class Identity:
    def colorize(self, images, batch_size=64):
        return np.repeat(images, 3, axis=-1)


class MeanFeatures:
    name = "channel_means"

    def __call__(self, images, batch_size=256):
        images = np.asarray(images, "float64")
        return np.concatenate([images.mean(axis=(1, 2)), images.std(axis=(1, 2))], axis=1)


def test_fid_of_outputs_and_of_the_uncoloured_sources():
    rng = np.random.default_rng(0)
    sources = rng.integers(0, 256, (40, 8, 8, 1), dtype=np.uint8)
    targets = rng.integers(0, 256, (40, 8, 8, 3), dtype=np.uint8)
    result = evaluate_translation(Identity(), sources, targets, features=MeanFeatures())
    assert result["features"] == "channel_means"
    # Identity colours nothing: its FID is the baseline's.
    assert result["fid"] == pytest.approx(result["baseline_fid"]) and result["fid"] > 0


def test_evaluate_translation_and_errors():
    rng = np.random.default_rng(0)
    sources = rng.integers(0, 256, (6, 8, 8, 1), dtype=np.uint8)
    result = evaluate_translation(Identity(), sources, np.repeat(sources, 3, -1))
    assert result["l1"] == 0 and result["psnr"] == 100 and result["colourfulness"] == 0
    assert result["samples"] == 6 and "fid" not in result
    with pytest.raises(ValueError, match="same shape"):
        psnr(sources, sources[:2])
    with pytest.raises(ValueError, match="uint8"):
        colourfulness(sources.astype("float32"))
    with pytest.raises(ValueError, match="3 channels"):
        colourfulness(sources)


def test_evaluate_on_openmoji_uses_the_held_out_drawings(monkeypatch):
    import kgan
    from kgan.metrics import evaluate_on

    rng = np.random.default_rng(1)
    line_art = rng.integers(0, 256, (12, 64, 64, 1), dtype=np.uint8)
    colour = rng.integers(0, 256, (12, 64, 64, 3), dtype=np.uint8)
    asked = []

    def fake_pairs(size, split, **subset):
        asked.append((size, split))
        assert subset == kgan.data.OPENMOJI_COLORIZATION_SUBSET
        return kgan.data.OpenMojiPairs(line_art, colour, tuple(str(i) for i in range(12)))

    monkeypatch.setattr(kgan.data, "load_openmoji_pairs_uint8", fake_pairs)

    class Model(Identity):
        image_shape = (64, 64, 3)

    result = evaluate_on(Model(), "openmoji")
    assert asked == [(64, "test")]
    assert result["dataset"] == "openmoji" and result["samples"] == 12
    assert result["features"] == "emoji_classifier/128"
    assert result["fid"] == pytest.approx(result["baseline_fid"])
