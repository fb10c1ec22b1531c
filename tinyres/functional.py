"""All differentiable ops, with signatures that follow torch.nn.functional.

Overrides (an extension point)
------------------------------
The ops named in :data:`OVERRIDABLE` look themselves up in a table at every call, and
:func:`override` swaps entries of that table for the duration of a ``with`` block::

    with F.override(relu=my_relu):
        model(x)            # every nn.ReLU, and every F.relu call, now runs my_relu

Layers and models call ``F.<op>``, so an override reaches whole networks. An override
takes the op's signature and returns a Tensor (typically by calling a
:class:`tinyres.Function` built from your own forward and backward). This is how
``tinyres.exercises.use_ops`` runs a learner's ops in the real engine. The table is
process-wide; the library op comes back when the block exits, also on an exception.
"""
import functools
from contextlib import contextmanager

from .ops.activation import dropout, relu
from .ops.basic import (add, astype, cat, div, exp, flatten, log, matmul, mean, mul, neg, pad, pow,
                        reshape, sub, sum, to_device, transpose)
from .ops.conv import conv2d
from .ops.group_norm import group_norm
from .ops.linear import linear
from .ops.loss import cross_entropy, log_softmax
from .ops.norm import batch_norm
from .ops.pool import adaptive_avg_pool2d, avg_pool2d, global_avg_pool2d, max_pool2d
from .ops.residual import gradient_tap, residual_add, shortcut_a
from .ops.sync_batch_norm import sync_batch_norm

__all__ = ["relu", "dropout", "add", "astype", "cat", "div", "exp", "flatten", "log", "matmul", "mean", "mul",
           "neg", "pad", "pow", "reshape", "sub", "sum", "to_device", "transpose", "conv2d", "linear",
           "cross_entropy", "log_softmax", "batch_norm", "group_norm", "adaptive_avg_pool2d", "avg_pool2d",
           "global_avg_pool2d", "max_pool2d", "residual_add", "shortcut_a", "gradient_tap", "sync_batch_norm"]
# (__all__ lists the ops; override, overrides and OVERRIDABLE are the extension point's API)

#: the ops :func:`override` can replace
OVERRIDABLE = ("relu", "linear", "cross_entropy", "conv2d", "max_pool2d", "batch_norm", "residual_add", "shortcut_a")

_table = {}


def _overridable(library_op):
    name = library_op.__name__

    @functools.wraps(library_op)
    def op(*args, **kwargs):
        return _table.get(name, library_op)(*args, **kwargs)
    op.library = library_op
    return op


relu, linear, cross_entropy, conv2d, max_pool2d, batch_norm, residual_add, shortcut_a = (
    _overridable(f) for f in (relu, linear, cross_entropy, conv2d, max_pool2d, batch_norm, residual_add, shortcut_a))


@contextmanager
def override(**ops):
    """Within the block, ``F.<name>`` (and every layer that calls it) runs ``ops[name]``."""
    unknown = sorted(set(ops) - set(OVERRIDABLE))
    if unknown:
        raise ValueError(f"override: {', '.join(unknown)} cannot be overridden; choose from {', '.join(OVERRIDABLE)}")
    previous = dict(_table)
    _table.update(ops)
    try:
        yield
    finally:
        _table.clear()
        _table.update(previous)


def overrides():
    """The overrides in force now: {name: function} (empty when the library's ops run)."""
    return dict(_table)
