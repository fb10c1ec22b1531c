"""Exercise 4 - the fully connected layer, y = x W^T + b (PyTorch's layout of W)."""


def linear_forward(x, w, b):
    """y = x @ w.T + b. Return (y, cache).

    Shapes: x (N, in), w (out, in), b (out,), y (N, out).
    """
    y = x @ w.T + b
    return y, (x, w)


def linear_backward(gy, cache):
    """Return (dL/dx, dL/dw, dL/db) for G = gy of shape (N, out).

    Maths: dL/dx = G W,  dL/dW = G^T x,  dL/db = sum of G over the batch.
    Shapes: the gradients have the shapes of x (N, in), w (out, in), b (out,).
    Hint: write the shapes next to each product; a transposed dL/dW has shape (in, out).
    """
    x, w = cache
    return gy @ w, gy.T @ x, gy.sum(axis=0)
