"""Feature networks for FID and KID: a shipped Fashion-MNIST classifier, or InceptionV3."""

import importlib.resources

import keras
import numpy as np
from keras import ops

from kgan import backend

class FeatureNetwork:
    """Maps images to feature vectors with a Keras model.

    Images may be uint8 or float in [-1, 1], of any size and 1 or 3
    channels: they are scaled to [-1, 1], resized (bilinear) to the
    network's input size and converted to its channel count.

    Args:
        model: a Keras model from `[N, H, W, C]` in [-1, 1] to `[N, D]`.
        name: how reports name these features (e.g. "fashion_mnist_classifier/128").

    Example:
    >>> features = kgan.metrics.fashion_mnist_features()
    >>> features(images).shape
    (n, 128)
    """

    def __init__(self, model, name):
        self.model = model
        self.name = name
        self.input_shape = tuple(int(d) for d in model.inputs[0].shape[1:])

    def preprocess(self, images):
        images = np.asarray(images)
        if images.ndim == 3:
            images = images[..., None]
        if images.ndim != 4 or images.shape[-1] not in (1, 3):
            raise ValueError(
                "Expected images of shape (N, H, W, 1 or 3). "
                f"Received: images.shape={images.shape}"
            )
        if images.dtype == np.uint8:
            images = images.astype("float32") / 127.5 - 1.0
        images = images.astype("float32")
        height, width, channels = self.input_shape
        if images.shape[-1] != channels:
            images = (
                images.mean(axis=-1, keepdims=True)
                if channels == 1
                else np.repeat(images, channels, axis=-1)
            )
        if images.shape[1:3] != (height, width):
            images = ops.convert_to_numpy(
                ops.image.resize(images, (height, width), interpolation="bilinear", antialias=True)
            )
        return images

    def __call__(self, images, batch_size=256):
        """Features `[N, D]` (float64 NumPy) of a batch of images."""
        outputs = []
        with backend.no_grad():
            for start in range(0, len(images), batch_size):
                batch = self.preprocess(images[start : start + batch_size])
                outputs.append(ops.convert_to_numpy(self.model(batch, training=False)))
        return np.concatenate(outputs).astype(np.float64)


def _shipped(filename):
    return importlib.resources.files("kgan.metrics") / "weights" / filename


def classifier_features(classifier, layer="features"):
    """The model from a classifier's input to its layer named `layer`."""
    return keras.Model(classifier.inputs[0], classifier.get_layer(layer).output)


def shipped_classifier_features(dataset):
    """Features (penultimate layer, 128-d) of kgan's classifier for a dataset.

    The classifiers are trained by `scripts/train_fid_classifier.py` (Fashion-MNIST:
    on the train split; emoji: categories, on half A), in the spirit of
    TF-GAN's MNIST Frechet distance; their accuracy is in the JSON beside them.
    """
    path = _shipped(f"{dataset}_classifier.keras")
    if not path.is_file():
        raise FileNotFoundError(
            f"The shipped classifier {path} is missing; train it with "
            f"`python scripts/train_fid_classifier.py {dataset}`."
        )
    classifier = keras.models.load_model(str(path), compile=False)
    return FeatureNetwork(classifier_features(classifier), f"{dataset}_classifier/128")


def fashion_mnist_features():
    """Features of kgan's Fashion-MNIST classifier (see `shipped_classifier_features`)."""
    return shipped_classifier_features("fashion_mnist")


def inception_v3_features(weights):
    """InceptionV3 pool features (2048-d) at 299x299 from a local weights file.

    Args:
        weights: path of `inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`
            (Keras's no-top ImageNet weights; not downloadable here).
    """
    model = keras.applications.InceptionV3(
        include_top=False, pooling="avg", weights=weights, input_shape=(299, 299, 3)
    )
    return FeatureNetwork(model, "inception_v3/pool3")
