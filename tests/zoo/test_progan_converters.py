"""Converted ProGAN checkpoints reproduce the original graphs (NumPy references)."""

import numpy as np
import pytest
from keras import ops

import kgan
import progan_reference as ref
from kgan.zoo import converters
from kgan.zoo.progan_converters import official_generator
from kgan.zoo.torch_checkpoint import CheckpointError

SMALL = dict(fmap_base=64, fmap_max=16)  # nf: 16, 16, 8 at 4, 8, 16 px


def official_networks(seed=0, resolution=16, latent=16):
    rng = np.random.default_rng(seed)
    kwargs = dict(num_channels=3, resolution=resolution, latent_size=latent, **SMALL)
    g = ref.official_generator_variables(resolution, rng, latent_size=latent, **SMALL)
    gs = ref.official_generator_variables(resolution, rng, latent_size=latent, **SMALL)
    d = {"lod": np.float32(0.0)}  # kgan does not import D
    return [("G", kwargs, g), ("D", dict(kwargs), d), ("Gs", kwargs, gs)], gs


def generate(generator, latents):
    return ops.convert_to_numpy(generator(latents))


@pytest.mark.parametrize("lod", [0.0, 0.4, 1.0])
def test_official_pickle_converts_exactly(tmp_path, lod):
    networks, gs = official_networks()
    path = str(tmp_path / "karras2018iclr-test-16x16.pkl")
    ref.write_official_pickle(path, networks)
    directory = converters.convert("progan_official", path, str(tmp_path / "preset"))
    gan = kgan.zoo.load(directory)
    latents = np.random.default_rng(1).standard_normal((4, 16)).astype("float32")
    gan.generator_ema.lod.assign(lod)
    expected = ref.official_generator_forward(gs, latents, lod=lod, **SMALL)
    np.testing.assert_allclose(generate(gan.generator_ema, latents), expected, atol=1e-4)
    # generate() runs Gs, not G.
    assert gan.preset_metadata["source"]["sha256"] == kgan.zoo.download.sha256_of(path)
    images = gan.generate(2, seed=0)
    assert images.shape == (2, 16, 16, 3) and images.dtype == np.uint8


@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_pgan_zoo_checkpoint_converts_exactly(tmp_path, alpha):
    pytest.importorskip("torch")
    config = ref.pgan_zoo_config([16, 16, 8], dim_latent=12, alpha=alpha)
    state = ref.pgan_zoo_generator_state(config, np.random.default_rng(2))
    path = str(tmp_path / "pgan.pth")
    ref.write_pgan_zoo_checkpoint(path, config, state, legacy_format=True)
    gan = kgan.zoo.load(converters.convert("progan_pgan_zoo", path, str(tmp_path / "preset")))
    latents = np.random.default_rng(3).standard_normal((4, 12)).astype("float32")
    expected = ref.pgan_zoo_generator_forward(state, config, latents, alpha=alpha)
    np.testing.assert_allclose(generate(gan.generator_ema, latents), expected, atol=1e-4)


def test_tampered_and_truncated_checkpoints(tmp_path):
    networks, _ = official_networks()
    path = tmp_path / "bad.pkl"
    ref.write_official_pickle(str(path), networks)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated|corrupt"):
        converters.convert("progan_official", str(path), str(tmp_path / "preset"))
    assert not (tmp_path / "preset").exists()
    # A variable with the wrong shape (an edited file).
    networks[2][2]["8x8/Conv0/weight"] = np.zeros((3, 3, 16, 4), "float32")
    ref.write_official_pickle(str(path), networks)
    with pytest.raises(CheckpointError, match="conv0_8x8"):
        converters.convert("progan_official", str(path), str(tmp_path / "preset"))
    del networks[2][2]["8x8/Conv0/weight"]
    ref.write_official_pickle(str(path), networks)
    with pytest.raises(CheckpointError, match="8x8/Conv0/weight"):
        converters.convert("progan_official", str(path), str(tmp_path / "preset"))


def test_unsupported_networks_are_refused():
    networks, gs = official_networks()
    kwargs = dict(networks[2][1], use_pixelnorm=False)
    with pytest.raises(CheckpointError, match="use_pixelnorm"):
        official_generator({"static_kwargs": kwargs, "variables": gs})
    fused = dict(gs)
    fused["8x8/Conv0_up/weight"] = fused.pop("8x8/Conv0/weight")
    with pytest.raises(CheckpointError, match="fused"):
        official_generator({"static_kwargs": networks[2][1], "variables": fused})
    from kgan.zoo.progan_converters import pgan_zoo_generator

    config = ref.pgan_zoo_config([16, 12, 8], dim_latent=12)
    state = ref.pgan_zoo_generator_state(config, np.random.default_rng(0))
    with pytest.raises(CheckpointError, match="depths"):
        pgan_zoo_generator(state, config)


def test_registry_name_downloads_checks_converts_and_caches(tmp_path, monkeypatch):
    """`kgan.zoo.load("progan_celebahq_256")` end to end, from a file:// URL."""
    pytest.importorskip("torch")
    monkeypatch.setenv("KGAN_HOME", str(tmp_path / "cache"))
    config = ref.pgan_zoo_config([16, 16, 8], dim_latent=12)
    state = ref.pgan_zoo_generator_state(config, np.random.default_rng(4))
    path = tmp_path / "served.pth"
    ref.write_pgan_zoo_checkpoint(str(path), config, state, legacy_format=True)
    digest = kgan.zoo.download.sha256_of(str(path))
    entry = dict(kgan.zoo.registry.CONVERTED["progan_celebahq_256"])
    entry["source"] = dict(entry["source"], url=path.as_uri(), sha256=digest[:8])
    monkeypatch.setitem(kgan.zoo.registry.CONVERTED, "progan_celebahq_256", entry)
    gan = kgan.zoo.load("progan_celebahq_256")
    latents = gan.latents(3, seed=0)
    np.testing.assert_allclose(
        generate(gan.generator_ema, latents),
        ref.pgan_zoo_generator_forward(state, config, latents),
        atol=1e-4,
    )
    path.unlink()  # converted once: the cache serves it now
    assert kgan.zoo.load("progan_celebahq_256").generate(1, seed=0).shape == (1, 16, 16, 3)
    # A file whose hash does not start with the registry's prefix is refused.
    entry["source"]["sha256"] = "00000000" if not digest.startswith("0" * 8) else "11111111"
    entry["source"]["url"] = (tmp_path / "other.pth").as_uri()
    ref.write_pgan_zoo_checkpoint(str(tmp_path / "other.pth"), config, state)
    import shutil

    shutil.rmtree(tmp_path / "cache")
    with pytest.raises(kgan.zoo.download.DownloadError, match="Checksum mismatch"):
        kgan.zoo.load("progan_celebahq_256")
