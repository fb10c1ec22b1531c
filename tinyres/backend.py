"""Array backends: the only module that imports NumPy or CuPy.

Everything above this module sees arrays through the Python array API standard:
``xp = namespace(x)`` and then ``xp.matmul``, ``xp.sum``, slicing, ... . That is what
lets one implementation of every op run on NumPy (CPU) and CuPy (GPU).

Device names
------------
``"cpu"``        NumPy.
``"cuda"``       CuPy on the current GPU; ``"cuda:N"`` on GPU number N.
``"strict"``     array_api_strict on its non-default device. It is a *checking*
                 backend: it raises on anything that would break on a GPU (mixing
                 devices, NumPy arrays leaking in, calls outside the standard). The
                 test suite runs every op and layer on it, so the GPU code path is
                 exercised on machines without a GPU.

Randomness
----------
All random numbers (weight init, shuffling, augmentation) are drawn on the host
from one NumPy generator seeded by :func:`manual_seed`, then moved to the target
device. The same seed therefore gives the same weights and batches on every device.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager

import array_api_compat
import array_api_compat.numpy  # noqa: F401  (namespace_for("cpu") returns it)
import numpy as _np

__all__ = [
    "namespace", "device_of", "device_name", "parse_device", "namespace_for",
    "to_device", "to_numpy", "from_numpy", "asarray", "default_device",
    "get_default_dtype", "set_default_dtype", "manual_seed", "rng", "generator", "host_random",
    "is_floating", "is_array", "dtype_name", "resolve_dtype", "SUPPORTED_DTYPES", "DeviceError",
    "host_blas_threads", "host_blas_kernels", "limit_host_blas_threads",
]

# The one install line for the GPU, as the README gives it: tinyres is installed from a clone, not from PyPI.
GPU_INSTALL_HINT = 'pip install -e ".[gpu]" in your tinyres clone (CuPy for CUDA 12), on a machine with an NVIDIA GPU'


class DeviceError(RuntimeError):
    """A device was asked for that this machine cannot provide."""


# ---------------------------------------------------------------- namespaces

def namespace(*arrays):
    """The array API namespace shared by ``arrays`` (NumPy, CuPy or array_api_strict)."""
    # NumPy arrays take a shortcut: a ResNet-20 training step asks ~10,000 times, and the general
    # lookup (which also validates mixes of libraries) costs microseconds each
    if len(arrays) == 1 and type(arrays[0]) is _np.ndarray:
        return _NUMPY
    return array_api_compat.array_namespace(*arrays)


_NUMPY = array_api_compat.numpy


def device_of(x):
    """The library's own device object of array ``x``."""
    if type(x) is _np.ndarray:
        return "cpu"
    return array_api_compat.device(x)


def _strict():
    try:
        import array_api_strict
    except ImportError:
        raise DeviceError("device 'strict' (the checking backend the tests use) needs array-api-strict: "
                          'pip install -e ".[dev]" in your tinyres clone') from None
    return array_api_strict


def _cupy():
    try:
        import cupy
        cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # ImportError, CUDARuntimeError, ...
        raise DeviceError(
            f"device 'cuda' needs CuPy and an NVIDIA GPU, and this machine has none usable "
            f"({type(exc).__name__}: {exc}). Install with: {GPU_INSTALL_HINT}; "
            f"or use device='cpu'.") from None
    return cupy


def device_name(x) -> str:
    """``"cpu"``, ``"cuda:N"`` or ``"strict"`` for array ``x``."""
    if type(x) is _np.ndarray or array_api_compat.is_numpy_array(x):
        return "cpu"
    if array_api_compat.is_cupy_array(x):
        return f"cuda:{x.device.id}"
    if array_api_compat.is_array_api_strict_namespace(namespace(x)):
        return "strict" if x.device == _strict().Device("device1") else "strict:cpu"
    raise TypeError(f"unsupported array type {type(x).__name__}")


def parse_device(device) -> str:
    """Normalise a device spec to ``"cpu"``, ``"cuda:N"`` or ``"strict"``.

    Raises ValueError for unknown names, DeviceError for a GPU this machine lacks.
    """
    if device is None:
        return default_device()
    name = str(device).strip().lower()
    if name in ("cpu", "strict"):
        return name
    if name == "cuda" or name.startswith("cuda:"):
        cupy = _cupy()
        index = 0 if name == "cuda" else name.split(":", 1)[1]
        try:
            index = int(index)
        except ValueError:
            raise ValueError(f"bad device {device!r}: expected 'cuda' or 'cuda:N'") from None
        count = cupy.cuda.runtime.getDeviceCount()
        if not 0 <= index < count:
            raise DeviceError(f"device {device!r} does not exist: this machine has {count} GPU(s)")
        return f"cuda:{index}"
    raise ValueError(f"unknown device {device!r}: expected 'cpu', 'cuda', 'cuda:N' or 'strict'")


