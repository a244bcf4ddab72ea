"""The `kgan` command: train GANs and generate images from the terminal."""

import argparse
import os
import sys

MODELS = ("dcgan", "wgangp")
DATASETS = ("fashion_mnist",)


def _train(args):
    import keras

    import kgan
    from kgan.models import DCGAN
    from kgan.models import WGANGP

    if args.seed is not None:
        keras.utils.set_random_seed(args.seed)
    dataset = kgan.data.fashion_mnist_dataset(
        "train", batch_size=args.batch_size, shuffle=True, seed=args.seed or 0
    )
    height, width, channels = dataset.images.shape[1:]
    os.makedirs(args.out, exist_ok=True)
    checkpoint = os.path.join(args.out, "checkpoint.keras")
    family = {"dcgan": DCGAN, "wgangp": WGANGP}[args.model]
    if args.resume and os.path.exists(checkpoint):
        gan = keras.models.load_model(checkpoint)
        print(f"Resuming from {checkpoint}")
    else:
        gan = family.create(height, channels=channels, width=args.width, seed=args.seed)
        gan.compile()
    callbacks = [
        keras.callbacks.BackupAndRestore(os.path.join(args.out, "backup")),
        keras.callbacks.ModelCheckpoint(checkpoint),
        keras.callbacks.CSVLogger(os.path.join(args.out, "history.csv"), append=True),
        kgan.callbacks.SampleGrid(os.path.join(args.out, "samples"), n=args.samples),
    ]
    gan.fit(
        dataset,
        epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
        callbacks=callbacks,
        verbose=1 if sys.stdout.isatty() else 2,
    )
    print(f"Checkpoint: {checkpoint}")
    print(f"Samples: {callbacks[-1].last_path}")
    return 0


def _generate(args):
    import keras

    import kgan

    if not os.path.exists(args.model):
        raise SystemExit(f"kgan generate: no model file at {args.model!r}")
    gan = keras.models.load_model(args.model)
    images = gan.generate(args.n, seed=args.seed, batch_size=args.batch_size)
    kgan.images.save_grid(args.output, images, columns=args.columns)
    print(f"Wrote {args.n} images to {args.output}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="kgan",
        description="kgan: a GAN model zoo for Keras 3 (TensorFlow, JAX, PyTorch). "
        "Choose the backend with the KERAS_BACKEND environment variable.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser(
        "train",
        help="train a GAN; writes a checkpoint, sample grids and a log to --out",
        description="Train a GAN on a dataset. Writes OUT/checkpoint.keras every "
        "epoch, OUT/samples/epoch_NNNN.png, OUT/history.csv, and a backup that "
        "resumes an interrupted run when the same command is run again.",
    )
    train.add_argument("model", choices=MODELS, help="the GAN family")
    train.add_argument("--dataset", choices=DATASETS, default="fashion_mnist")
    train.add_argument("--epochs", type=int, default=1)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument(
        "--steps-per-epoch", type=int, default=None, help="limit the steps of an epoch"
    )
    train.add_argument("--width", type=int, default=64, help="network width")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--samples", type=int, default=64, help="images per sample grid")
    train.add_argument(
        "--resume",
        action="store_true",
        help="continue from OUT/checkpoint.keras after a finished run",
    )
    train.add_argument("--out", required=True, help="output directory")
    train.set_defaults(run=_train)

    generate = commands.add_parser(
        "generate",
        help="generate a grid of images from a saved model",
        description="Generate images from a saved model (.keras) into one grid PNG.",
    )
    generate.add_argument("model", help="a model saved with model.save('x.keras')")
    generate.add_argument("-n", type=int, default=64, help="number of images")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--batch-size", type=int, default=64)
    generate.add_argument("--columns", type=int, default=None)
    generate.add_argument("-o", "--output", default="grid.png")
    generate.set_defaults(run=_generate)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
