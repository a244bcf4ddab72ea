"""The paints_tf ablation of pix2pix colorization, on held-out OpenMoji drawings.

    KERAS_BACKEND=tensorflow python scripts/pix2pix_ablation.py

Trains the variants of `train_preset.PIX2PIX_VARIANTS` (L1 only, L1+GAN
with lambda 10, 1 and 0.01, WGAN-GP, SELU, SELU+WGAN-GP; lambda weighs the GAN
term against L1; same networks, data and steps) with `scripts/train_preset.py`, measures each on the test pairs (L1,
PSNR, colourfulness, FID with the shipped emoji classifier), and writes
`benchmarks/pix2pix_ablation.{json,md}` and `docs/images/pix2pix_ablation.png`.
A finished variant (its `final.keras`) is only re-measured; an interrupted one
resumes. `--variants a,b` runs some of them (e.g. one process per core);
`--table-only` rebuilds the outputs from the finished runs.
"""

import argparse
import json
import os
import sys

import keras
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import train_preset  # noqa: E402

import kgan  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")
WORKDIR = os.path.join("runs", "pix2pix_ablation")
RESULTS = os.path.join(ROOT, "benchmarks", "pix2pix_ablation")
PICTURE = os.path.join(ROOT, "docs", "images", "pix2pix_ablation.png")
LABELS = {
    "l1": "L1 only",
    "l1_gan10": "L1 + GAN, lambda 10",
    "l1_gan1": "L1 + GAN, lambda 1",
    "l1_gan_paper": "L1 + GAN, lambda 0.01 (the pix2pix paper's 100 x L1)",
    "l1_gan1_resize": "L1 + GAN, lambda 1, resize-convolution decoder",
    "l1_gan_paper_resize": "L1 + GAN, lambda 0.01, resize-convolution decoder",
    "wgan_gp": "L1 + WGAN-GP, lambda 1",
    "selu": "SELU, L1 + GAN, lambda 1",
    "selu_wgan_gp": "SELU, L1 + WGAN-GP, lambda 1",
    "l1_long": "L1 only, 10,000 steps",
    "l1_gan_paper_long": "L1 + GAN, lambda 0.01, 10,000 steps",
    "l1_long_more": "L1 only, 10,000 steps + 2,000 more",
    "l1_long_then_gan": "L1 only, 10,000 steps + 2,000 of L1 + GAN, lambda 0.01",
}


def preset_name(variant):
    return f"pix2pix_openmoji_64_{variant}"


def run_variant(variant):
    """Trains (or resumes) one variant, measures it; returns its quality dict."""
    name = preset_name(variant)
    workdir = os.path.join(WORKDIR, variant)
    argv = [name, "--workdir", workdir, "--preset-dir", os.path.join(workdir, "preset")]
    if os.path.exists(os.path.join(workdir, "final.keras")):
        argv.append("--evaluate-only")
    train_preset.main(argv)
    return kgan.zoo.metadata(os.path.join(workdir, "preset"))["fid"]


def write_outputs(results):
    with open(RESULTS + ".json", "w") as file:
        json.dump(results, file, indent=2, sort_keys=True)
    recipe = train_preset.PIX2PIX
    first = next(iter(results.values()))
    lines = [
        f"OpenMoji test drawings ({first['samples']} pairs, 64x64, one colouring per drawing: "
        f"no skin-tone variants, no flags), {recipe['steps']} steps "
        f"of batch {recipe['batch_size']} unless the row says otherwise, U-Net width {recipe['width']}-{recipe['max_width']}; "
        "FID with emoji_classifier/128 features against the true colours.",
        "",
        f"| variant | L1 (of 255 levels) | PSNR dB | colourfulness (real {first['colourfulness_real']:.1f}) "
        f"| FID (line art as is {first['baseline_fid']:.1f}) |",
        "|---|---|---|---|---|",
    ]
    for variant, quality in results.items():
        lines.append(
            f"| {LABELS[variant]} (`{preset_name(variant)}`) | {quality['l1'] * 255:.1f} | "
            f"{quality['psnr']:.2f} | {quality['colourfulness']:.1f} | {quality['fid']:.1f} |"
        )
    with open(RESULTS + ".md", "w") as file:
        file.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def write_picture(variants):
    """Rows: line art, truth, then each variant, on 8 held-out drawings."""
    test = train_preset.openmoji_test(train_preset.PIX2PIX)
    pick = np.linspace(0, len(test.line_art) - 1, 8).astype(int)
    line_art, colour = test.line_art[pick], test.colour[pick]
    rows = [np.repeat(line_art, 3, axis=-1), colour]
    for variant in variants:
        model = keras.models.load_model(os.path.join(WORKDIR, variant, "final.keras"))
        rows.append(model.colorize(line_art))
    kgan.images.save_grid(PICTURE, np.concatenate(rows), columns=8)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default=",".join(LABELS), help="comma-separated subset")
    parser.add_argument("--table-only", action="store_true")
    args = parser.parse_args(argv)
    chosen = [v for v in args.variants.split(",") if v]
    unknown = sorted(set(chosen) - set(LABELS))
    if unknown:
        parser.error(f"unknown variants {unknown}; choose from {list(LABELS)}")
    if not args.table_only:
        for variant in chosen:
            run_variant(variant)
    finished = [v for v in LABELS if os.path.exists(os.path.join(WORKDIR, v, "preset", "metadata.json"))]
    results = {v: kgan.zoo.metadata(os.path.join(WORKDIR, v, "preset"))["fid"] for v in finished}
    if results:
        write_outputs(results)
        write_picture(finished)
    return 0


if __name__ == "__main__":
    sys.exit(main())
