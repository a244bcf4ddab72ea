"""OpenMoji line art and colour pairs (CC BY-SA 4.0) from the npm package `openmoji`.

The data of pix2pix line-art colorization: the package draws every emoji
twice with the same file name, as black line art in `black/svg/<HEXCODE>.svg`
and in colour in `color/svg/<HEXCODE>.svg`, and lists them in
`data/openmoji.json` (`hexcode`, `group`, `subgroups`, `annotation`, and for
a skin-tone variant the `skintone_base_hexcode` of its base emoji). cairosvg
draws both SVGs at `size` x `size`; kgan composites them onto white, keeps
the line art grey (1 channel) and the colour RGB.

Splits are by drawing, so that test pairs are line art the model never saw:
an emoji's split key is the content of its base emoji's line-art SVG (the
`skintone_base_hexcode`, else its own), so all skin-tone variants of an emoji,
and emoji drawn with the same line art (most flags are one rectangle), share
a split. An emoji is in the test split when the hash of its key maps to a
number below `test_fraction`; the assignment does not depend on the other
emoji, so it stays put when a package version adds some, and raising
`test_fraction` only moves emoji from train to test.

Nothing is downloaded from Python: install the package once with npm
(`install_openmoji_package()` runs the command). The rendered arrays of the
whole package are cached per size as an `.npz` file in kgan's cache folder;
groups and splits are chosen after loading them.

Licence: the OpenMoji graphics are CC BY-SA 4.0 (`OPENMOJI_LICENSE`); credit
them with `OPENMOJI_ATTRIBUTION`. Models trained on them and images derived
from them may fall under the share-alike terms.
"""

import functools
import hashlib
import importlib.metadata
import io
import json
import os
import re
import warnings
from typing import NamedTuple

import numpy as np

from kgan.data import _cache
from kgan.data import _parallel
from kgan.data import _npm
from kgan.data.arrays import as_dataset
from kgan.data.arrays import to_float_images

OPENMOJI_PACKAGE = "openmoji"
"""The npm package holding the SVGs and `data/openmoji.json`."""

OPENMOJI_VERSION = "17.0.0"
"""The package version kgan pins."""

OPENMOJI_DIR_ENV = "KGAN_OPENMOJI_DIR"
"""The environment variable naming the package directory, if not in the cache."""

OPENMOJI_LICENSE = "CC-BY-SA-4.0"
"""Licence of the OpenMoji graphics (SPDX identifier)."""

OPENMOJI_SOURCE = f"npm {OPENMOJI_PACKAGE} {OPENMOJI_VERSION}"

OPENMOJI_ATTRIBUTION = (
    "All emojis designed by OpenMoji \u2013 the open-source emoji and icon "
    "project. License: CC BY-SA 4.0"
)
"""The attribution OpenMoji asks for."""

SPLITS = ("train", "test", "all")
"""The values of `split`: by emoji, `"all"` for both."""

_LINE_SUBDIR = os.path.join("black", "svg")
_COLOUR_SUBDIR = os.path.join("color", "svg")
_JSON_PATH = os.path.join("data", "openmoji.json")
_SPLIT_SALT = "kgan-openmoji-split"
_CHUNK = 50  # emoji per task and per progress-bar step
_CACHE_FORMAT = 1
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601, as PIL's "L"
_ID = re.compile(rb"""\sid=["']([^"']+)["']""")
_MARKER = re.compile(rb"""\s(marker-(?:start|mid|end))=["']url\(#([^)"']+)\)["']""")


class OpenMojiPairs(NamedTuple):
    """OpenMoji line art with its colour version, as `load_openmoji_pairs` returns.

    A named tuple: `line_art, colour, hexcodes = load_openmoji_pairs(...)`.

    Attributes:
        line_art: `[N, size, size, 1]` grey line art on white: float32 in
            [-1, 1] from `load_openmoji_pairs`, uint8 from
            `load_openmoji_pairs_uint8`.
        colour: `[N, size, size, 3]` RGB on white, same dtype.
        hexcodes: tuple of `N` str, the emoji's `hexcode` in openmoji.json
            (also its SVG file name), e.g. `"1F600"`.
    """

    line_art: np.ndarray
    colour: np.ndarray
    hexcodes: tuple


