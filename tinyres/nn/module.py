"""Module and Parameter: the PyTorch-like container surface.

Parameters, buffers and submodules are registered by assignment, in order, and every
listing (parameters(), state_dict(), ...) follows that registration order.
"""
from __future__ import annotations

from collections import OrderedDict

from .. import backend
from ..tensor import Tensor

__all__ = ["Module", "Parameter", "StateDictError"]


class Parameter(Tensor):
    """A Tensor that is a learnable weight of a Module (requires_grad by default)."""

    def __init__(self, data, requires_grad: bool = True):
        if isinstance(data, Tensor):
            data = data.data
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class StateDictError(KeyError):
    """load_state_dict found missing, unexpected or wrongly shaped entries."""

    def __str__(self):
        return self.args[0]


class _Handle:
    def __init__(self, registry, key):
        self.registry, self.key = registry, key

    def remove(self):
        self.registry.pop(self.key, None)


class Module:
    """Base class of layers and networks. Subclasses define ``forward``."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}.__init__ must call super().__init__() first")
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        elif name in self.__dict__.get("_buffer_names", ()):
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        for registry in ("_parameters", "_buffers", "_modules"):
            d = self.__dict__.get(registry)
            if d is not None and name in d:
                return d[name]
        raise AttributeError(f"'{type(self).__name__}' has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                return
        object.__delattr__(self, name)

    def register_buffer(self, name, tensor: Tensor | None):
        """A state tensor that is saved in state_dict but not trained (e.g. running_mean)."""
        if "_buffer_names" not in self.__dict__:
            object.__setattr__(self, "_buffer_names", set())
        self._buffer_names.add(name)
        self._buffers[name] = tensor

    def add_module(self, name, module):
        self._modules[name] = module

    # ------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        for hook in list(self._forward_pre_hooks.values()):
            new = hook(self, args)
            if new is not None:         # PyTorch's rule: a lone value stands for a one-element tuple
                args = new if isinstance(new, tuple) else (new,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            new = hook(self, args, out)
            if new is not None:
                out = new
        return out

    def register_forward_pre_hook(self, hook):
        """Call ``hook(module, inputs)`` before every forward; ``inputs`` is the tuple of positional
        arguments. A non-None return value replaces them (a non-tuple means a one-element tuple).
        Returns a handle with remove()."""
        key = object()
        self._forward_pre_hooks[key] = hook
        return _Handle(self._forward_pre_hooks, key)

    def register_forward_hook(self, hook):
        """Call ``hook(module, inputs, output)`` after every forward; a non-None return value
        replaces the output. Returns a handle with remove()."""
        key = object()
        self._forward_hooks[key] = hook
        return _Handle(self._forward_hooks, key)

    # ------------------------------------------------------------ traversal
    def named_children(self):
        return iter(self._modules.items())

    def children(self):
        return iter(self._modules.values())

    def named_modules(self, prefix=""):
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        return (m for _, m in self.named_modules())

    def _named(self, registry, prefix="", recurse=True):
        seen = set()
        modules = self.named_modules() if recurse else [("", self)]
        for mod_name, module in modules:
            for name, t in getattr(module, registry).items():
                if t is None or id(t) in seen:
                    continue
                seen.add(id(t))
                full = f"{mod_name}.{name}" if mod_name else name
                yield (f"{prefix}.{full}" if prefix else full), t

    def named_parameters(self, prefix="", recurse=True):
        return self._named("_parameters", prefix, recurse)

    def parameters(self, recurse=True):
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix="", recurse=True):
        return self._named("_buffers", prefix, recurse)

    def buffers(self, recurse=True):
        return (b for _, b in self.named_buffers(recurse=recurse))

    # ------------------------------------------------------------ modes and devices
    def train(self, mode: bool = True):
        """Training mode for this module and all submodules (each module keeps its own flag)."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self):
        return self.train(False)

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None

    def to(self, device=None, dtype=None):
        """Move parameters and buffers to ``device`` and/or cast floating ones to ``dtype``, in place."""
        device = backend.parse_device(device) if device is not None else None
        for t in list(self.parameters()) + list(self.buffers()):
            data = t.data
            if device is not None:
                data = backend.to_device(data, device)
            if dtype is not None and backend.is_floating(data):
                data = backend.asarray(data, dtype=dtype)
            t.data = data
            if t.grad is not None:
                t.grad = None
        return self

    @property
    def device(self) -> str:
        for t in self.parameters():
            return t.device
        return "cpu"

    # ------------------------------------------------------------ state
    def state_dict(self):
        """Name -> array (parameters and buffers, registration order), torchvision's names."""
        state = OrderedDict()
        for mod_name, module in self.named_modules():
            for registry in (module._parameters, module._buffers):
                for name, t in registry.items():
                    if t is not None:
                        state[f"{mod_name}.{name}" if mod_name else name] = t.data
        return state

    def load_state_dict(self, state, strict: bool = True):
        """Copy arrays (any backend, NumPy, Tensors) into parameters and buffers.

        Values are converted to each parameter's device and dtype. ``num_batches_tracked``
        entries may be absent or extra (PyTorch checkpoints differ there). With strict=True
        any missing, unexpected or wrongly shaped key raises StateDictError listing all.
        Returns (missing, unexpected) like torch.
        """
        own = OrderedDict()
        for mod_name, module in self.named_modules():
            for registry in (module._parameters, module._buffers):
                for name, t in registry.items():
                    if t is not None:
                        own[f"{mod_name}.{name}" if mod_name else name] = t
        optional = lambda k: k.endswith("num_batches_tracked")  # noqa: E731
        missing = [k for k in own if k not in state and not optional(k)]
        unexpected = [k for k in state if k not in own and not optional(k)]
        wrong = []
        converted = {}
        for key, t in own.items():
            if key not in state:
                continue
            value = state[key]
            value = value.data if isinstance(value, Tensor) else value
            dtype = backend.dtype_name(t.dtype)
            array = backend.asarray(backend.to_numpy(value) if backend.is_array(value) else value,
                                    dtype=dtype, device=t.device)
            if tuple(array.shape) != t.shape:
                wrong.append(f"{key}: checkpoint {tuple(array.shape)}, model {t.shape}")
            converted[key] = array
        if strict and (missing or unexpected or wrong):
            parts = []
            if missing:
                parts.append(f"missing keys ({len(missing)}): {', '.join(missing[:10])}" + (" ..." if len(missing) > 10 else ""))
            if unexpected:
                parts.append(f"unexpected keys ({len(unexpected)}): {', '.join(unexpected[:10])}" + (" ..." if len(unexpected) > 10 else ""))
            if wrong:
                parts.append("wrong shapes: " + "; ".join(wrong[:10]))
            raise StateDictError(f"load_state_dict into {type(self).__name__}: " + " | ".join(parts))
        for key, array in converted.items():
            if tuple(array.shape) == own[key].shape:
                own[key].data = array
        return missing, unexpected

    # ------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        return ""

    def __repr__(self):
        lines = []
        for name, child in self._modules.items():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n" + "\n".join(lines) + "\n)"
