"""The residual connection of He et al. (2015): y = F(x) + x.

The identity path in the backward pass
--------------------------------------
A residual add outputs y = F(x) + shortcut(x). By the chain rule,

    dL/dx = dL/dy * dF/dx  +  dL/dy * dshortcut/dx
          = dL/dy * (dF/dx + 1)          for the identity shortcut.

The "+1" term is the identity path: the upstream gradient dL/dy reaches x
*unchanged*, however small dF/dx becomes in a deep stack. A plain network has only
the first term, a product of per-layer Jacobians that can shrink or grow
geometrically with depth. This argument is He et al. 2016 ("Identity Mappings in Deep
Residual Networks"), for blocks with nothing after the add. The 2015 paper argues
instead that its batch-normalised plain nets' gradients stay healthy, so degradation
is unlikely to be caused by vanishing gradients; lessons 05 and 06 show both.

This file makes that path explicit: :func:`residual_add` is its own op, and its
backward hands the upstream gradient, untouched, to both the branch F and the
shortcut. Observers (see ``tinyres.inspect``) can listen to every residual add to
record how much gradient arrives by each path; they only read, never change.
"""
from __future__ import annotations

import array_api_extra as xpx

from .. import backend
from ..function import Function, OpError
from ._checks import rank

__all__ = ["residual_add", "shortcut_a", "add_residual_observer", "remove_residual_observer", "gradient_tap"]

_observers = []


def add_residual_observer(observer):
    """Call ``observer(fn, gy)`` in every residual add's backward (fn.tag names the block)."""
    _observers.append(observer)


def remove_residual_observer(observer):
    if observer in _observers:
        _observers.remove(observer)


class ResidualAdd(Function):
    """y = F + s, where F is the residual branch and s the shortcut.

    Backward: dL/dF = dL/dy (to the branch) and dL/ds = dL/dy (the identity path).
    Both are the SAME upstream gradient; the engine never mutates it, and gives each
    leaf its own copy.
    """
    op_name = "residual_add"

    def __init__(self, tag=None):
        self.tag = tag

    def forward(self, branch, shortcut):
        return branch + shortcut

    def backward(self, gy):
        for observer in list(_observers):
            observer(self, gy)
        return gy, gy   # (to the branch F, to the shortcut: unchanged, the "+1")


def residual_add(branch, shortcut, tag=None):
    """y = branch + shortcut, shapes equal (no broadcasting: a mismatch is a wiring bug)."""
    if branch.shape != shortcut.shape:
        raise OpError(f"residual_add: branch shape {branch.shape} != shortcut shape {shortcut.shape}; "
                      f"a block that changes shape needs a projection or option-A shortcut")
    return ResidualAdd(tag)(branch, shortcut)


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
    if out_channels < x.shape[1]:
        raise OpError(f"{op}: out_channels ({out_channels}) must be >= input channels ({x.shape[1]})")
    if not isinstance(stride, int) or stride < 1:
        raise OpError(f"{op}: stride must be a positive int, got {stride!r}")
    return ShortcutA(out_channels, stride)(x)


class GradientTap(Function):
    """y = x, exactly (the output is the input array). Backward hands ``gy`` to a callback
    and returns it unchanged, so the gradient on one path can be recorded without
    changing any number. Used by tracing to tell the identity path from the branch."""
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
