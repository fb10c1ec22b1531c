"""2-D convolution by im2col + one matrix product (per group).

Forward.  Pad x, then for every kernel offset (i, j) take the strided slice of x that
this offset sees at all output positions. The kh*kw slices, one below the other, form
the "columns" matrix cols[(c, i, j), (n, oy, ox)], and the convolution is one GEMM:

    y[o, (n, oy, ox)] = sum_{c,i,j} W[o, (c, i, j)] * cols[(c, i, j), (n, oy, ox)]

Backward.  With G = dL/dy laid out the same way:
    dL/dW    = G @ cols^T                     (each weight sees every column)
    dL/dcols = W^T @ G
    dL/dx    = col2im(dL/dcols): add each offset's slice back where it came from
               (the adjoint of im2col: overlapping windows sum their gradients).
    dL/db    = G summed over batch and positions.

For stride 1 (most of a ResNet) dL/dx is computed another, equal way: it is the
convolution of G, padded by k-1-p, with W flipped in space and with in/out channels
swapped ("transposed convolution"). That is one im2col of G and one GEMM, with no
overlapping adds; it is checked against the col2im route in the tests.

Memory and speed.  Only the input is saved for backward (the very array the previous ReLU
keeps, so no extra memory); padding and columns are rebuilt there. Columns are written
into one reused scratch buffer: at batch 128 they are the largest arrays of the network
(75 MB for a 16-channel 32x32 layer), and a fresh allocation that size is page-faulted in
every time, which costs more than the GEMM.
"""
from __future__ import annotations

import threading
from .. import backend
from ..function import Function, OpError
from ._checks import floating, matching, out_size, pair, rank

__all__ = ["conv2d", "im2col", "col2im", "pad_cn"]

_local = threading.local()


def _scratch(shape, like):
    """A reused buffer of ``shape`` (dtype and device of ``like``): a view into one flat array
    per thread, dtype and device, grown to the largest request. Its contents are valid only
    until the next call, so callers use it and are done with it before asking again."""
    cache = getattr(_local, "buffers", None)
    if cache is None:
        cache = _local.buffers = {}
    xp = backend.namespace(like)
    key = (str(like.dtype), backend.device_name(like))
    size = 1
    for s in shape:
        size *= s
    flat = cache.get(key)
    if flat is None or flat.shape[0] < size:
        cache.pop(key, None)          # free the old one before allocating the larger
        flat = cache[key] = xp.empty((size,), dtype=like.dtype, device=backend.device_of(like))
    return xp.reshape(flat[:size], tuple(shape))


def _window(start, stride, count):
    return slice(start, start + stride * (count - 1) + 1, stride)


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
            out[:, i * kw + j, ...] = xt[:, :, _window(i * dh, sh, ho), _window(j * dw, sw, wo)]
    return out


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


def _group_matmul(a, b):
    """a (G, m, k) @ b (G, k, n), one 2-D product per group: NumPy's stacked matmul leaves
    BLAS for some operand layouts (8x slower for W^T @ G here), its 2-D matmul never does."""
    xp = backend.namespace(a, b)
    if a.shape[0] == 1:
        return xp.matmul(a[0, ...], b[0, ...])[None, ...]
    return xp.stack([xp.matmul(a[g, ...], b[g, ...]) for g in range(a.shape[0])])


#: columns are built for a slice of the batch at a time, at most this many elements (32 MB
#: in float32): the scratch buffer stays small and the GEMMs stay large enough to run at speed
CHUNK_ELEMENTS = 1 << 23


