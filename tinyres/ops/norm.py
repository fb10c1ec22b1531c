"""Batch normalisation (Ioffe & Szegedy 2015), channel axis 1, statistics over all others.

Forward (training), per channel over the m = N*H*W values:
    mu = mean(x),  var = mean((x - mu)^2)   (biased, used to normalise)
    xhat = (x - mu) / sqrt(var + eps),  y = gamma * xhat + beta
    running_mean <- (1 - momentum) * running_mean + momentum * mu
    running_var  <- (1 - momentum) * running_var  + momentum * var * m / (m - 1)   (unbiased)

Backward (training): mu and var depend on every x, so with g = dL/dxhat = gy * gamma
    dL/dx = (1 / sqrt(var + eps)) * (g - mean(g) - xhat * mean(g * xhat))
The two mean terms are the paths through mu and var. A check of sum(batch_norm(x))
(upstream gradient all ones, true dL/dx zero) sees only the first: dropping mean(g)
leaves inv_std * g != 0 and fails it, but dropping the var term removes
xhat * mean(xhat) = 0 and still passes. That blind spot is why gradient checks here
use a random upstream gradient (tests/test_robustness_ops.py shows both cases).

Eval: mu and var are the running statistics, constants, so dL/dx = g / sqrt(var + eps).
    dL/dgamma = sum(gy * xhat),  dL/dbeta = sum(gy)   in both modes.
"""
from __future__ import annotations

from .. import backend
from ..function import Function, OpError
from ..tensor import Tensor
from . import _fast
from ._checks import floating, matching, tensor

__all__ = ["batch_norm"]


