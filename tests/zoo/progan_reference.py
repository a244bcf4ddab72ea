"""Independent NumPy references for two published ProGAN generators (test helpers).

Nothing here uses kgan's models: the forward passes below are written from the
original sources, so tests can compare kgan's converted Keras generators with
them. Facts checked in the sources (file paths in the public repositories):

Official TensorFlow ProGAN -- tkarras/progressive_growing_of_gans
(networks.py `G_paper`, tfutil.py `Network`, legacy.py, README.md):

* Pickle: `G, D, Gs = pickle.load(f)`; each `tfutil.Network.__getstate__`
  returns `{"version": 2, "name", "static_kwargs", "build_module_src",
  "build_func_name", "variables": list(zip(names, session.run(vars)))}`;
  `__setstate__` exec()s `build_module_src` and needs a TF1 session, which is
  why kgan reads it with a stub class instead. Variables are in creation order
  of the template graph (structure "linear"): `lod`, `4x4/Dense/*`,
  `4x4/Conv/*`, `ToRGB_lod{log2(res)-2}/*`, then per resolution `RxR/Conv0/*`,
  `RxR/Conv1/*`, `ToRGB_lod{...}/*`. `lod` comes back from `session.run` as
  a NumPy float32 scalar.
* `nf(stage) = min(int(fmap_base / 2 ** (stage * fmap_decay)), fmap_max)`,
  fmap_decay 1.0; the block at resolution 2**r has nf(r-1) maps;
  latent_size defaults to nf(0).
* Equalized learning rate (`get_weight`, use_wscale=True): weights stored
  ~N(0, 1), multiplied at run time by `gain / sqrt(fan_in)`,
  `fan_in = prod(shape[:-1])`, default gain sqrt(2). Biases are NOT scaled.
* 4x4 block: pixel-norm the latents (`x * rsqrt(mean(x**2, axis=1) + 1e-8)`,
  `normalize_latents=True`), dense [latent, 16*nf(1)] with gain sqrt(2)/4
  ("override gain to match the original Theano implementation"), reshape to
  NCHW [-1, nf(1), 4, 4], then bias [nf(1)] (per channel, after the reshape),
  LeakyReLU(0.2) (`max(x * 0.2, x)`), PixelNorm; then `Conv` 3x3 SAME, bias,
  LeakyReLU, PixelNorm.
* Higher blocks with `fused_scale=False`: nearest upscale x2 (reshape + tile),
  `Conv0` 3x3, `Conv1` 3x3, each conv -> bias -> LeakyReLU -> PixelNorm.
  With `fused_scale=True` (the default of `G_paper`) the variable is
  `Conv0_up/weight` [3, 3, out, in] used by a transposed conv; the CelebA-HQ
  release uses `Conv0` (legacy.py sets `fused_scale=False` for networks
  converted from Theano; third-party converters of that pickle, e.g.
  InterFaceGAN's pggan_generator_model.py `_PGGAN_PTH_VARS_TO_TF_VARS`, map
  `8x8/Conv0/weight` etc. and set `fused_scale: False` for pggan_celebahq;
  not checked on the file itself). This reference supports only `Conv0`.
* ToRGB: 1x1 conv, gain 1, bias, no activation (linear). No tanh at the end.
* Output, linear structure: `images = torgb(4x4)`; for each res 3..log2:
  `images = lerp_clip(torgb(x_res), upscale2d(images), lod_in - lod_res)`
  with `lod_res = log2(resolution) - res` and `lerp_clip(a, b, t) = a + (b -
  a) * clip(t, 0, 1)`. `images` is upscaled at every step, so the output is
  always at full resolution and nothing more is upscaled at the end. The
  recursive structure that `Gs.run` uses (`upscale2d(..., 2 ** lod)`) gives the
  same result. `lod_in` is the network's `lod` variable.
* Everything is NCHW; outputs are in [-1, 1] as trained (`Gs.run` returns NCHW).

pytorch_GAN_zoo PGAN -- facebookresearch/pytorch_GAN_zoo
(models/networks/progressive_conv_net.py `GNet`, models/networks/custom_layers.py,
models/progressive_gan.py, models/base_GAN.py, models/utils/config.py,
models/utils/utils.py `loadStateDictCompatible`,
models/trainer/standard_configurations/pgan_config.py,
models/loss_criterions/base_loss_criterions.py, hubconf.py):

* Equalized LR (`ConstrainedLayer`): weights ~N(0, 1); forward is
  `module(x) * sqrt(2 / fan_in)` with `fan_in = prod(weight.shape[1:])` --
  the He constant with gain sqrt(2) for EVERY layer (formatLayer: fan_in =
  dimLatent; toRGB 1x1: gain sqrt(2) too, unlike the official gain 1) and the
  constant multiplies the output of the nn.Conv2d/nn.Linear, so the BIAS IS
  SCALED as well: `(W x + b) * c`.
* Forward: if `perChannelNormalization`, pixel-norm the latent
  (`x * rsqrt(mean(x**2, dim=1) + 1e-8)`); `formatLayer` = EqualizedLinear
  dimLatent -> 16 * depthScale0 with a bias per output (8192 for 512 maps);
  LeakyReLU; view to NCHW `(N, -1, 4, 4)`; PixelNorm (upstream calls it
  unconditionally, which would fail with normalization off).
  `groupScale0.0`: 3x3 conv padding 1 -> LeakyReLU -> PixelNorm. Each
  `scaleLayers.{i}`: nearest upscale x2 (`Upscale2d`, view + expand), then
  `.0` (3x3, prev -> depth) and `.1` (3x3) each -> LeakyReLU -> PixelNorm.
  Then `toRGBLayers[-1]` (1x1, no activation), blended when alpha > 0 with
  `y = Upscale2d(toRGBLayers[-2](x at the previous scale))` as
  `alpha * y + (1 - alpha) * x` (alpha = 1 is the OLD scale, the official
  `lod` convention reversed; only the last two scales take part), then
  `generationActivation`: None for the WGANGP and Logistic losses, tanh for
  MSE and DCGAN (it comes from `config.lossCriterion`, it is not a config key).
  LeakyReLU slope = `leakyReluLeak` (0.2). The resolution is
  4 * 2 ** len(scaleLayers).
* Saved file (`BaseGAN.save` -> `torch.save`): `{"config": BaseConfig,
  "netG": state_dict, "netD": state_dict, "avgG": state_dict}` (optionally
  `tmp`); `config` is a pickled `models.utils.config.BaseConfig` object, not a
  dict. avgG is the moving average `avg = 0.999 * avg + 0.001 * p`, the one
  `test(getAvG=True)` samples from. State keys: `formatLayer.module.{weight,
  bias}` [16*d0, dimLatent] / [16*d0], `groupScale0.0.module.*` [d0, d0, 3, 3],
  `scaleLayers.{i}.{0,1}.module.*`, `toRGBLayers.{i}.module.*` [dimOutput,
  d, 1, 1]; state_dict order: scaleLayers, toRGBLayers, formatLayer,
  groupScale0 (registration order in `GNet.__init__`). `loadStateDictCompatible`
  also accepts names without `.module.` and with a DataParallel `module.`
  prefix, a hint that older checkpoints may use them.
* Config attributes set by the model (what the checkpoint holds):
  `depthScale0`, `depthOtherScales` (depth of each added scale),
  `noiseVectorDim` / `latentVectorDim` (latent size; + `categoryVectorDim`
  for AC-GAN), `dimOutput`, `leakyReluLeak`, `perChannelNormalization`,
  `equalizedlR`, `initBiasToZero`, `alpha`, `miniBatchStdDev`,
  `lossCriterion`, `learningRate`, `lambdaGP`, `epsilonD`, `attribKeysOrder`,
  `weightConditionG/D`, `GDPP`, `logisticGradReal`. The trainer keys
  `depthScales`, `dimLatentVector`, `leakyness`, `maxIterAtScale`,
  `alphaJumpMode`... (pgan_config.py defaults: depthScales
  [512, 512, 512, 512, 256, 128, 64, 32, 16], dimLatentVector 512,
  miniBatchStdDev True, lossMode WGANGP, leakyness 0.2) are NOT stored in the
  model checkpoint; the hub loader rebuilds the networks from the checkpoint's
  config (`updateConfig` only overrides attributes, so absent keys keep the
  constructor defaults: equalizedlR True, perChannelNormalization True,
  leakyReluLeak 0.2, dimOutput 3, dimLatentVector 512).
* torch hub (hubconf.py `PGAN(pretrained=True, model_name=...)`):
  celebAHQ-256 https://dl.fbaipublicfiles.com/gan_zoo/PGAN/celebaHQ_s6_i80000-6196db68.pth
  (scale 6 -> 256x256), celebAHQ-512
  https://dl.fbaipublicfiles.com/gan_zoo/PGAN/celebaHQ16_december_s7_i96000-9c72988c.pth
  (scale 7 -> 512x512), also DTD (testDTD_s5_i96000-04efa39f.pth) and celeba
  (celebaCropped_s5_i83000-2b0acc76.pth), 128x128. Not downloaded here: the
  per-scale depths, the exact key spelling and the file format could not be
  checked. Files from 2019 predate PyTorch 1.6, so they are expected in the
  legacy (non-zip) `torch.save` format; `write_pgan_zoo_checkpoint` can write
  both.
"""

