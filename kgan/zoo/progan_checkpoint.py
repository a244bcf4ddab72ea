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
import zipfile

import numpy as np

from kgan.zoo.torch_checkpoint import _STORAGE_DTYPES
from kgan.zoo.torch_checkpoint import CheckpointError

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
_TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_TORCH_LEGACY_PROTOCOL = 1001


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


class _ConfigState:
    """Stands in for pytorch_GAN_zoo's `BaseConfig`: keeps its attributes."""

    def __setstate__(self, state):
        if isinstance(state, tuple) and len(state) == 2:  # (dict, slots)
            state = state[0]
        self.values = dict(state or {})


class _Storage:
    __slots__ = ("key", "dtype", "numel", "view")

    def __init__(self, key, dtype, numel, view=None):
        self.key, self.dtype, self.numel, self.view = key, dtype, numel, view


class _Tensor:
    __slots__ = ("storage", "offset", "size", "stride")

    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride


class _StorageType:
    def __init__(self, name):
        self.dtype = np.dtype(_STORAGE_DTYPES[name])


def _rebuild_tensor(storage, offset, size, stride, *unused):
    if not isinstance(storage, _Storage):
        raise CheckpointError(f"tensor without a storage: {storage!r}")
    return _Tensor(storage, int(offset), tuple(size), tuple(stride))


def _rebuild_parameter(data, *unused):
    return data


class _TorchUnpickler(pickle.Unpickler):
    def __init__(self, file, path):
        super().__init__(file, encoding="latin1")
        self._path = path
        self.storages = {}

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module in ("torch", "torch.cuda") and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if name == "BaseConfig" and module.split(".")[-3:] == ["models", "utils", "config"]:
            return _ConfigState
        raise CheckpointError(
            f"{self._path}: refusing to load {module}.{name} from the pickle "
            "(only tensors, plain containers and pytorch_GAN_zoo's BaseConfig are allowed)"
        )

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) in (5, 6)):
            raise CheckpointError(f"{self._path}: unknown persistent id {pid!r}")
        kind = pid[0].decode() if isinstance(pid[0], bytes) else pid[0]
        storage_type = pid[1]
        if kind != "storage" or not isinstance(storage_type, _StorageType):
            raise CheckpointError(f"{self._path}: unsupported persistent id {pid!r}")
        key, numel = str(pid[2]), int(pid[4])
        view = pid[5] if len(pid) == 6 else None
        if key not in self.storages:
            self.storages[key] = _Storage(key, storage_type.dtype, numel)
        base = self.storages[key]
        if view is None:
            return base
        _view_key, offset, size = view
        return _Storage(key, base.dtype, numel, view=(int(offset), int(size)))


def _tensor_array(tensor, arrays, path):
    storage = tensor.storage
    data = arrays.get(storage.key)
    if data is None:
        raise CheckpointError(f"{path}: storage {storage.key} is missing")
    if storage.view is not None:
        offset, size = storage.view
        data = data[offset : offset + size]
    if any(n == 0 for n in tensor.size):
        return np.zeros(tensor.size, dtype=data.dtype)
    last = tensor.offset + sum((n - 1) * s for n, s in zip(tensor.size, tensor.stride))
    if tensor.offset < 0 or last >= data.size:
        raise CheckpointError(f"{path}: storage {storage.key} is truncated")
    if not tensor.size:
        return np.array(data[tensor.offset])
    return np.lib.stride_tricks.as_strided(
        data[tensor.offset :],
        shape=tensor.size,
        strides=tuple(s * data.itemsize for s in tensor.stride),
    ).copy()


def _materialize(value, arrays, path):
    if isinstance(value, _Tensor):
        return _tensor_array(value, arrays, path)
    if isinstance(value, dict):
        for key in list(value):
            value[key] = _materialize(value[key], arrays, path)
        return value
    if isinstance(value, list):
        return [_materialize(item, arrays, path) for item in value]
    if isinstance(value, tuple):
        return tuple(_materialize(item, arrays, path) for item in value)
    if isinstance(value, _ConfigState):
        value.values = _materialize(value.values, arrays, path)
    return value


