"""Residual bottleneck block (1x1 -> 3x3 -> 1x1 convolutions plus a skip connection)."""

import keras
from keras import ops

from kgan.layers import _validation
from kgan.layers.conv import Conv2D

_NORMALIZATIONS = ("batch", None)


@keras.saving.register_keras_serializable(package="kgan")
class ResidualBottleneckBlock(keras.layers.Layer):
    """Residual bottleneck block, as in the Girl Friend Factory generator.

    Computes `relu(skip(x) + f(x))` where `f` is a 1x1 convolution down to
    `filters // bottleneck_ratio` channels, normalisation, ReLU, a 3x3
    convolution, normalisation, ReLU, a 1x1 convolution back to `filters`
    channels and normalisation. `skip(x)` is `x` when it already has `filters`
    channels, else a 1x1 convolution of `x` to `filters` channels (created in
    `build`, when the input channels are known). Spatial size is unchanged.

    Args:
        filters: Positive integer, the number of output channels.
        bottleneck_ratio: Positive integer, the channel reduction inside the
            block; `filters // bottleneck_ratio` must be at least 1.
        normalization: `"batch"` for batch normalisation after every
            convolution, or `None` for none (the convolutions then use biases).
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: Tensor of shape `(batch, height, width, channels)`.
        training: Boolean, whether batch normalisation runs in training mode.

    Returns:
        Tensor of shape `(batch, height, width, filters)`.

    Example:

    >>> block = ResidualBottleneckBlock(64, bottleneck_ratio=4)
    >>> y = block(np.ones((2, 8, 8, 32), "float32"))
    >>> tuple(y.shape)
    (2, 8, 8, 64)
    """

    def __init__(self, filters, bottleneck_ratio=4, normalization="batch", **kwargs):
        super().__init__(**kwargs)
        self.filters = _validation.check_positive_int("filters", filters)
        self.bottleneck_ratio = _validation.check_positive_int(
            "bottleneck_ratio", bottleneck_ratio
        )
        if isinstance(normalization, str):
            normalization = normalization.lower()
        self.normalization = _validation.check_choice(
            "normalization", normalization, _NORMALIZATIONS
        )
        self.bottleneck_filters = self.filters // self.bottleneck_ratio
        if self.bottleneck_filters < 1:
            raise ValueError(
                "Argument `bottleneck_ratio` must be at most `filters` so that the "
                f"bottleneck has filters // bottleneck_ratio >= 1 channels. Received: "
                f"filters={self.filters}, bottleneck_ratio={self.bottleneck_ratio}"
            )
        use_bias = self.normalization is None
        widths_and_kernels = (
            (self.bottleneck_filters, 1),
            (self.bottleneck_filters, 3),
            (self.filters, 1),
        )
        self.convs = []
        self.norms = []
        for i, (width, kernel) in enumerate(widths_and_kernels):
            self.convs.append(
                Conv2D(
                    width,
                    kernel,
                    padding="same",
                    use_bias=use_bias,
                    dtype=self.dtype_policy,
                    name=f"conv{i}",
                )
            )
            if self.normalization == "batch":
                self.norms.append(
                    keras.layers.BatchNormalization(dtype=self.dtype_policy, name=f"norm{i}")
                )
        self.projection = None

    def _check_input_shape(self, input_shape):
        input_shape = _validation.check_rank(
            "ResidualBottleneckBlock", input_shape, 4, "batch, height, width, channels"
        )
        _validation.check_known_channels("ResidualBottleneckBlock", input_shape)
        return input_shape

    def build(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        shape = input_shape
        for i, conv in enumerate(self.convs):
            conv.build(shape)
            shape = conv.compute_output_shape(shape)
            if self.norms:
                self.norms[i].build(shape)
        if input_shape[-1] != self.filters:
            self.projection = Conv2D(
                self.filters,
                1,
                padding="same",
                use_bias=self.normalization is None,
                dtype=self.dtype_policy,
                name="projection",
            )
            self.projection.build(input_shape)

    def call(self, inputs, training=None):
        x = inputs
        last = len(self.convs) - 1
        for i, conv in enumerate(self.convs):
            x = conv(x)
            if self.norms:
                x = self.norms[i](x, training=training)
            if i < last:
                x = ops.relu(x)
        skip = inputs if self.projection is None else self.projection(inputs)
        return ops.relu(x + skip)

    def compute_output_shape(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        return tuple(input_shape[:-1]) + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "bottleneck_ratio": self.bottleneck_ratio,
                "normalization": self.normalization,
            }
        )
        return config