def default_device() -> str:
    """The device named by the ``TINYRES_DEVICE`` environment variable, else ``"cpu"``."""
    return parse_device(os.environ.get("TINYRES_DEVICE", "cpu"))


def namespace_for(device):
    """(namespace, library device object) for a device name."""
    name = parse_device(device)
    if name == "cpu":
        return array_api_compat.numpy, "cpu"
    if name == "strict":
        xps = _strict()
        return xps, xps.Device("device1")
    cupy = _cupy()
    import array_api_compat.cupy as cxp
    return cxp, cupy.cuda.Device(int(name.split(":")[1]))


# ---------------------------------------------------------------- moving data

def to_numpy(x):
    """A host NumPy copy (or the array itself, when it already is NumPy)."""
    if array_api_compat.is_numpy_array(x):
        return x
    if array_api_compat.is_cupy_array(x):
        return x.get()
    if array_api_compat.is_array_api_strict_namespace(namespace(x)):
        return _np.asarray(x.to_device(_strict().Device("CPU_DEVICE")))
    raise TypeError(f"unsupported array type {type(x).__name__}")


def from_numpy(a, device):
    """Move host data (NumPy array, nested lists, scalars) to ``device``."""
    name = parse_device(device)
    a = _np.asarray(a)
    if name == "cpu":
        return a
    xp, dev = namespace_for(name)
    if name == "strict":
        return xp.asarray(a, device=dev)
    with dev:
        return xp.asarray(a)


def to_device(x, device):
    """``x`` on ``device`` (no copy when it is already there)."""
    target = parse_device(device)
    if device_name(x) == target:
        return x
    return from_numpy(to_numpy(x), target)


def asarray(data, *, dtype=None, device=None):
    """An array from arrays of any backend, NumPy arrays, lists or scalars.

    Arrays of a supported backend stay where they are unless ``device`` is given.
    Python floats (and lists of them) become the default dtype, like torch.tensor.
    Data of a dtype outside :data:`SUPPORTED_DTYPES` (complex, strings, objects) is refused.
    """
    if is_array(data):
        x = data if device is None else to_device(data, device)
    else:
        host = _np.asarray(data)
        if dtype is None and host.dtype.kind == "f" and not isinstance(data, _np.ndarray):
            host = host.astype(get_default_dtype())
        x = host
    if dtype_name(x.dtype) not in SUPPORTED_DTYPES:
        raise TypeError(f"cannot make a tensor from data of dtype {dtype_name(x.dtype)}; "
                        f"supported dtypes: {', '.join(SUPPORTED_DTYPES)}")
    if not is_array(data):
        x = from_numpy(x, device)
    if dtype is not None:
        xp = namespace(x)
        dt = resolve_dtype(xp, dtype)
        if x.dtype != dt:
            x = xp.astype(x, dt)
    return x


#: what a tensor may hold: real numbers and booleans (no complex, strings or objects)
SUPPORTED_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64",
                    "uint8", "uint16", "uint32", "uint64", "bool")


def is_array(x) -> bool:
    """True for an array of a supported backend (NumPy, CuPy, array_api_strict), not for lists,
    scalars or Tensors."""
    return (array_api_compat.is_numpy_array(x) or array_api_compat.is_cupy_array(x)
            or (hasattr(x, "__array_namespace__")
                and array_api_compat.is_array_api_strict_namespace(x.__array_namespace__())))


def dtype_name(dtype) -> str:
    """The plain name of a dtype of any backend ("float32", "int64", ...); names pass through."""
    if isinstance(dtype, str):
        return dtype
    if isinstance(dtype, type):             # numpy.float32 and the like
        return dtype.__name__
    name = getattr(dtype, "name", None)     # NumPy / CuPy dtypes
    if not isinstance(name, str):
        name = str(dtype)                   # array_api_strict: "array_api_strict.float32"
    return name.rsplit(".", 1)[-1]


def resolve_dtype(xp, dtype):
    """``dtype`` (a name or a dtype object of any backend) as a dtype of namespace ``xp``.

    Raises ValueError naming the supported dtypes for anything else ("float99", complex, ...).
    """
    name = dtype_name(dtype)
    if name not in SUPPORTED_DTYPES or not hasattr(xp, name):
        raise ValueError(f"unsupported dtype {dtype!r}; supported dtypes: {', '.join(SUPPORTED_DTYPES)}")
    return getattr(xp, name)


def is_floating(x) -> bool:
    if type(x) is _np.ndarray:
        return x.dtype.kind == "f"
    xp = namespace(x)
    return xp.isdtype(x.dtype, "real floating")


# ---------------------------------------------------------------- dtype and seeding

_default_dtype = "float32"


