"""Neural-network modules with PyTorch's names: Module, Parameter, layers, init."""
from . import init
from .layers import (AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten,
                     GlobalAvgPool2d, GroupNorm, Identity, Linear, MaxPool2d, ReLU, ResidualFork, ResidualJoin,
                     Sequential, ShortcutA)
from .module import Module, Parameter, StateDictError
from .sync import SyncBatchNorm, convert_sync_batchnorm

__all__ = ["Module", "Parameter", "StateDictError", "init", "Conv2d", "BatchNorm2d", "BatchNorm1d", "ReLU",
           "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "GlobalAvgPool2d", "Linear", "Flatten", "Sequential",
           "Identity", "Dropout", "ShortcutA", "GroupNorm", "ResidualFork", "ResidualJoin",
           "SyncBatchNorm", "convert_sync_batchnorm"]
