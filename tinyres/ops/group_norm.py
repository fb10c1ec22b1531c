"""Group normalisation (Wu & He 2018): batch norm's arithmetic over a different set of values.

x has shape (N, C, *). The C channels are split into G groups of C/G; each sample's group is
normalised by its own statistics, over its m = (C/G) * prod(*) values, so nothing depends on
the batch and training and eval compute the same thing (no running statistics):
    mu = mean(x_group),  var = mean((x_group - mu)^2)   (biased)
    xhat = (x - mu) / sqrt(var + eps),  y = gamma_c * xhat + beta_c   (gamma, beta per channel)

Backward. Write s = 1 / sqrt(var + eps) and g = dL/dxhat = gy * gamma_c. Within one group,
    dxhat_j/dx_i = s * (delta_ij - 1/m - xhat_i * xhat_j / m)
because dmu/dx_i = 1/m and dvar/dx_i = 2 (x_i - mu) / m, so ds/dx_i = -s^3 (x_i - mu) / m =
-s^2 xhat_i / m. Summing g_j * dxhat_j/dx_i over the group:
    dL/dx_i = s * (g_i - mean(g) - xhat_i * mean(g * xhat))
the same form as batch norm's, with the means taken over the group of one sample instead of
over a channel of the whole batch. The parameters see every group a channel meets:
    dL/dgamma_c = sum_{n, *} gy * xhat,   dL/dbeta_c = sum_{n, *} gy.
Dropping either mean term still passes a check of sum(y) (whose true dL/dx is zero), which is
why the gradient checks use a random upstream gradient.
"""
from __future__ import annotations

from .. import backend
from ..function import Function, OpError
from ..tensor import Tensor
from ._checks import floating, matching, tensor

__all__ = ["group_norm"]


class GroupNorm(Function):
    op_name = "group_norm"

    def __init__(self, num_groups, eps, has_affine):
        self.num_groups, self.eps, self.has_affine = num_groups, eps, has_affine

    def _grouped(self, a):
        xp = backend.namespace(a)
        return xp.reshape(a, (a.shape[0], self.num_groups, -1))

    def _channel_shape(self, x):
        return (1, x.shape[1]) + (1,) * (x.ndim - 2)

    def forward(self, x, gamma=None, beta=None):
        xp = backend.namespace(x)
        xg = self._grouped(x)
        mu = xp.mean(xg, axis=2, keepdims=True)
        xc = xg - mu
        var = xp.mean(xc * xc, axis=2, keepdims=True)
        inv_std = 1.0 / xp.sqrt(var + self.eps)
        xhat = xp.reshape(xc * inv_std, x.shape)
        self.saved = (xhat, inv_std, gamma)
        if gamma is None:
            return xhat
        shape = self._channel_shape(x)
        return xhat * xp.reshape(gamma, shape) + xp.reshape(beta, shape)

    def backward(self, gy):
        xp = backend.namespace(gy)
        xhat, inv_std, gamma = self.saved
        shape = self._channel_shape(gy)
        gx = None
        if self.needs_input_grad[0]:
            g = gy if gamma is None else gy * xp.reshape(gamma, shape)
            gg, xh = self._grouped(g), self._grouped(xhat)
            gx = inv_std * (gg - xp.mean(gg, axis=2, keepdims=True)
                            - xh * xp.mean(gg * xh, axis=2, keepdims=True))
            gx = xp.reshape(gx, gy.shape)
        if not self.has_affine:
            return gx
        axes = (0,) + tuple(range(2, gy.ndim))
        ggamma = xp.sum(gy * xhat, axis=axes) if self.needs_input_grad[1] else None
        gbeta = xp.sum(gy, axis=axes) if self.needs_input_grad[2] else None
        return gx, ggamma, gbeta


def group_norm(x, num_groups, weight=None, bias=None, eps=1e-5):
    """Group norm like torch.nn.functional.group_norm: x of shape (N, C, *), C divisible by
    ``num_groups``; weight/bias (gamma, beta) of shape (C,), both or neither."""
    op = "group_norm"
    tensor(x, op)
    if x.ndim < 2:
        raise OpError(f"{op}: input must have at least 2 dimensions (N, C, ...), got shape {x.shape}")
    floating(x, op)
    c = x.shape[1]
    if not isinstance(num_groups, int) or num_groups < 1 or c % num_groups:
        raise OpError(f"{op}: num_groups must be a positive int dividing the {c} channels, got {num_groups!r}")
    for what, t in (("weight", weight), ("bias", bias)):
        tensor(t, op, what, optional=True)
        if t is not None and t.shape != (c,):
            raise OpError(f"{op}: {what} must be a Tensor of shape ({c},) for {c} channels, got {t.shape}")
    matching(op, input=x, weight=weight, bias=bias)
    if (weight is None) != (bias is None):
        raise OpError(f"{op}: give both weight and bias, or neither")
    fn = GroupNorm(num_groups, eps, weight is not None)
    return fn(x) if weight is None else fn(x, weight, bias)
