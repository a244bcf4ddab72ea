"""Shared fixtures. The backend is chosen by KERAS_BACKEND (tensorflow, jax, torch)."""

import keras
import numpy as np
import pytest


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {keras.backend.backend()}"


@pytest.fixture
def tiny_images():
    """32 random grey 16x16 images in [-1, 1]."""
    rng = np.random.default_rng(0)
    return rng.uniform(-1.0, 1.0, (32, 16, 16, 1)).astype("float32")
