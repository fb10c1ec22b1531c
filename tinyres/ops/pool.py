"""Pooling: max, average, adaptive/global average.

All windows are taken as kh*kw strided slices of the padded input (the same slices
as im2col, from :mod:`tinyres.ops.im2col`), so forward is a max or mean over a
stacked axis and backward sends each slice's gradient back to where the slice came from.

Every pool refuses an input with zero height or width: its windows would hold no
element, so their mean would be NaN and their maximum padding.
"""
from __future__ import annotations

from .. import backend
from ..function import Function, OpError
from ._checks import floating, out_size, pair, rank, spatial
from .im2col import pad_nchw, window, windows

__all__ = ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "global_avg_pool2d"]


def _check(x, kernel_size, stride, padding, op):
    rank(x, 4, op, "input", "N, C, H, W")
    floating(x, op)
    spatial(x, op)
    k = pair(kernel_size, "kernel_size", op)
    s = k if stride is None else pair(stride, "stride", op)
    p = pair(padding, "padding", op)
    if min(k) < 1 or min(s) < 1 or min(p) < 0:
        raise OpError(f"{op}: kernel_size and stride must be >= 1, padding >= 0; got {k}, {s}, {p}")
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise OpError(f"{op}: padding {p} must be at most half the kernel size {k}")
    ho = out_size(x.shape[2], k[0], s[0], p[0], 1, op, "height")
    wo = out_size(x.shape[3], k[1], s[1], p[1], 1, op, "width")
    return k, s, p, (ho, wo)


class MaxPool2d(Function):
    """y = max over each window.

    Backward: the gradient of a window's output goes to the one input element that was
    the maximum. The maximum is always an INPUT element, never padding: padding acts as
    -inf, so it loses to every finite input, and a window whose inputs are all -inf
    (where padding would tie) takes its first input element. On ties the gradient goes
    to the FIRST maximal input element in row-major window order, as PyTorch's CPU
    kernel does (PyTorch documents no tie rule; gradient checks therefore draw inputs
    without ties). A NaN in a window is its maximum, and gets the gradient.
    """
    op_name = "max_pool2d"

    def __init__(self, k, s, p, out_hw):
        self.k, self.s, self.p, self.out_hw = k, s, p, out_hw

    def forward(self, x):
        xp = backend.namespace(x)
        (ph, pw), (kh, kw), (sh, sw), (ho, wo) = self.p, self.k, self.s, self.out_hw
        xpad = pad_nchw(x, ph, pw, -float("inf"))
        stacked = xp.stack(windows(xpad, self.k, self.s, self.out_hw), axis=0)   # (K, N, C, Ho, Wo)
        y = xp.max(stacked, axis=0)
        arg = xp.argmax(stacked, axis=0)
        if ph or pw:
            # all-(-inf) windows tie with their padding: send them to the first element inside
            dev = backend.device_of(x)
            row = xp.asarray([max(0, ph - oy * sh) for oy in range(ho)], dtype=arg.dtype, device=dev)
            col = xp.asarray([max(0, pw - ox * sw) for ox in range(wo)], dtype=arg.dtype, device=dev)
            first = row[:, None] * kw + col[None, :]          # offset of the window's first input element
            arg = xp.where(y == -float("inf"), first, arg)
        self.saved = arg
        self.shapes = (x.shape, xpad.shape)
        return y

    def backward(self, gy):
        xp = backend.namespace(gy)
        arg = self.saved
        (shape, padded_shape), (ph, pw) = self.shapes, self.p
        (kh, kw), (sh, sw), (ho, wo) = self.k, self.s, self.out_hw
        gx = xp.zeros(padded_shape, dtype=gy.dtype, device=backend.device_of(gy))
        for i in range(kh):
            for j in range(kw):
                gx[:, :, window(i, sh, ho), window(j, sw, wo)] += xp.where(arg == i * kw + j, gy, 0.0)
        return gx[:, :, ph:ph + shape[2], pw:pw + shape[3]]


