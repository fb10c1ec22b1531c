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

:func:`conv2d_reference` is exactly these lines and nothing else; read it first.
:func:`conv2d` computes the same numbers faster (the tests hold the two equal):

- only the input is saved for backward (the very array the previous ReLU keeps, so no
  extra memory); the columns are rebuilt there, a slice of the batch at a time, in a
  reused buffer and straight from the unpadded input: no padded copy is ever made
  (see :mod:`tinyres.ops.im2col`);
- for stride 1 (most of a ResNet) dL/dx is computed another, equal way: the
  convolution of G, padded by k-1-p, with W flipped in space and in/out channels
  swapped ("transposed convolution"): one im2col of G and one GEMM, no overlapping adds;
- on NumPy the same products are taken pixel by pixel: rows (pixels, kh*kw*C) @ W_rows, the
  output laid out channels-last (:mod:`tinyres.ops.im2row`; ``LAYOUT`` below says why, and
  switches back; the tests run both).
"""
from __future__ import annotations

from .. import backend
from ..function import Function, OpError
from . import _fast, im2row
from ._checks import floating, matching, out_size, pair, rank, tensor
from .im2col import batch_chunks, col2im, column_buffer, group_matmul, im2col, im2col_unpadded, pad_cn

__all__ = ["conv2d", "conv2d_reference", "LAYOUT"]

#: the memory layout conv2d computes in on NumPy: "channels_last" (rows @ W_rows, see
#: tinyres.ops.im2row) or "channels_first" (W @ columns). Measured on one CPU (AMD Zen 5, one
#: thread; ``benchmarks/blas_layouts.py``, ``benchmarks/train_step.py``): with OpenBLAS's AVX-512
#: kernels channels-last ran a ResNet-20 step at batch 128 20-30% faster; with its AVX2 kernels the
#: two were within noise for that step (eval 4-6% slower channels-last), and a ResNet-56 step on
#: the 8x8 digits (what the lessons train) took 70 ms against 91 ms. Grouped convolutions and
#: CuPy always take channels-first; the tests run both.
LAYOUT = "channels_last"


def channels_last_route(xp, groups):
    """Whether conv2d takes the channels-last route for arrays of namespace ``xp`` (see LAYOUT)."""
    return LAYOUT == "channels_last" and groups == 1 and _fast.fast_numpy(xp)


class Conv2dReference(Function):
    """The convolution as three matrix products around im2col/col2im (no buffers, no chunks).

    Shapes, with g groups: cols (g, C/g*kh*kw, N*Ho*Wo), W (g, Cout/g, C/g*kh*kw) and
    G = dL/dy (g, Cout/g, N*Ho*Wo); each group is its own matrix product.
    """
    op_name = "conv2d_reference"

    def __init__(self, stride, padding, dilation, groups):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    def forward(self, x, w, b=None):
        xp = backend.namespace(x)
        (n, c, h, wd), (cout, cg, kh, kw), g = x.shape, w.shape, self.groups
        ho, wo = _out_hw(x.shape, w.shape, self.stride, self.padding, self.dilation)
        cols = im2col(pad_cn(x, *self.padding), (kh, kw), self.stride, self.dilation, (ho, wo))
        cols = xp.reshape(cols, (g, cg * kh * kw, n * ho * wo))
        w2 = xp.reshape(w, (g, cout // g, cg * kh * kw))
        y = xp.matmul(w2, cols)                                                  # y = W @ cols
        self.saved = (cols, w2, x.shape, w.shape)
        y = xp.permute_dims(xp.reshape(y, (cout, n, ho, wo)), (1, 0, 2, 3))
        return y if b is None else y + xp.reshape(b, (1, cout, 1, 1))

    def backward(self, gy):
        xp = backend.namespace(gy)
        cols, w2, (n, c, h, wd), w_shape = self.saved
        (cout, cg, kh, kw), (ph, pw), g = w_shape, self.padding, self.groups
        ho, wo = gy.shape[2:]
        g2 = xp.reshape(xp.permute_dims(gy, (1, 0, 2, 3)), (g, cout // g, n * ho * wo))
        gw = xp.reshape(xp.matmul(g2, xp.matrix_transpose(cols)), w_shape)     # dW = G @ cols^T
        gcols = xp.matmul(xp.matrix_transpose(w2), g2)                           # dcols = W^T @ G
        gx = col2im(xp.reshape(gcols, (c, kh * kw, n, ho, wo)), (c, n, h + 2 * ph, wd + 2 * pw),
                    (kh, kw), self.stride, self.dilation)                        # dx = col2im(dcols)
        gx = xp.permute_dims(gx[:, :, ph:ph + h, pw:pw + wd], (1, 0, 2, 3))
        if len(self.needs_input_grad) == 2:
            return gx, gw
        return gx, gw, xp.sum(gy, axis=(0, 2, 3))


def _out_hw(x_shape, w_shape, stride, padding, dilation):
    return tuple((n + 2 * p - d * (k - 1) - 1) // s + 1
                 for n, k, s, p, d in zip(x_shape[2:], w_shape[2:], stride, padding, dilation))


class Conv2d(Function):
    """:class:`Conv2dReference`'s maths, arranged for speed and memory (see the module docstring)."""
    op_name = "conv2d"

    #: use the transposed-convolution route for dL/dx where it applies (tests compare both)
    transposed_backward = True

    def __init__(self, stride, padding, dilation, groups):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    def _cols(self, xt, padding, kernel, out_hw):
        """Columns of a (C, n, H, W) slice zero-padded by ``padding``, as (G, C/G*kh*kw, n*Ho*Wo),
        in a reused column buffer (the padding is never built: see im2col_unpadded)."""
        c, n = xt.shape[:2]
        kh, kw = kernel
        buf = column_buffer(xt, padding, kernel, self.stride, self.dilation, out_hw, n)
        cols = im2col_unpadded(xt, padding, kernel, self.stride, self.dilation, out_hw, out=buf)
        g = self.groups
        return backend.namespace(xt).reshape(cols, (g, c // g * kh * kw, n * out_hw[0] * out_hw[1]))

    def forward(self, x, w, b=None):
        xp = backend.namespace(x)
        self.rows = channels_last_route(xp, self.groups)
        if self.rows:
            return self._forward_rows(x, w, b)
        n, c, h, wd = x.shape
        cout, cg, kh, kw = w.shape
        g = self.groups
        ph, pw = self.padding
        ho, wo = _out_hw(x.shape, w.shape, self.stride, self.padding, self.dilation)
        xt = xp.permute_dims(x, (1, 0, 2, 3))                       # (C, N, H, W), a view
        w2 = xp.reshape(w, (g, cout // g, cg * kh * kw))
        chunks = batch_chunks(n, c * kh * kw * ho * wo)
        if len(chunks) == 1:          # the GEMM writes the output directly
            y = xp.reshape(group_matmul(w2, self._cols(xt, (ph, pw), (kh, kw), (ho, wo))), (cout, n, ho, wo))
        else:
            y = xp.empty((cout, n, ho, wo), dtype=x.dtype, device=backend.device_of(x))
            y3 = xp.reshape(y, (g, cout // g, n * ho * wo))
            for n0, n1 in chunks:
                cols = self._cols(xt[:, n0:n1, ...], (ph, pw), (kh, kw), (ho, wo))
                group_matmul(w2, cols, out=y3[:, :, n0 * ho * wo:n1 * ho * wo])
        if b is not None:
            y = y + xp.reshape(b, (cout, 1, 1, 1))
        self.saved = (x, w)
        self.out_hw = (ho, wo)
        return xp.permute_dims(y, (1, 0, 2, 3))      # a view: memory stays channels-first

    def backward(self, gy):
        gx, gw = self._backward_rows(gy) if self.rows else self._backward_columns(gy)
        if len(self.needs_input_grad) == 2:
            return gx, gw
        return gx, gw, (backend.namespace(gy).sum(gy, axis=(0, 2, 3)) if self.needs_input_grad[2] else None)

    def _backward_columns(self, gy):
        """(dL/dx, dL/dW) of the channels-first route (dL/db, the same for both routes, is backward's)."""
        xp = backend.namespace(gy)
        x, w = self.saved
        n, c, h, wd = x.shape
        cout, cg, kh, kw = w.shape
        ho, wo = self.out_hw
        (ph, pw), g = self.padding, self.groups
        gt = xp.permute_dims(gy, (1, 0, 2, 3))                      # (Cout, N, Ho, Wo)
        chunks = batch_chunks(n, max(c, cout) * kh * kw * max(ho * wo, h * wd))
        gx = gw = None
        if self.needs_input_grad[1]:
            xt = xp.permute_dims(x, (1, 0, 2, 3))
            for n0, n1 in chunks:
                cols = self._cols(xt[:, n0:n1, ...], (ph, pw), (kh, kw), (ho, wo))
                g2 = xp.reshape(gt[:, n0:n1, ...], (g, cout // g, (n1 - n0) * ho * wo))
                part = group_matmul(g2, xp.matrix_transpose(cols))
                gw = part if gw is None else gw + part
            gw = xp.reshape(gw, w.shape)
            del cols
        if self.needs_input_grad[0]:
            gx = self._grad_input(gt, w, x.shape, chunks)
        return gx, gw

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
            wt = xp.reshape(xp.permute_dims(xp.flip(w, axis=(2, 3)), (1, 0, 2, 3)), (1, c, cout * kh * kw))
            gx3 = xp.reshape(gxt, (1, c, n * h * wd))
            for n0, n1 in chunks:
                cols = self._cols(gt[:, n0:n1, ...], (kh - 1 - ph, kw - 1 - pw), (kh, kw), (h, wd))
                group_matmul(wt, cols, out=gx3[:, :, n0 * h * wd:n1 * h * wd])
            return xp.permute_dims(gxt, (1, 0, 2, 3))
        w2t = xp.asarray(xp.matrix_transpose(xp.reshape(w, (g, cout // g, cg * kh * kw))), copy=True)
        for n0, n1 in chunks:
            g2 = xp.reshape(gt[:, n0:n1, ...], (g, cout // g, (n1 - n0) * ho * wo))
            gcols = xp.reshape(group_matmul(w2t, g2), (c, kh * kw, n1 - n0, ho, wo))
            part = col2im(gcols, (c, n1 - n0, h + 2 * ph, wd + 2 * pw), (kh, kw), self.stride, self.dilation)
            gxt[:, n0:n1, ...] = part[:, :, ph:ph + h, pw:pw + wd]
        return xp.permute_dims(gxt, (1, 0, 2, 3))


    # ------------------------------------------------ channels-last route (NumPy; see im2row)
    def _forward_rows(self, x, w, b):
        """y = rows @ W_rows, chunk by chunk of the batch, written pixel by pixel (N, Ho, Wo, Cout)."""
        np = backend.namespace(x)          # NumPy: this route is taken for nothing else
        n, c, h, wd = x.shape
        cout, _, kh, kw = w.shape
        index, (ho, wo) = im2row.gather_index((h, wd), (kh, kw), self.stride, self.dilation, self.padding)
        xh = x.transpose(0, 2, 3, 1)                                      # (N, H, W, C), a view
        wr = im2row.weight_rows(w)
        y = np.empty((n, ho, wo, cout), dtype=x.dtype)
        y3 = y.reshape(n, ho * wo, cout)
        for n0, n1 in batch_chunks(n, c * kh * kw * ho * wo):
            rows = im2row.im2row(xh[n0:n1], index, kh * kw, self.padding)
            np.matmul(rows, wr, out=y3[n0:n1].reshape(-1, cout))
        if b is not None:
            y += b
        self.saved = (x, w)
        self.out_hw = (ho, wo)
        return y.transpose(0, 3, 1, 2)           # a view: (N, C, H, W) outside, channels-last in memory

    def _backward_rows(self, gy):
        """(dL/dx, dL/dW): dL/dW_rows = rows^T @ G, dL/dx by the transposed convolution (stride 1) or
        by adding G @ W_rows^T back where each row came from; G is dL/dy as (pixels, Cout)."""
        np = backend.namespace(gy)
        x, w = self.saved
        n, c, h, wd = x.shape
        cout, _, kh, kw = w.shape
        ho, wo = self.out_hw
        g2 = np.ascontiguousarray(gy.transpose(0, 2, 3, 1)).reshape(n * ho * wo, cout)   # no copy if laid out so
        chunks = batch_chunks(n, max(c, cout) * kh * kw * max(ho * wo, h * wd))
        gx = gw = None
        if self.needs_input_grad[1]:
            index, _ = im2row.gather_index((h, wd), (kh, kw), self.stride, self.dilation, self.padding)
            xh = x.transpose(0, 2, 3, 1)
            gwr = np.zeros((kh * kw * c, cout), dtype=gy.dtype)
            for n0, n1 in chunks:
                rows = im2row.im2row(xh[n0:n1], index, kh * kw, self.padding)
                gwr += rows.T @ g2[n0 * ho * wo:n1 * ho * wo]
            gw = np.ascontiguousarray(gwr.reshape(kh, kw, c, cout).transpose(3, 2, 0, 1))
        if self.needs_input_grad[0]:
            gx = self._grad_input_rows(g2, w, x.shape, chunks)
        return gx, gw

    def _grad_input_rows(self, g2, w, x_shape, chunks):
        np = backend.namespace(g2)
        n, c, h, wd = x_shape
        cout, _, kh, kw = w.shape
        ho, wo = self.out_hw
        ph, pw = self.padding
        if (self.transposed_backward and self.stride == (1, 1) and self.dilation == (1, 1)
                and ph <= kh - 1 and pw <= kw - 1):
            q = (kh - 1 - ph, kw - 1 - pw)
            index, _ = im2row.gather_index((ho, wo), (kh, kw), (1, 1), (1, 1), q)
            gh = g2.reshape(n, ho, wo, cout)
            wf = im2row.weight_rows(w, flip=True)
            gx = np.empty((n, h, wd, c), dtype=g2.dtype)
            gx3 = gx.reshape(n, h * wd, c)
            for n0, n1 in chunks:
                rows = im2row.im2row(gh[n0:n1], index, kh * kw, q)
                np.matmul(rows, wf, out=gx3[n0:n1].reshape(-1, c))
            return gx.transpose(0, 3, 1, 2)
        wrt = im2row.weight_rows(w).T                                     # (Cout, kh*kw*C)
        gxp = np.zeros((n, h + 2 * ph, wd + 2 * pw, c), dtype=g2.dtype)
        for n0, n1 in chunks:
            grows = (g2[n0 * ho * wo:n1 * ho * wo] @ wrt).reshape(n1 - n0, ho, wo, kh * kw, c)
            im2row.row2im(grows, gxp[n0:n1], (kh, kw), self.stride, self.dilation, (ho, wo))
        return np.ascontiguousarray(gxp[:, ph:ph + h, pw:pw + wd, :]).transpose(0, 3, 1, 2)


def _conv_args(x, weight, bias, stride, padding, dilation, groups, op):
    rank(x, 4, op, "input", "N, C, H, W")
    rank(weight, 4, op, "weight", "C_out, C_in/groups, kh, kw")
    tensor(bias, op, "bias", optional=True)
    floating(x, op)
    floating(weight, op, "weight")
    matching(op, input=x, weight=weight, bias=bias)
    stride, padding, dilation = (pair(stride, "stride", op), pair(padding, "padding", op),
                                 pair(dilation, "dilation", op))
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        raise OpError(f"{op}: stride and dilation must be >= 1 and padding >= 0, "
                      f"got stride={stride}, dilation={dilation}, padding={padding}")
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
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
    return stride, padding, dilation, groups


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of x (N, C, H, W) with weight (Cout, C/groups, kh, kw), like torch's."""
    fn = Conv2d(*_conv_args(x, weight, bias, stride, padding, dilation, groups, "conv2d"))
    return fn(x, weight) if bias is None else fn(x, weight, bias)


def conv2d_reference(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """:func:`conv2d` computed the plain way (:class:`Conv2dReference`): same arguments, same numbers."""
    fn = Conv2dReference(*_conv_args(x, weight, bias, stride, padding, dilation, groups, "conv2d_reference"))
    return fn(x, weight) if bias is None else fn(x, weight, bias)