import collections
import pickle
import pickletools
import sys
import types

import numpy as np

SQRT2 = np.sqrt(2.0)


# --------------------------------------------------------------------------
# Shared NCHW helpers (float64 inside).


def _pixel_norm(x, epsilon=1e-8):
    return x / np.sqrt(np.mean(np.square(x), axis=1, keepdims=True) + epsilon)


def _leaky_relu(x, slope=0.2):
    return np.where(x >= 0, x, slope * x)


def _upscale(x, factor=2):
    return x.repeat(factor, axis=2).repeat(factor, axis=3)


def conv2d_nchw(x, kernel_hwio):
    """SAME cross-correlation of NCHW `x` with an odd [k, k, in, out] kernel."""
    k = kernel_hwio.shape[0]
    pad = k // 2
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(2, 3))
    return np.einsum("nchwij,ijco->nohw", windows, kernel_hwio, optimize=True)


# --------------------------------------------------------------------------
# Official TensorFlow ProGAN (G_paper, fused_scale=False).


def _nf(stage, fmap_base, fmap_max):
    return min(int(fmap_base / (2.0**stage)), fmap_max)


def official_generator_variables(
    resolution, rng, latent_size=512, fmap_base=8192, fmap_max=512, num_channels=3
):
    """Random official `G_paper` variables, named and shaped as in the pickle.

    Args:
        resolution: output size, a power of two >= 4.
        rng: a `np.random.Generator`.
        latent_size: latent dimension (the official default is nf(0)).
        fmap_base: `G_paper`'s fmap_base.
        fmap_max: `G_paper`'s fmap_max.
        num_channels: image channels.

    Returns:
        Dict from official name to float32 array (TF layouts: dense
        [in, out], conv [k, k, in, out]); weights ~N(0, 1), biases small
        random, `lod` a float32 scalar 0.0. Insertion order is the official
        variable order.
    """
    log2 = int(np.log2(resolution))
    if resolution != 2**log2 or resolution < 4:
        raise ValueError(f"resolution must be a power of two >= 4, got {resolution}")

    def nf(stage):
        return _nf(stage, fmap_base, fmap_max)

    variables = {"lod": np.float32(0.0)}

    def add(name, weight_shape, bias_size):
        variables[name + "/weight"] = rng.standard_normal(weight_shape).astype(np.float32)
        variables[name + "/bias"] = (0.1 * rng.standard_normal(bias_size)).astype(np.float32)

    add("4x4/Dense", (latent_size, nf(1) * 16), nf(1))
    add("4x4/Conv", (3, 3, nf(1), nf(1)), nf(1))
    add(f"ToRGB_lod{log2 - 2}", (1, 1, nf(1), num_channels), num_channels)
    for res in range(3, log2 + 1):
        size = 2**res
        add(f"{size}x{size}/Conv0", (3, 3, nf(res - 2), nf(res - 1)), nf(res - 1))
        add(f"{size}x{size}/Conv1", (3, 3, nf(res - 1), nf(res - 1)), nf(res - 1))
        add(f"ToRGB_lod{log2 - res}", (1, 1, nf(res - 1), num_channels), num_channels)
    return variables


