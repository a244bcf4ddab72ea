"""Reads published ProGAN checkpoints into NumPy, without TensorFlow or PyTorch.

Two formats are supported:

* The official TensorFlow release (tkarras/progressive_growing_of_gans), e.g.
  `karras2018iclr-celebahq-1024x1024.pkl`: a pickle of the tuple `(G, D, Gs)`
  of `tfutil.Network` objects. A normal `pickle.load` would need TensorFlow 1
  and would `exec` the network's source code (`build_module_src`, stored in the
  file). Here `tfutil.Network` is replaced by a stub that only keeps the
  pickled state, the only other globals allowed are the NumPy constructors of
  arrays, dtypes and scalars, and the stored source is never run.
* pytorch_GAN_zoo's PGAN checkpoints (torch hub `celebAHQ-256`, `celebAHQ-512`):
  a `torch.save` dict with `config` (a pickled `models.utils.config.BaseConfig`
  object, read back as a plain dict), `netG`, `netD` and `avgG` (state dicts).
  Both the zip format (PyTorch >= 1.6) and the older legacy format (expected
  for the 2019 hub files) are read. Tensors, ordered dicts and the config
  object are the only things rebuilt; anything else is refused.
"""

import collections
import pickle

import numpy as np

from kgan.zoo.torch_checkpoint import CheckpointError
from kgan.zoo.torch_checkpoint import ConfigState
from kgan.zoo.torch_checkpoint import load_torch_checkpoint

try:  # NumPy >= 2 (NumPy 1.x pickles name the same functions numpy.core.*).
    from numpy._core import multiarray as _multiarray
    from numpy._core import numeric as _numeric
except ImportError:  # pragma: no cover - NumPy 1.x
    from numpy.core import multiarray as _multiarray
    from numpy.core import numeric as _numeric

_TF_STATE_KEYS = (
    "version",
    "name",
    "static_kwargs",
    "build_module_src",
    "build_func_name",
    "variables",
)
_TF_NETWORK_ORDER = ("G", "D", "Gs")
_ZOO_KEYS = ("config", "netG", "avgG")


def _latin1_encode(text, encoding="latin1"):
    # Python 3 pickles with protocol < 3 store bytes as _codecs.encode(str, "latin1").
    if not isinstance(text, str) or encoding.replace("-", "").lower() != "latin1":
        raise CheckpointError(f"refusing _codecs.encode with encoding {encoding!r}")
    return text.encode("latin1")


def _numpy_globals():
    allowed = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): _latin1_encode,
    }
    for package in ("numpy.core", "numpy._core"):
        allowed[(package + ".multiarray", "_reconstruct")] = _multiarray._reconstruct
        allowed[(package + ".multiarray", "scalar")] = _multiarray.scalar
        allowed[(package + ".numeric", "_frombuffer")] = _numeric._frombuffer
    return allowed


_NUMPY_GLOBALS = _numpy_globals()


class _NetworkState:
    """Stands in for `tfutil.Network`: keeps the pickled state and runs nothing."""

    def __setstate__(self, state):
        self.state = state


class _TFUnpickler(pickle.Unpickler):
    def __init__(self, file, path):
        super().__init__(file, encoding="latin1")
        self._path = path

    def find_class(self, module, name):
        if module == "tfutil" and name == "Network":
            return _NetworkState
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        allowed = _NUMPY_GLOBALS.get((module, name))
        if allowed is not None:
            return allowed
        raise CheckpointError(
            f"{self._path}: refusing to load {module}.{name} from the pickle "
            "(only tfutil.Network state and NumPy arrays are allowed; nothing in "
            "the file is run)"
        )

    def persistent_load(self, pid):
        raise CheckpointError(f"{self._path}: unexpected persistent id {pid!r} in the pickle")


def _tf_network(network, path, label):
    state = getattr(network, "state", None)
    if not isinstance(state, dict):
        raise CheckpointError(f"{path}: network {label} has no pickled state")
    missing = [key for key in _TF_STATE_KEYS if key not in state]
    if missing:
        raise CheckpointError(
            f"{path}: network {label} lacks {', '.join(missing)} in its pickled state "
            f"(found {', '.join(map(str, state))})"
        )
    if state["version"] != 2:
        raise CheckpointError(
            f"{path}: network {label} has state version {state['version']!r}, expected 2"
        )
    if not isinstance(state["static_kwargs"], dict):
        raise CheckpointError(f"{path}: network {label}: static_kwargs is not a dict")
    variables = {}
    try:
        for name, value in state["variables"]:
            variables[str(name)] = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise CheckpointError(
            f"{path}: network {label} has unreadable variables: {error}"
        ) from error
    return {
        "name": str(state["name"]),
        "build_func_name": str(state["build_func_name"]),
        "static_kwargs": dict(state["static_kwargs"]),
        "variables": variables,
    }


