"""Exercise 6 - im2col and col2im: a convolution as one matrix product.

im2col lays every kernel-sized window of the (zero-padded) input out as a column, so the
convolution becomes one matrix product. col2im is its adjoint, the backward of im2col:
it adds every column back where it came from. Windows overlap when stride < kernel, so an
input element receives the SUM of the gradients of all the windows that saw it.
"""
import numpy as np


def im2col(x, kh, kw, stride, padding):
    """cols[(c, i, j), (n, oy, ox)] = xpad[n, c, oy*stride + i, ox*stride + j].

    xpad is x with ``padding`` zeros on each side of H and W.
    Shapes: x (N, C, H, W) -> cols (C*kh*kw, N*Ho*Wo), rows ordered (c, i, j) and columns
    (n, oy, ox), both row-major; Ho = (H + 2*padding - kh) // stride + 1, Wo likewise.
    Hint: np.pad, then for each kernel offset (i, j) the strided slice
    xpad[:, :, i:i + stride*Ho:stride, j:j + stride*Wo:stride] holds that offset for every
    output position. Fill an array of shape (C, kh, kw, N, Ho, Wo), then reshape.
    """
    n, c, h, w = x.shape
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (w + 2 * padding - kw) // stride + 1
    xpad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    cols = np.empty((c, kh, kw, n, ho, wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, i, j] = xpad[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride].transpose(1, 0, 2, 3)
    return cols.reshape(c * kh * kw, n * ho * wo)


def col2im(cols, x_shape, kh, kw, stride, padding):
    """The adjoint of im2col: add every column entry back to the input element it was
    copied from; drop what lands in the padding.

    Maths: dL/dx[n, c, y, x] = sum of dL/dcols over every (window, offset) that copied it.
    Shapes: cols (C*kh*kw, N*Ho*Wo) -> (N, C, H, W) = x_shape.
    Hint: the same loop as im2col with the slice on the left of ``+=`` (overlapping windows
    add up; ``=`` would keep only the last one), then crop the padding.
    """
    n, c, h, w = x_shape
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (w + 2 * padding - kw) // stride + 1
    cols = cols.reshape(c, kh, kw, n, ho, wo)
    xpad = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            xpad[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride] += cols[:, i, j].transpose(1, 0, 2, 3)
    return xpad[:, :, padding:padding + h, padding:padding + w]