def _load_zip(path):
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise CheckpointError(
            f"{path} is a truncated or corrupt PyTorch zip checkpoint: {error}"
        ) from error
    with archive:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pickles) != 1:
            raise CheckpointError(f"{path}: expected one data.pkl in the archive, found {pickles}")
        prefix = pickles[0][: -len("data.pkl")]
        try:
            with archive.open(pickles[0]) as file:
                unpickler = _TorchUnpickler(file, path)
                loaded = unpickler.load()
        except CheckpointError:
            raise
        except Exception as error:
            raise CheckpointError(f"{path}: unreadable pickle: {error}") from error
        arrays = {}
        for key, storage in unpickler.storages.items():
            name = f"{prefix}data/{key}"
            if name not in names:
                raise CheckpointError(f"{path}: storage {name} is missing")
            try:
                raw = archive.read(name)
            except (zipfile.BadZipFile, OSError, EOFError) as error:
                raise CheckpointError(f"{path}: storage {name} is corrupt: {error}") from error
            if len(raw) < storage.numel * storage.dtype.itemsize:
                raise CheckpointError(f"{path}: storage {name} is truncated")
            nbytes = storage.numel * storage.dtype.itemsize
            arrays[key] = np.frombuffer(raw[:nbytes], storage.dtype)
    return _materialize(loaded, arrays, path)


def _load_legacy(path, file):
    # Format of torch.save before PyTorch 1.6: pickles of the magic number,
    # the protocol version and sys_info, then the object (storages as
    # persistent ids), then the sorted storage keys, then for each key an
    # int64 element count followed by the raw data.
    try:
        header = _TorchUnpickler(file, path)
        magic = header.load()
        if magic != _TORCH_LEGACY_MAGIC:
            raise ValueError("no PyTorch magic number")
        protocol = _TorchUnpickler(file, path).load()
        if protocol != _TORCH_LEGACY_PROTOCOL:
            raise ValueError(f"unsupported legacy protocol {protocol!r}")
        sys_info = _TorchUnpickler(file, path).load()
        unpickler = _TorchUnpickler(file, path)
        loaded = unpickler.load()
        keys = _TorchUnpickler(file, path).load()
    except CheckpointError:
        raise
    except Exception as error:
        raise CheckpointError(
            f"{path} is not a PyTorch checkpoint (neither zip nor legacy format), "
            f"or it is truncated or corrupt: {type(error).__name__}: {error}"
        ) from error
    if not isinstance(keys, list):
        raise CheckpointError(
            f"{path}: corrupt legacy checkpoint (storage keys are a {type(keys).__name__})"
        )
    order = "<" if not isinstance(sys_info, dict) or sys_info.get("little_endian", True) else ">"
    arrays = {}
    for key in keys:
        key = str(key)
        storage = unpickler.storages.get(key)
        if storage is None:
            raise CheckpointError(f"{path}: storage {key} is listed but never used")
        count = file.read(8)
        if len(count) < 8:
            raise CheckpointError(f"{path} is truncated: storage {key} is missing")
        numel = int.from_bytes(count, "little" if order == "<" else "big", signed=True)
        dtype = storage.dtype.newbyteorder(order)
        raw = file.read(numel * dtype.itemsize)
        if numel < 0 or len(raw) < numel * dtype.itemsize:
            raise CheckpointError(f"{path} is truncated: storage {key} is incomplete")
        arrays[key] = np.frombuffer(raw, dtype).astype(storage.dtype, copy=False)
    return _materialize(loaded, arrays, path)


def _load_torch_file(path):
    with open(path, "rb") as file:
        if file.read(4) != b"PK\x03\x04":
            file.seek(0)
            return _load_legacy(path, file)
    return _load_zip(path)


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
    loaded = _load_torch_file(path)
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
    if isinstance(config, _ConfigState):
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
