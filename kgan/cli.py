"""The `kgan` command: list, generate, vary, morph, blend, serve, train, evaluate and convert."""

import argparse
import contextlib
import os
import sys

MODELS = ("dcgan", "wgangp", "cgan")
DATASETS = ("fashion_mnist", "emoji", "avatars")
CONVERTERS = ("gan_face_generate", "progan_official", "progan_pgan_zoo")  # kgan.zoo.converters


def _dataset(name, with_labels, **options):
    """A dataset by name, with class labels (or avatar tags) for a conditional model."""
    import kgan

    if name == "avatars":
        return kgan.data.avatars_dataset(with_tags=with_labels, shuffle_seed=options.pop("seed"), **options)
    if name == "emoji":
        return kgan.data.emoji_dataset(skin_tones=True, with_labels=with_labels, **options)
    return kgan.data.fashion_mnist_dataset("train", with_labels=with_labels, **options)


def _tag_names(name):
    import kgan

    return {
        "avatars": kgan.data.AVATAR_TAGS,
        "emoji": kgan.data.EMOJI_CATEGORIES,
        "fashion_mnist": kgan.data.FASHION_MNIST_CLASSES,
    }[name]


def _train(args):
    """`kgan train`: on one device, or data-parallel with --devices N."""
    if args.devices is None:
        if args.virtual_cpu:
            raise SystemExit("kgan: --virtual-cpu needs --devices N")
        return _train_on_devices(args)
    import kgan

    if args.devices < 1:
        raise SystemExit(f"kgan: --devices must be >= 1; received {args.devices}")
    if args.batch_size % args.devices:
        raise SystemExit(
            f"kgan: --batch-size {args.batch_size} does not split over {args.devices} "
            "devices: use a multiple of --devices (the batch size is the global batch)"
        )
    with contextlib.ExitStack() as stack:
        try:  # torch, too few devices, a CPU that cannot be split any more
            if args.virtual_cpu:
                kgan.virtual_cpu_devices(args.devices)
            stack.enter_context(kgan.distribute(args.devices))
        except (NotImplementedError, RuntimeError, ValueError) as error:
            raise SystemExit(f"kgan: --devices: {error}")
        return _train_on_devices(args)


