"""Presets: save, load by directory, URL and name; listing; errors."""

import functools
import http.server
import json
import threading

import numpy as np
import pytest

import kgan
from kgan.models import DCGAN
from kgan.zoo import registry


@pytest.fixture
def gan():
    gan = DCGAN.create(16, channels=1, latent_dim=8, width=8, seed=0)
    gan.compile()
    return gan


def test_save_and_load_a_preset_directory(gan, tmp_path):
    info = kgan.zoo.save_preset(gan, tmp_path / "p", data="random", license="CC0")
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [
        "config.json", "metadata.json", "model.weights.h5"]
    assert info["family"] == "DCGAN" and info["resolution"] == [16, 16, 1]
    assert info["parameters"] == gan.count_params() and info["license"] == "CC0"
    loaded = kgan.zoo.load(str(tmp_path / "p"))
    assert type(loaded) is DCGAN and loaded.preset_metadata["data"] == "random"
    np.testing.assert_array_equal(loaded.generate(4, seed=1), gan.generate(4, seed=1))
    config = json.loads((tmp_path / "p" / "config.json").read_text())
    assert config["class_name"] == "DCGAN" and "compile_config" in config
    # A loaded preset fine-tunes on the user's data.
    loaded.fit(np.zeros((8, 16, 16, 1), "float32"), batch_size=8, verbose=0)


def test_a_tampered_preset_file_is_refused(gan, tmp_path):
    kgan.zoo.save_preset(gan, tmp_path / "p")
    with open(tmp_path / "p" / "model.weights.h5", "ab") as file:
        file.write(b"x")
    with pytest.raises(ValueError, match="model.weights.h5 does not match its metadata"):
        kgan.zoo.load(str(tmp_path / "p"))


def test_an_incomplete_directory_names_the_missing_files(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "config.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match="missing metadata.json, model.weights.h5"):
        kgan.zoo.load(str(tmp_path / "p"))


def test_load_from_a_url(gan, tmp_path, monkeypatch):
    monkeypatch.setenv("KGAN_HOME", str(tmp_path / "cache"))
    kgan.zoo.save_preset(gan, tmp_path / "served" / "p")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "served"))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        loaded = kgan.zoo.load(f"http://127.0.0.1:{httpd.server_address[1]}/p/")
    finally:
        httpd.shutdown()
        httpd.server_close()
    np.testing.assert_array_equal(loaded.generate(3, seed=2), gan.generate(3, seed=2))


def test_unknown_name_lists_the_closest():
    with pytest.raises(ValueError, match="Unknown preset 'dcgan_digiface64'. Did you mean 'dcgan_digiface_64'"):
        kgan.zoo.load("dcgan_digiface64")


def test_list_has_one_line_per_preset():
    lines = kgan.zoo.list()
    assert len(lines) == len(registry.names())
    for name, line in zip(registry.names(), lines):
        assert line.startswith(name)
    digiface = next(l for l in lines if l.startswith("dcgan_digiface_64"))
    assert "64x64" in digiface and "MIT" in digiface


@pytest.mark.parametrize("name", registry.bundled_names())
def test_bundled_presets_load_and_state_their_fid(name):
    model = kgan.zoo.load(name)
    info = model.preset_metadata
    for key in ("data", "license", "fid", "training"):
        assert key in info, key
    anchor = "baseline_fid" if hasattr(model, "colorize") else "floor"
    for key in ("fid", anchor, "features", "samples"):
        assert key in info["fid"], key
    if hasattr(model, "colorize"):  # pix2pix: line art in, colour out, at any size
        coloured = model.colorize(np.full((4, 40, 40, 1), 255, np.uint8))
        assert coloured.dtype == np.uint8 and coloured.shape == (4, 40, 40, 3)
        return
    if hasattr(model, "age"):  # CAAE: a face of any size at every age group
        strip = model.age(np.full((40, 40, 3), 200, np.uint8), gender="female")
        assert strip.dtype == np.uint8 and strip.shape == (10, 40, 40, 3)
        for key in ("aging_accuracy", "reconstruction_l1"):
            assert key in info["fid"], key
    # Class-conditional presets need classes; grouped tags are drawn from the seed.
    ungrouped = hasattr(model, "tag_names") and model.tag_groups is None
    options = {"conditions": np.arange(4) % model.condition_dim} if ungrouped else {}
    images = model.generate(4, seed=0, **options)
    assert images.dtype == np.uint8 and images.shape[1:] == tuple(info["resolution"])