def get_default_dtype() -> str:
    """Name of the default floating dtype ("float32" unless changed)."""
    return _default_dtype


def set_default_dtype(name: str) -> None:
    """Set the default floating dtype: "float32" (training) or "float64" (gradient checks)."""
    global _default_dtype
    if name not in ("float32", "float64"):
        raise ValueError(f"default dtype must be 'float32' or 'float64', got {name!r}")
    _default_dtype = name


_rng = _np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Seed tinyres's random numbers (weight init, shuffling, augmentation) on every device."""
    global _rng
    _rng = _np.random.default_rng(seed)


def generator(seed):
    """A fresh host generator with its own seed (leaves the global one untouched)."""
    return _np.random.default_rng(seed)


def rng():
    """The host generator all of tinyres draws from (a numpy.random.Generator)."""
    return _rng


def host_random(shape, kind="normal", *, dtype=None, device="cpu", generator=None, **kw):
    """Random numbers drawn on the host, cast to ``dtype`` and moved to ``device``.

    kind: "normal" (mean, std) or "uniform" (low, high).
    """
    g = generator if generator is not None else _rng
    dt = _np.dtype(dtype or get_default_dtype())
    if kind == "normal":   # drawn directly in the target dtype: VGG-19's 143M weights in ~1 s
        a = g.standard_normal(size=shape, dtype=dt) * dt.type(kw.get("std", 1.0)) + dt.type(kw.get("mean", 0.0))
    elif kind == "uniform":
        low, high = kw.get("low", 0.0), kw.get("high", 1.0)
        a = g.random(size=shape, dtype=dt) * dt.type(high - low) + dt.type(low)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return from_numpy(_np.asarray(a, dtype=dt), device)


# ---------------------------------------------------------------- host BLAS threads

_blas = None        # the OpenBLAS NumPy has loaded, as {name: function}, once looked up; False: not found
_blas_lock = threading.Lock()
_blas_limit = {"depth": 0, "saved": None}


def _openblas():
    """{"get_num_threads", "set_num_threads", "get_corename"} of the OpenBLAS NumPy has loaded (the
    last None in a build without it), else None (another BLAS, or no /proc/self/maps to find it in:
    then nothing is changed)."""
    global _blas
    if _blas is None:
        _blas = False
        try:
            import ctypes
            with open("/proc/self/maps") as maps:
                paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line})
            for path in paths:
                lib = ctypes.CDLL(path)
                for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"),
                                       ("openblas", "")):
                    fns = {name: getattr(lib, f"{prefix}_{name}{suffix}", None)
                           for name in ("get_num_threads", "set_num_threads", "get_corename")}
                    if fns["get_num_threads"] and fns["set_num_threads"]:
                        fns["get_num_threads"].restype = ctypes.c_int
                        fns["set_num_threads"].argtypes = [ctypes.c_int]
                        if fns["get_corename"]:
                            fns["get_corename"].restype = ctypes.c_char_p
                        _blas = fns
                        break
                if _blas:
                    break
        except (OSError, AttributeError):
            _blas = False
    return _blas or None


def host_blas_threads():
    """How many threads NumPy's OpenBLAS uses now (None where it cannot be found)."""
    blas = _openblas()
    return None if blas is None else int(blas["get_num_threads"]())


def host_blas_kernels():
    """The kernel set NumPy's OpenBLAS runs ("Haswell": AVX2, "SkylakeX": AVX-512, ...), chosen for
    the CPU it detected or forced by OPENBLAS_CORETYPE; None where it cannot be found."""
    blas = _openblas()
    return None if blas is None or blas["get_corename"] is None else blas["get_corename"]().decode()


@contextmanager
def limit_host_blas_threads(n=1):
    """Inside the block NumPy's OpenBLAS uses at most ``n`` threads; the count before is restored
    when the last of any overlapping blocks ends. For K replicas running as threads of one
    process (tinyres.distributed.ThreadGroup): each replica calling a multi-threaded BLAS
    oversubscribes the cores, and OpenBLAS's waiting threads then burn the time (measured on
    2 loaded cores: a K = 16 step of resnet8 took 2.6 s instead of 60 ms). A no-op where
    NumPy's BLAS is not an OpenBLAS this can find; OMP_NUM_THREADS=1 does the same for a
    whole process."""
    blas = _openblas()
    if blas is None:
        yield
        return
    with _blas_lock:
        if _blas_limit["depth"] == 0:
            _blas_limit["saved"] = int(blas["get_num_threads"]())
        _blas_limit["depth"] += 1
        if int(blas["get_num_threads"]()) > n:
            blas["set_num_threads"](n)
    try:
        yield
    finally:
        with _blas_lock:
            _blas_limit["depth"] -= 1
            if _blas_limit["depth"] == 0:
                blas["set_num_threads"](_blas_limit["saved"])