def openmoji_package_dir(package_dir=None):
    """Returns the directory of the `openmoji` npm package.

    Resolved in order: the `package_dir` argument, the `KGAN_OPENMOJI_DIR`
    environment variable, then `<cache>/npm/node_modules/openmoji`, where
    `<cache>` is `kgan.zoo.download.cache_dir()` (`$KGAN_HOME`, else
    `~/.cache/kgan`). The directory is not checked; the loaders do that.

    Args:
        package_dir: str or path-like, or None.

    Returns:
        The directory, as a str.

    Example:

    >>> openmoji_package_dir("/opt/openmoji")
    '/opt/openmoji'
    """
    return _npm.npm_package_dir(OPENMOJI_PACKAGE, OPENMOJI_DIR_ENV, package_dir)


def install_openmoji_package(version=OPENMOJI_VERSION):
    """Installs `openmoji` with npm into kgan's cache folder.

    Runs `npm install --no-audit --no-fund --prefix <cache>/npm
    openmoji@<version>`, which needs `npm` on the PATH and access to the npm
    registry (about 70 MB unpacked).

    Args:
        version: str, the package version (or any npm version range).

    Returns:
        The package directory, as `openmoji_package_dir()` resolves it when
        neither argument nor environment variable is set.

    Raises:
        FileNotFoundError: if `npm` is not on the PATH.
        RuntimeError: if npm fails.

    Example:

    >>> install_openmoji_package()  # doctest: +SKIP
    '/home/me/.cache/kgan/npm/node_modules/openmoji'
    """
    version = _npm.check_version(version, OPENMOJI_VERSION)
    return _npm.install_npm_package(OPENMOJI_PACKAGE, version)


def _missing_package_error(package_dir, what):
    command = _npm.install_command(OPENMOJI_PACKAGE, OPENMOJI_VERSION)
    return FileNotFoundError(
        f"The {OPENMOJI_PACKAGE} npm package was not found: {what} in "
        f"{package_dir!r}. Install it once with\n"
        f"    {_npm.shell_command(command)}\n"
        "(or call kgan.data.install_openmoji_package()), or point the "
        f"{OPENMOJI_DIR_ENV} environment variable (or the `package_dir=` "
        f"argument) at a directory holding its {_JSON_PATH}, {_LINE_SUBDIR}/ "
        f"and {_COLOUR_SUBDIR}/."
    )


def _read_package(package_dir):
    """Returns `(version, openmoji.json bytes)`; raises if the package is missing."""
    json_path = os.path.join(package_dir, _JSON_PATH)
    if not os.path.isfile(json_path):
        raise _missing_package_error(package_dir, f"no {_JSON_PATH}")
    for subdir in (_LINE_SUBDIR, _COLOUR_SUBDIR):
        if not os.path.isdir(os.path.join(package_dir, subdir)):
            raise _missing_package_error(package_dir, f"no {subdir}/ folder")
    try:
        with open(os.path.join(package_dir, "package.json"), "rb") as file:
            version = str(json.load(file).get("version", "unknown"))
    except (OSError, ValueError, AttributeError):
        version = "unknown"
    with open(json_path, "rb") as file:
        return version, file.read()


def _entries(openmoji_json):
    """Returns openmoji.json's entries as `(hexcode, group, base hexcode)` tuples."""
    try:
        emojis = json.loads(openmoji_json)
    except ValueError as error:
        raise ValueError(f"openmoji.json is not valid JSON: {error}") from error
    if not isinstance(emojis, list):
        raise ValueError(
            "openmoji.json must hold a list of emoji entries; received a "
            f"{type(emojis).__name__}."
        )
    entries = []
    for index, emoji in enumerate(emojis):
        hexcode = emoji.get("hexcode") if isinstance(emoji, dict) else None
        if not isinstance(hexcode, str) or not hexcode:
            raise ValueError(
                f"openmoji.json entry {index} has no `hexcode` str; received "
                f"{emoji!r:.200}."
            )
        key = emoji.get("skintone_base_hexcode") or hexcode
        entries.append((hexcode, str(emoji.get("group", "")), str(key)))
    return entries


