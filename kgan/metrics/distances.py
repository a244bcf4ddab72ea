"""Frechet and kernel distances between two sets of features (NumPy, float64)."""

import numpy as np


class FeatureStatistics:
    """Streaming mean and covariance of feature vectors.

    Example:
    >>> stats = FeatureStatistics()
    >>> stats.update(np.random.rand(100, 8))
    >>> mean, covariance = stats.mean_and_covariance()
    """

    def __init__(self):
        self.count = 0
        self.total = None
        self.outer = None

    def update(self, features):
        features = np.asarray(features, dtype=np.float64)
        if features.ndim != 2:
            raise ValueError(f"Expected features of shape (n, d). Received: {features.shape}")
        if self.total is None:
            dim = features.shape[1]
            self.total, self.outer = np.zeros(dim), np.zeros((dim, dim))
        self.count += len(features)
        self.total += features.sum(axis=0)
        self.outer += features.T @ features

    def mean_and_covariance(self):
        if self.count < 2:
            raise ValueError(f"Expected at least 2 feature vectors. Received: {self.count}")
        mean = self.total / self.count
        covariance = (self.outer - self.count * np.outer(mean, mean)) / (self.count - 1)
        return mean, covariance


def _sqrt_psd(matrix):
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(mean_a, covariance_a, mean_b, covariance_b):
    """The Frechet distance between two Gaussians (the FID formula).

    `|m_a - m_b|^2 + tr(C_a) + tr(C_b) - 2 tr((C_a^1/2 C_b C_a^1/2)^1/2)`,
    with symmetric square roots from eigendecompositions.

    Returns:
        A float >= 0 (up to rounding).
    """
    root_a = _sqrt_psd(covariance_a)
    middle = _sqrt_psd(root_a @ covariance_b @ root_a)
    difference = np.asarray(mean_a) - np.asarray(mean_b)
    return float(
        difference @ difference
        + np.trace(covariance_a)
        + np.trace(covariance_b)
        - 2.0 * np.trace(middle)
    )


def kernel_distance(features_a, features_b, subsets=10, subset_size=1000, seed=0):
    """KID: the unbiased MMD^2 with the kernel `(x.y / d + 1)^3`, over subsets.

    Args:
        features_a, features_b: arrays `[n, d]`.
        subsets: number of random subsets averaged.
        subset_size: samples per subset (capped by the smaller set).
        seed: seed of the subset draws.

    Returns:
        `(mean, std)` over the subsets.
    """
    a = np.asarray(features_a, dtype=np.float64)
    b = np.asarray(features_b, dtype=np.float64)
    m = min(subset_size, len(a), len(b))
    if m < 2:
        raise ValueError(f"Expected at least 2 samples in each set. Received: {len(a)}, {len(b)}")
    rng = np.random.default_rng(seed)
    dim = a.shape[1]
    values = []
    for _ in range(subsets):
        x = a[rng.choice(len(a), m, replace=False)]
        y = b[rng.choice(len(b), m, replace=False)]
        kxx = (x @ x.T / dim + 1) ** 3
        kyy = (y @ y.T / dim + 1) ** 3
        kxy = (x @ y.T / dim + 1) ** 3
        mmd = (
            (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
            + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
            - 2 * kxy.mean()
        )
        values.append(mmd)
    return float(np.mean(values)), float(np.std(values))
