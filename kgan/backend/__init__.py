"""The only place in kgan that imports TensorFlow, JAX or PyTorch.

Every function here has one implementation per Keras backend, in
`kgan/backend/<backend>.py`; the rest of kgan calls these and stays
backend-neutral.

- `value_and_gradients(loss_fn, variables)`: the loss and its gradients with
  respect to a list of Keras variables.
- `input_gradient(fn, inputs)`: the gradient of `sum(fn(inputs))` with respect to
  `inputs`, itself differentiable with respect to the weights `fn` reads (for
  gradient penalties).
- `apply_gradients(optimizer, gradients, variables)`: one optimizer update.
- `run_train_step(model, step_fn, *args)`: runs a stateful-style step
  `step_fn(data) -> logs` under the backend's trainer; on JAX this is the adapter
  from `train_step(state, data)` to stateful code.
- `no_grad()`: a context in which no gradient graph is recorded.
- `conv(inputs, kernel, strides, padding)` and `conv_transpose(...)`:
  `keras.ops.conv` and `keras.ops.conv_transpose` for NHWC inputs without
  dilation, groups or output padding (`kgan.layers.Conv2D`, `Conv2DTranspose`).
  On JAX their gradients avoid convolutions of input-dilated operands, which
  XLA on CPU runs 10-25x slower: JAX's kernel gradient of a transposed
  convolution, and the input gradient of a strided one that a gradient
  penalty differentiates again.

Data parallelism (`kgan.distribute`):

- `list_devices()`: the devices a data-parallel step can use, as
  `"gpu:0"`-style names (accelerators if any, else CPUs).
- `split_cpu(n)`: splits the host CPU into `n` virtual devices (testing).
- `data_parallel(devices)`: a context in which models are created, compiled
  and fitted data-parallel over `devices` (JAX: `keras.distribution.
  DataParallel`; TensorFlow: `tf.distribute.MirroredStrategy`; torch: an
  error, Keras's torch backend has no distribution API).
- `num_replicas(model=None)`: how many devices share each batch.
- `replica_noise(draw, shape)`: noise of `shape` for this replica, such that
  the replicas together draw the noise of the single-device step.
- `global_batch_size(batch_size)`: the step's whole batch size, given the
  batch size a step sees (they differ in a TensorFlow replica).
- `check_distributed(model)`: raises a clear error when a data-parallel scope
  is active but `model` was created outside it.
"""

import importlib

import keras

BACKEND = keras.backend.backend()

if BACKEND not in ("tensorflow", "jax", "torch"):
    raise ImportError(
        "kgan runs on the Keras backends 'tensorflow', 'jax' and 'torch'. "
        f"Received: KERAS_BACKEND={BACKEND!r}. Set the environment variable "
        "KERAS_BACKEND to one of them before importing keras."
    )

_impl = importlib.import_module(f"kgan.backend.{BACKEND}")

value_and_gradients = _impl.value_and_gradients
input_gradient = _impl.input_gradient
apply_gradients = _impl.apply_gradients
run_train_step = _impl.run_train_step
no_grad = _impl.no_grad
conv = _impl.conv
conv_transpose = _impl.conv_transpose
list_devices = _impl.list_devices
split_cpu = _impl.split_cpu
data_parallel = _impl.data_parallel
num_replicas = _impl.num_replicas
replica_noise = _impl.replica_noise
check_distributed = _impl.check_distributed
global_batch_size = _impl.global_batch_size

__all__ = [
    "BACKEND",
    "value_and_gradients",
    "input_gradient",
    "apply_gradients",
    "run_train_step",
    "no_grad",
    "conv",
    "conv_transpose",
    "list_devices",
    "split_cpu",
    "data_parallel",
    "num_replicas",
    "replica_noise",
    "check_distributed",
    "global_batch_size",
]
