"""Input validation shared by the ops: every error names the op, what it expected and what it got.

Policy for arguments (as PyTorch's functional ops): array arguments must be Tensors. Lists,
NumPy/CuPy arrays and None (where an argument is required) are refused with an OpError naming
the op and the argument, instead of being converted silently; the one exception is a Python
number in arithmetic (``x + 1``, ``2 * x``), which becomes a 0-d tensor of the other
operand's dtype and device. :func:`tensor` is the single place that applies the rule.
"""
from __future__ import annotations

from numbers import Integral, Real

from .. import backend
from ..function import OpError, check_same_device
from ..tensor import Tensor


def _kind(v):
    return "None" if v is None else type(v).__name__


def tensor(t, op, what="input", optional=False):
    """Refuse anything but a Tensor (or None when ``optional``)."""
    if isinstance(t, Tensor) or (optional and t is None):
        return t
    hint = "; wrap data with tinyres.tensor(...)" if t is not None else ""
    raise OpError(f"{op}: {what} must be a Tensor, got {_kind(t)}{hint}")


def tensors(op, **named):
    """:func:`tensor` for each keyword (name = the argument's name in the error)."""
    for what, t in named.items():
        tensor(t, op, what)


def number(v, op, what):
    """A real Python/NumPy scalar (not bool, not an array) for arithmetic with a tensor."""
    if isinstance(v, Real) and not isinstance(v, bool):
        return int(v) if isinstance(v, Integral) else float(v)   # NumPy scalars become Python ones
    raise OpError(f"{op}: {what} must be a Tensor or a Python number, got {_kind(v)}"
                  + ("; wrap data with tinyres.tensor(...)" if v is not None else ""))


def positive_int(v, op, what):
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise OpError(f"{op}: {what} must be a positive int, got {v!r}")
    return v


def axis(a, ndim, op, what="axis"):
    """One axis in [-ndim, ndim), returned as a non-negative index (never wrapped modulo ndim)."""
    if isinstance(a, bool) or not isinstance(a, Integral):
        raise OpError(f"{op}: {what} must be an int, got {a!r}")
    a = int(a)
    if not -ndim <= a < ndim:
        raise OpError(f"{op}: {what} {a} is out of range for a tensor of rank {ndim} "
                      f"(valid: {-ndim} to {ndim - 1})")
    return a % ndim


def axes(a, ndim, op, what="axis"):
    """None (all axes), an int or a sequence of distinct ints -> sorted tuple of axes."""
    if a is None:
        return tuple(range(ndim))
    seq = tuple(a) if isinstance(a, (tuple, list)) else (a,)
    out = tuple(axis(i, ndim, op, what) for i in seq)
    if len(set(out)) != len(out):
        raise OpError(f"{op}: {what} {a} names an axis more than once")
    return tuple(sorted(out))


def pair(v, what, op):
    if isinstance(v, int) and not isinstance(v, bool):
        return (v, v)
    if isinstance(v, (tuple, list)) and len(v) == 2 and all(isinstance(i, int) and not isinstance(i, bool)
                                                            for i in v):
        return tuple(v)
    raise OpError(f"{op}: {what} must be an int or a pair of ints, got {v!r}")


def rank(t, n, op, what="input", layout=None):
    tensor(t, op, what)
    if t.ndim != n:
        hint = f" ({layout})" if layout else ""
        raise OpError(f"{op}: {what} must have {n} dimensions{hint}, got shape {t.shape}")


def floating(t, op, what="input"):
    tensor(t, op, what)
    if not backend.is_floating(t.data):
        raise OpError(f"{op}: {what} must be a floating-point tensor, got dtype {backend.dtype_name(t.dtype)}; "
                      f"convert it first, e.g. x.to(dtype='float32')")


def spatial(t, op, what="input"):
    """A (N, C, H, W) input whose windows see at least one element: H and W >= 1."""
    if t.shape[2] == 0 or t.shape[3] == 0:
        raise OpError(f"{op}: {what} has an empty spatial size {t.shape[2:]} (shape {t.shape}); "
                      f"height and width must be >= 1")


def matching(op, **tensors):
    """All given tensors on one device and of one dtype (None = an absent optional argument)."""
    named = {k: v for k, v in tensors.items() if v is not None}
    for k, v in named.items():
        tensor(v, op, k)
    check_same_device(op, named.values())
    dtypes = {v.dtype for v in named.values()}      # dtype objects: their names are slow to look up
    if len(dtypes) > 1:
        listing = ", ".join(f"{k}={backend.dtype_name(v.dtype)}" for k, v in named.items())
        raise OpError(f"{op}: all inputs must have one dtype, got {listing}")


def out_size(n, k, s, p, d, op, axis):
    """Output length of a sliding window; raises if the (dilated) kernel does not fit."""
    span = d * (k - 1) + 1
    if n + 2 * p < span:
        raise OpError(f"{op}: kernel of extent {span} along {axis} is larger than the padded input "
                      f"({n} + 2*{p} = {n + 2 * p})")
    return (n + 2 * p - span) // s + 1
