"""Training and generation speed of every kgan family on each Keras backend.

    taskset -c 1 python benchmarks/throughput.py          # all families and backends
    python benchmarks/throughput.py --quick --threads 1    # smoke run: batch 8, 2 + 3 steps
    python benchmarks/throughput.py --table-only           # README section from the JSON

For each family (dcgan, wgangp, cgan, progan, pix2pix, caae) and backend
(tensorflow, jax, torch) one worker process (`--worker`, `KERAS_BACKEND` set)
builds the family's networks as its preset recipe in `scripts/train_preset.py`
does, on random data of the right shape (nothing is downloaded), and measures:

- training images / s in steady state: `fit` on a repeating
  `kgan.data.ArrayDataset` for `--warmup` + `--steps` steps; the clock is read
  after each step with the step's losses converted to NumPy (this waits for
  JAX's asynchronous dispatch); the timed steps follow the warm-up;
- the time from the worker's process start to the end of the first step, and
  the first step alone (tracing and compilation);
- generation images / s through the model's task method (`generate`;
  pix2pix: `colorize`), after a warm-up call of one batch;
- peak memory: `ru_maxrss` of the worker.

A plain PyTorch implementation of the DCGAN and WGAN-GP networks
(`reference_dcgan_torch.ReferenceGAN`) is timed the same way, in its own
process, with the same batch size and thread count; kgan's images / s are
reported as a ratio to it. Every family's FLOPs per training image are counted
from its layers (`forward_flops`, `training_passes`) and, with the measured
images / s, compared with this machine's float32 matrix-multiply rate
(`--peak`, a 2048x2048 matmul in NumPy and in PyTorch, the faster one). Last,
the wall time from process start to a written PNG of
`python -m kgan generate dcgan_fashion_mnist -n 64` (median of 3).

Threads: `--threads N` (default: every core of this process's affinity) pins
each child process to N of those cores and sets OMP/MKL/OpenBLAS threads,
TensorFlow's intra- and inter-op threads, XLA's CPU flags and
`torch.set_num_threads(N)`. Results go to `benchmarks/throughput.json` (`--out`)
and to the section of `benchmarks/README.md` between the throughput markers.
"""

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
README = os.path.join(HERE, "README.md")
RESULTS = os.path.join(HERE, "throughput.json")
REFERENCE_FILE = os.path.join(HERE, "reference_dcgan_torch.py")
BACKENDS = ("tensorflow", "jax", "torch")
START_MARKER = "<!-- throughput:start -->"
END_MARKER = "<!-- throughput:end -->"
HEADING = "## Throughput: training and generation speed per backend"
PNG_PRESET = "dcgan_fashion_mnist"
PNG_REPEATS = 3
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
UNEVEN_STEPS = 3.0  # a timed step this many times the median one is reported
POOL_BATCHES = 4  # random images per worker: this many batches, reshuffled each pass

# Each family: the preset recipe whose networks it builds, and the default
# resolution and batch size (the recipe's, except ProGAN's fixed stage).
FAMILIES = {
    "dcgan": dict(recipe="dcgan_fashion_mnist", resolution=28, batch_size=64, method="generate"),
    "wgangp": dict(recipe="wgangp_fashion_mnist", resolution=28, batch_size=64, method="generate"),
    "cgan": dict(recipe="cgan_avatars_64", resolution=64, batch_size=64, method="generate"),
    "progan": dict(recipe="progan_avatars_64", resolution=32, batch_size=16, method="generate"),
    "pix2pix": dict(recipe="pix2pix_openmoji_64_l1_gan1", resolution=64, batch_size=16, method="colorize"),
    "caae": dict(recipe="caae_faces_64", resolution=64, batch_size=64, method="generate"),
}
REFERENCE_FAMILIES = ("dcgan", "wgangp")  # the ones reference_dcgan_torch.py implements