def _train_on_devices(args):
    import keras

    import kgan
    from kgan.models import ConditionalGAN
    from kgan.models import DCGAN
    from kgan.models import WGANGP

    if args.augment and args.model == "wgangp":
        raise SystemExit("kgan: --augment works with the dcgan and cgan models only")
    for option in ("mode_seeking", "auxiliary_weight"):
        if getattr(args, option) is not None and args.model != "cgan":
            raise SystemExit(f"kgan: --{option.replace('_', '-')} works with the cgan model only")
    if args.seed is not None:
        keras.utils.set_random_seed(args.seed)
    # With --steps-per-epoch the data repeats endlessly, so every epoch has
    # that many steps whatever the dataset's size.
    conditional = args.model == "cgan"
    dataset = _dataset(
        args.dataset,
        conditional,
        batch_size=args.batch_size,
        seed=args.seed or 0,
        repeat=args.steps_per_epoch is not None,
    )
    height, width, channels = dataset.images.shape[1:]
    os.makedirs(args.out, exist_ok=True)
    checkpoint = os.path.join(args.out, "checkpoint.keras")
    family = {"dcgan": DCGAN, "wgangp": WGANGP, "cgan": ConditionalGAN}[args.model]
    if args.resume and os.path.exists(checkpoint):
        gan = keras.models.load_model(checkpoint)
        print(f"Resuming from {checkpoint}")
    else:
        options = {"augment": args.augment} if args.augment else {}
        if conditional:
            options["tag_names"] = list(_tag_names(args.dataset))
            options["mode_seeking"] = 1.0 if args.mode_seeking is None else args.mode_seeking
            options["auxiliary_weight"] = args.auxiliary_weight or 0.0
        if conditional and args.dataset == "avatars":  # for groups a user leaves out
            options["tag_frequencies"] = dataset.labels.mean(axis=0)
        gan = family.create(height, channels=channels, width=args.width, seed=args.seed, **options)
        gan.compile()
    # A conditional grid shows the conditions of the first training images.
    grid_conditions = dataset.labels[: args.samples] if conditional else None
    callbacks = [
        keras.callbacks.BackupAndRestore(os.path.join(args.out, "backup")),
        keras.callbacks.ModelCheckpoint(checkpoint),
        keras.callbacks.CSVLogger(os.path.join(args.out, "history.csv"), append=True),
        kgan.callbacks.SampleGrid(
            os.path.join(args.out, "samples"), n=args.samples, conditions=grid_conditions
        ),
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


def _load(spec):
    """A model from a `.keras` file or a preset (name, directory or URL)."""
    import keras

    import kgan

    if str(spec).endswith(".keras"):
        if not os.path.exists(spec):
            raise SystemExit(f"kgan: no model file at {spec!r}")
        return keras.models.load_model(spec)
    try:
        return kgan.zoo.load(spec)
    except (ValueError, FileNotFoundError, OSError) as error:
        raise SystemExit(f"kgan: {error}")


def _generate(args):
    import kgan

    model = _load(args.model)
    options = {}
    if args.tags is not None:
        if not hasattr(model, "tag_names"):
            raise SystemExit(f"kgan: --tags needs a tag-conditioned model; {args.model} has none")
        options["tags"] = _tag_list(args.tags)
    try:
        images = model.generate(args.n, seed=args.seed, batch_size=args.batch_size, **options)
    except (ValueError, TypeError) as error:  # unknown tags, missing tags, no generator
        raise SystemExit(f"kgan: {error}")
    kgan.images.save_grid(args.output, images, columns=args.columns)
    print(f"Wrote {args.n} images to {args.output}")
    return 0


def _tag_list(text):
    """`"blonde, glasses"` -> `["blonde", "glasses"]`."""
    return [tag.strip() for tag in text.split(",") if tag.strip()]


def _conditional(spec):
    model = _load(spec)
    if not hasattr(model, "tag_names"):
        raise SystemExit(f"kgan: {spec} is not a tag-conditioned model")
    return model


def _tagged(args, make_images):
    """Runs a task method of a tag-conditioned model and writes its grid."""
    import kgan

    model = _conditional(args.model)
    try:
        images = make_images(model)
    except ValueError as error:  # unknown tags, bad weights
        raise SystemExit(f"kgan: {error}")
    kgan.images.save_grid(args.output, images, columns=len(images))
    print(f"Wrote {len(images)} images to {args.output}")
    return 0


def _vary(args):
    tag_sets = [_tag_list(part) for part in args.tags.split(";")]
    return _tagged(args, lambda model: model.vary_tags(args.seed, tag_sets))


def _morph(args):
    return _tagged(
        args,
        lambda model: model.morph(args.seed, _tag_list(args.start), _tag_list(args.end), args.steps),
    )


def _blend(args):
    import numpy as np

    seeds = [int(seed) for seed in args.seeds.split(",")]
    weights = [float(w) for w in args.weights.split(",")] if args.weights else [1.0] * len(seeds)
    return _tagged(
        args,
        lambda model: np.concatenate(
            [model.generate(1, seed=seed, tags=_tag_list(args.tags)) for seed in seeds]
            + [model.blend(seeds, weights, _tag_list(args.tags))]
        ),
    )


def _serve(args):
    from kgan import serve

    model = _conditional(args.model)
    try:
        serve.serve(model, args.host, args.port, name=args.model)
    except ValueError as error:  # tags without groups
        raise SystemExit(f"kgan serve: {error}")
    except OSError as error:  # the port is taken, the host is not ours
        raise SystemExit(f"kgan serve: cannot listen on {args.host}:{args.port}: {error}")
    return 0


def _colorize(args):
    import kgan

    if args.output and len(args.inputs) > 1:
        raise SystemExit("kgan colorize: -o names one output; with several inputs use --output-dir")
    model = _load(args.model)
    if not hasattr(model, "colorize"):
        raise SystemExit(f"kgan: {args.model} is not a colorization model (pix2pix)")
    for path in args.inputs:
        try:
            image = kgan.images.load_image(path)
        except OSError as error:
            raise SystemExit(f"kgan colorize: cannot read {path!r}: {error}")
        stem = os.path.splitext(os.path.basename(path))[0]
        output = args.output or os.path.join(args.output_dir, f"{stem}_colour.png")
        kgan.images.save_image(output, model.colorize(image))
        print(f"Wrote {output}")
    return 0


def _age(args):
    import numpy as np

    import kgan

    model = _load(args.model)
    if not hasattr(model, "age"):
        raise SystemExit(f"kgan: {args.model} is not a face-aging model (CAAE)")
    try:
        face = kgan.images.load_image(args.input)
    except OSError as error:
        raise SystemExit(f"kgan age: cannot read {args.input!r}: {error}")
    groups = None
    if args.groups:
        try:
            groups = [int(group) for group in args.groups.split(",")]
        except ValueError:
            raise SystemExit(f"kgan age: --groups takes comma-separated ints 0-9; got {args.groups!r}")
    strip = model.age(face, groups=groups, gender=args.gender)
    colour, _ = kgan.images.split_alpha(face)
    first = np.repeat(colour, 3, axis=-1) if colour.shape[-1] == 1 else colour
    kgan.images.save_grid(args.output, np.concatenate([first[None], strip]), columns=len(strip) + 1)
    print(f"Wrote {args.output}: the face, then ages " + ", ".join(
        kgan.data.AGE_GROUPS[g] for g in (groups or range(len(strip)))
    ))
    return 0


def _list(args):
    import kgan

    for line in kgan.zoo.list():
        print(line)
    return 0


def _evaluate(args):
    import json

    import kgan

    model = _load(args.model)
    dataset = args.dataset or getattr(model, "preset_metadata", {}).get("dataset")
    if dataset is None:
        raise SystemExit("kgan evaluate: the model names no dataset; pass --dataset")
    result = kgan.metrics.evaluate_on(model, dataset, samples=args.samples, seed=args.seed)
    print(json.dumps(result, indent=2))
    return 0


def _convert(args):
    import kgan

    kgan.zoo.converters.convert(args.kind, args.checkpoint, args.out)
    print(f"Wrote preset {args.out}")
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
        "--steps-per-epoch", type=int, default=None, help="steps per epoch (the data then repeats); default: one pass"
    )
    train.add_argument("--width", type=int, default=64, help="network width")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--augment",
        default=None,
        help="dcgan, cgan: differentiable augmentation of D's inputs, e.g. color,translation,cutout",
    )
    train.add_argument(
        "--mode-seeking",
        type=float,
        default=None,
        help="cgan: weight of MSGAN's mode-seeking term, which keeps G from ignoring z "
        "(default 1; 0 turns it off)",
    )
    train.add_argument(
        "--auxiliary-weight",
        type=float,
        default=None,
        help="cgan: weight of an auxiliary tag classifier on D (AC-GAN), which makes G draw "
        "the requested tags more faithfully (default 0: off)",
    )
    train.add_argument(
        "--devices",
        type=int,
        default=None,
        help="train data-parallel on N devices (GPUs, else CPUs), splitting each batch "
        "of --batch-size over them; jax and tensorflow backends",
    )
    train.add_argument(
        "--virtual-cpu",
        action="store_true",
        help="with --devices N on a CPU-only machine: split the CPU into N virtual "
        "devices (for testing: they share the cores, so no speed-up)",
    )
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
        help="generate a grid of images from a preset or a saved model",
        description="Generate images from a preset (a name from `kgan list`, a preset "
        "directory or URL) or a saved model (.keras) into one grid PNG.",
    )
    generate.add_argument("model", help="preset name, directory, URL, or a .keras file")
    generate.add_argument("-n", type=int, default=64, help="number of images")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument(
        "--tags",
        default=None,
        help="tag-conditioned models: comma-separated tags, e.g. blonde,sunglasses; with "
        "group:value tags, groups left out are drawn from the seed",
    )
    generate.add_argument("--batch-size", type=int, default=64)
    generate.add_argument("--columns", type=int, default=None)
    generate.add_argument("-o", "--output", default="grid.png")
    generate.set_defaults(run=_generate)

    model_help = "a tag-conditioned preset name, directory, URL, or a .keras file"
    vary = commands.add_parser(
        "vary",
        help="one face (seed) with other tag sets, side by side",
        description="The same latent (seed) rendered with each tag set: the face stays, "
        "the attributes change.",
    )
    vary.add_argument("model", help=model_help)
    vary.add_argument("--seed", type=int, default=0)
    vary.add_argument("--tags", required=True, help="tag sets separated by ';', e.g. 'blonde;black,sunglasses'")
    vary.add_argument("-o", "--output", default="vary.png")
    vary.set_defaults(run=_vary)

    morph = commands.add_parser(
        "morph",
        help="a strip from one tag set to another, same face",
        description="One latent (seed); the tag vector moves linearly from --from to --to.",
    )
    morph.add_argument("model", help=model_help)
    morph.add_argument("--seed", type=int, default=0)
    morph.add_argument("--from", dest="start", required=True, help="comma-separated tags")
    morph.add_argument("--to", dest="end", required=True, help="comma-separated tags")
    morph.add_argument("--steps", type=int, default=8, help="images in the strip (>= 2)")
    morph.add_argument("-o", "--output", default="morph.png")
    morph.set_defaults(run=_morph)

    blend = commands.add_parser(
        "blend",
        help="mix faces: the seeds' images, then their weighted blend",
        description="The weighted mean of the seeds' latents, with one tag set; the strip "
        "shows each seed's face and then the blend.",
    )
    blend.add_argument("model", help=model_help)
    blend.add_argument("--seeds", required=True, help="comma-separated seeds, e.g. 1,2")
    blend.add_argument("--weights", default=None, help="comma-separated weights (default: equal)")
    blend.add_argument("--tags", default="", help="comma-separated tags")
    blend.add_argument("-o", "--output", default="blend.png")
    blend.set_defaults(run=_blend)

    serve = commands.add_parser(
        "serve",
        help="the Girl Friend Factory page: a local web demo of a tag-conditioned preset",
        description="Serves one page and its JSON API: pick tags and generate faces, keep "
        "favourites (in the browser) with shareable links and PNGs, vary, morph and blend "
        "them. Open the printed URL in a browser.",
    )
    serve.add_argument("model", help="a preset with grouped tags (e.g. cgan_avatars_64), or a .keras file")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: this machine only)")
    serve.set_defaults(run=_serve)

    colorize = commands.add_parser(
        "colorize",
        help="colour line art with a pix2pix preset",
        description="Colours line-art images of any size (grey, RGB or with alpha) "
        "with a pix2pix model and writes PNGs.",
    )
    colorize.add_argument("model", help="preset name, directory, URL, or a .keras file")
    colorize.add_argument("inputs", nargs="+", help="line-art image files")
    colorize.add_argument("-o", "--output", default=None, help="the output file (one input)")
    colorize.add_argument(
        "--output-dir", default=".", help="where INPUT_colour.png files go (default: here)"
    )
    colorize.set_defaults(run=_colorize)

    age = commands.add_parser(
        "age",
        help="render a face at every age group with a CAAE preset",
        description="Encodes the face once and renders it at each age group (0-5 ... "
        "71+); writes a strip: the input face, then one rendering per group.",
    )
    age.add_argument("model", help="preset name, directory, URL, or a .keras file")
    age.add_argument("input", help="a face image (any size; cropped like the training faces)")
    age.add_argument("-o", "--output", default="strip.png")
    age.add_argument("--groups", default=None, help="comma-separated age groups 0-9 (default: all)")
    age.add_argument(
        "--gender", choices=["male", "female"], default=None,
        help="default: the gender under which the face reconstructs best",
    )
    age.set_defaults(run=_age)

    listing = commands.add_parser(
        "list", help="list the presets", description="One line per preset: name, "
        "family, resolution, training data, licence, FID with its floor."
    )
    listing.set_defaults(run=_list)

    evaluate = commands.add_parser(
        "evaluate",
        help="measure FID and KID of a preset against its data",
        description="FID and KID of generated images against the test split of the "
        "preset's dataset, with the real-data floor (train split vs test split), "
        "using the dataset's shipped feature network. Shows progress bars.",
    )
    evaluate.add_argument("model", help="preset name, directory, URL, or a .keras file")
    evaluate.add_argument("--samples", type=int, default=10000)
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--dataset", default=None, help="default: the preset's dataset")
    evaluate.set_defaults(run=_evaluate)

    convert = commands.add_parser(
        "convert",
        help="convert a third-party checkpoint to a kgan preset",
        description="Convert a third-party checkpoint into a kgan preset directory "
        "(no code from the checkpoint is run).",
    )
    convert.add_argument(
        "kind",
        choices=CONVERTERS,
        help="the checkpoint's format: PyPI gan-face-generate's weights.tar, the authors' "
        "ProGAN pickle (karras2018iclr-*.pkl), or a pytorch_GAN_zoo PGAN .pth",
    )
    convert.add_argument("checkpoint", help="the checkpoint file (e.g. weights.tar)")
    convert.add_argument("out", help="the preset directory to write")
    convert.set_defaults(run=_convert)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
