"""Prints the quality tables of benchmarks/README.md from the presets' metadata
and benchmarks/quality.json (written by scripts/train_preset.py and
benchmarks/reference_dcgan_torch.py).

    python benchmarks/quality_table.py
"""

import json
import os
import re
import statistics

import kgan
from kgan.zoo import registry

HERE = os.path.dirname(os.path.abspath(__file__))


def preset_table(results):
    print("| preset | steps x batch | FID (kgan) | reference | FID (reference) | real-data floor | features, samples |")
    print("|---|---|---|---|---|---|---|")
    for name in registry.bundled_names():
        info = kgan.zoo.metadata(name)
        fid, training = info["fid"], info["training"]
        if "baseline_fid" in fid:  # colorization: in benchmarks/pix2pix_ablation.md
            continue
        reference = results.get(f"reference/{name}")
        reference_fid = f"{reference['fid']:.2f}" if reference else "not run"
        reference_name = reference["model"] if reference else "-"
        print(
            f"| {name} | {training['steps']} x {training['batch_size']} | {fid['fid']:.2f} | "
            f"{reference_name} | {reference_fid} | {fid['floor']:.2f} | "
            f"{fid['features']}, {fid['samples']} vs {fid['reference']} |"
        )


def seed_tables(results):
    """One table per preset run with several seeds: kgan beside the reference."""
    runs = {}
    for key, result in results.items():
        match = re.fullmatch(r"(kgan|reference)/([^/]+)(?:/seed(\d+))?", key)
        if match:
            side, preset, seed = match.groups()
            runs.setdefault(preset, {}).setdefault(int(seed or 0), {})[side] = result["fid"]
    for preset, seeds in sorted(runs.items()):
        complete = {seed: sides for seed, sides in seeds.items() if len(sides) == 2}
        if len(complete) < 2:
            continue
        print(f"\nSeeds of `{preset}` (FID, same recipe, `--seed N`):\n")
        print("| seed | kgan | plain PyTorch |")
        print("|---|---|---|")
        for seed, sides in sorted(complete.items()):
            print(f"| {seed} | {sides['kgan']:.2f} | {sides['reference']:.2f} |")
        for label, reduce in (("mean", statistics.mean), ("std", statistics.stdev)):
            kgan_values = [sides["kgan"] for sides in complete.values()]
            reference_values = [sides["reference"] for sides in complete.values()]
            print(f"| {label} | {reduce(kgan_values):.2f} | {reduce(reference_values):.2f} |")


def main():
    path = os.path.join(HERE, "quality.json")
    results = json.load(open(path)) if os.path.exists(path) else {}
    preset_table(results)
    seed_tables(results)


if __name__ == "__main__":
    main()