FINDINGS = """
**Profile notes** (written by hand from the runs and profiles named here; same machine, 2 threads).

- **JAX was the slowest backend, and the cause was ours to fix.** XLA on CPU runs a
  convolution of an *input-dilated* operand (`lhs_dilation` > 1) up to 25x slower than a
  plain one. JAX lowers a strided `Conv2DTranspose` to one, and its kernel gradient; a
  strided `Conv2D`'s input gradient is one too, and WGAN-GP's gradient penalty
  differentiates it again. Per-op timing (`jax.jit`, one core): the kernel gradient of a
  5x5 stride-2 transposed convolution (16x16x128 -> 32x32x64, batch 16) took 914 ms against
  41 ms for the same numbers as a plain convolution; the forward of a 4x4x256 -> 8x8x128
  one (batch 64) 407 ms against 41 ms. No retracing, host syncs or per-step Python work
  showed up: the step times are even and the first step is the only compilation.
- **The fix** (`kgan.layers.Conv2D` and `Conv2DTranspose`, which every model now builds,
  over `kgan.backend.conv` / `conv_transpose`): on JAX the transposed convolution runs as
  one stride-1 convolution over its s x s output phases followed by a depth-to-space
  interleave, and both layers take their gradients from the adjoint pair (the input
  gradient of a strided convolution is a transposed convolution and vice versa), so no
  input-dilated convolution is left in a step, to any order of differentiation. Outputs
  and gradients equal Keras's layers (`tests/layers/test_conv.py`, all backends); on
  TensorFlow and torch the layers are Keras's own code. JAX before -> after, images / s
  (`git worktree add ../before 4b1491c`, this script copied there, `--backends jax`):
  dcgan 961 -> 1692 (1.76x), wgangp 192 -> 463 (2.42x), cgan 94 -> 190 (2.03x),
  pix2pix 72 -> 209 (2.89x), caae 19.8 -> 86.7 (4.38x), progan 48 -> 52 (it has no
  strided convolutions); CAAE generation 125 -> 312 images / s. JAX is now the fastest
  backend for DCGAN-28 (1.22x the plain PyTorch reference) and WGAN-GP (1.80x).
- **torch is below 0.7 of the reference on DCGAN-28 (0.64x), and the gap is Keras's
  torch backend, not kgan's step.** `KERAS_BACKEND=torch python
  benchmarks/profile_torch_dcgan.py` (torch.profiler, 20 steps, batch 64): kgan 57.6 ms a
  step, of which PyTorch operators 40.3 ms in 2,283 calls and 17.3 ms between them;
  plain PyTorch 42.3 ms, operators 37.0 ms in 1,009 calls, 5.3 ms between. The
  convolutions cost the same (forward and backward 23.5 ms against 25.5 ms). The extra
  calls are Keras's: BatchNormalization computed from `mean`/`var`/`mul` ops instead of
  the fused `native_batch_norm`, layout copies between Keras's NHWC and torch's NCHW
  convolutions (`copy_` 209 calls against 81), an optimizer update of several ops per
  variable, and the Python of each Keras layer call. On the heavier WGAN-GP step the
  same overhead is a small share and torch matches the reference (1.02x). Closing it
  means fusing Keras's torch BatchNorm and optimizer, outside kgan.
- TensorFlow runs DCGAN-28 at 1.01x the reference and leads on CGAN, ProGAN and CAAE,
  whose larger convolutions oneDNN runs well (up to 75% of the matmul peak).
- "% of peak" counts a pass with gradients as 3 forward passes and the gradient penalty
  as 6, a rough rule; the peak is one 2048x2048 float32 matmul.
"""


# --------------------------------------------------------------------- FLOPs
def _layer_macs(layer, input_shape, output_shape):
    """Multiply-adds per example of one call of a counted layer (else None)."""
    import keras

    from kgan.layers import EqualizedConv2D
    from kgan.layers import EqualizedDense

    kernel = math.prod(int(d) for d in layer.kernel.shape)
    if isinstance(layer, keras.layers.Conv2DTranspose):  # each input pixel scatters a kernel
        return math.prod(int(d) for d in input_shape[1:3]) * kernel
    if isinstance(layer, (keras.layers.Conv2D, EqualizedConv2D)):  # each output pixel gathers one
        return math.prod(int(d) for d in output_shape[1:3]) * kernel
    if isinstance(layer, (keras.layers.Dense, EqualizedDense)):
        return math.prod(int(d) for d in input_shape[1:-1]) * kernel
    return None


def _counted_layers(network):
    import keras

    from kgan.layers import EqualizedConv2D
    from kgan.layers import EqualizedDense

    counted = (
        keras.layers.Dense, keras.layers.Conv2D, keras.layers.Conv2DTranspose,
        EqualizedDense, EqualizedConv2D,
    )
    # Sublayers at any depth: residual blocks' and SELU blocks' convolutions,
    # ProGAN's per-level layers (keras's own recursive walk).
    return [layer for layer in network._flatten_layers(include_self=True, recursive=True)
            if isinstance(layer, counted)]


def forward_flops(network, inputs, **call_kwargs):
    """FLOPs of one forward pass of `network` per example: 2 x its multiply-adds.

    Counts every call of a Dense, Conv2D, Conv2DTranspose, EqualizedDense and
    EqualizedConv2D layer (at any depth) made while `network(inputs)` runs in
    inference mode, from the layer's kernel and the shapes it sees: Dense
    `in x units` per position, Conv2D `H_out x W_out x kh x kw x C_in x C_out`,
    Conv2DTranspose `H_in x W_in x kh x kw x C_in x C_out`. Only the layers
    that run count (ProGAN runs the levels up to `resolution`). Biases,
    normalisation and activations are left out. On JAX the pass is traced
    (`Layer.compute_output_spec`, i.e. `jax.eval_shape`) rather than run op
    by op, which is slow there; the layers see the same shapes.

    Args:
        network: a built Keras model or layer.
        inputs: an example batch (a NumPy array or a list of them).
        **call_kwargs: passed to the call (ProGAN: `resolution=`).

    Returns:
        float, FLOPs per example.

    Example:
    >>> forward_flops(keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]),
    ...               np.zeros((2, 4), "float32"))
    24.0
    """
    records = []

    def hooked(layer, original):
        def call(*args, **kwargs):
            outputs = original(*args, **kwargs)
            records.append(_layer_macs(layer, tuple(args[0].shape), tuple(outputs.shape)))
            return outputs

        return call

    import keras

    class Pass(keras.layers.Layer):
        def call(self, inputs):
            return network(inputs, training=False, **call_kwargs)

    layers = _counted_layers(network)
    for layer in layers:  # an instance attribute shadows the class's `call`
        object.__setattr__(layer, "call", hooked(layer, layer.call))
    try:
        if keras.backend.backend() == "jax":
            specs = keras.tree.map_structure(lambda x: keras.KerasTensor(x.shape, x.dtype), inputs)
            Pass().compute_output_spec(specs)
        else:
            network(inputs, training=False, **call_kwargs)
    finally:
        for layer in layers:
            object.__delattr__(layer, "call")
    return 2.0 * sum(records)  # the records are per example already


