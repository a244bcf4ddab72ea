"""The GAN base class: networks by name, one optimizer each, a step written once."""

import numpy as np
import keras
from keras import ops

from kgan import augment as augmentation
from kgan import backend
from kgan import images as image_utils
from kgan.callbacks import DataPosition
from kgan.callbacks import StopOnNaN
from kgan.data.arrays import ArrayDataset
from kgan.validation import check_images
from kgan.validation import peek_batch

LATENT_DISTRIBUTIONS = ("normal", "uniform")


class NetworkOptimizers:
    """Maps a variable to the optimizer of the network that owns it.

    The `optimizer_map` of the `keras.optimizers.MultiOptimizer` that a `GAN`
    compiles: it keeps every network's optimizer in one object that all
    trainers carry, save and restore.

    Args:
        optimizers: dict from network name to `keras.optimizers.Optimizer`.
        networks: dict from network name to the network (a Keras layer).
    """

    def __init__(self, optimizers, networks):
        self.optimizers = dict(optimizers)
        self.owner = {
            id(v): name
            for name, network in networks.items()
            for v in network.trainable_variables
        }

    def values(self):
        unique = []
        for optimizer in self.optimizers.values():
            if all(optimizer is not u for u in unique):
                unique.append(optimizer)
        return unique

    def __call__(self, variable):
        if id(variable) not in self.owner:
            raise ValueError(
                f"Variable {variable.path} belongs to none of the networks "
                f"{sorted(self.optimizers)}."
            )
        return self.optimizers[self.owner[id(variable)]]


