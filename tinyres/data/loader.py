"""DataLoader: batches of an ArrayDataset moved to a device, deterministic given the seed.

Epoch e shuffles with a generator seeded by (seed, e), and batch b of epoch e draws its
augmentation from (seed, e, b). So any batch can be recreated without replaying the ones
before it: resuming a run mid-epoch gives bitwise the same batches.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import backend
from ..tensor import Tensor

__all__ = ["DataLoader"]


class DataLoader:
    def __init__(self, dataset, batch_size=128, shuffle=False, drop_last=False, seed=0, device=None,
                 transform=None):
        # as torch.utils.data.DataLoader: a bool or a float (2.5, even 2.0) is a mistake, not a size
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a whole number >= 1, got {batch_size!r}")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self.seed, self.transform = seed, transform
        self.device = backend.parse_device(device)
        self.epoch = 0

    def set_epoch(self, epoch: int):
        self.epoch = epoch

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def order(self, epoch=None):
        epoch = self.epoch if epoch is None else epoch
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        return np.random.default_rng([self.seed, epoch]).permutation(n)

    def batch(self, b, order=None):
        """Batch number b of the current epoch as (images Tensor, labels Tensor) on the device."""
        order = self.order() if order is None else order
        idx = order[b * self.batch_size:(b + 1) * self.batch_size]
        x = backend.from_numpy(np.ascontiguousarray(self.dataset.images[idx]), self.device)
        y = backend.from_numpy(self.dataset.labels[idx], self.device)
        if self.transform is not None:
            x = self.transform(x, np.random.default_rng([self.seed, self.epoch, b, 1]))
        return Tensor(x), Tensor(y)

    def iter_from(self, start_batch=0):
        order = self.order()
        for b in range(start_batch, len(self)):
            yield self.batch(b, order)

    def __iter__(self):
        return self.iter_from(0)
