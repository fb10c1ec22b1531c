"""The readable conv2d_reference (three matrix products around im2col/col2im) and the fast conv2d
(scratch buffer, batch chunks, transposed-convolution dL/dx; channels-first or channels-last)
compute the same numbers."""
import inspect

import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F
from tinyres import OpError
from tinyres.inspect.gradcheck import gradcheck
from tinyres.ops import conv, im2col
from tinyres.ops.conv import conv2d_reference

CONFIGS = {  # name: (x shape, weight shape, keyword arguments)
    "3x3 pad 1": ((2, 3, 6, 7), (4, 3, 3, 3), dict(padding=1)),
    "stride 2": ((2, 3, 7, 6), (5, 3, 3, 3), dict(stride=2, padding=1)),
    "stride (2, 1), 1x3 kernel": ((2, 2, 5, 6), (3, 2, 1, 3), dict(stride=(2, 1), padding=(0, 1))),
    "dilation 2": ((1, 2, 8, 8), (3, 2, 3, 3), dict(dilation=2, padding=2)),
    "groups 2": ((2, 4, 5, 5), (6, 2, 3, 3), dict(groups=2, padding=1)),
    "depthwise, stride 2": ((2, 3, 6, 6), (3, 1, 3, 3), dict(groups=3, stride=2, padding=1)),
    "1x1 no padding": ((3, 4, 4, 4), (2, 4, 1, 1), dict()),
    "7x7 stride 2 pad 3 (stem)": ((1, 3, 9, 9), (2, 3, 7, 7), dict(stride=2, padding=3)),
    "3x3 pad 3 (padding > k - 1)": ((2, 2, 5, 4), (3, 2, 3, 3), dict(padding=3)),
    "2x2 stride 3 (stride > kernel)": ((2, 2, 8, 7), (3, 2, 2, 2), dict(stride=3, padding=1)),
}


def _run(fn, xn, wn, bn, gy, kw, device):
    x = tr.tensor(xn, requires_grad=True, device=device)
    w = tr.tensor(wn, requires_grad=True, device=device)
    b = None if bn is None else tr.tensor(bn, requires_grad=True, device=device)
    y = fn(x, w, b, **kw)
    y.backward(tr.tensor(gy, device=device))
    grads = [x.grad, w.grad] + ([] if b is None else [b.grad])
    return [y.numpy()] + [tr.backend.to_numpy(g) for g in grads]


@pytest.mark.parametrize("layout", ["channels_first", "channels_last"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no bias"])
@pytest.mark.parametrize("name", list(CONFIGS))
@pytest.mark.parametrize("chunk", [1 << 30, 200], ids=["one chunk", "many chunks"])
def test_fast_conv_equals_the_reference(name, bias, chunk, layout, device, monkeypatch):
    monkeypatch.setattr(im2col, "CHUNK_ELEMENTS", chunk)
    monkeypatch.setattr(conv, "LAYOUT", layout)
    rows_calls = []
    real = conv.Conv2d._forward_rows
    monkeypatch.setattr(conv.Conv2d, "_forward_rows", lambda self, *a: rows_calls.append(1) or real(self, *a))
    xs, ws, kw = CONFIGS[name]
    rng = np.random.default_rng(7)
    xn, wn = rng.standard_normal(xs), rng.standard_normal(ws)
    bn = rng.standard_normal(ws[0]) if bias else None
    y_shape = F.conv2d(tr.tensor(xn), tr.tensor(wn), **kw).shape
    gy = rng.standard_normal(y_shape)
    rows_calls.clear()                    # the shape above came from a run on the CPU
    fast = _run(F.conv2d, xn, wn, bn, gy, kw, device)
    ref = _run(conv2d_reference, xn, wn, bn, gy, kw, device)
    assert len(fast) == len(ref) == (4 if bias else 3)
    for a, b in zip(fast, ref):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    # the channels-last route ran exactly where it applies: NumPy, one group
    expected = layout == "channels_last" and device == "cpu" and kw.get("groups", 1) == 1
    assert bool(rows_calls) == expected, (layout, device, rows_calls)


@pytest.mark.parametrize("name", ["stride 2", "groups 2", "dilation 2"])
def test_reference_passes_the_gradient_check(name, device):
    xs, ws, kw = CONFIGS[name]
    rng = np.random.default_rng(1)
    ins = [tr.tensor(rng.standard_normal(s), requires_grad=True, device=device) for s in (xs, ws, (ws[0],))]
    gradcheck(lambda x, w, b: conv2d_reference(x, w, b, **kw), ins)


def test_reference_checks_its_arguments_like_conv2d():
    x = tr.tensor(np.ones((1, 3, 4, 4)))
    with pytest.raises(OpError, match=r"conv2d_reference: input has 3 channels"):
        conv2d_reference(x, tr.tensor(np.ones((2, 2, 3, 3))))
    with pytest.raises(OpError, match=r"conv2d_reference: weight must be a Tensor, got ndarray"):
        conv2d_reference(x, np.ones((2, 3, 3, 3)))


def test_reference_fits_on_a_screen():
    """Issue 11 item 4: the lesson reads the maths in one place, forward and backward."""
    lines = inspect.getsource(conv.Conv2dReference).splitlines()
    assert len(lines) <= 40, len(lines)


def test_pool_uses_the_shared_window_module_not_conv():
    from tinyres.ops import pool
    source = inspect.getsource(pool)
    assert "from .conv" not in source and "from .im2col import" in source
