"""Exercise 1 - the backward of add and mul, with broadcasting.

Every op of an autograd engine is a forward and a backward. The backward gets dL/dy (the
gradient of the loss with respect to the op's output, "gy") and returns dL/d(input) for
each input, by the chain rule. NumPy broadcasts in the forward: a of shape (3, 1) plus b
of shape (2, 3, 4) gives y of shape (2, 3, 4). Each element of a then fed 2*4 outputs, so
its gradient is the SUM of gy over those: the backward has to undo the broadcast.
"""
import numpy as np


def unbroadcast(g, shape):
    """Sum the gradient g (shape of the broadcast result) back down to ``shape``.

    Maths: an input of ``shape`` was broadcast to g.shape by (1) adding leading axes and
    (2) stretching axes of size 1. Its gradient sums g over both kinds of axes.
    Shapes: g has g.ndim >= len(shape) axes; the result has exactly ``shape``.
    Hint: sum the g.ndim - len(shape) leading axes away, then sum with keepdims=True over
    every axis i where shape[i] == 1 but g.shape[i] != 1.
    """
    lead = g.ndim - len(shape)
    if lead:
        g = g.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g


def add_backward(gy, a_shape, b_shape):
    """y = a + b (with broadcasting). Return (dL/da, dL/db).

    Maths: dy/da = 1 and dy/db = 1, so both get gy, summed back to their own shapes.
    Shapes: gy has the broadcast shape; the results have a_shape and b_shape.
    Hint: unbroadcast.
    """
    return unbroadcast(gy, a_shape), unbroadcast(gy, b_shape)


def mul_backward(gy, a, b):
    """y = a * b (elementwise, with broadcasting). Return (dL/da, dL/db).

    Maths: dL/da = gy * b and dL/db = gy * a (each input's gradient is scaled by the OTHER
    input), summed back to the input's shape.
    Shapes: as add_backward; a and b are the forward's input arrays.
    Hint: unbroadcast(gy * b, a.shape).
    """
    return unbroadcast(gy * b, a.shape), unbroadcast(gy * a, b.shape)
