"""Exercise 10 - the residual add and the option-A shortcut (He et al. 2015).

A residual block outputs y = F(x) + s(x): F is the branch (conv, BN, ReLU, conv, BN), s the
shortcut, the identity where shapes match. Backward through the add:
    dL/dx = dL/dy * (dF/dx + ds/dx) = dL/dy * (dF/dx + 1)   for the identity shortcut.
The "+1" is the identity path: dL/dy reaches x unchanged, however small dF/dx gets
(the argument of He et al. 2016, "Identity mappings in deep residual networks").
Where a block halves the map and doubles the channels, option A (§4.2 of the 2015 paper)
keeps the shortcut parameter-free: take every stride-th pixel and add zero channels.
"""
import numpy as np


def residual_add_forward(F, s):
    """y = F + s (same shapes). Return y."""
    return F + s


def residual_add_backward(gy):
    """Return (dL/dF, dL/ds): the upstream gradient goes, unchanged, to BOTH the branch and
    the shortcut (the identity path is the second one)."""
    return gy, gy


def shortcut_a_forward(x, out_channels, stride):
    """s = x[:, :, ::stride, ::stride] with (out_channels - C) zero channels added, extra // 2
    of them before the copied channels and the rest after (as the library). Return (s, cache).

    Shapes: x (N, C, H, W) -> s (N, out_channels, ceil(H/stride), ceil(W/stride)).
    Hint: np.pad with ((0, 0), (front, extra - front), (0, 0), (0, 0)).
    """
    extra = out_channels - x.shape[1]
    front = extra // 2
    s = np.pad(x[:, :, ::stride, ::stride], ((0, 0), (front, extra - front), (0, 0), (0, 0)))
    return s, (x.shape, front, stride)


def shortcut_a_backward(gs, cache):
    """dL/dx: the gradient of the copied channels goes back to the pixels they were copied
    from; the other pixels and the zero channels get nothing.

    Shapes: gs (N, out_channels, Ho, Wo) -> (N, C, H, W).
    """
    x_shape, front, stride = cache
    gx = np.zeros(x_shape, dtype=gs.dtype)
    gx[:, :, ::stride, ::stride] = gs[:, front:front + x_shape[1]]
    return gx