def _drawing_key(package_dir, hexcode):
    """The split key of an emoji: the sha256 of its line-art SVG (else its hexcode)."""
    try:
        with open(os.path.join(package_dir, _LINE_SUBDIR, f"{hexcode}.svg"), "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()
    except OSError:
        return hexcode


def _split_value(key):
    """A number in [0, 1) from the hash of a split key; below `test_fraction`: test."""
    digest = hashlib.sha256(f"{_SPLIT_SALT}:{key}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def _is_test(key, test_fraction):
    """Whether the emoji with split key `key` is in the test split."""
    return _split_value(key) < test_fraction


def _drop_dangling_markers(svg):
    """Removes marker attributes naming an id the SVG does not define.

    Browsers draw no marker for such a reference; cairosvg 2.9 raises an
    AttributeError instead (one colour SVG of openmoji 17.0.0 has
    `marker-end="url(#Dot)"` without a `Dot` marker).
    """
    defined = set(_ID.findall(svg))

    def keep_if_defined(match):
        return match.group(0) if match.group(2) in defined else b""

    return _MARKER.sub(keep_if_defined, svg)


def _rasterize(svg, size):
    """Draws SVG bytes at `size` x `size`: float32 RGB composited onto white."""
    from PIL import Image

    png = _import_cairosvg().svg2png(
        bytestring=_drop_dangling_markers(svg),
        output_width=size,
        output_height=size,
    )
    with Image.open(io.BytesIO(png)) as image:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float32)
    if rgba.shape[:2] != (size, size):
        raise ValueError(
            f"cairosvg drew a {rgba.shape[1]}x{rgba.shape[0]} image for a "
            f"requested {size}x{size}; is the SVG's viewBox square?"
        )
    alpha = rgba[..., 3:] / 255.0
    return rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)


def _to_uint8(values):
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _render_chunk(package_dir, hexcodes, size):
    """Draws the pairs of `hexcodes`.

    Returns:
        uint8 line art `[n, S, S, 1]`, uint8 colour `[n, S, S, 3]`, and a
        list of `n` entries: None for a pair drawn, else why it was not (its
        rows are then white).
    """
    line_art = np.full((len(hexcodes), size, size, 1), 255, np.uint8)
    colour = np.full((len(hexcodes), size, size, 3), 255, np.uint8)
    errors = [None] * len(hexcodes)
    for row, hexcode in enumerate(hexcodes):
        drawn = []
        for subdir in (_LINE_SUBDIR, _COLOUR_SUBDIR):
            path = os.path.join(package_dir, subdir, hexcode + ".svg")
            try:
                with open(path, "rb") as file:
                    drawn.append(_rasterize(file.read(), size))
            except Exception as error:  # a broken SVG skips its pair only
                errors[row] = f"{subdir}/{hexcode}.svg: {type(error).__name__}: {error}"
                break
        if errors[row] is None:
            line_art[row] = _to_uint8(drawn[0] @ _LUMA)[..., np.newaxis]
            colour[row] = _to_uint8(drawn[1])
    return line_art, colour, errors


def _default_workers():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def _render_all(package_dir, hexcodes, size, progress, workers):
    import tqdm

    n = len(hexcodes)
    line_art = np.empty((n, size, size, 1), np.uint8)
    colour = np.empty((n, size, size, 3), np.uint8)
    errors = [None] * n
    ranges = [(start, min(start + _CHUNK, n)) for start in range(0, n, _CHUNK)]
    tasks = [(package_dir, hexcodes[a:b], size) for a, b in ranges]
    bar = tqdm.tqdm(
        total=n,
        desc=f"openmoji {size}x{size}",
        unit="pair",
        leave=False,
        disable=not progress,
    )
    with bar:
        parts = _parallel.map_chunks(_render_chunk, tasks, workers, "emoji")
        for (start, stop), part in zip(ranges, parts):
            line_art[start:stop], colour[start:stop], errors[start:stop] = part
            bar.update(stop - start)
    return line_art, colour, errors