@keras.saving.register_keras_serializable(package="kgan")
class GAN(keras.Model):
    """Base class of kgan's GANs: a generator and the networks that train it.

    A subclass names its networks in `network_names`, its logged losses in
    `loss_names`, and writes one training step, `gan_step(images, conditions)`,
    as a sequence of `self.update(network_names, loss_fn)` calls. The same
    step runs on TensorFlow, JAX and PyTorch.

    Args:
        generator: a Keras model from latents `[N, latent_dim]` to images
            `[N, H, W, C]` in [-1, 1].
        discriminator: a Keras model from images to scores `[N, 1]`.
        latent_distribution: `"normal"` (N(0, 1)) or `"uniform"` (U(-1, 1)).
        seed: seed of the training noise (`keras.random.SeedGenerator`).
        **kwargs: passed to `keras.Model` (`name`, `dtype`, ...).
    """

    network_names = ("generator", "discriminator")
    loss_names = ("d_loss", "g_loss")

    def __init__(
        self,
        generator,
        discriminator,
        latent_distribution="normal",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if latent_distribution not in LATENT_DISTRIBUTIONS:
            raise ValueError(
                f"Expected latent_distribution in {LATENT_DISTRIBUTIONS}. "
                f"Received: latent_distribution={latent_distribution!r}"
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_distribution = latent_distribution
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_trackers = [
            keras.metrics.Mean(name=name) for name in self.loss_names
        ]
        self.built = True

    # ----------------------------------------------------------------- shapes
    @property
    def networks(self):
        """The networks this GAN trains, by name."""
        return {name: getattr(self, name) for name in self.network_names}

    @property
    def latent_dim(self):
        return int(self.generator.inputs[0].shape[-1])

    @property
    def image_shape(self):
        """`(height, width, channels)` of the images the generator makes."""
        return tuple(int(d) for d in self.generator.outputs[0].shape[1:])

    @property
    def input_image_shape(self):
        """`(height, width, channels)` of the images `fit` takes as `x`.

        The generated images' shape; image-to-image models (pix2pix) take
        their source images instead.
        """
        return self.image_shape

    @property
    def sampler(self):
        """The network `generate` runs (ProGAN: the averaged generator)."""
        return self.generator

    def call(self, latents, training=False):
        return self.sampler(latents, training=training)

    # DiffAugment policy of the images D sees ("" for none); subclasses that
    # support it take `augment=` and store `",".join(parse_policy(augment))`.
    augment = ""

    def discriminate(self, images, *inputs):
        """D's logits in training mode, after the model's augmentation (if any).

        `inputs` are D's further inputs (the conditions of a conditional D).
        """
        images = augmentation.augment(images, self.augment, self.random_uniform)
        return self.discriminator([images, *inputs] if inputs else images, training=True)

    # ------------------------------------------------------------------ noise
    # Training noise has the batch as its first axis. Under data parallelism
    # (kgan.distribute) each replica gets its rows of the global batch's noise.
    def random_normal(self, shape):
        """N(0, 1) noise from the model's seed generator (used by steps)."""
        return backend.replica_noise(
            lambda s: keras.random.normal(s, seed=self.seed_generator), shape
        )

    def random_uniform(self, shape, minval=0.0, maxval=1.0):
        """Uniform noise from the model's seed generator (used by steps)."""
        return backend.replica_noise(
            lambda s: keras.random.uniform(
                s, minval=minval, maxval=maxval, seed=self.seed_generator
            ),
            shape,
        )

    def sample_latents(self, batch_size):
        """Latents for a training step, `[batch_size, latent_dim]`."""
        shape = (batch_size, self.latent_dim)
        if self.latent_distribution == "uniform":
            return self.random_uniform(shape, -1.0, 1.0)
        return self.random_normal(shape)

    def latents(self, n, seed=None):
        """Latents for `generate`: NumPy PCG64, the same on every backend.

        Args:
            n: number of latent vectors.
            seed: an int (or None for fresh entropy).

        Returns:
            float32 NumPy array `[n, latent_dim]`.
        """
        rng = np.random.Generator(np.random.PCG64(seed))
        shape = (n, self.latent_dim)
        if self.latent_distribution == "uniform":
            return rng.uniform(-1.0, 1.0, size=shape).astype("float32")
        return rng.standard_normal(size=shape).astype("float32")

    # ---------------------------------------------------------------- compile
    def default_optimizer(self, network_name):
        """The optimizer a network gets when `compile` is given none."""
        return keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999)

    def compile(
        self,
        run_eagerly=False,
        jit_compile="auto",
        steps_per_execution=1,
        **optimizers,
    ):
        """Configures training: one optimizer per network.

        Args:
            run_eagerly: run the step eagerly (debugging).
            jit_compile: as in `keras.Model.compile`.
            steps_per_execution: as in `keras.Model.compile`.
            **optimizers: `<network>_optimizer=` an optimizer, its name or
                config, for each name in `network_names`
                (e.g. `generator_optimizer=keras.optimizers.Adam(2e-4)`).
                A network left out gets `default_optimizer(name)`.

        Example:
        >>> gan.compile(
        ...     generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        ...     discriminator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        ... )
        """
        expected = {f"{name}_optimizer" for name in self.network_names}
        unknown = sorted(set(optimizers) - expected)
        if unknown:
            raise TypeError(
                f"Unexpected arguments {unknown}. {type(self).__name__}."
                f"compile takes {sorted(expected)}."
            )
        per_network = {}
        for name in self.network_names:
            optimizer = optimizers.get(f"{name}_optimizer")
            if optimizer is None:
                optimizer = self.default_optimizer(name)
            per_network[name] = keras.optimizers.get(optimizer)
        optimizer_map = NetworkOptimizers(per_network, self.networks)
        super().compile(
            optimizer=keras.optimizers.MultiOptimizer(optimizer_map),
            run_eagerly=run_eagerly,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )
        self._optimizer_for = optimizer_map
        # Built now, eagerly: TF cannot create optimizer variables in a step.
        self.optimizer.build(self.trainable_variables)
        self._compile_arguments = dict(
            run_eagerly=run_eagerly,
            jit_compile=self.jit_compile,
            steps_per_execution=steps_per_execution,
            **{f"{n}_optimizer": o for n, o in per_network.items()},
        )

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            key: keras.saving.serialize_keras_object(value)
            for key, value in self._compile_arguments.items()
        }

    def compile_from_config(self, config):
        self.compile(
            **{
                key: keras.saving.deserialize_keras_object(value)
                for key, value in config.items()
            }
        )

    @property
    def metrics(self):
        return list(self.loss_trackers)

    # ------------------------------------------------------------------- step
    def update(self, network_names, loss_fn):
        """Takes one optimizer step on the named networks to lower `loss_fn()`.

        Args:
            network_names: a network name or a list of them; their trainable
                variables are updated, each by its own optimizer.
            loss_fn: a function of no arguments returning a scalar loss, or
                `(loss, aux)` where `aux` is any structure of tensors.

        Returns:
            What `loss_fn` returns, with gradients cut.
        """
        if isinstance(network_names, str):
            network_names = (network_names,)
        variables = [v for name in network_names for v in self.trainable_variables_of(name)]
        returns_aux = []

        def loss_and_aux():
            result = loss_fn()
            returns_aux.append(isinstance(result, tuple))
            return result if returns_aux[-1] else (result, None)

        (loss, aux), gradients = backend.value_and_gradients(loss_and_aux, variables)
        by_optimizer = {}
        for gradient, variable in zip(gradients, variables):
            optimizer = self._optimizer_for(variable)
            entry = by_optimizer.setdefault(id(optimizer), (optimizer, [], []))
            entry[1].append(gradient)
            entry[2].append(variable)
        for optimizer, grads, variables_ in by_optimizer.values():
            backend.apply_gradients(optimizer, grads, variables_)
        return (loss, aux) if returns_aux[-1] else loss

    def trainable_variables_of(self, network_name):
        """The variables `update` trains for a network: all its trainable ones.

        ProGAN narrows this to the levels of the current resolution.
        """
        return self.networks[network_name].trainable_variables

    def gan_step(self, images, conditions=None):
        """One training step on a batch; returns a dict of scalar losses.

        Subclasses implement it with `self.update`.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement gan_step(images, conditions)."
        )

    def train_step(self, *args):
        # TF and torch call train_step(data); JAX calls train_step(state, data).
        return backend.run_train_step(self, self._stateful_train_step, *args)

    def _stateful_train_step(self, data):
        images, conditions, _ = keras.utils.unpack_x_y_sample_weight(data)
        check_images(images, self.input_image_shape, check_values=False)
        losses = self.gan_step(images, conditions)
        self.optimizer.iterations.assign_add(1)
        logs = {}
        for tracker in self.loss_trackers:
            tracker.update_state(losses[tracker.name])
            logs[tracker.name] = tracker.result()
        return logs

    def test_step(self, *args):
        raise NotImplementedError(
            "GANs have no validation loss: measure them with kgan.metrics "
            "(FID) instead of passing validation data to fit()."
        )

    # -------------------------------------------------------------------- fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, callbacks=None, **kwargs):
        """Trains the GAN on images in [-1, 1] (see `keras.Model.fit`).

        The data is checked before any step runs; a NaN or infinite loss
        stops training with `kgan.callbacks.TrainingDiverged`. Inside
        `kgan.distribute(n)` the batch size is the global batch, split over
        the `n` devices (it must be a multiple of `n`).

        Args:
            x: float images `[N, H, W, C]` in [-1, 1] (NumPy), or a dataset
                yielding such batches (`keras.utils.PyDataset`,
                `tf.data.Dataset`, a generator), optionally with conditions.
            y: conditions for conditional models (with array `x`).
            batch_size, epochs, callbacks, **kwargs: as in `keras.Model.fit`.

        Returns:
            The `keras.callbacks.History`.
        """
        backend.check_distributed(self)
        images, conditions = peek_batch(x, y)
        if images is not None:
            check_images(images, self.input_image_shape, name="x")
            self.check_conditions(conditions)
            self._check_batch_splits(x, images, batch_size)
        callbacks = [StopOnNaN()] + list(callbacks or [])
        if isinstance(x, ArrayDataset) and x.repeat:
            if kwargs.get("steps_per_epoch") is None:
                raise ValueError(
                    "An endless dataset (repeat=True) needs `steps_per_epoch` "
                    "in fit(); received steps_per_epoch=None."
                )
            callbacks.append(DataPosition(x))
            kwargs.setdefault("shuffle", False)  # it shuffles itself
        return super().fit(
            x, y, batch_size=batch_size, epochs=epochs, callbacks=callbacks, **kwargs
        )

    def _check_batch_splits(self, x, images, batch_size):
        """Under data parallelism each batch must split evenly over the devices."""
        replicas = backend.num_replicas(self)
        if replicas == 1:
            return
        if hasattr(x, "shape") and hasattr(x, "dtype"):  # arrays: fit batches them
            size = batch_size or 32
            sizes = {min(size, len(images)), len(images) % size or size}
        else:
            sizes = {len(images)}
        for size in sorted(sizes):
            if size % replicas:
                raise ValueError(
                    f"Training on {replicas} devices splits every batch into "
                    f"{replicas} equal parts. Received a batch of {size} images "
                    f"(batch_size={batch_size}, {len(images)} images). Use a "
                    f"batch size that is a multiple of {replicas} (and drop "
                    "the last partial batch)."
                )

    def check_conditions(self, conditions):
        """Conditional subclasses check the width of their conditions here."""

    # --------------------------------------------------------------- generate
    def generate(self, n, seed=None, batch_size=64):
        """Generates `n` images as uint8 NHWC.

        Latents come from NumPy's PCG64 with `seed`, so a seed gives the same
        images on every backend and machine.

        Args:
            n: number of images.
            seed: int seed (None: fresh randomness).
            batch_size: images per forward pass (bounds memory).

        Returns:
            uint8 NumPy array `[n, H, W, C]`.

        Example:
        >>> images = gan.generate(16, seed=3)
        >>> images.shape, images.dtype
        ((16, 28, 28, 1), dtype('uint8'))
        """
        return self.generate_from_latents(self.latents(n, seed), batch_size)

    def generate_from_latents(self, latents, batch_size=64, conditions=None):
        """Runs the generator on given latents in batches.

        Args:
            latents: `[n, latent_dim]`.
            batch_size: images per forward pass.
            conditions: for conditional generators, `[n, condition_dim]`
                fed beside the latents.

        Returns:
            uint8 NumPy array `[n, H, W, C]`.
        """
        latents = np.asarray(latents, dtype="float32")
        if latents.ndim != 2 or latents.shape[1] != self.latent_dim:
            raise ValueError(
                f"Expected latents of shape (n, {self.latent_dim}). "
                f"Received: latents.shape={latents.shape}"
            )
        if batch_size < 1:
            raise ValueError(f"Expected batch_size >= 1. Received: {batch_size}")
        batches = []
        with backend.no_grad():
            for start in range(0, len(latents), batch_size):
                inputs = latents[start : start + batch_size]
                if conditions is not None:
                    inputs = [inputs, conditions[start : start + batch_size]]
                output = self.sampler(inputs, training=False)
                batches.append(image_utils.to_uint8(ops.convert_to_numpy(output)))
        if not batches:
            return np.zeros((0,) + self.image_shape, dtype="uint8")
        return np.concatenate(batches)

    # ---------------------------------------------------------- serialization
    # Keras saves a layer's weights but not its seed generators: the noise
    # state is saved too, so a resumed run draws the noise it would have drawn.
    _SEED_STATE_KEY = "seed_generator_state"

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store[self._SEED_STATE_KEY] = self.seed_generator.state

    def load_own_variables(self, store):
        keys = list(store.keys())
        if self._SEED_STATE_KEY in keys:
            self.seed_generator.state.assign(store[self._SEED_STATE_KEY])
        super().load_own_variables(
            {key: store[key] for key in keys if key != self._SEED_STATE_KEY}
        )

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        for name in self.network_names:
            config[name] = keras.saving.serialize_keras_object(getattr(self, name))
        config.update(latent_distribution=self.latent_distribution, seed=self.seed)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in cls.network_names:
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)
