"""Illustrated faces with tags, drawn offline with DiceBear's "adventurer" style.

The data of the tag-conditioned GAN ("Girl Friend Factory": a face from a
seed plus a tag list). PyPI's `dicebear-core` (a port of DiceBear's
JavaScript core) turns a style definition from `dicebear-styles` and a seed
string into an SVG avatar and reports the options it *resolved* for it: the
hair, eye and mouth variants, the hair and skin colours, and whether each
optional feature (glasses, face details, earrings) is present, as decided
by its probability option. `cairosvg` rasterises the SVG; kgan composites it
onto white and keeps RGB.

Style and licence: "adventurer" by Lisa Wischofsky, CC BY 4.0 (`AVATAR_LICENSE`,
`AVATAR_ATTRIBUTION`): images may be redistributed and trained on, with
attribution. Avatar `i` of a dataset with seed `s` uses the seed string
`"kgan-avatars-{s}-{i}"`, so a dataset is a pure function of `(seed, i)`:
the first `n` avatars of a larger set are the same images, on every machine.
Two options differ from the style's defaults to balance the tags:
`glassesProbability` and `detailsProbability` are 30 (%) instead of 10
(`AVATAR_OPTIONS`).

Tags are `"group:value"` strings (`AVATAR_TAGS`, 40 in all); every group is a
single choice, so each avatar carries exactly one tag per group:

- `hair_color` (11): the resolved hair colour mapped to the nearest (RGB
  distance) colour of a small named palette, `HAIR_COLOR_PALETTE`; the
  style's 14 colours merge into 10 names (two blondes, three browns, two
  oranges), and `none` for the bald variant, which draws no hair.
- `hair` (4): `long`, `tied` (buns, ponytail, pigtails, braid), `short`,
  `bald`; the style's 45 hair variants grouped by shape.
- `hair_accessory` (2): `flowers` (3 hair variants wear flowers) or `none`.
- `skin_color` (4): the style's 4 skin colours, `light`, `medium`, `brown`,
  `dark` (`SKIN_COLOR_PALETTE`).
- `eyes` (5): `open`, `half_closed`, `closed`, `wink`, `sparkling`; the 26
  eye variants grouped by shape.
- `mouth` (6): `closed`, `open`, `teeth`, `tongue`, `lipstick`, `pout`; the
  30 mouth variants grouped by shape.
- `glasses` (3): `none`, `regular` (4 variants) or `sunglasses`.
- `face_detail` (5): `none`, `blush`, `freckles`, `birthmark`, `mustache`.

Left out of the vocabulary: the 15 eyebrow variants (subtle at 64x64) and the
earrings (present in 10% of avatars but a few pixels wide at 64x64); they
still vary in the images.

Building 20,000 avatars at 64x64 takes minutes (about 40 per second on one
busy CPU core; `workers` spreads the work over processes). The arrays are
cached as an `.npz` file in `<cache>/datasets` and read from there later.
"""

import collections
import functools
import hashlib
import importlib
import importlib.metadata
import io
import json
import os
from typing import NamedTuple

import numpy as np

from kgan.data import _cache
from kgan.data import _parallel
from kgan.data.arrays import as_dataset
from kgan.data.arrays import to_float_images

AVATAR_STYLE = "adventurer"
"""The DiceBear style kgan's avatar data is drawn in."""

AVATAR_LICENSE = "CC BY 4.0"
"""Licence of the "adventurer" artwork: share and train on it, with attribution."""

AVATAR_ATTRIBUTION = (
    "Remix of \u201eAdventurer\u201d "
    "(https://www.figma.com/community/file/1184595184137881796) by "
    "\u201eLisa Wischofsky\u201d, licensed under \u201eCC BY 4.0\u201d "
    "(https://creativecommons.org/licenses/by/4.0/)"
)
"""The attribution the style's licence asks for (its `meta.license.text`)."""

AVATAR_SOURCE = "PyPI dicebear-core, dicebear-styles (adventurer), cairosvg"

