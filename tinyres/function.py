"""Function: one differentiable operation, with a forward and a hand-written backward.

A subclass implements ``forward(*arrays) -> array`` and ``backward(gy) -> grads``
(one gradient per input, ``None`` for inputs that need none), keeping in
``self.saved`` only what backward needs. Calling the Function on Tensors runs
forward and, when gradients are wanted, links the output into the graph.
"""
from __future__ import annotations

import weakref

from . import backend
from .tensor import Tensor, is_grad_enabled

__all__ = ["Function", "as_tensor", "OpError", "check_same_device"]


class OpError(ValueError):
    """Bad input to an op: the message names the op, what it expected and what it got."""


def as_tensor(x, like: Tensor | None = None) -> Tensor:
    """Tensors pass through; Python numbers become 0-d tensors of ``like``'s dtype and device."""
    if isinstance(x, Tensor):
        return x
    if like is not None:
        xp = like.xp
        return Tensor(xp.asarray(x, dtype=like.dtype, device=backend.device_of(like.data)))
    return Tensor(backend.asarray(x))


def check_same_device(op, tensors):
    devices = sorted({t.device for t in tensors})
    if len(devices) > 1:
        raise OpError(f"{op}: inputs are on different devices {devices}; "
                      f"move them to one device first, e.g. t.to('cpu')")


class Function:
    """Base class of every op. Instances are single-use: one call, one graph node."""

    op_name: str = ""  # used in error messages; defaults to the class name

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if not cls.__dict__.get("op_name"):
            cls.op_name = cls.__name__.lower()

    def __call__(self, *inputs: Tensor) -> Tensor:
        for i, t in enumerate(inputs):   # the public ops name the argument; this catches the rest
            if not isinstance(t, Tensor):
                got = "None" if t is None else f"{type(t).__name__}; wrap data with tinyres.tensor(...)"
                raise OpError(f"{self.op_name}: input {i} must be a Tensor, got {got}")
        check_same_device(self.op_name, inputs)
        self.needs_input_grad = tuple(t.requires_grad for t in inputs)
        self.saved = None
        y = self.forward(*(t.data for t in inputs))
        out = Tensor(y)
        if is_grad_enabled() and any(self.needs_input_grad):
            out.requires_grad = True
            out.creator = self
            self.inputs = inputs
            self._output = weakref.ref(out)
            self.freed = False
        return out

    def forward(self, *xs):
        raise NotImplementedError

    def backward(self, gy):
        raise NotImplementedError

    # ------------------------------------------------------------ engine hooks
    def backward_checked(self, gy):
        gxs = self.backward(gy)
        if not isinstance(gxs, tuple):
            gxs = (gxs,)
        if len(gxs) != len(self.inputs):
            raise RuntimeError(f"{self.op_name}.backward returned {len(gxs)} gradients "
                               f"for {len(self.inputs)} inputs")
        for t, g in zip(self.inputs, gxs):
            if g is not None and t.requires_grad and tuple(g.shape) != t.shape:
                raise RuntimeError(f"{self.op_name}.backward returned a gradient of shape "
                                   f"{tuple(g.shape)} for an input of shape {t.shape}")
        return gxs

    def output(self):
        return self._output()

    def release(self):
        """Drop what forward saved and the links to the inputs (the graph is freed)."""
        self.saved = None
        self.inputs = ()
        self.freed = True

    def freed_message(self):
        return (f"{self.op_name}: backward through a graph that was already freed by an earlier "
                f"backward(); pass retain_graph=True to the first backward() to go through it twice")
