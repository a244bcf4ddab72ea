"""Where kgan's torch DCGAN step spends its time, beside the plain PyTorch one.

    KERAS_BACKEND=torch python benchmarks/profile_torch_dcgan.py [--batch-size 64]

Profiles `--steps` training steps of DCGAN-28 (the `dcgan_fashion_mnist`
networks) with `torch.profiler`, once through kgan (`fit` on the torch backend)
and once through `reference_dcgan_torch.ReferenceGAN`, with the same threads.
Prints each one's wall time per step, the time its PyTorch operators take
(their self CPU time, summed), the rest (Python and framework work between
operators), and the operators that take the most time. The throughput table's
notes quote it.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.profiler import ProfilerActivity  # noqa: E402
from torch.profiler import profile  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import throughput  # noqa: E402


def profiled(run_steps, steps):
    """(wall seconds per step, operator table rows) of `run_steps(steps)`."""
    run_steps(2)  # warm-up
    with profile(activities=[ProfilerActivity.CPU]) as trace:
        started = time.perf_counter()
        run_steps(steps)
        wall = (time.perf_counter() - started) / steps
    rows = {}
    for event in trace.key_averages():
        if event.key.startswith("aten::"):
            rows[event.key] = (event.self_cpu_time_total / 1e6 / steps, event.count // steps)
    return wall, rows


def kgan_runner(batch_size):
    import kgan

    parts = throughput.build("dcgan", 28, batch_size)
    model = parts["model"]
    dataset = kgan.data.as_dataset(parts["x"], None, batch_size=batch_size, seed=0, repeat=True)

    def run(steps):
        model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)

    return run


def reference_runner(batch_size):
    reference = throughput.load_reference()
    recipe = dict(reference.RECIPES["dcgan_fashion_mnist"], image_size=28, batch_size=batch_size)
    gan = reference.ReferenceGAN(recipe, seed=0)
    real = torch.from_numpy(np.random.default_rng(0).uniform(-1, 1, (batch_size, 1, 28, 28)).astype("float32"))

    def run(steps):
        for _ in range(steps):
            d_loss, g_loss = gan.step(real)
            d_loss.item(), g_loss.item()

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), DCGAN-28, batch {args.batch_size}")
    for name, runner in (("kgan (Keras on torch)", kgan_runner), ("plain PyTorch", reference_runner)):
        wall, rows = profiled(runner(args.batch_size), args.steps)
        operators = sum(seconds for seconds, _ in rows.values())
        calls = sum(count for _, count in rows.values())
        print(f"\n{name}: {wall * 1e3:.1f} ms/step; operators {operators * 1e3:.1f} ms "
              f"({calls} calls), the rest {(wall - operators) * 1e3:.1f} ms")
        for key, (seconds, count) in sorted(rows.items(), key=lambda item: -item[1][0])[: args.top]:
            print(f"  {key:40s} {seconds * 1e3:7.2f} ms  x{count}")


if __name__ == "__main__":
    main()