AVATAR_PACKAGES = {
    "dicebear-core": "10.7.0",
    "dicebear-styles": "10.6.0",
    "cairosvg": "2.9.1",
}
"""The PyPI packages that draw the avatars, at the versions kgan pins."""

AVATAR_OPTIONS = {"glassesProbability": 30, "detailsProbability": 30}
"""DiceBear options given to every avatar besides its seed (style default: 10)."""

HAIR_COLOR_PALETTE = {
    "black": "#141414",
    "brown": "#6e4b2d",
    "blonde": "#dcc88c",
    "grey": "#afafaf",
    "red": "#aa2819",
    "orange": "#c8691e",
    "pink": "#dca0be",
    "purple": "#5a2355",
    "blue": "#64aac8",
    "green": "#3caa2d",
}
"""Named anchors; a hair colour takes the name of the nearest one (RGB)."""

SKIN_COLOR_PALETTE = {
    "light": "#f2d3b1",
    "medium": "#ecad80",
    "brown": "#9e5622",
    "dark": "#763900",
}
"""Named anchors for skin colours: the style's own four, light to dark."""


def _numbered(prefix, numbers):
    return tuple(f"{prefix}{number:02d}" for number in numbers)


# Variant names of the "adventurer" style -> tag values, by looking at them.
_HAIR_TIED = _numbered("long", (10, 11, 12, 13, 14, 15, 16, 19, 23))
_HAIR_SHAPES = {
    **{name: "long" for name in _numbered("long", range(1, 27))},
    **{name: "tied" for name in _HAIR_TIED},
    **{name: "short" for name in _numbered("short", range(1, 19))},
    "short19": "bald",
}
_HAIR_FLOWERS = _numbered("long", (3, 8, 18))
_EYE_SHAPES = {
    **{name: "open" for name in _numbered("variant", range(1, 27))},
    **{name: "half_closed" for name in _numbered("variant", (4, 14, 16, 17, 18))},
    **{name: "closed" for name in _numbered("variant", (19, 20))},
    **{name: "wink" for name in _numbered("variant", (21, 22))},
    "variant23": "sparkling",
}
_MOUTH_SHAPES = {
    **{name: "open" for name in _numbered("variant", range(1, 31))},
    **{name: "closed" for name in _numbered("variant", (2, 4, 9, 10, 19, 29))},
    **{name: "teeth" for name in _numbered("variant", (11, 22, 23))},
    **{name: "tongue" for name in _numbered("variant", (12, 16))},
    **{name: "lipstick" for name in _numbered("variant", (5, 6, 7, 8))},
    **{name: "pout" for name in _numbered("variant", (17, 18, 20, 21))},
}
_GLASSES = {
    **{name: "regular" for name in _numbered("variant", range(1, 6))},
    "variant01": "sunglasses",
}
_FACE_DETAILS = {name: name for name in ("blush", "freckles", "birthmark", "mustache")}

AVATAR_TAG_GROUPS = {
    "hair_color": ("none",) + tuple(HAIR_COLOR_PALETTE),
    "hair": ("long", "tied", "short", "bald"),
    "hair_accessory": ("none", "flowers"),
    "skin_color": tuple(SKIN_COLOR_PALETTE),
    "eyes": ("open", "half_closed", "closed", "wink", "sparkling"),
    "mouth": ("closed", "open", "teeth", "tongue", "lipstick", "pout"),
    "glasses": ("none", "regular", "sunglasses"),
    "face_detail": ("none", "blush", "freckles", "birthmark", "mustache"),
}
"""Tag groups and their values; every avatar has exactly one value per group."""

AVATAR_TAGS = tuple(
    f"{group}:{value}"
    for group, values in AVATAR_TAG_GROUPS.items()
    for value in values
)
"""The tag vocabulary, `"group:value"`, in the order of the multi-hot columns."""

_TAG_INDEX = {tag: index for index, tag in enumerate(AVATAR_TAGS)}
_STYLES = (AVATAR_STYLE,)
_SEED_PREFIX = "kgan-avatars"
_CHUNK = 100  # avatars per task and per progress-bar step
_CACHE_FORMAT = 1


