"""Cartoon faces at ten ages, drawn offline with facesjs: the stand-in for UTKFace.

The data of CAAE face aging when UTKFace (`kgan.data.utkface`) is not at
hand. The npm package `facesjs` (Jeremy Scheff, ZenGM; Apache-2.0) draws
cartoon faces as SVG under Node.js; `aging_faces.mjs`, shipped with kgan,
runs it with `Math.random` replaced by a seeded PRNG (mulberry32), so a seed
is the same face on every machine, and cairosvg rasterises the SVG onto
white, cropped to a square around the head.

An *identity* (an int id) is a person: its seed (from the id) picks the race
(white, black, brown or asian, uniformly), then facesjs's face (head, eyes
and their angle, eyebrows, nose, mouth, ears, skin colour, hair style and
colour, facial hair style, fatness), then a few traits kgan adds (how fast
the hair greys, whether and from when a man goes bald, when glasses come,
the smile-line shape, freckles); the gender is `id % 2` (0 male, 1 female).
The *age group* (0 to 9, UTKFace's `AGE_GROUPS`) then sets the age-linked
features, the same way for everyone and monotonically with age:

- children (0-5, 6-10, 11-15, a little at 16-20): a smaller figure in the
  frame (scale 0.74, 0.82, 0.90, 0.96), a rounder face, bigger eyes set
  lower, a smaller nose, mouth and ears, rosy cheeks fading out by 16;
  freckles (a quarter of identities) from 6 to 30;
- facial hair (men who have it): none before 16, sparse (half opacity) at
  16-20, the identity's full style from 21;
- lines, none before 31, then wider and darker strokes each group: under-eye
  lines and smile lines (31-40), crow's feet and a forehead line (41-50),
  two forehead lines (51-60), eye bags and a frown line (61-70), lines
  above the eyes and a chin line (71+);
- hair greying toward silver then white: 15%, 38%, 62%, 85%, 100% of the
  way (times the identity's rate, 0.75 to 1.25) from 31-40 to 71+; facial
  hair and eyebrows grey with it;
- hair loss for 55% of men: receding from 31-40, 41-50 or 51-60 (a growing
  bald patch at the top), two groups later a horseshoe ("short-bald");
- glasses: the 10% of identities facesjs gives glasses wear them from
  11-15, 16-20, 21-30 or 31-40 on; 55% of the others get reading glasses
  from 51-60, 61-70 or 71+;
- the face widens a little from 31 to 60, the nose and ears grow, the eyes
  shrink slightly.

Splits are disjoint people: `split="train"` is identities 0 to 1,199,
`split="test"` identities 100,000 to 100,199, each at all 10 age groups
(12,000 and 2,000 faces). The images are cached as `.npz` files in
`<cache>/datasets`. Building the 12,000 training faces at 64x64 takes about
four minutes on one CPU core; `workers` spreads them over processes.

Licence: the facesjs drawings are Apache-2.0 (`FACESJS_LICENSE`); credit
them with `FACESJS_ATTRIBUTION`.
"""

import functools
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import subprocess

import numpy as np

from kgan.data import _cache
from kgan.data import _npm
from kgan.data import _parallel
from kgan.data.arrays import as_dataset
from kgan.data.arrays import to_float_images
from kgan.data.utkface import AGE_GROUPS
from kgan.data.utkface import FaceAgeData
from kgan.data.utkface import face_age_labels

FACESJS_PACKAGE = "facesjs"
"""The npm package that draws the faces."""

FACESJS_VERSION = "5.0.3"
"""The package version kgan pins."""

FACESJS_DIR_ENV = "KGAN_FACESJS_DIR"
"""The environment variable naming the package directory, if not in the cache."""

FACESJS_LICENSE = "Apache-2.0"
"""Licence of facesjs and its drawings (SPDX identifier)."""

FACESJS_SOURCE = f"npm {FACESJS_PACKAGE} {FACESJS_VERSION} (https://github.com/zengm-games/facesjs)"

FACESJS_ATTRIBUTION = (
    "Faces drawn with faces.js by Jeremy Scheff (ZenGM), "
    "https://github.com/zengm-games/facesjs, licensed under Apache-2.0."
)
"""The credit for the drawings."""

