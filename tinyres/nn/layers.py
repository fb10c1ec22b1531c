"""Layers: thin Modules around the ops in tinyres.functional, PyTorch's names and reprs."""
from __future__ import annotations

import math
from collections import OrderedDict

from .. import backend
from .. import functional as F
from ..tensor import Tensor
from . import init
from .module import Module, Parameter

__all__ = ["Conv2d", "BatchNorm2d", "BatchNorm1d", "ReLU", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
           "GlobalAvgPool2d", "Linear", "Flatten", "Sequential", "Identity", "Dropout", "ShortcutA", "GroupNorm",
           "ResidualFork", "ResidualJoin"]


def _empty(shape, dtype=None, device=None):
    xp, dev = backend.namespace_for(device)
    dt = getattr(xp, dtype or backend.get_default_dtype())
    return xp.zeros(shape, dtype=dt, device=dev)


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


class Conv2d(Module):
    """2-D convolution layer. Default init as PyTorch (kaiming_uniform with a=sqrt(5));
    the ResNet builders re-initialise with He normal (fan_out)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, device=None, dtype=None):
        super().__init__()
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv2d: channels ({in_channels}, {out_channels}) must be divisible by groups={groups}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _pair(kernel_size), _pair(stride)
        self.padding, self.dilation, self.groups = _pair(padding), _pair(dilation), groups
        self.weight = Parameter(_empty((out_channels, in_channels // groups) + self.kernel_size, dtype, device))
        self.bias = Parameter(_empty((out_channels,), dtype, device)) if bias else None
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if bias:
            bound = 1 / math.sqrt(init.fan_in_and_out(self.weight)[0])
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class _BatchNorm(Module):
    _rank = None

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(_empty((num_features,), dtype, device))
            self.bias = Parameter(_empty((num_features,), dtype, device))
            init.ones_(self.weight)
            init.zeros_(self.bias)
        else:
            self.weight = self.bias = None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(_empty((num_features,), dtype, device)))
            self.register_buffer("running_var", Tensor(_empty((num_features,), dtype, device)))
            init.ones_(self.running_var)
            self.register_buffer("num_batches_tracked", Tensor(_empty((), "int64", device)))
        else:
            self.running_mean = self.running_var = None

    def forward(self, x):
        if x.ndim != self._rank:
            from ..function import OpError
            raise OpError(f"{type(self).__name__}: expected a {self._rank}-D input, got shape {x.shape}")
        use_batch_stats = self.training or not self.track_running_stats
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data = self.num_batches_tracked.data + 1
            if self.momentum is None:   # PyTorch's cumulative average: the k-th batch weighs 1/k
                momentum = 1.0 / float(self.num_batches_tracked.item())
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            training=use_batch_stats, momentum=momentum, eps=self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, H, W) per channel of an (N, C, H, W) input."""
    _rank = 4


class BatchNorm1d(_BatchNorm):
    """Batch norm over N per feature of an (N, C) input."""
    _rank = 2


class ReLU(Module):
    def forward(self, x):
        return F.relu(x)


class Dropout(Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"


class MaxPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride if stride is not None else kernel_size, padding

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(MaxPool2d):
    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


class AdaptiveAvgPool2d(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class GlobalAvgPool2d(Module):
    def forward(self, x):
        return F.global_avg_pool2d(x)


class Linear(Module):
    """y = x W^T + b. Default init as PyTorch (uniform in +-1/sqrt(in_features))."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(_empty((out_features, in_features), dtype, device))
        self.bias = Parameter(_empty((out_features,), dtype, device)) if bias else None
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if bias:
            bound = 1 / math.sqrt(in_features)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Flatten(Module):
    def __init__(self, start_dim=1):
        super().__init__()
        self.start_dim = start_dim

    def forward(self, x):
        return F.flatten(x, self.start_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim=-1"


class Identity(Module):
    """y = x. Like PyTorch's, it accepts and ignores constructor arguments, so it can stand in for
    a layer factory: ``norm_layer=nn.Identity`` builds a network without normalisation."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class GroupNorm(Module):
    """Group norm (Wu & He 2018) with PyTorch's signature: the ``num_channels`` channels in
    ``num_groups`` groups, each normalised per sample; gamma = 1, beta = 0 at start."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        if affine:
            self.weight = Parameter(_empty((num_channels,), dtype, device))
            self.bias = Parameter(_empty((num_channels,), dtype, device))
            init.ones_(self.weight)
        else:
            self.weight = self.bias = None

    def forward(self, x):
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class ResidualFork(Module):
    """Where a residual block's input parts into the branch and the shortcut: returns
    (branch input, shortcut input), both ``x``. It computes nothing; it is the named place where
    a forward hook can see or replace the two paths (gradient tracing gives each its own tap)."""

    def forward(self, x):
        return x, x


class ResidualJoin(Module):
    """Where a residual block's two paths meet: y = branch + shortcut (F.residual_add).
    No parameters, so no state_dict keys; hooks here see the branch, the shortcut and y."""

    def forward(self, branch, shortcut):
        return F.residual_add(branch, shortcut)


class ShortcutA(Module):
    """Option-A shortcut (parameter-free): subsample by ``stride``, zero-pad channels."""

    def __init__(self, out_channels, stride):
        super().__init__()
        self.out_channels, self.stride = out_channels, stride

    def forward(self, x):
        return F.shortcut_a(x, self.out_channels, self.stride)

    def extra_repr(self):
        return f"out_channels={self.out_channels}, stride={self.stride}"


class Sequential(Module):
    """Modules applied in order; children are named "0", "1", ... (or by an OrderedDict)."""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, i):
        mods = list(self._modules.values())
        if isinstance(i, slice):
            return Sequential(*mods[i])
        return mods[i]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self._modules)), module)
        return self
