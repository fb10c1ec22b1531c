"""Saving and loading weights and checkpoints as .npz (host-side file I/O).

Files are written atomically: to a temporary file in the same folder, flushed and
fsynced, then renamed over the target, so a crash never leaves a half-written file.
Loading uses ``allow_pickle=False``: tinyres never unpickles data.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from collections import OrderedDict

import numpy as np

from . import backend
from .tensor import Tensor

__all__ = ["save", "load", "CheckpointError"]


class CheckpointError(ValueError):
    """A weights/checkpoint file is missing, truncated, corrupt or not a tinyres .npz."""


def _host(value):
    if isinstance(value, Tensor):
        value = value.data
    if backend.is_array(value):
        return backend.to_numpy(value)
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"cannot save a value of type {type(value).__name__} without pickling")
    return array


def save(obj, path) -> str:
    """Save a Module's state_dict, or a flat dict of name -> array/Tensor/number, to ``path`` (.npz)."""
    state = obj.state_dict() if hasattr(obj, "state_dict") and not isinstance(obj, dict) else obj
    if not isinstance(state, dict):
        raise TypeError(f"save() takes a Module or a dict, got {type(obj).__name__}")
    arrays = OrderedDict((str(k), _host(v)) for k, v in state.items())
    path = os.fspath(path)
    if not path.endswith(".npz"):
        path += ".npz"
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def load(path) -> "OrderedDict[str, np.ndarray]":
    """Read a .npz written by :func:`save` (or any npz of plain arrays) into name -> NumPy array."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise CheckpointError(f"{path}: no such file")
    try:
        with np.load(path, allow_pickle=False) as data:
            return OrderedDict((k, data[k]) for k in data.files)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise CheckpointError(f"{path}: not a readable .npz weights file ({type(exc).__name__}: {exc}); "
                              f"it may be truncated or corrupt") from None
