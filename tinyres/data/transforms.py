"""Batch transforms, applied on the batch's own device.

Each transform is called as ``t(x, rng)`` with x a whole batch (N, C, H, W) array and
rng a host numpy Generator: random choices (crop offsets, flips) are drawn on the host
(a few bytes per image), the pixels never leave the device.

The paper's CIFAR-10 recipe (§4.2): subtract the per-pixel mean, pad 4 pixels on each
side, take a random 32x32 crop, flip horizontally with probability 1/2.
"""
from __future__ import annotations

import numpy as np

from .. import backend

__all__ = ["Compose", "ToFloat", "Normalize", "RandomCrop", "RandomHorizontalFlip", "per_pixel_mean",
           "channel_stats", "paper_transforms"]


class Compose:
    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, x, rng):
        for t in self.transforms:
            x = t(x, rng)
        return x

    def __repr__(self):
        return "Compose(" + ", ".join(map(repr, self.transforms)) + ")"


class ToFloat:
    """uint8 pixels -> floats divided by ``scale`` (255 for CIFAR, 16 for digits)."""

    def __init__(self, scale=255.0, dtype=None):
        self.scale, self.dtype = scale, dtype

    def __call__(self, x, rng=None):
        xp = backend.namespace(x)
        return xp.astype(x, getattr(xp, self.dtype or backend.get_default_dtype())) / self.scale

    def __repr__(self):
        return f"ToFloat(scale={self.scale})"


class Normalize:
    """(x - mean) / std with mean/std of shape (C, H, W) (per pixel) or (C, 1, 1) (per channel)."""

    def __init__(self, mean, std=None):
        self.mean = np.asarray(mean, dtype=np.float64)
        self.std = None if std is None else np.asarray(std, dtype=np.float64)
        self._on = {}

    def __call__(self, x, rng=None):
        key = (backend.device_name(x), str(x.dtype))
        if key not in self._on:   # moved to the device once, not per batch
            dt = backend.dtype_name(x.dtype)
            self._on[key] = tuple(None if a is None else backend.from_numpy(a.astype(dt)[None], key[0])
                                  for a in (self.mean, self.std))
        mean, std = self._on[key]
        x = x - mean
        return x if std is None else x / std

    def __repr__(self):
        kind = "per-pixel" if self.mean.shape[1:] != (1, 1) else "per-channel"
        return f"Normalize({kind}, mean shape {self.mean.shape})"


def per_pixel_mean(images, scale):
    """The paper's preprocessing: the mean image of the training set, shape (C, H, W)."""
    return images.astype(np.float64).mean(axis=0) / scale


def channel_stats(images, scale):
    """Per-channel mean and std of the training set, shapes (C, 1, 1)."""
    x = images.astype(np.float64) / scale
    return x.mean(axis=(0, 2, 3))[:, None, None], x.std(axis=(0, 2, 3))[:, None, None]


class RandomCrop:
    """Zero-pad by ``padding`` then crop ``size`` at a random offset per image.

    Images with the same offset are cropped together (at most (2p+1)^2 groups), then put
    back in order with one ``take``: only standard array calls, fast on NumPy and CuPy.
    """

    def __init__(self, size, padding):
        self.size, self.padding = (size, size) if isinstance(size, int) else tuple(size), padding

    def __call__(self, x, rng):
        xp = backend.namespace(x)
        n, _, h, w = x.shape
        p, (th, tw) = self.padding, self.size
        if p:
            import array_api_extra as xpx
            x = xpx.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        dy = rng.integers(0, h + 2 * p - th + 1, n)
        dx = rng.integers(0, w + 2 * p - tw + 1, n)
        order, crops = [], []
        device = backend.device_name(x)
        for oy, ox in sorted(set(zip(dy.tolist(), dx.tolist()))):
            idx = np.flatnonzero((dy == oy) & (dx == ox))
            order.append(idx)
            sel = xp.take(x, backend.from_numpy(idx, device), axis=0)
            crops.append(sel[:, :, oy:oy + th, ox:ox + tw])
        out = xp.concat(crops, axis=0)
        inverse = np.argsort(np.concatenate(order))
        return xp.take(out, backend.from_numpy(inverse, device), axis=0)

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, x, rng):
        xp = backend.namespace(x)
        flip = rng.random(x.shape[0]) < self.p
        mask = backend.from_numpy(flip.reshape(-1, 1, 1, 1), backend.device_name(x))
        return xp.where(mask, xp.flip(x, axis=-1), x)

    def __repr__(self):
        return f"RandomHorizontalFlip(p={self.p})"


def paper_transforms(train_images, scale, augment, crop_padding=4, flip=True, per_channel=False):
    """(train transform, test transform): mean subtraction (per pixel as the paper, or per-channel
    normalisation), and for training a padded random crop and (optionally) a horizontal flip."""
    size = train_images.shape[2:]
    if per_channel:
        norm = Normalize(*channel_stats(train_images, scale))
    else:
        norm = Normalize(per_pixel_mean(train_images, scale))
    test = Compose([ToFloat(scale), norm])
    steps = [ToFloat(scale), norm]
    if augment:
        if crop_padding:
            steps.append(RandomCrop(size, crop_padding))
        if flip:
            steps.append(RandomHorizontalFlip())
    return Compose(steps), test