def read_tf_progan_pickle(path):
    """Reads an official TensorFlow ProGAN pickle without running any of it.

    The file's `tfutil.Network` objects are rebuilt as plain dicts: the
    stored network source (`build_module_src`) is never executed and no
    TensorFlow is needed.

    Args:
        path: a pickle written by the official code, e.g.
            `karras2018iclr-celebahq-1024x1024.pkl` (the tuple `(G, D, Gs)`),
            or a pickle of a single `tfutil.Network`.

    Returns:
        A dict `{"G": net, "D": net, "Gs": net}` in file order (for a single
        network, `{net["name"]: net}`), where each `net` is a dict with
        `name` (str), `build_func_name` (str, e.g. `"G_paper"`),
        `static_kwargs` (dict) and `variables` (dict from the official
        variable name, e.g. `"4x4/Dense/weight"`, to a float32 array in the
        TensorFlow layout).

    Raises:
        CheckpointError: a truncated or corrupt file, not a pickle, a pickle
            that names any class but `tfutil.Network` and NumPy's array
            constructors, or a network state without the official keys.
    """
    with open(path, "rb") as file:
        try:
            loaded = _TFUnpickler(file, path).load()
        except CheckpointError:
            raise
        except Exception as error:
            raise CheckpointError(
                f"{path} is truncated or corrupt (not a complete ProGAN pickle): "
                f"{type(error).__name__}: {error}"
            ) from error
    if isinstance(loaded, _NetworkState):
        network = _tf_network(loaded, path, "0")
        return {network["name"]: network}
    if (
        isinstance(loaded, (tuple, list))
        and len(loaded) == len(_TF_NETWORK_ORDER)
        and all(isinstance(item, _NetworkState) for item in loaded)
    ):
        return {
            label: _tf_network(item, path, label)
            for label, item in zip(_TF_NETWORK_ORDER, loaded)
        }
    raise CheckpointError(
        f"{path}: expected a tfutil.Network or the tuple (G, D, Gs), "
        f"found {type(loaded).__name__}"
    )


def _canonical_zoo_key(name):
    # pytorch_GAN_zoo's own loader (loadStateDictCompatible) accepts names with
    # a DataParallel "module." prefix and names without the ".module." of
    # ConstrainedLayer; map both to the current layout.
    if name.startswith("module."):
        name = name[len("module.") :]
    if ".module." not in name:
        for suffix in ("weight", "bias"):
            if name.endswith("." + suffix):
                return name[: -len(suffix)] + "module." + suffix
    return name


def _zoo_state_dict(state, path, key):
    if not isinstance(state, dict):
        raise CheckpointError(f"{path}: {key} is a {type(state).__name__}, not a state dict")
    out = {}
    for name, value in state.items():
        if not isinstance(value, np.ndarray):
            raise CheckpointError(f"{path}: {key}[{name!r}] is not a tensor")
        out[_canonical_zoo_key(str(name))] = value
    return out


def read_pgan_zoo_checkpoint(path):
    """Reads a pytorch_GAN_zoo PGAN checkpoint into NumPy, without PyTorch.

    Args:
        path: a file written by pytorch_GAN_zoo's `ProgressiveGAN.save`, such
            as the torch hub `celebAHQ-256` / `celebAHQ-512` downloads (zip or
            legacy `torch.save` format).

    Returns:
        A dict with `config` (plain dict of the saved `BaseConfig`
        attributes, e.g. `depthScale0`, `depthOtherScales`, `latentVectorDim`,
        `dimOutput`, `leakyReluLeak`, `perChannelNormalization`,
        `equalizedlR`, `alpha`, `lossCriterion`), `netG` (the trained
        generator) and `avgG` (its moving average, the one to sample from),
        each a dict from parameter name (e.g. `"formatLayer.module.weight"`)
        to a NumPy array in the PyTorch layout. Names are given in the current
        pytorch_GAN_zoo layout: a DataParallel `module.` prefix is dropped and
        a missing `.module.` before `weight`/`bias` is added, as the zoo's own
        loader does.

    Raises:
        CheckpointError: not a PyTorch checkpoint, truncated, a pickle naming
            anything but tensors, plain containers and `BaseConfig`, or a
            missing `config`, `netG` or `avgG`.
    """
    loaded = load_torch_checkpoint(path)
    if not isinstance(loaded, dict):
        raise CheckpointError(
            f"{path}: expected a dict with {', '.join(_ZOO_KEYS)}, found {type(loaded).__name__}"
        )
    missing = [key for key in _ZOO_KEYS if key not in loaded]
    if missing:
        raise CheckpointError(
            f"{path} is not a pytorch_GAN_zoo checkpoint: missing {', '.join(missing)} "
            f"(found {', '.join(map(str, loaded))})"
        )
    config = loaded["config"]
    if isinstance(config, ConfigState):
        config = config.values
    if not isinstance(config, dict):
        raise CheckpointError(
            f"{path}: config is a {type(config).__name__}, not a BaseConfig or dict"
        )
    return {
        "config": dict(config),
        "netG": _zoo_state_dict(loaded["netG"], path, "netG"),
        "avgG": _zoo_state_dict(loaded["avgG"], path, "avgG"),
    }
