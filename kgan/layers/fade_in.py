"""Linear blend of two tensors by a trainer-controlled alpha (ProGAN fade-in)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kgan")
class FadeIn(keras.layers.Layer):
    """Blends `[old, new]` as `old + (new - old) * alpha` (ProGAN fade-in).

    `alpha` is a non-trainable float32 scalar weight of the layer, created in
    `build` with value 0.0. A training step moves it from 0 to 1 during the
    fade phase with `layer.alpha.assign(value)`: it is a variable, so the new
    value is seen by compiled (traced) steps on every backend, and it is saved
    with the model's weights.

    Args:
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: List of two tensors `[old, new]` of the same shape: the
            upsampled output of the previous resolution and the output of the
            new block.

    Returns:
        Tensor of the shape of `old`.

    Example:

    >>> old, new = np.zeros((1, 4, 4, 3), "float32"), np.ones((1, 4, 4, 3), "float32")
    >>> fade = FadeIn()
    >>> _ = fade([old, new])
    >>> _ = fade.alpha.assign(0.25)
    >>> float(keras.ops.convert_to_numpy(fade([old, new]))[0, 0, 0, 0])
    0.25
    """

    def _check_input_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
            isinstance(s, (list, tuple)) for s in input_shape
        ):
            raise ValueError(
                "FadeIn expects a list of two tensors [old, new]. "
                f"Received: input_shape={input_shape}"
            )
        old, new = (tuple(s) for s in input_shape)
        compatible = len(old) == len(new) and all(
            a is None or b is None or a == b for a, b in zip(old, new)
        )
        if not compatible:
            raise ValueError(
                "FadeIn expects `old` and `new` of the same shape. "
                f"Received: old.shape={old}, new.shape={new}"
            )
        return old, new

    def build(self, input_shape):
        self._check_input_shape(input_shape)
        self.alpha = self.add_weight(
            name="alpha",
            shape=(),
            dtype="float32",
            initializer="zeros",
            trainable=False,
            autocast=False,
        )

    def call(self, inputs):
        old, new = inputs
        self._check_input_shape([tuple(old.shape), tuple(new.shape)])
        alpha = ops.cast(self.alpha, old.dtype)
        return old + (new - old) * alpha

    def compute_output_shape(self, input_shape):
        old, new = self._check_input_shape(input_shape)
        return tuple(a if a is not None else b for a, b in zip(old, new))
