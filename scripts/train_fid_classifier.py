"""Trains the Fashion-MNIST classifier whose features kgan's FID uses.

    python scripts/train_fid_classifier.py [--epochs 3]

Writes kgan/metrics/weights/fashion_mnist_classifier.keras and a JSON beside
it with the test accuracy. Trained on the train split only: the test split is
the FID reference set.
"""

import argparse
import json
import os

import keras

import kgan

OUT = os.path.join(os.path.dirname(kgan.__file__), "metrics", "weights")


def classifier():
    inputs = keras.Input((28, 28, 1), name="images")
    x = inputs
    for filters in (16, 32):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.3)(x)
    features = keras.layers.Dense(128, activation="relu", name="features")(x)
    logits = keras.layers.Dense(10, name="logits")(keras.layers.Dropout(0.3)(features))
    return keras.Model(inputs, logits, name="fashion_mnist_classifier")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    train_x, train_y = kgan.data.load_fashion_mnist("train")
    test_x, test_y = kgan.data.load_fashion_mnist("test")
    model = classifier()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(train_x, train_y, batch_size=128, epochs=args.epochs, verbose=2)
    _, accuracy = model.evaluate(test_x, test_y, batch_size=512, verbose=0)
    os.makedirs(OUT, exist_ok=True)
    model.save(os.path.join(OUT, "fashion_mnist_classifier.keras"))
    info = {
        "test_accuracy": round(float(accuracy), 4),
        "epochs": args.epochs,
        "train_split": "Fashion-MNIST train (60000)",
        "backend": keras.backend.backend(),
        "features": "layer 'features' (128-d, ReLU)",
    }
    with open(os.path.join(OUT, "fashion_mnist_classifier.json"), "w") as file:
        json.dump(info, file, indent=2)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
