"""Synchronized batch norm as a layer, and the conversion of a whole network to it."""
from __future__ import annotations

from .. import functional as F
from ..function import OpError
from .layers import _BatchNorm
from .module import Module

__all__ = ["SyncBatchNorm", "convert_sync_batchnorm"]


class SyncBatchNorm(_BatchNorm):
    """Batch norm whose training statistics span every replica of ``comm`` (the op
    :func:`tinyres.functional.sync_batch_norm`); any input rank >= 2. Parameters, buffers and
    state_dict keys are BatchNorm's, so checkpoints move freely between the two."""

    def __init__(self, num_features, comm, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.comm = comm

    def forward(self, x):
        if x.ndim < 2:
            raise OpError(f"SyncBatchNorm: expected an (N, C, ...) input, got shape {x.shape}")
        use_batch_stats = self.training or not self.track_running_stats
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data = self.num_batches_tracked.data + 1
            if self.momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked.item())
        return F.sync_batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                                 training=use_batch_stats, momentum=momentum, eps=self.eps, comm=self.comm)


def convert_sync_batchnorm(module: Module, comm) -> Module:
    """Replace every BatchNorm1d/2d inside ``module`` by a SyncBatchNorm over ``comm`` that keeps
    its parameters, buffers, hooks and mode (the same tensors: nothing is copied); returns
    the module (a new one if ``module`` itself is a batch norm)."""
    def convert(m):
        new = SyncBatchNorm.__new__(SyncBatchNorm)
        new.__dict__.update(m.__dict__)
        object.__setattr__(new, "comm", comm)
        return new

    if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
        return convert(module)
    for m in list(module.modules()):
        for name, child in list(m._modules.items()):
            if isinstance(child, _BatchNorm) and not isinstance(child, SyncBatchNorm):
                m._modules[name] = convert(child)      # in place: the children keep their order
    return module
