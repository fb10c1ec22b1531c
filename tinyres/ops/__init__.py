"""Differentiable ops, one module per family. Public entry point: ``tinyres.functional``."""
from .methods import attach

attach()
