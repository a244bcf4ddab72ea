"""Trains a shipped preset, measures its FID, and writes it to kgan/presets/NAME.

    KERAS_BACKEND=torch python scripts/train_preset.py dcgan_fashion_mnist

Rerunning the same command after an interruption resumes from the last chunk
(`keras.callbacks.BackupAndRestore` every `--chunk` steps in the work folder).
`--evaluate-only` re-measures FID of a finished run and rewrites the preset.
"""

import argparse
import json
import os
import sys
import time

import keras
import numpy as np

import kgan
from kgan.models import CAAE
from kgan.models import ConditionalGAN
from kgan.models import DCGAN
from kgan.models import Pix2Pix
from kgan.models import ProGAN
from kgan.models import WGANGP
from kgan.metrics.fid import avatar_splits

PRESETS_DIR = os.path.join(os.path.dirname(kgan.__file__), "presets")

# Sized for 2 CPU cores (about an hour or less each).
RECIPES = {
    "dcgan_fashion_mnist": dict(
        family="dcgan", dataset="fashion_mnist", image_size=28, channels=1, width=32,
        latent_dim=100, batch_size=64, steps=10000,
    ),
    "wgangp_fashion_mnist": dict(
        family="wgangp", dataset="fashion_mnist", image_size=28, channels=1, width=32,
        latent_dim=100, batch_size=64, steps=3000, n_critic=5,
    ),
    # 3,786 images are few for a DCGAN: DiffAugment (Zhao et al. 2020) keeps D
    # from memorising them. Width 16 keeps a step near a quarter second on one
    # CPU core (width 32 costs about four times that).
    "dcgan_emoji_64": dict(
        family="dcgan", dataset="emoji", image_size=64, channels=3, width=16,
        latent_dim=100, batch_size=64, steps=3000, augment="color,translation,cutout",
    ),
    # GAN-CLS on the 10 classes as one-hot tags (the Girl Friend Factory model).
    # Without the mode-seeking term G ignored z: one image per class, FID 41.
    "cgan_fashion_mnist": dict(
        family="cgan", dataset="fashion_mnist", image_size=28, channels=1, width=32,
        latent_dim=100, batch_size=64, steps=10000, mode_seeking=1.0,
    ),
    # The Girl Friend Factory setting: illustrated faces from a seed and 40 tags.
    # Width 16 is 0.3-0.45 s a step on one CPU core (width 32 twice that).
    # Without DiffAugment D won within 3,000 steps and G ignored z (one face
    # per tag set) and drew 62% of hair colours and 42% of glasses right.
    # GAN-CLS alone then reached 72% / 52% of real at 5,000 steps and no more
    # at 8,500: D's classifier head (AC-GAN) gives G a direct tag signal.
    "cgan_avatars_64": dict(
        family="cgan", dataset="avatars", image_size=64, channels=3, width=16,
        latent_dim=100, batch_size=64, steps=7500, augment="color,translation,cutout",
        mode_seeking=1.0, auxiliary_weight=1.0,
    ),
    # ProGAN 4 -> 64 px on the emoji, sized for one CPU core (about 40 minutes):
    # 64 maps up to 16x16, then 32 and 16 (the paper's 512 maps cost about 60x
    # more), batch 16. Phases of 8,000 images: 4x4 stable, then fade-in and
    # stable for each level; 64x64 stable runs to the end (16,000 images).
    # First run (41 minutes): FID 663 (floor 21.7), coloured blobs: not shipped
    # yet; the 64x64 level needs many more images.
    # Not shipped: on one CPU core G draws coloured blobs. 8,000 images a
    # phase, no augmentation (5,500 steps, 41 min): FID 663; this recipe
    # (12,000 images a phase, DiffAugment, 9,000 steps, 85 min): FID 720
    # (floor 21.7). The paper shows 600,000 images a phase; it needs a GPU.
    "progan_emoji_64": dict(
        family="progan", dataset="emoji", image_size=64, channels=3, latent_dim=128,
        fmap_base=512, fmap_max=64, batch_size=16, fade_images=12000, stable_images=12000,
        augment="color,translation,cutout", steps=9000,
    ),
    # The 20,000 training avatars: one face layout in many styles, which a small
    # ProGAN can learn on one CPU core. 10,000 images a phase to 64x64 (5,625
    # steps), then 2,375 more steps at 64x64: FID 221.6 (floor 2.4), 65 min.
    "progan_avatars_64": dict(
        family="progan", dataset="avatars", image_size=64, channels=3, latent_dim=128,
        fmap_base=512, fmap_max=64, batch_size=16, fade_images=10000, stable_images=10000,
        steps=8000,
    ),
}

