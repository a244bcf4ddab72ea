"""Latency of `kgan serve` under load: concurrent generate requests on loopback.

    KERAS_BACKEND=torch python benchmarks/serve_latency.py [--requests 50] [--faces 8]

Starts the server on a free port with `cgan_avatars_64`, fires `--requests`
POST /api/generate requests at once (one client thread each, `--faces` faces
per request, distinct seeds), and writes the median and p95 latency, the
wall time, faces per second and the error count to `benchmarks/serve_latency.json`.
Model work is serialized (one request at a time), so latency grows with the queue.
"""

import argparse
import json
import os
import platform
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import keras
import numpy as np

import kgan
from kgan import serve

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "serve_latency.json")
PRESET = "cgan_avatars_64"


def timed_generate(url, seed, faces):
    """`(seconds, error or None)` of one generate request."""
    body = json.dumps({"n": faces, "seed": seed, "tags": ["hair_color:pink"]}).encode()
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "api/generate", data=body)) as response:
            assert len(json.load(response)["faces"]) == faces
        error = None
    except Exception as exception:  # counted, not raised: the benchmark reports errors
        error = f"{type(exception).__name__}: {exception}"
    return time.perf_counter() - started, error


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--faces", type=int, default=8, help="faces per request (the page's default)")
    args = parser.parse_args()
    with serve.running(kgan.zoo.load(PRESET), name=PRESET) as server:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.requests) as pool:
            results = list(pool.map(
                lambda seed: timed_generate(server.url, seed * args.faces, args.faces), range(args.requests)
            ))
        wall = time.perf_counter() - started
    seconds = np.array([s for s, _ in results])
    errors = [e for _, e in results if e]
    result = {
        "preset": PRESET,
        "backend": keras.backend.backend(),
        "requests": args.requests,
        "faces_per_request": args.faces,
        "median_s": round(float(np.median(seconds)), 4),
        "p95_s": round(float(np.percentile(seconds, 95)), 4),
        "wall_s": round(wall, 4),
        "faces_per_second": round(args.requests * args.faces / wall, 2),
        "errors": len(errors),
        "first_errors": errors[:3],
        "cpu_cores": len(os.sched_getaffinity(0)),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
    }
    with open(RESULTS, "w") as file:
        json.dump(result, file, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
