"""Face aging quality (CAAE) on held-out faces: the age asked for, the face kept.

Every held-out face is rendered at every age group with its true gender
(`model.translate`). An age-group classifier trained on real faces
(`scripts/train_fid_classifier.py aging_faces`, shipped; `age_classifier`)
says whether each rendering shows the group it was asked for, next to its
accuracy on the real held-out faces (the best a model can score with it).
Pixel L1 distances say whether a face stays itself across ages (renderings of
one face at different ages) compared with other people (renderings of
different people at one age), and FID compares all renderings with the real
held-out faces, anchored by the FID of real training faces.
"""

import keras
import numpy as np

from kgan import images as image_utils
from kgan.metrics.distances import kernel_distance
from kgan.metrics.features import FeatureNetwork
from kgan.metrics.features import _shipped
from kgan.metrics.features import classifier_features
from kgan.metrics.fid import _fid
from kgan.metrics.translation import psnr

AGING_CLASSIFIER_GROUPS = {"age_group": list(range(10)), "gender": [10, 11]}
"""The columns of the shipped aging-faces classifier's 12 logits: 10 age groups, 2 genders."""


class AgeClassifier:
    """An age-group classifier of faces (optionally with a gender head).

    Faces may be uint8 or float in [-1, 1], of any size: `FeatureNetwork`'s
    preprocessing scales and resizes them to the model's input.

    Args:
        model: a Keras model from faces `[N, H, W, C]` in [-1, 1] to logits
            `[N, age_groups]` or `[N, age_groups + genders]`: the first
            `age_groups` columns score the age groups, the others (if any)
            the genders.
        age_groups: the number of age groups (10, `kgan.data.AGE_GROUPS`).

    Example:
    >>> classifier = kgan.metrics.age_classifier()
    >>> classifier(faces)              # predicted age groups, int64 [N]
    >>> classifier.accuracy(faces, age_groups)["overall"]
    """

    def __init__(self, model, age_groups=10):
        width = int(model.outputs[0].shape[-1])
        if width < age_groups:
            raise ValueError(
                f"Expected a classifier with at least {age_groups} logits (the age groups). "
                f"Received: a model with {width} outputs"
            )
        self.model = model
        self.network = FeatureNetwork(model, model.name)
        self.age_groups = int(age_groups)
        self.genders = width - self.age_groups
        self.name = model.name

    def logits(self, faces, batch_size=256):
        """All logits `[N, age_groups (+ genders)]` (float64) of a batch of faces."""
        return self.network(faces, batch_size=batch_size)

    def predict(self, faces, batch_size=256):
        """`(age groups, genders)`, int64 `[N]` each; genders None without a gender head."""
        if len(faces) == 0:
            empty = np.zeros((0,), "int64")
            return empty, (empty if self.genders else None)
        logits = self.logits(faces, batch_size)
        ages = logits[:, : self.age_groups].argmax(axis=1)
        genders = logits[:, self.age_groups :].argmax(axis=1) if self.genders else None
        return ages, genders

    def __call__(self, faces, batch_size=256):
        """Predicted age groups, int64 `[N]`."""
        return self.predict(faces, batch_size)[0]

    def accuracy(self, faces, age_groups, batch_size=256):
        """Age-group accuracy on faces with known groups (see `group_accuracy`)."""
        return group_accuracy(self(faces, batch_size), age_groups, self.age_groups)

    def features(self, layer="features"):
        """A `FeatureNetwork` of the classifier's layer `layer` (FID features)."""
        model = classifier_features(self.model, layer)
        return FeatureNetwork(model, f"{self.name}/{int(model.outputs[0].shape[-1])}")


def age_classifier():
    """kgan's shipped age-group and gender classifier of the aging faces.

    Trained on the 12,000 training faces by `scripts/train_fid_classifier.py
    aging_faces`; its held-out accuracy (200 other people) is in
    `kgan/metrics/weights/aging_faces_classifier.json`. Its `features()` are
    the aging-faces FID features (`shipped_classifier_features("aging_faces")`).

    Returns:
        An `AgeClassifier` (10 age groups, 2 genders).
    """
    path = _shipped("aging_faces_classifier.keras")
    if not path.is_file():
        raise FileNotFoundError(
            f"The shipped classifier {path} is missing; train it with "
            "`python scripts/train_fid_classifier.py aging_faces`."
        )
    model = keras.models.load_model(str(path), compile=False)
    return AgeClassifier(model, age_groups=len(AGING_CLASSIFIER_GROUPS["age_group"]))


