"""ReLU."""
from __future__ import annotations

from .. import backend
from ..function import Function

__all__ = ["relu"]


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
        return xp.where(self.saved > 0, gy, 0.0)


def relu(x):
    return ReLU()(x)
