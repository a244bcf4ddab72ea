"""Nearest-neighbour upsampling and average-pool downsampling by an integer factor."""

import keras
from keras import ops

from kgan.layers import _validation

_SPATIAL = "batch, height, width, channels"


class _Resample2D(keras.layers.Layer):
    """Shared by the resampling layers: an integer `factor` and its config."""

    def __init__(self, factor=2, **kwargs):
        super().__init__(**kwargs)
        self.factor = _validation.check_positive_int("factor", factor)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor})
        return config


@keras.saving.register_keras_serializable(package="kgan")
class Upsample2D(_Resample2D):
    """Nearest-neighbour upsampling of an NHWC tensor by an integer factor.

    Each pixel is repeated `factor` times along height and width (ProGAN's
    upsampling between generator blocks).

    Args:
        factor: Positive integer, the scale of height and width.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: Tensor of shape `(batch, height, width, channels)`.

    Returns:
        Tensor of shape `(batch, height * factor, width * factor, channels)`.

    Example:

    >>> x = np.arange(4, dtype="float32").reshape(1, 2, 2, 1)
    >>> y = Upsample2D(2)(x)
    >>> keras.ops.convert_to_numpy(y)[0, :, :, 0].tolist()[0]
    [0.0, 0.0, 1.0, 1.0]
    """

    def call(self, inputs):
        if self.factor == 1:
            return inputs
        outputs = ops.repeat(inputs, self.factor, axis=1)
        return ops.repeat(outputs, self.factor, axis=2)

    def compute_output_shape(self, input_shape):
        n, h, w, c = _validation.check_rank("Upsample2D", input_shape, 4, _SPATIAL)
        h = None if h is None else h * self.factor
        w = None if w is None else w * self.factor
        return (n, h, w, c)



@keras.saving.register_keras_serializable(package="kgan")
class Downsample2D(_Resample2D):
    """Average-pool downsampling of an NHWC tensor by an integer factor.

    Non-overlapping `factor x factor` blocks are averaged (ProGAN's 2x2
    average pooling), computed as a reshape and a mean. Height and width must
    be divisible by `factor`.

    Args:
        factor: Positive integer, the divisor of height and width.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: Tensor of shape `(batch, height, width, channels)`.

    Returns:
        Tensor of shape `(batch, height // factor, width // factor, channels)`.

    Example:

    >>> x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    >>> y = Downsample2D(2)(x)
    >>> keras.ops.convert_to_numpy(y)[0, :, :, 0].tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """

    def call(self, inputs):
        if self.factor == 1:
            return inputs
        static = tuple(inputs.shape)
        self._check_divisible(static)
        dynamic = ops.shape(inputs)
        h = static[1] if static[1] is not None else dynamic[1]
        w = static[2] if static[2] is not None else dynamic[2]
        c = static[3] if static[3] is not None else dynamic[3]
        f = self.factor
        blocks = ops.reshape(inputs, (-1, h // f, f, w // f, f, c))
        return ops.mean(blocks, axis=(2, 4))

    def _check_divisible(self, input_shape):
        for axis, size in zip(("height", "width"), input_shape[1:3]):
            if size is not None and size % self.factor != 0:
                raise ValueError(
                    f"Downsample2D needs input {axis} divisible by factor={self.factor}. "
                    f"Received: input_shape={tuple(input_shape)}"
                )

    def compute_output_shape(self, input_shape):
        input_shape = _validation.check_rank("Downsample2D", input_shape, 4, _SPATIAL)
        self._check_divisible(input_shape)
        n, h, w, c = input_shape
        h = None if h is None else h // self.factor
        w = None if w is None else w // self.factor
        return (n, h, w, c)
