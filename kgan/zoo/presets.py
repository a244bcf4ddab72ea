"""Preset directories in keras-hub's layout: config.json, metadata.json, model.weights.h5."""

import datetime
import json
import os

import keras

import kgan
from kgan.zoo.download import sha256_of

CONFIG_FILE = "config.json"
METADATA_FILE = "metadata.json"
WEIGHTS_FILE = "model.weights.h5"
PRESET_FILES = (CONFIG_FILE, METADATA_FILE, WEIGHTS_FILE)


def save_preset(model, directory, **metadata):
    """Writes a model as a preset directory.

    A compiled model keeps its optimizers and their state, so a loaded
    preset continues training with `fit`.

    Args:
        model: a kgan model (e.g. a trained `DCGAN`).
        directory: the folder to write (created; existing preset files are
            replaced).
        **metadata: what the preset says about itself: `data`, `license`,
            `fid` (a dict with `value`, `features`, `samples`, `floor`),
            `training` (steps, batch size, script), `description`, ...

    Returns:
        The metadata written, with kgan's and Keras's versions, the
        backend, the parameter count and the sha256 of each file.

    Example:
    >>> kgan.zoo.save_preset(gan, "my_preset", data="Fashion-MNIST", license="MIT")
    >>> kgan.zoo.load("my_preset").generate(4)
    """
    os.makedirs(directory, exist_ok=True)
    config = keras.saving.serialize_keras_object(model)
    with open(os.path.join(directory, CONFIG_FILE), "w") as file:
        json.dump(config, file, indent=2, sort_keys=True)
    model.save_weights(os.path.join(directory, WEIGHTS_FILE))
    generator = getattr(model, "generator", model)
    info = {
        "family": type(model).__name__,
        "resolution": list(getattr(model, "image_shape", ())),
        "parameters": int(model.count_params()),
        "generator_parameters": int(generator.count_params()),
        "kgan_version": kgan.__version__,
        "keras_version": keras.__version__,
        "backend": kgan.backend.BACKEND,
        "date": datetime.date.today().isoformat(),
    }
    info.update(metadata)
    info["files"] = {
        name: sha256_of(os.path.join(directory, name)) for name in (CONFIG_FILE, WEIGHTS_FILE)
    }
    with open(os.path.join(directory, METADATA_FILE), "w") as file:
        json.dump(info, file, indent=2, sort_keys=True)
    return info


def read_metadata(directory):
    """The metadata.json of a preset directory, as a dict."""
    with open(os.path.join(directory, METADATA_FILE)) as file:
        return json.load(file)


def load_preset_directory(directory, verify=True):
    """Builds the model of a preset directory and loads its weights.

    Args:
        directory: a folder with the three preset files.
        verify: check each file's sha256 against metadata.json.

    Returns:
        The model, with `model.preset_metadata` set.
    """
    missing = [n for n in PRESET_FILES if not os.path.isfile(os.path.join(directory, n))]
    if missing:
        raise FileNotFoundError(
            f"{directory} is not a kgan preset: missing {', '.join(missing)} "
            f"(a preset holds {', '.join(PRESET_FILES)})."
        )
    metadata = read_metadata(directory)
    if verify:
        for name, expected in metadata.get("files", {}).items():
            actual = sha256_of(os.path.join(directory, name))
            if actual != expected:
                raise ValueError(
                    f"Preset file {os.path.join(directory, name)} does not match its "
                    f"metadata: expected sha256 {expected}, received {actual}."
                )
    with open(os.path.join(directory, CONFIG_FILE)) as file:
        model = keras.saving.deserialize_keras_object(json.load(file))
    model.load_weights(os.path.join(directory, WEIGHTS_FILE))
    model.preset_metadata = metadata
    return model
