"""Write your own op with a hand-written backward, and gradient-check it.

    python examples/custom_op.py

The op here is Swish/SiLU, y = x * sigmoid(x), with dy/dx = s + x s (1 - s) for s = sigmoid(x).
A Function subclass implements forward(arrays) and backward(upstream gradient), saving only
what backward needs; array code goes through the array namespace so it runs on NumPy and CuPy.
"""
import numpy as np

import tinyres as tr
import tinyres.functional as F
from tinyres import backend


class Swish(tr.Function):
    """y = x * sigmoid(x).   dL/dx = gy * (s + x * s * (1 - s)),  s = sigmoid(x)."""
    op_name = "swish"

    def forward(self, x):
        xp = backend.namespace(x)
        s = 1.0 / (1.0 + xp.exp(-x))
        self.saved = (x, s)
        return x * s

    def backward(self, gy):
        x, s = self.saved
        return gy * (s + x * s * (1.0 - s))


def swish(x):
    return Swish()(x)


def main():
    rng = np.random.default_rng(0)
    x = tr.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    report = tr.gradcheck(swish, [x])
    print(report)
    # use it inside a network like any built-in op
    w = tr.tensor(rng.standard_normal((4, 2, 3, 3)), requires_grad=True)
    img = tr.tensor(rng.standard_normal((2, 2, 5, 5)), requires_grad=True)
    print(tr.gradcheck(lambda img, w: F.global_avg_pool2d(swish(F.conv2d(img, w, padding=1))), [img, w]))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
