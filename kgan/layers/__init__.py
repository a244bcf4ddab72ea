"""Layers for GANs, written in `keras.ops` only."""

from kgan.layers.conv import Conv2D
from kgan.layers.conv import Conv2DTranspose
from kgan.layers.equalized import EqualizedConv2D, EqualizedDense
from kgan.layers.fade_in import FadeIn
from kgan.layers.minibatch_stddev import MinibatchStdDev
from kgan.layers.pixel_norm import PixelNorm
from kgan.layers.residual import ResidualBottleneckBlock
from kgan.layers.resample import Downsample2D, Upsample2D
from kgan.layers.selu_block import SELUConvBlock

__all__ = [
    "Conv2D",
    "Conv2DTranspose",
    "Downsample2D",
    "EqualizedConv2D",
    "EqualizedDense",
    "FadeIn",
    "MinibatchStdDev",
    "PixelNorm",
    "ResidualBottleneckBlock",
    "SELUConvBlock",
    "Upsample2D",
]