def training_passes(family, model):
    """Forward-pass equivalents of each network in one training step, per image.

    A pass through a network costs its forward FLOPs once when no gradient
    flows through it (a `stop_gradient` generator call), 3 times when one
    does (forward + gradients w.r.t. activations and weights: about 2 x
    forward), and 6 times for the gradient penalty's pass on interpolates
    (forward and input gradient, then the backward of both). Per image of the
    batch (the numbers are what each family's `gan_step` does):

    - dcgan: G(z) for D's step 1; D(real), D(fake) 3 + 3; G's step G 3, D 3:
      G 4, D 9.
    - wgangp: each of `n_critic` critic steps: G 1, C(real) 3, C(fake) 3,
      penalty 6; then G 3, C 3: G `n + 3`, C `12 n + 3` (n = 5: 8, 63).
    - cgan: G 1; D on real, mismatched and fake pairs 3 x 3; G's step G 3,
      D 3, plus G 3 for the mode-seeking second latent: G 7, D 12 (GAN-INT
      would add G 3, D 3).
    - progan: G 1; D(real), D(fake) 3 + 3, penalty 6; G 3, D 3: G 4, D 15.
    - pix2pix (l1_gan): G 1; D on (x, y) and (x, G(x)) 3 + 3; G 3, D 3: G 4,
      D 9 (loss l1: G 4 and no D).
    - caae: E 1, G 1 (no gradient); D_z on prior and codes 3 + 3; D_img on
      real and fake 3 + 3; E and G's step E 3, G 3, D_img 3, D_z 3:
      E 4, G 4, D_img 9, D_z 9.

    Returns:
        dict from network name (as in the model's `network_names`) to passes.
    """
    if family == "dcgan":
        return {"generator": 4, "discriminator": 9}
    if family == "wgangp":
        n = model.n_critic
        return {"generator": n + 3, "discriminator": 12 * n + 3}
    if family == "cgan":
        g = 4 + (3 if model.mode_seeking else 0) + (3 if model.interpolate else 0)
        return {"generator": g, "discriminator": 12 + (3 if model.interpolate else 0)}
    if family == "progan":
        return {"generator": 4, "discriminator": 15}
    if family == "pix2pix":
        if model.loss == "l1":
            return {"generator": 4}
        return {"generator": 4, "discriminator": 9 if model.loss == "l1_gan" else 15}
    if family == "caae":
        return {"encoder": 4, "generator": 4, "discriminator": 9, "latent_discriminator": 9}
    raise ValueError(f"Unknown family {family!r}")


# -------------------------------------------------------------------- models
def _recipes():
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    from train_preset import RECIPES

    return RECIPES


