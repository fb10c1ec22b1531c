"""Cross-entropy with a fused, numerically stable log-softmax."""
from __future__ import annotations

from .. import backend
from ..function import Function, OpError
from ..tensor import Tensor
from ._checks import floating, rank, tensor

__all__ = ["cross_entropy", "log_softmax"]


def _log_softmax(z):
    # Subtracting the row max keeps exp() <= 1: stable for logits of 1e4 and beyond.
    xp = backend.namespace(z)
    shifted = z - xp.max(z, axis=1, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))


class CrossEntropy(Function):
    """L = -log softmax(z)[target], averaged (or summed) over the batch.

    The target's log-probability is picked by indexing, not as sum(logp * onehot): a
    one-hot product would turn a -inf logit of another class into 0 * -inf = NaN.
    So a -inf non-target logit costs nothing (L = 0 for z = [3, -inf], target 0, as
    PyTorch) and a -inf target logit gives L = +inf.

    dL/dz = softmax(z) - onehot(target)   (per sample, divided by N for the mean).
    """
    op_name = "cross_entropy"

    def __init__(self, target, reduction):
        self.target, self.reduction = target, reduction

    def forward(self, z):
        xp = backend.namespace(z)
        n, k = z.shape
        logp = _log_softmax(z)
        rows = xp.arange(n, dtype=xp.int64, device=backend.device_of(z))
        losses = -xp.take(xp.reshape(logp, (-1,)), rows * k + xp.astype(self.target, xp.int64))
        self.saved = logp
        if self.reduction == "none":
            return losses
        total = xp.sum(losses)
        return total / n if self.reduction == "mean" else total

    def backward(self, gy):
        xp = backend.namespace(gy)
        logp = self.saved
        classes = xp.arange(logp.shape[1], device=backend.device_of(logp))
        onehot = xp.astype(classes == xp.reshape(self.target, (-1, 1)), logp.dtype)
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
    """log softmax over axis 1 of (N, classes) logits."""
    rank(z, 2, "log_softmax", "input", "N, classes")
    floating(z, "log_softmax")
    return LogSoftmax()(z)


def cross_entropy(logits, target, reduction="mean"):
    """Cross-entropy of logits (N, K) against integer class labels target (N,).

    ``target`` may be a Tensor, a list or an array of labels: it carries no gradient."""
    op = "cross_entropy"
    rank(logits, 2, op, "logits", "N, classes")
    floating(logits, op, "logits")
    if isinstance(target, Tensor):
        t = target.data
    elif isinstance(target, (list, tuple)) or backend.is_array(target):
        # labels as a list or array are accepted (they carry no gradient), on the logits' device
        try:
            t = backend.asarray(target, device=logits.device)
        except TypeError as exc:
            raise OpError(f"{op}: target: {exc}") from None
    else:
        tensor(target, op, "target")
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
