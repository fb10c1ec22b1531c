"""Tensor: an array, its gradient, and the Function that created it.

``Tensor.backward`` walks the graph of Functions in reverse topological order,
computed iteratively (no recursion limit, so a 1,000-layer network is fine), and
hands each Function the gradient of its output. Gradients that meet at a tensor
used twice (fan-out) are summed into a fresh array; nothing is updated in place.
After backward the graph is freed (saved arrays dropped) unless
``retain_graph=True``, so memory stays flat over any number of iterations.

The order is the one extension point of the engine: :func:`override_backward_order`
installs another function for the duration of a ``with`` block (``tinyres.exercises.use_ops``
runs a learner's topological sort this way). An installed order is checked before any
backward runs, and an invalid one is refused with :class:`BackwardOrderError`.

Operators and array methods (``+``, ``@``, ``.sum()``, ``.to()``, ...) are attached by
``tinyres.ops.methods`` when the ops load: this module imports no op.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

from . import backend

__all__ = ["Tensor", "tensor", "no_grad", "enable_grad", "is_grad_enabled", "override_backward_order",
           "backward_order_override", "BackwardOrderError"]

_state = threading.local()


def is_grad_enabled() -> bool:
    return getattr(_state, "grad_enabled", True)


@contextmanager
def _grad_mode(enabled: bool):
    previous = is_grad_enabled()
    _state.grad_enabled = enabled
    try:
        yield
    finally:
        _state.grad_enabled = previous


def no_grad():
    """Context manager: operations inside record no graph (evaluation, weight updates)."""
    return _grad_mode(False)


def enable_grad():
    return _grad_mode(True)


class Tensor:
    """An array with an optional gradient.

    Attributes: ``data`` (the array, NumPy/CuPy/...), ``grad`` (an array of the same
    backend and shape, or None), ``requires_grad``, ``creator`` (the Function that
    produced it, None for leaves), ``name`` (optional, used in reports).
    """

    __array_priority__ = 1000  # so numpy_array * tensor calls Tensor.__rmul__

    def __init__(self, data, requires_grad: bool = False, name: str | None = None):
        self.data = data
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.creator = None
        self.name = name
        self._hooks = []
        self._retain_grad = False
        if self.requires_grad and not backend.is_floating(data):
            raise TypeError(f"only floating-point tensors can require gradients, got {data.dtype}")

    # ------------------------------------------------------------ properties
    @property
    def shape(self):
        return tuple(self.data.shape)

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        n = 1
        for s in self.data.shape:
            n *= s
        return n

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self) -> str:
        return backend.device_name(self.data)

    @property
    def xp(self):
        return backend.namespace(self.data)

    @property
    def is_leaf(self) -> bool:
        return self.creator is None

    def __len__(self):
        return self.data.shape[0]

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        fn = f", creator={self.creator.op_name}" if self.creator is not None else ""
        return (f"tensor(shape={self.shape}, dtype={_dtype_name(self.dtype)}, "
                f"device={self.device!r}{grad}{fn})")

    # ------------------------------------------------------------ conversion
    def numpy(self):
        """A host NumPy copy of the data (detached)."""
        return backend.to_numpy(self.data)

    def item(self) -> float:
        if self.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        value = self.numpy().reshape(())
        return value.item()

    def tolist(self):
        return self.numpy().tolist()

    def detach(self) -> "Tensor":
        """The same data, cut from the graph."""
        return Tensor(self.data)

    # ------------------------------------------------------------ gradients
    def zero_grad(self):
        self.grad = None

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        self._retain_grad = True

    def register_hook(self, hook):
        """Call ``hook(grad_array)`` once per backward, when the full gradient of this tensor is known.

        As in PyTorch, a hook that returns an array (or Tensor) replaces the gradient: later hooks,
        ``.grad`` and everything upstream see the new value; a hook that returns None only reads.
        The hook must not modify the array it is given. Returns a handle with ``remove()``.
        """
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    def backward(self, grad=None, retain_graph: bool = False):
        """Accumulate d(self)/d(leaf) * grad into ``leaf.grad`` for every leaf that requires it.

        ``grad`` (the upstream gradient) may be omitted only for a one-element tensor.
        """
        if not self.requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no graph "
                               "(was it computed under no_grad(), or from tensors without requires_grad?)")
        xp = self.xp
        if grad is None:
            if self.size != 1:
                raise RuntimeError(f"backward(): grad must be given for a non-scalar output of shape "
                                   f"{self.shape} (it is the upstream gradient dL/d(output))")
            grad = xp.ones(self.data.shape, dtype=self.dtype, device=backend.device_of(self.data))
        else:
            grad = grad.data if isinstance(grad, Tensor) else backend.asarray(grad, dtype=self.dtype)
            if tuple(grad.shape) != self.shape:
                raise ValueError(f"backward(): grad has shape {tuple(grad.shape)}, output has shape {self.shape}")
            if backend.device_name(grad) != self.device:
                raise ValueError(f"backward(): grad is on {backend.device_name(grad)}, output on {self.device}")
        _run_backward(self, grad, retain_graph)


def _dtype_name(dt):
    return backend.dtype_name(dt)


class _HookHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def tensor(data, requires_grad: bool = False, device=None, dtype=None, name=None) -> Tensor:
    """Make a leaf Tensor from a list, scalar, NumPy/CuPy array or another Tensor's data.

    Python floats become float32 (the default dtype); arrays keep their dtype unless
    ``dtype`` is given, and stay on their device unless ``device`` is given.
    """
    if isinstance(data, Tensor):
        data = data.data
    return Tensor(backend.asarray(data, dtype=dtype, device=device), requires_grad=requires_grad, name=name)


# ---------------------------------------------------------------- the engine

def _topological_order(root_fn):
    """Functions reachable from root_fn, each after every Function that consumes its output."""
    post = []
    visited = set()
    stack = [(root_fn, False)]
    while stack:
        fn, finished = stack.pop()
        if finished:
            post.append(fn)
            continue
        if id(fn) in visited:
            continue
        visited.add(id(fn))
        stack.append((fn, True))
        for t in fn.inputs:
            if t.creator is not None and id(t.creator) not in visited:
                stack.append((t.creator, False))
    post.reverse()
    return post


class BackwardOrderError(RuntimeError):
    """An order installed with :func:`override_backward_order` is not a valid order of the graph."""


# the installed order, as (function, name used in messages); empty: the library's order runs
_order_table = {}


@contextmanager
def override_backward_order(order_fn, name=None):
    """Within the block, ``backward()`` orders the graph with ``order_fn(root_fn)``.

    ``order_fn`` takes the Function that created the tensor ``backward()`` was called on and
    returns a list of every Function reachable from it, each once, each before the Functions
    that created its inputs (so the root comes first). Each order it returns is checked
    before any gradient is computed: a Function missing, listed twice, unreachable, or before
    one of its consumers raises :class:`BackwardOrderError` naming ``name``, rather than
    computing wrong gradients. The table is process-wide; the previous order comes back when
    the block exits, also on an exception.
    """
    if not callable(order_fn):
        raise TypeError(f"override_backward_order: order_fn must be callable, got {type(order_fn).__name__}")
    previous = dict(_order_table)
    _order_table["order"] = (order_fn, name or getattr(order_fn, "__name__", repr(order_fn)))
    try:
        yield
    finally:
        _order_table.clear()
        _order_table.update(previous)


def backward_order_override():
    """The installed ``(order_fn, name)``, or None when the library's order runs."""
    return _order_table.get("order")


