"""Weight initialisation (He et al. 2015 "Delving deep", Glorot & Bengio 2010).

Values are drawn on the host from tinyres's seeded generator and moved to the tensor's
device, so a seed gives the same network on CPU and GPU.
"""
from __future__ import annotations

import math

from .. import backend

__all__ = ["calculate_gain", "kaiming_normal_", "kaiming_uniform_", "xavier_normal_", "xavier_uniform_",
           "normal_", "uniform_", "constant_", "zeros_", "ones_", "fan_in_and_out"]


def fan_in_and_out(t):
    """fan_in = in_channels * kh * kw (inputs per output), fan_out = out_channels * kh * kw."""
    if t.ndim < 2:
        raise ValueError(f"fan in/out needs a tensor with at least 2 dimensions, got shape {t.shape}")
    receptive = math.prod(t.shape[2:])
    return t.shape[1] * receptive, t.shape[0] * receptive


def calculate_gain(nonlinearity: str, a: float = 0.0) -> float:
    if nonlinearity in ("linear", "conv2d", "sigmoid"):
        return 1.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1 + a * a))
    if nonlinearity == "tanh":
        return 5.0 / 3
    raise ValueError(f"unknown nonlinearity {nonlinearity!r}")


def _fill(t, kind, **kw):
    dtype = backend.dtype_name(t.dtype)
    t.data = backend.host_random(t.shape, kind, dtype=dtype, device=t.device, **kw)
    return t


def _fan(t, mode):
    fan_in, fan_out = fan_in_and_out(t)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    return fan_in if mode == "fan_in" else fan_out


def kaiming_normal_(t, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He init: N(0, std^2) with std = gain / sqrt(fan). torchvision's ResNets use mode='fan_out', relu."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(t, mode))
    return _fill(t, "normal", std=std)


def kaiming_uniform_(t, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(t, mode))
    return _fill(t, "uniform", low=-bound, high=bound)


def xavier_uniform_(t, gain=1.0):
    fan_in, fan_out = fan_in_and_out(t)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(t, "uniform", low=-bound, high=bound)


def xavier_normal_(t, gain=1.0):
    fan_in, fan_out = fan_in_and_out(t)
    return _fill(t, "normal", std=gain * math.sqrt(2.0 / (fan_in + fan_out)))


def normal_(t, mean=0.0, std=1.0):
    return _fill(t, "normal", mean=mean, std=std)


def uniform_(t, a=0.0, b=1.0):
    return _fill(t, "uniform", low=a, high=b)


def constant_(t, value):
    xp = t.xp
    t.data = xp.full(t.shape, value, dtype=t.dtype, device=backend.device_of(t.data))
    return t


def zeros_(t):
    return constant_(t, 0.0)


def ones_(t):
    return constant_(t, 1.0)
