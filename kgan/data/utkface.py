"""UTKFace from a local folder: faces labelled with age, gender and race by file name.

UTKFace (Zhang, Song, Qi 2017; the data of Face-Aging-CAAE) names every
image `age_gender_race_date.jpg`: `age` 0 to 116, `gender` 0 (male) or 1
(female), `race` 0 to 4 (White, Black, Asian, Indian, Others), `date` the
time it was collected. The "aligned & cropped" release appends
`.chip.jpg` (`25_1_3_20170119171413953.jpg.chip.jpg`). kgan cannot download
it: get the archive from the authors, unpack it, and point
`load_utkface(directory)` at the folder of images.

CAAE conditions on 10 age groups, `AGE_GROUPS`, and the gender; `age_group`
maps ages to groups. The same `FaceAgeData` tuple also carries kgan's
offline stand-in, the drawn faces of `kgan.data.aging_faces`.
"""

import os
import re
import warnings
from typing import NamedTuple
from typing import Optional

import numpy as np

from kgan import images as image_utils
from kgan.data.arrays import as_dataset
from kgan.data.arrays import to_float_images

AGE_GROUPS = ("0-5", "6-10", "11-15", "16-20", "21-30", "31-40", "41-50", "51-60", "61-70", "71+")
"""CAAE's 10 age groups; a label `g` is the index of its group in this tuple."""

GENDERS = ("male", "female")
"""UTKFace's genders: label 0 is male, 1 female."""

RACES = ("white", "black", "asian", "indian", "others")
"""UTKFace's races: labels 0 to 4."""

MAX_AGE = 116
"""The oldest age in UTKFace file names."""

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
"""The file endings `load_utkface_uint8` reads (case-insensitive)."""

_GROUP_ENDS = np.array([5, 10, 15, 20, 30, 40, 50, 60, 70])  # last age of groups 0..8
_NAME = re.compile(r"^(\d+)_(\d+)_(\d+)_")
_EXAMPLES = 5  # names listed in a message


class FaceAgeData(NamedTuple):
    """Faces with age and gender labels, as the UTKFace and aging-faces loaders return.

    A named tuple: `images, age_groups, genders, races, ages, identities =
    load_utkface(...)`. A label the source does not have is None: UTKFace has
    no identities, the drawn aging faces have no ages in years.

    Attributes:
        images: `[N, size, size, 3]` RGB: uint8 from the `*_uint8` loaders,
            float32 in [-1, 1] from the others.
        age_groups: int32 `[N]`, 0 to 9, indices into `AGE_GROUPS`.
        genders: int32 `[N]`, 0 (male) or 1 (female), indices into `GENDERS`.
        races: int32 `[N]`, 0 to 4, indices into `RACES`.
        ages: int32 `[N]`, the age in years (UTKFace), or None.
        identities: int32 `[N]`, the person drawn (aging faces: one identity
            at every age group), or None.
    """

    images: np.ndarray
    age_groups: np.ndarray
    genders: np.ndarray
    races: np.ndarray
    ages: Optional[np.ndarray] = None
    identities: Optional[np.ndarray] = None


def age_group(age):
    """Returns the CAAE age group (0 to 9) of an age in years.

    Groups end at 5, 10, 15, 20, 30, 40, 50, 60 and 70 years: 5 is in group 0
    ("0-5"), 6 in group 1 ("6-10"), 71 and older in group 9 ("71+").

    Args:
        age: int >= 0, or an array (or list) of them. Floats are accepted
            when they are whole numbers.

    Returns:
        An int for a scalar `age`, else an int32 array of the same shape.

    Raises:
        ValueError: if an age is negative, not a whole number, or not a
            number.

    Example:

    >>> age_group(25), AGE_GROUPS[age_group(25)]
    (4, '21-30')
    >>> age_group([0, 5, 6, 70, 71])
    array([0, 0, 1, 8, 9], dtype=int32)
    """
    scalar = np.ndim(age) == 0
    try:
        values = np.asarray(age)
    except Exception as error:  # ragged lists and such
        raise ValueError(
            f"Argument `age` must be an int or an array of ints; received {age!r}."
        ) from error
    if values.dtype == bool or not (
        np.issubdtype(values.dtype, np.integer) or np.issubdtype(values.dtype, np.floating)
    ):
        raise ValueError(
            "Argument `age` must be an int >= 0 or an array of them; received "
            f"{age!r} (dtype {values.dtype})."
        )
    if np.issubdtype(values.dtype, np.floating):
        whole = np.isfinite(values) & (values == np.floor(values))
        if not np.all(whole):
            bad = values[~whole] if values.ndim else values
            raise ValueError(
                "Argument `age` must hold whole numbers of years; received "
                f"{np.ravel(bad)[:_EXAMPLES].tolist()}."
            )
    if np.any(values < 0):
        raise ValueError(
            "Argument `age` must be >= 0; received "
            f"{np.ravel(values[values < 0])[:_EXAMPLES].tolist()}."
        )
    groups = np.searchsorted(_GROUP_ENDS, values, side="left").astype(np.int32)
    return int(groups) if scalar else groups


