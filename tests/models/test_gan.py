"""DCGAN and WGAN-GP through the GAN base class: fit, generate, save, resume, bad input."""

import keras
import numpy as np
import pytest
from keras import ops

import kgan
from kgan.models import DCGAN
from kgan.models import WGANGP
from kgan.models import dcgan_discriminator
from kgan.models import dcgan_generator


def tiny(cls=DCGAN, **kwargs):
    gan = cls.create(16, channels=1, latent_dim=8, width=8, seed=1, **kwargs)
    gan.compile()
    return gan


def weights(model):
    return [ops.convert_to_numpy(v.value).copy() for v in model.variables]


def optimizer_state(gan):
    return [ops.convert_to_numpy(v.value).copy() for v in gan.optimizer.variables]


@pytest.mark.parametrize("size, channels", [(28, 1), (32, 3), (64, 3)])
def test_network_builders_shapes(size, channels):
    generator = dcgan_generator(size, channels, latent_dim=100, width=8)
    discriminator = dcgan_discriminator(size, channels, width=8)
    assert generator.output_shape == (None, size, size, channels)
    assert discriminator.input_shape == (None, size, size, channels)
    assert discriminator.output_shape == (None, 1)
    images = ops.convert_to_numpy(generator.predict_on_batch(np.zeros((2, 100), "float32")))
    assert np.abs(images).max() <= 1.0


def test_dcgan64_matches_the_reference_architecture():
    # REFERENCE section 1: G Linear(100 -> 4*4*512), deconvs 512->256->128->64->3;
    # D convs 3->64->128->256->512, BN from the 2nd, Linear -> 1.
    generator = dcgan_generator(64, 3)
    deconvs = [l for l in generator.layers if isinstance(l, keras.layers.Conv2DTranspose)]
    assert [l.filters for l in deconvs] == [256, 128, 64, 3]
    assert all(l.kernel_size == (4, 4) and l.strides == (2, 2) for l in deconvs)
    dense = next(l for l in generator.layers if isinstance(l, keras.layers.Dense))
    assert dense.kernel.shape == (100, 4 * 4 * 512)
    discriminator = dcgan_discriminator(64, 3)
    convs = [l for l in discriminator.layers if isinstance(l, keras.layers.Conv2D)]
    assert [l.filters for l in convs] == [64, 128, 256, 512]
    batch_norms = [l for l in discriminator.layers if isinstance(l, keras.layers.BatchNormalization)]
    assert len(batch_norms) == 3


def test_builders_reject_bad_sizes():
    with pytest.raises(ValueError, match="image_size=30"):
        dcgan_generator(30, 1)
    with pytest.raises(ValueError, match="normalization='group'"):
        dcgan_discriminator(32, 3, normalization="group")


def test_dcgan_defaults_follow_the_reference():
    gan = tiny()
    assert gan.latent_distribution == "uniform"
    for optimizer in gan.optimizer.optimizers:
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert float(optimizer.beta_1) == 0.5
        assert float(ops.convert_to_numpy(optimizer.learning_rate)) == pytest.approx(2e-4)


def test_one_multioptimizer_holds_every_network_optimizer():
    gan = tiny(WGANGP)
    assert isinstance(gan.optimizer, keras.optimizers.MultiOptimizer)
    assert len(gan.optimizer.optimizers) == 2
    variables = {id(v) for v in gan.optimizer.variables}
    for sub in gan.optimizer.optimizers:
        assert {id(v) for v in sub.variables} <= variables
        assert float(sub.beta_1) == 0.0 and float(sub.beta_2) == 0.9


@pytest.mark.parametrize("cls", [DCGAN, WGANGP])
def test_fit_trains_every_network(cls, tiny_images):
    gan = tiny(cls)
    generator_before = weights(gan.generator)
    discriminator_before = weights(gan.discriminator)
    history = gan.fit(tiny_images, batch_size=8, epochs=2, verbose=0)
    assert set(history.history) == set(gan.loss_names)
    for values in history.history.values():
        assert len(values) == 2 and np.all(np.isfinite(np.array(values, dtype=float)))
    changed = lambda a, b: any(not np.array_equal(x, y) for x, y in zip(a, b))  # noqa: E731
    assert changed(weights(gan.generator), generator_before)
    assert changed(weights(gan.discriminator), discriminator_before)
    # 4 steps per epoch: the step counter and each optimizer count updates.
    assert int(ops.convert_to_numpy(gan.optimizer.iterations.value)) == 8
    critic_updates = 8 * (gan.n_critic if cls is WGANGP else 1)
    d_optimizer, g_optimizer = gan.optimizer.optimizers[1], gan.optimizer.optimizers[0]
    assert int(ops.convert_to_numpy(d_optimizer.iterations.value)) == critic_updates
    assert int(ops.convert_to_numpy(g_optimizer.iterations.value)) == 8


