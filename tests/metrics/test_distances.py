"""FID and KID arithmetic against SciPy and brute-force references."""

import numpy as np
import pytest
import scipy.linalg

from kgan.metrics import FeatureStatistics
from kgan.metrics import frechet_distance
from kgan.metrics import kernel_distance


def scipy_fid(a, b):
    mean_a, mean_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(cov_a @ cov_b).real
    return float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root))


def stats(features):
    accumulator = FeatureStatistics()
    for chunk in np.array_split(features, 7):  # streamed in uneven batches
        accumulator.update(chunk)
    return accumulator.mean_and_covariance()


def test_streaming_statistics_match_numpy():
    x = np.random.default_rng(0).normal(size=(500, 6))
    mean, covariance = stats(x)
    np.testing.assert_allclose(mean, x.mean(0), atol=1e-12)
    np.testing.assert_allclose(covariance, np.cov(x, rowvar=False), atol=1e-12)


def test_frechet_distance_matches_scipy():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(400, 8)) @ rng.normal(size=(8, 8))
    b = rng.normal(1.0, 2.0, size=(300, 8)) @ rng.normal(size=(8, 8))
    assert frechet_distance(*stats(a), *stats(b)) == pytest.approx(scipy_fid(a, b), rel=1e-6)


def test_frechet_distance_of_known_gaussians():
    # N(0, I) vs N(m, 4I) in d dims: |m|^2 + d + 4d - 2 * 2d = |m|^2 + d.
    d, m = 5, np.full(5, 0.5)
    assert frechet_distance(np.zeros(d), np.eye(d), m, 4 * np.eye(d)) == pytest.approx(0.25 * d + d)
    assert frechet_distance(np.zeros(d), np.eye(d), np.zeros(d), np.eye(d)) == pytest.approx(0, abs=1e-9)


def test_kernel_distance_matches_brute_force():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(20, 3)), rng.normal(0.5, 1, size=(20, 3))
    value, spread = kernel_distance(a, b, subsets=1, subset_size=20)
    k = lambda x, y: (x @ y / 3 + 1) ** 3  # noqa: E731
    m = 20
    xx = sum(k(a[i], a[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(b[i], b[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(a[i], b[j]) for i in range(m) for j in range(m)) / (m * m)
    assert value == pytest.approx(xx + yy - 2 * xy, rel=1e-9)
    assert spread == 0.0


def test_kernel_distance_is_near_zero_for_one_distribution():
    rng = np.random.default_rng(3)
    same, _ = kernel_distance(rng.normal(size=(2000, 4)), rng.normal(size=(2000, 4)), subset_size=500)
    shifted, _ = kernel_distance(rng.normal(size=(2000, 4)), rng.normal(1, 1, size=(2000, 4)), subset_size=500)
    assert abs(same) < 0.05 < shifted


def test_bad_feature_shapes():
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        FeatureStatistics().update(np.zeros(5))
    with pytest.raises(ValueError, match="at least 2"):
        FeatureStatistics().mean_and_covariance()
