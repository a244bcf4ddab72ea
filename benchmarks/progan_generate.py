"""Time and peak memory of ProGAN generation at 1024x1024 on this machine, per backend.

    python benchmarks/progan_generate.py [--images 4] [--batch-size 1]

Each backend runs in its own process: it builds the CelebA-HQ generator
(`ProGANGenerator(1024)`, the graph `progan_celebahq_1024` converts into, 23.1M
parameters; random weights, which cost the same), generates one warm-up batch,
then `--images` images `--batch-size` at a time. Results go to
`benchmarks/progan_generate.json` and the table is printed (paste it into
benchmarks/README.md).
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "progan_generate.json")
BACKENDS = ("tensorflow", "jax", "torch")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure(images, batch_size):
    """Runs in the backend's process; returns one result row."""
    import keras
    import numpy as np

    from kgan.models.progan import ProGAN

    started = time.perf_counter()
    gan = ProGAN.create(1024, seed=0)
    built = time.perf_counter() - started
    parameters = sum(int(np.prod(v.shape)) for v in gan.generator.trainable_weights)
    base = peak_rss_mb()
    gan.generate(batch_size, seed=0, batch_size=batch_size)  # warm-up (tracing)
    started = time.perf_counter()
    output = gan.generate(images, seed=1, batch_size=batch_size)
    seconds = time.perf_counter() - started
    assert output.shape == (images, 1024, 1024, 3)
    return {
        "backend": keras.backend.backend(),
        "batch_size": batch_size,
        "images": images,
        "seconds_per_image": seconds / images,
        "build_seconds": built,
        "generator_parameters": parameters,
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_generation_mb": base,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.images, args.batch_size)))
        return 0
    rows = []
    for backend in BACKENDS:
        command = [sys.executable, __file__, "--worker", "--images", str(args.images),
                   "--batch-size", str(args.batch_size)]
        result = subprocess.run(
            command, env=dict(os.environ, KERAS_BACKEND=backend), capture_output=True, text=True
        )
        if result.returncode != 0:
            raise SystemExit(f"{backend} failed:\n{result.stderr[-3000:]}")
        rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    with open(RESULTS, "w") as file:
        json.dump({"machine": machine, "date": time.strftime("%Y-%m-%d"), "rows": rows}, file, indent=2)
    print(f"ProGAN generator at 1024x1024 ({rows[0]['generator_parameters'] / 1e6:.1f}M parameters), {machine}")
    print("| backend | batch | s / image | peak RSS (MB) | RSS before generating (MB) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['backend']} | {row['batch_size']} | {row['seconds_per_image']:.2f} | "
            f"{row['peak_rss_mb']:.0f} | {row['rss_before_generation_mb']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