def build(family, resolution, batch_size):
    """One family's model (compiled), random training data and its task call.

    Returns:
        dict: `model`; `x`, `y` (NumPy arrays of `POOL_BATCHES` batches, `y`
        None without conditions); `generate(n)` (the task method on `n`
        images, batches of `batch_size`); `networks`: name -> (network,
        example inputs, call kwargs) for `forward_flops`.
    """
    import numpy as np

    import kgan
    from kgan.models import CAAE
    from kgan.models import ConditionalGAN
    from kgan.models import DCGAN
    from kgan.models import Pix2Pix
    from kgan.models import ProGAN
    from kgan.models import WGANGP

    recipe = _recipes()[FAMILIES[family]["recipe"]]
    rng = np.random.default_rng(0)
    pool = POOL_BATCHES * batch_size

    def images(n, channels):
        return rng.uniform(-1, 1, (n, resolution, resolution, channels)).astype("float32")

    def latents(n, dim):
        return rng.standard_normal((n, dim)).astype("float32")

    y = None
    if family in ("dcgan", "wgangp"):
        channels = recipe["channels"]
        if family == "dcgan":
            model = DCGAN.create(resolution, channels, recipe["latent_dim"], recipe["width"], seed=0)
        else:
            model = WGANGP.create(
                resolution, channels, recipe["latent_dim"], recipe["width"],
                n_critic=recipe["n_critic"], seed=0,
            )
    elif family == "progan":
        channels = recipe["channels"]
        model = ProGAN.create(
            resolution, channels, recipe["latent_dim"], recipe["fmap_base"], recipe["fmap_max"],
            fade_images=recipe["fade_images"], stable_images=recipe["stable_images"],
            augment=recipe.get("augment"), seed=0,
        )
        if resolution > 4:  # the top level's stable phase: fully faded in
            model.images_seen.assign(model.fade_start(resolution) + model.fade_images)
    if family in ("dcgan", "wgangp", "progan"):  # unconditional: latents in, images out
        x = images(pool, channels)
        networks = {
            "generator": (model.generator, latents(4, model.latent_dim), {}),
            "discriminator": (model.discriminator, images(4, channels), {}),
        }

        def generate(n):
            return model.generate(n, seed=1, batch_size=batch_size)

    elif family == "cgan":
        channels = recipe["channels"]
        model = ConditionalGAN.create(
            resolution, channels, tag_names=list(kgan.data.AVATAR_TAGS),
            latent_dim=recipe["latent_dim"], width=recipe["width"], augment=recipe.get("augment"),
            mode_seeking=recipe.get("mode_seeking", 0.0),
            auxiliary_weight=recipe.get("auxiliary_weight", 0.0), seed=0,
        )

        def tags(n):  # one tag per group, as the avatars have
            rows = np.zeros((n, model.condition_dim), "float32")
            for columns in model.tag_groups.values():
                rows[np.arange(n), rng.choice(columns, n)] = 1.0
            return rows

        x, y = images(pool, channels), tags(pool)
        networks = {
            "generator": (model.generator, [latents(4, model.latent_dim), tags(4)], {}),
            "discriminator": (model.discriminator, [images(4, channels), tags(4)], {}),
        }
        conditions = tags(4096)

        def generate(n):
            return model.generate(n, seed=1, batch_size=batch_size, conditions=conditions[:n])

    elif family == "pix2pix":
        model = Pix2Pix.create(
            resolution, width=recipe["width"], max_width=recipe["max_width"],
            activation=recipe["activation"], loss=recipe["loss"], gan_weight=recipe["gan_weight"],
            upsampling=recipe.get("upsampling", "transpose"), seed=0,
        )
        x, y = images(pool, 1), images(pool, 3)
        networks = {
            "generator": (model.generator, images(4, 1), {}),
            "discriminator": (model.discriminator, [images(4, 1), images(4, 3)], {}),
        }
        line_art = rng.integers(0, 256, (4096, resolution, resolution, 1), dtype="uint8")

        def generate(n):
            return model.colorize(line_art[:n], batch_size=batch_size)

    elif family == "caae":
        model = CAAE.create(
            resolution, width=recipe["width"], discriminator_width=recipe["discriminator_width"],
            image_adversarial_weight=recipe["image_adversarial_weight"],
            latent_adversarial_weight=recipe["latent_adversarial_weight"],
            total_variation_weight=recipe["total_variation_weight"],
            warmup_steps=recipe["warmup_steps"], seed=0,
        )
        x = images(pool, 3)
        y = np.stack([rng.integers(0, model.age_groups, pool), rng.integers(0, model.genders, pool)], 1)
        y = y.astype("int32")
        age = np.eye(model.age_groups, dtype="float32")[rng.integers(0, model.age_groups, 4)] * 2 - 1
        gender = np.eye(model.genders, dtype="float32")[rng.integers(0, model.genders, 4)] * 2 - 1
        networks = {
            "encoder": (model.encoder, images(4, 3), {}),
            "generator": (model.generator, [latents(4, model.latent_dim), age, gender], {}),
            "latent_discriminator": (model.latent_discriminator, latents(4, model.latent_dim), {}),
            "discriminator": (model.discriminator, [images(4, 3), age, gender], {}),
        }

        def generate(n):
            return model.generate(n, seed=1, batch_size=batch_size)

    else:
        raise ValueError(f"Unknown family {family!r}; expected one of {sorted(FAMILIES)}")
    model.compile()
    return dict(model=model, x=x, y=y, generate=generate, networks=networks)


