"""Devices, dtypes, seeding and the layering rule."""
import pathlib
import re

import numpy as np
import pytest

import tinyres as tr
from tinyres import backend


def test_device_names():
    assert backend.parse_device("cpu") == "cpu"
    assert backend.parse_device("CPU") == "cpu"
    assert backend.parse_device("strict") == "strict"
    with pytest.raises(ValueError, match="unknown device"):
        backend.parse_device("tpu")


def test_default_device_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("TINYRES_DEVICE", "strict")
    assert backend.default_device() == "strict"
    assert tr.tensor([1.0], device=None).device == "strict"
    monkeypatch.delenv("TINYRES_DEVICE")
    assert tr.tensor([1.0]).device == "cpu"


def test_cuda_without_cupy_names_the_fix():
    try:
        import cupy  # noqa: F401
        pytest.skip("CuPy is installed here")
    except ImportError:
        pass
    with pytest.raises(backend.DeviceError, match=r'pip install -e "\.\[gpu\]"'):
        tr.tensor([1.0], device="cuda")


def test_moving_between_devices_round_trips():
    a = np.arange(6.0).reshape(2, 3)
    s = backend.to_device(a, "strict")
    assert backend.device_name(s) == "strict"
    np.testing.assert_array_equal(backend.to_numpy(s), a)
    assert backend.to_device(a, "cpu") is a


def test_seed_gives_the_same_numbers_on_every_device():
    tr.manual_seed(7)
    a = backend.host_random((3,), device="cpu")
    tr.manual_seed(7)
    b = backend.host_random((3,), device="strict")
    np.testing.assert_array_equal(a, backend.to_numpy(b))


def test_default_dtype():
    assert tr.get_default_dtype() == "float32"
    try:
        tr.set_default_dtype("float64")
        assert "float64" in str(tr.tensor([1.0]).dtype)
    finally:
        tr.set_default_dtype("float32")
    with pytest.raises(ValueError):
        tr.set_default_dtype("float16")


def test_only_backend_imports_numpy_or_cupy():
    root = pathlib.Path(tr.__file__).parent
    pattern = re.compile(r"^\s*(import|from)\s+(numpy|cupy)\b", re.M)
    # io: .npz files on the host; distributed: the communication layer, whose NCCL path is
    # cupyx.distributed itself (it moves arrays only through backend.to_numpy/from_numpy)
    allowed = {"backend.py", "io.py", "distributed.py"}
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.name not in allowed and not p.relative_to(root).parts[0] in ("data", "io")
                 and pattern.search(p.read_text())]
    assert not offenders, f"compute modules importing numpy/cupy directly: {offenders}"
