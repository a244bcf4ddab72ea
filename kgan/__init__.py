"""kgan: a GAN model zoo for Keras 3 that runs on TensorFlow, JAX and PyTorch."""

__version__ = "0.1.0"

from kgan import backend  # noqa: F401  (first: checks the Keras backend is usable)
from kgan import callbacks  # noqa: F401
from kgan import data  # noqa: F401
from kgan import images  # noqa: F401
from kgan import layers  # noqa: F401
from kgan import losses  # noqa: F401
from kgan import metrics  # noqa: F401
from kgan import models  # noqa: F401
from kgan import zoo  # noqa: F401
from kgan.distribution import available_devices  # noqa: F401
from kgan.distribution import distribute  # noqa: F401
from kgan.distribution import virtual_cpu_devices  # noqa: F401

__all__ = [
    "backend",
    "callbacks",
    "data",
    "images",
    "layers",
    "losses",
    "metrics",
    "models",
    "zoo",
    "available_devices",
    "distribute",
    "virtual_cpu_devices",
]