def _build(package_dir, entries, size, progress, workers):
    """Draws every pair whose two SVGs exist and draw; warns about, skips the rest."""
    _import_cairosvg()  # fails early, in this process, if cairo is missing
    found, skipped = [], []
    for hexcode, _, _ in entries:
        both = all(
            os.path.isfile(os.path.join(package_dir, subdir, hexcode + ".svg"))
            for subdir in (_LINE_SUBDIR, _COLOUR_SUBDIR)
        )
        (found if both else skipped).append(hexcode)
    if not found:
        raise _missing_package_error(
            package_dir,
            f"no hexcode of {_JSON_PATH} has an SVG in both {_LINE_SUBDIR}/ "
            f"and {_COLOUR_SUBDIR}/",
        )
    if skipped:
        warnings.warn(
            f"{len(skipped)} of the {len(entries)} entries of {_JSON_PATH} "
            f"lack an SVG in {_LINE_SUBDIR}/ or {_COLOUR_SUBDIR}/ and were "
            f"skipped, e.g. {skipped[:5]}.",
            stacklevel=3,
        )
    line_art, colour, errors = _render_all(package_dir, found, size, progress, workers)
    failed = [error for error in errors if error is not None]
    if failed:
        warnings.warn(
            f"{len(failed)} OpenMoji SVGs could not be drawn and their pairs "
            f"were skipped: {failed[:5]}.",
            stacklevel=3,
        )
        drawn = np.array([error is None for error in errors])
        line_art, colour = line_art[drawn], colour[drawn]
        found = [hexcode for hexcode, ok in zip(found, drawn) if ok]
    return line_art, colour, found


@functools.lru_cache(maxsize=None)
def _import_cairosvg():
    try:
        import cairosvg
    except ImportError as error:
        raise ImportError(
            "Drawing the OpenMoji SVGs needs the PyPI package 'cairosvg' "
            f"({error}). Install it with `pip install cairosvg`."
        ) from error
    except OSError as error:  # cairocffi without the cairo C library
        raise ImportError(
            f"cairosvg is installed but the cairo library it needs was not "
            f"found ({error}). Install it with your system's package manager, "
            "e.g. `apt-get install libcairo2` on Debian or Ubuntu, `brew "
            "install cairo` on macOS."
        ) from error
    return cairosvg


def _cairosvg_version():
    try:
        return importlib.metadata.version("cairosvg")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _cache_path(size):
    return os.path.join(
        _npm.kgan_cache_dir(), "datasets", f"openmoji_pairs_{size}.npz"
    )


def _check_size(size):
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 8:
        raise ValueError(
            f"Argument `size` must be an int >= 8 (e.g. 64 or 128); "
            f"received {size!r}."
        )
    return int(size)


def _check_split(split):
    if not isinstance(split, str) or split not in SPLITS:
        raise ValueError(
            f"Argument `split` must be one of {list(SPLITS)}; received {split!r}."
        )
    return split


def _check_test_fraction(test_fraction):
    if (
        isinstance(test_fraction, bool)
        or not isinstance(test_fraction, (int, float, np.integer, np.floating))
        or not 0.0 <= float(test_fraction) <= 1.0
    ):
        raise ValueError(
            "Argument `test_fraction` must be a float in [0, 1] (e.g. 0.1), "
            f"the share of emoji held out for `split='test'`; received "
            f"{test_fraction!r}."
        )
    return float(test_fraction)


def _check_workers(workers):
    if workers is None:
        return _default_workers()
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or (
        workers < 1
    ):
        raise ValueError(
            "Argument `workers` must be an int >= 1 (e.g. 4) or None for one "
            f"per available CPU core; received {workers!r}."
        )
    return int(workers)


def _check_groups(groups, entries):
    """Returns the set of groups to keep (None: all); raises on unknown names."""
    if groups is None:
        return None
    if isinstance(groups, str):
        groups = [groups]
    groups = list(groups)
    valid = sorted({group for _, group, _ in entries})
    unknown = [group for group in groups if group not in valid]
    if unknown or not groups:
        raise ValueError(
            "Argument `groups` must be None or a non-empty list of openmoji.json "
            f"groups, each one of {valid}; received {groups!r}"
            + (f" (unknown: {unknown})." if unknown else ".")
        )
    return set(groups)


# The colorization benchmark's subset: one colouring per drawing. Skin-tone
# variants share their base emoji's line art, and 259 of the 270 flags are
# one rectangle; pix2pix's L1 would learn their average colour.
COLORIZATION_SUBSET = dict(
    skin_tones=False,
    groups=(
        "activities", "animals-nature", "component", "extras-openmoji", "extras-unicode",
        "food-drink", "objects", "people-body", "smileys-emotion", "symbols", "travel-places",
    ),
)