def official_generator_forward(variables, latents, lod=0.0, fmap_base=8192, fmap_max=512):
    """The official `G_paper` forward pass (linear structure) in NumPy.

    Args:
        variables: dict from official name to array, as in the pickle.
        latents: [N, latent_size] latent vectors.
        lod: `lod_in` (the network's `lod` variable; 0 = full detail).
        fmap_base: `G_paper`'s fmap_base, only used to check the shapes.
        fmap_max: `G_paper`'s fmap_max, only used to check the shapes.

    Returns:
        NHWC float32 images at full resolution (the network computes NCHW).
    """
    lods = [
        int(name[len("ToRGB_lod") : -len("/weight")])
        for name in variables
        if name.startswith("ToRGB_lod") and name.endswith("/weight")
    ]
    log2 = max(lods) + 2

    def var(name):
        return np.asarray(variables[name], dtype=np.float64)

    def check(name, channels):
        if var(name + "/bias").shape != (channels,):
            raise ValueError(
                f"{name}: {var(name + '/bias').shape[0]} maps, but fmap_base={fmap_base}, "
                f"fmap_max={fmap_max} give {channels}"
            )

    def conv(x, name, gain=SQRT2):
        weight = var(name + "/weight")
        weight = weight * (gain / np.sqrt(np.prod(weight.shape[:-1])))
        return conv2d_nchw(x, weight) + var(name + "/bias")[None, :, None, None]

    def block_conv(x, name):
        return _pixel_norm(_leaky_relu(conv(x, name)))

    def torgb(x, res):
        return conv(x, f"ToRGB_lod{log2 - res}", gain=1.0)

    x = _pixel_norm(np.asarray(latents, dtype=np.float64))
    weight = var("4x4/Dense/weight")
    channels = _nf(1, fmap_base, fmap_max)
    check("4x4/Dense", channels)
    x = x @ (weight * (SQRT2 / 4 / np.sqrt(weight.shape[0])))
    x = x.reshape(-1, channels, 4, 4) + var("4x4/Dense/bias")[None, :, None, None]
    x = _pixel_norm(_leaky_relu(x))
    x = block_conv(x, "4x4/Conv")
    images = torgb(x, 2)
    for res in range(3, log2 + 1):
        size = 2**res
        check(f"{size}x{size}/Conv1", _nf(res - 1, fmap_base, fmap_max))
        x = _upscale(x)
        x = block_conv(x, f"{size}x{size}/Conv0")
        x = block_conv(x, f"{size}x{size}/Conv1")
        image = torgb(x, res)
        images = _upscale(images)
        t = np.clip(lod - (log2 - res), 0.0, 1.0)
        images = image + (images - image) * t
    return images.transpose(0, 2, 3, 1).astype(np.float32)