AGING_FACES_TRAIN_IDENTITIES = 1200
"""The number of people in the default training split (x 10 ages = 12,000 faces)."""

AGING_FACES_TEST_IDENTITIES = 200
"""The number of held-out people in the default test split (2,000 faces)."""

AGING_FACES_TEST_ID_OFFSET = 100_000
"""The id of the first test identity; training ids start at 0."""

SPLITS = ("train", "test")
"""The values of `split`."""

BACKGROUND = (255, 255, 255)
"""The RGB colour under the drawings (white)."""

_RACE_LABELS = {"white": 0, "black": 1, "asian": 2, "brown": 3}  # UTKFace's codes
_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "aging_faces.mjs")
_SEED_SALT = "kgan-aging-faces"
_CHUNK = 20  # identities per node call, task and progress-bar step
_CACHE_FORMAT = 1
_NODE_INSTALL = (
    "Install Node.js (18 or newer), e.g. `apt-get install nodejs` on Debian "
    "or Ubuntu, `brew install node` on macOS."
)


def facesjs_package_dir(package_dir=None):
    """Returns the directory of the `facesjs` npm package.

    Resolved in order: the `package_dir` argument, the `KGAN_FACESJS_DIR`
    environment variable, then `<cache>/npm/node_modules/facesjs`, where
    `<cache>` is `kgan.zoo.download.cache_dir()` (`$KGAN_HOME`, else
    `~/.cache/kgan`). The directory is not checked; the loaders do that.

    Args:
        package_dir: str or path-like, or None.

    Returns:
        The directory, as a str.

    Example:

    >>> facesjs_package_dir("/opt/node_modules/facesjs")
    '/opt/node_modules/facesjs'
    """
    return _npm.npm_package_dir(FACESJS_PACKAGE, FACESJS_DIR_ENV, package_dir)


def install_facesjs_package(version=FACESJS_VERSION):
    """Installs `facesjs` with npm into kgan's cache folder.

    Runs `npm install --no-audit --no-fund --prefix <cache>/npm
    facesjs@<version>`, which needs `npm` on the PATH and access to the npm
    registry (under 1 MB with its three small dependencies).

    Args:
        version: str, the package version (or any npm version range).

    Returns:
        The package directory, as `facesjs_package_dir()` resolves it when
        neither argument nor environment variable is set.

    Raises:
        FileNotFoundError: if `npm` is not on the PATH.
        RuntimeError: if npm fails.

    Example:

    >>> install_facesjs_package()  # doctest: +SKIP
    '/home/me/.cache/kgan/npm/node_modules/facesjs'
    """
    version = _npm.check_version(version, FACESJS_VERSION)
    return _npm.install_npm_package(FACESJS_PACKAGE, version)


def _node():
    """The path of `node`; raises FileNotFoundError with what to install."""
    node = shutil.which("node")
    if node is None:
        raise FileNotFoundError(
            "Drawing the aging faces runs facesjs under Node.js, but `node` "
            f"was not found on the PATH. {_NODE_INSTALL}"
        )
    return node


def _read_package(package_dir):
    """Returns the facesjs version; raises FileNotFoundError if it is missing."""
    entry = os.path.join(package_dir, "build", "index.js")
    if not os.path.isfile(entry):
        command = _npm.install_command(FACESJS_PACKAGE, FACESJS_VERSION)
        raise FileNotFoundError(
            f"The {FACESJS_PACKAGE} npm package was not found: no build/index.js "
            f"in {package_dir!r}. Install it once with\n"
            f"    {_npm.shell_command(command)}\n"
            "(or call kgan.data.install_facesjs_package()), or point the "
            f"{FACESJS_DIR_ENV} environment variable (or the `package_dir=` "
            "argument) at an installed facesjs (with its node_modules "
            "dependencies beside it)."
        )
    try:
        with open(os.path.join(package_dir, "package.json"), "rb") as file:
            return str(json.load(file).get("version", "unknown"))
    except (OSError, ValueError, AttributeError):
        return "unknown"


