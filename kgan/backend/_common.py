"""What the backend modules share: messages, and plain Keras implementations."""

import keras


def created_outside_error(model):
    """The error for a model fitted in a data-parallel scope it was not built in."""
    return ValueError(
        f"{model.name} was created outside the data-parallel scope it is being "
        "fitted in, so its weights are not on the scope's devices. Create the "
        "model and call compile() inside `with kgan.distribute(...)`, then fit "
        "it there."
    )


def conv(inputs, kernel, strides, padding):
    """`keras.ops.conv` (NHWC, no dilation or groups)."""
    return keras.ops.conv(inputs, kernel, strides=strides, padding=padding)


def conv_transpose(inputs, kernel, strides, padding):
    """`keras.ops.conv_transpose` (NHWC, no dilation or output padding)."""
    return keras.ops.conv_transpose(inputs, kernel, strides=strides, padding=padding)
