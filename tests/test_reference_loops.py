"""Property tests: conv and pooling, forward AND backward, against naive loop references.

Hypothesis draws shapes, kernel sizes, strides, paddings, dilations and groups; the
reference computes every output element by an explicit loop over its window, and its
backward scatters the upstream gradient element by element.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinyres as tr
import tinyres.functional as F

SETTINGS = settings(max_examples=40, deadline=None)


def _windows(h, w, kh, kw, s, p, d):
    ho = (h + 2 * p[0] - d[0] * (kh - 1) - 1) // s[0] + 1
    wo = (w + 2 * p[1] - d[1] * (kw - 1) - 1) // s[1] + 1
    for oy in range(ho):
        for ox in range(wo):
            cells = [(oy * s[0] - p[0] + i * d[0], ox * s[1] - p[1] + j * d[1]) for i in range(kh) for j in range(kw)]
            yield oy, ox, [(i, j, y, x) for (i, j), (y, x) in
                           zip([(i, j) for i in range(kh) for j in range(kw)], cells)]


def conv_reference(x, w, b, s, p, d, groups, gy):
    n, c, h, wd = x.shape
    cout, cg, kh, kw = w.shape
    per = cout // groups
    gx, gw = np.zeros_like(x), np.zeros_like(w)
    out = {}
    for oy, ox, cells in _windows(h, wd, kh, kw, s, p, d):
        for o in range(cout):
            g = o // per
            acc = np.full(n, b[o] if b is not None else 0.0)
            for i, j, y, xx in cells:
                if 0 <= y < h and 0 <= xx < wd:
                    patch = x[:, g * cg:(g + 1) * cg, y, xx]
                    acc = acc + patch @ w[o, :, i, j]
                    if gy is not None:
                        gx[:, g * cg:(g + 1) * cg, y, xx] += np.outer(gy[:, o, oy, ox], w[o, :, i, j])
                        gw[o, :, i, j] += gy[:, o, oy, ox] @ patch
            out[(o, oy, ox)] = acc
    ho = max(k[1] for k in out) + 1
    wo = max(k[2] for k in out) + 1
    y = np.zeros((n, cout, ho, wo))
    for (o, oy, ox), v in out.items():
        y[:, o, oy, ox] = v
    return y, gx, gw


@st.composite
def conv_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2]))
    cg, per = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    h = draw(st.integers(max(1, d[0] * (kh - 1) + 1 - 2 * p[0]), 6))
    w = draw(st.integers(max(1, d[1] * (kw - 1) + 1 - 2 * p[1]), 6))
    n = draw(st.integers(1, 2))
    bias = draw(st.booleans())
    return n, groups, cg, per, (kh, kw), s, p, d, (h, w), bias


@pytest.mark.parametrize("layout", ["channels_first", "channels_last"])
@SETTINGS
@given(conv_cases(), st.integers(0, 2**31))
def test_conv2d_matches_loops(layout, case, seed):
    from tinyres.ops import conv
    saved, conv.LAYOUT = conv.LAYOUT, layout        # conv2d's two NumPy routes (hypothesis: no monkeypatch)
    try:
        _conv_matches_loops(case, seed)
    finally:
        conv.LAYOUT = saved


def _conv_matches_loops(case, seed):
    n, groups, cg, per, (kh, kw), s, p, d, (h, wd), bias = case
    rng = np.random.default_rng(seed)
    xn = rng.standard_normal((n, groups * cg, h, wd))
    wn = rng.standard_normal((groups * per, cg, kh, kw))
    bn = rng.standard_normal(groups * per) if bias else None
    x, w = tr.tensor(xn, requires_grad=True), tr.tensor(wn, requires_grad=True)
    b = tr.tensor(bn, requires_grad=True) if bias else None
    y = F.conv2d(x, w, b, stride=s, padding=p, dilation=d, groups=groups)
    gy = rng.standard_normal(y.shape)
    y_ref, gx_ref, gw_ref = conv_reference(xn, wn, bn, s, p, d, groups, gy)
    np.testing.assert_allclose(y.numpy(), y_ref, rtol=1e-10, atol=1e-12)
    y.backward(gy)
    np.testing.assert_allclose(x.grad, gx_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.grad, gw_ref, rtol=1e-10, atol=1e-12)
    if bias:
        np.testing.assert_allclose(b.grad, gy.sum(axis=(0, 2, 3)), rtol=1e-10, atol=1e-12)


def pool_reference(x, k, s, p, kind, gy):
    n, c, h, w = x.shape
    out, gx = {}, np.zeros_like(x)
    for oy, ox, cells in _windows(h, w, k[0], k[1], s, p, (1, 1)):
        for nn in range(n):
            for cc in range(c):
                vals = [(x[nn, cc, y, xx] if 0 <= y < h and 0 <= xx < w else
                         (-np.inf if kind == "max" else 0.0), y, xx) for _, _, y, xx in cells]
                if kind == "max":
                    best = max(range(len(vals)), key=lambda t: (vals[t][0], -t))   # first maximum
                    out[(nn, cc, oy, ox)] = vals[best][0]
                    gx[nn, cc, vals[best][1], vals[best][2]] += gy[nn, cc, oy, ox]
                else:
                    out[(nn, cc, oy, ox)] = sum(v for v, _, _ in vals) / len(vals)
                    for v, y, xx in vals:
                        if 0 <= y < h and 0 <= xx < w:
                            gx[nn, cc, y, xx] += gy[nn, cc, oy, ox] / len(vals)
    shape = tuple(max(key[i] for key in out) + 1 for i in range(4))
    y = np.zeros(shape)
    for key, v in out.items():
        y[key] = v
    return y, gx


@st.composite
def pool_cases(draw):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    h = draw(st.integers(max(1, k[0] - 2 * p[0]), 6))
    w = draw(st.integers(max(1, k[1] - 2 * p[1]), 6))
    return k, s, p, (draw(st.integers(1, 2)), draw(st.integers(1, 2)), h, w)


@SETTINGS
@given(pool_cases(), st.sampled_from(["max", "avg"]), st.integers(0, 2**31), st.booleans())
def test_pooling_matches_loops(case, kind, seed, with_ties):
    k, s, p, shape = case
    rng = np.random.default_rng(seed)
    # With ties (integers from a small range) the gradient must go to the FIRST maximum.
    xn = rng.integers(-2, 3, shape).astype(float) if with_ties else rng.standard_normal(shape)
    x = tr.tensor(xn, requires_grad=True)
    fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    y = fn(x, k, stride=s, padding=p)
    gy = rng.standard_normal(y.shape)
    y_ref, gx_ref = pool_reference(xn, k, s, p, kind, gy)
    np.testing.assert_allclose(y.numpy(), y_ref, rtol=1e-12, atol=1e-12)
    y.backward(gy)
    np.testing.assert_allclose(x.grad, gx_ref, rtol=1e-10, atol=1e-12)


@SETTINGS
@given(st.integers(1, 7), st.integers(1, 7), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**31))
def test_adaptive_avg_pool_matches_loops(h, w, oh, ow, seed):
    rng = np.random.default_rng(seed)
    xn = rng.standard_normal((2, 2, h, w))
    x = tr.tensor(xn, requires_grad=True)
    y = F.adaptive_avg_pool2d(x, (oh, ow))
    gy = rng.standard_normal(y.shape)
    y_ref, gx_ref = np.zeros((2, 2, oh, ow)), np.zeros_like(xn)
    for i in range(oh):
        r0, r1 = (i * h) // oh, -((-(i + 1) * h) // oh)
        for j in range(ow):
            c0, c1 = (j * w) // ow, -((-(j + 1) * w) // ow)
            y_ref[:, :, i, j] = xn[:, :, r0:r1, c0:c1].mean(axis=(2, 3))
            gx_ref[:, :, r0:r1, c0:c1] += gy[:, :, i:i + 1, j:j + 1] / ((r1 - r0) * (c1 - c0))
    np.testing.assert_allclose(y.numpy(), y_ref, rtol=1e-12)
    y.backward(gy)
    np.testing.assert_allclose(x.grad, gx_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("transposed", [True, False], ids=["transposed-conv dx", "col2im dx"])
@pytest.mark.parametrize("chunk", [1 << 30, 300], ids=["one chunk", "many chunks"])
def test_conv_fast_paths_match_the_reference(device, transposed, chunk, monkeypatch):
    """Batch chunking and the transposed-convolution route for dL/dx change no result."""
    from tinyres.ops import conv, im2col
    rng = np.random.default_rng(0)
    xn, wn = rng.standard_normal((5, 3, 6, 7)), rng.standard_normal((4, 3, 3, 3))
    gy = rng.standard_normal((5, 4, 6, 7))

    def run(ce, tb):
        monkeypatch.setattr(im2col, "CHUNK_ELEMENTS", ce)
        monkeypatch.setattr(conv.Conv2d, "transposed_backward", tb)
        x = tr.tensor(xn, requires_grad=True, device=device)
        w = tr.tensor(wn, requires_grad=True, device=device)
        y = F.conv2d(x, w, padding=1)
        y.backward(tr.tensor(gy, device=device))
        return y.numpy(), tr.backend.to_numpy(x.grad), tr.backend.to_numpy(w.grad)
    ref = conv_reference(xn, wn, None, (1, 1), (1, 1), (1, 1), 1, gy)
    got = run(chunk, transposed)
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