@functools.lru_cache(maxsize=None)
def _script_sha256():
    with open(_SCRIPT, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


@functools.lru_cache(maxsize=None)
def _import_cairosvg():
    try:
        import cairosvg
    except ImportError as error:
        raise ImportError(
            "Drawing the aging faces needs the PyPI package 'cairosvg' "
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


def identity_seed(identity):
    """Returns the 32-bit seed of facesjs's PRNG for an identity id.

    The first 4 bytes (big-endian) of `sha256("kgan-aging-faces-<id>")`.

    Args:
        identity: int >= 0, the identity id.

    Returns:
        An int in [0, 2**32).

    Example:

    >>> identity_seed(0) == identity_seed(0) != identity_seed(1)
    True
    """
    identity = _check_int("identity", identity, 0, 7)
    digest = hashlib.sha256(f"{_SEED_SALT}-{identity}".encode("ascii")).digest()
    return int.from_bytes(digest[:4], "big")


def _run_node(package_dir, identities, age_groups):
    """Runs `aging_faces.mjs`; returns one `(race, svg)` per face, identity-major."""
    job = {
        "facesjs_dir": os.path.abspath(package_dir),
        "identities": [
            {
                "id": identity,
                "seed": identity_seed(identity),
                "gender": "female" if identity % 2 else "male",
            }
            for identity in identities
        ],
        "age_groups": list(age_groups),
    }
    result = subprocess.run(
        [_node(), _SCRIPT],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"`node {os.path.basename(_SCRIPT)}` failed with exit status "
            f"{result.returncode} (facesjs in {package_dir!r}; Node.js 18 or "
            f"newer is needed):\n{(result.stderr or result.stdout).strip()[-2000:]}"
        )
    faces = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    expected = [(i, g) for i in identities for g in age_groups]
    received = [(face["id"], face["age_group"]) for face in faces]
    if received != expected:
        raise RuntimeError(
            f"`node {os.path.basename(_SCRIPT)}` returned {len(faces)} faces; "
            f"expected {len(expected)}, one per identity and age group."
        )
    return [(face["race"], face["svg"]) for face in faces]


def _rasterize(svg, size):
    """Draws one face SVG at `size` x `size`: uint8 RGB on `BACKGROUND`."""
    from PIL import Image

    png = _import_cairosvg().svg2png(
        bytestring=svg.encode("utf-8"), output_width=size, output_height=size
    )
    with Image.open(io.BytesIO(png)) as image:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float32)
    alpha = rgba[..., 3:] / 255.0
    rgb = rgba[..., :3] * alpha + np.array(BACKGROUND, np.float32) * (1.0 - alpha)
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def _draw_chunk(package_dir, identities, age_groups, size):
    """Draws `identities` x `age_groups`: uint8 images `[n, S, S, 3]`, int32 races."""
    faces = _run_node(package_dir, identities, age_groups)
    images = np.empty((len(faces), size, size, 3), np.uint8)
    races = np.empty((len(faces),), np.int32)
    for row, (race, svg) in enumerate(faces):
        images[row] = _rasterize(svg, size)
        races[row] = _RACE_LABELS[race]
    return images, races


def _check_int(name, value, minimum, example, maximum=None):
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        limits = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise ValueError(
            f"Argument `{name}` must be an int {limits} (e.g. {example}); "
            f"received {value!r}."
        )
    return int(value)


def _check_identities(identities):
    if isinstance(identities, (str, bytes)) or np.ndim(identities) != 1:
        raise ValueError(
            "Argument `identities` must be a list of int ids >= 0 (e.g. "
            f"[0, 1, 2]); received {identities!r}."
        )
    identities = [_check_int("identities[i]", value, 0, 7) for value in identities]
    if not identities or len(set(identities)) != len(identities):
        raise ValueError(
            "Argument `identities` must be a non-empty list of distinct int "
            f"ids; received {identities!r}."
        )
    return identities


def _check_age_groups(age_groups):
    if age_groups is None:
        return list(range(len(AGE_GROUPS)))
    if isinstance(age_groups, (str, bytes)) or np.ndim(age_groups) != 1:
        raise ValueError(
            "Argument `age_groups` must be None or a list of age groups 0 to "
            f"{len(AGE_GROUPS) - 1}; received {age_groups!r}."
        )
    groups = [
        _check_int("age_groups[i]", value, 0, 4, len(AGE_GROUPS) - 1)
        for value in age_groups
    ]
    if not groups:
        raise ValueError("Argument `age_groups` must not be empty; received [].")
    return groups


def _check_workers(workers):
    if workers is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # macOS, Windows
            return max(1, os.cpu_count() or 1)
    return _check_int("workers", workers, 1, 2)


def _check_split(split):
    if not isinstance(split, str) or split not in SPLITS:
        raise ValueError(
            f"Argument `split` must be one of {list(SPLITS)}; received {split!r}."
        )
    return split


def aging_faces_identities(split="train", n_identities=None):
    """Returns the identity ids of a split.

    Args:
        split: `"train"` (ids 0, 1, ...) or `"test"` (ids 100,000, ...).
        n_identities: int >= 1, the number of people, or None for
            `AGING_FACES_TRAIN_IDENTITIES` (1,200) or
            `AGING_FACES_TEST_IDENTITIES` (200). The first `n` of a split are
            the same people whatever `n`.

    Returns:
        A list of int ids; half are men (even ids), half women (odd ids).

    Example:

    >>> aging_faces_identities("test", 3)
    [100000, 100001, 100002]
    """
    split = _check_split(split)
    if n_identities is None:
        n_identities = (
            AGING_FACES_TRAIN_IDENTITIES if split == "train" else AGING_FACES_TEST_IDENTITIES
        )
    n_identities = _check_int(
        "n_identities", n_identities, 1, 1200, AGING_FACES_TEST_ID_OFFSET
    )
    start = 0 if split == "train" else AGING_FACES_TEST_ID_OFFSET
    return list(range(start, start + n_identities))


def _draw(package_dir, identities, age_groups, size, progress, workers, desc):
    import tqdm

    _import_cairosvg()  # fails early, in this process, if cairo is missing
    _node()
    chunks = [identities[start : start + _CHUNK] for start in range(0, len(identities), _CHUNK)]
    per = len(age_groups)
    n = len(identities) * per
    images = np.empty((n, size, size, 3), np.uint8)
    races = np.empty((n,), np.int32)
    tasks = [(package_dir, chunk, age_groups, size) for chunk in chunks]
    bar = tqdm.tqdm(total=n, desc=desc, unit="img", leave=False, disable=not progress)
    start = 0
    with bar:
        parts = _parallel.map_chunks(_draw_chunk, tasks, workers, "faces")
        for chunk, (part_images, part_races) in zip(chunks, parts):
            stop = start + len(chunk) * per
            images[start:stop], races[start:stop] = part_images, part_races
            bar.update(stop - start)
            start = stop
    return images, races


def _labels(identities, age_groups):
    ids = np.repeat(np.asarray(identities, np.int32), len(age_groups))
    groups = np.tile(np.asarray(age_groups, np.int32), len(identities))
    return ids, groups, (ids % 2).astype(np.int32)


def draw_aging_faces(
    identities, age_groups=None, image_size=64, package_dir=None, progress=False, workers=1
):
    """Draws chosen people at chosen ages (no cache), as uint8 images.

    Args:
        identities: list of distinct int ids >= 0 (any: the splits use
            `aging_faces_identities`).
        age_groups: list of age groups 0 to 9 (`AGE_GROUPS`), or None for all
            ten.
        image_size: int >= 8, the side of the square images.
        package_dir: the facesjs directory; see `facesjs_package_dir`.
        progress: bool, whether to show a progress bar.
        workers: int >= 1 or None (one per CPU core), the drawing processes.

    Returns:
        A `FaceAgeData`, identity-major (every age of the first identity,
        then the next): uint8 images `[N, image_size, image_size, 3]`, int32
        `age_groups`, `genders` (`id % 2`), `races` (UTKFace's codes: white
        0, black 1, asian 2, brown 3) and `identities`; `ages` is None.

    Raises:
        FileNotFoundError: if `node` or facesjs is missing; the message says
            what to install.
        ValueError: if an argument is out of range.

    Example:

    >>> faces = draw_aging_faces([0, 1], image_size=64)
    >>> faces.images.shape, faces.age_groups[:3], faces.genders[[0, 10]]
    ((20, 64, 64, 3), array([0, 1, 2], dtype=int32), array([0, 1], dtype=int32))
    """
    identities = _check_identities(identities)
    age_groups = _check_age_groups(age_groups)
    size = _check_int("image_size", image_size, 8, 64)
    workers = _check_workers(workers)
    package_dir = facesjs_package_dir(package_dir)
    _read_package(package_dir)
    images, races = _draw(
        package_dir, identities, age_groups, size, progress, workers, "aging faces"
    )
    ids, groups, genders = _labels(identities, age_groups)
    return FaceAgeData(images, groups, genders, races, None, ids)


def _cache_path(split, size, n_identities, cache_dir):
    if cache_dir is None:
        cache_dir = os.path.join(_npm.kgan_cache_dir(), "datasets")
    name = f"aging_faces_{split}_{size}px_n{n_identities}.npz"
    return os.path.join(os.fspath(cache_dir), name)


def load_aging_faces_uint8(
    split="train",
    image_size=64,
    n_identities=None,
    package_dir=None,
    cache_dir=None,
    progress=True,
    workers=None,
    cache=True,
):
    """Loads the drawn aging faces of a split, as uint8 images with labels.

    Every identity of the split is drawn at all 10 age groups (a progress
    bar shows) and the arrays are cached as
    `aging_faces_<split>_<size>px_n<n>.npz`, keyed by the facesjs version,
    the drawing script, the cairosvg version and the arguments; a later call
    with the same key reads only that file.

    Args:
        split: `"train"` or `"test"`: disjoint people (see
            `aging_faces_identities`).
        image_size: int >= 8, the side of the square images; cairosvg draws
            the SVGs at that size directly, with anti-aliasing.
        n_identities: int >= 1, the number of people, or None for the split's
            default (1,200 train, 200 test).
        package_dir: the facesjs directory; see `facesjs_package_dir`.
        cache_dir: str or path-like, the folder of the `.npz` cache; None for
            `<cache>/datasets` (`<cache>` is `$KGAN_HOME`, else
            `~/.cache/kgan`).
        progress: bool, whether to show a tqdm progress bar while drawing.
        workers: int >= 1, the number of drawing processes, or None for one
            per CPU core this process may run on. Above 1, a pool of "spawn"
            processes (a script that calls this at its top level then needs
            an `if __name__ == "__main__":` guard).
        cache: bool, whether to read and write the cache.

    Returns:
        A `FaceAgeData`, identity-major: uint8 images `[N, image_size,
        image_size, 3]` on white and int32 `age_groups` (0 to 9), `genders`
        (0 male, 1 female), `races` and `identities` `[N]`, `N = 10 *
        n_identities`; `ages` is None.

    Raises:
        FileNotFoundError: if `node` or facesjs is missing; the message says
            what to install.
        ValueError: if an argument is out of range.

    Example:

    >>> faces = load_aging_faces_uint8("train")
    >>> faces.images.shape, np.bincount(faces.age_groups)[:3]
    ((12000, 64, 64, 3), array([1200, 1200, 1200]))
    """
    identities = aging_faces_identities(split, n_identities)
    size = _check_int("image_size", image_size, 8, 64)
    workers = _check_workers(workers)
    package_dir = facesjs_package_dir(package_dir)
    version = _read_package(package_dir)
    age_groups = list(range(len(AGE_GROUPS)))
    key = {
        "format": _CACHE_FORMAT,
        "package": FACESJS_PACKAGE,
        "version": version,
        "script_sha256": _script_sha256(),
        "cairosvg": _cairosvg_version(),
        "split": split,
        "size": size,
        "n_identities": len(identities),
        "first_identity": identities[0],
        "background": list(BACKGROUND),
    }
    path = _cache_path(split, size, len(identities), cache_dir)
    cached = None
    if cache and os.path.isfile(path):
        cached = _cache.read_arrays(path, key, ("images", "races"))
    if cached is not None:
        images, races = cached
    else:
        images, races = _draw(
            package_dir,
            identities,
            age_groups,
            size,
            progress,
            workers,
            f"aging faces {split} {size}x{size}",
        )
        if cache:
            _cache.write_arrays(path, key, images=images, races=races)
    ids, groups, genders = _labels(identities, age_groups)
    return FaceAgeData(images, groups, genders, races.astype(np.int32), None, ids)


def load_aging_faces(
    split="train",
    image_size=64,
    n_identities=None,
    package_dir=None,
    cache_dir=None,
    progress=True,
    workers=None,
    cache=True,
):
    """Loads the drawn aging faces of a split, as float32 images in [-1, 1].

    White is exactly 1.0. See `load_aging_faces_uint8` for the cache and the
    arguments, and this module's docstring for how age changes a face.

    Args:
        split: `"train"` or `"test"`.
        image_size: int >= 8, the side of the images.
        n_identities: int >= 1 or None, the number of people.
        package_dir: the facesjs directory; see `facesjs_package_dir`.
        cache_dir: folder of the `.npz` cache, None for kgan's.
        progress: bool, whether to show a progress bar while drawing.
        workers: int >= 1 or None, the number of drawing processes.
        cache: bool, whether to read and write the cache.

    Returns:
        A `FaceAgeData`: float32 images `[N, image_size, image_size, 3]` in
        [-1, 1] and int32 `age_groups`, `genders`, `races`, `identities`;
        `ages` is None.

    Example:

    >>> faces = load_aging_faces("test", image_size=64)
    >>> faces.images.shape, faces.images.dtype
    ((2000, 64, 64, 3), dtype('float32'))
    """
    faces = load_aging_faces_uint8(
        split=split,
        image_size=image_size,
        n_identities=n_identities,
        package_dir=package_dir,
        cache_dir=cache_dir,
        progress=progress,
        workers=workers,
        cache=cache,
    )
    return faces._replace(images=to_float_images(faces.images))


def aging_faces_dataset(
    batch_size=100,
    split="train",
    image_size=64,
    n_identities=None,
    shuffle=True,
    seed=0,
    repeat=False,
    drop_remainder=True,
    package_dir=None,
    cache_dir=None,
    progress=True,
    workers=None,
):
    """Returns the drawn aging faces as `(images, labels)` batches for `keras.Model.fit`.

    Reshuffled every epoch from `seed`; by default full batches only.

    Args:
        batch_size: positive int, the number of faces per batch (CAAE: 100).
        split: `"train"` or `"test"`.
        image_size: int >= 8, the side of the images.
        n_identities: int >= 1 or None, the number of people.
        shuffle: bool, whether to permute the faces every epoch.
        seed: int, the seed of epoch 0's permutation (epoch `e` uses
            `seed + e`).
        repeat: bool, an endless dataset for `fit(..., steps_per_epoch=N)`
            (see `ArrayDataset`).
        drop_remainder: bool, whether to leave out the last partial batch.
        package_dir: the facesjs directory; see `facesjs_package_dir`.
        cache_dir: folder of the `.npz` cache, None for kgan's.
        progress: bool, whether to show a progress bar while drawing.
        workers: int >= 1 or None, the number of drawing processes.

    Returns:
        An `ArrayDataset` of float32 images `[batch_size, image_size,
        image_size, 3]` in [-1, 1] and int32 labels `[batch_size, 2]`:
        column 0 the age group (0 to 9), column 1 the gender (0 male, 1
        female), as for `utkface_dataset`.

    Example:

    >>> data = aging_faces_dataset(batch_size=100)
    >>> images, labels = data[0]
    >>> len(data), images.shape, labels.shape
    (120, (100, 64, 64, 3), (100, 2))
    """
    faces = load_aging_faces(
        split=split,
        image_size=image_size,
        n_identities=n_identities,
        package_dir=package_dir,
        cache_dir=cache_dir,
        progress=progress,
        workers=workers,
    )
    return as_dataset(
        faces.images,
        labels=face_age_labels(faces),
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
        repeat=repeat,
    )
