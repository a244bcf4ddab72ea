"""Data-parallel training (`kgan.distribute`) matches the single-device step.

On JAX and TensorFlow, tests/distribution_worker.py runs in a subprocess with
the CPU split into 4 virtual devices (that has to happen before anything
runs) and trains small GANs for 2 steps on a global batch of 8, once on one
device and once on 4, with fixed weights, data and noise. JAX runs the step
as one SPMD program: DCGAN with BatchNorm and WGAN-GP match. TensorFlow's
MirroredStrategy normalizes with per-replica statistics: BatchNorm-free DCGAN
and WGAN-GP match, DCGAN with BatchNorm does not (by design; documented).
Keras's torch backend has no distribution API: kgan says so.
"""

import contextlib
import os
import subprocess
import sys

import numpy as np
import pytest

import kgan
from kgan import backend
from kgan import cli

WORKER = os.path.join(os.path.dirname(__file__), "distribution_worker.py")
EXACT_CASES = {"jax": ["dcgan", "wgangp"], "tensorflow": ["dcgan_plain", "wgangp"]}

needs_distribution = pytest.mark.skipif(
    backend.BACKEND == "torch",
    reason="Keras's torch backend has no distribution API (keras.distribution is JAX-only); "
    "kgan trains data-parallel on jax and tensorflow",
)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    output = str(tmp_path_factory.mktemp("distribution") / "results.npz")
    # CPU only, also on a machine with a GPU: the test splits the CPU. The
    # worker imports the kgan under test, wherever kgan is installed.
    root = os.path.dirname(os.path.dirname(os.path.abspath(kgan.__file__)))
    path = os.pathsep.join([root] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    env = dict(
        os.environ,
        KERAS_BACKEND=backend.BACKEND,
        CUDA_VISIBLE_DEVICES="",
        JAX_PLATFORMS="cpu",
        PYTHONPATH=path,
    )
    process = subprocess.run(
        [sys.executable, WORKER, output],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    assert process.returncode == 0, f"worker failed:\n{process.stdout[-4000:]}"
    with np.load(output) as data:
        return dict(data)


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-12)


def compared(results, case):
    """`(key, data-parallel value, single-device value)` of every saved result."""
    prefix = f"{case}/single/"
    skipped = ("seconds", "replica_spread")
    keys = [k[len(prefix):] for k in results if k.startswith(prefix) and not k.endswith(skipped)]
    return [(k, results[f"{case}/parallel/{k}"], results[prefix + k]) for k in keys]


@needs_distribution
@pytest.mark.parametrize("case", EXACT_CASES.get(backend.BACKEND, []))
def test_data_parallel_steps_equal_single_device_steps(results, case):
    assert list(results["devices"]) == ["cpu:0", "cpu:1", "cpu:2", "cpu:3"]
    pairs = compared(results, case)
    assert len(pairs) > 10
    for key, parallel, single in pairs:
        assert parallel.shape == single.shape, key
        if key == "logs":  # per step: d_loss, g_loss (and the gradient penalty)
            assert single.shape == (2, 3 if case == "wgangp" else 2)
            assert np.all(np.isfinite(single))
            np.testing.assert_allclose(parallel, single, rtol=1e-5, atol=1e-6, err_msg=key)
        else:
            assert relative_error(parallel, single) < 1e-5, (key, relative_error(parallel, single))
    if case == "wgangp":
        assert results["wgangp/single/logs"][:, 2].min() > 0  # a real penalty


@needs_distribution
def test_replicas_hold_the_same_weights_and_statistics(results):
    # TensorFlow keeps a copy per replica (weights, optimizer state, BatchNorm
    # moving statistics, seed state); JAX one replicated array (spread 0).
    for case in ("dcgan", "dcgan_plain", "wgangp"):
        if f"{case}/parallel/replica_spread" in results:
            assert float(results[f"{case}/parallel/replica_spread"]) == 0.0, case


@pytest.mark.skipif(backend.BACKEND != "tensorflow", reason="MirroredStrategy's BatchNorm")
def test_tensorflow_batchnorm_uses_per_replica_statistics(results):
    # Each replica normalizes its 2 images with their own statistics: the
    # step is not the single-device one on the batch of 8.
    logs = results["dcgan/parallel/logs"]
    assert np.all(np.isfinite(logs))
    worst = max(relative_error(p, s) for _, p, s in compared(results, "dcgan"))
    assert worst > 1e-3


@needs_distribution
@pytest.mark.parametrize("family", ["cgan", "progan", "pix2pix", "caae"])
def test_every_family_trains_data_parallel(results, family):
    assert np.all(np.isfinite(results[f"family/{family}/logs"]))
    assert int(results[f"family/{family}/steps"]) == 2  # global steps
    if family == "progan":
        assert int(results["family/progan/images_seen"]) == 2 * 8  # global images


@needs_distribution
def test_a_batch_that_does_not_split_is_refused(results):
    message = str(results["uneven_batch_error"])
    assert "4 devices" in message and "batch of 6 images" in message


@needs_distribution
def test_more_devices_than_available():
    available = kgan.available_devices()
    with pytest.raises(ValueError, match=f"devices={len(available) + 1} but only {len(available)}"):
        contextlib.ExitStack().enter_context(kgan.distribute(len(available) + 1))


@pytest.mark.skipif(backend.BACKEND != "torch", reason="torch only")
def test_torch_says_it_has_no_distribution_api():
    with pytest.raises(NotImplementedError, match="KERAS_BACKEND=jax"):
        contextlib.ExitStack().enter_context(kgan.distribute(2))
    with pytest.raises(SystemExit, match="--devices: Data-parallel training is not available"):
        cli.main(["train", "dcgan", "--devices", "2", "--out", "unused"])


def test_cli_devices_errors(tmp_path):
    out = str(tmp_path / "run")
    with pytest.raises(SystemExit, match="multiple of --devices"):
        cli.main(["train", "dcgan", "--devices", "3", "--batch-size", "8", "--out", out])
    with pytest.raises(SystemExit, match="--virtual-cpu needs --devices"):
        cli.main(["train", "dcgan", "--virtual-cpu", "--out", out])
    if backend.BACKEND != "torch":
        with pytest.raises(SystemExit, match="--devices: Asked for devices=64"):
            cli.main(["train", "dcgan", "--devices", "64", "--out", out])
    assert not os.path.exists(out)
