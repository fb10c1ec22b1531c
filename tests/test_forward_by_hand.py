"""Results computed by hand, independent of the library's own maths and of torch.

Gradient checks compare an op's backward with its own forward, so a wrong forward with a
backward made consistent with it passes them. These tests pin the forward (and, where the
rule is a convention, the backward), the running statistics, the optimizer's update and the
loader's resume to values written out here: each one fails on a realistic bug that every
gradient check passes (named in each test's docstring). Several were added for mutants that
survived a mutmut run (README, "Tests").
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


@pytest.mark.parametrize("momentum", [None, 0.3])
def test_batch_norm_training_statistics_by_hand(momentum, device):
    """Training mode: biased variance to normalise, unbiased variance into the running average,
    PyTorch's defaults momentum=0.1 and eps=1e-5. The old statistics are far from 0 and 1, so a
    wrong weight on them (1 + momentum, a division) shows."""
    x0 = np.random.default_rng(3).standard_normal((3, 2, 2, 2)) * [[[[2.0]], [[0.5]]]] + [[[[1.0]], [[-4.0]]]]
    old_mean, old_var = [2.0, -1.0], [3.0, 0.5]
    rm, rv = _t(old_mean, device), _t(old_var, device)
    kw = {} if momentum is None else {"momentum": momentum}
    y = F.batch_norm(_t(x0, device), rm, rv, training=True, **kw)
    mom = 0.1 if momentum is None else momentum
    for c in range(2):
        vals = x0[:, c].ravel()
        m = len(vals)
        mu = sum(vals) / m
        var = sum((v - mu) ** 2 for v in vals) / m
        np.testing.assert_allclose(_np(y)[:, c], (x0[:, c] - mu) / math.sqrt(var + 1e-5), rtol=1e-12, atol=1e-12)
        assert _np(rm)[c] == pytest.approx((1 - mom) * old_mean[c] + mom * mu, rel=1e-12)
        assert _np(rv)[c] == pytest.approx((1 - mom) * old_var[c] + mom * var * m / (m - 1), rel=1e-12)


def test_batch_norm_trains_on_two_values_per_channel(device):
    """Two values per channel are enough for batch statistics: y = -1, +1 (up to eps)."""
    y = F.batch_norm(_t([[1.0, 5.0], [3.0, -5.0]], device), None, None, training=True)
    np.testing.assert_allclose(_np(y), [[-1, 1], [1, -1]], rtol=1e-5)


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


# ---------------------------------------------------------------- pooling on non-square shapes

def test_adaptive_avg_pool_bins_rows_and_columns_separately(device):
    """H = 3, W = 4 into (2, 1) and (1, 3): torch's bins [floor(i*H/oh), ceil((i+1)*H/oh)).
    Fails if rows are binned by the width, or (2, 1) is mistaken for the global pool."""
    x0 = np.arange(12, dtype="float64").reshape(1, 1, 3, 4) ** 2
    rows = [x0[0, 0, 0:2].mean(), x0[0, 0, 1:3].mean()]                         # bins [0, 2), [1, 3)
    np.testing.assert_allclose(_np(F.adaptive_avg_pool2d(_t(x0, device), (2, 1))), np.reshape(rows, (1, 1, 2, 1)))
    cols = [x0[0, 0, :, 0:2].mean(), x0[0, 0, :, 1:3].mean(), x0[0, 0, :, 2:4].mean()]   # 4 into 3
    np.testing.assert_allclose(_np(F.adaptive_avg_pool2d(_t(x0, device), (1, 3))), np.reshape(cols, (1, 1, 1, 3)))
    x = _t(x0, device, requires_grad=True)
    F.adaptive_avg_pool2d(x, (2, 1)).backward(_t([[[[1.0], [10.0]]]], device))
    # row 1 lies in both bins: 1/8 + 10/8; rows 0 and 2 in one each
    np.testing.assert_allclose(_np(x.grad)[0, 0], [[1 / 8] * 4, [11 / 8] * 4, [10 / 8] * 4])


def test_pool_padding_applies_per_axis(device):
    """padding=(1, 0): the height is padded, the width not (fails if one axis uses the other's)."""
    x0 = np.arange(1, 7, dtype="float64").reshape(1, 1, 2, 3)        # [[1, 2, 3], [4, 5, 6]]
    y = F.avg_pool2d(_t(x0, device), (3, 1), stride=1, padding=(1, 0))
    np.testing.assert_allclose(_np(y)[0, 0], [[5 / 3, 7 / 3, 3], [5 / 3, 7 / 3, 3]])  # zero rows count
    y = F.max_pool2d(_t(x0, device), (1, 3), stride=1, padding=(0, 1))
    np.testing.assert_array_equal(_np(y)[0, 0], [[2, 3, 3], [5, 6, 6]])


@pytest.mark.parametrize("call", [
    lambda x: F.max_pool2d(x, 2), lambda x: F.max_pool2d(x, 3, 1, 1), lambda x: F.avg_pool2d(x, 2, padding=1),
    lambda x: F.adaptive_avg_pool2d(x, (3, 2)), lambda x: F.global_avg_pool2d(x), lambda x: F.shortcut_a(x, 4, 2),
    lambda x: F.batch_norm(x, None, None, training=True), lambda x: F.relu(x),
], ids=["max_pool", "max_pool_padded", "avg_pool", "adaptive_avg_pool", "global_avg_pool", "shortcut_a",
        "batch_norm", "relu"])
def test_float32_in_float32_gradient_out(call, device):
    """A gradient buffer made without the input's dtype silently becomes float64."""
    x = tr.tensor(np.random.default_rng(6).standard_normal((2, 2, 4, 4)).astype("float32"), requires_grad=True,
                  device=device)
    y = call(x)
    y.backward(tr.tensor(np.ones(y.shape, dtype="float32"), device=device))
    assert str(x.grad.dtype).endswith("float32"), x.grad.dtype


# ---------------------------------------------------------------- SGD by hand

def test_sgd_skips_a_parameter_without_gradient_and_updates_the_rest():
    """A frozen parameter (grad None) before others must not stop the update loop."""
    frozen, w = tr.tensor([1.0, 2.0], requires_grad=True), tr.tensor([3.0, -1.0], requires_grad=True)
    opt = tr.optim.SGD([frozen, w], lr=0.5)
    w.grad = np.array([2.0, 4.0])
    opt.step()
    np.testing.assert_array_equal(_np(frozen), [1.0, 2.0])
    np.testing.assert_array_equal(_np(w), [3.0 - 0.5 * 2.0, -1.0 - 0.5 * 4.0])


def test_sgd_momentum_buffer_is_not_the_gradient_array():
    """Clipping p.grad in place after a step must not change the stored momentum buffer."""
    w = tr.tensor([0.0], requires_grad=True)
    opt = tr.optim.SGD([w], lr=1.0, momentum=0.9)
    w.grad = np.array([1.0])
    opt.step()                                  # buf = 1, w = -1
    w.grad *= 0                                 # in place, as gradient clipping may do
    w.grad += 2.0
    opt.step()                                  # buf = 0.9 * 1 + 2 = 2.9, w = -1 - 2.9
    np.testing.assert_allclose(_np(w), [-3.9], rtol=1e-15)


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
