"""The model registry: every builder with its family, input size, paper and the keywords it takes.

Callers choose options from this metadata (``model_info(name).options``, ``.family``,
``.input_size``) instead of reading model names. A family file registers its builders with
``@register(...)``; CIFAR families also register a depth pattern so that any 6n+2 depth
("resnet8", "plain14", "preact20") resolves.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ModelInfo", "register", "register_depths", "model_info", "get_model", "list_models", "input_size"]

COMMON = frozenset({"num_classes", "in_channels"})
RESIDUAL = COMMON | {"norm_layer", "zero_init_residual", "shortcut"}


@dataclass(frozen=True)
class ModelInfo:
    name: str
    family: str
    input_size: int          # the paper's input side: 224 (ImageNet) or 32 (CIFAR)
    paper: str
    builder: object
    options: frozenset       # every keyword the builder accepts

    def build(self, **kw):
        unknown = sorted(set(kw) - self.options)
        if unknown:
            raise ValueError(f"model {self.name!r} takes no option {', '.join(unknown)}; "
                             f"it takes {', '.join(sorted(self.options))}")
        return self.builder(**kw)


_MODELS: dict[str, ModelInfo] = {}
_DEPTHS: list[tuple] = []


def register(family, input_size, paper, options=RESIDUAL, name=None):
    """Decorator: register ``fn`` under its name (or ``name``)."""
    def add(fn):
        key = name or fn.__name__
        _MODELS[key] = ModelInfo(key, family, input_size, paper, fn, frozenset(options))
        return fn
    return add


def register_depths(prefix, maker, family, input_size, paper, options=RESIDUAL):
    """Names ``prefix`` + depth (e.g. resnet8) build ``maker(depth, **kw)``; the maker checks the depth."""
    _DEPTHS.append((prefix, maker, family, input_size, paper, frozenset(options)))


def model_info(name: str) -> ModelInfo:
    if name in _MODELS:
        return _MODELS[name]
    for prefix, maker, family, size, paper, options in _DEPTHS:
        m = re.fullmatch(re.escape(prefix) + r"(\d+)", name)
        if m:
            depth = int(m.group(1))
            return ModelInfo(name, family, size, paper, lambda depth=depth, **kw: maker(depth, **kw), options)
    patterns = ", ".join(f"{p}N" for p, *_ in _DEPTHS)
    raise ValueError(f"unknown model {name!r}; known: {', '.join(_MODELS)} (and {patterns} for N = 6n+2)")


def get_model(name: str, **kw):
    """Build a registered model by name with the keywords its ``model_info(name).options`` lists."""
    return model_info(name).build(**kw)


def list_models(family: str | None = None) -> list[str]:
    """Registered names (optionally of one family), in registration order."""
    return [n for n, info in _MODELS.items() if family is None or info.family == family]


def input_size(name: str) -> int:
    """The paper's input resolution for a model name: 224 (ImageNet) or 32 (CIFAR)."""
    return model_info(name).input_size
