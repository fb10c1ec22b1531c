"""Exercise 8 - max pooling forward and backward.

Only the maximum of each window reaches the output, so only it gets gradient. Ties (two
equal maxima, common after a ReLU full of zeros) need a rule: like the library, send the
gradient to the FIRST maximum in row-major window order (i, then j). Padding counts as
-inf: it is never the maximum, even when every real value in the window is negative.
"""
import numpy as np


def max_pool_forward(x, k, stride, padding):
    """y[n, c, oy, ox] = max over i, j < k of xpad[n, c, oy*stride + i, ox*stride + j].

    xpad is x padded with -inf. Return (y, cache).
    Shapes: x (N, C, H, W), y (N, C, Ho, Wo), Ho = (H + 2*padding - k) // stride + 1.
    Hint: stack the k*k strided slices xpad[:, :, i:i + stride*Ho:stride, j:...] (in the
    order i*k + j) on a new first axis; max over it gives y, argmax (which returns the
    first maximum) tells backward where each output came from.
    """
    n, c, h, w = x.shape
    ho = (h + 2 * padding - k) // stride + 1
    wo = (w + 2 * padding - k) // stride + 1
    pad = ((0, 0), (0, 0), (padding, padding), (padding, padding))
    xpad = np.pad(x, pad, constant_values=-np.inf)
    windows = np.stack([xpad[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride]
                        for i in range(k) for j in range(k)])
    arg = windows.argmax(axis=0)
    return windows.max(axis=0), (x, arg, k, stride, padding)


def max_pool_backward(gy, cache):
    """dL/dx: each gy[n, c, oy, ox] goes to the one input element that was its window's
    (first) maximum; an element that was the maximum of several windows sums their gradients.

    Shapes: gy (N, C, Ho, Wo) -> (N, C, H, W).
    Hint: a zero array the size of xpad; for each offset (i, j) add
    np.where(arg == i*k + j, gy, 0) to the strided slice of offset (i, j); crop the padding.
    """
    x, arg, k, stride, padding = cache
    n, c, h, w = x.shape
    ho, wo = gy.shape[2:]
    gxpad = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=gy.dtype)
    for i in range(k):
        for j in range(k):
            gxpad[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride] += np.where(arg == i * k + j, gy, 0.0)
    return gxpad[:, :, padding:padding + h, padding:padding + w]