def _batch_chunks(n, per_image):
    step = max(1, min(n, CHUNK_ELEMENTS // max(per_image, 1)))
    return [(i, min(i + step, n)) for i in range(0, n, step)]


class Conv2d(Function):
    op_name = "conv2d"

    #: use the transposed-convolution route for dL/dx where it applies (tests compare both)
    transposed_backward = True

    def __init__(self, stride, padding, dilation, groups):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    def _cols(self, xpad, kernel, out_hw):
        """Columns of a (C, n, Hp, Wp) padded slice, as (G, C/G*kh*kw, n*Ho*Wo), in the scratch buffer."""
        c, n = xpad.shape[:2]
        kh, kw = kernel
        buf = _scratch((c, kh * kw, n) + tuple(out_hw), xpad)
        cols = im2col(xpad, kernel, self.stride, self.dilation, out_hw, out=buf)
        g = self.groups
        return backend.namespace(xpad).reshape(cols, (g, c // g * kh * kw, n * out_hw[0] * out_hw[1]))

    def forward(self, x, w, b=None):
        xp = backend.namespace(x)
        n, c, h, wd = x.shape
        cout, cg, kh, kw = w.shape
        g = self.groups
        (ph, pw), (sh, sw), (dh, dw) = self.padding, self.stride, self.dilation
        ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        xpad = pad_cn(x, ph, pw)                                    # (C, N, Hp, Wp)
        w2 = xp.reshape(w, (g, cout // g, cg * kh * kw))
        chunks = _batch_chunks(n, c * kh * kw * ho * wo)
        if len(chunks) == 1:          # the GEMM writes the output directly
            y = xp.reshape(_group_matmul(w2, self._cols(xpad, (kh, kw), (ho, wo))), (cout, n, ho, wo))
        else:
            y = xp.empty((cout, n, ho, wo), dtype=x.dtype, device=backend.device_of(x))
            for n0, n1 in chunks:
                cols = self._cols(xpad[:, n0:n1, ...], (kh, kw), (ho, wo))
                y[:, n0:n1, ...] = xp.reshape(_group_matmul(w2, cols), (cout, n1 - n0, ho, wo))
        if b is not None:
            y = y + xp.reshape(b, (cout, 1, 1, 1))
        self.saved = (x, w)
        self.out_hw = (ho, wo)
        return xp.permute_dims(y, (1, 0, 2, 3))      # a view: memory stays channels-first

    def backward(self, gy):
        xp = backend.namespace(gy)
        x, w = self.saved
        n, c, h, wd = x.shape
        cout, cg, kh, kw = w.shape
        ho, wo = self.out_hw
        (ph, pw), g = self.padding, self.groups
        gt = xp.permute_dims(gy, (1, 0, 2, 3))                      # (Cout, N, Ho, Wo)
        chunks = _batch_chunks(n, max(c, cout) * kh * kw * max(ho * wo, h * wd))
        gx = gw = gb = None
        if self.needs_input_grad[1]:
            xpad = pad_cn(x, ph, pw)
            for n0, n1 in chunks:
                cols = self._cols(xpad[:, n0:n1, ...], (kh, kw), (ho, wo))
                g2 = xp.reshape(gt[:, n0:n1, ...], (g, cout // g, (n1 - n0) * ho * wo))
                part = _group_matmul(g2, xp.matrix_transpose(cols))
                gw = part if gw is None else gw + part
            gw = xp.reshape(gw, w.shape)
            del xpad, cols
        if self.needs_input_grad[0]:
            gx = self._grad_input(gt, w, x.shape, chunks)
        if len(self.needs_input_grad) > 2 and self.needs_input_grad[2]:
            gb = xp.sum(gt, axis=(1, 2, 3))
        return (gx, gw) if len(self.needs_input_grad) == 2 else (gx, gw, gb)

    def _grad_input(self, gt, w, x_shape, chunks):
        xp = backend.namespace(gt)
        n, c, h, wd = x_shape
        cout, cg, kh, kw = w.shape
        ho, wo = self.out_hw
        (ph, pw), g = self.padding, self.groups
        gxt = xp.empty((c, n, h, wd), dtype=gt.dtype, device=backend.device_of(gt))
        if (self.transposed_backward and self.stride == (1, 1) and self.dilation == (1, 1) and g == 1
                and ph <= kh - 1 and pw <= kw - 1):
            # dL/dx = conv(G padded by k-1-p, W flipped in space, in/out channels swapped)
            gpad = pad_cn(xp.permute_dims(gt, (1, 0, 2, 3)), kh - 1 - ph, kw - 1 - pw)
            wt = xp.reshape(xp.permute_dims(xp.flip(w, axis=(2, 3)), (1, 0, 2, 3)), (1, c, cout * kh * kw))
            for n0, n1 in chunks:
                cols = self._cols(gpad[:, n0:n1, ...], (kh, kw), (h, wd))
                gxt[:, n0:n1, ...] = xp.reshape(_group_matmul(wt, cols), (c, n1 - n0, h, wd))
            return xp.permute_dims(gxt, (1, 0, 2, 3))
        w2t = xp.asarray(xp.matrix_transpose(xp.reshape(w, (g, cout // g, cg * kh * kw))), copy=True)
        for n0, n1 in chunks:
            g2 = xp.reshape(gt[:, n0:n1, ...], (g, cout // g, (n1 - n0) * ho * wo))
            gcols = xp.reshape(_group_matmul(w2t, g2), (c, kh * kw, n1 - n0, ho, wo))
            part = col2im(gcols, (c, n1 - n0, h + 2 * ph, wd + 2 * pw), (kh, kw), self.stride, self.dilation)
            gxt[:, n0:n1, ...] = part[:, :, ph:ph + h, pw:pw + wd]
        return xp.permute_dims(gxt, (1, 0, 2, 3))


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
