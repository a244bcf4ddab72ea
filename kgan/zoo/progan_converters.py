"""ProGAN checkpoints to kgan presets: the authors' TF pickle and pytorch_GAN_zoo's PGAN.

Both originals are NCHW: the 4x4 dense layer's outputs are ordered
(channel, row, column), where kgan's NHWC generator expects (row, column,
channel), so the dense kernel's columns (and a per-position bias) are permuted.
"""

import math
import os

import numpy as np

from kgan.zoo.download import sha256_of
from kgan.zoo.progan_checkpoint import read_pgan_zoo_checkpoint
from kgan.zoo.progan_checkpoint import read_tf_progan_pickle
from kgan.zoo.torch_checkpoint import CheckpointError

# G_paper's keyword arguments and the only values kgan's generator implements.
_OFFICIAL_FIXED = {
    "fmap_decay": 1.0,
    "label_size": 0,
    "use_wscale": True,
    "use_pixelnorm": True,
    "use_leakyrelu": True,
    "use_batchnorm": False,
    "tanh_at_end": None,
    "pixelnorm_epsilon": 1e-8,
}


def _nchw_columns_to_nhwc(kernel, channels):
    """Reorders a dense kernel's output columns from (C, 4, 4) to (4, 4, C)."""
    rows = kernel.shape[0]
    return kernel.reshape(rows, channels, 4, 4).transpose(0, 2, 3, 1).reshape(rows, -1)


def _assign(layer, kernel, bias):
    for variable, value in ((layer.kernel, kernel), (layer.bias, bias)):
        if tuple(variable.shape) != value.shape:
            raise CheckpointError(
                f"{layer.name}/{variable.name}: the checkpoint has shape {value.shape}, "
                f"kgan expects {tuple(variable.shape)}."
            )
        variable.assign(value.astype("float32"))


def _take(variables, name):
    if name not in variables:
        raise CheckpointError(f"The checkpoint has no variable {name!r}.")
    return np.asarray(variables[name], "float32")


def official_generator(network):
    """Builds a `ProGANGenerator` holding an official `G_paper` network's weights.

    Args:
        network: `{"static_kwargs", "variables"}` of `G` or `Gs` from
            `read_tf_progan_pickle`.

    Returns:
        The generator, with the checkpoint's `lod`.
    """
    from kgan.models.progan import ProGANGenerator
    from kgan.models.progan import num_filters

    kwargs, variables = network["static_kwargs"], network["variables"]
    for key, value in _OFFICIAL_FIXED.items():
        if key in kwargs and kwargs[key] != value:
            raise CheckpointError(
                f"Unsupported ProGAN network: {key}={kwargs[key]!r} (kgan implements {value!r})."
            )
    if any(name.endswith("Conv0_up/weight") for name in variables):
        raise CheckpointError("Unsupported ProGAN network: fused upscaling (Conv0_up).")
    fmap_base = int(kwargs.get("fmap_base", 8192))
    fmap_max = int(kwargs.get("fmap_max", 512))
    generator = ProGANGenerator(
        resolution=int(kwargs.get("resolution", 1024)),
        latent_dim=int(kwargs.get("latent_size") or num_filters(0, fmap_base, fmap_max)),
        channels=int(kwargs.get("num_channels", 3)),
        fmap_base=fmap_base,
        fmap_max=fmap_max,
        normalize_latents=bool(kwargs.get("normalize_latents", True)),
    )
    generator.build()
    channels = generator.nf(1)
    _assign(
        generator.dense,
        _nchw_columns_to_nhwc(_take(variables, "4x4/Dense/weight"), channels),
        np.tile(_take(variables, "4x4/Dense/bias"), 16),
    )
    for level, convs in enumerate(generator.convs):
        res = 4 * 2**level
        names = ["4x4/Conv"] if level == 0 else [f"{res}x{res}/Conv0", f"{res}x{res}/Conv1"]
        for conv, name in zip(convs, names):
            _assign(conv, _take(variables, name + "/weight"), _take(variables, name + "/bias"))
        lod = generator.num_levels - 1 - level
        _assign(
            generator.to_rgb[level],
            _take(variables, f"ToRGB_lod{lod}/weight"),
            _take(variables, f"ToRGB_lod{lod}/bias"),
        )
    generator.lod.assign(float(np.asarray(variables.get("lod", 0.0))))
    return generator


def _zoo_depths(config):
    depths = [int(config["depthScale0"])] + [int(d) for d in config.get("depthOtherScales", [])]
    fmap_max = depths[0]
    smaller = [i for i, d in enumerate(depths) if d < fmap_max]
    fmap_base = depths[smaller[0]] * 2 ** (smaller[0] + 1) if smaller else 2 * fmap_max
    from kgan.models.progan import num_filters

    if depths != [num_filters(i + 1, fmap_base, fmap_max) for i in range(len(depths))]:
        raise CheckpointError(
            f"Unsupported PGAN depths {depths}: kgan's generator needs "
            "min(fmap_base / 2**stage, fmap_max) channels per scale."
        )
    return depths, fmap_base, fmap_max


