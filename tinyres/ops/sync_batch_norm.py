"""Synchronized batch norm: batch statistics over the GLOBAL batch of K data-parallel replicas.

Replica r holds n_r of the M = sum_r n_r values of a channel (its shard of the batch times
H*W). Plain batch norm on each replica normalises with the replica's own mean and variance,
so the result depends on how the batch was split; synchronized batch norm computes the
statistics of all M values, which is what one process on the whole batch computes.

Forward (training). Each replica sums its own values, relative to a shift c per channel
that every replica holds identically (the running mean; it keeps E[d^2] - E[d]^2 from
cancelling when the mean is large):
    s1_r = sum_i (x_i - c),   s2_r = sum_i (x_i - c)^2,   n_r
ONE allreduce adds [s1, s2, n] over the replicas, and then, exactly as in ``batch_norm``:
    mu = c + S1 / M,   var = S2 / M - (S1 / M)^2   (biased, used to normalise)
    xhat = (x - mu) / sqrt(var + eps),  y = gamma * xhat + beta
Every replica gets the same mu and var, so the running statistics stay identical too.

Backward. The objective is L = sum_r L_r (each replica backpropagates its own loss; the
gradient averaging after backward divides by K). With gy = dL/dy on the replica's own
values and g = gamma * gy, batch norm's backward for the M values is
    dL/dx_i = (1 / sqrt(var + eps)) * (g_i - (1/M) sum_j g_j - xhat_i (1/M) sum_j g_j xhat_j)
where the sums run over ALL M values: mu and var depend on every replica's x, so a value on
replica s also receives gradient from the losses of the other replicas through them. Those
two sums are the only coupling, so backward allreduces the two per-channel gradient sums
    [sum_j gy_j, sum_j gy_j xhat_j]
and each replica applies the formula to its own values. dL/dgamma = sum gy * xhat and
dL/dbeta = sum gy are returned over the replica's OWN values: the parameters' gradients are
summed across replicas by the gradient allreduce, and summing them here as well would count
them K times.

Eval mode uses the running statistics, no communication: it is ``batch_norm``'s eval mode.

``comm`` is any object with ``allreduce_sum(array) -> array`` (tinyres.distributed: MPI,
NCCL, threads within one process, or a single process).
"""
from __future__ import annotations

from .. import backend
from ..function import Function, OpError
from . import norm

__all__ = ["sync_batch_norm"]


class SyncBatchNorm(Function):
    op_name = "sync_batch_norm"

    def __init__(self, comm, running_mean, running_var, momentum, eps, has_affine):
        self.comm, self.running_mean, self.running_var = comm, running_mean, running_var
        self.momentum, self.eps, self.has_affine = momentum, eps, has_affine

    def forward(self, x, gamma=None, beta=None):
        xp = backend.namespace(x)
        axes = (0,) + tuple(range(2, x.ndim))
        c = x.shape[1]
        shape = (1, c) + (1,) * (x.ndim - 2)
        shift = 0.0 if self.running_mean is None else xp.reshape(self.running_mean.data, shape)
        d = x - shift
        n_local = x.size // c
        count = xp.full((1,), float(n_local), dtype=x.dtype, device=backend.device_of(x))
        local = xp.concat([xp.reshape(xp.sum(d, axis=axes), (-1,)), xp.reshape(xp.sum(d * d, axis=axes), (-1,)),
                           count])
        total = self.comm.allreduce_sum(local)
        m = total[2 * c]
        m_int = int(m)
        if m_int < 2:      # the same on every replica, so all of them raise here
            raise OpError(f"{self.op_name}: training mode needs more than one value per channel over all "
                          f"replicas, got {m_int}")
        mean_d = total[:c] / m
        var = total[c:2 * c] / m - mean_d * mean_d
        mu = xp.reshape(mean_d, shape) + shift
        var = xp.reshape(var, shape)
        if self.running_mean is not None:
            mom = self.momentum
            rm, rv = self.running_mean, self.running_var
            rm.data = (1 - mom) * rm.data + mom * xp.reshape(mu, (-1,))
            rv.data = (1 - mom) * rv.data + mom * xp.reshape(var, (-1,)) * (m_int / (m_int - 1))
        inv_std = 1.0 / xp.sqrt(var + self.eps)
        xhat = (x - mu) * inv_std
        self.saved = (xhat, inv_std, gamma, m)
        if gamma is None:
            return xhat
        return xhat * xp.reshape(gamma, shape) + xp.reshape(beta, shape)

    def backward(self, gy):
        xp = backend.namespace(gy)
        xhat, inv_std, gamma, m = self.saved
        axes = (0,) + tuple(range(2, gy.ndim))
        c = gy.shape[1]
        shape = (1, c) + (1,) * (gy.ndim - 2)
        sum_gy = xp.sum(gy, axis=axes)                       # this replica's own sums
        sum_gy_xhat = xp.sum(gy * xhat, axis=axes)
        gx = None
        if self.needs_input_grad[0]:
            total = self.comm.allreduce_sum(xp.concat([sum_gy, sum_gy_xhat]))
            a = inv_std if gamma is None else inv_std * xp.reshape(gamma, shape)
            all_gy, all_gy_xhat = xp.reshape(total[:c], shape), xp.reshape(total[c:], shape)
            gx = gy * a + xhat * (-a * all_gy_xhat / m) + (-a * all_gy / m)
        if not self.has_affine:
            return gx
        ggamma = sum_gy_xhat if self.needs_input_grad[1] else None
        gbeta = sum_gy if self.needs_input_grad[2] else None
        return gx, ggamma, gbeta


def sync_batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5,
                    comm=None):
    """Batch norm whose training statistics span every replica of ``comm`` (see the module
    docstring). Arguments as :func:`batch_norm`; ``comm`` is required in training mode.
    Every replica must call it at the same point with the same channel count: it is a
    collective operation."""
    op = "sync_batch_norm"
    if not training:
        return norm.batch_norm(x, running_mean, running_var, weight, bias, training=False, momentum=momentum,
                               eps=eps)
    norm.check_arguments(op, x, running_mean, running_var, weight, bias, True, momentum, eps)
    if not callable(getattr(comm, "allreduce_sum", None)):
        raise OpError(f"{op}: training mode needs comm, a communicator with allreduce_sum (tinyres.distributed), "
                      f"got {type(comm).__name__}")
    if x.shape[0] < 1:
        raise OpError(f"{op}: every replica needs at least one sample, got input shape {x.shape}")
    fn = SyncBatchNorm(comm, running_mean, running_var, momentum, eps, weight is not None)
    return fn(x) if weight is None else fn(x, weight, bias)
