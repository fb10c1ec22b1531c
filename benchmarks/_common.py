"""Shared by the benchmark scripts."""
import statistics
import time

from tinyres import backend


def median_seconds(fn, reps, clock=time.perf_counter):
    """Median of ``reps`` timed calls of fn (after one untimed warm-up call), by ``clock``."""
    fn()
    times = []
    for _ in range(reps):
        t = clock()
        fn()
        times.append(clock() - t)
    return statistics.median(times)


def device_or_skip(name):
    """The parsed device, or None after printing why it was skipped (e.g. no GPU here)."""
    try:
        return backend.parse_device(name)
    except backend.DeviceError as exc:
        print(f"skipped: {exc}")
        return None


def blas_kernels():
    """Which matrix-product kernels the two frameworks run here, in words (for a benchmark's header).

    NumPy's OpenBLAS picks its kernels for the CPU it detects when it loads ("Haswell": AVX2,
    "SkylakeX"/"Cooperlake": AVX-512, ...), unless the environment variable OPENBLAS_CORETYPE names
    them: some machines set it for every process (older OpenBLAS builds miscompute or crash on
    some processors), and then a benchmark measures those kernels, not the CPU's best. The name
    is read from the loaded library, and a forcing variable is shown beside it."""
    import os

    import numpy as np
    parts = []
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        parts.append(f"NumPy BLAS {blas.get('name', '?')} {blas.get('version', '')}".rstrip())
    except Exception:       # noqa: BLE001 - a header line is best effort
        parts.append("NumPy BLAS unknown")
    kernels = backend.host_blas_kernels()
    if kernels is not None:
        forced = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
        how = ", set by " + " ".join(f"{k}={v}" for k, v in forced.items()) if forced else ", detected"
        parts[-1] += f" (kernels: {kernels}{how})"
    try:
        import torch
        parts.append(f"PyTorch CPU capability {torch.backends.cpu.get_cpu_capability()}")
    except ImportError:
        pass
    return "; ".join(parts)
