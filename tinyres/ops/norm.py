"""Batch normalisation (Ioffe & Szegedy 2015), channel axis 1, statistics over all others.

Forward (training), per channel over the m = N*H*W values:
    mu = mean(x),  var = mean((x - mu)^2)   (biased, used to normalise)
    xhat = (x - mu) / sqrt(var + eps),  y = gamma * xhat + beta
    running_mean <- (1 - momentum) * running_mean + momentum * mu
    running_var  <- (1 - momentum) * running_var  + momentum * var * m / (m - 1)   (unbiased)

Backward (training): mu and var depend on every x, so with g = dL/dxhat = gy * gamma
    dL/dx = (1 / sqrt(var + eps)) * (g - mean(g) - xhat * mean(g * xhat))
The two mean terms are the paths through mu and var. Dropping the var term still passes
a check of sum(batch_norm(x)): its true gradient is zero and with an all-ones upstream
gradient mean(g * xhat) is zero too (dropping the mu term fails it). That is why
gradient checks here use a random upstream gradient.

Eval: mu and var are the running statistics, constants, so dL/dx = g / sqrt(var + eps).
    dL/dgamma = sum(gy * xhat),  dL/dbeta = sum(gy)   in both modes.
"""
from __future__ import annotations

from .. import backend
from ..function import Function, OpError
from ..tensor import Tensor
from ._checks import floating, matching

__all__ = ["batch_norm"]


class BatchNorm(Function):
    op_name = "batch_norm"

    def __init__(self, running_mean, running_var, training, momentum, eps, has_affine):
        self.running_mean, self.running_var = running_mean, running_var
        self.training, self.momentum, self.eps, self.has_affine = training, momentum, eps, has_affine

    def _bshape(self, x):
        return (1, x.shape[1]) + (1,) * (x.ndim - 2)

    def forward(self, x, gamma=None, beta=None):
        xp = backend.namespace(x)
        axes = (0,) + tuple(range(2, x.ndim))
        shape = self._bshape(x)
        if self.training:
            m = x.size // x.shape[1]
            mu = xp.mean(x, axis=axes, keepdims=True)
            xc = x - mu
            var = xp.mean(xc * xc, axis=axes, keepdims=True)
            if self.running_mean is not None:
                mom = self.momentum
                rm, rv = self.running_mean, self.running_var
                rm.data = (1 - mom) * rm.data + mom * xp.reshape(mu, (-1,))
                rv.data = (1 - mom) * rv.data + mom * xp.reshape(var, (-1,)) * (m / (m - 1))
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


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch norm like torch.nn.functional.batch_norm.

    running_mean / running_var: Tensors of shape (C,), updated in place (their ``.data``
    is replaced) in training mode; may be None in training mode. weight/bias: gamma and
    beta of shape (C,), both or neither.
    """
    op = "batch_norm"
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
    if not training and running_mean is None:
        raise OpError(f"{op}: eval mode (training=False) needs running_mean and running_var")
    if training and x.size // c < 2:
        raise OpError(f"{op}: training mode needs more than one value per channel, got input shape {x.shape}")
    fn = BatchNorm(running_mean, running_var, training, momentum, eps, weight is not None)
    return fn(x) if weight is None else fn(x, weight, bias)