# pix2pix colorization: the paints_tf ablation (scripts/pix2pix_ablation.py
# trains and tabulates all six); `pix2pix_openmoji_64` is the best of them.
PIX2PIX = dict(
    family="pix2pix", dataset="openmoji", image_size=64, width=16, max_width=128,
    batch_size=16, steps=2000, loss="l1_gan", gan_weight=1.0, activation="relu",
)
L1_LONG = os.path.join("runs", "pix2pix_ablation", "l1_long", "final.keras")
PIX2PIX_VARIANTS = {
    "l1": dict(loss="l1"),
    "l1_gan10": dict(gan_weight=10.0),
    "l1_gan1": dict(),
    "l1_gan_paper": dict(gan_weight=0.01),  # pix2pix paper: GAN + 100 x L1
    "l1_gan1_resize": dict(upsampling="resize"),
    "l1_gan_paper_resize": dict(gan_weight=0.01, upsampling="resize"),
    "wgan_gp": dict(loss="wgan_gp"),
    "selu": dict(activation="selu"),
    "selu_wgan_gp": dict(activation="selu", loss="wgan_gp"),
    # Five times longer (80 epochs of the 1,995 pairs; the paper trains 200).
    "l1_long": dict(loss="l1", steps=10000),
    "l1_gan_paper_long": dict(gan_weight=0.01, steps=10000),
    # 2,000 more steps from the 10,000-step L1 network: with L1 alone, and
    # with a GAN term added (the usual way to sharpen an L1 model).
    "l1_long_more": dict(loss="l1", steps=2000, init_from=L1_LONG),
    "l1_long_then_gan": dict(gan_weight=0.01, steps=2000, init_from=L1_LONG),
}
RECIPES.update(
    {f"pix2pix_openmoji_64_{name}": dict(PIX2PIX, **changes) for name, changes in PIX2PIX_VARIANTS.items()}
)
# The shipped preset: the variant with the lowest FID (benchmarks/pix2pix_ablation.md).
RECIPES["pix2pix_openmoji_64"] = RECIPES["pix2pix_openmoji_64_l1_long"]

# CAAE face aging on the facesjs aging faces (1,200 people x 10 age groups),
# the official networks at half width; adversarial weights (image, latent)
# rise over the first 1,000 steps from a plain autoencoder.
RECIPES["caae_faces_64"] = dict(
    family="caae", dataset="aging_faces", image_size=64, width=32, discriminator_width=16,
    batch_size=64, image_adversarial_weight=0.01, latent_adversarial_weight=0.01,
    total_variation_weight=0.0, warmup_steps=1000, steps=3500,
    preset_optimizer=False,  # weights only: 22 MB instead of 103 with the four Adams
)

DATASETS = {
    "fashion_mnist": dict(
        data="Fashion-MNIST train split (60,000 28x28 grey images, Zalando)",
        license="MIT",
    ),
    "emoji": dict(
        data="Google Noto emoji, npm emoji-datasource-google 16.0.0 (3,786 64x64 images "
        "with skin-tone variants, composited on white)",
        license="Apache-2.0 (images); MIT (package code and emoji.json)",
    ),
    "openmoji": dict(
        data=f"{kgan.data.OPENMOJI_SOURCE}: line-art/colour SVG pairs rendered at 64x64, "
        "train split (test drawings held out), one colouring per drawing (no skin-tone "
        "variants, no flags)",
        license=kgan.data.OPENMOJI_LICENSE,
        attribution=kgan.data.OPENMOJI_ATTRIBUTION,
    ),
    "aging_faces": dict(
        data=f"{kgan.data.FACESJS_SOURCE}: 12,000 64x64 cartoon faces, 1,200 people (seeds "
        "0-1199) each at the 10 age groups, with age group and gender labels",
        license=kgan.data.FACESJS_LICENSE,
        attribution=kgan.data.FACESJS_ATTRIBUTION,
    ),
    "avatars": dict(
        data=f"{kgan.data.AVATAR_SOURCE}: 20,000 64x64 avatars (seed 0) with 40 tags in 8 groups",
        license=kgan.data.AVATAR_LICENSE,
        attribution=kgan.data.AVATAR_ATTRIBUTION,
    ),
}


