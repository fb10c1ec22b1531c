"""Cross-entropy with a fused, numerically stable log-softmax."""
from __future__ import annotations

from .. import backend
from ..function import Function, OpError
from ..tensor import Tensor
from ._checks import floating, rank

__all__ = ["cross_entropy", "log_softmax"]


def _log_softmax(z):
    # Subtracting the row max keeps exp() <= 1: stable for logits of 1e4 and beyond.
    xp = backend.namespace(z)
    shifted = z - xp.max(z, axis=1, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))


class CrossEntropy(Function):
    """L = -log softmax(z)[target], averaged (or summed) over the batch.

    dL/dz = softmax(z) - onehot(target)   (per sample, divided by N for the mean).
    """
    op_name = "cross_entropy"

    def __init__(self, target, reduction):
        self.target, self.reduction = target, reduction

    def forward(self, z):
        xp = backend.namespace(z)
        logp = _log_softmax(z)
        classes = xp.arange(z.shape[1], device=backend.device_of(z))
        onehot = xp.astype(classes == xp.reshape(self.target, (-1, 1)), z.dtype)
        self.saved = (logp, onehot)
        losses = -xp.sum(logp * onehot, axis=1)
        if self.reduction == "none":
            return losses
        total = xp.sum(losses)
        return total / z.shape[0] if self.reduction == "mean" else total

    def backward(self, gy):
        xp = backend.namespace(gy)
        logp, onehot = self.saved
        g = xp.exp(logp) - onehot
        if self.reduction == "none":
            return g * xp.reshape(gy, (-1, 1))
        if self.reduction == "mean":
            g = g / logp.shape[0]
        return g * gy


class LogSoftmax(Function):
    """y = z - logsumexp(z) over classes.  dL/dz = gy - softmax(z) * sum(gy)."""
    op_name = "log_softmax"

    def forward(self, z):
        y = _log_softmax(z)
        self.saved = y
        return y

    def backward(self, gy):
        xp = backend.namespace(gy)
        return gy - xp.exp(self.saved) * xp.sum(gy, axis=1, keepdims=True)


def log_softmax(z):
    rank(z, 2, "log_softmax", "input", "N, classes")
    floating(z, "log_softmax")
    return LogSoftmax()(z)


def cross_entropy(logits, target, reduction="mean"):
    """Cross-entropy of logits (N, K) against integer class labels target (N,)."""
    op = "cross_entropy"
    rank(logits, 2, op, "logits", "N, classes")
    floating(logits, op, "logits")
    t = target.data if isinstance(target, Tensor) else backend.asarray(target, device=logits.device)
    xp = backend.namespace(t)
    if not xp.isdtype(t.dtype, "integral"):
        raise OpError(f"{op}: target must hold integer class labels, got dtype {t.dtype}")
    if t.ndim != 1 or t.shape[0] != logits.shape[0]:
        raise OpError(f"{op}: target must have shape ({logits.shape[0]},), got {tuple(t.shape)}")
    if backend.device_name(t) != logits.device:
        raise OpError(f"{op}: target is on {backend.device_name(t)}, logits on {logits.device}")
    if t.shape[0] and (int(xp.min(t)) < 0 or int(xp.max(t)) >= logits.shape[1]):
        raise OpError(f"{op}: target labels must lie in [0, {logits.shape[1]}), got values from "
                      f"{int(xp.min(t))} to {int(xp.max(t))}")
    if reduction not in ("mean", "sum", "none"):
        raise OpError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return CrossEntropy(t, reduction)(logits)
