"""Minibatch standard deviation feature (ProGAN discriminator)."""

import keras
from keras import ops

from kgan.layers import _validation


@keras.saving.register_keras_serializable(package="kgan")
class MinibatchStdDev(keras.layers.Layer):
    """Appends the minibatch standard deviation as one extra channel (ProGAN).

    The batch of N samples is split into `G = min(group_size, N)` groups as in
    the official ProGAN code: the input is reshaped to `[G, M, H, W, C]` with
    `M = N / G`, so sample `n = g * M + m` is member `g` of subgroup `m`. For
    each `m`, the standard deviation over its G members (population, with
    `sqrt(var + 1e-8)`) is averaged over H, W and C to one scalar, which is
    broadcast to a `[H, W, 1]` map and appended to every sample `g * M + m`.
    The statistic is computed in float32.

    The batch size must be divisible by G. With a static batch size the check
    is made when the layer is called; with an unknown batch size the group
    size is computed at run time.

    Args:
        group_size: Positive integer, the largest group size (4 in ProGAN's
            training; the Theano-era CelebA-HQ networks use 16).
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: Tensor of shape `(batch, height, width, channels)`.

    Returns:
        Tensor of shape `(batch, height, width, channels + 1)`.

    Example:

    >>> x = np.random.default_rng(0).normal(size=(8, 4, 4, 16)).astype("float32")
    >>> y = MinibatchStdDev(group_size=4)(x)
    >>> tuple(y.shape)
    (8, 4, 4, 17)
    """

    epsilon = 1e-8

    def __init__(self, group_size=4, **kwargs):
        super().__init__(**kwargs)
        self.group_size = _validation.check_positive_int("group_size", group_size)

    def _check_input_shape(self, input_shape):
        input_shape = _validation.check_rank(
            "MinibatchStdDev", input_shape, 4, "batch, height, width, channels"
        )
        batch = input_shape[0]
        if batch is not None:
            groups = min(self.group_size, batch)
            if batch % groups != 0:
                raise ValueError(
                    f"MinibatchStdDev needs the batch size to be divisible by the group "
                    f"size min(group_size={self.group_size}, batch={batch}) = {groups}. "
                    f"Received: input_shape={input_shape}"
                )
        return input_shape

    def build(self, input_shape):
        self._check_input_shape(input_shape)

    def call(self, inputs):
        static = self._check_input_shape(inputs.shape)
        dynamic = ops.shape(inputs)
        h, w, c = (static[i] if static[i] is not None else dynamic[i] for i in (1, 2, 3))
        if static[0] is not None:
            groups = min(self.group_size, static[0])
        else:
            groups = ops.minimum(self.group_size, dynamic[0])

        x = ops.cast(inputs, "float32")
        y = ops.reshape(x, (groups, -1, h, w, c))  # [G, M, H, W, C], n = g * M + m
        y = y - ops.mean(y, axis=0, keepdims=True)
        y = ops.mean(ops.square(y), axis=0)  # [M, H, W, C]
        y = ops.sqrt(y + self.epsilon)
        y = ops.mean(y, axis=(1, 2, 3), keepdims=True)  # [M, 1, 1, 1]
        y = ops.tile(y, (groups, h, w, 1))  # [N, H, W, 1], sample g * M + m gets y[m]
        y = ops.cast(y, inputs.dtype)
        return ops.concatenate([inputs, y], axis=-1)

    def compute_output_shape(self, input_shape):
        n, h, w, c = self._check_input_shape(input_shape)
        return (n, h, w, None if c is None else c + 1)

    def get_config(self):
        config = super().get_config()
        config.update({"group_size": self.group_size})
        return config