def build(recipe, seed):
    if recipe["family"] == "cgan":
        return ConditionalGAN.create(
            recipe["image_size"], recipe["channels"], tag_names=list(class_names(recipe)),
            latent_dim=recipe["latent_dim"], width=recipe["width"], augment=recipe.get("augment"),
            mode_seeking=recipe.get("mode_seeking", 0.0),
            auxiliary_weight=recipe.get("auxiliary_weight", 0.0), seed=seed,
        )
    if recipe["family"] == "pix2pix":
        return Pix2Pix.create(
            recipe["image_size"], width=recipe["width"], max_width=recipe["max_width"],
            activation=recipe["activation"], loss=recipe["loss"], gan_weight=recipe["gan_weight"],
            upsampling=recipe.get("upsampling", "transpose"), seed=seed,
        )
    if recipe["family"] == "caae":
        return CAAE.create(
            recipe["image_size"], width=recipe["width"],
            discriminator_width=recipe["discriminator_width"],
            image_adversarial_weight=recipe["image_adversarial_weight"],
            latent_adversarial_weight=recipe["latent_adversarial_weight"],
            total_variation_weight=recipe["total_variation_weight"],
            warmup_steps=recipe["warmup_steps"], seed=seed,
        )
    if recipe["family"] == "progan":
        return ProGAN.create(
            recipe["image_size"], recipe["channels"], recipe["latent_dim"], recipe["fmap_base"],
            recipe["fmap_max"], fade_images=recipe["fade_images"],
            stable_images=recipe["stable_images"], augment=recipe.get("augment"), seed=seed,
        )
    if recipe["family"] == "dcgan":
        return DCGAN.create(
            recipe["image_size"], recipe["channels"], recipe["latent_dim"], recipe["width"],
            augment=recipe.get("augment"), seed=seed,
        )
    return WGANGP.create(
        recipe["image_size"], recipe["channels"], recipe["latent_dim"], recipe["width"],
        n_critic=recipe["n_critic"], seed=seed,
    )


def training_arrays(recipe):
    """The training images, float32 NHWC in [-1, 1]."""
    return training_images_and_labels(recipe)[0]


def training_images_and_labels(recipe):
    if recipe["dataset"] == "fashion_mnist":
        return kgan.data.load_fashion_mnist("train")
    if recipe["dataset"] == "emoji":
        return kgan.data.load_emoji(skin_tones=True)[:2]
    if recipe["dataset"] == "avatars":
        return avatar_splits()[0][:2]
    if recipe["dataset"] == "openmoji":  # (line art, colour)
        subset = kgan.data.OPENMOJI_COLORIZATION_SUBSET
        return kgan.data.load_openmoji_pairs(recipe["image_size"], "train", **subset)[:2]
    if recipe["dataset"] == "aging_faces":  # (faces, (age group, gender))
        faces = kgan.data.load_aging_faces("train", recipe["image_size"])
        return faces.images, kgan.data.face_age_labels(faces)
    raise ValueError(f"Unknown dataset {recipe['dataset']!r}")


def class_names(recipe):
    return {
        "fashion_mnist": kgan.data.fashion_mnist.CLASS_NAMES,
        "emoji": kgan.data.EMOJI_CATEGORIES,
        "avatars": kgan.data.AVATAR_TAGS,
    }[recipe["dataset"]]


def training_data(recipe, seed):
    images, labels = training_images_and_labels(recipe)
    conditional = recipe["family"] in ("cgan", "pix2pix", "caae")
    return kgan.data.as_dataset(
        images, labels if conditional else None, batch_size=recipe["batch_size"], seed=seed, repeat=True
    )


def sample_grid(recipe, workdir):
    # A conditional grid: row r shows class r % classes, or the held-out avatars' tags.
    conditions = None
    if recipe["family"] == "pix2pix":  # the first 64 held-out drawings
        sources = kgan.images.to_float(openmoji_test(recipe).line_art[:64])
        return kgan.callbacks.SampleGrid(os.path.join(workdir, "samples"), every=2, sources=sources)
    if recipe["family"] == "caae":  # 8 held-out people, each at every age group
        sources = aging_test(recipe).images[::25][:8]
        return kgan.callbacks.SampleGrid(os.path.join(workdir, "samples"), every=2, sources=sources)
    if recipe["dataset"] == "avatars" and recipe["family"] == "cgan":
        conditions = kgan.metrics.reference_labels("avatars")[:64]
    elif recipe["family"] == "cgan":
        conditions = np.arange(64) // 8 % len(class_names(recipe))
    return kgan.callbacks.SampleGrid(os.path.join(workdir, "samples"), n=64, every=2, conditions=conditions)


def openmoji_test(recipe):
    subset = kgan.data.OPENMOJI_COLORIZATION_SUBSET
    return kgan.data.load_openmoji_pairs_uint8(recipe["image_size"], "test", **subset)


def aging_test(recipe):
    return kgan.data.load_aging_faces("test", recipe["image_size"])


def final_grid(gan, recipe, grid):
    """The preset's picture: generated images, (line art, colorized, truth) rows,
    or held-out faces followed by their renderings at every age group."""
    if recipe["family"] == "caae":
        strips = gan.translate(grid.sources)
        faces = kgan.images.to_uint8(grid.sources)[:, None]
        return np.concatenate([faces, strips], axis=1).reshape((-1,) + strips.shape[2:])
    if recipe["family"] != "pix2pix":
        options = {} if grid.conditions is None else {"conditions": grid.conditions}
        return gan.generate(64, seed=0, **options)
    test = openmoji_test(recipe)
    line_art, colour = test.line_art[:16], test.colour[:16]
    rows = [np.repeat(line_art, 3, axis=-1), gan.colorize(line_art), colour]
    return np.concatenate([row.reshape((2, 8) + row.shape[1:]) for row in rows], axis=1).reshape(
        (-1,) + colour.shape[1:]
    )


