"""Input validation shared by the ops: every error names the op, what it expected and what it got."""
from __future__ import annotations

from .. import backend
from ..function import OpError, check_same_device


def pair(v, what, op):
    if isinstance(v, int):
        return (v, v)
    if isinstance(v, (tuple, list)) and len(v) == 2 and all(isinstance(i, int) for i in v):
        return tuple(v)
    raise OpError(f"{op}: {what} must be an int or a pair of ints, got {v!r}")


def rank(t, n, op, what="input", layout=None):
    if t.ndim != n:
        hint = f" ({layout})" if layout else ""
        raise OpError(f"{op}: {what} must have {n} dimensions{hint}, got shape {t.shape}")


def floating(t, op, what="input"):
    if not backend.is_floating(t.data):
        raise OpError(f"{op}: {what} must be a floating-point tensor, got dtype {t.dtype}; "
                      f"convert it first, e.g. x.to(dtype='float32')")


def matching(op, **tensors):
    """All given tensors on one device and of one dtype."""
    named = {k: v for k, v in tensors.items() if v is not None}
    check_same_device(op, named.values())
    dtypes = {str(v.dtype) for v in named.values()}
    if len(dtypes) > 1:
        listing = ", ".join(f"{k}={v.dtype}" for k, v in named.items())
        raise OpError(f"{op}: all inputs must have one dtype, got {listing}")


def out_size(n, k, s, p, d, op, axis):
    """Output length of a sliding window; raises if the (dilated) kernel does not fit."""
    span = d * (k - 1) + 1
    if n + 2 * p < span:
        raise OpError(f"{op}: kernel of extent {span} along {axis} is larger than the padded input "
                      f"({n} + 2*{p} = {n + 2 * p})")
    return (n + 2 * p - span) // s + 1
