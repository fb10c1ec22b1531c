"""Tensor's operators and array methods (x + y, x @ w, x.sum(), x.to(...)), attached to the class
once, as a registration step, when the ops package loads.

tensor.py holds the data structure and the backward engine and imports no op; the ops import
Tensor. Attaching the methods here keeps that dependency one-way (no import circle, no lazy
import inside every operator).
"""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from . import basic
from .activation import relu

__all__ = ["attach"]


def _shape_arg(args):
    return args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args


def _to(self, device=None, dtype=None):
    """This tensor on another device and/or dtype; gradients flow back through the move."""
    out = self
    if device is not None and backend.parse_device(device) != self.device:
        out = basic.to_device(out, device)
    if dtype is not None:
        out = basic.astype(out, dtype)
    return out


def attach(cls=Tensor):
    """Give ``cls`` its operators; idempotent."""
    methods = {
        "__add__": lambda self, other: basic.add(self, other),
        "__radd__": lambda self, other: basic.add(other, self),
        "__sub__": lambda self, other: basic.sub(self, other),
        "__rsub__": lambda self, other: basic.sub(other, self),
        "__mul__": lambda self, other: basic.mul(self, other),
        "__rmul__": lambda self, other: basic.mul(other, self),
        "__truediv__": lambda self, other: basic.div(self, other),
        "__rtruediv__": lambda self, other: basic.div(other, self),
        "__neg__": lambda self: basic.neg(self),
        "__pow__": lambda self, exponent: basic.pow(self, exponent),
        "__matmul__": lambda self, other: basic.matmul(self, other),
        "__getitem__": lambda self, index: basic.getitem(self, index),
        "reshape": lambda self, *shape: basic.reshape(self, _shape_arg(shape)),
        "flatten": lambda self, start_dim=1: basic.flatten(self, start_dim),
        "transpose": lambda self, *axes: basic.transpose(self, _shape_arg(axes) or None),
        "T": property(lambda self: basic.transpose(self, None)),
        "sum": lambda self, axis=None, keepdims=False: basic.sum(self, axis, keepdims),
        "mean": lambda self, axis=None, keepdims=False: basic.mean(self, axis, keepdims),
        "exp": lambda self: basic.exp(self),
        "log": lambda self: basic.log(self),
        "relu": lambda self: relu(self),
        "to": _to,
        "cpu": lambda self: _to(self, "cpu"),
    }
    for name, fn in methods.items():
        setattr(cls, name, fn)
