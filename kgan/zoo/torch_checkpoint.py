"""Reads PyTorch checkpoints (zip format) into NumPy, without PyTorch.

Only tensors, ordered dicts and plain Python values are rebuilt; any other
class in the pickle is refused, so reading a file never runs its code.
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


def _rebuild_tensor(storage, offset, size, stride, *unused):
    if not size:
        return storage[offset].copy()
    itemsize = storage.itemsize
    return np.lib.stride_tricks.as_strided(
        storage[offset:], shape=tuple(size), strides=tuple(s * itemsize for s in stride)
    ).copy()


def _rebuild_parameter(data, requires_grad=None, backward_hooks=None, *unused):
    return data


class _StorageType:
    def __init__(self, name):
        self.dtype = _STORAGE_DTYPES[name]


def load_torch_checkpoint(path):
    """Loads a `torch.save` zip file as nested dicts of NumPy arrays.

    Args:
        path: a file written by `torch.save` (zip format, PyTorch >= 1.6).

    Returns:
        The saved object with every tensor as a NumPy array.

    Raises:
        CheckpointError: not a zip checkpoint, truncated, a missing storage,
            or a pickle that names anything but tensors and plain containers.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise CheckpointError(
            f"{path} is not a PyTorch zip checkpoint (truncated or another format): {error}"
        ) from error
    with archive:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pickles) != 1:
            raise CheckpointError(f"{path}: expected one data.pkl in the archive, found {pickles}")
        prefix = pickles[0][: -len("data.pkl")]
        storages = {}

        def read_storage(storage_type, key, numel):
            if key not in storages:
                name = f"{prefix}data/{key}"
                if name not in names:
                    raise CheckpointError(f"{path}: storage {name} is missing")
                try:
                    raw = archive.read(name)
                except (zipfile.BadZipFile, OSError, EOFError) as error:
                    raise CheckpointError(f"{path}: storage {name} is corrupt: {error}") from error
                array = np.frombuffer(raw, dtype=storage_type.dtype)
                if numel is not None and array.size < numel:
                    raise CheckpointError(f"{path}: storage {name} is truncated")
                storages[key] = array
            return storages[key]

        class Unpickler(pickle.Unpickler):
            def find_class(self, module, name):
                if module == "collections" and name == "OrderedDict":
                    return collections.OrderedDict
                if module == "torch._utils" and name == "_rebuild_tensor_v2":
                    return _rebuild_tensor
                if module == "torch._utils" and name == "_rebuild_parameter":
                    return _rebuild_parameter
                if module == "torch" and name in _STORAGE_DTYPES:
                    return _StorageType(name)
                raise CheckpointError(
                    f"{path}: refusing to load {module}.{name} from the pickle "
                    "(only tensors and plain containers are allowed)"
                )

            def persistent_load(self, pid):
                if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
                    raise CheckpointError(f"{path}: unknown persistent id {pid!r}")
                _, storage_type, key, _location, numel = pid
                if isinstance(storage_type, _StorageType):
                    return read_storage(storage_type, key, numel)
                raise CheckpointError(f"{path}: unsupported storage type {storage_type!r}")

        try:
            return Unpickler(archive.open(pickles[0]), encoding="latin1").load()
        except CheckpointError:
            raise
        except Exception as error:
            raise CheckpointError(f"{path}: unreadable pickle: {error}") from error