class BatchNorm(Function):
    """The maths above, written plainly (:meth:`forward`, :meth:`backward`: read these). On NumPy
    and CuPy, for input laid out channel by channel in memory (every conv2d output is), the same
    numbers come from :meth:`_forward_fast` / :meth:`_backward_fast`: per-channel rows of a 2-D
    view, the sum of squares as a dot product (no squared temporary), one temporary x - mu
    turned into the output (or dL/dx) in place (``out=``), and x saved instead of xhat (backward
    recomputes x - mu). ``self.fast`` says which route ran; ``self.saved`` differs between them."""
    op_name = "batch_norm"

    def __init__(self, running_mean, running_var, training, momentum, eps, has_affine):
        self.running_mean, self.running_var = running_mean, running_var
        self.training, self.momentum, self.eps, self.has_affine = training, momentum, eps, has_affine

    def _bshape(self, x):
        return (1, x.shape[1]) + (1,) * (x.ndim - 2)

    def _update_running(self, mu, var, m):
        xp = backend.namespace(mu)
        mom, rm, rv = self.momentum, self.running_mean, self.running_var
        rm.data = (1 - mom) * rm.data + mom * xp.reshape(mu, (-1,))
        rv.data = (1 - mom) * rv.data + mom * xp.reshape(var, (-1,)) * (m / (m - 1))

    def forward(self, x, gamma=None, beta=None):
        xp = backend.namespace(x)
        self.fast = _fast.fast(xp) and _fast.channels_first(x) is not None
        if self.fast:
            return self._forward_fast(x, gamma, beta)
        self.rows = _fast.fast_numpy(xp) and _fast.channels_last(x) is not None
        if self.rows:
            return self._forward_rows(x, gamma, beta)
        axes = (0,) + tuple(range(2, x.ndim))
        shape = self._bshape(x)
        if self.training:
            m = x.size // x.shape[1]
            mu = xp.mean(x, axis=axes, keepdims=True)
            xc = x - mu
            var = xp.mean(xc * xc, axis=axes, keepdims=True)
            if self.running_mean is not None:
                self._update_running(mu, var, m)
        else:
            mu = xp.reshape(self.running_mean.data, shape)
            xc = x - mu
            var = xp.reshape(self.running_var.data, shape)
        inv_std = 1.0 / xp.sqrt(var + self.eps)
        xhat = xc * inv_std
        del xc
        self.saved = (xhat, inv_std, gamma)
        if gamma is None:
            return xhat
        return xhat * xp.reshape(gamma, shape) + xp.reshape(beta, shape)

    def backward(self, gy):
        if self.fast:
            return self._backward_fast(gy)
        if self.rows:
            return self._backward_rows(gy)
        xp = backend.namespace(gy)
        xhat, inv_std, gamma = self.saved
        axes = (0,) + tuple(range(2, gy.ndim))
        shape = self._bshape(gy)
        m = gy.size // gy.shape[1]
        # per-channel sums, each one pass over the data: sum(gy) and sum(gy * xhat)
        sum_gy = xp.sum(gy, axis=axes, keepdims=True)
        sum_gy_xhat = xp.sum(gy * xhat, axis=axes, keepdims=True)
        gx = None
        if self.needs_input_grad[0]:
            # g = gamma * gy;  dL/dx = inv_std * (g - mean(g) - xhat * mean(g * xhat)), written as
            # a * gy + b * xhat + c with per-channel a, b, c (two passes instead of six)
            a = inv_std if gamma is None else inv_std * xp.reshape(gamma, shape)
            if self.training:
                gx = gy * a + xhat * (-a * sum_gy_xhat / m) + (-a * sum_gy / m)
            else:
                gx = gy * a
        if not self.has_affine:
            return gx
        ggamma = xp.reshape(sum_gy_xhat, (-1,)) if self.needs_input_grad[1] else None
        gbeta = xp.reshape(sum_gy, (-1,)) if self.needs_input_grad[2] else None
        return gx, ggamma, gbeta

    def _forward_fast(self, x, gamma, beta):
        xp = backend.namespace(x)
        x2 = _fast.channels_first(x)                                  # (C, M), a view
        c, m = x2.shape
        if self.training:
            mu = xp.sum(x2, axis=1) / m
            y = x2 - mu[:, None]                                      # x - mu, made the output in place
            var = xp.vecdot(y, y) / m
            if self.running_mean is not None:
                self._update_running(mu, var, m)
        else:
            mu, var = self.running_mean.data, self.running_var.data
        inv_std = 1.0 / xp.sqrt(var + self.eps)
        a = inv_std if gamma is None else inv_std * gamma
        if self.training:
            xp.multiply(y, a[:, None], out=y)                         # gamma * xhat
            if gamma is not None:
                xp.add(y, beta[:, None], out=y)
        else:   # the portable route's arithmetic, in place: eval output equal bit for bit on every device
            y = x2 - mu[:, None]
            xp.multiply(y, inv_std[:, None], out=y)
            if gamma is not None:
                xp.multiply(y, gamma[:, None], out=y)
                xp.add(y, beta[:, None], out=y)
        # x, not xhat: the graph keeps x alive until backward anyway (it is this op's input),
        # so xhat would be one more activation-sized array per batch norm
        self.saved = (x2, mu, inv_std, gamma)
        return _as_input(y, x)

    def _backward_fast(self, gy):
        xp = backend.namespace(gy)
        x2, mu, inv_std, gamma = self.saved
        c = gy.shape[1]
        g2 = xp.reshape(xp.permute_dims(gy, (1, 0) + tuple(range(2, gy.ndim))), (c, -1))
        a = inv_std if gamma is None else inv_std * gamma
        m = g2.shape[1]
        sum_gy = xp.sum(g2, axis=1)
        t = x2 - mu[:, None]                                          # x - mu, made dL/dx in place
        sum_gy_xhat = xp.vecdot(g2, t) * inv_std
        gx = None
        if self.needs_input_grad[0]:
            if self.training:       # a * (gy - mean(gy) - xhat * mean(gy * xhat))
                xp.multiply(t, (-inv_std * sum_gy_xhat / m)[:, None], out=t)
                xp.add(t, (-sum_gy / m)[:, None], out=t)
                xp.add(t, g2, out=t)
                xp.multiply(t, a[:, None], out=t)
                gx = _as_input(t, gy)
            else:
                gx = _as_input(g2 * a[:, None], gy)
        if not self.has_affine:
            return gx
        return (gx, sum_gy_xhat if self.needs_input_grad[1] else None,
                sum_gy if self.needs_input_grad[2] else None)


    # ------------------------------------ channels-last input (conv2d's NumPy rows route)
    def _forward_rows(self, x, gamma, beta):
        """:meth:`_forward_fast` for input laid out pixel by pixel: (M, C) rows, the per-channel
        sums as products with a vector of ones (a column sum of a (M, C) array runs C values at
        a time), the per-channel vectors tiled along wide rows (see :func:`_wide`)."""
        np = backend.namespace(x)          # NumPy: this route is taken for nothing else
        x2 = _fast.channels_last(x)                                   # (M, C), a view
        m, c = x2.shape
        if self.training:
            ones = np.ones(m, dtype=x2.dtype)
            mu = (ones @ x2) / m
        else:
            mu, var = self.running_mean.data, self.running_var.data
        y = np.empty_like(x2)
        wide, tile = _wide(x2)
        xw, yw = x2.reshape(wide), y.reshape(wide)
        np.subtract(xw, tile(mu), out=yw)                             # x - mu
        if self.training:
            var = (ones @ np.square(y)) / m
            if self.running_mean is not None:
                self._update_running(mu, var, m)
        inv_std = 1.0 / np.sqrt(var + self.eps)
        if self.training:
            np.multiply(yw, tile(inv_std if gamma is None else inv_std * gamma), out=yw)
            if gamma is not None:
                np.add(yw, tile(beta), out=yw)
        else:   # the portable route's arithmetic, step by step: eval output equal bit for bit
            np.multiply(yw, tile(inv_std), out=yw)
            if gamma is not None:
                np.multiply(yw, tile(gamma), out=yw)
                np.add(yw, tile(beta), out=yw)
        self.saved = (x2, mu, inv_std, gamma)
        return _rows_as_input(y, x)

    def _backward_rows(self, gy):
        """:meth:`_backward_fast` for the rows route: the same three per-channel terms, computed on
        (M, C) rows (gy is brought to that layout if it arrives channel by channel)."""
        np = backend.namespace(gy)
        x2, mu, inv_std, gamma = self.saved
        m, c = x2.shape
        g2 = _fast.channels_last(gy)
        if g2 is None:
            g2 = np.ascontiguousarray(np.moveaxis(gy, 1, -1)).reshape(m, c)
        a = inv_std if gamma is None else inv_std * gamma
        ones = np.ones(m, dtype=g2.dtype)
        sum_gy = ones @ g2
        t = np.empty_like(x2)
        wide, tile = _wide(x2)
        tw, g_wide = t.reshape(wide), g2.reshape(wide)
        np.subtract(x2.reshape(wide), tile(mu), out=tw)              # x - mu, made dL/dx in place
        sum_gy_xhat = (ones @ (g2 * t)) * inv_std
        gx = None
        if self.needs_input_grad[0]:
            if self.training:       # a * (gy - mean(gy) - xhat * mean(gy * xhat))
                np.multiply(tw, tile(-inv_std * sum_gy_xhat / m), out=tw)
                np.add(tw, tile(-sum_gy / m), out=tw)
                np.add(tw, g_wide, out=tw)
                np.multiply(tw, tile(a), out=tw)
                gx = _rows_as_input(t, gy)
            else:
                gx = _rows_as_input((g_wide * tile(a)).reshape(m, c), gy)
        if not self.has_affine:
            return gx
        return (gx, sum_gy_xhat if self.needs_input_grad[1] else None,
                sum_gy if self.needs_input_grad[2] else None)


