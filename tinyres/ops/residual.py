"""The residual connection of He et al. (2015): y = F(x) + x.

The identity path in the backward pass
--------------------------------------
A residual add outputs y = F(x) + shortcut(x). By the chain rule,

    dL/dx = dL/dy * dF/dx  +  dL/dy * dshortcut/dx
          = dL/dy * (dF/dx + 1)          for the identity shortcut.

The "+1" term is the identity path: the upstream gradient dL/dy reaches x
*unchanged*, however small dF/dx becomes in a deep stack. A plain network has only
the first term, a product of per-layer Jacobians that can shrink or grow
geometrically with depth. This argument is He et al. 2016, "Identity Mappings in Deep
Residual Networks" (their eqs. 4-5), made exact for pre-activation blocks, where nothing
follows the add. The 2015 paper argues differently: it finds the degradation of deep
plain nets "unlikely to be caused by vanishing gradients", since with batch norm the
forward signals and backward gradients keep healthy norms, and conjectures that deep
plain nets are instead hard to optimise. Lessons 05 and 06 show both.

This file makes that path explicit: :func:`residual_add` is its own op, and its
backward hands the upstream gradient, untouched, to both the branch F and the
shortcut. Tracing (``tinyres.inspect.gradflow``) measures each path through the public
hooks of the block's ``fork`` and ``join`` modules; the op knows nothing of it.
"""
from __future__ import annotations

import array_api_extra as xpx

from .. import backend
from ..function import Function, OpError
from ._checks import positive_int, rank, tensors

__all__ = ["residual_add", "shortcut_a", "gradient_tap"]


class ResidualAdd(Function):
    """y = F + s, where F is the residual branch and s the shortcut.

    Backward: dL/dF = dL/dy (to the branch) and dL/ds = dL/dy (the identity path).
    Both are the SAME upstream gradient; the engine never mutates it, and gives each
    leaf its own copy.
    """
    op_name = "residual_add"

    def forward(self, branch, shortcut):
        return branch + shortcut

    def backward(self, gy):
        return gy, gy   # (to the branch F, to the shortcut: unchanged, the "+1")


def residual_add(branch, shortcut):
    """y = branch + shortcut, shapes equal (no broadcasting: a mismatch is a wiring bug)."""
    tensors("residual_add", branch=branch, shortcut=shortcut)
    if branch.shape != shortcut.shape:
        raise OpError(f"residual_add: branch shape {branch.shape} != shortcut shape {shortcut.shape}; "
                      f"a block that changes shape needs a projection or option-A shortcut")
    return ResidualAdd()(branch, shortcut)


class ShortcutA(Function):
    """The paper's option-A shortcut: s = x[:, :, ::stride, ::stride] with zero channels added.

    It has no parameters. Backward keeps the gradient of the copied channels and puts it
    back at the strided positions; the zero-padded channels carry no gradient.
    """
    op_name = "shortcut_a"

    def __init__(self, out_channels, stride):
        self.out_channels, self.stride = out_channels, stride

    def forward(self, x):
        s = self.stride
        sub = x[:, :, ::s, ::s]
        extra = self.out_channels - x.shape[1]
        self.front = extra // 2
        self.in_shape = x.shape
        return xpx.pad(sub, ((0, 0), (self.front, extra - self.front), (0, 0), (0, 0)))

    def backward(self, gy):
        xp = backend.namespace(gy)
        c = self.in_shape[1]
        gx = xp.zeros(self.in_shape, dtype=gy.dtype, device=backend.device_of(gy))
        gx[:, :, ::self.stride, ::self.stride] = gy[:, self.front:self.front + c, ...]
        return gx


def shortcut_a(x, out_channels, stride):
    """Option A (He et al. 2015, §4.2): subsample by ``stride``, zero-pad channels to out_channels."""
    op = "shortcut_a"
    rank(x, 4, op, "input", "N, C, H, W")
    if positive_int(out_channels, op, "out_channels") < x.shape[1]:
        raise OpError(f"{op}: out_channels ({out_channels}) must be >= input channels ({x.shape[1]})")
    if not isinstance(stride, int) or stride < 1:
        raise OpError(f"{op}: stride must be a positive int, got {stride!r}")
    return ShortcutA(out_channels, stride)(x)


class GradientTap(Function):
    """y = x, exactly (the output is the input array). Backward hands ``gy`` to a callback
    and returns it unchanged, so the gradient on one path can be recorded without
    changing any number. Tracing applies it to each path at a block's fork, to tell the
    identity path from the branch."""
    op_name = "gradient_tap"

    def __init__(self, callback):
        self.callback = callback

    def forward(self, x):
        return x

    def backward(self, gy):
        self.callback(gy)
        return gy


def gradient_tap(x, callback):
    return GradientTap(callback)(x)
