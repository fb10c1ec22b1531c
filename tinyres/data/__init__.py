"""Datasets (built-in digits, CIFAR-10 binary), batch transforms and the DataLoader."""
from .datasets import ArrayDataset, DatasetError, cifar10, digits, download_cifar10, load_dataset
from .loader import DataLoader
from .transforms import (Compose, Normalize, RandomCrop, RandomHorizontalFlip, ToFloat, channel_stats,
                         paper_transforms, per_pixel_mean)

__all__ = ["ArrayDataset", "DatasetError", "cifar10", "digits", "download_cifar10", "load_dataset", "DataLoader",
           "Compose", "Normalize", "RandomCrop", "RandomHorizontalFlip", "ToFloat", "channel_stats",
           "paper_transforms", "per_pixel_mean"]
