"""Arrays cached as `.npz` files keyed by what built them (dataset builders)."""

import json
import os
import tempfile
import zipfile

import numpy as np


def read_arrays(path, key, names):
    """The arrays `names` stored at `path` for `key`, or None (missing, stale, broken)."""
    try:
        with np.load(path, allow_pickle=False) as cached:
            if json.loads(str(cached["key"])) != key:
                return None
            return tuple(cached[name] for name in names)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def write_arrays(path, key, **arrays):
    """Writes the arrays and `key` to `path` atomically: a temporary file, then a rename."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    handle, temp_path = tempfile.mkstemp(
        dir=folder, prefix=os.path.basename(path) + ".", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez_compressed(file, key=np.array(json.dumps(key)), **arrays)
        os.replace(temp_path, path)
    except BaseException:
        if os.path.exists(temp_path):
            os.remove(temp_path)
        raise