def group_accuracy(predicted, true, groups=10):
    """Accuracy of predicted age groups, per true group and overall.

    Returns:
        A dict: `per_group` (a list of `groups` accuracies, None for a group
        with no faces), `overall`, and `mean_group_error` (the mean of
        |predicted - true| in groups: adjacent groups cost 1).
    """
    predicted, true = np.asarray(predicted).ravel(), np.asarray(true).ravel()
    if predicted.shape != true.shape:
        raise ValueError(
            f"Expected as many predictions as labels. Received: {predicted.shape} and {true.shape}"
        )
    correct = predicted == true
    return {
        "per_group": [
            float(correct[true == k].mean()) if np.any(true == k) else None for k in range(groups)
        ],
        "overall": float(correct.mean()) if len(correct) else None,
        "mean_group_error": float(np.abs(predicted - true).mean()) if len(correct) else None,
    }


def _mean_l1(rows, pairs, chunk=2048):
    """Mean over pairs `(a, b)` of the mean |rows[a] - rows[b]| (grey levels for uint8)."""
    if len(pairs) == 0:
        return None
    total = 0.0
    for start in range(0, len(pairs), chunk):
        a, b = pairs[start : start + chunk].T
        difference = rows[a].astype("float32") - rows[b].astype("float32")
        total += np.abs(difference).mean(axis=1).sum(dtype="float64")
    return float(total / len(pairs))


def _mean_euclidean(rows, pairs):
    """Mean over pairs `(a, b)` of |rows[a] - rows[b]|_2 (feature vectors)."""
    if len(pairs) == 0:
        return None
    a, b = pairs.T
    return float(np.linalg.norm(rows[a] - rows[b], axis=1).mean())


def _ratio(same, other):
    return None if same is None or not other else float(same / other)


def _partners(identities, seed):
    """For each face, a different person's face (a fixed shuffled cycle), or -1 if none.

    Faces are put on one cycle in a random order (`seed`) and each is paired
    with the next face on it that belongs to someone else.
    """
    n = len(identities)
    order = np.random.default_rng(seed).permutation(n)
    partners = np.full(n, -1, "int64")
    for position, face in enumerate(order):
        for step in range(1, n):
            other = order[(position + step) % n]
            if identities[other] != identities[face]:
                partners[face] = other
                break
    return partners


def _identity_pairs(n, groups):
    """Pairs of rows of renderings `[n * groups]` (row `i * groups + k`): one face at two ages."""
    first, second = np.triu_indices(groups, 1)
    base = np.arange(n)[:, None] * groups
    return np.stack([(base + first).ravel(), (base + second).ravel()], axis=1)


def _other_face_pairs(partners, groups):
    """Pairs of rows of renderings: two different people's faces at one age."""
    faces = np.flatnonzero(partners >= 0)
    k = np.arange(groups)
    a = (faces[:, None] * groups + k).ravel()
    b = (partners[faces][:, None] * groups + k).ravel()
    return np.stack([a, b], axis=1)


def _real_pairs(identities, age_groups, seed):
    """Pairs of real faces: one person at two different ages; two people at one age."""
    same = []
    for person in np.unique(identities):
        faces = np.flatnonzero(identities == person)
        first, second = np.triu_indices(len(faces), 1)
        keep = age_groups[faces[first]] != age_groups[faces[second]]
        same.append(np.stack([faces[first][keep], faces[second][keep]], axis=1))
    other = []
    for group in np.unique(age_groups):
        faces = np.flatnonzero(age_groups == group)
        partners = _partners(identities[faces], seed)
        found = partners >= 0
        other.append(np.stack([faces[found], faces[partners[found]]], axis=1))
    as_pairs = lambda parts: np.concatenate(parts or [np.zeros((0, 2), "int64")]).astype("int64")  # noqa: E731
    return as_pairs(same), as_pairs(other)


def _distances(rows, same_pairs, other_pairs, distance, names):
    same, other = distance(rows, same_pairs), distance(rows, other_pairs)
    return {names[0]: same, names[1]: other, names[2]: _ratio(same, other)}


