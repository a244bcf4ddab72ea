"""Third-party checkpoints: the PyTorch reader and the gan-face-generate converter."""

import pickle
import zipfile

import numpy as np
import pytest
import torch
from torch import nn

from kgan.models import dcgan_generator
from kgan.zoo import converters
from kgan.zoo.torch_checkpoint import CheckpointError
from kgan.zoo.torch_checkpoint import load_torch_checkpoint
from kgan.zoo.registry import CONVERTED


def torch_generator(nz=100, ngf=64, nc=3):
    """The original architecture (PyTorch DCGAN tutorial, as in gan-face-generate)."""
    return nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh(),
    )


def save_random_checkpoint(path, nz=16, ngf=4):
    torch.manual_seed(0)
    network = torch_generator(nz, ngf)
    with torch.no_grad():
        for module in network.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.normal_(0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.normal_(1, 0.1)
                module.bias.normal_(0, 0.1)
    torch.save({"netG_state_dict": {"main." + k: v for k, v in network.state_dict().items()}}, path)
    return network


def compare(network, generator, nz):
    latents = np.random.default_rng(5).standard_normal((4, nz)).astype("float32")
    network.eval()
    with torch.no_grad():
        expected = network(torch.from_numpy(latents)[:, :, None, None]).numpy().transpose(0, 2, 3, 1)
    actual = np.asarray(generator.predict_on_batch(latents))
    np.testing.assert_allclose(actual, expected, atol=1e-4)
    return expected


def test_reader_matches_torch_load(tmp_path):
    path = tmp_path / "ckpt.pt"
    network = save_random_checkpoint(path)
    state = load_torch_checkpoint(path)["netG_state_dict"]
    for key, value in network.state_dict().items():
        np.testing.assert_array_equal(state["main." + key], value.numpy())


def test_converted_random_checkpoint_matches_pytorch(tmp_path):
    path = tmp_path / "ckpt.pt"
    network = save_random_checkpoint(path, nz=16, ngf=4)
    generator = dcgan_generator(64, 3, latent_dim=16, width=4)
    converters.torch_dcgan_generator_weights(load_torch_checkpoint(path)["netG_state_dict"], generator)
    compare(network, generator, 16)


def test_converted_gan_face_generate_matches_pytorch(tmp_path, monkeypatch):
    monkeypatch.setenv("KGAN_HOME", str(tmp_path))
    try:
        path = converters.source_file(CONVERTED["dcgan_digiface_64"]["source"])
    except OSError as error:  # neither installed nor downloadable
        pytest.skip(f"gan-face-generate unavailable: {error}")
    import kgan

    gan = kgan.zoo.load("dcgan_digiface_64")
    network = torch_generator()
    state = load_torch_checkpoint(path)["netG_state_dict"]
    network.load_state_dict({k[len("main."):]: torch.from_numpy(np.array(v)) for k, v in state.items()})
    expected = compare(network, gan.generator, 100)
    assert expected.std() > 0.1  # real faces, not a constant image
    assert gan.preset_metadata["license"].startswith("MIT")
    images = gan.generate(2, seed=0)
    assert images.shape == (2, 64, 64, 3) and images.dtype == np.uint8


def test_truncated_checkpoint_is_a_clear_error(tmp_path):
    path = tmp_path / "ckpt.pt"
    save_random_checkpoint(path)
    data = path.read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="cut.pt"):
        load_torch_checkpoint(tmp_path / "cut.pt")


class Exploit:
    def __reduce__(self):
        return (print, ("code ran",))


def test_tampered_checkpoint_runs_no_code(tmp_path, capsys):
    path = tmp_path / "evil.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("evil/data.pkl", pickle.dumps({"x": Exploit()}, protocol=2))
    with pytest.raises(CheckpointError, match="refusing to load .*print"):
        load_torch_checkpoint(path)
    assert "code ran" not in capsys.readouterr().out


def test_converter_rejects_a_mismatched_generator(tmp_path):
    path = tmp_path / "ckpt.pt"
    save_random_checkpoint(path, nz=16, ngf=4)
    with pytest.raises(ValueError, match="does not fit the Dense kernel"):
        converters.torch_dcgan_generator_weights(
            load_torch_checkpoint(path)["netG_state_dict"], dcgan_generator(64, 3, latent_dim=16, width=8)
        )
