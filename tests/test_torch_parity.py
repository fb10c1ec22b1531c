"""Parity with torch.nn.functional in float64: forward and every input gradient to 1e-10.

Skipped (visibly) when torch is not installed: `pip install -e ".[torch]"`.
"""
import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RTOL, ATOL = 1e-10, 1e-12


def _pair(rng, shape, positive=False):
    a = rng.uniform(0.5, 2.0, shape) if positive else rng.standard_normal(shape)
    return tr.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _compare(ours, theirs, our_inputs, torch_inputs, rng):
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=RTOL, atol=ATOL)
    gy = rng.standard_normal(ours.shape)
    ours.backward(gy)
    theirs.backward(torch.tensor(gy))
    for a, b in zip(our_inputs, torch_inputs):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(padding=3, stride=2),
                                dict(padding=(1, 2), dilation=(2, 1)), dict(groups=2, padding=1)])
def test_conv2d(kw):
    rng = np.random.default_rng(0)
    ksize = 7 if kw.get("padding") == 3 else 3
    x, tx = _pair(rng, (2, 4, 9, 8))
    w, tw = _pair(rng, (6, 4 // kw.get("groups", 1), ksize, ksize))
    b, tb = _pair(rng, (6,))
    _compare(F.conv2d(x, w, b, **kw), TF.conv2d(tx, tw, tb, **kw), [x, w, b], [tx, tw, tb], rng)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm(training):
    rng = np.random.default_rng(1)
    x, tx = _pair(rng, (4, 3, 5, 5))
    g, tg = _pair(rng, (3,))
    b, tb = _pair(rng, (3,))
    rm0, rv0 = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    rm, rv = tr.tensor(rm0.copy()), tr.tensor(rv0.copy())
    trm, trv = torch.tensor(rm0.copy()), torch.tensor(rv0.copy())
    ours = F.batch_norm(x, rm, rv, g, b, training=training, momentum=0.2, eps=1e-4)
    theirs = TF.batch_norm(tx, trm, trv, tg, tb, training=training, momentum=0.2, eps=1e-4)
    _compare(ours, theirs, [x, g, b], [tx, tg, tb], rng)
    np.testing.assert_allclose(rm.numpy(), trm.numpy(), rtol=RTOL)
    np.testing.assert_allclose(rv.numpy(), trv.numpy(), rtol=RTOL)   # unbiased variance, as torch


@pytest.mark.parametrize("name, ours, theirs", [
    ("max3s2p1", lambda x: F.max_pool2d(x, 3, 2, 1), lambda x: TF.max_pool2d(x, 3, 2, 1)),
    ("max2", lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2)),
    ("avg2x3", lambda x: F.avg_pool2d(x, (2, 3), (1, 2), (1, 1)), lambda x: TF.avg_pool2d(x, (2, 3), (1, 2), (1, 1))),
    ("adaptive1", lambda x: F.adaptive_avg_pool2d(x, 1), lambda x: TF.adaptive_avg_pool2d(x, 1)),
    ("adaptive3x2", lambda x: F.adaptive_avg_pool2d(x, (3, 2)), lambda x: TF.adaptive_avg_pool2d(x, (3, 2))),
    ("relu", F.relu, TF.relu),
])
def test_pools_and_relu(name, ours, theirs):
    rng = np.random.default_rng(2)
    x, tx = _pair(rng, (2, 3, 7, 7))
    _compare(ours(x), theirs(tx), [x], [tx], rng)


def test_linear():
    rng = np.random.default_rng(3)
    x, tx = _pair(rng, (5, 4))
    w, tw = _pair(rng, (3, 4))
    b, tb = _pair(rng, (3,))
    _compare(F.linear(x, w, b), TF.linear(tx, tw, tb), [x, w, b], [tx, tw, tb], rng)


@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_cross_entropy(scale):
    rng = np.random.default_rng(4)
    z0 = rng.standard_normal((6, 5)) * scale
    z, tz = tr.tensor(z0, requires_grad=True), torch.tensor(z0, requires_grad=True)
    target = rng.integers(0, 5, 6)
    ours = F.cross_entropy(z, tr.tensor(target))
    theirs = TF.cross_entropy(tz, torch.tensor(target))
    assert np.isfinite(ours.item())
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=RTOL)
    ours.backward()
    theirs.backward()
    np.testing.assert_allclose(z.grad, tz.grad.numpy(), rtol=RTOL, atol=ATOL)
