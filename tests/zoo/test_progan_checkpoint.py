"""Readers of the official TF ProGAN pickle and pytorch_GAN_zoo PGAN checkpoints."""

import os
import pickle

import numpy as np
import pytest

import progan_reference as ref
from kgan.zoo.progan_checkpoint import read_pgan_zoo_checkpoint
from kgan.zoo.progan_checkpoint import read_tf_progan_pickle
from kgan.zoo.torch_checkpoint import CheckpointError

SMALL = dict(latent_size=16, fmap_base=64, fmap_max=16, num_channels=3)  # maps 16, 16, 8
STATIC = {"num_channels": 3, "resolution": 16, "label_size": 0, "fused_scale": False}


def official_networks(resolution=16):
    rng = np.random.default_rng(0)
    g = ref.official_generator_variables(resolution, rng, **SMALL)
    d = {"lod": np.float32(0.0), "4x4/Dense1/weight": rng.standard_normal((16, 1)).astype("f4")}
    gs = ref.official_generator_variables(resolution, rng, **SMALL)
    static = dict(STATIC, resolution=resolution)
    return [("G", static, g), ("D", static, d), ("Gs", static, gs)]


def write_official(tmp_path, name="net.pkl", **kwargs):
    path = tmp_path / name
    networks = official_networks()
    ref.write_official_pickle(path, networks, **kwargs)
    return path, networks


@pytest.mark.parametrize(
    "numpy1_names, protocol", [(True, 4), (False, 4), (True, 2), (False, 5)]
)
def test_official_pickle_round_trip(tmp_path, numpy1_names, protocol):
    path, networks = write_official(tmp_path, numpy1_names=numpy1_names, protocol=protocol)
    assert (b"numpy.core." in path.read_bytes()) == numpy1_names
    loaded = read_tf_progan_pickle(path)
    assert list(loaded) == ["G", "D", "Gs"]
    for (name, static, variables), (label, net) in zip(networks, loaded.items()):
        assert net["name"] == name == label
        assert net["static_kwargs"] == static
        assert net["build_func_name"] == ("D_paper" if name == "D" else "G_paper")
        assert list(net["variables"]) == list(variables)
        for key, value in variables.items():
            assert net["variables"][key].dtype == np.float32
            np.testing.assert_array_equal(net["variables"][key], value)
    shapes = {k: v.shape for k, v in loaded["Gs"]["variables"].items()}
    assert shapes["lod"] == ()
    assert shapes["4x4/Dense/weight"] == (16, 256) and shapes["4x4/Dense/bias"] == (16,)
    assert shapes["16x16/Conv0/weight"] == (3, 3, 16, 8)
    assert shapes["ToRGB_lod0/weight"] == (1, 1, 8, 3)
    assert shapes["ToRGB_lod2/weight"] == (1, 1, 16, 3)


def test_single_network_pickle(tmp_path):
    path = tmp_path / "gs.pkl"
    _, _, (name, static, variables) = official_networks()
    ref.write_official_pickle(path, [(name, static, variables)])
    loaded = read_tf_progan_pickle(path)
    assert list(loaded) == ["Gs"]
    for key, value in variables.items():
        np.testing.assert_array_equal(loaded["Gs"]["variables"][key], value)


def test_build_module_src_is_never_run(tmp_path):
    marker = tmp_path / "executed"
    source = f"open({str(marker)!r}, 'w').close()\ndef G_paper(*args, **kwargs):\n    pass\n"
    path, _ = write_official(tmp_path, build_module_src=source)
    loaded = read_tf_progan_pickle(path)
    assert set(loaded) == {"G", "D", "Gs"}
    assert not marker.exists()


