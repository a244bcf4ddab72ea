"""Dense and convolution layers with ProGAN's equalized learning rate."""

import math

import keras
from keras import ops

from kgan.layers import _validation

_PADDINGS = ("same", "valid")


def _runtime_scale(layer):
    """`gain / sqrt(fan_in)` of a built equalized layer."""
    if layer._fan_in is None:
        raise ValueError(
            f"Layer '{layer.name}' is not built yet: `scale` depends on the input "
            "size (fan_in). Call the layer or `build(input_shape)` first."
        )
    return layer.gain / math.sqrt(layer._fan_in)


@keras.saving.register_keras_serializable(package="kgan")
class EqualizedDense(keras.layers.Layer):
    """Densely-connected layer with an equalized learning rate (ProGAN).

    The kernel is stored with unit variance and scaled at run time by
    `scale = gain / sqrt(fan_in) * lr_multiplier` (fan_in = input features),
    so that every weight sees the same effective learning rate under Adam.
    With `lr_multiplier != 1` (StyleGAN's mapping network) the kernel is
    stored with standard deviation `1 / lr_multiplier` and the bias is
    multiplied by `lr_multiplier`, so the effective initial weights do not
    depend on it.

    The kernel has Keras's Dense layout `[in_features, units]`.

    Args:
        units: Positive integer, dimensionality of the output space.
        gain: Positive float, the He gain; `sqrt(2)` before a (leaky) ReLU,
            `1.0` for a linear output.
        use_bias: Boolean, whether to add a bias (initialised to zeros).
        lr_multiplier: Positive float, learning-rate multiplier of the layer.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: Tensor of shape `(..., in_features)`.

    Returns:
        Tensor of shape `(..., units)`: `inputs @ (kernel * scale) + bias * lr_multiplier`.

    Example:

    >>> layer = EqualizedDense(8, gain=1.0)
    >>> y = layer(np.ones((2, 16), "float32"))
    >>> tuple(y.shape)
    (2, 8)
    >>> round(layer.scale, 4)
    0.25
    """

    def __init__(self, units, gain=math.sqrt(2.0), use_bias=True, lr_multiplier=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = _validation.check_positive_int("units", units)
        self.gain = _validation.check_positive_float("gain", gain)
        self.use_bias = bool(use_bias)
        self.lr_multiplier = _validation.check_positive_float("lr_multiplier", lr_multiplier)
        self._fan_in = None

    @property
    def scale(self):
        """The run-time multiplier of the kernel, `gain / sqrt(fan_in) * lr_multiplier`.

        Available once the layer is built (fan_in comes from the input shape).
        """
        return _runtime_scale(self) * self.lr_multiplier

    def _check_input_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 2:
            raise ValueError(
                "EqualizedDense expects inputs of rank >= 2 (batch, ..., features). "
                f"Received: input_shape={input_shape}"
            )
        _validation.check_known_channels("EqualizedDense", input_shape)
        return input_shape

    def build(self, input_shape):
        in_features = int(self._check_input_shape(input_shape)[-1])
        self._fan_in = in_features
        self.kernel = self.add_weight(
            name="kernel",
            shape=(in_features, self.units),
            initializer=keras.initializers.RandomNormal(0.0, 1.0 / self.lr_multiplier),
            trainable=True,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.units,), initializer="zeros", trainable=True
            )
        else:
            self.bias = None

    def call(self, inputs):
        outputs = ops.matmul(inputs, self.kernel * self.scale)
        if self.bias is not None:
            outputs = outputs + self.bias * self.lr_multiplier
        return outputs

    def compute_output_shape(self, input_shape):
        return self._check_input_shape(input_shape)[:-1] + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "gain": self.gain,
                "use_bias": self.use_bias,
                "lr_multiplier": self.lr_multiplier,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="kgan")
class EqualizedConv2D(keras.layers.Layer):
    """2D convolution (stride 1) with an equalized learning rate (ProGAN).

    The kernel is stored as N(0, 1) and multiplied at run time by
    `scale = gain / sqrt(fan_in)`, with `fan_in = kh * kw * in_channels`.
    The kernel has Keras's HWIO layout `[kh, kw, in_channels, filters]`, the
    layout of the official ProGAN checkpoints, so weights can be assigned as is.

    Args:
        filters: Positive integer, the number of output channels.
        kernel_size: Positive integer or tuple of 2 positive integers.
        gain: Positive float, the He gain; `sqrt(2)` before a (leaky) ReLU,
            `1.0` for a linear output such as ProGAN's ToRGB.
        use_bias: Boolean, whether to add a bias (initialised to zeros).
        padding: `"same"` or `"valid"`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: Tensor of shape `(batch, height, width, in_channels)`.

    Returns:
        Tensor of shape `(batch, new_height, new_width, filters)`.

    Example:

    >>> layer = EqualizedConv2D(4, 3)
    >>> y = layer(np.ones((1, 8, 8, 2), "float32"))
    >>> tuple(y.shape)
    (1, 8, 8, 4)
    >>> tuple(layer.kernel.shape)
    (3, 3, 2, 4)
    """

    def __init__(
        self, filters, kernel_size, gain=math.sqrt(2.0), use_bias=True, padding="same", **kwargs
    ):
        super().__init__(**kwargs)
        self.filters = _validation.check_positive_int("filters", filters)
        self.kernel_size = _validation.check_kernel_size("kernel_size", kernel_size)
        self.gain = _validation.check_positive_float("gain", gain)
        self.use_bias = bool(use_bias)
        self.padding = _validation.check_choice(
            "padding", padding.lower() if isinstance(padding, str) else padding, _PADDINGS
        )
        self._fan_in = None

    @property
    def scale(self):
        """The run-time multiplier of the kernel, `gain / sqrt(kh * kw * in_channels)`.

        Available once the layer is built (fan_in comes from the input shape).
        """
        return _runtime_scale(self)

    def _check_input_shape(self, input_shape):
        input_shape = _validation.check_rank(
            "EqualizedConv2D", input_shape, 4, "batch, height, width, channels"
        )
        _validation.check_known_channels("EqualizedConv2D", input_shape)
        if self.padding == "valid":
            for axis, size, k in zip(("height", "width"), input_shape[1:3], self.kernel_size):
                if size is not None and size < k:
                    raise ValueError(
                        f"EqualizedConv2D with padding='valid' needs input {axis} >= "
                        f"kernel size {k}. Received: input_shape={input_shape}"
                    )
        return input_shape

    def build(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        in_channels = int(input_shape[-1])
        self._fan_in = self.kernel_size[0] * self.kernel_size[1] * in_channels
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (in_channels, self.filters),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
            trainable=True,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer="zeros", trainable=True
            )
        else:
            self.bias = None

    def call(self, inputs):
        outputs = ops.conv(
            inputs,
            self.kernel * self.scale,
            strides=1,
            padding=self.padding,
            data_format="channels_last",
        )
        if self.bias is not None:
            outputs = outputs + self.bias
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        spatial = []
        for size, k in zip(input_shape[1:3], self.kernel_size):
            if size is None or self.padding == "same":
                spatial.append(size)
            else:
                spatial.append(size - k + 1)
        return (input_shape[0], spatial[0], spatial[1], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "gain": self.gain,
                "use_bias": self.use_bias,
                "padding": self.padding,
            }
        )
        return config
