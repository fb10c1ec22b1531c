"""Exercise 12 - a BasicBlock, assembled from your own ops, forward and backward.

    F = bn2(conv2(relu(bn1(conv1(x)))))     3x3 convs, padding 1, no bias; conv1 has the stride
    s = x (same shape) or option A (stride 2 / more channels)
    y = relu(F + s)
The backward runs the forward's steps in reverse, each op's backward handing its input
gradient to the op before. At the add the gradient splits: one copy into the branch, one
down the shortcut, and the two meet again at x, where they ADD.
"""
import numpy as np
from ex03_relu import relu_backward, relu_forward
from ex07_conv2d import conv2d_backward, conv2d_forward
from ex09_batch_norm import batch_norm_backward, batch_norm_forward
from ex10_residual import residual_add_backward, residual_add_forward, shortcut_a_backward, shortcut_a_forward


def basic_block_forward(x, params, stride, eps=1e-5):
    """The block's forward in training mode. Return (y, cache).

    params: dict of arrays w1 (Cout, C, 3, 3), g1, b1 (Cout,), w2 (Cout, Cout, 3, 3), g2, b2.
    The shortcut is x itself when stride == 1 and C == Cout, else option A.
    Shapes: x (N, C, H, W) -> y (N, Cout, Ho, Wo).
    Hint: keep every op's cache (a tuple of them) for the backward. The convs have no
    bias: pass np.zeros(Cout).
    """
    cout = params["w1"].shape[0]
    zero = np.zeros(cout, dtype=x.dtype)
    h, c1 = conv2d_forward(x, params["w1"], zero, stride, 1)
    h, c2 = batch_norm_forward(h, params["g1"], params["b1"], eps)
    h, c3 = relu_forward(h)
    h, c4 = conv2d_forward(h, params["w2"], zero, 1, 1)
    f, c5 = batch_norm_forward(h, params["g2"], params["b2"], eps)
    if stride == 1 and x.shape[1] == cout:
        s, c6 = x, None
    else:
        s, c6 = shortcut_a_forward(x, cout, stride)
    y, c7 = relu_forward(residual_add_forward(f, s))
    return y, (c1, c2, c3, c4, c5, c6, c7)


def basic_block_backward(gy, cache):
    """Return (dL/dx, grads), grads a dict with the keys and shapes of params.

    Maths: the ReLU after the add gates gy first; then dL/dF = dL/ds = that gradient; the
    branch goes back through bn2, conv2, relu, bn1, conv1; finally
    dL/dx = (branch's dL/dx) + (shortcut's dL/dx): the "+1" of the identity path.
    """
    c1, c2, c3, c4, c5, c6, c7 = cache
    g = relu_backward(gy, c7)
    gf, gs = residual_add_backward(g)
    gh, gg2, gb2 = batch_norm_backward(gf, c5)
    gh, gw2, _ = conv2d_backward(gh, c4)
    gh = relu_backward(gh, c3)
    gh, gg1, gb1 = batch_norm_backward(gh, c2)
    gx, gw1, _ = conv2d_backward(gh, c1)
    gx = gx + (gs if c6 is None else shortcut_a_backward(gs, c6))
    return gx, {"w1": gw1, "g1": gg1, "b1": gb1, "w2": gw2, "g2": gg2, "b2": gb2}
