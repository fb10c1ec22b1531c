"""Exercise 3 - ReLU.

From here on an op is two functions, as in CS231n: ``op_forward(inputs) -> (y, cache)``
keeps in ``cache`` what the backward needs, and ``op_backward(gy, cache)`` returns the
gradient of every input.
"""
import numpy as np


def relu_forward(x):
    """y = max(x, 0), elementwise. Return (y, cache).

    Shapes: x of any shape; y the same.
    Hint: np.maximum(x, 0). Do not modify x in place.
    """
    y = np.maximum(x, 0)
    return y, x


def relu_backward(gy, cache):
    """dL/dx = gy where x > 0, and 0 where x <= 0.

    Maths: dy/dx is 1 for x > 0 and 0 for x < 0; at x == 0 the library (like PyTorch) uses 0.
    Shapes: gy has the shape of y; the result the shape of x.
    Hint: multiply gy by the mask (x > 0).
    """
    x = cache
    return gy * (x > 0)
