"""Saving and loading weights and checkpoints as .npz (host-side file I/O).

Files are written atomically (:func:`atomic_write`): to a temporary file in the same
folder, flushed and fsynced, then renamed over the target, so a crash never leaves a
half-written file. The temporary file gets the mode any other new file would get (the
umask decides), not mkstemp's private 0600. Loading uses ``allow_pickle=False``: tinyres
never unpickles data.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections import OrderedDict

import numpy as np

from . import backend
from .tensor import Tensor

__all__ = ["save", "load", "atomic_write", "check_output_dir", "output_dir_or_exit", "clean_stale_temp_files", "CheckpointError",
           "OutputDirError"]

_TMP_PREFIX, _TMP_SUFFIX = ".tmp-", ".npz"
# Every temp file (weights, checkpoints, metrics) is named the same way, so one pattern finds
# them all: the prefix, mkstemp's 8 random characters, the suffix. Only these are ours to delete.
_OUR_TEMP = re.compile(r"^\.tmp-[a-z0-9_]{8}\.npz$")


class CheckpointError(ValueError):
    """A weights/checkpoint file is missing, truncated, corrupt or not a tinyres .npz."""


class OutputDirError(ValueError):
    """An output folder cannot be used: it is a file, or cannot be created or written."""


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path, content):
    """Write ``content`` (str, bytes, or a callable that writes into a binary file) to ``path``
    atomically: temp file in the same folder, fsync, rename. On any failure the old file stays."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=_TMP_SUFFIX, dir=folder)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            if callable(content):
                content(f)
            else:
                f.write(content.encode() if isinstance(content, str) else content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def clean_stale_temp_files(folder):
    """Delete temporary files :func:`atomic_write` left behind when a process was killed
    mid-write (only names of our own pattern). Returns the names removed."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if _OUR_TEMP.match(name):
            try:
                os.unlink(os.path.join(folder, name))
                removed.append(name)
            except OSError:
                pass
    return sorted(removed)


def check_output_dir(path, what="--out"):
    """Make sure ``path`` is a folder we can write into, before any work is done: create it,
    write and fsync a small probe file, delete it. Raises OutputDirError with one line."""
    path = os.fspath(path)
    if os.path.exists(path) and not os.path.isdir(path):
        raise OutputDirError(f"{what} {path} is an existing file, not a folder; give a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise OutputDirError(f"{what} {path}: cannot create the folder ({exc.strerror or exc})") from None
    try:
        fd, probe = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=_TMP_SUFFIX, dir=path)
    except OSError as exc:
        raise OutputDirError(f"{what} {path}: cannot write into the folder ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(b"\0" * 4096)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        reason = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else (exc.strerror or str(exc))
        raise OutputDirError(f"{what} {path}: cannot write into the folder ({reason})") from None
    finally:
        if os.path.exists(probe):
            os.unlink(probe)
    if shutil.disk_usage(path).free == 0:
        raise OutputDirError(f"{what} {path}: cannot write into the folder (the disk is full)")
    return path


def output_dir_or_exit(path, prog, what="--out"):
    """For command-line scripts: :func:`check_output_dir`, or one line on stderr and exit 2."""
    try:
        return check_output_dir(path, what)
    except OutputDirError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


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
    return atomic_write(path, lambda f: np.savez(f, **arrays))


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