def _wide(a2):
    """For (M, C) arrays like ``a2``: the (M/r, r*C) shape to see them as, and a function tiling a
    per-channel vector r times to match, r the largest power of 2 dividing M with r*C <= 16384.
    NumPy's inner loops then run r*C values at a time instead of C (a multiply on a 16-channel
    32x32 layer at batch 128: 0.72 ms by C, 0.36 ms by 1024, 0.22 ms by 16384; the channels-first
    layout's 0.15 ms stays out of reach)."""
    np = backend.namespace(a2)
    m, c = a2.shape
    r = 1
    while r * c * 2 <= 16384 and m % (2 * r) == 0:
        r *= 2
    return (m // r, r * c), (lambda v: np.tile(v, r))


def _rows_as_input(a2, like):
    """(M, C) rows -> the (N, C, ...) shape of ``like``, as a view (memory stays pixel by pixel)."""
    np = backend.namespace(a2)
    shape = (like.shape[0],) + tuple(like.shape[2:]) + (like.shape[1],)
    return np.moveaxis(a2.reshape(shape), -1, 1)


def _as_input(a2, like):
    """(C, M) -> the (N, C, ...) shape of ``like``, as a view (memory stays channel by channel)."""
    xp = backend.namespace(a2)
    shape = (like.shape[1], like.shape[0]) + tuple(like.shape[2:])
    return xp.permute_dims(xp.reshape(a2, shape), (1, 0) + tuple(range(2, like.ndim)))


def check_arguments(op, x, running_mean, running_var, weight, bias, training, momentum, eps):
    """The checks batch_norm and sync_batch_norm share (one error line each); returns C."""
    tensor(x, op)
    if x.ndim < 2:
        raise OpError(f"{op}: input must have at least 2 dimensions (N, C, ...), got shape {x.shape}")
    floating(x, op)
    c = x.shape[1]
    for what, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and (not isinstance(t, Tensor) or t.shape != (c,)):
            got = t.shape if isinstance(t, Tensor) else type(t).__name__
            raise OpError(f"{op}: {what} must be a Tensor of shape ({c},) for {c} channels, got {got}")
    matching(op, input=x, weight=weight, bias=bias, running_mean=running_mean)
    if (weight is None) != (bias is None):
        raise OpError(f"{op}: give both weight and bias, or neither")
    if (running_mean is None) != (running_var is None):
        raise OpError(f"{op}: give both running_mean and running_var, or neither")
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
        raise OpError(f"{op}: eps must be a positive number, got {eps!r}")
    if training and running_mean is not None and (
            isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1):
        hint = ("; the functional op keeps no batch count, so for a cumulative average pass "
                "momentum=1/k at the k-th batch") if momentum is None else ""
        raise OpError(f"{op}: momentum must be a number in [0, 1], got {momentum!r}{hint}")
    return c


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch norm like torch.nn.functional.batch_norm.

    running_mean / running_var: Tensors of shape (C,), updated in place (their ``.data``
    is replaced) in training mode; may be None in training mode. weight/bias: gamma and
    beta of shape (C,), both or neither.
    """
    op = "batch_norm"
    c = check_arguments(op, x, running_mean, running_var, weight, bias, training, momentum, eps)
    if not training and running_mean is None:
        raise OpError(f"{op}: eval mode (training=False) needs running_mean and running_var")
    if training and x.size // c < 2:
        raise OpError(f"{op}: training mode needs more than one value per channel, got input shape {x.shape}")
    fn = BatchNorm(running_mean, running_var, training, momentum, eps, weight is not None)
    return fn(x) if weight is None else fn(x, weight, bias)