def test_batchnorm_statistics_move_in_both_networks(tiny_images):
    gan = tiny()
    moving = lambda m: [ops.convert_to_numpy(v.value).copy() for v in m.non_trainable_variables]  # noqa: E731
    g_before, d_before = moving(gan.generator), moving(gan.discriminator)
    gan.fit(tiny_images, batch_size=8, epochs=1, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(moving(gan.generator), g_before))
    assert all(not np.array_equal(a, b) for a, b in zip(moving(gan.discriminator), d_before))


def test_generate_is_uint8_and_reproducible():
    keras.utils.set_random_seed(0)  # fixed initial weights: a seed-to-seed difference shows
    gan = tiny()
    images = gan.generate(5, seed=3, batch_size=2)
    assert images.shape == (5, 16, 16, 1) and images.dtype == np.uint8
    np.testing.assert_array_equal(images, gan.generate(5, seed=3, batch_size=64))
    assert not np.array_equal(images, gan.generate(5, seed=4))
    assert gan.generate(0).shape == (0, 16, 16, 1)


def test_latents_come_from_numpy_pcg64():
    gan = tiny()
    expected = np.random.Generator(np.random.PCG64(11)).uniform(-1, 1, (3, 8))
    np.testing.assert_allclose(gan.latents(3, seed=11), expected, rtol=1e-6)
    wgan = tiny(WGANGP)
    expected = np.random.Generator(np.random.PCG64(11)).standard_normal((3, 8))
    np.testing.assert_allclose(wgan.latents(3, seed=11), expected, rtol=1e-6)


def test_generate_rejects_bad_latents():
    with pytest.raises(ValueError, match=r"\(n, 8\).*\(3, 5\)"):
        tiny().generate_from_latents(np.zeros((3, 5)))


@pytest.mark.parametrize("cls", [DCGAN, WGANGP])
def test_save_load_same_output_and_same_continued_training(cls, tiny_images, tmp_path):
    gan = tiny(cls)
    gan.fit(tiny_images, batch_size=8, epochs=1, shuffle=False, verbose=0)
    path = tmp_path / "run.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is cls
    np.testing.assert_array_equal(loaded.generate(8, seed=3), gan.generate(8, seed=3))
    for a, b in zip(optimizer_state(loaded), optimizer_state(gan)):
        np.testing.assert_array_equal(a, b)
    # Same weights, optimizer moments and noise state: one more epoch of
    # training gives the same weights.
    gan.fit(tiny_images, batch_size=8, epochs=1, shuffle=False, verbose=0)
    loaded.fit(tiny_images, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(weights(loaded), weights(gan)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_loaded_model_keeps_its_configuration(tmp_path):
    gan = WGANGP.create(16, channels=1, latent_dim=8, width=8, n_critic=3, gradient_penalty_weight=5.0)
    gan.compile(generator_optimizer=keras.optimizers.Adam(3e-4, beta_1=0.5, beta_2=0.9))
    gan.save(tmp_path / "w.keras")
    loaded = keras.models.load_model(tmp_path / "w.keras")
    assert loaded.n_critic == 3 and loaded.gradient_penalty_weight == 5.0
    g_opt = loaded.optimizer.optimizers[0]
    assert float(ops.convert_to_numpy(g_opt.learning_rate)) == pytest.approx(3e-4)


class InterruptAfterEpoch(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt("simulated interruption")


def training_data(kind, images):
    """`(x, fit kwargs)`: arrays, or an endless dataset whose epochs cross passes."""
    if kind == "arrays":
        return images, dict(batch_size=8, shuffle=False)
    dataset = kgan.data.as_dataset(images, batch_size=8, seed=5, repeat=True)
    return dataset, dict(steps_per_epoch=len(dataset) + 1, shuffle=False)


@pytest.mark.parametrize("kind", ["arrays", "endless dataset"])
def test_backup_and_restore_resumes_an_interrupted_fit(kind, tiny_images, tmp_path):
    start = tiny()
    initial = weights(start)

    def fresh():
        gan = tiny()
        for variable, value in zip(gan.variables, initial):
            variable.assign(value)
        return gan

    def fit(gan, callbacks=()):
        x, kwargs = training_data(kind, tiny_images)
        return gan.fit(x, epochs=3, verbose=0, callbacks=list(callbacks), **kwargs)

    uninterrupted = fresh()
    fit(uninterrupted)

    backup = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    interrupted = fresh()
    with pytest.raises(KeyboardInterrupt):
        fit(interrupted, [backup, InterruptAfterEpoch(1)])
    resumed = tiny()  # other initial weights: everything must come from the backup
    history = fit(resumed, [keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))])
    assert len(history.history["d_loss"]) == 1  # only the third epoch ran
    for a, b in zip(weights(resumed.generator), weights(uninterrupted.generator)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_an_endless_dataset_runs_every_requested_step(tiny_images):
    # 4 batches per pass; a finite dataset would cut these epochs short.
    gan = tiny()
    data = kgan.data.as_dataset(tiny_images, batch_size=8, repeat=True)
    gan.fit(data, epochs=2, steps_per_epoch=10, verbose=0)
    assert int(ops.convert_to_numpy(gan.optimizer.iterations)) == 20
    gan.fit(data, epochs=1, steps_per_epoch=3, verbose=0)
    assert data.first_batch == 20  # the second fit went on through the data
    with pytest.raises(ValueError, match="needs `steps_per_epoch`"):
        gan.fit(data, epochs=1, verbose=0)


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((8, 16, 16), "float32"), "rank 4.*Received: x.shape=\\(8, 16, 16\\)"),
        (np.zeros((8, 32, 32, 1), "float32"), "size 16x16.*Received: x.shape=\\(8, 32, 32, 1\\)"),
        (np.zeros((8, 16, 16, 3), "float32"), "1 channel.*Received: x.shape=\\(8, 16, 16, 3\\)"),
        (np.zeros((8, 16, 16, 1), "uint8"), "floats in \\[-1, 1\\].*uint8"),
        (np.full((8, 16, 16, 1), 255.0, "float32"), "values in \\[-1, 1\\].*\\[255, 255\\]"),
        (np.full((8, 16, 16, 1), np.nan, "float32"), "values in \\[-1, 1\\]"),
    ],
)
def test_bad_images_fail_before_any_step(images, message):
    gan = tiny()
    before = weights(gan)
    with pytest.raises(ValueError, match=message):
        gan.fit(images, batch_size=8, verbose=0)
    for a, b in zip(weights(gan), before):
        np.testing.assert_array_equal(a, b)


