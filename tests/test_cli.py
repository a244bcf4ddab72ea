"""The kgan command: train writes a checkpoint and sample grids; generate a grid."""

import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

import kgan
from kgan import cli
from kgan.models import DCGAN


def test_help_documents_each_command():
    for command in (
        "train", "generate", "vary", "morph", "blend", "colorize", "age", "list", "evaluate",
        "convert",
    ):
        result = subprocess.run(
            [sys.executable, "-m", "kgan.cli", command, "--help"],
            capture_output=True, text=True, check=True,
        )
        assert "usage: kgan " + command in result.stdout


def test_train_then_generate(tmp_path, capsys):
    out = tmp_path / "run"
    code = cli.main([
        "train", "dcgan", "--dataset", "fashion_mnist", "--epochs", "1",
        "--steps-per-epoch", "3", "--width", "8", "--samples", "4", "--out", str(out),
        "--augment", "translation,cutout",
    ])
    assert code == 0
    assert (out / "checkpoint.keras").is_file()
    assert keras.models.load_model(out / "checkpoint.keras").augment == "translation,cutout"
    assert (out / "history.csv").read_text().startswith("epoch,")
    grid = np.asarray(Image.open(out / "samples" / "epoch_0001.png"))
    assert grid.shape == (2 * 28 + 3 * 2, 2 * 28 + 3 * 2)
    printed = capsys.readouterr().out
    assert "3/3" in printed and "d_loss" in printed  # the progress line

    code = cli.main(["generate", str(out / "checkpoint.keras"), "-n", "6", "--seed", "1",
                     "-o", str(tmp_path / "grid.png")])
    assert code == 0
    assert np.asarray(Image.open(tmp_path / "grid.png")).shape == (2 * 28 + 3 * 2, 3 * 28 + 4 * 2)


def test_train_a_conditional_gan(tmp_path):
    out = tmp_path / "run"
    code = cli.main([
        "train", "cgan", "--dataset", "fashion_mnist", "--steps-per-epoch", "2",
        "--width", "8", "--samples", "4", "--out", str(out),
    ])
    assert code == 0
    gan = keras.models.load_model(out / "checkpoint.keras")
    assert list(gan.tag_names) == list(kgan.data.FASHION_MNIST_CLASSES)
    assert gan.mode_seeking == 1.0
    assert int(keras.ops.convert_to_numpy(gan.optimizer.iterations)) == 2
    grid = np.asarray(Image.open(out / "samples" / "epoch_0001.png"))
    assert grid.shape == (2 * 28 + 3 * 2, 2 * 28 + 3 * 2)


def test_generate_with_tags(tmp_path):
    from kgan.models import ConditionalGAN

    gan = ConditionalGAN.create(16, 1, tag_names=["red", "blue", "green"], latent_dim=8, width=8)
    gan.save(tmp_path / "c.keras")
    model = str(tmp_path / "c.keras")
    out = tmp_path / "tags.png"
    assert cli.main(["generate", model, "-n", "2", "--tags", "red, blue", "-o", str(out)]) == 0
    expected = kgan.images.make_grid(gan.generate(2, seed=0, tags=["red", "blue"]))
    np.testing.assert_array_equal(np.asarray(Image.open(out)), np.asarray(expected).squeeze())
    with pytest.raises(SystemExit, match="blue"):
        cli.main(["generate", model, "--tags", "bleu", "-o", str(out)])
    with pytest.raises(SystemExit, match="tags"):
        cli.main(["generate", model, "-o", str(out)])


def test_vary_morph_and_blend_grids(tmp_path):
    from kgan.models import ConditionalGAN

    gan = ConditionalGAN.create(16, 1, tag_names=["red", "blue", "green"], latent_dim=8, width=8)
    gan.save(tmp_path / "c.keras")
    model, out = str(tmp_path / "c.keras"), tmp_path / "strip.png"

    def written(expected):
        grid = kgan.images.make_grid(expected, columns=len(expected))
        np.testing.assert_array_equal(np.asarray(Image.open(out)), np.asarray(grid).squeeze())

    assert cli.main(["vary", model, "--seed", "3", "--tags", "red;blue,green", "-o", str(out)]) == 0
    written(gan.vary_tags(3, [["red"], ["blue", "green"]]))
    assert cli.main(["morph", model, "--from", "red", "--to", "blue", "--steps", "4", "-o", str(out)]) == 0
    written(gan.morph(0, ["red"], ["blue"], steps=4))
    assert cli.main(["blend", model, "--seeds", "1,2", "--weights", "3,1", "--tags", "green", "-o", str(out)]) == 0
    faces = [gan.generate(1, seed=s, tags=["green"]) for s in (1, 2)]
    written(np.concatenate(faces + [gan.blend([1, 2], [3, 1], ["green"])]))
    with pytest.raises(SystemExit, match="one weight per seed"):
        cli.main(["blend", model, "--seeds", "1,2", "--weights", "1", "-o", str(out)])


