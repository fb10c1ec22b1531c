"""Exercise 7 - conv2d forward and backward, through your im2col and col2im."""
from ex06_im2col import col2im, im2col


def conv2d_forward(x, w, b, stride, padding):
    """y[n, o, oy, ox] = b[o] + sum_{c,i,j} w[o, c, i, j] * xpad[n, c, oy*stride + i, ox*stride + j].

    Return (y, cache). As a matrix product: Y = W2 @ cols + b, with W2 = w reshaped to
    (Cout, C*kh*kw) and cols = im2col(x, ...); Y's columns are (n, oy, ox).
    Shapes: x (N, C, H, W), w (Cout, C, kh, kw), b (Cout,), y (N, Cout, Ho, Wo).
    Hint: Y has shape (Cout, N*Ho*Wo): reshape to (Cout, N, Ho, Wo), then transpose(1, 0, 2, 3).
    """
    n = x.shape[0]
    cout, c, kh, kw = w.shape
    ho = (x.shape[2] + 2 * padding - kh) // stride + 1
    wo = (x.shape[3] + 2 * padding - kw) // stride + 1
    cols = im2col(x, kh, kw, stride, padding)
    y = w.reshape(cout, -1) @ cols + b.reshape(-1, 1)
    y = y.reshape(cout, n, ho, wo).transpose(1, 0, 2, 3)
    return y, (x.shape, w, cols, stride, padding)


def conv2d_backward(gy, cache):
    """Return (dL/dx, dL/dw, dL/db).

    Maths: with G = gy laid out as (Cout, N*Ho*Wo), the same layout as Y,
        dL/dW2 = G @ cols^T      (each weight met every column)
        dL/dcols = W2^T @ G,  dL/dx = col2im(dL/dcols)
        dL/db = G summed over the batch and all positions.
    Shapes: the gradients have the shapes of x, w (Cout, C, kh, kw) and b (Cout,).
    Hint: G = gy.transpose(1, 0, 2, 3).reshape(Cout, -1). dL/dW2 has shape (Cout, C*kh*kw),
    NOT (C*kh*kw, Cout): both reshape to w.shape, only one is right.
    """
    x_shape, w, cols, stride, padding = cache
    cout, c, kh, kw = w.shape
    g2 = gy.transpose(1, 0, 2, 3).reshape(cout, -1)
    gw = (g2 @ cols.T).reshape(w.shape)
    gx = col2im(w.reshape(cout, -1).T @ g2, x_shape, kh, kw, stride, padding)
    gb = gy.sum(axis=(0, 2, 3))
    return gx, gw, gb
