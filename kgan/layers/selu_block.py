"""Convolution + SELU block for self-normalising networks."""

import keras

from kgan.layers import _validation
from kgan.layers.conv import Conv2D
from kgan.layers.conv import Conv2DTranspose


@keras.saving.register_keras_serializable(package="kgan")
class SELUConvBlock(keras.layers.Layer):
    """Convolution (or transposed convolution) followed by SELU, without normalisation.

    The building block of the pix2pix SELU variant: with LeCun-normal weights
    and SELU activations the activations stay near zero mean and unit variance
    (self-normalising networks), so no batch normalisation is used.
    Padding is `"same"`: the output has `ceil(H / strides)` rows for a
    convolution and `H * strides` rows for a transposed convolution.

    Args:
        filters: Positive integer, the number of output channels.
        kernel_size: Positive integer or tuple of 2 positive integers.
        strides: Positive integer or tuple of 2 positive integers.
        transpose: Boolean; `True` uses `kgan.layers.Conv2DTranspose` (upsampling).
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: Tensor of shape `(batch, height, width, channels)`.

    Returns:
        Tensor of shape `(batch, new_height, new_width, filters)`.

    Example:

    >>> block = SELUConvBlock(8, kernel_size=4, strides=2, transpose=True)
    >>> y = block(np.ones((1, 4, 4, 3), "float32"))
    >>> tuple(y.shape)
    (1, 8, 8, 8)
    """

    def __init__(self, filters, kernel_size=3, strides=1, transpose=False, **kwargs):
        super().__init__(**kwargs)
        self.filters = _validation.check_positive_int("filters", filters)
        self.kernel_size = _validation.check_kernel_size("kernel_size", kernel_size)
        self.strides = _validation.check_kernel_size("strides", strides)
        self.transpose = bool(transpose)
        conv_class = Conv2DTranspose if self.transpose else Conv2D
        self.conv = conv_class(
            self.filters,
            self.kernel_size,
            strides=self.strides,
            padding="same",
            kernel_initializer="lecun_normal",
            activation="selu",
            dtype=self.dtype_policy,
            name="conv_transpose" if self.transpose else "conv",
        )

    def _check_input_shape(self, input_shape):
        input_shape = _validation.check_rank(
            "SELUConvBlock", input_shape, 4, "batch, height, width, channels"
        )
        _validation.check_known_channels("SELUConvBlock", input_shape)
        return input_shape

    def build(self, input_shape):
        self.conv.build(self._check_input_shape(input_shape))

    def call(self, inputs):
        return self.conv(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(self.conv.compute_output_shape(self._check_input_shape(input_shape)))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "transpose": self.transpose,
            }
        )
        return config