# ------------------------------------------------------------------- threads
def thread_environment(threads, environ=None):
    """A copy of `environ` with every framework's thread settings at `threads`."""
    env = dict(os.environ if environ is None else environ)
    n = str(int(threads))
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                 "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        env[name] = n
    # XLA sizes its pool from the process's affinity (`worker_cores`); one
    # thread also turns off its multi-threaded Eigen kernels.
    flags = [f for f in env.get("XLA_FLAGS", "").split()
             if not f.startswith("--xla_cpu_multi_thread_eigen")]
    if threads == 1:
        flags.append("--xla_cpu_multi_thread_eigen=false")
    env["XLA_FLAGS"] = " ".join(flags)
    env["PYTHONPATH"] = os.pathsep.join([ROOT] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def worker_cores(threads):
    """The first `threads` cores of this process's affinity."""
    return sorted(os.sched_getaffinity(0))[: max(1, int(threads))]


def limit_threads(threads):
    """In a worker, before any framework is imported: pin and size thread pools."""
    os.sched_setaffinity(0, worker_cores(threads))
    os.environ.update(thread_environment(threads))
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    elif backend == "torch":
        import torch

        torch.set_num_threads(threads)
        try:
            torch.set_num_interop_threads(threads)
        except RuntimeError:  # already set (only allowed once, before any parallel work)
            pass


def process_age():
    """Seconds since this process started (Linux /proc, 10 ms resolution)."""
    with open("/proc/self/stat") as file:
        fields = file.read().rsplit(")", 1)[1].split()
    start_ticks = int(fields[19])  # field 22, starttime, counted from field 3
    with open("/proc/uptime") as file:
        uptime = float(file.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def step_spread(seconds):
    """The slowest timed step over the median one: near 1 when no step retraces."""
    return max(seconds) / statistics.median(seconds)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ------------------------------------------------------------------- workers
def measure(family, batch_size, resolution, steps, warmup, generation=True):
    """Runs in the backend's process: one family's training and generation numbers.

    Returns:
        dict, one result row (see the module docstring).
    """
    import keras
    import numpy as np

    import kgan

    if warmup < 1 or steps < 1:
        raise ValueError(f"Expected warmup >= 1 and steps >= 1. Received: {warmup}, {steps}")
    parts = build(family, resolution, batch_size)
    model = parts["model"]

    class StepClock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.begin, self.ends, self.first_end_age = None, [], None

        def on_train_batch_begin(self, batch, logs=None):
            if self.begin is None:
                self.begin = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            for value in (logs or {}).values():  # wait for the step (JAX dispatches asynchronously)
                keras.ops.convert_to_numpy(value)
            self.ends.append(time.perf_counter())
            if self.first_end_age is None:
                self.first_end_age = process_age()

    dataset = kgan.data.as_dataset(parts["x"], parts["y"], batch_size=batch_size, seed=0, repeat=True)
    clock = StepClock()
    model.fit(dataset, epochs=1, steps_per_epoch=warmup + steps, callbacks=[clock], verbose=0)
    done = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    if done != warmup + steps or len(clock.ends) != warmup + steps:
        raise RuntimeError(f"Ran {done} steps ({len(clock.ends)} timed); expected {warmup + steps}")
    step_seconds = np.diff([clock.begin] + clock.ends).tolist()
    timed = clock.ends[warmup + steps - 1] - clock.ends[warmup - 1]
    row = {
        "family": family,
        "backend": keras.backend.backend(),
        "batch_size": batch_size,
        "resolution": resolution,
        "input_shape": list(parts["x"].shape[1:]),
        "warmup": warmup,
        "steps": steps,
        "threads": len(os.sched_getaffinity(0)),
        "images_per_second": steps * batch_size / timed,
        "step_seconds": step_seconds,
        "first_step_seconds": step_seconds[0],
        "process_start_to_first_step_seconds": clock.first_end_age,
        "step_spread": step_spread(step_seconds[warmup:]),
        "rss_after_training_mb": peak_rss_mb(),
    }
    if generation:
        n = batch_size * steps
        started = time.perf_counter()
        parts["generate"](batch_size)  # warm-up: tracing, first allocations
        warm = time.perf_counter() - started
        started = time.perf_counter()
        output = parts["generate"](n)
        seconds = time.perf_counter() - started
        if len(output) != n or output.dtype != np.uint8:
            raise RuntimeError(f"generate gave {output.shape} {output.dtype}; expected {n} uint8 images")
        row.update(
            generation_method=FAMILIES[family]["method"],
            generation_images=n,
            generation_images_per_second=n / seconds,
            generation_warmup_seconds=warm,
        )
    row["peak_rss_mb"] = peak_rss_mb()
    # Counted last, so that its eager forward passes change none of the timings.
    forward = {name: forward_flops(net, inputs, **kwargs)
               for name, (net, inputs, kwargs) in parts["networks"].items()}
    passes = training_passes(family, model)
    row.update(
        forward_flops=forward,
        training_passes=passes,
        train_flops_per_image=sum(passes[name] * forward[name] for name in passes),
        generation_flops_per_image=forward["generator"],
    )
    return row


def load_reference():
    """The module `reference_dcgan_torch.py` (plain PyTorch DCGAN and WGAN-GP)."""
    spec = importlib.util.spec_from_file_location("reference_dcgan_torch", REFERENCE_FILE)
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    return reference


def measure_reference(family, batch_size, resolution, steps, warmup):
    """Runs in a torch process: the plain PyTorch twin of a DCGAN or WGAN-GP family."""
    import numpy as np
    import torch

    reference = load_reference()
    recipe = dict(reference.RECIPES[FAMILIES[family]["recipe"]], image_size=resolution, batch_size=batch_size)
    gan = reference.ReferenceGAN(recipe, seed=0)
    rng = np.random.default_rng(0)
    shape = (POOL_BATCHES * batch_size, recipe["channels"], resolution, resolution)
    data = torch.from_numpy(rng.uniform(-1, 1, shape).astype("float32"))
    order, position = rng.permutation(len(data)), 0
    ends, first_end_age = [], None
    begin = time.perf_counter()
    for _ in range(warmup + steps):
        if position + batch_size > len(order):
            order, position = rng.permutation(len(data)), 0
        real = data[order[position : position + batch_size]]
        position += batch_size
        d_loss, g_loss = gan.step(real)
        d_loss.item(), g_loss.item()
        ends.append(time.perf_counter())
        if first_end_age is None:
            first_end_age = process_age()
    step_seconds = np.diff([begin] + ends).tolist()
    return {
        "family": family,
        "backend": "reference",
        "batch_size": batch_size,
        "resolution": resolution,
        "input_shape": [resolution, resolution, recipe["channels"]],
        "warmup": warmup,
        "steps": steps,
        "threads": torch.get_num_threads(),
        "images_per_second": steps * batch_size / (ends[-1] - ends[warmup - 1]),
        "step_seconds": step_seconds,
        "first_step_seconds": step_seconds[0],
        "process_start_to_first_step_seconds": first_end_age,
        "step_spread": step_spread(step_seconds[warmup:]),
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_peak(size=2048, repeats=10):
    """float32 matmul rate (FLOP/s) of NumPy and, if installed, PyTorch."""
    import numpy as np

    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size)).astype("float32") for _ in range(2))

    def best(matmul):
        matmul()
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            matmul()
            times.append(time.perf_counter() - started)
        return 2.0 * size**3 / min(times)

    rates = {"numpy": best(lambda: a @ b)}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        rates["torch"] = best(lambda: torch.mm(ta, tb))
    return {"matmul_size": size, "flops_per_second": rates, "peak_flops_per_second": max(rates.values())}


