"""Exercise 11 - SGD with momentum and weight decay, exactly as torch.optim.SGD.

The paper trains with momentum 0.9 and weight decay 1e-4. PyTorch adds the decay to the
gradient BEFORE the momentum buffer, so the buffer accumulates it too.
"""


def sgd_step(p, g, buf, lr, momentum, weight_decay):
    """One update of one parameter. Return (new p, new buf).

    Maths (PyTorch, dampening 0, no Nesterov):
        d = g + weight_decay * p
        buf = d                      on the first step (buf is None)
        buf = momentum * buf + d     afterwards
        p = p - lr * buf
    Shapes: p, g and buf have one shape. Return new arrays; do not modify p, g or buf in place.
    Hint: lr may change between steps (a schedule); it must not be folded into buf.
    """
    d = g + weight_decay * p
    buf = d.copy() if buf is None else momentum * buf + d
    return p - lr * buf, buf
