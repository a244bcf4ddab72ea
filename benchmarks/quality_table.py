"""Prints the quality table of benchmarks/README.md from the presets' metadata
and benchmarks/quality.json (written by benchmarks/reference_*.py).

    python benchmarks/quality_table.py
"""

import json
import os

import kgan
from kgan.zoo import registry

HERE = os.path.dirname(os.path.abspath(__file__))

def main():
    path = os.path.join(HERE, "quality.json")
    references = json.load(open(path)) if os.path.exists(path) else {}
    print("| preset | steps x batch | FID (kgan) | reference | FID (reference) | real-data floor | features, samples |")
    print("|---|---|---|---|---|---|---|")
    for name in registry.bundled_names():
        info = kgan.zoo.metadata(name)
        fid, training = info["fid"], info["training"]
        reference = references.get(f"reference/{name}")
        reference_fid = f"{reference['fid']:.2f}" if reference else "not run"
        reference_name = reference["model"] if reference else "-"
        print(
            f"| {name} | {training['steps']} x {training['batch_size']} | {fid['fid']:.2f} | "
            f"{reference_name} | {reference_fid} | {fid['floor']:.2f} | "
            f"{fid['features']}, {fid['samples']} vs {fid['reference']} |"
        )


if __name__ == "__main__":
    main()