def load_openmoji_pairs_uint8(
    size=64,
    split="train",
    test_fraction=0.1,
    groups=None,
    skin_tones=True,
    package_dir=None,
    progress=True,
    workers=None,
    cache=True,
):
    """Loads OpenMoji line art and colour pairs as uint8 images on white.

    Both SVGs of every emoji are drawn once (a progress bar shows) and
    cached in `<cache>/datasets/openmoji_pairs_<size>.npz` (`<cache>` is
    `$KGAN_HOME`, else `~/.cache/kgan`), keyed by the package version, the
    content of its openmoji.json and `size`; a later call, whatever its
    `split`, `test_fraction` or `groups`, reads only that file. Entries
    whose SVG is missing in either folder are skipped with a warning.

    Args:
        size: int >= 8, the side of the images; cairosvg draws the SVGs
            (72x72 viewBox) at that size directly, with anti-aliasing.
        split: `"train"`, `"test"` or `"all"`. Splits are by emoji: every
            skin-tone variant goes where its base emoji goes, so no test
            emoji is seen in training (see the module docstring).
        test_fraction: float in [0, 1], the expected share of emoji (base
            emoji with their variants) in the test split.
        groups: None for every emoji, or a list of openmoji.json groups to
            keep, e.g. `["smileys-emotion", "animals-nature"]`.
        skin_tones: bool, whether to keep the skin-tone variants (their
            line art is their base emoji's: one drawing, several colourings).
        package_dir: the `openmoji` directory; see `openmoji_package_dir`.
        progress: bool, whether to show a tqdm progress bar while drawing.
        workers: int >= 1, the number of drawing processes, or None for one
            per CPU core this process may run on. Above 1, a pool of "spawn"
            processes (a script that calls this at its top level then needs
            an `if __name__ == "__main__":` guard).
        cache: bool, whether to read and write the `.npz` cache.

    Returns:
        An `OpenMojiPairs` `(line_art, colour, hexcodes)`: uint8
        `[N, size, size, 1]` grey line art, uint8 `[N, size, size, 3]` RGB
        and the `N` hexcodes, in openmoji.json's order.

    Raises:
        FileNotFoundError: if the package is not installed; the message
            gives the npm command that installs it.
        ValueError: if an argument is out of range or a group is unknown.

    Example:

    >>> line_art, colour, hexcodes = load_openmoji_pairs_uint8(64, split="all")
    >>> line_art.shape, colour.shape, hexcodes[0]
    ((4495, 64, 64, 1), (4495, 64, 64, 3), '1F600')
    """
    size = _check_size(size)
    split = _check_split(split)
    test_fraction = _check_test_fraction(test_fraction)
    workers = _check_workers(workers)
    package_dir = openmoji_package_dir(package_dir)
    version, openmoji_json = _read_package(package_dir)
    entries = _entries(openmoji_json)
    keep_groups = _check_groups(groups, entries)
    key = {
        "format": _CACHE_FORMAT,
        "package": OPENMOJI_PACKAGE,
        "version": version,
        "openmoji_json_sha256": hashlib.sha256(openmoji_json).hexdigest(),
        "size": size,
        "cairosvg": _cairosvg_version(),
    }
    path = _cache_path(size)
    cached = None
    if cache and os.path.isfile(path):
        cached = _cache.read_arrays(path, key, ("line_art", "colour", "hexcodes"))
    if cached is not None:
        line_art, colour, hexcodes = cached
        hexcodes = [str(hexcode) for hexcode in hexcodes]
    else:
        line_art, colour, hexcodes = _build(
            package_dir, entries, size, progress, workers
        )
        if cache:
            _cache.write_arrays(
                path,
                key,
                line_art=line_art,
                colour=colour,
                hexcodes=np.array(hexcodes, dtype=str),
            )
    drawing = functools.partial(_drawing_key, package_dir)
    info = {hexcode: (group, drawing(base), base) for hexcode, group, base in entries}
    rows = []
    for row, hexcode in enumerate(hexcodes):
        group, split_key, base = info[hexcode]
        if keep_groups is not None and group not in keep_groups:
            continue
        if not skin_tones and base != hexcode:
            continue
        if split != "all" and _is_test(split_key, test_fraction) != (split == "test"):
            continue
        rows.append(row)
    rows = np.array(rows, dtype=np.int64)
    return OpenMojiPairs(
        line_art[rows], colour[rows], tuple(hexcodes[row] for row in rows)
    )


