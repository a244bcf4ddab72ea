"""Reads PyTorch checkpoints (zip and pre-1.6 legacy formats) into NumPy, without PyTorch.

Only tensors, ordered dicts, plain Python values and pytorch_GAN_zoo's
`BaseConfig` (kept as a `ConfigState`, its attributes in `.values`) are rebuilt;
any other class in the pickle is refused, so reading a file never runs its code.
"""

import collections
import pickle
import zipfile

import numpy as np

_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class CheckpointError(ValueError):
    """The file is not a readable PyTorch checkpoint (truncated, tampered, other format)."""


_TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_TORCH_LEGACY_PROTOCOL = 1001


class ConfigState:
    """Stands in for pytorch_GAN_zoo's `BaseConfig`: keeps its attributes in `values`."""

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
            return ConfigState
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
    if isinstance(value, ConfigState):
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


def load_torch_checkpoint(path):
    """Loads a `torch.save` file (zip, PyTorch >= 1.6, or the older legacy format).

    Args:
        path: a file written by `torch.save`.

    Returns:
        The saved object with every tensor as a NumPy array.

    Raises:
        CheckpointError: another format, truncated, a missing storage, or a
            pickle that names anything but tensors, plain containers and
            pytorch_GAN_zoo's `BaseConfig`.
    """
    with open(path, "rb") as file:
        if file.read(4) != b"PK\x03\x04":
            file.seek(0)
            return _load_legacy(path, file)
    return _load_zip(path)