def parse_utkface_name(filename):
    """Reads `(age, gender, race)` from a UTKFace file name.

    The name (a path is fine: only its last part is read) must start with
    `age_gender_race_`: three integers, `age` 0 to 116, `gender` 0 or 1,
    `race` 0 to 4, then an underscore. What follows is not checked
    (`20170119171413953.jpg`, `...jpg.chip.jpg`).

    Args:
        filename: str or path-like.

    Returns:
        A tuple of three ints `(age, gender, race)`, or None if the name does
        not follow the pattern.

    Example:

    >>> parse_utkface_name("25_1_3_20170119171413953.jpg.chip.jpg")
    (25, 1, 3)
    >>> parse_utkface_name("39_1_20170116174525125.jpg.chip.jpg") is None
    True
    """
    name = os.path.basename(os.fspath(filename))
    match = _NAME.match(name)
    if match is None:
        return None
    age, gender, race = (int(part) for part in match.groups())
    if age > MAX_AGE or gender > 1 or race >= len(RACES):
        return None
    return age, gender, race


def _check_size(image_size):
    if (
        isinstance(image_size, bool)
        or not isinstance(image_size, (int, np.integer))
        or image_size < 8
    ):
        raise ValueError(
            "Argument `image_size` must be an int >= 8 (e.g. 64 or 128); "
            f"received {image_size!r}."
        )
    return int(image_size)


def _list_images(directory, recursive):
    """Returns the sorted paths of the image files in `directory`."""
    paths = []
    if recursive:
        for root, folders, files in os.walk(directory):
            folders[:] = sorted(folder for folder in folders if not folder.startswith("."))
            paths.extend(os.path.join(root, name) for name in files)
    else:
        paths = [os.path.join(directory, name) for name in os.listdir(directory)]
    return sorted(
        path
        for path in paths
        if not os.path.basename(path).startswith(".")
        and os.path.splitext(path)[1].lower() in IMAGE_EXTENSIONS
        and os.path.isfile(path)
    )


def _center_square(image):
    height, width = image.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return image[top : top + side, left : left + side]


def _read_face(path, size):
    """Reads one image as uint8 RGB `[size, size, 3]`: centre square, resized."""
    try:
        image = image_utils.load_image(path)
    except Exception as error:  # PIL raises several types for a bad file
        raise ValueError(f"Could not read the image {path!r}: {error}") from error
    colour, _ = image_utils.split_alpha(image)
    if colour.shape[-1] == 1:
        colour = np.repeat(colour, 3, axis=-1)
    return image_utils.resize(_center_square(colour), size)


