"""benchmarks/throughput.py: the FLOP counter, the tables, a worker run, the README rewrite."""

import importlib.util
import json
import math
import os
import subprocess
import sys

import keras
import numpy as np

from kgan.layers import EqualizedConv2D
from kgan.layers import EqualizedDense
from kgan.models.progan import ProGANGenerator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "throughput.py")


def load_throughput():
    spec = importlib.util.spec_from_file_location("throughput_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


throughput = load_throughput()


def test_forward_flops_of_a_hand_built_model():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same")(inputs)  # -> 4x4x4
    x = keras.layers.Conv2DTranspose(2, 4, strides=2, padding="same")(x)  # -> 8x8x2
    x = keras.layers.ReLU()(x)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(5)(x)
    model = keras.Model(inputs, outputs)
    conv = 4 * 4 * (3 * 3 * 3 * 4)  # output pixels x kernel
    deconv = 4 * 4 * (4 * 4 * 4 * 2)  # input pixels x kernel
    dense = 8 * 8 * 2 * 5
    flops = throughput.forward_flops(model, np.zeros((3, 8, 8, 3), "float32"))
    assert flops == 2 * (conv + deconv + dense) == 8832


def test_forward_flops_of_equalized_layers_and_progan_levels():
    inputs = keras.Input((4, 4, 2))
    x = EqualizedConv2D(5, 3)(inputs)
    x = keras.layers.Flatten()(x)
    model = keras.Model(inputs, EqualizedDense(7)(x))
    assert throughput.forward_flops(model, np.zeros((2, 4, 4, 2), "float32")) == 2 * (
        16 * 3 * 3 * 2 * 5 + 80 * 7
    )
    # 4 -> 8 px with 4 maps: dense 4 -> 4x4x4, conv 3x3 at 4x4, ToRGB; then two
    # 3x3 convs at 8x8 and their ToRGB. Only the levels that run count.
    generator = ProGANGenerator(8, latent_dim=4, fmap_base=16, fmap_max=4)
    generator.build()
    latents = np.zeros((4, 4), "float32")
    level_4 = 4 * 64 + 16 * 9 * 4 * 4 + 16 * 4 * 3
    level_8 = 2 * (64 * 9 * 4 * 4) + 64 * 4 * 3
    assert throughput.forward_flops(generator, latents) == 2 * (level_4 + level_8)
    assert throughput.forward_flops(generator, latents, resolution=4) == 2 * level_4


RESULTS = {
    "date": "2026-01-02",
    "command": "python benchmarks/throughput.py --families dcgan",
    "machine": {
        "cpu": "Test CPU", "cores_total": 2, "cores_available": [0, 1], "cores_used": [1],
        "threads": 1, "ram_gb": 8.0,
    },
    "versions": {"keras": "3.15.1", "tensorflow": None, "numpy": "2.4.6"},
    "settings": {"steps": 20, "warmup": 3, "threads": 1, "quick": False},
    "peak": {"matmul_size": 2048, "flops_per_second": {"numpy": 5e10}, "peak_flops_per_second": 5e10},
    "rows": [
        {
            "family": "dcgan", "backend": "tensorflow", "batch_size": 8, "resolution": 28,
            "input_shape": [28, 28, 1], "images_per_second": 250.0, "first_step_seconds": 1.5,
            "process_start_to_first_step_seconds": 6.25, "train_flops_per_image": 4e7,
            "generation_images_per_second": 1200.0, "peak_rss_mb": 700.4, "step_spread": 1.1,
        },
        {"family": "dcgan", "backend": "torch", "batch_size": 8, "resolution": 28, "error": "exit 1: boom"},
        {
            "family": "dcgan", "backend": "reference", "batch_size": 8, "resolution": 28,
            "input_shape": [28, 28, 1], "images_per_second": 500.0, "first_step_seconds": 0.15,
            "process_start_to_first_step_seconds": 5.5, "peak_rss_mb": 500.0, "step_spread": 4.0,
        },
    ],
    "png": [
        {
            "backend": "tensorflow",
            "command": "python -m kgan generate dcgan_fashion_mnist -n 64 -o grid.png",
            "seconds": [7.0, 6.5, 8.0], "median_seconds": 7.0,
        },
    ],
}


def test_render_turns_results_into_markdown_rows():
    text = throughput.render(json.loads(json.dumps(RESULTS)))
    lines = text.splitlines()
    assert throughput.FINDINGS.strip() in text
    expected = [
        "Machine: Test CPU, 1 thread(s) on core(s) 1 of 2, 8.0 GB RAM. keras 3.15.1, numpy 2.4.6.",
        "float32 matmul peak (2048x2048, 1 thread(s)): 50.0 GFLOP/s (numpy 50.0).",
        "| family | input, batch | MFLOP / image | backend | images / s | vs plain PyTorch | % of peak |",
        "| dcgan | 28x28x1, 8 | 40 | tensorflow | 250 | 0.50x | 20.0% |",
        "| dcgan | 28x28x1, 8 | - | torch | failed | - | - |",
        "| dcgan | 28x28x1, 8 | 40 | plain PyTorch | 500 | 1.00x | 40.0% |",
        "| family | tensorflow | torch | plain PyTorch |",
        "| dcgan | 6.25 (1.50) | failed | 5.50 (0.15) |",
        "| dcgan | 1200 | failed |",
        "| dcgan | 700 | failed | 500 |",
        "| tensorflow | 7.00 | 7.00, 6.50, 8.00 |",
        "- dcgan / torch: `exit 1: boom`",
    ]
    for line in expected:
        assert line in lines, line
    assert lines.count("| dcgan | 28x28x1, 8 | 40 | tensorflow | 250 | 0.50x | 20.0% |") == 1
    assert any(line.startswith("Uneven step times") and "dcgan / plain PyTorch 4.0x" in line for line in lines)
    assert not any("Smoke run" in line for line in lines)


def test_worker_quick_run_gives_real_numbers():
    backend = keras.backend.backend()
    command = [
        sys.executable, SCRIPT, "--worker", "--backend", backend, "--family", "dcgan",
        "--batch-size", "4", "--warmup", "1", "--steps", "1", "--threads", "1",
    ]
    env = dict(os.environ, KERAS_BACKEND=backend)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    row = json.loads(result.stdout.strip().splitlines()[-1])
    assert row["backend"] == backend and row["batch_size"] == 4 and row["input_shape"] == [28, 28, 1]
    for key in ("images_per_second", "generation_images_per_second", "peak_rss_mb",
                "first_step_seconds", "process_start_to_first_step_seconds"):
        assert math.isfinite(row[key]) and row[key] > 0, (key, row[key])
    assert len(row["step_seconds"]) == 2
    assert row["process_start_to_first_step_seconds"] >= row["first_step_seconds"]
    # dcgan_fashion_mnist's networks (width 32, latent 100) at 28 px, in multiply-adds:
    generator = 100 * 7 * 7 * 64 + 7 * 7 * (4 * 4 * 32 * 64) + 14 * 14 * (4 * 4 * 1 * 32)
    discriminator = 14 * 14 * (4 * 4 * 1 * 32) + 7 * 7 * (4 * 4 * 32 * 64) + 7 * 7 * 64
    assert row["forward_flops"] == {"generator": 2 * generator, "discriminator": 2 * discriminator}
    assert row["train_flops_per_image"] == 4 * 2 * generator + 9 * 2 * discriminator


def test_readme_rewrite_touches_only_the_marked_section(tmp_path):
    before = "# Benchmarks\n\nSome table | a |\n\n" + throughput.HEADING + "\n\n"
    after = "\n\n## Later section\n\ntext\n"
    text = before + throughput.START_MARKER + "\nold numbers\n" + throughput.END_MARKER + after
    path = tmp_path / "README.md"
    path.write_text(text)
    throughput.write_readme(json.loads(json.dumps(RESULTS)), str(path))
    new = path.read_text()
    assert new.startswith(before + throughput.START_MARKER + "\n")
    assert new.endswith("\n" + throughput.END_MARKER + after)
    assert "old numbers" not in new
    assert "| dcgan | 28x28x1, 8 | 40 | tensorflow | 250 | 0.50x | 20.0% |" in new
    throughput.write_readme(json.loads(json.dumps(RESULTS)), str(path))  # idempotent
    assert path.read_text() == new
    # Without markers: the heading and the marked section are appended.
    appended = throughput.replace_section("# Benchmarks\n\ntext\n", "table\n")
    assert appended == (
        f"# Benchmarks\n\ntext\n\n{throughput.HEADING}\n\n"
        f"{throughput.START_MARKER}\ntable\n{throughput.END_MARKER}\n"
    )
