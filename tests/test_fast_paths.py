"""The speed-only routes inside the ops compute what their plain counterparts compute.

conv2d as a whole is held equal to conv2d_reference in test_conv_reference.py; here are the
pieces it is built from, tested alone on geometries the networks do not reach (padding wider
than the kernel's reach, strides that skip the whole border, dilation), so that a wrong
border index cannot hide behind a network that never exercises it.
"""
import itertools

import numpy as np
import pytest

import tinyres as tr
from tinyres import backend
from tinyres.ops import im2col as I

GEOMETRIES = [  # (H, W), kernel, stride, dilation, padding
    (hw, k, s, d, p)
    for hw, k, s, d, p in itertools.product([(1, 5), (4, 7), (7, 3)], [(1, 1), (3, 3), (1, 3), (3, 2)],
                                            [(1, 1), (2, 1), (3, 2)], [(1, 1), (2, 1)], [(0, 0), (1, 1), (2, 0), (4, 3)])
    if all((n + 2 * pp - dd * (kk - 1) - 1) // ss + 1 >= 1 for n, kk, ss, dd, pp in zip(hw, k, s, d, p))
]


def _out_hw(hw, k, s, d, p):
    return tuple((n + 2 * pp - dd * (kk - 1) - 1) // ss + 1 for n, kk, ss, dd, pp in zip(hw, k, s, d, p))


def test_im2col_unpadded_equals_im2col_of_the_padded_input(device):
    rng = np.random.default_rng(0)
    assert len(GEOMETRIES) > 100
    for hw, k, s, d, p in GEOMETRIES:
        x = tr.tensor(rng.standard_normal((3, 2) + hw), device=device).data     # (C, N, H, W)
        xp = backend.namespace(x)
        o = _out_hw(hw, k, s, d, p)
        want = I.im2col(I.pad_cn(xp.permute_dims(x, (1, 0, 2, 3)), *p), k, s, d, o)
        got = I.im2col_unpadded(x, p, k, s, d, o)
        np.testing.assert_array_equal(backend.to_numpy(got), backend.to_numpy(want), err_msg=str((hw, k, s, d, p)))


def test_column_buffer_keeps_the_padding_zero_across_reuse(device):
    """The buffer is reused across calls and batch sizes; only the inside is rewritten, so the
    padding cells must still be zero after other data (and a larger batch) went through it."""
    rng = np.random.default_rng(1)
    hw, k, s, d, p = (5, 6), (3, 3), (1, 2), (1, 1), (2, 1)
    o = _out_hw(hw, k, s, d, p)
    for n in (4, 2, 4, 1):
        x = tr.tensor(rng.standard_normal((2, n) + hw) + 5.0, device=device).data
        buf = I.column_buffer(x, p, k, s, d, o, n)
        assert buf.shape == (2, 9, n) + o
        got = I.im2col_unpadded(x, p, k, s, d, o, out=buf)
        want = I.im2col_unpadded(x, p, k, s, d, o)
        np.testing.assert_array_equal(backend.to_numpy(got), backend.to_numpy(want))


@pytest.mark.parametrize("kernel", [(3, 3), (1, 3)], ids=["3x3 (transposed dL/dx)", "1x3 (col2im dL/dx)"])
def test_conv_with_wide_padding_equals_the_reference(kernel, device):
    """Padding 2: with the 1x3 kernel whole border rows of the output see only zeros; with
    3x3 the transposed-convolution dL/dx runs with zero padding of G."""
    from tinyres.ops import conv
    rng = np.random.default_rng(2)
    xn, wn = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((4, 3) + kernel)
    gy = rng.standard_normal(tr.functional.conv2d(tr.tensor(xn), tr.tensor(wn), padding=2).shape)
    outs = []
    for fn in (tr.functional.conv2d, conv.conv2d_reference):
        x, w = (tr.tensor(a, requires_grad=True, device=device) for a in (xn, wn))
        y = fn(x, w, padding=(2, 2))
        y.backward(tr.tensor(gy, device=device))
        outs.append([backend.to_numpy(a) for a in (y.data, x.grad, w.grad)])
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def _channels_first(a):
    """The same values as a, laid out channel by channel in memory (like a conv2d output)."""
    perm = (1, 0) + tuple(range(2, a.ndim))
    return np.ascontiguousarray(a.transpose(perm)).transpose(perm)


def _bn_run(xn, gn, bn, gy, training, grad, device):
    x = tr.tensor(xn, requires_grad=grad, device=device)
    params = [] if gn is None else [tr.tensor(a, requires_grad=grad, device=device) for a in (gn, bn)]
    rm = tr.tensor(np.linspace(-1, 1, xn.shape[1]), device=device)
    rv = tr.tensor(np.linspace(0.5, 2, xn.shape[1]), device=device)
    if grad:
        y = tr.functional.batch_norm(x, rm, rv, *params, training=training)
        y.backward(tr.tensor(gy, device=device))
        grads = [x.grad] + [p.grad for p in params]
    else:
        with tr.no_grad():
            y = tr.functional.batch_norm(x, rm, rv, *params, training=training)
        grads = []
    return [backend.to_numpy(a) for a in [y.data, rm.data, rv.data] + grads]


def _channels_last(a):
    """The same values as a, laid out pixel by pixel, channels side by side (conv2d's rows route)."""
    return np.moveaxis(np.ascontiguousarray(np.moveaxis(a, 1, -1)), -1, 1)


@pytest.mark.parametrize("layout", ["channels first", "channels last"])
@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (3, 2, 7), (8, 16, 4, 4)], ids=["NCHW", "NCL", "16 channels"])
@pytest.mark.parametrize("affine", [True, False], ids=["affine", "no affine"])
@pytest.mark.parametrize("mode", ["train", "eval", "eval no_grad"])
def test_batch_norm_fast_route_equals_the_portable_route(shape, affine, mode, layout, monkeypatch):
    """Input laid out channel by channel takes the NumPy fast route, pixel by pixel the rows route
    (checked below); the same input with FAST_ROUTES off takes the portable one: same output,
    running stats and gradients (the eval output bit for bit)."""
    from tinyres.ops import _fast, norm
    rng = np.random.default_rng(3)
    lay = _channels_first if layout == "channels first" else _channels_last
    xn = lay(rng.standard_normal(shape) * 3 + 1)
    gn, bn = (rng.standard_normal(shape[1]), rng.standard_normal(shape[1])) if affine else (None, None)
    gy = lay(rng.standard_normal(shape))
    training, grad = mode == "train", mode != "eval no_grad"
    routes = []
    real_forward = norm.BatchNorm.forward

    def spy(self, *a):
        out = real_forward(self, *a)
        routes.append("fast" if self.fast else "rows" if self.rows else "portable")
        return out
    monkeypatch.setattr(norm.BatchNorm, "forward", spy)
    fast = _bn_run(xn, gn, bn, gy, training, grad, "cpu")
    monkeypatch.setattr(_fast, "FAST_ROUTES", False)
    portable = _bn_run(xn, gn, bn, gy, training, grad, "cpu")
    assert routes == ["fast" if layout == "channels first" else "rows", "portable"]
    if not training:
        np.testing.assert_array_equal(fast[0], portable[0])
    assert len(fast) == len(portable) == 3 + (0 if not grad else 3 if affine else 1)
    for a, b in zip(fast, portable):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