class AvatarData(NamedTuple):
    """Avatar images with their tags, as `load_avatars` returns them.

    A named tuple: `images, tags, tag_names, groups = load_avatars(...)`.

    Attributes:
        images: `[N, size, size, 3]` RGB on white: float32 in [-1, 1] from
            `load_avatars`, uint8 from `build_avatars`.
        tags: `[N, T]` multi-hot (0 or 1), float32 from `load_avatars`,
            uint8 from `build_avatars`; column `j` is `tag_names[j]`.
        tag_names: list of the `T` tag names, `AVATAR_TAGS`.
        groups: dict mapping each group name to the list of its tag indices
            into `tag_names`; each row of `tags` has exactly one 1 among the
            columns of each group.
    """

    images: np.ndarray
    tags: np.ndarray
    tag_names: list
    groups: dict


def avatar_tag_groups():
    """Returns each tag group with the indices of its tags in `AVATAR_TAGS`.

    Returns:
        A dict `{group: [tag indices]}`, in `AVATAR_TAG_GROUPS` order.

    Example:

    >>> groups = avatar_tag_groups()
    >>> [AVATAR_TAGS[i] for i in groups["glasses"]]
    ['glasses:none', 'glasses:regular', 'glasses:sunglasses']
    """
    return {
        group: [_TAG_INDEX[f"{group}:{value}"] for value in values]
        for group, values in AVATAR_TAG_GROUPS.items()
    }


def _rgb(hex_color):
    value = hex_color.lstrip("#")
    if len(value) == 8:  # RRGGBBAA
        value = value[:6]
    if len(value) != 6:
        raise ValueError(f"Expected a colour '#RRGGBB'; received {hex_color!r}.")
    return np.array([int(value[i : i + 2], 16) for i in (0, 2, 4)], np.int64)


def nearest_color_name(hex_color, palette):
    """Returns the name of the palette colour nearest to `hex_color`.

    Distance is Euclidean in RGB; a tie goes to the colour listed first.

    Args:
        hex_color: str, `"#RRGGBB"` (or `"RRGGBB"`).
        palette: dict mapping names to `"#RRGGBB"` colours, e.g.
            `HAIR_COLOR_PALETTE`.

    Returns:
        The name, a key of `palette`.

    Example:

    >>> nearest_color_name("#e5d7a3", HAIR_COLOR_PALETTE)
    'blonde'
    """
    rgb = _rgb(hex_color)
    names = list(palette)
    distances = [int(np.sum((_rgb(palette[name]) - rgb) ** 2)) for name in names]
    return names[int(np.argmin(distances))]


def _lookup(table, options, key, group):
    name = options.get(key)
    if name not in table:
        raise ValueError(
            f"Unknown {AVATAR_STYLE!r} {key} {name!r} for tag group {group!r}: "
            f"expected one of {sorted(table)}. The dicebear-styles package "
            f"may differ from version {AVATAR_PACKAGES['dicebear-styles']}."
        )
    return table[name]


def _optional(table, options, key, group):
    return "none" if options.get(key) is None else _lookup(table, options, key, group)