def _checked_order(root_fn, order_fn, name):
    """``order_fn(root_fn)``, refused unless it is a topological order of exactly the Functions
    reachable from root_fn (checked in one pass over the edges, before anything runs)."""
    def refuse(problem):
        return BackwardOrderError(f"backward(): the order from {name} is invalid: {problem}; "
                                  f"the engine refuses it rather than compute wrong gradients")
    try:
        order = order_fn(root_fn)
    except Exception as exc:
        raise BackwardOrderError(f"backward(): {name} raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(order, (list, tuple)):
        raise refuse(f"it returned an object of type {type(order).__name__}, not a list of Functions")
    pos = {}
    for i, fn in enumerate(order):
        if id(fn) in pos:
            raise refuse(f"'{getattr(fn, 'op_name', fn)}' is listed twice (its backward would run twice)")
        pos[id(fn)] = i
    if id(root_fn) not in pos:
        raise refuse(f"the root '{root_fn.op_name}' (the Function backward() starts from) is missing")
    # Walking the list front to back, a Function is reached once a reached consumer names it;
    # with every consumer listed first, everything reachable is reached by the time it comes up.
    reached = {id(root_fn)}
    for fn in order:
        if id(fn) not in reached:
            if any(id(f) == id(fn) for f in _topological_order(root_fn)):
                raise refuse(f"'{fn.op_name}' is listed before every Function that consumes its output "
                             f"(its backward would run before its gradient is complete)")
            raise refuse(f"'{getattr(fn, 'op_name', fn)}' is not a Function reachable from the root")
        for t in fn.inputs:
            c = t.creator
            if c is None:
                continue
            if id(c) not in pos:
                raise refuse(f"'{c.op_name}' (an input of '{fn.op_name}') is missing")
            if pos[id(c)] < pos[id(fn)]:
                raise refuse(f"'{c.op_name}' is listed before '{fn.op_name}', which consumes its output "
                             f"(its backward would run before its gradient is complete)")
            reached.add(id(c))
    return order


def _accumulate(old, new):
    return new if old is None else old + new  # '+' allocates: never writes into either operand


def _run_hooks(t: Tensor, g):
    """Tensor t's hooks in registration order; a non-None return value replaces the gradient."""
    for hook in list(t._hooks):
        new = hook(g)
        if new is not None:
            new = new.data if isinstance(new, Tensor) else new
            if tuple(new.shape) != tuple(g.shape) or backend.device_name(new) != backend.device_name(g):
                raise RuntimeError(f"backward(): a hook returned a gradient of shape {tuple(new.shape)} on "
                                   f"{backend.device_name(new)}; the tensor's gradient has shape "
                                   f"{tuple(g.shape)} on {backend.device_name(g)}")
            g = new
    return g


def _deliver(t: Tensor, g):
    """Run hooks of tensor t and store its gradient if it is a leaf (or retains grad); return the
    gradient as the hooks left it."""
    g = _run_hooks(t, g)
    if t.creator is None or t._retain_grad:
        # A leaf's .grad owns its memory: the same array may have been handed to several
        # inputs (residual add gives dL/dy to both paths), and users may edit .grad in place.
        xp = backend.namespace(g)
        t.grad = xp.asarray(g, copy=True) if t.grad is None else t.grad + g
    return g


def _run_backward(root: Tensor, grad, retain_graph: bool):
    if root.creator is None:
        _deliver(root, grad)
        return
    if root.creator.freed:
        raise RuntimeError(root.creator.freed_message())
    installed = _order_table.get("order")
    order = _topological_order(root.creator) if installed is None else _checked_order(root.creator, *installed)
    pending = {id(root.creator): grad}
    # A leaf used several times receives one gradient per use; they are summed first so that
    # its hooks run once, on the full gradient, as for any other tensor.
    leaves = {}
    for fn in order:
        if fn.freed:
            raise RuntimeError(fn.freed_message())
        gy = pending.pop(id(fn), None)
        if gy is None:  # output does not influence the root
            continue
        out = fn.output()
        if out is not None and (out._hooks or out._retain_grad):
            gy = _deliver(out, gy)
        gxs = fn.backward_checked(gy)
        inputs = fn.inputs
        if not retain_graph:
            fn.release()
        for t, gx in zip(inputs, gxs):
            if gx is None or not t.requires_grad:
                continue
            if t.creator is None:
                old = leaves.get(id(t))
                leaves[id(t)] = (t, gx if old is None else _accumulate(old[1], gx))
            else:
                pending[id(t.creator)] = _accumulate(pending.get(id(t.creator)), gx)
    for t, g in leaves.values():
        _deliver(t, g)