# -------------------------------------------------------------------- driver
def _json_line(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def run_child(arguments, backend, threads, timeout):
    """Runs this script with `arguments` in a fresh process; its JSON line, or an error row."""
    command = [sys.executable, os.path.abspath(__file__)] + arguments + ["--threads", str(threads)]
    env = thread_environment(threads, dict(os.environ, KERAS_BACKEND=backend))
    cores = worker_cores(threads)
    try:
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
            preexec_fn=lambda: os.sched_setaffinity(0, cores),
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    row = _json_line(result.stdout) if result.returncode == 0 else None
    if row is None:
        tail = (result.stderr or result.stdout).strip().splitlines()[-12:]
        return {"error": f"exit {result.returncode}: " + " / ".join(tail)[-1500:]}
    return row


def kgan_command():
    """The `kgan` command line, as `python -m kgan`."""
    return [sys.executable, "-m", "kgan"]


def time_png(backend, threads, repeats=PNG_REPEATS, timeout=600):
    """Wall seconds from process start to a written PNG of `kgan generate`, `repeats` times."""
    cores = worker_cores(threads)
    env = thread_environment(threads, dict(os.environ, KERAS_BACKEND=backend))
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "grid.png")
        command = kgan_command() + ["generate", PNG_PRESET, "-n", "64", "-o", path]
        for _ in range(repeats):
            if os.path.exists(path):
                os.remove(path)
            started = time.perf_counter()
            result = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                preexec_fn=lambda: os.sched_setaffinity(0, cores),
            )
            seconds = time.perf_counter() - started
            is_png = False
            if os.path.exists(path):
                with open(path, "rb") as file:
                    is_png = file.read(8) == PNG_SIGNATURE
            if result.returncode != 0 or not is_png:
                tail = " / ".join(result.stderr.strip().splitlines()[-5:])
                return {"backend": backend, "error": f"exit {result.returncode}, PNG {is_png}: {tail}"[-1500:]}
            runs.append(seconds)
    return {
        "backend": backend,
        "command": " ".join(["python"] + command[1:3] + ["generate", PNG_PRESET, "-n", "64", "-o", "grid.png"]),
        "seconds": runs,
        "median_seconds": statistics.median(runs),
    }


def machine_info(threads):
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as file:
            cpu = next(line.split(":", 1)[1].strip() for line in file if line.startswith("model name"))
    except (OSError, StopIteration):
        import platform

        cpu = platform.processor() or platform.machine()
    ram_gb = None
    try:
        with open("/proc/meminfo") as file:
            kb = next(int(line.split()[1]) for line in file if line.startswith("MemTotal"))
        ram_gb = kb / 1024**2
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores_total": os.cpu_count(),
        "cores_available": sorted(os.sched_getaffinity(0)),
        "cores_used": worker_cores(threads),
        "threads": threads,
        "ram_gb": ram_gb,
    }


def versions():
    found = {}
    for name, distributions in (
        ("keras", ["keras"]), ("tensorflow", ["tensorflow", "tensorflow-cpu"]), ("jax", ["jax"]),
        ("jaxlib", ["jaxlib"]), ("torch", ["torch"]), ("numpy", ["numpy"]),
    ):
        for distribution in distributions:
            try:
                found[name] = importlib.metadata.version(distribution)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
        else:
            found[name] = None
    return found


def family_settings(family, args):
    defaults = FAMILIES[family]
    batch = args.batch_size or (8 if args.quick else defaults["batch_size"])
    return batch, args.resolution or defaults["resolution"]


def run_all(args):
    threads = args.threads
    steps = args.steps or (3 if args.quick else 20)
    warmup = args.warmup or (2 if args.quick else 3)
    results = {
        "date": datetime.date.today().isoformat(),
        "command": " ".join(["python benchmarks/throughput.py"] + sys.argv[1:]),
        "machine": machine_info(threads),
        "versions": versions(),
        "settings": {"steps": steps, "warmup": warmup, "threads": threads, "quick": args.quick},
    }
    print(f"Machine: {results['machine']}", flush=True)
    results["peak"] = run_child(["--peak"], "torch", threads, 600)
    print(f"matmul peak: {results['peak']}", flush=True)
    rows = []
    for family in args.families:
        batch, resolution = family_settings(family, args)
        common = ["--family", family, "--batch-size", str(batch), "--resolution", str(resolution),
                  "--steps", str(steps), "--warmup", str(warmup)]
        for backend in args.backends:
            started = time.perf_counter()
            row = run_child(["--worker", "--backend", backend] + common, backend, threads, args.timeout)
            row.update(family=family, backend=backend, batch_size=batch, resolution=resolution)
            rows.append(row)
            print(f"{family} {backend} ({time.perf_counter() - started:.0f} s): "
                  + (row.get("error") or f"{row['images_per_second']:.1f} img/s"), flush=True)
        if family in REFERENCE_FAMILIES and not args.no_reference:
            started = time.perf_counter()
            row = run_child(["--reference"] + common, "torch", threads, args.timeout)
            row.update(family=family, backend="reference", batch_size=batch, resolution=resolution)
            rows.append(row)
            print(f"{family} plain PyTorch ({time.perf_counter() - started:.0f} s): "
                  + (row.get("error") or f"{row['images_per_second']:.1f} img/s"), flush=True)
    results["rows"] = rows
    results["png"] = []
    if not args.no_png:
        for backend in args.backends:
            results["png"].append(time_png(backend, threads))
            print(f"PNG {backend}: {results['png'][-1]}", flush=True)
    return results