class AvgPool2d(Function):
    """y = mean over each window (zero padding counts in the mean, as torch's default).

    Backward: every element of a window receives gy / (kh*kw).
    """
    op_name = "avg_pool2d"

    def __init__(self, k, s, p, out_hw):
        self.k, self.s, self.p, self.out_hw = k, s, p, out_hw

    def forward(self, x):
        xpad = pad_nchw(x, *self.p)
        self.shapes = (x.shape, xpad.shape, x.dtype)
        parts = windows(xpad, self.k, self.s, self.out_hw)
        total = parts[0]
        for w in parts[1:]:
            total = total + w
        return total / len(parts)

    def backward(self, gy):
        xp = backend.namespace(gy)
        (shape, padded_shape, dtype), (ph, pw) = self.shapes, self.p
        (kh, kw), (sh, sw), (ho, wo) = self.k, self.s, self.out_hw
        share = gy / (kh * kw)
        gx = xp.zeros(padded_shape, dtype=dtype, device=backend.device_of(gy))
        for i in range(kh):
            for j in range(kw):
                gx[:, :, window(i, sh, ho), window(j, sw, wo)] += share
        return gx[:, :, ph:ph + shape[2], pw:pw + shape[3]]


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """Max pooling like torch's (stride defaults to kernel_size, padding acts as -inf)."""
    return MaxPool2d(*_check(x, kernel_size, stride, padding, "max_pool2d"))(x)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """Average pooling like torch's (count_include_pad=True); kernels may be non-square."""
    return AvgPool2d(*_check(x, kernel_size, stride, padding, "avg_pool2d"))(x)


class GlobalAvgPool2d(Function):
    """y[n, c] = mean over H, W of x[n, c].  dL/dx = gy / (H*W) at every position."""
    op_name = "global_avg_pool2d"

    def forward(self, x):
        self.shape = x.shape
        return backend.namespace(x).mean(x, axis=(2, 3), keepdims=True)

    def backward(self, gy):
        xp = backend.namespace(gy)
        h, w = self.shape[2:]
        return xp.broadcast_to(gy / (h * w), self.shape)


class AdaptiveAvgPool2d(Function):
    """Average over bins [floor(i*H/oh), ceil((i+1)*H/oh)) as torch's adaptive pooling.

    Bins may overlap when H is not a multiple of oh; backward spreads each bin's
    gradient evenly over its elements and sums where bins overlap.
    """
    op_name = "adaptive_avg_pool2d"

    def __init__(self, out_hw):
        self.out_hw = out_hw

    def _bins(self, n, m):
        return [(i * n // m, -(-(i + 1) * n // m)) for i in range(m)]

    def forward(self, x):
        xp = backend.namespace(x)
        self.shape = x.shape
        rows = []
        for (r0, r1) in self._bins(x.shape[2], self.out_hw[0]):
            cols = [xp.mean(x[:, :, r0:r1, c0:c1], axis=(2, 3))
                    for (c0, c1) in self._bins(x.shape[3], self.out_hw[1])]
            rows.append(xp.stack(cols, axis=-1))
        return xp.stack(rows, axis=-2)

    def backward(self, gy):
        xp = backend.namespace(gy)
        gx = xp.zeros(self.shape, dtype=gy.dtype, device=backend.device_of(gy))
        for i, (r0, r1) in enumerate(self._bins(self.shape[2], self.out_hw[0])):
            for j, (c0, c1) in enumerate(self._bins(self.shape[3], self.out_hw[1])):
                share = gy[:, :, i:i + 1, j:j + 1] / ((r1 - r0) * (c1 - c0))
                gx[:, :, r0:r1, c0:c1] += share
        return gx


def global_avg_pool2d(x):
    """Mean over the spatial dimensions, keeping them as size 1: (N, C, H, W) -> (N, C, 1, 1)."""
    rank(x, 4, "global_avg_pool2d", "input", "N, C, H, W")
    floating(x, "global_avg_pool2d")
    spatial(x, "global_avg_pool2d")
    return GlobalAvgPool2d()(x)


def adaptive_avg_pool2d(x, output_size):
    """Adaptive average pooling like torch's; output_size 1 is the global average pool."""
    op = "adaptive_avg_pool2d"
    rank(x, 4, op, "input", "N, C, H, W")
    floating(x, op)
    spatial(x, op)
    out_hw = pair(output_size, "output_size", op)
    if min(out_hw) < 1:
        raise OpError(f"{op}: output_size must be >= 1, got {out_hw}")
    if out_hw == (1, 1):
        return GlobalAvgPool2d()(x)
    return AdaptiveAvgPool2d(out_hw)(x)
