"""Trains the classifiers whose features kgan's FID uses.

    KERAS_BACKEND=torch python scripts/train_fid_classifier.py fashion_mnist
    KERAS_BACKEND=torch python scripts/train_fid_classifier.py emoji

Writes kgan/metrics/weights/<dataset>_classifier.keras and a JSON beside it
with the held-out accuracy. Fashion-MNIST: trained on the train split, tested
on the test split (the FID reference). Emoji: 10 categories, trained on half A
(the floor half), tested on half B (the reference half).
"""

import argparse
import json
import os

import keras

import kgan
from kgan.metrics.fid import emoji_halves

OUT = os.path.join(os.path.dirname(kgan.__file__), "metrics", "weights")


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
    raise ValueError(f"Unknown dataset {dataset!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", choices=["fashion_mnist", "emoji"])
    parser.add_argument("--epochs", type=int, default=None, help="default: 3 (Fashion-MNIST), 30 (emoji)")
    args = parser.parse_args()
    epochs = args.epochs or (3 if args.dataset == "fashion_mnist" else 30)
    keras.utils.set_random_seed(0)
    (train_x, train_y), (test_x, test_y), classes = splits(args.dataset)
    filters = (16, 32) if args.dataset == "fashion_mnist" else (16, 32, 64)
    model = classifier(train_x.shape[1:], classes, filters, name=f"{args.dataset}_classifier")
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(train_x, train_y, batch_size=128, epochs=epochs, verbose=2)
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
    with open(os.path.join(OUT, f"{args.dataset}_classifier.json"), "w") as file:
        json.dump(info, file, indent=2)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