# -------------------------------------------------------------------- tables
def _rate(value):
    if value is None:
        return "-"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _mflops(value):
    mflops = value / 1e6
    return f"{mflops:.0f}" if mflops >= 100 else f"{mflops:.3g}"


def _seconds(value):
    return "-" if value is None else f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _find(rows, family, backend):
    for row in rows:
        if row.get("family") == family and row.get("backend") == backend:
            return row
    return None


def _ok(row):
    return row is not None and "error" not in row


def _backend_name(backend):
    return "plain PyTorch" if backend == "reference" else backend


def render(results):
    """The README section (markdown) for a results dict as `run_all` writes it."""
    rows = results.get("rows", [])
    machine, settings, found = results["machine"], results["settings"], results["versions"]
    peak = (results.get("peak") or {}).get("peak_flops_per_second")
    families = list(dict.fromkeys(row["family"] for row in rows))
    backends = [b for b in BACKENDS if any(row.get("backend") == b for row in rows)]
    with_reference = any(row.get("backend") == "reference" for row in rows)
    columns = backends + (["reference"] if with_reference else [])
    ram = f"{machine['ram_gb']:.1f} GB RAM" if machine.get("ram_gb") else "RAM unknown"
    lines = [
        f"`{results['command']}` (results in `throughput.json`), {results['date']}.",
        "",
        f"Machine: {machine['cpu']}, {machine['threads']} thread(s) on core(s) "
        f"{', '.join(str(c) for c in machine['cores_used'])} of {machine['cores_total']}, {ram}. "
        + ", ".join(f"{name} {version}" for name, version in found.items() if version) + ".",
    ]
    if peak:
        rates = results["peak"]["flops_per_second"]
        size = results["peak"]["matmul_size"]
        lines.append(
            f"float32 matmul peak ({size}x{size}, {machine['threads']} thread(s)): "
            f"{peak / 1e9:.1f} GFLOP/s ("
            + ", ".join(f"{name} {rate / 1e9:.1f}" for name, rate in rates.items()) + ")."
        )
    lines += [
        f"Each number: one process per family and backend, random data, {settings['warmup']} "
        f"warm-up then {settings['steps']} timed `fit` steps.",
    ]
    if settings.get("quick"):
        lines += ["", "**Smoke run (`--quick`): tiny batches and few steps, not a measurement.**"]

    lines += [
        "", "### Training", "",
        "Images per second in steady state; \"vs plain PyTorch\" divides by the same networks "
        "written in plain PyTorch (`reference_dcgan_torch.py`, same batch and threads); "
        "\"% of peak\" is MFLOP / image x images / s over the matmul peak.",
        "",
        "| family | input, batch | MFLOP / image | backend | images / s | vs plain PyTorch | % of peak |",
        "|---|---|---|---|---|---|---|",
    ]
    for family in families:
        reference = _find(rows, family, "reference")
        same = [r for r in rows if r.get("family") == family]
        flops = next((r["train_flops_per_image"] for r in same if "train_flops_per_image" in r), None)
        shape = next((r["input_shape"] for r in same if "input_shape" in r), None)
        for backend in columns:
            row = _find(rows, family, backend)
            if row is None:
                continue
            size = "x".join(str(d) for d in shape or [row["resolution"]] * 2) + f", {row['batch_size']}"
            if not _ok(row):
                lines.append(f"| {family} | {size} | - | {_backend_name(backend)} | failed | - | - |")
                continue
            ratio = "-"
            if _ok(reference):
                ratio = f"{row['images_per_second'] / reference['images_per_second']:.2f}x"
            share = "-"
            if peak and flops:
                share = f"{100 * flops * row['images_per_second'] / peak:.1f}%"
            lines.append(
                f"| {family} | {size} | {_mflops(flops) if flops else '-'} | {_backend_name(backend)} | "
                f"{_rate(row['images_per_second'])} | {ratio} | {share} |"
            )

    def wide(title, note, cell, names=columns):
        out = ["", f"### {title}", "", note, "",
               "| family | " + " | ".join(_backend_name(b) for b in names) + " |",
               "|---" * (len(names) + 1) + "|"]
        for family in families:
            cells = []
            for backend in names:
                row = _find(rows, family, backend)
                cells.append("-" if row is None else "failed" if not _ok(row) else cell(row))
            out.append(f"| {family} | " + " | ".join(cells) + " |")
        return out

    lines += wide(
        "Time to the first training step",
        "Seconds from the worker's process start to the end of its first training step "
        "(imports, building, compiling, the step); in brackets the first step alone "
        "(tracing and compilation).",
        lambda r: f"{_seconds(r['process_start_to_first_step_seconds'])} "
        f"({_seconds(r['first_step_seconds'])})",
    )
    lines += wide(
        "Generation",
        "Images per second of the task method (`generate`; pix2pix: `colorize`) after a "
        "warm-up call, in batches of the training batch size.",
        lambda r: _rate(r.get("generation_images_per_second")),
        names=backends,
    )
    lines += wide(
        "Peak memory",
        "Peak resident memory of the worker process (MB), `ru_maxrss` after training and "
        "generation.",
        lambda r: f"{r['peak_rss_mb']:.0f}",
    )
    png = results.get("png") or []
    if png:
        command = next((p["command"] for p in png if "command" in p), "")
        lines += [
            "", "### Process start to a written PNG", "",
            f"Wall time of `{command}` (the preset shipped in the package), median of "
            f"{PNG_REPEATS} runs.",
            "",
            "| backend | median (s) | runs (s) |",
            "|---|---|---|",
        ]
        for entry in png:
            if "error" in entry:
                lines.append(f"| {entry['backend']} | failed | - |")
            else:
                runs = ", ".join(f"{s:.2f}" for s in entry["seconds"])
                lines.append(f"| {entry['backend']} | {entry['median_seconds']:.2f} | {runs} |")
    errors = [row for row in rows if "error" in row] + [p for p in png if "error" in p]
    if errors:
        lines += ["", "Failures:", ""]
        lines += [f"- {row.get('family', 'png')} / {_backend_name(row['backend'])}: "
                  f"`{row['error'][:300]}`" for row in errors]
    uneven = [row for row in rows if row.get("step_spread", 1.0) > UNEVEN_STEPS]
    if uneven:
        lines += ["", f"Uneven step times (slowest timed step over {UNEVEN_STEPS:g}x the median: "
                  "retracing or a busy machine): "
                  + ", ".join(f"{row['family']} / {_backend_name(row['backend'])} "
                              f"{row['step_spread']:.1f}x" for row in uneven) + "."]
    lines += ["", FINDINGS.strip()]
    return "\n".join(lines) + "\n"


