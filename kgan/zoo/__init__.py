"""The zoo: presets by name, directory or URL.

>>> model = kgan.zoo.load("dcgan_fashion_mnist")
>>> images = model.generate(16, seed=7)
"""

import builtins
import difflib
import json
import os
import urllib.parse

from kgan.zoo import converters
from kgan.zoo import registry
from kgan.zoo.download import DownloadError
from kgan.zoo.download import cache_dir
from kgan.zoo.download import fetch
from kgan.zoo.presets import PRESET_FILES
from kgan.zoo.presets import load_preset_directory
from kgan.zoo.presets import read_metadata
from kgan.zoo.presets import save_preset

__all__ = ["DownloadError", "fetch", "list", "load", "metadata", "save_preset"]

_URL_SCHEMES = ("http", "https", "file")


def _is_url(text):
    return urllib.parse.urlsplit(str(text)).scheme in _URL_SCHEMES


def _unknown(name):
    close = difflib.get_close_matches(str(name), registry.names(), n=3, cutoff=0.4)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return ValueError(
        f"Unknown preset {name!r}.{hint} Known presets: {', '.join(registry.names())}. "
        "A preset can also be a local directory or a URL."
    )


def _download_preset(url):
    """Fetches a preset directory served at `url` into the cache."""
    base = url.rstrip("/") + "/"
    key = urllib.parse.quote(base, safe="")[:120]
    subdir = os.path.join("urls", key)
    metadata_path = fetch(base + "metadata.json", None, subdir=subdir)
    with open(metadata_path) as file:
        hashes = json.load(file).get("files", {})
    for name in PRESET_FILES:
        if name != "metadata.json":
            fetch(base + name, hashes.get(name), subdir=subdir)
    return os.path.dirname(metadata_path)


def _converted_directory(name):
    directory = os.path.join(cache_dir(), "presets", name)
    if not os.path.isfile(os.path.join(directory, "metadata.json")):
        entry = registry.CONVERTED[name]
        converters.convert(entry["converter"], converters.source_file(entry["source"]), directory, name=name)
    return directory


def _directory(preset):
    if os.path.isdir(str(preset)):
        return str(preset)
    if _is_url(preset):
        return _download_preset(str(preset))
    if preset in registry.bundled_names():
        return str(registry.bundled_root() / preset)
    if preset in registry.CONVERTED:
        return _converted_directory(preset)
    raise _unknown(preset)


def load(preset):
    """Loads a preset: a registry name, a local preset directory, or a URL.

    Args:
        preset: e.g. `"dcgan_fashion_mnist"` (see `kgan.zoo.list()`), a folder
            written by `save_preset`, or the URL of such a folder (its files
            are downloaded once, verified against metadata.json, and cached).

    Returns:
        The model with its task methods (`generate`, ...), and its metadata
        in `model.preset_metadata`.

    Example:
    >>> gan = kgan.zoo.load("dcgan_fashion_mnist")
    >>> gan.generate(4, seed=0).shape
    (4, 28, 28, 1)
    """
    return load_preset_directory(_directory(preset))


def metadata(preset):
    """The metadata of a preset (converted presets: their registry entry)."""
    if preset in registry.CONVERTED and not os.path.isdir(str(preset)):
        directory = os.path.join(cache_dir(), "presets", preset)
        if os.path.isfile(os.path.join(directory, "metadata.json")):
            return read_metadata(directory)
        return dict(registry.CONVERTED[preset])
    return read_metadata(_directory(preset))


def describe_quality(fid):
    """One line for a preset's measured quality (its metadata's `fid` dict)."""
    if "baseline_fid" in fid:  # image translation: against the uncoloured inputs
        anchor = f"line art as is {fid['baseline_fid']:.2f}"
    else:
        anchor = f"floor {fid['floor']:.2f}"
    return f"FID {fid['fid']:.2f} ({anchor}; {fid['features']}, {fid['samples']} samples)"


def _describe(name, info):
    resolution = "x".join(str(d) for d in info.get("resolution", [])[:2]) or "?"
    if info.get("fid"):
        quality = describe_quality(info["fid"])
    elif info.get("published"):
        quality = f"FID not measured by kgan (published: {info['published']})"
    else:
        quality = "FID not measured"
    return (
        f"{name:<22} {info.get('family', '?'):<8} {resolution:>9}  "
        f"{info.get('data', '?')} [{info.get('license', '?')}]  {quality}"
    )


def list():  # noqa: A001  (kgan.zoo.list(), as in the design)
    """One line per preset: name, family, resolution, data, licence, FID.

    Returns:
        A list of strings.
    """
    return [_describe(name, metadata(name)) for name in registry.names()]


del builtins
