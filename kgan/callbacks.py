"""Callbacks for GAN training: sample grids and a stop on divergence."""

import math
import os

import keras

from kgan import images as image_utils


class TrainingDiverged(RuntimeError):
    """Raised when a training loss becomes NaN or infinite."""


class StopOnNaN(keras.callbacks.Callback):
    """Stops training with `TrainingDiverged` when a logged loss is not finite.

    It raises at the end of the batch that diverged, before any epoch-end
    callback (`ModelCheckpoint`, `BackupAndRestore`) can save the broken
    weights, so the last checkpoint on disk is the last good one. `GAN.fit`
    adds it first in the callback list.
    """

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            value = float(value)
            if not math.isfinite(value):
                self.model.stop_training = True
                raise TrainingDiverged(
                    f"Training diverged: {name} = {value} at batch {batch}. "
                    "Stopped before saving anything; the last checkpoint "
                    "written is the last good one. Lower the learning rate, "
                    "check the data range ([-1, 1]), or use mixed precision "
                    "with care."
                )


class DataPosition(keras.callbacks.Callback):
    """Starts an endless `ArrayDataset` at the model's step count.

    `GAN.fit` adds it last, after any `BackupAndRestore` has restored the
    step counter, so a resumed run reads the batches an uninterrupted run
    would have read, and a second `fit` goes on through the data.
    """

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset

    def on_train_begin(self, logs=None):
        steps = self.model.optimizer.iterations
        self.dataset.first_batch = int(keras.ops.convert_to_numpy(steps))


class SampleGrid(keras.callbacks.Callback):
    """Saves a grid of generated images at the end of every few epochs.

    The latents are fixed (`seed`), so successive grids show the same
    samples as training progresses.

    Args:
        directory: where to write `epoch_{epoch:04d}.png`.
        n: number of images in the grid.
        seed: seed of the latents.
        every: write every `every` epochs (the last epoch is always written).
        conditions: for conditional models, `[n, condition_dim]` conditions
            (or `n` class labels) of the grid's images.
        sources: for image-to-image models (pix2pix, CAAE), float source
            images in [-1, 1]: the grid shows `model.translate(sources)`,
            one row per source where it gives several images per source
            (CAAE: one per age group).

    Example:
    >>> gan.fit(data, epochs=5, callbacks=[kgan.callbacks.SampleGrid("samples/")])
    """

    def __init__(self, directory, n=64, seed=0, every=1, conditions=None, sources=None):
        super().__init__()
        self.directory = os.fspath(directory)
        self.n = n
        self.seed = seed
        self.every = every
        self.conditions = conditions
        self.sources = sources
        self.last_path = None

    def on_train_begin(self, logs=None):
        self._epochs = self.params.get("epochs") if self.params else None

    def on_epoch_end(self, epoch, logs=None):
        last = self._epochs is not None and epoch + 1 == self._epochs
        if (epoch + 1) % self.every and not last:
            return
        columns = None
        if self.sources is not None:
            images = self.model.translate(self.sources)
            if images.ndim == 5:  # [sources, images per source, H, W, C]
                columns = images.shape[1]
                images = images.reshape((-1,) + images.shape[2:])
        else:
            options = {} if self.conditions is None else {"conditions": self.conditions}
            images = self.model.generate(self.n, seed=self.seed, **options)
        path = os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png")
        self.last_path = image_utils.save_grid(path, images, columns=columns)