def test_refuses_os_system(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pkl"
    path.write_bytes(b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")
    with pytest.raises(CheckpointError, match=r"os\.system"):
        read_tf_progan_pickle(path)
    assert not marker.exists()


def test_refuses_other_globals_inside_a_network(tmp_path):
    class Evil:
        def __reduce__(self):
            return (eval, ("1 + 1",))

    path, networks = tmp_path / "evil.pkl", official_networks()
    networks[0][1]["payload"] = Evil()
    ref.write_official_pickle(path, networks)
    with pytest.raises(CheckpointError, match=r"builtins\.eval"):
        read_tf_progan_pickle(path)


def test_truncated_pickle(tmp_path):
    path, _ = write_official(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated") as error:
        read_tf_progan_pickle(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize("data", [b"", b"this is not a pickle", bytes(range(256))])
def test_not_a_pickle(tmp_path, data):
    path = tmp_path / "garbage.pkl"
    path.write_bytes(data)
    with pytest.raises(CheckpointError, match="garbage.pkl"):
        read_tf_progan_pickle(path)


def test_missing_state_keys(tmp_path):
    path, _ = write_official(tmp_path, drop_state_keys=("variables",))
    with pytest.raises(CheckpointError, match="lacks variables"):
        read_tf_progan_pickle(path)


def test_unexpected_top_level_object(tmp_path):
    path = tmp_path / "list.pkl"
    path.write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(CheckpointError, match="tfutil.Network"):
        read_tf_progan_pickle(path)


# --------------------------------------------------------------------------
# pytorch_GAN_zoo


def zoo_checkpoint(tmp_path, legacy_format):
    config = ref.pgan_zoo_config([16, 16, 8], dim_latent=12, alpha=0.0)
    avg = ref.pgan_zoo_generator_state(config, np.random.default_rng(1))
    net = ref.pgan_zoo_generator_state(config, np.random.default_rng(2))
    path = tmp_path / "pgan.pth"
    ref.write_pgan_zoo_checkpoint(path, config, avg, net_g=net, legacy_format=legacy_format)
    return path, config, avg, net


@pytest.mark.parametrize("legacy_format", [False, True])
def test_pgan_zoo_round_trip(tmp_path, legacy_format):
    pytest.importorskip("torch")
    path, config, avg, net = zoo_checkpoint(tmp_path, legacy_format)
    assert path.read_bytes().startswith(b"PK") != legacy_format
    loaded = read_pgan_zoo_checkpoint(path)
    assert set(loaded) == {"config", "netG", "avgG"}
    assert loaded["config"] == config
    for key, expected in (("avgG", avg), ("netG", net)):
        assert list(loaded[key]) == list(expected)
        for name, value in expected.items():
            np.testing.assert_array_equal(loaded[key][name], value)
    assert loaded["avgG"]["formatLayer.module.weight"].shape == (256, 12)
    assert loaded["avgG"]["scaleLayers.1.0.module.weight"].shape == (8, 16, 3, 3)
    assert loaded["avgG"]["toRGBLayers.2.module.weight"].shape == (3, 8, 1, 1)


def test_pgan_zoo_old_key_spellings_are_canonical(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "old.pth"
    state = {
        "module.formatLayer.weight": torch.ones(4, 2),
        "toRGBLayers.0.module.bias": torch.zeros(3),
    }
    torch.save({"config": {"depthScale0": 4}, "netG": state, "avgG": state}, path)
    loaded = read_pgan_zoo_checkpoint(path)
    assert list(loaded["avgG"]) == ["formatLayer.module.weight", "toRGBLayers.0.module.bias"]
    assert loaded["config"] == {"depthScale0": 4}


def test_pgan_zoo_missing_avg_generator(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "no_avg.pth"
    torch.save({"config": {}, "netG": {"formatLayer.module.weight": torch.ones(2, 2)}}, path)
    with pytest.raises(CheckpointError, match="missing avgG"):
        read_pgan_zoo_checkpoint(path)


@pytest.mark.parametrize("legacy_format", [False, True])
def test_pgan_zoo_truncated_or_garbage(tmp_path, legacy_format):
    pytest.importorskip("torch")
    path, *_ = zoo_checkpoint(tmp_path, legacy_format)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated"):
        read_pgan_zoo_checkpoint(path)
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="pgan.pth"):
        read_pgan_zoo_checkpoint(path)


def test_pgan_zoo_refuses_other_globals(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "evil.pth"
    torch.save({"config": os.path.join, "netG": {}, "avgG": {}}, path)
    with pytest.raises(CheckpointError, match=r"posixpath\.join|ntpath\.join"):
        read_pgan_zoo_checkpoint(path)


# --------------------------------------------------------------------------
# Sanity of the NumPy references.


def test_conv_helper_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 5, 5))
    kernel = rng.standard_normal((3, 3, 4, 6))  # HWIO
    expected = torch.nn.functional.conv2d(
        torch.from_numpy(x), torch.from_numpy(kernel.transpose(3, 2, 0, 1)), padding=1
    ).numpy()
    np.testing.assert_allclose(ref.conv2d_nchw(x, kernel), expected, atol=1e-10)


def test_official_forward_shapes_and_lod_blending():
    rng = np.random.default_rng(4)
    variables = ref.official_generator_variables(8, rng, **SMALL)
    latents = rng.standard_normal((3, 16)).astype("float32")
    kw = dict(fmap_base=64, fmap_max=16)
    full = ref.official_generator_forward(variables, latents, **kw)
    coarse = ref.official_generator_forward(variables, latents, lod=1.0, **kw)
    half = ref.official_generator_forward(variables, latents, lod=0.5, **kw)
    assert full.shape == coarse.shape == (3, 8, 8, 3) and full.dtype == np.float32
    # lod=1 at 8x8: the 4x4 network's ToRGB image, nearest-upsampled.
    small = {k: v for k, v in variables.items() if k.startswith("4x4/") or k == "lod"}
    small["ToRGB_lod0/weight"] = variables["ToRGB_lod1/weight"]
    small["ToRGB_lod0/bias"] = variables["ToRGB_lod1/bias"]
    four = ref.official_generator_forward(small, latents, **kw)
    assert four.shape == (3, 4, 4, 3)
    np.testing.assert_allclose(coarse, four.repeat(2, axis=1).repeat(2, axis=2), atol=1e-5)
    np.testing.assert_allclose(half, (full + coarse) / 2, atol=1e-5)
    # lod beyond the coarsest level is clipped.
    clipped = ref.official_generator_forward(variables, latents, lod=3.0, **kw)
    np.testing.assert_allclose(clipped, coarse)
    with pytest.raises(ValueError, match="fmap_base"):
        ref.official_generator_forward(variables, latents, fmap_base=8192, fmap_max=512)


def test_pgan_zoo_forward_shapes_and_alpha_blending():
    rng = np.random.default_rng(5)
    config = ref.pgan_zoo_config([16, 8, 8], dim_latent=12)
    state = ref.pgan_zoo_generator_state(config, rng)
    latents = rng.standard_normal((2, 12)).astype("float32")
    new = ref.pgan_zoo_generator_forward(state, config, latents)
    old = ref.pgan_zoo_generator_forward(state, config, latents, alpha=1.0)
    mixed = ref.pgan_zoo_generator_forward(state, config, latents, alpha=0.25)
    assert new.shape == (2, 16, 16, 3) and new.dtype == np.float32
    # alpha=1: the 8x8 network's output (toRGBLayers.1), nearest-upsampled.
    small_config = ref.pgan_zoo_config([16, 8], dim_latent=12)
    dropped = ("scaleLayers.1.", "toRGBLayers.2.")
    small = {k: v for k, v in state.items() if not k.startswith(dropped)}
    eight = ref.pgan_zoo_generator_forward(small, small_config, latents)
    assert eight.shape == (2, 8, 8, 3)
    np.testing.assert_allclose(old, eight.repeat(2, axis=1).repeat(2, axis=2), atol=1e-5)
    np.testing.assert_allclose(mixed, 0.25 * old + 0.75 * new, atol=1e-5)
    tanh = ref.pgan_zoo_generator_forward(state, dict(config, lossCriterion="DCGAN"), latents)
    np.testing.assert_allclose(tanh, np.tanh(new), atol=1e-5)