def load_utkface_uint8(directory, image_size=64, recursive=False):
    """Loads UTKFace images with their labels from a folder, as uint8.

    Every `.jpg`, `.jpeg` or `.png` file whose name parses
    (`parse_utkface_name`) is read in sorted order, composited on white if it
    has alpha, cut to its centre square if it is not square, and resized to
    `image_size` (PIL: box filter when shrinking, bicubic when enlarging).
    Image files with other names are skipped, with one warning that counts
    them; other files are ignored.

    Args:
        directory: str or path-like, the folder of images (e.g. the unpacked
            `UTKFace/` of the aligned & cropped release).
        image_size: int >= 8, the side of the square images (CAAE: 128).
        recursive: bool, whether to read the subfolders too (the
            "in-the-wild" release comes as `part1/`, `part2/`, `part3/`).

    Returns:
        A `FaceAgeData` with uint8 images `[N, image_size, image_size, 3]`
        and int32 `age_groups`, `genders`, `races` and `ages` `[N]`;
        `identities` is None.

    Raises:
        FileNotFoundError: if `directory` is not a folder.
        ValueError: if it holds no image with a UTKFace name, an image cannot
            be read, or `image_size` is out of range.

    Example:

    >>> faces = load_utkface_uint8("UTKFace/", image_size=128)
    >>> faces.images.shape, faces.images.dtype, faces.age_groups[:3]
    ((23708, 128, 128, 3), dtype('uint8'), array([9, 9, 9], dtype=int32))
    """
    size = _check_size(image_size)
    if not isinstance(directory, (str, bytes, os.PathLike)):
        raise ValueError(
            "Argument `directory` must be a str or path-like folder of UTKFace "
            f"images; received {directory!r}."
        )
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"Argument `directory` must be a folder of UTKFace images; "
            f"{directory!r} is not a folder. UTKFace is not downloaded by kgan: "
            "unpack the archive from its authors and pass its folder."
        )
    paths, labels, skipped = [], [], []
    for path in _list_images(directory, bool(recursive)):
        parsed = parse_utkface_name(path)
        if parsed is None:
            skipped.append(os.path.relpath(path, directory))
        else:
            paths.append(path)
            labels.append(parsed)
    if skipped:
        warnings.warn(
            f"skipped {len(skipped)} files whose names are not "
            f"age_gender_race_date.jpg: e.g. {skipped[:_EXAMPLES]}",
            stacklevel=2,
        )
    if not paths:
        raise ValueError(
            f"The folder {directory!r} holds no image named like UTKFace's "
            "`age_gender_race_date.jpg` (age 0-116, gender 0 or 1, race 0-4)"
            + (f"; {len(skipped)} image files have other names." if skipped else ".")
            + ("" if recursive else " Pass `recursive=True` to read subfolders.")
        )
    images = np.empty((len(paths), size, size, 3), np.uint8)
    for row, path in enumerate(paths):
        images[row] = _read_face(path, size)
    labels = np.array(labels, dtype=np.int32).reshape(-1, 3)
    ages = labels[:, 0].copy()
    return FaceAgeData(
        images=images,
        age_groups=age_group(ages),
        genders=labels[:, 1].copy(),
        races=labels[:, 2].copy(),
        ages=ages,
        identities=None,
    )


def load_utkface(directory, image_size=64, recursive=False):
    """Loads UTKFace images with their labels from a folder, as float32 in [-1, 1].

    See `load_utkface_uint8` for the files read and the arguments.

    Args:
        directory: str or path-like, the folder of images.
        image_size: int >= 8, the side of the square images.
        recursive: bool, whether to read the subfolders too.

    Returns:
        A `FaceAgeData`: float32 images `[N, image_size, image_size, 3]` in
        [-1, 1] and int32 `age_groups`, `genders`, `races`, `ages` `[N]`.

    Example:

    >>> faces = load_utkface("UTKFace/", image_size=64)
    >>> float(faces.images.min()) >= -1.0, faces.genders.max()
    (True, 1)
    """
    faces = load_utkface_uint8(directory, image_size=image_size, recursive=recursive)
    return faces._replace(images=to_float_images(faces.images))


def face_age_labels(faces):
    """Stacks a `FaceAgeData`'s age groups and genders as CAAE's condition labels.

    Args:
        faces: a `FaceAgeData`.

    Returns:
        int32 `[N, 2]`: column 0 the age group (0 to 9), column 1 the gender
        (0 male, 1 female).

    Example:

    >>> face_age_labels(load_utkface("UTKFace/"))[:2]
    array([[9, 0],
           [9, 0]], dtype=int32)
    """
    return np.stack(
        [np.asarray(faces.age_groups, np.int32), np.asarray(faces.genders, np.int32)],
        axis=1,
    )


def utkface_dataset(
    directory,
    batch_size=100,
    image_size=64,
    recursive=False,
    shuffle=True,
    seed=0,
    repeat=False,
    drop_remainder=True,
):
    """Returns UTKFace as `(images, labels)` batches for `keras.Model.fit`.

    Args:
        directory: str or path-like, the folder of images.
        batch_size: positive int, the number of faces per batch (CAAE: 100).
        image_size: int >= 8, the side of the square images.
        recursive: bool, whether to read the subfolders too.
        shuffle: bool, whether to permute the faces every epoch.
        seed: int, the seed of epoch 0's permutation (epoch `e` uses
            `seed + e`).
        repeat: bool, an endless dataset for `fit(..., steps_per_epoch=N)`
            (see `ArrayDataset`).
        drop_remainder: bool, whether to leave out the last partial batch.

    Returns:
        An `ArrayDataset` of float32 images `[batch_size, image_size,
        image_size, 3]` in [-1, 1] and int32 labels `[batch_size, 2]`
        (age group, gender), as `face_age_labels` stacks them.

    Example:

    >>> data = utkface_dataset("UTKFace/", batch_size=100, image_size=128)
    >>> images, labels = data[0]
    >>> images.shape, labels.shape
    ((100, 128, 128, 3), (100, 2))
    """
    faces = load_utkface(directory, image_size=image_size, recursive=recursive)
    return as_dataset(
        faces.images,
        labels=face_age_labels(faces),
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
        repeat=repeat,
    )
