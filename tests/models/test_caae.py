"""CAAE: networks, one step's losses against NumPy, the warm-up, aging, save/load, errors."""

import numpy as np
import keras
import pytest
from keras import ops

from kgan.models import CAAE
from kgan.models import caae_encoder
from kgan.models import caae_generator
from kgan.models import caae_image_discriminator
from kgan.models import caae_latent_discriminator

SIZE = 16


def tiny(**kwargs):
    keras.utils.set_random_seed(0)
    return CAAE.create(SIZE, latent_dim=10, width=4, discriminator_width=4, seed=0, **kwargs)


def faces(n=8, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.uniform(-1, 1, (n, SIZE, SIZE, 3)).astype("float32")
    labels = np.stack([np.arange(n) % 10, np.arange(n) % 2], axis=1).astype("int32")
    return images, labels


def numpy(x):
    return ops.convert_to_numpy(x)


def softplus(x):
    return np.logaddexp(0.0, x)


def signed_one_hot(values, width):
    return np.eye(width, dtype="float32")[values] * 2 - 1


def test_official_architecture_scaled_to_64px():
    e = caae_encoder(64, width=64)
    assert tuple(e.output.shape) == (None, 50)
    assert [layer.filters for layer in e.layers if hasattr(layer, "filters")] == [64, 128, 256, 512]
    assert e.layers[-1].activation.__name__ == "tanh"
    g = caae_generator(64, width=64)
    assert [tuple(t.shape) for t in g.inputs] == [(None, 50), (None, 10), (None, 2)]
    # The labels are tiled to the latent's width: 50 + 5 x 10 + 25 x 2.
    assert g.get_layer("latents_and_labels").output.shape[-1] == 150
    assert g.get_layer("to_4x4").output.shape[1:] == (4, 4, 512)
    assert [layer.filters for layer in g.layers if hasattr(layer, "filters")] == [
        256, 128, 64, 32, 16, 3
    ]
    assert tuple(g.output.shape) == (None, 64, 64, 3)
    d = caae_image_discriminator(64)
    assert tuple(d.output.shape) == (None, 1)
    assert d.get_layer("with_labels").output.shape[1:] == (32, 32, 16 + 12)
    assert tuple(caae_latent_discriminator(50).output.shape) == (None, 1)


@pytest.mark.parametrize("size", [12, 4, 64.0])
def test_image_size_must_be_a_power_of_two(size):
    with pytest.raises(ValueError, match="image_size"):
        caae_encoder(size)


def test_label_inputs_are_signed_one_hot():
    model = tiny()
    age, gender = model.label_inputs(np.array([0, 9]), np.array([1, 0]))
    np.testing.assert_array_equal(numpy(age), signed_one_hot([0, 9], 10))
    np.testing.assert_array_equal(numpy(gender), signed_one_hot([1, 0], 2))


def test_first_steps_losses_against_numpy_and_the_warmup():
    model = tiny(image_adversarial_weight=0.5, latent_adversarial_weight=0.5, warmup_steps=2)
    model.compile()
    images, labels = faces()
    age, gender = signed_one_hot(labels[:, 0], 10), signed_one_hot(labels[:, 1], 2)
    latents = numpy(model.encoder(images))
    rendered = numpy(model.generator([latents, age, gender]))
    real = numpy(model.discriminator([images, age, gender], training=True))
    fake = numpy(model.discriminator([rendered, age, gender], training=True))
    encoder_before = [numpy(v) for v in model.encoder.trainable_variables]
    logs = model.train_on_batch(images, labels, return_dict=True)
    l1 = np.abs(rendered - images).mean()
    np.testing.assert_allclose(logs["l1"], l1, rtol=1e-5)
    # Warm-up: at step 0 the adversarial weights are 0, so E+G minimise L1 alone.
    np.testing.assert_allclose(logs["eg_loss"], l1, rtol=1e-5)
    d_img = softplus(-real).mean() + softplus(fake).mean()
    np.testing.assert_allclose(logs["d_img_loss"], d_img, rtol=1e-4)
    assert logs["d_z_loss"] > 0
    assert any(
        not np.allclose(before, numpy(after))
        for before, after in zip(encoder_before, model.encoder.trainable_variables)
    )
    # At step 1 they are at half their value: the adversarial terms count.
    logs = model.train_on_batch(images, labels, return_dict=True)
    assert logs["eg_loss"] - logs["l1"] > 0.1


def test_training_lowers_reconstruction_error():
    _, labels = faces(16)
    colours = np.random.default_rng(2).uniform(-0.8, 0.8, (16, 1, 1, 3))
    images = np.broadcast_to(colours, (16, SIZE, SIZE, 3)).astype("float32")
    keras.utils.set_random_seed(0)
    model = CAAE.create(
        SIZE, latent_dim=10, width=8, discriminator_width=4, seed=0,
        image_adversarial_weight=1e-3, latent_adversarial_weight=1e-3,
    )
    model.compile(
        encoder_optimizer=keras.optimizers.Adam(5e-3),
        generator_optimizer=keras.optimizers.Adam(5e-3),
    )
    history = model.fit(images, labels, batch_size=16, epochs=30, verbose=0)
    l1 = history.history["l1"]
    assert l1[-1] < 0.85 * l1[0]


def test_age_renders_each_face_at_every_group():
    model = tiny()
    rng = np.random.default_rng(1)
    face = rng.integers(0, 256, (24, 20, 3), dtype=np.uint8)
    strip = model.age(face, gender="female")
    assert strip.shape == (10, 24, 20, 3) and strip.dtype == np.uint8
    # The same latent under different ages: the renderings differ.
    assert np.abs(strip[0].astype(int) - strip[9]).max() > 0
    batch = rng.integers(0, 256, (3, SIZE, SIZE, 3), dtype=np.uint8)
    assert model.age(batch, groups=[2, 7], gender=[0, 1, 0]).shape == (3, 2, SIZE, SIZE, 3)
    listed = model.age([face, batch[0][..., :1]], groups=3, gender=0)
    assert [x.shape for x in listed] == [(1, 24, 20, 3), (1, SIZE, SIZE, 3)]
    # age(face, groups=[k]) is the rendering of E(face) under group k.
    single = model.age(batch[:1], groups=[4], gender=1)[0, 0]
    latents = model.encode(batch[:1].astype("float32") / 127.5 - 1)
    np.testing.assert_array_equal(single, model.render(latents, [4], [1])[0])


def test_gender_left_out_is_the_best_reconstruction():
    model = tiny()
    images, _ = faces(3)
    errors = model.reconstruction_errors(images)
    assert errors.shape == (3, 10, 2)
    labels = model.estimate_labels(images)
    assert labels.shape == (3, 2) and labels.dtype == np.int32
    for error, (age, gender) in zip(errors, labels):
        assert error[age, gender] == error.min()
    uint8 = np.clip(np.rint((images + 1) * 127.5), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(
        model.age(uint8), model.age(uint8, gender=model.estimate_labels(uint8 / 127.5 - 1)[:, 1])
    )


def test_generate_is_seeded_and_takes_labels():
    model = tiny()
    a = model.generate(4, seed=3)
    assert a.shape == (4, SIZE, SIZE, 3) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, model.generate(4, seed=3))
    old = model.generate(2, seed=3, age_groups=9, genders=[0, 1])
    young = model.generate(2, seed=3, age_groups=0, genders=[0, 1])
    assert np.abs(old.astype(int) - young).max() > 0


def test_save_and_load_round_trip(tmp_path):
    model = tiny(image_adversarial_weight=0.01, total_variation_weight=1e-3, warmup_steps=5)
    model.compile()
    images, labels = faces()
    model.fit(images, labels, batch_size=4, epochs=1, verbose=0)
    path = str(tmp_path / "caae.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, CAAE)
    assert loaded.warmup_steps == 5 and loaded.total_variation_weight == 1e-3
    face = np.full((SIZE, SIZE, 3), 100, np.uint8)
    np.testing.assert_array_equal(loaded.age(face, gender=0), model.age(face, gender=0))
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 2
    loaded.fit(images, labels, batch_size=4, epochs=1, verbose=0)  # resumes training


def test_errors_name_the_argument():
    model = tiny()
    model.compile()
    images, labels = faces()
    with pytest.raises(ValueError, match="needs labels"):
        model.fit(images, batch_size=4, verbose=0)
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        model.fit(images, labels[:, :1], batch_size=4, verbose=0)
    with pytest.raises(ValueError, match=r"age groups as ints in \[0, 9\]"):
        model.fit(images, labels + [10, 0], batch_size=4, verbose=0)
    face = np.zeros((SIZE, SIZE, 3), np.uint8)
    with pytest.raises(ValueError, match="gender"):
        model.age(face, gender="other")
    with pytest.raises(ValueError, match=r"genders as ints in \[0, 1\]"):
        model.age(face, gender=2)
    with pytest.raises(ValueError, match=r"age groups as ints in \[0, 9\]"):
        model.age(face, groups=[10], gender=0)
    with pytest.raises(ValueError, match="uint8"):
        model.age(face.astype("float32"), gender=0)
    with pytest.raises(ValueError, match="weight >= 0"):
        tiny(image_adversarial_weight=-1)