def test_tags_need_a_conditional_model(tmp_path):
    DCGAN.create(16, 1, latent_dim=8, width=8).save(tmp_path / "d.keras")
    with pytest.raises(SystemExit, match="--tags needs a tag-conditioned model"):
        cli.main(["generate", str(tmp_path / "d.keras"), "--tags", "red", "-o", str(tmp_path / "x.png")])
    with pytest.raises(SystemExit, match="not a tag-conditioned model"):
        cli.main(["vary", str(tmp_path / "d.keras"), "--tags", "red", "-o", str(tmp_path / "x.png")])


def test_augment_is_not_for_wgangp(tmp_path):
    with pytest.raises(SystemExit, match="dcgan and cgan models only"):
        cli.main(["train", "wgangp", "--augment", "cutout", "--out", str(tmp_path)])
    with pytest.raises(SystemExit, match="cgan model only"):
        cli.main(["train", "dcgan", "--mode-seeking", "1", "--out", str(tmp_path)])
    with pytest.raises(SystemExit, match="auxiliary-weight works with the cgan"):
        cli.main(["train", "wgangp", "--auxiliary-weight", "1", "--out", str(tmp_path)])


def test_generate_names_a_missing_model(tmp_path):
    with pytest.raises(SystemExit, match="no model file"):
        cli.main(["generate", str(tmp_path / "missing.keras")])


def test_unknown_model_is_rejected(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "stylegan", "--out", "x"])
    assert "invalid choice: 'stylegan'" in capsys.readouterr().err


def test_list_prints_every_preset(capsys):
    from kgan.zoo import registry

    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == registry.names()