def load_openmoji_pairs(
    size=64,
    split="train",
    test_fraction=0.1,
    groups=None,
    skin_tones=True,
    package_dir=None,
    progress=True,
    workers=None,
    cache=True,
):
    """Loads OpenMoji line art and colour pairs as float32 NHWC in [-1, 1].

    White paper is exactly 1.0 in both images. See
    `load_openmoji_pairs_uint8` for the splits, the cache and the arguments.

    Args:
        size: int >= 8, the side of the images.
        split: `"train"`, `"test"` or `"all"` (by emoji).
        test_fraction: float in [0, 1], the share of emoji held out.
        groups: None, or a list of openmoji.json groups to keep.
        skin_tones: bool, whether to keep the skin-tone variants.
        package_dir: the package directory; see `openmoji_package_dir`.
        progress: bool, whether to show a progress bar while drawing.
        workers: int >= 1 or None, the number of drawing processes.
        cache: bool, whether to read and write the `.npz` cache.

    Returns:
        An `OpenMojiPairs` `(line_art, colour, hexcodes)`: float32
        `[N, size, size, 1]` and `[N, size, size, 3]` in [-1, 1], and the
        `N` hexcodes.

    Example:

    >>> line_art, colour, _ = load_openmoji_pairs(64, split="test")
    >>> line_art.shape[1:], colour.shape[1:], line_art.dtype
    ((64, 64, 1), (64, 64, 3), dtype('float32'))
    """
    pairs = load_openmoji_pairs_uint8(
        size=size,
        split=split,
        test_fraction=test_fraction,
        groups=groups,
        skin_tones=skin_tones,
        package_dir=package_dir,
        progress=progress,
        workers=workers,
        cache=cache,
    )
    return OpenMojiPairs(
        to_float_images(pairs.line_art), to_float_images(pairs.colour), pairs.hexcodes
    )


def openmoji_pairs_dataset(
    size=64,
    split="train",
    batch_size=64,
    shuffle=True,
    seed=None,
    repeat=False,
    test_fraction=0.1,
    groups=None,
    skin_tones=True,
    package_dir=None,
    progress=True,
    workers=None,
    drop_remainder=True,
):
    """Returns OpenMoji `(line_art, colour)` pairs as batches for `keras.Model.fit`.

    Reshuffled every epoch from `seed`; by default full batches only (the
    last partial batch is left out).

    Args:
        size: int >= 8, the side of the images.
        split: `"train"`, `"test"` or `"all"` (by emoji).
        batch_size: positive int, the number of pairs per batch.
        shuffle: bool, whether to permute the pairs every epoch.
        seed: int, the seed of epoch 0's permutation (epoch `e` uses
            `seed + e`), or None for a seed drawn from the OS's entropy (a
            different order on every call).
        repeat: bool, an endless dataset for `fit(..., steps_per_epoch=N)`
            (see `ArrayDataset`).
        test_fraction: float in [0, 1], the share of emoji held out.
        groups: None, or a list of openmoji.json groups to keep.
        skin_tones: bool, whether to keep the skin-tone variants.
        package_dir: the package directory; see `openmoji_package_dir`.
        progress: bool, whether to show a progress bar while drawing.
        workers: int >= 1 or None, the number of drawing processes.
        drop_remainder: bool, whether to leave out the last partial batch
            (pass False to evaluate on every test pair).

    Returns:
        An `ArrayDataset` of `(line_art, colour)` batches: float32
        `[batch_size, size, size, 1]` and `[batch_size, size, size, 3]` in
        [-1, 1].

    Example:

    >>> data = openmoji_pairs_dataset(64, batch_size=64, seed=0)
    >>> line_art, colour = data[0]
    >>> line_art.shape, colour.shape
    ((64, 64, 64, 1), (64, 64, 64, 3))
    """
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0] >> 1)
    elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Argument `seed` must be an int or None; received {seed!r}.")
    pairs = load_openmoji_pairs(
        size=size,
        split=split,
        test_fraction=test_fraction,
        groups=groups,
        skin_tones=skin_tones,
        package_dir=package_dir,
        progress=progress,
        workers=workers,
    )
    return as_dataset(
        pairs.line_art,
        labels=pairs.colour,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
        repeat=repeat,
    )
