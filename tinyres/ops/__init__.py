"""Differentiable ops, one module per family. Public entry point: ``tinyres.functional``."""