_OFFICIAL_SOURCE_STANDIN = (
    "# Stand-in for the official networks.py source stored in the pickle.\n"
    "def G_paper(latents_in, labels_in, **kwargs):\n"
    "    raise NotImplementedError\n"
)


def _numpy1_names(data):
    """Rewrites a pickle to name numpy._core.* numpy.core.* as NumPy 1.x did."""
    ops = list(pickletools.genops(data))
    out = bytearray()
    for index, (opcode, arg, position) in enumerate(ops):
        end = ops[index + 1][2] if index + 1 < len(ops) else len(data)
        chunk = data[position:end]
        if opcode.name == "FRAME":  # frames are optional; drop them, sizes change
            continue
        if isinstance(arg, str) and arg.startswith("numpy._core."):
            renamed = "numpy.core." + arg[len("numpy._core.") :]
            if opcode.name == "SHORT_BINUNICODE":  # protocol >= 4: length-prefixed
                chunk = b"\x8c" + bytes([len(renamed)]) + renamed.encode()
            elif opcode.name == "GLOBAL":  # protocol <= 3: "module\nname\n"
                chunk = b"c" + renamed.replace(" ", "\n").encode() + b"\n"
        out += chunk
    return bytes(out)


def write_official_pickle(
    path, networks, build_module_src=None, numpy1_names=True, drop_state_keys=(), protocol=4
):
    """Writes networks as the official code does (`pickle` of tfutil.Network).

    A class `tfutil.Network` is defined on the fly (module `tfutil` is in
    `sys.modules` only during the dump) whose `__getstate__` returns the
    official state dict.

    Args:
        path: file to write.
        networks: list of `(name, static_kwargs, variables)`; three networks
            are written as the tuple `(G, D, Gs)` like the released files, a
            single one as a bare Network.
        build_module_src: source stored in the state (never to be run by a
            reader); a small stand-in by default.
        numpy1_names: name NumPy's pickle helpers `numpy.core.multiarray.*` as
            the released files (NumPy 1.x) do, instead of NumPy 2's
            `numpy._core.*`.
        drop_state_keys: state keys to leave out (to test readers).
        protocol: pickle protocol; 4 is what the official code wrote
            (`pickle.HIGHEST_PROTOCOL` on Python 3.6); 2 stores bytes through
            `_codecs.encode`.
    """
    module = types.ModuleType("tfutil")

    class Network:
        def __init__(self, name, static_kwargs, variables):
            self.name, self.static_kwargs, self.variables = name, static_kwargs, variables

        def __getstate__(self):
            state = {
                "version": 2,
                "name": self.name,
                "static_kwargs": dict(self.static_kwargs),
                "build_module_src": build_module_src or _OFFICIAL_SOURCE_STANDIN,
                "build_func_name": "D_paper" if self.name.startswith("D") else "G_paper",
                "variables": list(self.variables.items()),
            }
            for key in drop_state_keys:
                state.pop(key)
            return state

    Network.__module__ = "tfutil"
    Network.__qualname__ = "Network"
    module.Network = Network
    objects = [Network(*network) for network in networks]
    payload = objects[0] if len(objects) == 1 else tuple(objects)
    previous = sys.modules.get("tfutil")
    sys.modules["tfutil"] = module
    try:
        data = pickle.dumps(payload, protocol=protocol)
    finally:
        if previous is None:
            del sys.modules["tfutil"]
        else:
            sys.modules["tfutil"] = previous
    if numpy1_names:
        data = _numpy1_names(data)
    with open(path, "wb") as file:
        file.write(data)


