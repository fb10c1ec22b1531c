"""Optimizers and learning-rate schedules with PyTorch's semantics."""
from . import lr_scheduler
from .sgd import SGD, Optimizer, override_sgd_step, sgd_step_override

__all__ = ["SGD", "Optimizer", "lr_scheduler", "override_sgd_step", "sgd_step_override"]
