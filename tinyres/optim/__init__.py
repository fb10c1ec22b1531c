"""Optimizers and learning-rate schedules with PyTorch's semantics."""
from . import lr_scheduler
from .sgd import SGD, Optimizer

__all__ = ["SGD", "Optimizer", "lr_scheduler"]