def avatar_tags(options):
    """Returns the tags of one "adventurer" avatar from its resolved options.

    Args:
        options: dict, the resolved options of a DiceBear avatar,
            `dicebear.Avatar(style, {...}).to_json()["options"]` (keys such
            as `hairVariant`, `hairColor`, `glassesVariant`). An optional
            feature that was not drawn has no `...Variant` key.

    Returns:
        A list of tag names, one per group of `AVATAR_TAG_GROUPS`, in that
        order.

    Raises:
        ValueError: if a variant is not one of the style's.

    Example:

    >>> avatar_tags({"hairVariant": "short19", "skinColor": ["#763900"],
    ...              "eyesVariant": "variant23", "mouthVariant": "variant16"})
    ['hair_color:none', 'hair:bald', 'hair_accessory:none', 'skin_color:dark',
     'eyes:sparkling', 'mouth:tongue', 'glasses:none', 'face_detail:none']
    """
    hair_colors = options.get("hairColor") or []
    skin_colors = options.get("skinColor") or []
    if not skin_colors:
        raise ValueError(
            "The resolved options must hold `skinColor` (a list of hex "
            f"colours); received keys {sorted(options)}."
        )
    values = {
        "hair_color": (
            nearest_color_name(hair_colors[0], HAIR_COLOR_PALETTE)
            if hair_colors
            else "none"
        ),
        "hair": _lookup(_HAIR_SHAPES, options, "hairVariant", "hair"),
        "hair_accessory": (
            "flowers" if options.get("hairVariant") in _HAIR_FLOWERS else "none"
        ),
        "skin_color": nearest_color_name(skin_colors[0], SKIN_COLOR_PALETTE),
        "eyes": _lookup(_EYE_SHAPES, options, "eyesVariant", "eyes"),
        "mouth": _lookup(_MOUTH_SHAPES, options, "mouthVariant", "mouth"),
        "glasses": _optional(_GLASSES, options, "glassesVariant", "glasses"),
        "face_detail": _optional(
            _FACE_DETAILS, options, "detailsVariant", "face_detail"
        ),
    }
    return [f"{group}:{values[group]}" for group in AVATAR_TAG_GROUPS]


def encode_avatar_tags(tags):
    """Encodes tag lists as multi-hot float32 vectors over `AVATAR_TAGS`.

    For conditioning a generator on chosen tags; groups left out stay zero.

    Args:
        tags: a list of tag names (one vector) or a list of such lists (a
            batch), e.g. `["hair_color:pink", "glasses:regular"]`.

    Returns:
        float32 `[T]` for one list, `[B, T]` for a list of lists.

    Raises:
        ValueError: if a name is not in `AVATAR_TAGS`.

    Example:

    >>> vector = encode_avatar_tags(["hair_color:pink", "glasses:regular"])
    >>> vector.shape, float(vector.sum())
    ((40,), 2.0)
    """
    if isinstance(tags, str):
        raise ValueError(
            "Argument `tags` must be a list of tag names (or a list of such "
            f"lists), not a single str; received {tags!r}."
        )
    tags = list(tags)
    single = all(isinstance(tag, str) for tag in tags)
    batch = [tags] if single else tags
    vectors = np.zeros((len(batch), len(AVATAR_TAGS)), np.float32)
    for row, names in enumerate(batch):
        if isinstance(names, str):
            raise ValueError(
                "Argument `tags` must not mix tag names and lists of tag "
                f"names; received {tags!r}."
            )
        for name in names:
            if name not in _TAG_INDEX:
                raise ValueError(
                    f"Unknown avatar tag {name!r}: expected one of "
                    f"{list(AVATAR_TAGS)}."
                )
            vectors[row, _TAG_INDEX[name]] = 1.0
    return vectors[0] if single else vectors


def _pip_command():
    return "pip install " + " ".join(
        f"{name}=={version}" for name, version in AVATAR_PACKAGES.items()
    )


def _missing(name, error):
    return ImportError(
        f"Drawing the DiceBear avatars needs the PyPI package {name!r}, which "
        f"could not be used ({error}). Install the avatar packages with\n"
        f"    {_pip_command()}"
    )


def _versions():
    """Returns the installed versions of `AVATAR_PACKAGES`; raises if missing."""
    versions = {}
    for name in AVATAR_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError as error:
            raise _missing(name, f"not installed: {error}") from error
    return versions


def _import(module, package):
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise _missing(package, error) from error
    except OSError as error:  # cairocffi without the cairo C library
        raise ImportError(
            f"{package} is installed but the cairo library it needs was not "
            f"found ({error}). Install it with your system's package manager, "
            "e.g. `apt-get install libcairo2` on Debian or Ubuntu, `brew "
            "install cairo` on macOS."
        ) from error


@functools.lru_cache(maxsize=None)
def _load_style(style):
    """Returns the validated `dicebear.Style` (about a second: done once)."""
    dicebear = _import("dicebear", "dicebear-core")
    _import("dicebear_styles", "dicebear-styles")
    import importlib.resources

    definition = importlib.resources.files("dicebear_styles").joinpath(
        f"{style}.json"
    )
    return dicebear.Style.from_json(definition.read_text(encoding="utf-8"))