def pgan_zoo_generator(state, config):
    """Builds a `ProGANGenerator` holding a pytorch_GAN_zoo `GNet` state dict.

    pytorch_GAN_zoo scales every layer's output, bias included, by
    `sqrt(2 / fan_in)` (toRGB too); kgan scales only the kernel, so biases
    are multiplied by that constant here. Its blend weight `alpha` (1 = the
    previous scale) is kgan's `lod` between the last two levels.

    Args:
        state: `netG` or `avgG` from `read_pgan_zoo_checkpoint`.
        config: the checkpoint's `config`.

    Returns:
        The generator.
    """
    from kgan.models.progan import ProGANGenerator

    unsupported = {
        "equalizedlR": (True, "an equalized learning rate"),
        "perChannelNormalization": (True, "pixel norm"),
        "leakyReluLeak": (0.2, "LeakyReLU(0.2)"),
    }
    for key, (value, what) in unsupported.items():
        if config.get(key, value) != value:
            raise CheckpointError(f"Unsupported PGAN: {key}={config[key]!r} (kgan needs {what}).")
    if config.get("lossCriterion") in ("MSE", "DCGAN") or config.get("categoryVectorDim", 0):
        raise CheckpointError("Unsupported PGAN: tanh output or class conditions.")
    depths, fmap_base, fmap_max = _zoo_depths(config)
    weight = _take(state, "formatLayer.module.weight")
    latent_dim = weight.shape[1]
    generator = ProGANGenerator(
        resolution=4 * 2 ** (len(depths) - 1),
        latent_dim=latent_dim,
        channels=int(config.get("dimOutput", 3)),
        fmap_base=fmap_base,
        fmap_max=fmap_max,
        dense_gain=math.sqrt(2.0),
        to_rgb_gain=math.sqrt(2.0),
    )
    generator.build()

    def conv(layer, prefix):
        kernel = _take(state, prefix + ".module.weight")  # [out, in, kh, kw]
        scale = math.sqrt(2.0 / np.prod(kernel.shape[1:]))
        _assign(layer, kernel.transpose(2, 3, 1, 0), _take(state, prefix + ".module.bias") * scale)

    bias = _take(state, "formatLayer.module.bias").reshape(depths[0], 4, 4).transpose(1, 2, 0)
    _assign(
        generator.dense,
        _nchw_columns_to_nhwc(weight.T, depths[0]),
        bias.reshape(-1) * math.sqrt(2.0 / latent_dim),
    )
    conv(generator.convs[0][0], "groupScale0.0")
    for level in range(1, generator.num_levels):
        conv(generator.convs[level][0], f"scaleLayers.{level - 1}.0")
        conv(generator.convs[level][1], f"scaleLayers.{level - 1}.1")
    for level in range(generator.num_levels):
        conv(generator.to_rgb[level], f"toRGBLayers.{level}")
    generator.lod.assign(float(config.get("alpha", 0.0)))
    return generator


def _progan(generator, generator_ema, name, group_size):
    from kgan.models.progan import ProGAN
    from kgan.models.progan import ProGANDiscriminator

    discriminator = ProGANDiscriminator(
        generator.resolution, generator.channels, generator.fmap_base, generator.fmap_max,
        mbstd_group_size=group_size,
    )
    return ProGAN(generator, discriminator, generator_ema=generator_ema, name=name)


def _save(gan, directory, path, license, description):
    from kgan.zoo.presets import save_preset

    return save_preset(
        gan,
        directory,
        data="CelebA-HQ (Karras et al. 2018), 30,000 faces",
        license=license,
        description=description + "; the discriminator is untrained.",
        source={"file": os.path.basename(path), "sha256": sha256_of(path)},
    )


def convert_progan_official(path, directory, name="progan_celebahq_1024"):
    """Converts the authors' `karras2018iclr-*.pkl` (G, D, Gs) to a ProGAN preset.

    G becomes the generator and Gs (the published images' network) the
    averaged generator that `generate` runs. The discriminator is not
    imported: the preset's critic is freshly initialised (fine-tuning starts
    from a new critic).
    """
    networks = read_tf_progan_pickle(path)
    if "Gs" not in networks:
        raise CheckpointError(f"{path} holds no 'Gs' network (found {sorted(networks)}).")
    averaged = official_generator(networks["Gs"])
    generator = official_generator(networks.get("G", networks["Gs"]))
    gan = _progan(generator, averaged, name, group_size=4)
    return _save(
        gan,
        directory,
        path,
        license="CC BY-NC 4.0 (weights, NVIDIA)",
        description="The authors' ProGAN, converted from their TensorFlow pickle (G and Gs)",
    )


def convert_progan_pgan_zoo(path, directory, name="progan_celebahq_256"):
    """Converts a pytorch_GAN_zoo PGAN checkpoint (netG, avgG) to a ProGAN preset."""
    checkpoint = read_pgan_zoo_checkpoint(path)
    config = checkpoint["config"]
    gan = _progan(
        pgan_zoo_generator(checkpoint["netG"], config),
        pgan_zoo_generator(checkpoint["avgG"], config),
        name,
        group_size=4,
    )
    return _save(
        gan,
        directory,
        path,
        license="BSD-3-Clause (pytorch_GAN_zoo weights, Facebook Research)",
        description="pytorch_GAN_zoo's PGAN (torch hub), converted from netG and avgG",
    )
