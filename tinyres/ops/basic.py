"""Arithmetic, shape and reduction ops.

Broadcasting: forward lets the array library broadcast; backward must undo it.
If x of shape (3, 1) was broadcast to (2, 3, 4), each element of x fed 2*4 outputs,
so dL/dx sums dL/dy over the broadcast axes (:func:`unbroadcast`).
"""
from __future__ import annotations

import math
from numbers import Integral

import array_api_extra as xpx

from .. import backend
from ..function import Function, OpError, as_tensor
from ..tensor import Tensor
from . import _checks as check

__all__ = ["add", "sub", "mul", "div", "neg", "pow", "exp", "log", "matmul", "reshape", "flatten",
           "transpose", "sum", "mean", "getitem", "pad", "cat", "to_device", "astype", "unbroadcast"]


def unbroadcast(g, shape):
    """Sum gradient g (shape of the broadcast result) back down to ``shape``."""
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    xp = backend.namespace(g)
    lead = g.ndim - len(shape)
    if lead:
        g = xp.sum(g, axis=tuple(range(lead)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    if axes:
        g = xp.sum(g, axis=axes, keepdims=True)
    return g


def _binary(fn_cls, a, b):
    """Two Tensors, or a Tensor and a Python number (made a 0-d tensor of the other's dtype)."""
    op = fn_cls.op_name
    if not isinstance(a, Tensor):
        check.tensor(b, op, "other")
        a = as_tensor(check.number(a, op, "input"), like=b)
    elif not isinstance(b, Tensor):
        b = as_tensor(check.number(b, op, "other"), like=a)
    return fn_cls()(a, b)


# ---------------------------------------------------------------- elementwise

class Add(Function):
    """y = a + b.  dy/da = 1, dy/db = 1: the upstream gradient passes to both."""

    def forward(self, a, b):
        self.shapes = (a.shape, b.shape)
        return a + b

    def backward(self, gy):
        return unbroadcast(gy, self.shapes[0]), unbroadcast(gy, self.shapes[1])


class Sub(Function):
    """y = a - b.  dL/da = gy, dL/db = -gy."""

    def forward(self, a, b):
        self.shapes = (a.shape, b.shape)
        return a - b

    def backward(self, gy):
        return unbroadcast(gy, self.shapes[0]), unbroadcast(-gy, self.shapes[1])


class Mul(Function):
    """y = a * b.  dL/da = gy * b, dL/db = gy * a."""

    def forward(self, a, b):
        self.saved = (a, b)
        return a * b

    def backward(self, gy):
        a, b = self.saved
        ga = unbroadcast(gy * b, a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(gy * a, b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Div(Function):
    """y = a / b.  dL/da = gy / b, dL/db = -gy * a / b**2."""

    def forward(self, a, b):
        self.saved = (a, b)
        return a / b

    def backward(self, gy):
        a, b = self.saved
        ga = unbroadcast(gy / b, a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(-gy * a / (b * b), b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Neg(Function):
    """y = -x.  dL/dx = -gy."""

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Pow(Function):
    """y = x**p for a constant p.  dL/dx = gy * p * x**(p-1)."""

    def __init__(self, p):
        self.p = p

    def forward(self, x):
        self.saved = x
        return x ** self.p

    def backward(self, gy):
        x = self.saved
        return gy * self.p * x ** (self.p - 1)


class Exp(Function):
    """y = exp(x).  dL/dx = gy * y."""

    def forward(self, x):
        y = backend.namespace(x).exp(x)
        self.saved = y
        return y

    def backward(self, gy):
        return gy * self.saved


class Log(Function):
    """y = log(x).  dL/dx = gy / x."""

    def forward(self, x):
        self.saved = x
        return backend.namespace(x).log(x)

    def backward(self, gy):
        return gy / self.saved


def add(a, b):
    return _binary(Add, a, b)


def sub(a, b):
    return _binary(Sub, a, b)


def mul(a, b):
    return _binary(Mul, a, b)


def div(a, b):
    return _binary(Div, a, b)


def neg(x):
    check.tensor(x, "neg")
    return Neg()(x)


def pow(x, p):
    check.tensor(x, "pow")
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise OpError(f"pow: exponent must be a Python number, got {type(p).__name__}")
    return Pow(p)(x)


def exp(x):
    check.tensor(x, "exp")
    return Exp()(x)


def log(x):
    check.tensor(x, "log")
    return Log()(x)


# ---------------------------------------------------------------- matmul

class MatMul(Function):
    """Y = A @ B (batched, broadcasting).  dL/dA = G @ B^T, dL/dB = A^T @ G."""

    def forward(self, a, b):
        self.saved = (a, b)
        return backend.namespace(a).matmul(a, b)

    def backward(self, gy):
        a, b = self.saved
        xp = backend.namespace(gy)
        ga = unbroadcast(xp.matmul(gy, xp.matrix_transpose(b)), a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(xp.matmul(xp.matrix_transpose(a), gy), b.shape) if self.needs_input_grad[1] else None
        return ga, gb


def matmul(a, b):
    check.tensors("matmul", input=a, other=b)
    if a.ndim < 2 or b.ndim < 2:
        raise OpError(f"matmul: both operands need at least 2 dimensions, got shapes {a.shape} and {b.shape}")
    if a.shape[-1] != b.shape[-2]:
        raise OpError(f"matmul: inner dimensions differ: {a.shape} @ {b.shape}")
    return MatMul()(a, b)


# ---------------------------------------------------------------- shapes

class Reshape(Function):
    """Same elements, new shape; backward reshapes the gradient back."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.in_shape = x.shape
        return backend.namespace(x).reshape(x, self.shape)

    def backward(self, gy):
        return backend.namespace(gy).reshape(gy, self.in_shape)


def reshape(x, shape):
    check.tensor(x, "reshape")
    if isinstance(shape, Integral):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(isinstance(s, Integral) and not isinstance(s, bool)
                                                       for s in shape):
        raise OpError(f"reshape: shape must be a sequence of ints, got {shape!r}")
    shape = tuple(int(s) for s in shape)
    if any(s < -1 for s in shape):
        raise OpError(f"reshape: invalid size in shape {shape}")
    known = math.prod(s for s in shape if s != -1)
    if shape.count(-1) > 1 or (shape.count(-1) == 0 and known != x.size) or \
            (shape.count(-1) == 1 and (known == 0 or x.size % known)):
        raise OpError(f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) to {shape}")
    return Reshape(shape)(x)


def flatten(x, start_dim: int = 1):
    """Merge the dimensions from ``start_dim`` on (default: keep the batch dimension)."""
    check.tensor(x, "flatten")
    start = check.axis(start_dim, max(x.ndim, 1), "flatten", "start_dim")
    return reshape(x, x.shape[:start] + (-1,))


class Transpose(Function):
    """Permute axes; backward applies the inverse permutation."""

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return backend.namespace(x).permute_dims(x, self.axes)

    def backward(self, gy):
        inverse = tuple(sorted(range(len(self.axes)), key=self.axes.__getitem__))
        return backend.namespace(gy).permute_dims(gy, inverse)


def transpose(x, axes=None):
    check.tensor(x, "transpose")
    if axes is None:
        axes = tuple(range(x.ndim))[::-1]
    elif not isinstance(axes, (tuple, list)):
        raise OpError(f"transpose: axes must be a tuple of ints, got {axes!r}")
    elif len(axes) != x.ndim:
        raise OpError(f"transpose: axes {tuple(axes)} must list each of the {x.ndim} axes of shape {x.shape} once")
    else:
        axes = tuple(check.axis(a, x.ndim, "transpose") for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise OpError(f"transpose: axes {axes} are not a permutation of the {x.ndim} axes of shape {x.shape}")
    return Transpose(axes)(x)


class Sum(Function):
    """y = sum of x over axes.  Each x element contributes once: dL/dx = gy broadcast back."""

    def __init__(self, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x):
        self.in_shape = x.shape
        return backend.namespace(x).sum(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy):
        xp = backend.namespace(gy)
        if not self.keepdims:
            kept = tuple(1 if i in self.axes else s for i, s in enumerate(self.in_shape))
            gy = xp.reshape(gy, kept)
        return xp.broadcast_to(gy, self.in_shape)


class Mean(Sum):
    """y = mean of x over axes (n elements each).  dL/dx = gy / n broadcast back."""

    def forward(self, x):
        self.n = math.prod(x.shape[a] for a in self.axes)
        return super().forward(x) / self.n

    def backward(self, gy):
        return super().backward(gy / self.n)


def sum(x, axis=None, keepdims=False):
    check.tensor(x, "sum")
    return Sum(check.axes(axis, x.ndim, "sum"), keepdims)(x)


def mean(x, axis=None, keepdims=False):
    check.tensor(x, "mean")
    return Mean(check.axes(axis, x.ndim, "mean"), keepdims)(x)


class GetItem(Function):
    """y = x[index] (ints, slices, Ellipsis).  Backward scatters gy into zeros of x's shape."""

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.in_shape, self.in_dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, gy):
        xp = backend.namespace(gy)
        gx = xp.zeros(self.in_shape, dtype=self.in_dtype, device=backend.device_of(gy))
        gx[self.index] = gy
        return gx


def getitem(x, index):
    check.tensor(x, "getitem")
    if not isinstance(index, tuple):
        index = (index,)
    if not all((isinstance(i, (int, slice)) and not isinstance(i, bool)) or i is Ellipsis for i in index):
        raise OpError(f"getitem: only integers, slices and ... are supported as indices, got {index!r}")
    if index.count(Ellipsis) > 1:
        raise OpError("getitem: an index can have only one ...")
    if len(index) - index.count(Ellipsis) > x.ndim:
        raise OpError(f"getitem: {len(index) - index.count(Ellipsis)} indices for a tensor of rank {x.ndim}")
    if Ellipsis not in index:
        index = index + (Ellipsis,)
    cut = index.index(Ellipsis)   # axes before ... count from the front, after it from the back
    for ax, i in list(enumerate(index[:cut])) + list(enumerate(index[cut + 1:], x.ndim - len(index) + cut + 1)):
        if isinstance(i, int) and not -x.shape[ax] <= i < x.shape[ax]:
            raise OpError(f"getitem: index {i} is out of range for axis {ax} of size {x.shape[ax]}")
    return GetItem(index)(x)


class Pad(Function):
    """Constant padding; backward slices the padded border off the gradient."""

    def __init__(self, widths, value):
        self.widths, self.value = widths, value

    def forward(self, x):
        return xpx.pad(x, self.widths, constant_values=self.value)

    def backward(self, gy):
        index = tuple(slice(lo, gy.shape[i] - hi) for i, (lo, hi) in enumerate(self.widths))
        return gy[index]


def pad(x, pad, value=0.0):
    """Pad like torch.nn.functional.pad: ``pad`` lists (left, right) pairs from the LAST axis."""
    check.tensor(x, "pad")
    if not isinstance(pad, (tuple, list)) or not all(isinstance(p, Integral) and not isinstance(p, bool)
                                                     for p in pad):
        raise OpError(f"pad: pad must be a sequence of ints, got {pad!r}")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise OpError(f"pad: expected pairs for at most {x.ndim} axes, got {pad}")
    if any(int(p) < 0 for p in pad):
        raise OpError(f"pad: negative padding {pad} is not supported")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    return Pad(tuple(widths), value)(x)


class Cat(Function):
    """Concatenate along an axis; backward cuts the gradient back into the pieces."""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] for x in xs]
        return backend.namespace(*xs).concat(xs, axis=self.axis)

    def backward(self, gy):
        grads, start = [], 0
        for n in self.sizes:
            index = [slice(None)] * gy.ndim
            index[self.axis] = slice(start, start + n)
            grads.append(gy[tuple(index)])
            start += n
        return tuple(grads)


def cat(tensors, axis=0):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)):
        raise OpError(f"cat: tensors must be a list or tuple of Tensors, got {type(tensors).__name__}")
    tensors = list(tensors)
    if not tensors:
        raise OpError("cat: needs at least one tensor")
    for i, t in enumerate(tensors):
        check.tensor(t, "cat", f"tensors[{i}]")
    if tensors[0].ndim == 0:
        raise OpError("cat: zero-dimensional tensors cannot be concatenated")
    axis = check.axis(axis, tensors[0].ndim, "cat")
    ref = tensors[0].shape
    for t in tensors[1:]:
        if t.ndim != len(ref) or any(a != b for i, (a, b) in enumerate(zip(t.shape, ref)) if i != axis):
            raise OpError(f"cat: shapes {ref} and {t.shape} differ outside axis {axis}")
    return Cat(axis)(*tensors)


# ---------------------------------------------------------------- device and dtype

class ToDevice(Function):
    """Move to another device; the gradient moves back to where the input lives."""

    def __init__(self, device):
        self.device = device

    def forward(self, x):
        self.source = backend.device_name(x)
        return backend.to_device(x, self.device)

    def backward(self, gy):
        return backend.to_device(gy, self.source)


def to_device(x, device):
    check.tensor(x, "to_device")
    try:
        target = backend.parse_device(device)
    except ValueError as exc:      # an unknown name; a missing GPU stays a DeviceError
        raise OpError(f"to_device: {exc}") from None
    return ToDevice(target)(x)


class AsType(Function):
    """Change dtype; the gradient is cast back to the input's dtype."""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return backend.namespace(x).astype(x, self.dtype)

    def backward(self, gy):
        return backend.namespace(gy).astype(gy, self.in_dtype)


def astype(x, dtype):
    check.tensor(x, "astype")
    try:
        dt = backend.resolve_dtype(x.xp, dtype)
    except ValueError as exc:
        raise OpError(f"astype: {exc}") from None
    return AsType(dt)(x)