def test_evaluate_a_preset_directory(tmp_path, capsys):
    import json

    import kgan
    from kgan.models import DCGAN

    gan = DCGAN.create(28, channels=1, latent_dim=8, width=8)
    kgan.zoo.save_preset(gan, tmp_path / "p", dataset="fashion_mnist")
    assert cli.main(["evaluate", str(tmp_path / "p"), "--samples", "300"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["samples"] == 300 and result["features"] == "fashion_mnist_classifier/128"
    # An untrained generator is far from the data; the floor is near zero.
    assert result["fid"] > 10 * result["floor"] > 0


def test_unknown_preset_is_a_clear_error():
    with pytest.raises(SystemExit, match="Unknown preset 'nope'"):
        cli.main(["generate", "nope"])


def test_generate_a_grouped_model_without_tags(tmp_path):
    from kgan.models import ConditionalGAN

    names = ["hair:blonde", "hair:black", "glasses:none", "glasses:round"]
    gan = ConditionalGAN.create(16, 1, tag_names=names, latent_dim=8, width=8)
    gan.save(tmp_path / "g.keras")
    out = tmp_path / "g.png"
    assert cli.main(["generate", str(tmp_path / "g.keras"), "-n", "3", "--seed", "2", "-o", str(out)]) == 0
    expected = kgan.images.make_grid(gan.generate(3, seed=2, tags=[]))
    np.testing.assert_array_equal(np.asarray(Image.open(out)), np.asarray(expected).squeeze())
    assert cli.main(["generate", str(tmp_path / "g.keras"), "-n", "1", "--tags", "round", "-o", str(out)]) == 0


def test_convert_kinds_are_the_zoo_converters():
    from kgan.zoo.converters import CONVERTERS

    assert sorted(cli.CONVERTERS) == sorted(CONVERTERS)


def test_colorize_keeps_size_and_alpha(tmp_path, capsys):
    from kgan.models import Pix2Pix

    model_path = str(tmp_path / "p2p.keras")
    Pix2Pix.create(16, width=4, max_width=8, discriminator_layers=2).save(model_path)
    rgba = np.zeros((20, 30, 4), np.uint8)
    rgba[..., :3] = 255
    rgba[5:15, 5:25, 3] = 255
    Image.fromarray(rgba).save(tmp_path / "sketch.png")
    Image.fromarray(rgba[..., 0]).convert("L").save(tmp_path / "grey.png")
    out = tmp_path / "out.png"
    assert cli.main(["colorize", model_path, str(tmp_path / "sketch.png"), "-o", str(out)]) == 0
    coloured = np.asarray(Image.open(out))
    assert coloured.shape == (20, 30, 4)
    np.testing.assert_array_equal(coloured[..., 3], rgba[..., 3])
    inputs = [str(tmp_path / "sketch.png"), str(tmp_path / "grey.png")]
    assert cli.main(["colorize", model_path, *inputs, "--output-dir", str(tmp_path / "many")]) == 0
    assert np.asarray(Image.open(tmp_path / "many" / "grey_colour.png")).shape == (20, 30, 3)
    assert "grey_colour.png" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="one output"):
        cli.main(["colorize", model_path, *inputs, "-o", str(out)])
    with pytest.raises(SystemExit, match="cannot read"):
        cli.main(["colorize", model_path, str(tmp_path / "missing.png"), "-o", str(out)])
    with pytest.raises(SystemExit, match="colorize"):
        cli.main(["generate", model_path, "-n", "4", "-o", str(tmp_path / "g.png")])
    dcgan_path = str(tmp_path / "dcgan.keras")
    DCGAN.create(16, channels=1, latent_dim=8, width=8).save(dcgan_path)
    with pytest.raises(SystemExit, match="not a colorization model"):
        cli.main(["colorize", dcgan_path, str(tmp_path / "grey.png")])


def test_age_writes_the_face_and_its_renderings(tmp_path, capsys):
    from kgan.models import CAAE

    model_path = str(tmp_path / "caae.keras")
    model = CAAE.create(16, latent_dim=10, width=4, discriminator_width=4)
    model.save(model_path)
    face = np.random.default_rng(0).integers(0, 256, (24, 24, 3), dtype=np.uint8)
    Image.fromarray(face).save(tmp_path / "face.png")
    out = tmp_path / "strip.png"
    assert cli.main(["age", model_path, str(tmp_path / "face.png"), "-o", str(out)]) == 0
    strip = np.asarray(Image.open(out))
    assert strip.shape == (24 + 4, 11 * 24 + 12 * 2, 3)  # the face, then 10 ages
    np.testing.assert_array_equal(strip[2:26, 2:26], face)
    expected = model.age(face, groups=[0])[0]
    np.testing.assert_array_equal(strip[2:26, 28:52], expected)
    assert "ages 0-5, 6-10" in capsys.readouterr().out
    assert cli.main([
        "age", model_path, str(tmp_path / "face.png"), "-o", str(out), "--groups", "2,9",
        "--gender", "female",
    ]) == 0
    strip = np.asarray(Image.open(out))
    assert strip.shape == (28, 3 * 24 + 4 * 2, 3)
    np.testing.assert_array_equal(strip[2:26, 54:78], model.age(face, groups=[9], gender=1)[0])
    with pytest.raises(SystemExit, match="--groups"):
        cli.main(["age", model_path, str(tmp_path / "face.png"), "--groups", "old"])
    with pytest.raises(SystemExit, match="cannot read"):
        cli.main(["age", model_path, str(tmp_path / "missing.png")])
    dcgan_path = str(tmp_path / "dcgan.keras")
    DCGAN.create(16, channels=1, latent_dim=8, width=8).save(dcgan_path)
    with pytest.raises(SystemExit, match="not a face-aging model"):
        cli.main(["age", dcgan_path, str(tmp_path / "face.png")])


def test_serve_answers_then_stops(monkeypatch, capsys):
    import json
    import socket
    import threading
    import urllib.request

    from kgan import serve

    servers, codes = [], []

    def serve_one_request(server):
        servers.append(server)
        server.handle_request()

    monkeypatch.setattr(serve.FaceServer, "serve_forever", serve_one_request)
    thread = threading.Thread(target=lambda: codes.append(cli.main(["serve", "cgan_avatars_64", "--port", "0"])))
    thread.start()
    while not servers and thread.is_alive():
        thread.join(0.05)
    info = json.load(urllib.request.urlopen(servers[0].url + "api/info"))
    thread.join()
    assert codes == [0] and info["preset"] == "cgan_avatars_64"
    assert f"Serving cgan_avatars_64 at {servers[0].url}" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    assert "usage: kgan serve" in capsys.readouterr().out

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(SystemExit, match="cannot listen on 127.0.0.1"):
            cli.main(["serve", "cgan_avatars_64", "--port", str(taken.getsockname()[1])])
    with pytest.raises(SystemExit, match="grouped tags"):
        cli.main(["serve", "cgan_fashion_mnist"])
