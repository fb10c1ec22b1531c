"""2-D convolution by im2col + one matrix product (per group).

Forward.  Pad x, then for every kernel offset (i, j) take the strided slice of x that
this offset sees at all output positions. Stacking the kh*kw slices gives the
"columns" matrix cols[(c, i, j), (n, oy, ox)], and the convolution is one GEMM:

    y[o, (n, oy, ox)] = sum_{c,i,j} W[o, (c, i, j)] * cols[(c, i, j), (n, oy, ox)]

Backward.  With G = dL/dy laid out the same way:
    dL/dW    = G @ cols^T                     (each weight sees every column)
    dL/dcols = W^T @ G
    dL/dx    = col2im(dL/dcols): add each offset's slice back where it came from
               (the adjoint of im2col: overlapping windows sum their gradients).
    dL/db    = G summed over batch and positions.
"""
from __future__ import annotations

import array_api_extra as xpx

from .. import backend
from ..function import Function, OpError
from ._checks import floating, out_size, pair, rank, matching

__all__ = ["conv2d", "im2col", "col2im"]


def _window(start, stride, count):
    return slice(start, start + stride * (count - 1) + 1, stride)


def im2col(xt, kernel, stride, dilation, out_hw):
    """xt: padded input as (C, N, Hp, Wp) -> cols of shape (C, kh*kw, N, Ho, Wo)."""
    xp = backend.namespace(xt)
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    slices = [xt[:, :, _window(i * dh, sh, ho), _window(j * dw, sw, wo)]
              for i in range(kh) for j in range(kw)]
    return xp.stack(slices, axis=1)


def col2im(cols, padded_shape, kernel, stride, dilation):
    """Adjoint of :func:`im2col`: cols (C, kh*kw, N, Ho, Wo) -> (C, N, Hp, Wp), overlaps summed."""
    xp = backend.namespace(cols)
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    ho, wo = cols.shape[-2:]
    out = xp.zeros(padded_shape, dtype=cols.dtype, device=backend.device_of(cols))
    for i in range(kh):
        for j in range(kw):
            out[:, :, _window(i * dh, sh, ho), _window(j * dw, sw, wo)] += cols[:, i * kw + j, ...]
    return out


class Conv2d(Function):
    op_name = "conv2d"

    def __init__(self, stride, padding, dilation, groups):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    def forward(self, x, w, b=None):
        xp = backend.namespace(x)
        n, c, h, wd = x.shape
        cout, cg, kh, kw = w.shape
        g = self.groups
        (ph, pw), (sh, sw), (dh, dw) = self.padding, self.stride, self.dilation
        ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        xt = xp.permute_dims(x, (1, 0, 2, 3))                       # (C, N, H, W)
        if ph or pw:
            xt = xpx.pad(xt, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        cols = im2col(xt, (kh, kw), (sh, sw), (dh, dw), (ho, wo))   # (C, K, N, Ho, Wo)
        cols = xp.reshape(cols, (g, cg * kh * kw, n * ho * wo))
        w2 = xp.reshape(w, (g, cout // g, cg * kh * kw))
        y = xp.matmul(w2, cols)                                     # (G, Cout/G, N*Ho*Wo)
        y = xp.reshape(y, (cout, n, ho, wo))
        if b is not None:
            y = y + xp.reshape(b, (cout, 1, 1, 1))
        self.saved = (cols, w2)
        self.geometry = (x.shape, xt.shape, w.shape, (ho, wo))
        return xp.permute_dims(y, (1, 0, 2, 3))

    def backward(self, gy):
        xp = backend.namespace(gy)
        cols, w2 = self.saved
        x_shape, padded_shape, w_shape, (ho, wo) = self.geometry
        n, c, h, wd = x_shape
        cout, cg, kh, kw = w_shape
        g = self.groups
        (ph, pw) = self.padding
        gt = xp.permute_dims(gy, (1, 0, 2, 3))                      # (Cout, N, Ho, Wo)
        g2 = xp.reshape(gt, (g, cout // g, n * ho * wo))
        gx = gw = gb = None
        if self.needs_input_grad[0]:
            gcols = xp.matmul(xp.matrix_transpose(w2), g2)          # (G, Cg*K, N*Ho*Wo)
            gcols = xp.reshape(gcols, (c, kh * kw, n, ho, wo))
            gxt = col2im(gcols, padded_shape, (kh, kw), self.stride, self.dilation)
            gxt = gxt[:, :, ph:ph + h, pw:pw + wd]
            gx = xp.permute_dims(gxt, (1, 0, 2, 3))
        if self.needs_input_grad[1]:
            gw = xp.reshape(xp.matmul(g2, xp.matrix_transpose(cols)), w_shape)
        if len(self.needs_input_grad) > 2 and self.needs_input_grad[2]:
            gb = xp.sum(gt, axis=(1, 2, 3))
        return (gx, gw) if len(self.needs_input_grad) == 2 else (gx, gw, gb)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of x (N, C, H, W) with weight (Cout, C/groups, kh, kw), like torch's."""
    op = "conv2d"
    rank(x, 4, op, "input", "N, C, H, W")
    rank(weight, 4, op, "weight", "C_out, C_in/groups, kh, kw")
    floating(x, op)
    floating(weight, op, "weight")
    matching(op, input=x, weight=weight, bias=bias)
    stride, padding, dilation = (pair(stride, "stride", op), pair(padding, "padding", op),
                                 pair(dilation, "dilation", op))
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        raise OpError(f"{op}: stride and dilation must be >= 1 and padding >= 0, "
                      f"got stride={stride}, dilation={dilation}, padding={padding}")
    if not isinstance(groups, int) or groups < 1:
        raise OpError(f"{op}: groups must be a positive int, got {groups!r}")
    cout, cg = weight.shape[:2]
    if x.shape[1] != cg * groups:
        raise OpError(f"{op}: input has {x.shape[1]} channels, weight of shape {weight.shape} with "
                      f"groups={groups} expects {cg * groups}")
    if cout % groups:
        raise OpError(f"{op}: {cout} output channels are not divisible by groups={groups}")
    if bias is not None and bias.shape != (cout,):
        raise OpError(f"{op}: bias must have shape ({cout},), got {bias.shape}")
    for axis, n, k, s, p, d in (("height", x.shape[2], weight.shape[2], stride[0], padding[0], dilation[0]),
                                ("width", x.shape[3], weight.shape[3], stride[1], padding[1], dilation[1])):
        out_size(n, k, s, p, d, op, axis)
    fn = Conv2d(stride, padding, dilation, groups)
    return fn(x, weight) if bias is None else fn(x, weight, bias)
