"""Keras's 2D convolutions, with the gradients of `kgan.backend.conv` and `conv_transpose`."""

import keras
from keras import ops

from kgan import backend


@keras.saving.register_keras_serializable(package="kgan")
class Conv2DTranspose(keras.layers.Conv2DTranspose):
    """`keras.layers.Conv2DTranspose`, computed by `kgan.backend.conv_transpose`.

    Same arguments, weights, outputs and gradients as the Keras layer. On JAX
    the Keras layer's forward pass and kernel gradient are convolutions over
    the input-dilated inputs, which XLA on CPU runs up to 25x slower than the
    stride-1 convolutions this layer uses; a DCGAN or CAAE step spent most of
    its time there. Configurations the fast path does not
    cover (`output_padding`, `dilation_rate` > 1, `channels_first`) run the
    Keras layer's own code.

    Args:
        The arguments of `keras.layers.Conv2DTranspose`.

    Call arguments:
        inputs: Tensor `(batch, height, width, channels)`.

    Returns:
        The Keras layer's output: `(batch, height * strides, width * strides,
        filters)` for `padding="same"`.

    Example:

    >>> layer = Conv2DTranspose(8, 4, strides=2, padding="same")
    >>> layer(np.zeros((2, 7, 7, 16), "float32")).shape
    (2, 14, 14, 8)
    """

    def call(self, inputs):
        if (
            self.output_padding is not None
            or tuple(self.dilation_rate) != (1, 1)
            or self.data_format != "channels_last"
        ):
            return super().call(inputs)
        outputs = backend.conv_transpose(inputs, self.kernel, self.strides, self.padding)
        if self.use_bias:
            outputs = ops.add(outputs, ops.reshape(self.bias, (1, 1, 1, self.filters)))
        if self.activation is not None:
            return self.activation(outputs)
        return outputs


@keras.saving.register_keras_serializable(package="kgan")
class Conv2D(keras.layers.Conv2D):
    """`keras.layers.Conv2D`, with the input gradient of `kgan.backend.conv`.

    Same arguments, weights, outputs and gradients as the Keras layer. On JAX
    a strided convolution's input gradient is a convolution of the
    input-dilated output gradient; a gradient penalty (WGAN-GP) differentiates
    it again, and XLA on CPU runs that kernel gradient 10-25x slower than the
    equal one this layer's gradients give. Configurations the fast path does
    not cover (`dilation_rate` > 1, `groups` > 1, `channels_first`) run the
    Keras layer's own code.

    Args:
        The arguments of `keras.layers.Conv2D`.

    Call arguments:
        inputs: Tensor `(batch, height, width, channels)`.

    Returns:
        The Keras layer's output: `(batch, ceil(height / strides),
        ceil(width / strides), filters)` for `padding="same"`.

    Example:

    >>> layer = Conv2D(8, 4, strides=2, padding="same")
    >>> layer(np.zeros((2, 28, 28, 1), "float32")).shape
    (2, 14, 14, 8)
    """

    def convolution_op(self, inputs, kernel):
        if (
            tuple(self.dilation_rate) != (1, 1)
            or self.groups != 1
            or self.data_format != "channels_last"
        ):
            return super().convolution_op(inputs, kernel)
        return backend.conv(inputs, kernel, self.strides, self.padding)
