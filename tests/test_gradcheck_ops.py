"""Every op in tinyres.functional, checked against central differences on every backend.

The standard (tinyres/inspect/gradcheck.py): float64, random upstream gradient, every input,
every element, small shapes, inputs away from kinks and ties.
"""
import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F
from tinyres.distributed import SingleProcess
from tinyres.inspect.gradcheck import TOLERANCE

from conftest import distinct, make


def _bn(training, affine, rank4=True):
    def case(rng, dev):
        shape = (4, 3, 3, 2) if rank4 else (6, 3)
        x = make(rng, shape, dev)
        rm = tr.tensor(rng.standard_normal(3), device=dev)
        rv = tr.tensor(rng.uniform(0.5, 2.0, 3), device=dev)
        if affine:
            g, b = make(rng, (3,), dev), make(rng, (3,), dev)
            return (lambda x, g, b: F.batch_norm(x, rm, rv, g, b, training=training)), [x, g, b]
        return (lambda x: F.batch_norm(x, rm, rv, training=training)), [x]
    return case


def _conv(xshape, wshape, bias=True, **kw):
    def case(rng, dev):
        ins = [make(rng, xshape, dev), make(rng, wshape, dev)]
        if bias:
            ins.append(make(rng, (wshape[0],), dev))
        return (lambda *a: F.conv2d(*a, **kw)), ins
    return case


def _unary(fn, shape=(3, 4), **kw):
    return lambda rng, dev: (fn, [make(rng, shape, dev, **kw)])


def _ce(reduction):
    def case(rng, dev):
        target = tr.tensor(rng.integers(0, 4, 5), device=dev)   # drawn once: fn must be deterministic
        return (lambda z: F.cross_entropy(z, target, reduction=reduction)), [make(rng, (5, 4), dev)]
    return case


def _channels_first(case):
    """A conv2d case run through conv2d's channels-first NumPy route."""
    def make(r, d):
        fn, inputs = case(r, d)

        def run(*args):
            from tinyres.ops import conv
            saved, conv.LAYOUT = conv.LAYOUT, "channels_first"
            try:
                return fn(*args)            # the route is fixed at forward: backward follows it
            finally:
                conv.LAYOUT = saved
        return run, inputs
    return make


