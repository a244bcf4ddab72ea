"""Quality of image-to-image translation (pix2pix colorization) on held-out pairs."""

import numpy as np

from kgan.metrics.fid import fid


def _as_float255(images, name):
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4:
        raise ValueError(
            f"Expected `{name}` as uint8 images (N, H, W, C). Received: "
            f"shape={images.shape}, dtype={images.dtype}"
        )
    return images.astype("float64")


def _check_pair(predictions, targets):
    predictions = _as_float255(predictions, "predictions")
    targets = _as_float255(targets, "targets")
    if predictions.shape != targets.shape:
        raise ValueError(
            "Expected predictions and targets of the same shape. Received: "
            f"{predictions.shape} and {targets.shape}"
        )
    return predictions, targets


def mean_absolute_error(predictions, targets):
    """Mean |prediction - target| of uint8 images, in [0, 1] (1 = 255 levels)."""
    predictions, targets = _check_pair(predictions, targets)
    return float(np.mean(np.abs(predictions - targets)) / 255.0)


def psnr(predictions, targets):
    """Peak signal-to-noise ratio in dB of uint8 images, averaged over images.

    `10 log10(255^2 / MSE)` per image; an exact copy counts as 100 dB.

    Example:
    >>> a = np.zeros((1, 2, 2, 1), np.uint8)
    >>> round(psnr(a + 1, a), 2)
    48.13
    """
    predictions, targets = _check_pair(predictions, targets)
    mse = np.mean(np.square(predictions - targets), axis=(1, 2, 3))
    values = np.where(mse > 0, 10.0 * np.log10(255.0**2 / np.maximum(mse, 1e-12)), 100.0)
    return float(np.mean(values))


def colourfulness(images):
    """Hasler & Suesstrunk's colourfulness (2003, metric M3), averaged over images.

    With `rg = R - G` and `yb = (R + G) / 2 - B` per pixel (0-255 scale):
    `sqrt(std(rg)^2 + std(yb)^2) + 0.3 * sqrt(mean(rg)^2 + mean(yb)^2)`.
    Grey images score 0; the authors call about 33 "moderately" and 59
    "quite" colourful.

    Args:
        images: uint8 `[N, H, W, 3]`.

    Returns:
        The mean colourfulness, a float.

    Example:
    >>> red = np.zeros((1, 2, 2, 3), np.uint8); red[..., 0] = 255
    >>> round(colourfulness(red), 1)
    85.5
    """
    images = _as_float255(images, "images")
    if images.shape[-1] != 3:
        raise ValueError(f"Expected RGB images (3 channels). Received: shape={images.shape}")
    red, green, blue = images[..., 0], images[..., 1], images[..., 2]
    rg = red - green
    yb = 0.5 * (red + green) - blue
    axes = (1, 2)
    spread = np.sqrt(rg.std(axis=axes) ** 2 + yb.std(axis=axes) ** 2)
    centre = np.sqrt(rg.mean(axis=axes) ** 2 + yb.mean(axis=axes) ** 2)
    return float(np.mean(spread + 0.3 * centre))


def evaluate_translation(model, sources, targets, features=None, batch_size=256):
    """L1, PSNR, colourfulness and FID of `model.colorize` on held-out pairs.

    FID compares the outputs with the targets of the same sources. Its
    anchor is `baseline_fid`, the FID of the sources themselves (uncoloured,
    as RGB) against the targets: a real-vs-real floor would compare other
    drawings and so measure the drawings, not the colours.

    Args:
        model: anything with `colorize(uint8 images)` -> uint8 images.
        sources: uint8 inputs `[N, H, W, Cs]` (line art).
        targets: uint8 true outputs `[N, H, W, 3]`.
        features: a `kgan.metrics.FeatureNetwork` for FID (None: no FID).
        batch_size: images per forward pass.

    Returns:
        A dict: `l1`, `psnr`, `colourfulness` (of the outputs),
        `colourfulness_real` (of the targets), `samples` (pairs), and with
        `features`: `fid`, `baseline_fid`, `features`.
    """
    sources = np.asarray(sources)
    predictions = model.colorize(sources, batch_size=batch_size)
    result = {
        "l1": mean_absolute_error(predictions, targets),
        "psnr": psnr(predictions, targets),
        "colourfulness": colourfulness(predictions),
        "colourfulness_real": colourfulness(targets),
        "samples": int(len(targets)),
    }
    if features is not None:
        uncoloured = np.repeat(sources, 3 // sources.shape[-1], axis=-1)
        result["fid"] = float(fid(targets, predictions, features, batch_size))
        result["baseline_fid"] = float(fid(targets, uncoloured, features, batch_size))
        result["features"] = features.name
    return result