SAME_GEOMETRIES = [  # (H, W), kernel, dilation, padding: stride 1 and output the size of the input
    ((4, 7), (3, 3), (1, 1), (1, 1)), ((8, 8), (3, 3), (1, 1), (1, 1)), ((2, 2), (3, 3), (1, 1), (1, 1)),
    ((1, 1), (3, 3), (1, 1), (1, 1)), ((5, 6), (1, 3), (1, 1), (0, 1)), ((6, 4), (3, 3), (2, 1), (2, 1)),
    ((3, 8), (5, 5), (1, 1), (2, 2)), ((4, 4), (1, 1), (1, 1), (0, 0)), ((3, 3), (7, 7), (1, 1), (3, 3)),
]


def test_flat_im2col_route_equals_the_row_route(monkeypatch):
    """"Same" maps at least FLAT_MIN_WIDTH wide take _im2col_flat (one shifted copy per image
    and channel, the wrapped border columns zeroed after). Held equal to the row-by-row route, into a reused buffer that
    other data went through first (a zeroed border column must not leak), from a permuted
    (N, C, H, W) input and into a buffer made for more images (views both)."""
    from tinyres.ops import _fast
    calls = []
    real = I._im2col_flat
    monkeypatch.setattr(I, "_im2col_flat", lambda *a: calls.append(1) or real(*a))
    rng = np.random.default_rng(7)
    for hw, k, d, p in SAME_GEOMETRIES:
        for n in (5, 3):
            x = np.transpose(rng.standard_normal((n, 4) + hw) + 3.0, (1, 0, 2, 3))     # (C, N, H, W) view
            buf = I.column_buffer(x, p, k, (1, 1), d, hw, n)
            got = np.array(I.im2col_unpadded(x, p, k, (1, 1), d, hw, out=buf))
            monkeypatch.setattr(_fast, "FAST_ROUTES", False)
            want = I.im2col_unpadded(x, p, k, (1, 1), d, hw)
            monkeypatch.setattr(_fast, "FAST_ROUTES", True)
            np.testing.assert_array_equal(got, want, err_msg=str((hw, k, d, p, n)))
    assert len(calls) == 2 * sum(hw[1] >= I.FLAT_MIN_WIDTH for hw, *_ in SAME_GEOMETRIES) >= 12
