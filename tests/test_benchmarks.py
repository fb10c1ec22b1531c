"""The benchmark scripts run (tiny settings: these check they work, not how fast)."""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_train_step_benchmark_runs():
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "train_step.py"), "--models", "resnet8",
                          "--batch", "4", "--steps", "1", "--warmup", "0", "--no-memory"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "resnet8 train tinyres" in run.stdout and "resnet8 eval  tinyres" in run.stdout
    assert "GFLOP/s" in run.stdout
    assert "NumPy BLAS" in run.stdout          # the header names the matrix-product library


def test_the_header_names_the_openblas_kernels_numpy_runs():
    """OpenBLAS picks its kernels per CPU at load time; forcing one, the header must name that one."""
    import numpy as np
    import pytest
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    if "openblas" not in blas.get("name", "").lower():
        pytest.skip(f"NumPy uses {blas.get('name')}, not OpenBLAS")
    try:
        flags = pathlib.Path("/proc/cpuinfo").read_text()
    except OSError:
        pytest.skip("no /proc/cpuinfo to tell whether this CPU runs AVX2 kernels")
    if " avx2" not in flags:
        pytest.skip("this CPU has no AVX2: the Haswell kernels cannot be forced")
    code = "import sys; sys.path.insert(0, sys.argv[1]); import _common; print(_common.blas_kernels())"
    run = subprocess.run([sys.executable, "-c", code, str(ROOT / "benchmarks")], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "OPENBLAS_CORETYPE": "Haswell"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert "(kernels: Haswell, set by OPENBLAS_CORETYPE=Haswell" in run.stdout, run.stdout
    detected = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    run = subprocess.run([sys.executable, "-c", code, str(ROOT / "benchmarks")], capture_output=True, text=True,
                         timeout=120, env=detected)
    assert run.returncode == 0 and ", detected)" in run.stdout, run.stdout + run.stderr[-2000:]


def test_blas_layouts_benchmark_runs():
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "blas_layouts.py"), "--kernels", "env",
                          "--batch", "2", "--reps", "1"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    for shown in ("W @ columns (channels-first)", "ResNet-20 train tinyres channels-first", "same logits to"):
        assert shown in run.stdout, run.stdout


def test_gpu_benchmark_skips_cleanly_without_a_gpu():
    try:
        import cupy  # noqa: F401
        return
    except ImportError:
        pass
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "train_step.py"), "--device", "cuda"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith("skipped:") and 'pip install -e ".[gpu]"' in run.stdout