CASES = {
    # elementwise and broadcasting (the second operand broadcasts: unbroadcast is exercised)
    "add": lambda r, d: (F.add, [make(r, (2, 3, 4), d), make(r, (3, 1), d)]),
    "sub": lambda r, d: (F.sub, [make(r, (2, 3), d), make(r, (3,), d)]),
    "mul": lambda r, d: (F.mul, [make(r, (2, 3, 4), d), make(r, (1, 3, 4), d)]),
    "div": lambda r, d: (F.div, [make(r, (2, 3), d), make(r, (2, 1), d, low=0.5)]),
    "neg": _unary(F.neg),
    "pow": lambda r, d: ((lambda x: F.pow(x, 3)), [make(r, (3, 4), d)]),
    "exp": _unary(F.exp),
    "log": lambda r, d: (F.log, [tr.tensor(r.uniform(0.5, 2, (3, 4)), requires_grad=True, device=d)]),
    "dropout": lambda r, d: ((lambda x: (tr.manual_seed(5), F.dropout(x, 0.5))[1]), [make(r, (4, 5), d)]),
    "relu": lambda r, d: (F.relu, [distinct(r, (3, 5), d)]),
    "matmul": lambda r, d: (F.matmul, [make(r, (2, 3, 4), d), make(r, (4, 5), d)]),
    # shapes and reductions
    "reshape": lambda r, d: ((lambda x: F.reshape(x, (4, -1))), [make(r, (2, 3, 4), d)]),
    "flatten": lambda r, d: (F.flatten, [make(r, (2, 3, 2, 2), d)]),
    "transpose": lambda r, d: ((lambda x: F.transpose(x, (2, 0, 1))), [make(r, (2, 3, 4), d)]),
    "sum": lambda r, d: ((lambda x: F.sum(x, axis=(0, 2))), [make(r, (2, 3, 4), d)]),
    "mean": lambda r, d: ((lambda x: F.mean(x, axis=1, keepdims=True)), [make(r, (2, 3, 4), d)]),
    "pad": lambda r, d: ((lambda x: F.pad(x, (1, 2, 0, 1))), [make(r, (2, 3, 4), d)]),
    "cat": lambda r, d: ((lambda a, b: F.cat([a, b], axis=1)), [make(r, (2, 3), d), make(r, (2, 2), d)]),
    "getitem": lambda r, d: ((lambda x: x[1:, ::2]), [make(r, (3, 5, 2), d)]),
    "to_device": lambda r, d: ((lambda x: F.to_device(F.to_device(x, "cpu") * 2.0, d)), [make(r, (2, 3), d)]),
    "astype": lambda r, d: ((lambda x: F.astype(x, "float64") * x), [make(r, (2, 3), d)]),
    # convolution, in the configurations ResNets use and the awkward ones
    "conv2d": _conv((2, 3, 5, 5), (4, 3, 3, 3), stride=1, padding=1),
    "conv2d_stride2_nobias": _conv((2, 2, 6, 5), (3, 2, 3, 3), bias=False, stride=2, padding=1),
    "conv2d_1x1_stride2": _conv((2, 3, 5, 5), (4, 3, 1, 1), bias=False, stride=2),
    "conv2d_7x7_stride2_pad3": _conv((1, 2, 9, 9), (2, 2, 7, 7), bias=False, stride=2, padding=3),
    "conv2d_dilation_nonsquare": _conv((1, 2, 7, 6), (2, 2, 2, 3), stride=(2, 1), padding=(1, 0), dilation=2),
    "conv2d_groups": _conv((2, 4, 4, 4), (6, 2, 3, 3), padding=1, groups=2),
    # the channels-first NumPy route too (the default is channels-last; the others take neither)
    "conv2d_channels_first": _channels_first(_conv((2, 3, 5, 5), (4, 3, 3, 3), stride=1, padding=1)),
    "conv2d_stride2_channels_first": _channels_first(_conv((2, 2, 6, 5), (3, 2, 3, 3), stride=2, padding=1)),
    "linear": lambda r, d: (F.linear, [make(r, (4, 5), d), make(r, (3, 5), d), make(r, (3,), d)]),
    # pooling
    "max_pool2d": lambda r, d: ((lambda x: F.max_pool2d(x, 3, 2, 1)), [distinct(r, (2, 2, 5, 5), d)]),
    "max_pool2d_2x2": lambda r, d: ((lambda x: F.max_pool2d(x, 2)), [distinct(r, (1, 3, 4, 6), d)]),
    "avg_pool2d": lambda r, d: ((lambda x: F.avg_pool2d(x, (2, 3), stride=(1, 2), padding=(1, 1))),
                                [make(r, (2, 2, 5, 6), d)]),
    "adaptive_avg_pool2d": lambda r, d: ((lambda x: F.adaptive_avg_pool2d(x, (3, 2))), [make(r, (2, 2, 5, 5), d)]),
    "adaptive_avg_pool2d_1": lambda r, d: ((lambda x: F.adaptive_avg_pool2d(x, 1)), [make(r, (2, 3, 3, 4), d)]),
    "global_avg_pool2d": _unary(F.global_avg_pool2d, (2, 3, 4, 3)),
    # normalisation, in both modes, with and without affine parameters
    "batch_norm": _bn(training=True, affine=True),
    "batch_norm_eval": _bn(training=False, affine=True),
    "batch_norm_train_noaffine_2d": _bn(training=True, affine=False, rank4=False),
    "batch_norm_eval_noaffine": _bn(training=False, affine=False),
    "group_norm": lambda r, d: ((lambda x, g, b: F.group_norm(x, 2, g, b)),
                                [make(r, (2, 4, 3, 3), d), make(r, (4,), d), make(r, (4,), d)]),
    # one replica here; two replicas (threads) and the distributed backward: tests/test_distributed.py
    "sync_batch_norm": lambda r, d: ((lambda x, g, b: F.sync_batch_norm(x, None, None, g, b, training=True,
                                                                        comm=SingleProcess())),
                                     [make(r, (4, 3, 2, 2), d), make(r, (3,), d), make(r, (3,), d)]),
    # losses
    "cross_entropy": _ce("mean"),
    "cross_entropy_sum": _ce("sum"),
    "cross_entropy_none": _ce("none"),
    "log_softmax": _unary(F.log_softmax, (4, 5)),
    # residual connections
    "gradient_tap": lambda r, d: ((lambda x: F.gradient_tap(x, lambda g: None) * x), [make(r, (2, 3), d)]),
    "residual_add": lambda r, d: (F.residual_add, [make(r, (2, 3, 2, 2), d), make(r, (2, 3, 2, 2), d)]),
    "shortcut_a": lambda r, d: ((lambda x: F.shortcut_a(x, 6, 2)), [make(r, (2, 3, 5, 4), d)]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradcheck(case, device, rng):
    fn, inputs = CASES[case](rng, device)
    report = tr.gradcheck(fn, inputs)
    assert report.ok and report.checked_elements == sum(t.size for t in inputs if t.requires_grad)
    assert report.worst.error <= 1


def test_every_functional_op_has_a_gradcheck_case():
    covered = {name.split("_stride")[0] for name in CASES}
    covered |= {n for n in F.__all__ if any(c == n or c.startswith(n + "_") for c in CASES)}
    missing = sorted(set(F.__all__) - covered)
    assert not missing, f"ops without a gradient check: {missing}"


def test_astype_gradient_comes_back_in_the_input_dtype(device, rng):
    x = make(rng, (2, 3), device)
    y = F.astype(x, "float32")
    assert "float32" in str(y.dtype)
    y.backward(tr.tensor(np.ones((2, 3), dtype="float32"), device=device))
    assert "float64" in str(x.grad.dtype)
    np.testing.assert_array_equal(tr.backend.to_numpy(x.grad), np.ones((2, 3)))


# ---------------------------------------------------------------- the checker itself

def _broken_bn_backward(self, gy):
    """Batch-norm backward with the path through the variance removed."""
    xp = tr.backend.namespace(gy)
    xhat, inv_std, gamma = self.saved
    g = gy * xp.reshape(gamma, self._bshape(gy))
    gx = inv_std * (g - xp.mean(g, axis=(0, 2, 3), keepdims=True))
    return gx, xp.sum(gy * xhat, axis=(0, 2, 3)), xp.sum(gy, axis=(0, 2, 3))


def test_checker_reports_a_broken_batch_norm_backward(device, rng, monkeypatch):
    from tinyres.ops.norm import BatchNorm
    fn, inputs = _bn(training=True, affine=True)(rng, device)
    monkeypatch.setattr(BatchNorm, "backward", _broken_bn_backward)
    report = tr.gradcheck(fn, inputs, raise_on_fail=False)
    assert not report.ok
    assert report.worst.input == 0 and report.worst.error > 100
    with pytest.raises(tr.GradcheckError, match=r"FAILED.*\n.*input 0"):
        tr.gradcheck(fn, inputs)


def test_sum_objective_is_blind_to_the_broken_batch_norm(rng, monkeypatch):
    """Why the upstream gradient is random: d sum(BN(x))/dx = 0, and so is the broken one's."""
    from tinyres.ops.norm import BatchNorm
    monkeypatch.setattr(BatchNorm, "backward", _broken_bn_backward)
    fn, inputs = _bn(training=True, affine=True)(rng, "cpu")
    x = inputs[0]
    blind = tr.gradcheck(lambda x: F.sum(fn(x, *inputs[1:])), [x], raise_on_fail=False)
    assert blind.ok


def test_checker_requires_float64(rng):
    x = make(rng, (2, 2), "cpu", dtype="float32")
    with pytest.raises(ValueError, match="float64"):
        tr.gradcheck(F.relu, [x])


class _Doubling(tr.Function):
    """y = 2x, with ``slip`` times the allowed error (atol + rtol * |numeric|, the tolerance
    as it stands when built) added to one element of the gradient. Central differences of a
    linear map are exact to ~1e-10, far inside a 5% margin of the 1e-5-sized tolerance."""

    def __init__(self, slip, at, atol=None, rtol=None):
        self.slip, self.at = slip, at
        self.atol = TOLERANCE["atol"] if atol is None else atol
        self.rtol = TOLERANCE["rtol"] if rtol is None else rtol

    def forward(self, x):
        return 2 * x

    def backward(self, gy):
        gx = 2 * gy
        gx[self.at] = gx[self.at] + self.slip * (self.atol + self.rtol * abs(float(gx[self.at])))
        return gx


@pytest.mark.parametrize("slip, ok", [(0.95, True), (1.05, False), (-0.95, True), (-1.05, False)])
def test_tolerance_values_decide_pass_and_fail(slip, ok, rng):
    """An error just inside TOLERANCE passes, just outside fails, at the planted element."""
    x = make(rng, (3, 4), "cpu")
    report = tr.gradcheck(lambda x: _Doubling(slip, (1, 2))(x), [x], raise_on_fail=False)
    assert report.ok is ok
    assert report.worst.index == (1, 2)
    assert report.worst.error == pytest.approx(abs(slip), rel=1e-3)


def test_tolerance_is_read_at_check_time(rng, monkeypatch):
    """The defaults come from TOLERANCE, the one place they are defined: widen it and an
    error 1.5x today's tolerance passes; narrow it and one 0.75x today's fails."""
    x = make(rng, (3, 4), "cpu")
    atol, rtol = TOLERANCE["atol"], TOLERANCE["rtol"]

    def passes(slip):
        return tr.gradcheck(lambda x: _Doubling(slip, (0, 0), atol, rtol)(x), [x], raise_on_fail=False).ok
    assert not passes(1.5)
    monkeypatch.setitem(TOLERANCE, "atol", 2 * atol)
    monkeypatch.setitem(TOLERANCE, "rtol", 2 * rtol)
    assert passes(1.5)
    monkeypatch.setitem(TOLERANCE, "atol", atol / 2)
    monkeypatch.setitem(TOLERANCE, "rtol", rtol / 2)
    assert not passes(0.75)