def _labels(values, n, name):
    values = np.asarray(values)
    if values.shape != (n,) or not np.issubdtype(values.dtype, np.integer):
        raise ValueError(
            f"Expected `{name}` as ints of shape ({n},) (one per face). Received: "
            f"shape={values.shape}, dtype={values.dtype}"
        )
    return values.astype("int64")


def evaluate_aging(
    model,
    faces,
    age_groups,
    genders,
    identities=None,
    classifier=None,
    features=None,
    floor_faces=None,
    max_faces=None,
    seed=0,
    batch_size=256,
):
    """Aging accuracy, reconstruction, identity and FID of a face-aging model.

    Each face is rendered at every age group with its true gender
    (`model.translate(faces, genders=genders)`), `N x A` renderings.

    Args:
        model: anything with `translate(float faces, genders=..., batch_size=...)`
            -> uint8 `[N, A, S, S, C]` (a `kgan.models.CAAE`).
        faces: held-out faces `[N, S, S, C]` at the model's size, uint8 or
            float in [-1, 1].
        age_groups: their true age groups, ints `[N]`.
        genders: their true genders, ints `[N]` (0 male, 1 female).
        identities: their people, ints `[N]`, or None (every face its own
            person). "Other face" pairs are always two different people.
        classifier: an `AgeClassifier` (None: no accuracies).
        features: a `kgan.metrics.FeatureNetwork` (None: no FID and no
            feature-space identity distances); usually `classifier.features()`.
        floor_faces: other real faces (the training split) for the FID
            floor: their first `N x A` (at most all) against `faces`.
        max_faces: use only the first `max_faces` faces (None: all).
        seed: seed of the fixed "other face" pairing.
        batch_size: images per forward pass.

    Returns:
        A dict (JSON-ready):
        - `faces` (N), `age_groups` (A), `samples` (renderings, `N x A`);
        - with a classifier, `classifier` (its name) and, each a dict of
          `per_group` (A accuracies; None for a group without faces),
          `overall` and `mean_group_error` (mean |predicted - asked| in groups):
          `classifier_accuracy_real` on the real faces against their groups,
          and `aging_accuracy` on the renderings against the group asked for,
          plus `aging_accuracy["other_groups"]`, over renderings at a group
          other than the face's own; with a gender head, `gender_accuracy`:
          `real` and `rendered` (against the true genders);
        - `reconstruction_l1`: mean |rendering at the true labels - face| in
          grey levels (of 255), `reconstruction_psnr` in dB;
        - `same_face_distance`: mean L1 (grey levels) between renderings of one
          face at two different ages (all pairs); `other_face_distance`: mean
          L1 between renderings of two people at one age (each face with a
          fixed other person, at every age); `identity_ratio` = same / other
          (below 1: the face is kept more than the age changes it); with
          `features`, `identity_features`: the same three in Euclidean
          distance of the features; with `identities`, `identity_real`: the
          same for the real faces (`pixel` and `features`:
          `same_person_distance` between one person's faces at two ages,
          `other_person_distance` between two people at one age, `ratio`).
          The classifier's features encode age more than identity (real
          faces: feature ratio above 1), so the pixel distances are the
          identity measure; the feature ones say how much the age changes;
        - with `features`: `fid`, `kid`, `kid_std` of all renderings against
          the real faces, `features` (its name), `real_samples`; with
          `floor_faces`, `floor` (the real-vs-real FID at this sample
          count) and `floor_samples`.

    Example:
    >>> test = kgan.data.load_aging_faces_uint8("test", 64)
    >>> classifier = kgan.metrics.age_classifier()
    >>> evaluate_aging(model, test.images, test.age_groups, test.genders,
    ...                test.identities, classifier, classifier.features())
    """
    faces = np.asarray(faces)
    if faces.ndim != 4:
        raise ValueError(f"Expected faces of shape (N, H, W, C). Received: faces.shape={faces.shape}")
    if max_faces is not None:
        if int(max_faces) < 1:
            raise ValueError(f"Expected max_faces >= 1 or None. Received: max_faces={max_faces}")
        faces = faces[: int(max_faces)]
    n = len(faces)
    age_groups = _labels(np.asarray(age_groups)[:n], n, "age_groups")
    genders = _labels(np.asarray(genders)[:n], n, "genders")
    identities = None if identities is None else _labels(np.asarray(identities)[:n], n, "identities")
    if faces.dtype == np.uint8:
        real, floats = faces, image_utils.to_float(faces)
    else:
        floats = faces.astype("float32")
        if floats.size and (floats.min() < -1.0 or floats.max() > 1.0):
            raise ValueError(
                "Expected uint8 faces or floats in [-1, 1]. Received: values in "
                f"[{floats.min()}, {floats.max()}]"
            )
        real = image_utils.to_uint8(floats)

    rendered = np.asarray(model.translate(floats, genders=genders, batch_size=batch_size))
    if rendered.dtype != np.uint8 or rendered.ndim != 5 or rendered.shape[0] != n or (
        rendered.shape[2:] != real.shape[1:]
    ):
        raise ValueError(
            f"Expected model.translate to return uint8 (N, A, H, W, C) = ({n}, A) + "
            f"{real.shape[1:]}. Received: shape={rendered.shape}, dtype={rendered.dtype}"
        )
    groups = rendered.shape[1]
    if age_groups.size and age_groups.max() >= groups:
        raise ValueError(
            f"Expected age_groups in [0, {groups - 1}] (the model renders {groups} groups). "
            f"Received: max {age_groups.max()}"
        )
    flat = rendered.reshape((n * groups,) + rendered.shape[2:])
    asked = np.tile(np.arange(groups), n)
    result = {"faces": int(n), "age_groups": int(groups), "samples": int(n * groups)}

    if classifier is not None:
        if classifier.age_groups != groups:
            raise ValueError(
                f"Expected a classifier of the model's {groups} age groups. "
                f"Received: one of {classifier.age_groups}"
            )
        real_ages, real_genders = classifier.predict(real, batch_size)
        rendered_ages, rendered_genders = classifier.predict(flat, batch_size)
        aging = group_accuracy(rendered_ages, asked, groups)
        changed = asked != np.repeat(age_groups, groups)
        aging["other_groups"] = float(np.mean(rendered_ages[changed] == asked[changed])) if changed.any() else None
        result.update(
            classifier=classifier.name,
            classifier_accuracy_real=group_accuracy(real_ages, age_groups, groups),
            aging_accuracy=aging,
        )
        if real_genders is not None:
            result["gender_accuracy"] = {
                "real": float(np.mean(real_genders == genders)),
                "rendered": float(np.mean(rendered_genders == np.repeat(genders, groups))),
            }

    reconstructed = rendered[np.arange(n), age_groups]
    result["reconstruction_l1"] = float(np.abs(reconstructed.astype("float64") - real).mean())
    result["reconstruction_psnr"] = psnr(reconstructed, real)

    people = np.arange(n) if identities is None else identities
    partners = _partners(people, seed)
    same_pairs, other_pairs = _identity_pairs(n, groups), _other_face_pairs(partners, groups)
    names = ("same_face_distance", "other_face_distance", "identity_ratio")
    result.update(_distances(flat.reshape(len(flat), -1), same_pairs, other_pairs, _mean_l1, names))
    rendered_features = real_features = None
    if features is not None:
        rendered_features = features(flat, batch_size=batch_size)
        real_features = features(real, batch_size=batch_size)
        result["identity_features"] = _distances(
            rendered_features, same_pairs, other_pairs, _mean_euclidean, names
        )
    if identities is not None:
        real_same, real_other = _real_pairs(identities, age_groups, seed)
        names = ("same_person_distance", "other_person_distance", "ratio")
        result["identity_real"] = {
            "pixel": _distances(real.reshape(n, -1), real_same, real_other, _mean_l1, names)
        }
        if features is not None:
            result["identity_real"]["features"] = _distances(
                real_features, real_same, real_other, _mean_euclidean, names
            )

    if features is not None:
        kid, kid_std = kernel_distance(real_features, rendered_features)
        result.update(
            fid=_fid(real_features, rendered_features),
            kid=kid,
            kid_std=kid_std,
            features=features.name,
            real_samples=int(n),
        )
        if floor_faces is not None:
            floor = floor_faces[: n * groups]
            result["floor"] = _fid(real_features, features(floor, batch_size=batch_size))
            result["floor_samples"] = int(len(floor))
    return result