# --------------------------------------------------------------------------
# pytorch_GAN_zoo PGAN.


def pgan_zoo_config(
    depth_scales,
    dim_latent=512,
    dim_output=3,
    leaky_relu_leak=0.2,
    per_channel_normalization=True,
    equalized_lr=True,
    init_bias_to_zero=True,
    mini_batch_std_dev=True,
    loss_criterion="WGANGP",
    alpha=0.0,
):
    """The attributes a pytorch_GAN_zoo PGAN checkpoint stores in `config`.

    Args:
        depth_scales: maps of each scale, 4x4 first (trainer's `depthScales`).
        dim_latent: latent size (`noiseVectorDim` / `latentVectorDim`).
        dim_output: image channels.
        leaky_relu_leak: LeakyReLU slope.
        per_channel_normalization: pixel norm on/off.
        equalized_lr: equalized learning rate on/off.
        init_bias_to_zero: as saved by the model (no effect on inference).
        mini_batch_std_dev: as saved by the model (discriminator only).
        loss_criterion: `lossCriterion`; MSE and DCGAN put a tanh at the end.
        alpha: blending factor (1 = previous scale only).

    Returns:
        A dict with the model's config attribute names.
    """
    return {
        "depthScale0": int(depth_scales[0]),
        "initBiasToZero": init_bias_to_zero,
        "leakyReluLeak": leaky_relu_leak,
        "depthOtherScales": [int(d) for d in depth_scales[1:]],
        "perChannelNormalization": per_channel_normalization,
        "alpha": alpha,
        "miniBatchStdDev": mini_batch_std_dev,
        "equalizedlR": equalized_lr,
        "noiseVectorDim": dim_latent,
        "dimOutput": dim_output,
        "learningRate": 0.001,
        "attribKeysOrder": None,
        "categoryVectorDim": 0,
        "weightConditionG": 0.0,
        "weightConditionD": 0.0,
        "GDPP": False,
        "latentVectorDim": dim_latent,
        "lossCriterion": loss_criterion,
        "lambdaGP": 10.0,
        "epsilonD": 0.001,
        "logisticGradReal": 0.0,
    }


def pgan_zoo_generator_state(config, rng):
    """A random `GNet` state dict with the real key names and torch shapes.

    Args:
        config: a dict as from `pgan_zoo_config`.
        rng: a `np.random.Generator`.

    Returns:
        `OrderedDict` name -> float32 array in `state_dict()` order; weights
        ~N(0, 1) (equalized LR), biases small random.
    """
    depths = [config["depthScale0"], *config["depthOtherScales"]]
    latent = config.get("latentVectorDim", config.get("noiseVectorDim", 512))
    channels = config.get("dimOutput", 3)
    state = collections.OrderedDict()

    def add(name, shape):
        state[name + ".module.weight"] = rng.standard_normal(shape).astype(np.float32)
        state[name + ".module.bias"] = (0.1 * rng.standard_normal(shape[0])).astype(np.float32)

    for i, depth in enumerate(depths[1:]):
        add(f"scaleLayers.{i}.0", (depth, depths[i], 3, 3))
        add(f"scaleLayers.{i}.1", (depth, depth, 3, 3))
    for i, depth in enumerate(depths):
        add(f"toRGBLayers.{i}", (channels, depth, 1, 1))
    add("formatLayer", (16 * depths[0], latent))
    add("groupScale0.0", (depths[0], depths[0], 3, 3))
    return state


