"""Trains the classifiers whose features kgan's FID uses.

    KERAS_BACKEND=torch python scripts/train_fid_classifier.py fashion_mnist
    KERAS_BACKEND=torch python scripts/train_fid_classifier.py emoji
    KERAS_BACKEND=torch python scripts/train_fid_classifier.py avatars
    KERAS_BACKEND=torch python scripts/train_fid_classifier.py aging_faces

Writes kgan/metrics/weights/<dataset>_classifier.keras and a JSON beside it
with the held-out accuracy. Fashion-MNIST: trained on the train split, tested
on the test split (the FID reference). Emoji: 10 categories, trained on half A
(the floor half), tested on half B (the reference half). Avatars: the 40
DiceBear tags, one softmax per tag group, trained on the 20,000 training
avatars and tested per group on the 5,000 held-out ones; it measures tag
fidelity (`kgan.metrics.avatar_tag_classifier`) as well as FID. Aging faces:
the 10 age groups and the 2 genders (one softmax each over 12 logits), trained
on the 12,000 training faces (1,200 people) and tested on the 2,000 test faces
(200 other people), at 64x64 with a stride-2 stem; it measures CAAE's aging
(`kgan.metrics.age_classifier`, `kgan.metrics.evaluate_aging`) as well as FID.
The classifiers are saved without optimizer state.
"""

import argparse
import json
import os

import keras
import numpy as np

import kgan
from kgan.metrics.aging import AGING_CLASSIFIER_GROUPS
from kgan.metrics.fid import avatar_splits
from kgan.metrics.fid import emoji_halves
from kgan.metrics.tags import grouped_tag_loss
from kgan.metrics.tags import tag_accuracy

OUT = os.path.join(os.path.dirname(kgan.__file__), "metrics", "weights")


EPOCHS = {"fashion_mnist": 3, "emoji": 30, "avatars": 8, "aging_faces": 12}
FILTERS = {"fashion_mnist": (16, 32), "aging_faces": (32, 64, 128)}


def classifier(input_shape, classes, filters=(16, 32), name="classifier", stem=None, flip=False):
    """Conv blocks (two 3x3 convolutions and a max-pool each), dense 128 `features`, logits.

    `stem`: filters of a 5x5 stride-2 convolution first (halves large inputs
    early); `flip`: random horizontal flips while training.
    """
    inputs = keras.Input(input_shape, name="images")
    x = inputs
    if flip:
        x = keras.layers.RandomFlip("horizontal", seed=0, name="flip")(x)
    if stem:
        x = keras.layers.Conv2D(stem, 5, strides=2, padding="same", activation="relu", name="stem")(x)
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
    if dataset == "aging_faces":
        def labelled(split):
            faces = kgan.data.load_aging_faces(split, image_size=64)
            ages, genders = len(kgan.data.AGE_GROUPS), len(kgan.data.GENDERS)
            one_hot = [np.eye(ages, dtype="float32")[faces.age_groups]]
            one_hot.append(np.eye(genders, dtype="float32")[faces.genders])
            return faces.images, np.concatenate(one_hot, axis=1)

        return labelled("train"), labelled("test"), len(kgan.data.AGE_GROUPS) + len(kgan.data.GENDERS)
    raise ValueError(f"Unknown dataset {dataset!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", choices=sorted(EPOCHS))
    parser.add_argument(
        "--epochs", type=int, default=None,
        help="default: 3 (Fashion-MNIST), 30 (emoji), 8 (avatars), 12 (aging faces)",
    )
    args = parser.parse_args()
    epochs = args.epochs or EPOCHS[args.dataset]
    keras.utils.set_random_seed(0)
    (train_x, train_y), (test_x, test_y), classes = splits(args.dataset)
    filters = FILTERS.get(args.dataset, (16, 32, 64))
    aging = args.dataset == "aging_faces"
    model = classifier(
        train_x.shape[1:], classes, filters, name=f"{args.dataset}_classifier",
        stem=32 if aging else None, flip=aging,
    )
    tagged = args.dataset in ("avatars", "aging_faces")
    if tagged:
        groups = AGING_CLASSIFIER_GROUPS if aging else kgan.data.avatar_tag_groups()
    else:
        groups = None
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=grouped_tag_loss(groups) if tagged else keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=None if tagged else ["accuracy"],
    )
    model.fit(train_x, train_y, batch_size=128, epochs=epochs, verbose=2)
    if aging:  # the age group is the headline; accuracy per age group and of the gender
        logits = model.predict(test_x, batch_size=512, verbose=0)
        per_group = tag_accuracy(logits, test_y, groups)
        accuracy = per_group["age_group"]
        ages, predicted = test_y[:, :10].argmax(1), logits[:, :10].argmax(1)
        by_age = {
            name: round(float(np.mean(predicted[ages == k] == k)), 4)
            for k, name in enumerate(kgan.data.AGE_GROUPS)
        }
        confusion = np.zeros((10, 10), "int64")
        np.add.at(confusion, (ages, predicted), 1)
    elif tagged:  # accuracy per tag group; the mean over groups is the headline
        per_group = tag_accuracy(model.predict(test_x, batch_size=512, verbose=0), test_y, groups)
        accuracy = sum(per_group.values()) / len(per_group)
    else:
        _, accuracy = model.evaluate(test_x, test_y, batch_size=512, verbose=0)
    os.makedirs(OUT, exist_ok=True)
    # An uncompiled copy of the trained layers: the file holds no optimizer state.
    keras.Model(model.inputs[0], model.outputs[0], name=model.name).save(
        os.path.join(OUT, f"{args.dataset}_classifier.keras")
    )
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
    if aging:
        info.update(
            held_out="the test split: 200 people not in the training split, each at all 10 age groups",
            held_out_accuracy_by_age_group=by_age,
            held_out_gender_accuracy=round(per_group["gender"], 4),
            held_out_confusion="rows: true age group, columns: predicted",
            held_out_age_confusion=confusion.tolist(),
            logits="12: columns 0-9 the age groups (kgan.data.AGE_GROUPS), 10-11 the genders",
        )
    elif tagged:
        info["held_out_accuracy_by_group"] = {k: round(v, 4) for k, v in per_group.items()}
    with open(os.path.join(OUT, f"{args.dataset}_classifier.json"), "w") as file:
        json.dump(info, file, indent=2)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
