"""DCGAN training throughput on 1, 2 and 4 devices with `kgan.distribute`.

    python benchmarks/data_parallel.py [--devices 1 2 4] [--backends jax tensorflow]
        [--steps 20] [--virtual-cpu]

The model is the `dcgan_fashion_mnist` recipe (28x28x1, width 32, latent 100,
global batch 64) on random images. Each (backend, device count) runs in its own
process: with `--virtual-cpu` the CPU is first split into that many virtual
devices (they share the machine's cores, so this measures the overhead of
data parallelism, not a speed-up); without it the real accelerators are used.
One device is the plain single-device step; more run inside
`kgan.distribute(n)`. After a warm-up fit (compilation), `--steps` steps are
timed. Results go to `benchmarks/data_parallel.json` and a markdown table is
printed (paste it into benchmarks/README.md).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "data_parallel.json")
BATCH = 64


def measure(devices, steps, virtual_cpu):
    """Runs in the backend's process; returns one result row."""
    import kgan

    if virtual_cpu:
        kgan.virtual_cpu_devices(devices)
    import contextlib

    import keras
    import numpy as np

    from kgan.models import DCGAN

    images = np.random.default_rng(0).uniform(-1, 1, ((steps + 2) * BATCH, 28, 28, 1))
    images = images.astype("float32")
    scope = kgan.distribute(devices) if devices > 1 else contextlib.nullcontext()
    with scope:
        gan = DCGAN.create(28, channels=1, latent_dim=100, width=32, seed=0)
        gan.compile()
        started = time.perf_counter()
        gan.fit(images[: 2 * BATCH], batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        warm_up = time.perf_counter() - started
        started = time.perf_counter()
        gan.fit(images[2 * BATCH :], batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        seconds = time.perf_counter() - started
    return {
        "backend": keras.backend.backend(),
        "devices": devices,
        "device_names": kgan.available_devices()[:devices],
        "virtual_cpu": virtual_cpu,
        "global_batch": BATCH,
        "steps": steps,
        "seconds_per_step": seconds / steps,
        "images_per_second": steps * BATCH / seconds,
        "warm_up_seconds": warm_up,
    }


def table(rows):
    lines = [
        "| backend | devices | s / step | images / s | vs 1 device | warm-up (s) |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        base = [r for r in rows if r["backend"] == row["backend"] and r["devices"] == 1]
        ratio = row["images_per_second"] / base[0]["images_per_second"] if base else float("nan")
        lines.append(
            f"| {row['backend']} | {row['devices']} | {row['seconds_per_step']:.3f} | "
            f"{row['images_per_second']:.0f} | {ratio:.2f}x | {row['warm_up_seconds']:.1f} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--backends", nargs="+", default=["jax", "tensorflow"])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--virtual-cpu", action="store_true")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:  # in the backend's process
        devices, output = int(args.worker[0]), args.worker[1]
        with open(output, "w") as f:
            json.dump(measure(devices, args.steps, args.virtual_cpu), f)
        return
    rows = []
    for backend in args.backends:
        for devices in args.devices:
            output = os.path.join(HERE, f".data_parallel_{backend}_{devices}.json")
            command = [sys.executable, __file__, "--steps", str(args.steps), "--worker", str(devices), output]
            if args.virtual_cpu:
                command.insert(2, "--virtual-cpu")
            path = os.pathsep.join([os.path.dirname(HERE)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
            env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=path)  # this checkout's kgan
            subprocess.run(command, env=env, check=True)
            with open(output) as f:
                rows.append(json.load(f))
            os.remove(output)
            print(rows[-1], flush=True)
    with open(RESULTS, "w") as f:
        json.dump({"machine": platform.processor() or platform.machine(), "rows": rows}, f, indent=1)
    print(table(rows))


if __name__ == "__main__":
    main()