def pgan_zoo_generator_forward(state, config, latents, alpha=0.0):
    """pytorch_GAN_zoo's `GNet.forward` in NumPy.

    Args:
        state: dict name -> array (torch layouts, `*.module.weight` names).
        config: the checkpoint's config dict (missing keys take the model's
            defaults).
        latents: [N, dimLatent] latent vectors.
        alpha: blending factor, `alpha * old + (1 - alpha) * new`.

    Returns:
        NHWC float32 images.
    """
    slope = config.get("leakyReluLeak", 0.2)
    normalize = config.get("perChannelNormalization", True)
    equalized = config.get("equalizedlR", True)
    tanh = config.get("lossCriterion", "WGANGP") in ("MSE", "DCGAN")
    n_scales = sum(
        1 for name in state if name.startswith("toRGBLayers.") and name.endswith(".weight")
    )

    def layer(x, name):
        weight = np.asarray(state[name + ".module.weight"], dtype=np.float64)
        bias = np.asarray(state[name + ".module.bias"], dtype=np.float64)
        if weight.ndim == 2:
            out = x @ weight.T + bias
        else:
            out = conv2d_nchw(x, weight.transpose(2, 3, 1, 0)) + bias[None, :, None, None]
        if equalized:
            out = out * np.sqrt(2.0 / np.prod(weight.shape[1:]))
        return out

    def norm(x):
        return _pixel_norm(x) if normalize else x

    x = np.asarray(latents, dtype=np.float64)
    x = norm(x)
    x = _leaky_relu(layer(x, "formatLayer"), slope)
    x = norm(x.reshape(x.shape[0], -1, 4, 4))
    x = norm(_leaky_relu(layer(x, "groupScale0.0"), slope))
    old = None
    if alpha > 0 and n_scales == 2:
        old = _upscale(layer(x, "toRGBLayers.0"))
    for scale in range(n_scales - 1):
        x = _upscale(x)
        x = norm(_leaky_relu(layer(x, f"scaleLayers.{scale}.0"), slope))
        x = norm(_leaky_relu(layer(x, f"scaleLayers.{scale}.1"), slope))
        if alpha > 0 and scale == n_scales - 3:
            old = _upscale(layer(x, f"toRGBLayers.{n_scales - 2}"))
    x = layer(x, f"toRGBLayers.{n_scales - 1}")
    if alpha > 0:
        x = alpha * old + (1.0 - alpha) * x
    if tanh:
        x = np.tanh(x)
    return x.transpose(0, 2, 3, 1).astype(np.float32)


def write_pgan_zoo_checkpoint(path, config, state, net_g=None, legacy_format=False):
    """Writes a checkpoint laid out as pytorch_GAN_zoo's `BaseGAN.save`.

    `config` is pickled as a `models.utils.config.BaseConfig` object (a class
    made on the fly; the `models*` modules are in `sys.modules` only during
    the save), like the real files.

    Args:
        path: file to write.
        config: dict of config attributes.
        state: generator state dict saved as `avgG` (and as `netG` unless
            `net_g` is given).
        net_g: optional different state dict for `netG`.
        legacy_format: write the pre-1.6 (non-zip) `torch.save` format, as the
            2019 hub files are expected to be.
    """
    import torch

    names = ("models", "models.utils", "models.utils.config")
    modules = {name: types.ModuleType(name) for name in names}

    class BaseConfig:
        pass

    BaseConfig.__module__ = "models.utils.config"
    BaseConfig.__qualname__ = "BaseConfig"
    modules["models.utils.config"].BaseConfig = BaseConfig
    modules["models"].utils = modules["models.utils"]
    modules["models.utils"].config = modules["models.utils.config"]
    saved_config = BaseConfig()
    saved_config.__dict__.update(config)

    def to_torch(arrays):
        out = collections.OrderedDict(
            (name, torch.from_numpy(np.ascontiguousarray(value))) for name, value in arrays.items()
        )
        out._metadata = collections.OrderedDict([("", {"version": 1})])
        return out

    depth0 = config["depthScale0"]
    net_d = {
        "decisionLayer.module.weight": np.ones((1, depth0), np.float32),
        "decisionLayer.module.bias": np.zeros((1,), np.float32),
    }
    payload = {
        "config": saved_config,
        "netG": to_torch(state if net_g is None else net_g),
        "netD": to_torch(net_d),
        "avgG": to_torch(state),
    }
    previous = {name: sys.modules.get(name) for name in names}
    sys.modules.update(modules)
    try:
        torch.save(payload, path, _use_new_zipfile_serialization=not legacy_format)
    finally:
        for name, module in previous.items():
            if module is None:
                del sys.modules[name]
            else:
                sys.modules[name] = module
