"""The channels-last twin of :mod:`tinyres.ops.im2col` (NumPy only): a convolution's input as "rows".

With activations laid out pixel by pixel, (N, H, W, C) in memory, a convolution is

    y[(n, oy, ox), o] = sum_{i, j, c} rows[(n, oy, ox), (i, j, c)] * W[o, c, i, j]

one GEMM, rows (pixels, kh*kw*C) @ W_rows (kh*kw*C, Cout), whose output is again pixel by pixel.
Why a second layout: the GEMM kernels of a BLAS favour one orientation or the other. OpenBLAS's
AVX-512 kernels ran this one 1.3-2.5x faster than columns (kh*kw*C, pixels) for a ResNet's
channel counts, its AVX2 kernels ran both alike (``benchmarks/blas_layouts.py`` measures it), and
on small maps one gather beats im2col's many short copies.

Building the rows: the input is copied once into a buffer with a zero border (made once per
geometry: the interior is overwritten, the border stays zero), seen as (N, Hp*Wp, C); then one
``take`` gathers, for every output pixel and kernel offset, the C values of the input pixel it
sees. The gather's index is the same for every image and every call, so it is computed once.
Both run a slice of the batch at a time, as im2col's columns do, so the buffers stay small.
"""
from __future__ import annotations

import functools
import threading

from .. import backend

__all__ = ["gather_index", "padded", "im2row", "weight_rows", "row2im"]


@functools.lru_cache(maxsize=256)
def gather_index(hw, kernel, stride, dilation, padding):
    """For each output pixel (oy, ox) and offset (i, j), row-major: the index of the input pixel it
    sees in the padded map, flattened as (Hp*Wp,). Returns (index, (Ho, Wo))."""
    np = backend.namespace_for("cpu")[0]
    (h, w), (kh, kw), (sh, sw), (dh, dw), (ph, pw) = hw, kernel, stride, dilation, padding
    ho, wo = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    oy, ox, i, j = np.meshgrid(np.arange(ho), np.arange(wo), np.arange(kh), np.arange(kw), indexing="ij")
    index = (oy * sh + i * dh) * (w + 2 * pw) + (ox * sw + j * dw)
    if index.size and not 0 <= int(index.min()) <= int(index.max()) < (h + 2 * ph) * (w + 2 * pw):
        raise RuntimeError(f"im2row: gather index out of the padded map for {hw}, {kernel}, {stride}, {dilation}, "
                           f"{padding}")           # the gather runs with mode="clip": it would not notice
    index.setflags(write=False)
    return index.reshape(-1), (ho, wo)


_local = threading.local()

#: how many padded and row buffers (one per geometry) a thread keeps
MAX_BUFFERS = 32


def _buffer(xp, key, shape, dtype, zero):
    """A reused array of ``shape`` (or a leading slice of a larger one), least recently used dropped."""
    cache = getattr(_local, "buffers", None)
    if cache is None:
        cache = _local.buffers = {}
    buf = cache.pop(key, None)
    if buf is None or buf.shape[0] < shape[0]:
        del buf
        while len(cache) >= MAX_BUFFERS:
            del cache[next(iter(cache))]
        buf = (xp.zeros if zero else xp.empty)(shape, dtype=dtype)
    cache[key] = buf
    return buf[:shape[0]]


def padded(xh, padding):
    """xh (N, H, W, C), any strides -> (N, (H+2ph)*(W+2pw), C): xh inside a zero border, in a reused
    buffer (valid until the next call for the same geometry)."""
    n, h, w, c = xh.shape
    ph, pw = padding
    buf = _buffer(backend.namespace(xh), ("pad", xh.dtype, h, w, c, ph, pw), (n, h + 2 * ph, w + 2 * pw, c), xh.dtype,
                  zero=True)
    buf[:, ph:ph + h, pw:pw + w, :] = xh
    return buf.reshape(n, (h + 2 * ph) * (w + 2 * pw), c)


def im2row(xh, index, k_positions, padding):
    """Rows of xh (n, H, W, C), any strides, zero-padded by ``padding``: (n*Ho*Wo, k_positions*C), in
    a reused buffer. Called a slice of the batch at a time, so that both buffers (the padded input
    and the rows) are as small as one slice; valid until the next call for the same geometry."""
    flat = padded(xh, padding)
    xp = backend.namespace(flat)
    n, c = flat.shape[0], flat.shape[2]
    rows = _buffer(xp, ("rows", flat.dtype, index.shape[0], c), (n, index.shape[0], c), flat.dtype, zero=False)
    xp.take(flat, index, axis=1, out=rows, mode="clip")      # the index is checked when it is made
    return rows.reshape(-1, k_positions * c)


def weight_rows(w, flip=False):
    """W (Cout, C, kh, kw) as the (kh*kw*C, Cout) matrix the rows multiply; with ``flip``, the
    transposed convolution's weights: W flipped in space, in/out channels swapped, (kh*kw*Cout, C)."""
    xp = backend.namespace(w)
    cout, c, kh, kw = w.shape
    if flip:
        return xp.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(2, 3, 0, 1)).reshape(kh * kw * cout, c)
    return xp.ascontiguousarray(w.transpose(2, 3, 1, 0)).reshape(kh * kw * c, cout)


def row2im(grows, out, kernel, stride, dilation, out_hw):
    """Adjoint of the gather: grows (n, Ho, Wo, kh*kw, C) added into ``out`` (n, Hp, Wp, C), each
    offset's slice back where it came from (overlapping windows sum)."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    for i in range(kh):
        for j in range(kw):
            out[:, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw, :] += \
                grows[:, :, :, i * kw + j, :]
    return out