QUALITY_JSON = os.path.join(os.path.dirname(__file__), "..", "benchmarks", "quality.json")


def record_quality(key, result):
    """Adds one FID measurement to benchmarks/quality.json (read by quality_table.py)."""
    results = json.load(open(QUALITY_JSON)) if os.path.exists(QUALITY_JSON) else {}
    results[key] = result
    with open(QUALITY_JSON, "w") as file:
        json.dump(results, file, indent=2, sort_keys=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("preset", choices=sorted(RECIPES))
    parser.add_argument("--steps", type=int, default=None, help="override the recipe's steps")
    parser.add_argument("--chunk", type=int, default=500, help="steps between backups")
    parser.add_argument("--workdir", default=None, help="default: runs/presets/PRESET")
    parser.add_argument("--samples", type=int, default=10000, help="images for FID")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--evaluate-only", action="store_true")
    parser.add_argument(
        "--preset-dir", default=None, help="where to write the preset (default: kgan/presets/PRESET)"
    )
    args = parser.parse_args(argv)

    recipe = dict(RECIPES[args.preset])
    if args.steps:
        recipe["steps"] = args.steps
    workdir = args.workdir or os.path.join("runs", "presets", args.preset)
    os.makedirs(workdir, exist_ok=True)
    checkpoint = os.path.join(workdir, "final.keras")
    keras.utils.set_random_seed(args.seed)

    if not args.evaluate_only:
        gan = build(recipe, args.seed)
        if recipe.get("init_from"):  # start from another run's trained networks
            trained = keras.models.load_model(recipe["init_from"])
            for name in gan.network_names:
                getattr(gan, name).set_weights(getattr(trained, name).get_weights())
        gan.compile()
        started = time.time()
        gan.fit(
            training_data(recipe, args.seed),
            epochs=recipe["steps"] // args.chunk,
            steps_per_epoch=args.chunk,
            verbose=2,
            callbacks=[
                keras.callbacks.BackupAndRestore(os.path.join(workdir, "backup")),
                keras.callbacks.CSVLogger(os.path.join(workdir, "history.csv"), append=True),
                sample_grid(recipe, workdir),
            ],
        )
        steps_done = int(keras.ops.convert_to_numpy(gan.optimizer.iterations))
        if steps_done != recipe["steps"]:
            raise RuntimeError(f"Trained {steps_done} steps, the recipe asks for {recipe['steps']}")
        gan.save(checkpoint)
        with open(os.path.join(workdir, "timing.json"), "a") as file:
            file.write(json.dumps({"seconds": time.time() - started, "backend": keras.backend.backend()}) + "\n")
    gan = keras.models.load_model(checkpoint)
    if recipe["family"] == "cgan" and recipe["dataset"] == "avatars":  # left-out tag groups are drawn as often as in the data
        gan.tag_frequencies = training_images_and_labels(recipe)[1].mean(axis=0).astype("float64")
    quality = kgan.metrics.evaluate_on(gan, recipe["dataset"], samples=args.samples)
    print(json.dumps(quality, indent=2))
    training = {
        "steps": recipe["steps"],
        "batch_size": recipe["batch_size"],
        "backend": keras.backend.backend(),
        "recipe": recipe,
        "seed": args.seed,
        "command": f"python scripts/train_preset.py {args.preset} --seed {args.seed}",
    }
    if not args.steps:  # a shortened run is no measurement of the recipe
        record_quality(
            f"kgan/{args.preset}" + (f"/seed{args.seed}" if args.seed else ""), dict(quality, **training)
        )
    metadata = dict(DATASETS[recipe["dataset"]], dataset=recipe["dataset"], fid=quality, training=training)
    preset_dir = args.preset_dir or os.path.join(PRESETS_DIR, args.preset)
    if not recipe.get("preset_optimizer", True):  # users compile before fine-tuning
        gan = keras.models.load_model(checkpoint, compile=False)
    info = kgan.zoo.save_preset(gan, preset_dir, **metadata)
    print(f"Wrote preset {args.preset}: {kgan.zoo.describe_quality(info['fid'])}")
    grid = final_grid(gan, recipe, sample_grid(recipe, workdir))
    columns = 11 if recipe["family"] == "caae" else 8
    kgan.images.save_grid(os.path.join(workdir, "preset_seed0.png"), grid, columns=columns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