def test_bad_batches_of_a_dataset_fail_before_any_step():
    gan = tiny()
    dataset = kgan.data.as_dataset(np.zeros((16, 16, 16, 1), "uint8"), batch_size=8)
    with pytest.raises(ValueError, match="uint8"):
        gan.fit(dataset, verbose=0)


def test_condition_width_is_checked():
    from kgan.validation import check_conditions

    with pytest.raises(ValueError, match=r"\(batch, 10\).*conditions.shape=\(4, 3\)"):
        check_conditions(np.zeros((4, 3)), 10)
    with pytest.raises(ValueError, match="Received: None"):
        check_conditions(None, 10)
    check_conditions(np.zeros((4, 10)), 10)


def test_nan_loss_stops_training_with_a_clear_message(tiny_images, tmp_path):
    gan = tiny()
    kernel = gan.discriminator.layers[-1].kernel
    kernel.assign(np.full(kernel.shape, np.nan, "float32"))
    checkpoint = tmp_path / "last.keras"
    with pytest.raises(kgan.callbacks.TrainingDiverged, match="d_loss = nan at batch 0"):
        gan.fit(
            tiny_images, batch_size=8, epochs=2, verbose=0,
            callbacks=[keras.callbacks.ModelCheckpoint(str(checkpoint))],
        )
    assert not checkpoint.exists()  # nothing broken was saved


def test_compile_rejects_unknown_optimizer_arguments():
    gan = DCGAN.create(16, channels=1, latent_dim=8, width=8)
    with pytest.raises(TypeError, match="critic_optimizer"):
        gan.compile(critic_optimizer="adam")


def test_wgangp_rejects_bad_n_critic():
    with pytest.raises(ValueError, match="n_critic=0"):
        WGANGP.create(16, channels=1, width=8, n_critic=0)


def test_sample_grid_callback_writes_pngs(tiny_images, tmp_path):
    from PIL import Image

    gan = tiny()
    grid = kgan.callbacks.SampleGrid(tmp_path / "samples", n=4, every=2)
    gan.fit(tiny_images, batch_size=8, epochs=3, verbose=0, callbacks=[grid])
    written = sorted(p.name for p in (tmp_path / "samples").iterdir())
    assert written == ["epoch_0002.png", "epoch_0003.png"]
    image = np.asarray(Image.open(tmp_path / "samples" / "epoch_0003.png"))
    assert image.shape == (2 * 16 + 3 * 2, 2 * 16 + 3 * 2)
