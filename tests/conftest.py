"""Shared fixtures: every op and layer test runs on NumPy ("cpu"), on array_api_strict's
non-default device ("strict", which raises on the mistakes that break CuPy), and on a
real GPU ("cuda", marked ``gpu``) where CuPy and a device exist."""
import os

import numpy as np
import pytest

import tinyres as tr
from tinyres import backend

# Every run under the tests, subprocesses included: a missing translation is an error, and the
# language is English unless a test asks for another.
os.environ["TINYRES_STRICT_LANG"] = "1"
os.environ.pop("TINYRES_LANG", None)

@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A Lesson or CLI run in a test may switch the process to another language: switch back."""
    yield
    from tinyres import i18n
    i18n.set_lang(None)


DEVICES = ["cpu", "strict", pytest.param("cuda", marks=pytest.mark.gpu)]


def _cuda_available():
    try:
        backend.parse_device("cuda")
        return True
    except backend.DeviceError:
        return False


@pytest.fixture(params=DEVICES)
def device(request):
    if request.param == "cuda" and not _cuda_available():
        pytest.skip("no CuPy/GPU on this machine: the gpu-marked cases run where one exists")
    return request.param


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def make(rng, shape, device, requires_grad=True, dtype="float64", low=None, name=None):
    """A float tensor of random normals (|x| >= low when given, to stay clear of kinks)."""
    a = rng.standard_normal(shape)
    if low is not None:
        a = np.sign(a) * (np.abs(a) + low)
    return tr.tensor(a.astype(dtype), requires_grad=requires_grad, device=device, name=name)


def distinct(rng, shape, device, requires_grad=True, gap=1e-2):
    """Values with pairwise gaps >= ``gap``: no ties for max-pool, no kinks within eps."""
    n = int(np.prod(shape))
    a = ((rng.permutation(n) - n / 2 + 0.25) * gap).reshape(shape)   # never within gap/4 of 0
    return tr.tensor(a.astype("float64"), requires_grad=requires_grad, device=device)


def pytest_sessionfinish(session):
    """With TINYRES_NO_SKIP=1 (CI's runs with the optional extras installed: torch parity, the
    website, MPI) a skipped test fails the run: a test that skips there checks nothing. GPU-marked
    cases may still skip without a GPU."""
    if not os.environ.get("TINYRES_NO_SKIP"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = [r for r in (reporter.stats.get("skipped", []) if reporter else [])
               if "gpu" not in getattr(r, "keywords", {})]
    if skipped:
        reporter.write_line(f"TINYRES_NO_SKIP: {len(skipped)} test(s) skipped where their extra is installed, "
                            f"e.g. {skipped[0].nodeid or skipped[0].fspath}: {skipped[0].longrepr}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
