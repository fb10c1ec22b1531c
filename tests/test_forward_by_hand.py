"""Forward results computed by hand, independent of the library's own maths and of torch.

Gradient checks compare an op's backward with its own forward, so a wrong forward with a
backward made consistent with it passes them. These tests pin the forward (and, where the
rule is a convention, the backward) to values written out here: each one fails on a
realistic bug that every gradient check passes (named in each test's docstring).
"""
import math

import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F
from tinyres import nn
from tinyres.data.datasets import ArrayDataset
from tinyres.data.loader import DataLoader


def _t(a, device, requires_grad=False):
    return tr.tensor(np.asarray(a, dtype="float64"), requires_grad=requires_grad, device=device)


def _np(a):
    return tr.backend.to_numpy(a.data if isinstance(a, tr.Tensor) else a)


# ---------------------------------------------------------------- batch norm, eval mode

# Running statistics far from the batch's: the batch has mean ~0 and variance ~1 per channel.
RUNNING_MEAN = [5.0, -3.0, 0.5]
RUNNING_VAR = [4.0, 0.25, 9.0]
GAMMA = [1.5, -0.5, 2.0]
BETA = [0.25, 1.0, -2.0]
EPS = 1e-5


def _bn_eval_by_hand(x):
    """y = (x - running_mean) / sqrt(running_var + eps) * gamma + beta, element by element."""
    y = np.empty_like(x)
    for idx in np.ndindex(*x.shape):
        c = idx[1]
        y[idx] = (x[idx] - RUNNING_MEAN[c]) / math.sqrt(RUNNING_VAR[c] + EPS) * GAMMA[c] + BETA[c]
    return y


