"""Sliding windows as strided slices: the machinery convolution and pooling share.

A window op with kernel kh x kw, stride s and dilation d sees, for one kernel offset
(i, j), the strided slice x[..., i*d :: s, j*d :: s] of the padded input: one slice
per offset covers every output position at once, so an op loops over the kh*kw
offsets, never over pixels. :func:`im2col` stacks those slices into the "columns"
matrix of a convolution; :func:`col2im`, its adjoint, adds them back where they
came from (overlapping windows sum). Pooling takes the same slices with
:func:`windows`.

Also here, so that the ops keep only their maths: padding, a reused scratch buffer
for the columns, batch chunking that bounds the buffer's size, and a per-group
matrix product that stays inside BLAS.
"""
from __future__ import annotations

import threading

import array_api_extra as xpx

from .. import backend

__all__ = ["window", "windows", "pad_nchw", "pad_cn", "im2col", "col2im", "scratch", "batch_chunks",
           "group_matmul", "CHUNK_ELEMENTS"]


def window(start, stride, count):
    """The slice of ``count`` positions from ``start`` in steps of ``stride``."""
    return slice(start, start + stride * (count - 1) + 1, stride)


def windows(xpad, kernel, stride, out_hw):
    """The kh*kw strided slices (N, C, Ho, Wo) of a padded (N, C, Hp, Wp) input, offset by offset
    in row-major order (offset (i, j) is number i*kw + j)."""
    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out_hw
    return [xpad[:, :, window(i, sh, ho), window(j, sw, wo)] for i in range(kh) for j in range(kw)]


def pad_nchw(x, ph, pw, value=0.0):
    """(N, C, H, W) padded by ph rows and pw columns of ``value`` on each side (no copy when 0)."""
    if not (ph or pw):
        return x
    return xpx.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def pad_cn(x, ph, pw):
    """(N, C, H, W) -> zero-padded (C, N, H + 2ph, W + 2pw), C-contiguous (channels first:
    then every im2col slice and the GEMM operands are contiguous without further copies)."""
    xp = backend.namespace(x)
    n, c, h, w = x.shape
    xt = xp.permute_dims(x, (1, 0, 2, 3))
    out = xp.zeros((c, n, h + 2 * ph, w + 2 * pw), dtype=x.dtype, device=backend.device_of(x))
    out[:, :, ph:ph + h, pw:pw + w] = xt
    return out


def im2col(xt, kernel, stride, dilation, out_hw, out=None):
    """xt: padded input as (C, N, Hp, Wp) -> cols of shape (C, kh*kw, N, Ho, Wo).
    Written into ``out`` when given (a buffer of that shape)."""
    xp = backend.namespace(xt)
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    c, n = xt.shape[:2]
    if out is None:
        out = xp.empty((c, kh * kw, n, ho, wo), dtype=xt.dtype, device=backend.device_of(xt))
    for i in range(kh):
        for j in range(kw):
            out[:, i * kw + j, ...] = xt[:, :, window(i * dh, sh, ho), window(j * dw, sw, wo)]
    return out


def col2im(cols, padded_shape, kernel, stride, dilation):
    """Adjoint of :func:`im2col`: cols (C, kh*kw, N, Ho, Wo) -> (C, N, Hp, Wp), overlaps summed."""
    xp = backend.namespace(cols)
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    ho, wo = cols.shape[-2:]
    out = xp.zeros(padded_shape, dtype=cols.dtype, device=backend.device_of(cols))
    for i in range(kh):
        for j in range(kw):
            out[:, :, window(i * dh, sh, ho), window(j * dw, sw, wo)] += cols[:, i * kw + j, ...]
    return out


_local = threading.local()


def scratch(shape, like):
    """A reused buffer of ``shape`` (dtype and device of ``like``): a view into one flat array
    per thread, dtype and device, grown to the largest request. Its contents are valid only
    until the next call, so callers use it and are done with it before asking again.

    Why: at batch 128 the columns are the largest arrays of a CIFAR ResNet (75 MB for a
    16-channel 32x32 layer), and a fresh allocation that size is page-faulted in every
    time, which costs more than the GEMM."""
    cache = getattr(_local, "buffers", None)
    if cache is None:
        cache = _local.buffers = {}
    xp = backend.namespace(like)
    key = (backend.dtype_name(like.dtype), backend.device_name(like))
    size = 1
    for s in shape:
        size *= s
    flat = cache.get(key)
    if flat is None or flat.shape[0] < size:
        cache.pop(key, None)          # free the old one before allocating the larger
        flat = cache[key] = xp.empty((size,), dtype=like.dtype, device=backend.device_of(like))
    return xp.reshape(flat[:size], tuple(shape))


#: columns are built for a slice of the batch at a time, at most this many elements (32 MB
#: in float32): the scratch buffer stays small and the GEMMs stay large enough to run at speed
CHUNK_ELEMENTS = 1 << 23


def batch_chunks(n, per_image):
    """[(start, stop), ...] covering a batch of n, each slice at most CHUNK_ELEMENTS columns."""
    step = max(1, min(n, CHUNK_ELEMENTS // max(per_image, 1)))
    return [(i, min(i + step, n)) for i in range(0, n, step)]


def group_matmul(a, b):
    """a (G, m, k) @ b (G, k, n), one 2-D product per group: NumPy's stacked matmul leaves
    BLAS for some operand layouts (8x slower for W^T @ G here), its 2-D matmul never does."""
    xp = backend.namespace(a, b)
    if a.shape[0] == 1:
        return xp.matmul(a[0, ...], b[0, ...])[None, ...]
    return xp.stack([xp.matmul(a[g, ...], b[g, ...]) for g in range(a.shape[0])])