def _avatar_seed(seed, index):
    return f"{_SEED_PREFIX}-{seed}-{index}"


def _render_avatar(style, avatar_seed, size):
    """Draws one avatar: uint8 `[size, size, 3]` on white, and its options."""
    dicebear = _import("dicebear", "dicebear-core")
    cairosvg = _import("cairosvg", "cairosvg")
    from PIL import Image

    avatar = dicebear.Avatar(
        _load_style(style), {"seed": avatar_seed, **AVATAR_OPTIONS}
    )
    png = cairosvg.svg2png(
        bytestring=avatar.to_string().encode("utf-8"),
        output_width=size,
        output_height=size,
    )
    with Image.open(io.BytesIO(png)) as image:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float32)
    alpha = rgba[..., 3:] / 255.0
    rgb = rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)
    rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    return rgb, avatar.to_json()["options"]


def _render_range(style, seed, start, stop, size):
    """Draws avatars `start..stop-1`: uint8 images and uint8 multi-hot tags."""
    images = np.empty((stop - start, size, size, 3), np.uint8)
    tags = np.zeros((stop - start, len(AVATAR_TAGS)), np.uint8)
    for row, index in enumerate(range(start, stop)):
        images[row], options = _render_avatar(style, _avatar_seed(seed, index), size)
        for name in avatar_tags(options):
            tags[row, _TAG_INDEX[name]] = 1
    return images, tags


def _build(n, size, style, seed, progress, workers):
    import tqdm

    _load_style(style)  # fails early, in this process, if a package is missing
    _import("cairosvg", "cairosvg")
    ranges = [(start, min(start + _CHUNK, n)) for start in range(0, n, _CHUNK)]
    images = np.empty((n, size, size, 3), np.uint8)
    tags = np.empty((n, len(AVATAR_TAGS)), np.uint8)
    bar = tqdm.tqdm(
        total=n,
        desc=f"avatars {style} {size}x{size}",
        unit="img",
        leave=False,
        disable=not progress,
    )
    tasks = [(style, seed, a, b, size) for a, b in ranges]
    with bar:
        parts = _parallel.map_chunks(_render_range, tasks, workers, "avatars")
        for (start, stop), (part_images, part_tags) in zip(ranges, parts):
            images[start:stop] = part_images
            tags[start:stop] = part_tags
            bar.update(stop - start)
    return images, tags


def _check_int(name, value, minimum, example):
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < minimum
    ):
        raise ValueError(
            f"Argument `{name}` must be an int >= {minimum} (e.g. {example}); "
            f"received {value!r}."
        )
    return int(value)


