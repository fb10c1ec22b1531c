"""Sliding windows as strided slices: the machinery convolution and pooling share.

A window op with kernel kh x kw, stride s and dilation d sees, for one kernel offset
(i, j), the strided slice x[..., i*d :: s, j*d :: s] of the padded input: one slice
per offset covers every output position at once, so an op loops over the kh*kw
offsets, never over pixels. :func:`im2col` stacks those slices into the "columns"
matrix of a convolution; :func:`col2im`, its adjoint, adds them back where they
came from (overlapping windows sum). Pooling takes the same slices with
:func:`windows`.

Also here, so that the ops keep only their maths: padding, :func:`im2col_unpadded`
(the columns of the zero-padded input, read straight from the unpadded one), reused
column buffers whose padding cells stay zero, batch chunking that bounds their size,
and a per-group matrix product that stays inside BLAS.
"""
from __future__ import annotations

import functools
import threading

import array_api_extra as xpx

from .. import backend
from . import _fast

__all__ = ["window", "windows", "pad_nchw", "pad_cn", "im2col", "im2col_unpadded", "col2im", "column_buffer",
           "batch_chunks", "group_matmul", "CHUNK_ELEMENTS"]


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


@functools.lru_cache(maxsize=256)
def _inside(k, dilation, stride, pad, size, out):
    """For each kernel offset along one axis: (lo, hi, first), the outputs lo..hi-1 whose input
    lies inside the unpadded axis of length ``size``, and the input index of output lo
    (cached: a network asks for the same few geometries once per batch chunk)."""
    spans = []
    for i in range(k):
        start = i * dilation - pad                    # input index seen by output 0
        lo = min(out, max(0, -(start // stride)))     # first output with a non-negative input index
        hi = max(lo, min(out, (size - 1 - start) // stride + 1))
        spans.append((lo, hi, start + lo * stride))
    return tuple(spans)


def im2col_unpadded(xt, padding, kernel, stride, dilation, out_hw, out=None):
    """:func:`im2col` of xt (C, N, H, W) zero-padded by ``padding``, without building the padded
    copy: each offset's slice is copied from the part of xt it sees. xt may be a non-contiguous
    view (e.g. a permuted (N, C, H, W) array), which saves the layout copy too.

    Only those inside parts are written: ``out``, when given, must hold zeros where the padding
    falls (a :func:`column_buffer` does); without it a zeroed array is made."""
    xp = backend.namespace(xt)
    (kh, kw), (sh, sw), (dh, dw), (ph, pw), (ho, wo) = kernel, stride, dilation, padding, out_hw
    c, n, h, w = xt.shape
    if out is None:
        out = xp.zeros((c, kh * kw, n, ho, wo), dtype=xt.dtype, device=backend.device_of(xt))
    if _flat_route(xp, xt, out, stride, out_hw):
        return _im2col_flat(xt, out, padding, kernel, dilation)
    for i, (y0, y1, ys) in enumerate(_inside(kh, dh, sh, ph, h, ho)):
        for j, (x0, x1, xs) in enumerate(_inside(kw, dw, sw, pw, w, wo)):
            if y1 > y0 and x1 > x0:
                out[:, i * kw + j, :, y0:y1, x0:x1] = xt[:, :, window(ys, sh, y1 - y0), window(xs, sw, x1 - x0)]
    return out


#: narrowest map that takes :func:`_im2col_flat`. Timed at batch 128, 3x3 kernels, one thread, a
#: ResNet's channel counts (flat vs by rows, ms): 32x32 7.0 vs 8.7, 16x16 4.7 vs 6.3, 8x8 3.0 vs 5.8,
#: 4x4 0.87 vs 1.58, but 2x2 0.57 vs 0.36 (there the zeroed columns are half the map)
FLAT_MIN_WIDTH = 4


def _flat_route(xp, xt, out, stride, out_hw):
    """Whether :func:`im2col_unpadded` may take :func:`_im2col_flat`: NumPy/CuPy, stride 1, output
    the size of the input ("same" padding), maps not too narrow, and each image's (H, W) plane contiguous
    in both arrays (so that it can be seen as one row without a copy)."""
    c, n, h, w = xt.shape
    if not (_fast.fast(xp) and tuple(stride) == (1, 1) and tuple(out_hw) == (h, w) and w >= FLAT_MIN_WIDTH):
        return False
    size = xt.itemsize
    return (xt.strides[3] == size and xt.strides[2] == w * size and out.strides[4] == size
            and out.strides[3] == w * size)


def _im2col_flat(xt, out, padding, kernel, dilation):
    """:func:`im2col_unpadded` for a "same" convolution, with each image's map seen as one row of
    H*W values: the kernel offset (dy, dx) is then one shift by dy*W + dx, one long copy per
    image and channel instead of one short copy per map row (the rows of an 8x8 map are 7
    values: a copy per row costs more in loop overhead than in data). The shift carries
    |dx| values of each row over from its neighbour row where the padding should be: those
    columns are zeroed after the copy; the cells the shift leaves unwritten are padding, so
    ``out`` keeps its zeros there (the column_buffer contract)."""
    xp = backend.namespace(xt)
    (kh, kw), (dh, dw), (ph, pw) = kernel, dilation, padding
    c, n, h, w = xt.shape
    hw = h * w
    src = xp.reshape(xt, (c, n, hw))
    dst = xp.reshape(out, (c, kh * kw, n, hw))
    for i in range(kh):
        for j in range(kw):
            k, dy, dx = i * kw + j, i * dh - ph, j * dw - pw
            shift = dy * w + dx
            if shift >= 0:
                dst[:, k, :, :max(hw - shift, 0)] = src[:, :, shift:]
            else:
                dst[:, k, :, min(-shift, hw):] = src[:, :, :max(hw + shift, 0)]
            if dx < 0:
                out[:, k, :, :, :min(-dx, w)] = 0
            elif dx > 0:
                out[:, k, :, :, max(w - dx, 0):] = 0
    return out


_local = threading.local()

#: how many column buffers (one per layer geometry) a thread keeps
MAX_BUFFERS = 16


def column_buffer(xt, padding, kernel, stride, dilation, out_hw, n):
    """A reused (C, kh*kw, n, Ho, Wo) buffer for :func:`im2col_unpadded` of xt (C, >=n, H, W):
    zero where the padding falls, the rest to be overwritten. Its contents are valid only until
    the next call for the same geometry, so callers use it and are done with it before asking again.

    Why reused: at batch 128 the columns are the largest arrays of a CIFAR ResNet (75 MB for a
    16-channel 32x32 layer, built a batch chunk at a time), and a fresh allocation that size is
    page-faulted in every time, which costs more than the GEMM. Why one per geometry (input
    size, kernel, stride, dilation, padding; a few per network): im2col never writes the padding
    cells, so they are zeroed once when the buffer is made, and stay zero; zeroing them on every
    call cost a third of the copy. A buffer made for more images serves fewer, as a view."""
    cache = getattr(_local, "buffers", None)
    if cache is None:
        cache = _local.buffers = {}
    xp = backend.namespace(xt)
    c, _, h, w = xt.shape
    key = (xt.dtype, backend.device_name(xt), c, h, w, tuple(padding), tuple(kernel),
           tuple(stride), tuple(dilation))
    buf = cache.pop(key, None)        # re-inserted below: the dict's order is least recently used first
    if buf is None or buf.shape[2] < n:
        del buf                       # free the old one before allocating the larger
        while len(cache) >= MAX_BUFFERS:
            del cache[next(iter(cache))]
        buf = xp.zeros((c, kernel[0] * kernel[1], n) + tuple(out_hw), dtype=xt.dtype, device=backend.device_of(xt))
    cache[key] = buf
    return buf if buf.shape[2] == n else buf[:, :, :n, ...]


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


#: columns are built for a slice of the batch at a time, at most this many elements (8 MB in
#: float32): the column buffers (one per layer geometry) stay small, and the GEMMs large enough
#: to run at speed (1 << 20 to 1 << 23 timed within noise of each other for 16-64 channels)
CHUNK_ELEMENTS = 1 << 21


def batch_chunks(n, per_image):
    """[(start, stop), ...] covering a batch of n, each slice at most CHUNK_ELEMENTS columns."""
    step = max(1, min(n, CHUNK_ELEMENTS // max(per_image, 1)))
    return [(i, min(i + step, n)) for i in range(0, n, step)]


def group_matmul(a, b, out=None):
    """a (G, m, k) @ b (G, k, n), one 2-D product per group: NumPy's stacked matmul leaves
    BLAS for some operand layouts (8x slower for W^T @ G here), its 2-D matmul never does.

    With ``out`` (G, m, n), possibly a strided view such as one batch chunk's columns of a
    larger output, the products are written into it: on NumPy and CuPy by the GEMM itself,
    with no temporary to allocate and copy over."""
    xp = backend.namespace(a, b)
    if out is not None:
        for g in range(a.shape[0]):
            if _fast.fast(xp):
                xp.matmul(a[g, ...], b[g, ...], out=out[g, ...])
            else:
                out[g, ...] = xp.matmul(a[g, ...], b[g, ...])
        return out
    if a.shape[0] == 1:
        return xp.matmul(a[0, ...], b[0, ...])[None, ...]
    return xp.stack([xp.matmul(a[g, ...], b[g, ...]) for g in range(a.shape[0])])
