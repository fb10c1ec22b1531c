"""ReLU and dropout."""
from __future__ import annotations

from .. import backend
from ..function import Function, OpError
from ._checks import floating, tensor

__all__ = ["relu", "dropout"]


class ReLU(Function):
    """y = max(x, 0).  dL/dx = gy where x > 0, else 0 (0 at x = 0, as torch)."""
    op_name = "relu"

    def forward(self, x):
        xp = backend.namespace(x)
        y = xp.maximum(x, xp.zeros((), dtype=x.dtype, device=backend.device_of(x)))
        self.saved = y
        return y

    def backward(self, gy):
        xp = backend.namespace(gy)
        # gy * 1[y > 0]: a multiply by the 0/1 mask is several times faster than where()
        return gy * xp.astype(self.saved > 0, gy.dtype)


def relu(x):
    tensor(x, "relu")
    return ReLU()(x)


class Dropout(Function):
    """y = x * m / (1 - p) with m ~ Bernoulli(1 - p) drawn on the host (see backend).

    dL/dx = gy * m / (1 - p): dropped units pass no gradient.
    """
    op_name = "dropout"

    def __init__(self, p):
        self.p = p

    def forward(self, x):
        keep = backend.host_random(x.shape, "uniform", dtype=backend.dtype_name(x.dtype), device=backend.device_name(x))
        xp = backend.namespace(x)
        self.saved = xp.astype(keep >= self.p, x.dtype) * (1.0 / (1.0 - self.p))
        return x * self.saved

    def backward(self, gy):
        return gy * self.saved


def dropout(x, p=0.5, training=True):
    """Zero each element with probability p during training, scaling the rest by 1/(1-p)."""
    floating(x, "dropout")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
        raise OpError(f"dropout: p must be a number in [0, 1), got {p!r}")
    if not training or p == 0:
        return x
    return Dropout(p)(x)
