"""Pixelwise feature-vector normalisation (ProGAN)."""

import keras
from keras import ops

from kgan.layers import _validation


@keras.saving.register_keras_serializable(package="kgan")
class PixelNorm(keras.layers.Layer):
    """Normalises each feature vector (the last axis) to unit mean square (ProGAN).

    Computes `x * rsqrt(mean(x**2, axis=-1) + epsilon)` at every position:
    over the channels of an NHWC feature map, or over the features of a
    latent vector `(batch, latent_dim)`. The statistic is computed in float32.

    Args:
        epsilon: Positive float added to the mean square.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: Tensor of rank >= 2, features on the last axis.

    Returns:
        Tensor of the same shape as `inputs`.

    Example:

    >>> z = np.random.default_rng(0).normal(size=(4, 512)).astype("float32")
    >>> w = keras.ops.convert_to_numpy(PixelNorm()(z))
    >>> bool(np.allclose(np.mean(np.square(w), axis=-1), 1.0, atol=1e-4))
    True
    """

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = _validation.check_positive_float("epsilon", epsilon)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        mean_square = ops.mean(ops.square(x), axis=-1, keepdims=True)
        outputs = x * ops.rsqrt(mean_square + self.epsilon)
        return ops.cast(outputs, inputs.dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 2:
            raise ValueError(
                "PixelNorm expects inputs of rank >= 2 (batch, ..., features). "
                f"Received: input_shape={input_shape}"
            )
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"epsilon": self.epsilon})
        return config