def _check_arguments(n, size, style, seed, workers):
    n = _check_int("n", n, 1, 20000)
    size = _check_int("size", size, 8, 64)
    if style not in _STYLES:
        raise ValueError(
            f"Argument `style` must be one of {list(_STYLES)} (the DiceBear "
            f"styles kgan has tags for); received {style!r}."
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Argument `seed` must be an int; received {seed!r}.")
    workers = _check_int("workers", workers, 1, 2)
    return n, size, style, int(seed), workers


def _cache_path(n, size, style, seed, cache_dir):
    if cache_dir is None:
        # Imported here: kgan.zoo imports models, which may import kgan.data.
        from kgan.zoo.download import cache_dir as kgan_cache_dir

        cache_dir = os.path.join(kgan_cache_dir(), "datasets")
    name = f"avatars_{style}_{size}px_n{n}_seed{seed}.npz"
    return os.path.join(os.fspath(cache_dir), name)


def _cache_key(n, size, style, seed):
    tables = json.dumps(
        [
            _HAIR_SHAPES,
            _HAIR_FLOWERS,
            _EYE_SHAPES,
            _MOUTH_SHAPES,
            _GLASSES,
            _FACE_DETAILS,
            HAIR_COLOR_PALETTE,
            SKIN_COLOR_PALETTE,
        ],
        sort_keys=True,
    )
    return {
        "format": _CACHE_FORMAT,
        "style": style,
        "n": n,
        "size": size,
        "seed": seed,
        "options": AVATAR_OPTIONS,
        "versions": _versions(),
        "tags": list(AVATAR_TAGS),
        "tables_sha256": hashlib.sha256(tables.encode("utf-8")).hexdigest(),
    }


def _read_cache(path, key):
    """Returns the cached `(images, tags)` if `path` holds them for `key`."""
    return _cache.read_arrays(path, key, ("images", "tags"))


def _write_cache(path, key, images, tags):
    _cache.write_arrays(path, key, images=images, tags=tags)


def build_avatars(
    n=20000,
    size=64,
    style=AVATAR_STYLE,
    seed=0,
    cache_dir=None,
    progress=True,
    workers=1,
    cache=True,
):
    """Draws the DiceBear avatars once, as uint8 images with multi-hot tags.

    The arrays are cached in `cache_dir` as
    `avatars_<style>_<size>px_n<n>_seed<seed>.npz`, keyed by the arguments,
    `AVATAR_OPTIONS`, the tag tables and the installed versions of
    `AVATAR_PACKAGES`; a later call with the same key reads only that file.
    Avatar `i` is drawn from the seed string `"kgan-avatars-<seed>-<i>"`,
    so the images depend on `seed` and `i` only (not on `n` or `workers`).

    Args:
        n: int >= 1, the number of avatars.
        size: int >= 8, the side of the square images; cairosvg draws the
            SVG at that size directly (with anti-aliasing).
        style: str, the DiceBear style; only `"adventurer"` has a tag table.
        seed: int, the seed of the dataset.
        cache_dir: str or path-like, the folder of the `.npz` cache; None
            for `<cache>/datasets`, where `<cache>` is
            `kgan.zoo.download.cache_dir()` (`$KGAN_HOME`, else
            `~/.cache/kgan`).
        progress: bool, whether to show a tqdm progress bar while drawing.
        workers: int >= 1, the number of processes that draw; above 1, a
            pool of "spawn" processes (a script that calls this at its top
            level then needs an `if __name__ == "__main__":` guard).
        cache: bool, whether to read and write the cache.

    Returns:
        An `AvatarData`: uint8 images `[n, size, size, 3]` on white, uint8
        multi-hot tags `[n, len(AVATAR_TAGS)]`, the tag names and groups.

    Raises:
        ImportError: if a package of `AVATAR_PACKAGES` (or the cairo
            library) is missing; the message says what to install.
        ValueError: if an argument is out of range.

    Example:

    >>> data = build_avatars(n=1000, size=64, workers=2)
    >>> data.images.shape, data.images.dtype, data.tags.shape
    ((1000, 64, 64, 3), dtype('uint8'), (1000, 40))
    """
    n, size, style, seed, workers = _check_arguments(n, size, style, seed, workers)
    key = _cache_key(n, size, style, seed)
    path = _cache_path(n, size, style, seed, cache_dir)
    cached = _read_cache(path, key) if cache and os.path.isfile(path) else None
    if cached is not None:
        images, tags = cached
    else:
        images, tags = _build(n, size, style, seed, progress, workers)
        if cache:
            _write_cache(path, key, images, tags)
    return AvatarData(images, tags, list(AVATAR_TAGS), avatar_tag_groups())


def load_avatars(
    n=20000,
    size=64,
    style=AVATAR_STYLE,
    seed=0,
    cache_dir=None,
    progress=True,
    workers=1,
    cache=True,
):
    """Loads DiceBear avatars as float32 NHWC images in [-1, 1], with tags.

    Each SVG is rasterised by cairosvg and alpha-composited onto white
    (`rgb * a + 255 * (1 - a)`), so the background is exactly 1.0. See
    `build_avatars` for the cache, the seeds and the arguments; the tags
    are described in this module's docstring.

    Args:
        n: int >= 1, the number of avatars.
        size: int >= 8, the side of the images.
        style: str, the DiceBear style (`"adventurer"`).
        seed: int, the seed of the dataset.
        cache_dir: folder of the `.npz` cache, None for kgan's.
        progress: bool, whether to show a progress bar while drawing.
        workers: int >= 1, the number of drawing processes.
        cache: bool, whether to read and write the cache.

    Returns:
        An `AvatarData` `(images, tags, tag_names, groups)`: float32
        `[n, size, size, 3]` in [-1, 1], float32 multi-hot `[n, T]`, the
        `T` tag names (`AVATAR_TAGS`) and `{group: [tag indices]}`.

    Example:

    >>> images, tags, tag_names, groups = load_avatars(n=16, size=32)
    >>> images.shape, tags.shape
    ((16, 32, 32, 3), (16, 40))
    >>> [tag_names[j] for j in np.flatnonzero(tags[0])][:3]
    ['hair_color:blue', 'hair:tied', 'hair_accessory:none']
    """
    data = build_avatars(
        n=n,
        size=size,
        style=style,
        seed=seed,
        cache_dir=cache_dir,
        progress=progress,
        workers=workers,
        cache=cache,
    )
    return AvatarData(
        to_float_images(data.images),
        data.tags.astype(np.float32),
        data.tag_names,
        data.groups,
    )


def avatars_dataset(
    batch_size=64,
    n=20000,
    size=64,
    style=AVATAR_STYLE,
    seed=0,
    shuffle=True,
    shuffle_seed=0,
    with_tags=True,
    repeat=False,
    cache_dir=None,
    progress=True,
    workers=1,
):
    """Returns DiceBear avatars and their tags as batches for `keras.Model.fit`.

    Full batches only (the last partial batch is left out), reshuffled every
    epoch from `shuffle_seed`.

    Args:
        batch_size: positive int, the number of images per batch.
        n: int >= 1, the number of avatars.
        size: int >= 8, the side of the images.
        style: str, the DiceBear style (`"adventurer"`).
        seed: int, the seed of the dataset (which avatars are drawn).
        shuffle: bool, whether to permute the avatars every epoch.
        shuffle_seed: int, the seed of epoch 0's permutation (epoch `e`
            uses `shuffle_seed + e`).
        with_tags: bool, whether batches are `(images, tags)` or images only.
        repeat: bool, an endless dataset for `fit(..., steps_per_epoch=N)`
            (see `ArrayDataset`).
        cache_dir: folder of the `.npz` cache, None for kgan's.
        progress: bool, whether to show a progress bar while drawing.
        workers: int >= 1, the number of drawing processes.

    Returns:
        An `ArrayDataset` of float32 `[batch_size, size, size, 3]` images in
        [-1, 1] and float32 `[batch_size, len(AVATAR_TAGS)]` multi-hot tags.

    Example:

    >>> data = avatars_dataset(batch_size=64)
    >>> images, tags = data[0]
    >>> len(data), images.shape, tags.shape
    (312, (64, 64, 64, 3), (64, 40))
    """
    data = load_avatars(
        n=n,
        size=size,
        style=style,
        seed=seed,
        cache_dir=cache_dir,
        progress=progress,
        workers=workers,
    )
    return as_dataset(
        data.images,
        labels=data.tags if with_tags else None,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=shuffle_seed,
        drop_remainder=True,
        repeat=repeat,
    )


def tag_counts(tags):
    """Counts how many avatars carry each tag.

    Args:
        tags: `[N, T]` multi-hot array over `AVATAR_TAGS`.

    Returns:
        A `collections.Counter` mapping tag names to counts.

    Example:

    >>> _, tags, _, _ = load_avatars(n=200)
    >>> tag_counts(tags)["glasses:sunglasses"]
    11
    """
    tags = np.asarray(tags)
    if tags.ndim != 2 or tags.shape[1] != len(AVATAR_TAGS):
        raise ValueError(
            f"Argument `tags` must have shape [N, {len(AVATAR_TAGS)}]; "
            f"received shape {tags.shape}."
        )
    totals = tags.astype(np.int64).sum(axis=0)
    return collections.Counter(
        {name: int(count) for name, count in zip(AVATAR_TAGS, totals)}
    )
