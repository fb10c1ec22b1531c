"""Exercise 9 - batch normalisation in training mode (Ioffe & Szegedy 2015).

Per channel c, over the m = N*H*W values of the batch:
    mu = mean(x),  var = mean((x - mu)^2),  xhat = (x - mu) / sqrt(var + eps)
    y = gamma * xhat + beta
In training mode mu and var are computed FROM x, so every x reaches the loss three ways:
directly, through mu and through var. The backward needs all three paths.
"""
import numpy as np


def batch_norm_forward(x, gamma, beta, eps):
    """Training-mode batch norm over axes (0, 2, 3). Return (y, cache).

    Shapes: x (N, C, H, W), gamma and beta (C,), y (N, C, H, W).
    Hint: keepdims=True keeps mu and var broadcastable; gamma.reshape(1, -1, 1, 1).
    """
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    var = ((x - mu) ** 2).mean(axis=(0, 2, 3), keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    y = gamma.reshape(1, -1, 1, 1) * xhat + beta.reshape(1, -1, 1, 1)
    return y, (xhat, inv_std, gamma)


def batch_norm_backward(gy, cache):
    """Return (dL/dx, dL/dgamma, dL/dbeta).

    Maths, with g = dL/dxhat = gy * gamma and means over the m values of each channel:
        dL/dbeta  = sum(gy),   dL/dgamma = sum(gy * xhat)
        dL/dvar   = sum(g * (x - mu)) * (-1/2) (var + eps)^(-3/2)
        dL/dmu    = -sum(g) / sqrt(var + eps)      (the var term's share is zero: sum(x - mu) = 0)
        dL/dx     = g / sqrt(var + eps) + dL/dvar * 2 (x - mu) / m + dL/dmu / m
    which simplifies to
        dL/dx = (1 / sqrt(var + eps)) * (g - mean(g) - xhat * mean(g * xhat)).
    mean(g) is the path through mu, xhat * mean(g * xhat) the path through var. A check of
    sum(y) cannot see the var path: use a random upstream gradient.
    Shapes: gy (N, C, H, W); the gradients have the shapes of x, gamma (C,), beta (C,).
    """
    xhat, inv_std, gamma = cache
    gbeta = gy.sum(axis=(0, 2, 3))
    ggamma = (gy * xhat).sum(axis=(0, 2, 3))
    g = gy * gamma.reshape(1, -1, 1, 1)
    mean_g = g.mean(axis=(0, 2, 3), keepdims=True)
    mean_g_xhat = (g * xhat).mean(axis=(0, 2, 3), keepdims=True)
    gx = inv_std * (g - mean_g - xhat * mean_g_xhat)
    return gx, ggamma, gbeta
