"""Fully connected layer."""
from __future__ import annotations

from .. import backend
from ..function import Function, OpError
from ._checks import floating, matching, rank, tensor

__all__ = ["linear"]


class Linear(Function):
    """y = x W^T + b with x (N, in), W (out, in).

    dL/dx = G W,  dL/dW = G^T x,  dL/db = sum of G over the batch.
    """
    op_name = "linear"

    def forward(self, x, w, b=None):
        xp = backend.namespace(x)
        self.saved = (x, w)
        y = xp.matmul(x, xp.matrix_transpose(w))
        return y if b is None else y + b

    def backward(self, gy):
        xp = backend.namespace(gy)
        x, w = self.saved
        gx = xp.matmul(gy, w) if self.needs_input_grad[0] else None
        gw = xp.matmul(xp.matrix_transpose(gy), x) if self.needs_input_grad[1] else None
        if len(self.needs_input_grad) == 2:
            return gx, gw
        gb = xp.sum(gy, axis=0) if self.needs_input_grad[2] else None
        return gx, gw, gb


def linear(x, weight, bias=None):
    op = "linear"
    tensor(bias, op, "bias", optional=True)
    rank(x, 2, op, "input", "N, in_features")
    rank(weight, 2, op, "weight", "out_features, in_features")
    floating(x, op)
    matching(op, input=x, weight=weight, bias=bias)
    if x.shape[1] != weight.shape[1]:
        raise OpError(f"{op}: input has {x.shape[1]} features, weight of shape {weight.shape} expects {weight.shape[1]}")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise OpError(f"{op}: bias must have shape ({weight.shape[0]},), got {bias.shape}")
    fn = Linear()
    return fn(x, weight) if bias is None else fn(x, weight, bias)
