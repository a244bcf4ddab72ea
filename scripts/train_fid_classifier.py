"""Trains the classifiers whose features kgan's FID uses.

    KERAS_BACKEND=torch python scripts/train_fid_classifier.py fashion_mnist
    KERAS_BACKEND=torch python scripts/train_fid_classifier.py emoji
    KERAS_BACKEND=torch python scripts/train_fid_classifier.py avatars

Writes kgan/metrics/weights/<dataset>_classifier.keras and a JSON beside it
with the held-out accuracy. Fashion-MNIST: trained on the train split, tested
on the test split (the FID reference). Emoji: 10 categories, trained on half A
(the floor half), tested on half B (the reference half). Avatars: the 40
DiceBear tags, one softmax per tag group, trained on the 20,000 training
avatars and tested per group on the 5,000 held-out ones; it measures tag
fidelity (`kgan.metrics.avatar_tag_classifier`) as well as FID.
"""

import argparse
import json
import os

import keras

import kgan
from kgan.metrics.fid import avatar_splits
from kgan.metrics.fid import emoji_halves
from kgan.metrics.tags import grouped_tag_loss
from kgan.metrics.tags import tag_accuracy

OUT = os.path.join(os.path.dirname(kgan.__file__), "metrics", "weights")


EPOCHS = {"fashion_mnist": 3, "emoji": 30, "avatars": 8}


def classifier(input_shape, classes, filters=(16, 32), name="classifier"):
    inputs = keras.Input(input_shape, name="images")
    x = inputs
    for width in filters:
        x = keras.layers.Conv2D(width, 3, padding="same", activation="relu")(x)
        x = keras.layers.Conv2D(width, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.3)(x)
    features = keras.layers.Dense(128, activation="relu", name="features")(x)
    logits = keras.layers.Dense(classes, name="logits")(keras.layers.Dropout(0.3)(features))
    return keras.Model(inputs, logits, name=name)


def splits(dataset):
    if dataset == "fashion_mnist":
        return kgan.data.load_fashion_mnist("train"), kgan.data.load_fashion_mnist("test"), 10
    if dataset == "emoji":
        half_a, half_b = emoji_halves()
        return half_a, half_b, len(kgan.data.EMOJI_CATEGORIES)
    if dataset == "avatars":
        train, held_out = avatar_splits()
        return train[:2], held_out[:2], len(kgan.data.AVATAR_TAGS)
    raise ValueError(f"Unknown dataset {dataset!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", choices=sorted(EPOCHS))
    parser.add_argument(
        "--epochs", type=int, default=None, help="default: 3 (Fashion-MNIST), 30 (emoji), 8 (avatars)"
    )
    args = parser.parse_args()
    epochs = args.epochs or EPOCHS[args.dataset]
    keras.utils.set_random_seed(0)
    (train_x, train_y), (test_x, test_y), classes = splits(args.dataset)
    filters = (16, 32) if args.dataset == "fashion_mnist" else (16, 32, 64)
    model = classifier(train_x.shape[1:], classes, filters, name=f"{args.dataset}_classifier")
    tagged = args.dataset == "avatars"
    groups = kgan.data.avatar_tag_groups() if tagged else None
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=grouped_tag_loss(groups) if tagged else keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=None if tagged else ["accuracy"],
    )
    model.fit(train_x, train_y, batch_size=128, epochs=epochs, verbose=2)
    if tagged:  # accuracy per tag group; the mean over groups is the headline
        per_group = tag_accuracy(model.predict(test_x, batch_size=512, verbose=0), test_y, groups)
        accuracy = sum(per_group.values()) / len(per_group)
    else:
        _, accuracy = model.evaluate(test_x, test_y, batch_size=512, verbose=0)
    os.makedirs(OUT, exist_ok=True)
    model.save(os.path.join(OUT, f"{args.dataset}_classifier.keras"))
    info = {
        "dataset": args.dataset,
        "held_out_accuracy": round(float(accuracy), 4),
        "train_images": int(len(train_x)),
        "held_out_images": int(len(test_x)),
        "epochs": epochs,
        "backend": keras.backend.backend(),
        "features": "layer 'features' (128-d, ReLU)",
        "command": f"python scripts/train_fid_classifier.py {args.dataset}",
    }
    if tagged:
        info["held_out_accuracy_by_group"] = {k: round(v, 4) for k, v in per_group.items()}
    with open(os.path.join(OUT, f"{args.dataset}_classifier.json"), "w") as file:
        json.dump(info, file, indent=2)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