def replace_section(text, section):
    """`text` with the part between the throughput markers replaced by `section`.

    Without the markers, the heading and a marked section are appended.
    """
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    body = section.strip("\n")
    if start < 0 and end < 0:
        return text.rstrip("\n") + f"\n\n{HEADING}\n\n{START_MARKER}\n{body}\n{END_MARKER}\n"
    if start < 0 or end < start:
        raise ValueError(f"README has a broken throughput section: expected {START_MARKER} before {END_MARKER}")
    return text[: start + len(START_MARKER)] + "\n" + body + "\n" + text[end:]


def write_readme(results, path=README):
    with open(path) as file:
        text = file.read()
    with open(path, "w") as file:
        file.write(replace_section(text, render(results)))


# ---------------------------------------------------------------------- main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--families", nargs="+", default=list(FAMILIES), choices=list(FAMILIES))
    parser.add_argument("--batch-size", type=int, default=None, help="default: per family (recipe)")
    parser.add_argument("--resolution", type=int, default=None, help="default: per family")
    parser.add_argument("--steps", type=int, default=None, help="timed steps (default 20; --quick 3)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up steps (default 3; --quick 2)")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="threads per process (default: every core of this process's affinity)")
    parser.add_argument("--quick", action="store_true", help="smoke run: batch 8, 2 warm-up + 3 timed steps")
    parser.add_argument("--table-only", action="store_true", help="re-render the README section from --out")
    parser.add_argument("--out", default=RESULTS, help="the JSON results file")
    parser.add_argument("--readme", default=README, help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per worker process")
    parser.add_argument("--no-reference", action="store_true", help="skip the plain PyTorch reference")
    parser.add_argument("--no-png", action="store_true", help="skip the process-start-to-PNG timing")
    parser.add_argument("--no-generation", action="store_true", help=argparse.SUPPRESS)
    # In the child processes:
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reference", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--peak", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backend", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--family", default="dcgan", choices=list(FAMILIES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads must be >= 1; received {args.threads}")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.worker or args.reference or args.peak:
        if args.worker and args.backend:
            os.environ["KERAS_BACKEND"] = args.backend
        if args.reference:
            os.environ["KERAS_BACKEND"] = "torch"
        limit_threads(args.threads)
        batch, resolution = family_settings(args.family, args)
        steps, warmup = args.steps or (3 if args.quick else 20), args.warmup or (2 if args.quick else 3)
        if args.peak:
            row = measure_peak()
        elif args.reference:
            row = measure_reference(args.family, batch, resolution, steps, warmup)
        else:
            row = measure(args.family, batch, resolution, steps, warmup, generation=not args.no_generation)
        print(json.dumps(row), flush=True)
        return 0
    if args.table_only:
        with open(args.out) as file:
            results = json.load(file)
    else:
        results = run_all(args)
        with open(args.out, "w") as file:
            json.dump(results, file, indent=1)
        print(f"Wrote {args.out}")
    write_readme(results, args.readme)
    print(f"Wrote the throughput section of {args.readme}")
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