def test_batch_norm_eval_uses_the_running_statistics(device):
    """Fails if eval mode normalises with the batch's statistics (backward matching it)."""
    x0 = np.random.default_rng(0).standard_normal((4, 3, 2, 3))
    x = _t(x0, device, requires_grad=True)
    rm, rv = _t(RUNNING_MEAN, device), _t(RUNNING_VAR, device)
    g, b = _t(GAMMA, device, True), _t(BETA, device, True)
    y = F.batch_norm(x, rm, rv, g, b, training=False, eps=EPS)
    np.testing.assert_allclose(_np(y), _bn_eval_by_hand(x0), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(_np(rm), RUNNING_MEAN)       # eval never moves the statistics
    np.testing.assert_array_equal(_np(rv), RUNNING_VAR)
    # with constant statistics dL/dx = gy * gamma / sqrt(running_var + eps), per element
    gy = np.random.default_rng(1).standard_normal(x0.shape)
    y.backward(_t(gy, device))
    scale = np.array([GAMMA[c] / math.sqrt(RUNNING_VAR[c] + EPS) for c in range(3)]).reshape(1, 3, 1, 1)
    np.testing.assert_allclose(_np(x.grad), gy * scale, rtol=1e-12, atol=1e-12)
    xhat = (x0 - np.reshape(RUNNING_MEAN, (1, 3, 1, 1))) / np.sqrt(np.reshape(RUNNING_VAR, (1, 3, 1, 1)) + EPS)
    np.testing.assert_allclose(_np(g.grad), (gy * xhat).sum(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(_np(b.grad), gy.sum(axis=(0, 2, 3)), rtol=1e-12)


def test_batch_norm_module_in_eval_mode_uses_the_running_statistics(device):
    """The same through nn.BatchNorm2d(...).eval(), whose buffers hold the statistics."""
    bn = nn.BatchNorm2d(3, eps=EPS).to(device, dtype="float64")
    for t, values in ((bn.running_mean, RUNNING_MEAN), (bn.running_var, RUNNING_VAR),
                      (bn.weight, GAMMA), (bn.bias, BETA)):
        t.data = _t(values, device).data
    bn.eval()
    x0 = np.random.default_rng(2).standard_normal((5, 3, 3, 2))
    np.testing.assert_allclose(_np(bn(_t(x0, device))), _bn_eval_by_hand(x0), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(_np(bn.running_mean), RUNNING_MEAN)
    assert int(_np(bn.num_batches_tracked)) == 0


def test_batch_norm_training_statistics_by_hand(device):
    """Training mode: biased variance to normalise, unbiased variance into the running average."""
    x0 = np.random.default_rng(3).standard_normal((3, 2, 2, 2)) * [[[[2.0]], [[0.5]]]] + [[[[1.0]], [[-4.0]]]]
    rm, rv = _t([0.0, 0.0], device), _t([1.0, 1.0], device)
    y = F.batch_norm(_t(x0, device), rm, rv, training=True, momentum=0.1, eps=EPS)
    for c in range(2):
        vals = x0[:, c].ravel()
        m = len(vals)
        mu = sum(vals) / m
        var = sum((v - mu) ** 2 for v in vals) / m
        np.testing.assert_allclose(_np(y)[:, c], (x0[:, c] - mu) / math.sqrt(var + EPS), rtol=1e-12, atol=1e-12)
        assert _np(rm)[c] == pytest.approx(0.9 * 0.0 + 0.1 * mu, rel=1e-12)
        assert _np(rv)[c] == pytest.approx(0.9 * 1.0 + 0.1 * var * m / (m - 1), rel=1e-12)


# ---------------------------------------------------------------- option-A shortcut

@pytest.mark.parametrize("cin, cout, front", [(3, 6, 1), (2, 4, 1), (16, 32, 8), (3, 3, 0)])
def test_option_a_splits_the_zero_channels_front_and_back(cin, cout, front, device):
    """extra = cout - cin zero channels: extra // 2 before the copied ones, the rest after
    (as the torch reference nets pad). Fails if all the zeros go at the end."""
    x0 = np.random.default_rng(4).standard_normal((2, cin, 5, 4))
    x = _t(x0, device, requires_grad=True)
    y = F.shortcut_a(x, cout, 2)
    expected = np.zeros((2, cout, 3, 2))
    for n in range(2):
        for c in range(cin):
            for i in range(3):
                for j in range(2):
                    expected[n, front + c, i, j] = x0[n, c, 2 * i, 2 * j]
    np.testing.assert_array_equal(_np(y), expected)
    # backward: the copied channels' gradient returns to the strided positions, the rest is zero
    gy = np.random.default_rng(5).standard_normal(expected.shape)
    y.backward(_t(gy, device))
    gx = np.zeros(x0.shape)
    for i in range(3):
        for j in range(2):
            gx[:, :, 2 * i, 2 * j] = gy[:, front:front + cin, i, j]
    np.testing.assert_array_equal(_np(x.grad), gx)


# ---------------------------------------------------------------- max-pool ties

# (input 1x1xHxW, kernel, stride, padding, where each output's gradient must land: the FIRST
# maximum of its window in row-major order)
TIES = {
    # two 2x2 windows: all four equal -> top-left; anti-diagonal tie -> top-right
    "all_equal_and_antidiagonal": ([[1, 1, 0, 2], [1, 1, 2, 0]], 2, 2, 0, [[(0, 0), (0, 3)]]),
    # tie on the bottom row only; tie down a column
    "bottom_row_and_column": ([[0, 1, 4, 0], [3, 3, 4, 1]], 2, 2, 0, [[(1, 0), (0, 2)]]),
    # overlapping 3x3 windows with padding on a constant image: every window's first real element
    "constant_overlapping_padded": ([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 3, 2, 1, [[(0, 0), (0, 1)], [(1, 0), (1, 1)]]),
    # overlapping stride-1 windows sharing one tied pair
    "shared_tie_stride1": ([[5, 0, 5], [0, 5, 0]], 2, 1, 0, [[(0, 0), (0, 2)]]),
}


@pytest.mark.parametrize("case", sorted(TIES))
def test_max_pool_ties_send_the_gradient_to_the_first_maximum(case, device):
    """Fails if the gradient goes to the last tied maximum instead (the forward is the same)."""
    image, k, s, p, winners = TIES[case]
    x = _t([[image]], device, requires_grad=True)
    y = F.max_pool2d(x, k, s, p)
    gy = np.arange(1, y.size + 1, dtype="float64").reshape(y.shape) * 10   # distinct per output
    y.backward(_t(gy, device))
    expected = np.zeros(x.shape)
    for i, row in enumerate(winners):
        for j, (r, c) in enumerate(row):
            expected[0, 0, r, c] += gy[0, 0, i, j]
            assert _np(y)[0, 0, i, j] == image[r][c]       # the forward picked a true maximum
    np.testing.assert_array_equal(_np(x.grad), expected)


# ---------------------------------------------------------------- data loader resume

def _dataset(n=11):
    images = np.arange(n * 4, dtype="float32").reshape(n, 1, 2, 2)
    return ArrayDataset(images, np.arange(n, dtype="int64"), tuple(range(n)), "by-hand")


def _shift(x, rng):
    return x + float(rng.standard_normal())      # a per-batch random augmentation


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("start", [0, 1, 2, 3])
def test_resuming_mid_epoch_yields_exactly_the_remaining_batches(start, drop_last, device):
    """Fails if the resumed tail is empty or short: count and content are both checked."""
    loader = DataLoader(_dataset(), batch_size=3, shuffle=True, drop_last=drop_last, seed=7, device=device,
                        transform=_shift)
    loader.set_epoch(2)
    full = [(_np(x), _np(y)) for x, y in loader]
    n_batches = 3 if drop_last else 4                      # 11 samples in batches of 3
    assert len(full) == n_batches
    labels = np.concatenate([y for _, y in full])
    assert len(set(labels)) == len(labels) == 3 * n_batches - (0 if drop_last else 1)   # no sample twice
    assert set(labels) <= set(range(11))
    tail = [(_np(x), _np(y)) for x, y in loader.iter_from(start)]
    assert len(tail) == n_batches - start
    for (xa, ya), (xb, yb) in zip(tail, full[start:]):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert list(loader.iter_from(n_batches)) == []
