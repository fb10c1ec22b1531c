"""Which arrays may take an op's NumPy/CuPy-only fast route (``out=`` arguments, in-place updates
of the op's own temporaries, memory-layout checks).

An op with a fast route keeps its portable route (the array API standard only) beside it, for
every other backend; tests hold the two equal. ``FAST_ROUTES = False`` forces the portable route
everywhere (the tests use it to compare).
"""
from __future__ import annotations

import array_api_compat

__all__ = ["FAST_ROUTES", "fast", "fast_numpy", "channels_first", "channels_last"]

FAST_ROUTES = True


def fast(xp) -> bool:
    """True when namespace ``xp`` is NumPy or CuPy (both take ``out=`` and expose ``flags``)."""
    return FAST_ROUTES and (array_api_compat.is_numpy_namespace(xp) or array_api_compat.is_cupy_namespace(xp))


def fast_numpy(xp) -> bool:
    """True when namespace ``xp`` is NumPy and fast routes are on: the channels-last routes, which
    use NumPy-only calls (``take`` with ``mode``, ``tile``), are taken for nothing else."""
    return FAST_ROUTES and array_api_compat.is_numpy_namespace(xp)


def channels_first(x):
    """The (C, M) view of an (N, C, ...) array whose memory is laid out channel by channel (as
    conv2d's output and everything computed elementwise from it), or None for another layout."""
    if x.ndim < 3:
        return None
    xt = x.transpose((1, 0) + tuple(range(2, x.ndim)))
    return xt.reshape(x.shape[1], -1) if xt.flags.c_contiguous else None


def channels_last(x):
    """The (M, C) view of an (N, C, ...) array whose memory is laid out pixel by pixel, the channels
    of each pixel side by side (as conv2d's channels-last route writes it), or None otherwise."""
    if x.ndim < 3:
        return None
    xt = x.transpose((0,) + tuple(range(2, x.ndim)) + (1,))
    return xt.reshape(-1, x.shape[1]) if xt.flags.c_contiguous else None
