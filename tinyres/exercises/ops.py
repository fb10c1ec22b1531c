"""Run the learner's code in the real engine.

    from tinyres.exercises import use_ops
    with use_ops("ws") as ops:
        ...                   # every F.conv2d, F.batch_norm, ..., and so every layer and model,
        ops.calls             # every backward() and every SGD.step run the workspace's code;
                              # calls counts what ran

It grades the exercises it needs first and refuses (:class:`OpsNotReady`, naming them) while
any of them fails. Inside, three public extension points hold the workspace's code, and each
gives the library's back on exit, also after an exception:

- :func:`tinyres.functional.override` maps each overridable op to a
  :class:`~tinyres.exercises.bridge.LearnerFunction` built from the workspace's forward and backward;
- :func:`tinyres.tensor.override_backward_order` makes ``Tensor.backward`` walk the graph in the
  order of the learner's ``topological_order`` (exercise 2); the engine checks every order it
  gets and refuses an invalid one, naming the exercise, instead of computing wrong gradients;
- :func:`tinyres.optim.override_sgd_step` makes every ``SGD.step`` update each parameter with the
  learner's ``sgd_step`` (exercise 11), inside the library's SGD (parameter groups, schedules,
  ``state_dict`` and checkpoints stay the library's). It has no Nesterov momentum.

What stays the library's: the tensor operators (+, *, ...; exercise 1 is graded, not swapped in),
batch norm in eval mode (a fixed affine map of the running statistics; the running statistics
are updated here, from the batch, as the library does), and cross-entropy with reduction "sum"
or "none" (evaluation; the exercise is the mean).
The learner's ops work on NumPy arrays: use them on the "cpu" device.
"""
from __future__ import annotations

from contextlib import contextmanager

from .. import backend
from .. import functional as F
from ..function import OpError
from ..i18n import M, _
from ..optim import override_sgd_step
from ..ops.residual import ResidualAdd
from ..tensor import Tensor, override_backward_order
from .bridge import LearnerFunction
from .workspace import load_module

__all__ = ["use_ops", "OpsNotReady", "OPS_EXERCISES", "LearnerOps"]

#: the exercises whose code use_ops runs (conv2d needs im2col)
OPS_EXERCISES = ("topological_sort", "relu", "linear", "cross_entropy", "im2col", "conv2d", "max_pool2d",
                 "batch_norm", "residual", "sgd")

# how the engine names the learner's code in its messages
ORDER_NAME = "your topological_order (exercise topological_sort, ex02_topological_sort.py)"
SGD_NAME = "your sgd_step (exercise sgd, ex11_sgd.py)"


class OpsNotReady(ValueError):
    """use_ops was asked for a workspace whose exercises do not all pass yet."""


def _cpu(op, *tensors):
    for t in tensors:
        if t is not None and t.device != "cpu":
            raise OpError(_("{op} from your exercises: your ops work on NumPy arrays, so run on the cpu device (got "
                            "a tensor on {device})", op=op, device=t.device))


def _square(v, what, op):
    if isinstance(v, (tuple, list)):
        if len(v) != 2 or v[0] != v[1]:
            raise OpError(_("{op} from your exercises takes the same {what} along height and width, got {value!r}",
                            op=op, what=what, value=v))
        v = v[0]
    return int(v)


def _zeros(n, like):
    xp = like.xp
    return Tensor(xp.zeros((n,), dtype=like.dtype, device=backend.device_of(like.data)))


class _LearnerResidualAdd(LearnerFunction, ResidualAdd):
    """The learner's residual add, still a ResidualAdd: gradient tracing (tinyres gradflow) hears
    its backward like the library's, so the plots show the learner's add at work."""

    def __init__(self, tag, forward, backward, calls):
        LearnerFunction.__init__(self, "residual_add", forward, backward,
                                 (M("F (the branch)"), M("s (the shortcut)")), strict=False, calls=calls)
        self.tag = tag

    def backward(self, gy):
        ResidualAdd.backward(self, gy)              # notifies the observers; its (gy, gy) is not used
        return LearnerFunction.backward(self, gy)


class LearnerOps:
    """The workspace's ops with the signatures of tinyres.functional, and its topological_order
    and sgd_step; ``calls`` counts each forward, backward, sort and parameter update that ran."""

    def __init__(self, directory):
        self.directory = directory
        self.calls = {}
        m = {name: load_module(directory, file) for name, file in (
            ("order", "ex02_topological_sort.py"), ("sgd", "ex11_sgd.py"),
            ("relu", "ex03_relu.py"), ("linear", "ex04_linear.py"), ("ce", "ex05_cross_entropy.py"),
            ("conv", "ex07_conv2d.py"), ("pool", "ex08_max_pool2d.py"), ("bn", "ex09_batch_norm.py"),
            ("res", "ex10_residual.py"))}
        self.m = m

    def _fn(self, label, forward, backward, names):
        return LearnerFunction(label, forward, backward, names, strict=False, calls=self.calls)

    def relu(self, x):
        _cpu("relu", x)
        return self._fn("relu", self.m["relu"].relu_forward, self.m["relu"].relu_backward, "x")(x)

    def linear(self, x, weight, bias=None):
        _cpu("linear", x, weight, bias)
        b = _zeros(weight.shape[0], weight) if bias is None else bias
        return self._fn("linear", self.m["linear"].linear_forward, self.m["linear"].linear_backward,
                        ("x", "w", "b"))(x, weight, b)

    def cross_entropy(self, logits, target, reduction="mean"):
        _cpu("cross_entropy", logits)
        if reduction != "mean":
            return F.cross_entropy.library(logits, target, reduction)   # evaluation sums: no gradient needed
        t = target.data if isinstance(target, Tensor) else backend.asarray(target)
        fwd = self.m["ce"].cross_entropy_forward
        return self._fn("cross_entropy", lambda z: fwd(z, t), self.m["ce"].cross_entropy_backward, ("z",))(logits)

    def conv2d(self, x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        _cpu("conv2d", x, weight, bias)
        if _square(dilation, "dilation", "conv2d") != 1 or groups != 1:
            raise OpError(_("conv2d from your exercises has no dilation or groups (got dilation={dilation}, "
                            "groups={groups})", dilation=dilation, groups=groups))
        s, p = _square(stride, "stride", "conv2d"), _square(padding, "padding", "conv2d")
        b = _zeros(weight.shape[0], weight) if bias is None else bias
        fwd = self.m["conv"].conv2d_forward
        return self._fn("conv2d", lambda *a: fwd(*a, s, p), self.m["conv"].conv2d_backward,
                        ("x", "w", "b"))(x, weight, b)

    def max_pool2d(self, x, kernel_size, stride=None, padding=0):
        _cpu("max_pool2d", x)
        k = _square(kernel_size, "kernel_size", "max_pool2d")
        s = k if stride is None else _square(stride, "stride", "max_pool2d")
        p = _square(padding, "padding", "max_pool2d")
        fwd = self.m["pool"].max_pool_forward
        return self._fn("max_pool2d", lambda a: fwd(a, k, s, p), self.m["pool"].max_pool_backward, "x")(x)

    def batch_norm(self, x, running_mean, running_var, weight=None, bias=None, training=False,
                   momentum=0.1, eps=1e-5):
        _cpu("batch_norm", x)
        if not training or weight is None or x.ndim not in (2, 4):
            return F.batch_norm.library(x, running_mean, running_var, weight, bias, training, momentum, eps)
        xp = x.xp
        x4 = x if x.ndim == 4 else x.reshape(x.shape + (1, 1))
        if running_mean is not None:      # the bookkeeping the library does in training mode
            m = x4.size // x4.shape[1]
            mu = xp.mean(x4.data, axis=(0, 2, 3))
            var = xp.mean((x4.data - xp.reshape(mu, (1, -1, 1, 1))) ** 2, axis=(0, 2, 3))
            running_mean.data = (1 - momentum) * running_mean.data + momentum * mu
            running_var.data = (1 - momentum) * running_var.data + momentum * var * (m / (m - 1))
        fwd = self.m["bn"].batch_norm_forward
        y = self._fn("batch_norm", lambda *a: fwd(*a, eps), self.m["bn"].batch_norm_backward,
                     ("x", "gamma", "beta"))(x4, weight, bias)
        return y if x.ndim == 4 else y.reshape(x.shape)

    def residual_add(self, branch, shortcut, tag=None):
        _cpu("residual_add", branch, shortcut)
        if branch.shape != shortcut.shape:
            raise OpError("residual_add: " + _("branch shape {branch} != shortcut shape {shortcut}",
                                               branch=branch.shape, shortcut=shortcut.shape))
        res = self.m["res"]
        return _LearnerResidualAdd(tag, lambda a, b: (res.residual_add_forward(a, b), None),
                                   lambda gy, _: res.residual_add_backward(gy), self.calls)(branch, shortcut)

    def shortcut_a(self, x, out_channels, stride):
        _cpu("shortcut_a", x)
        fwd = self.m["res"].shortcut_a_forward
        return self._fn("shortcut_a", lambda a: fwd(a, out_channels, stride), self.m["res"].shortcut_a_backward,
                        "x")(x)

    def topological_order(self, root):
        self.calls["topological_order"] = self.calls.get("topological_order", 0) + 1
        return self.m["order"].topological_order(root)

    def sgd_step(self, p, g, buf, lr, momentum, weight_decay):
        self.calls["sgd_step"] = self.calls.get("sgd_step", 0) + 1
        return self.m["sgd"].sgd_step(p, g, buf, lr, momentum, weight_decay)

    def table(self):
        return {name: getattr(self, name) for name in F.OVERRIDABLE}


@contextmanager
def use_ops(directory):
    """Within the block, tinyres runs the workspace's ops, its topological sort in every
    ``backward()`` and its SGD step in every ``SGD.step`` (yields a :class:`LearnerOps`; see
    the module docstring). The library's come back on exit, also after an exception.

    Raises :class:`OpsNotReady` naming every needed exercise that does not pass yet."""
    from . import check
    failing = [r.name for name in OPS_EXERCISES for r in check(directory, only=name) if not r.ok]
    if failing:
        raise OpsNotReady(_("fix these exercises first: {names} (see `tinyres exercises check {dir}`; add_mul and "
                            "basic_block are graded but not needed to train: + and * stay the library's, and the "
                            "models build their own blocks)", names=", ".join(failing), dir=directory))
    ops = LearnerOps(directory)
    with F.override(**ops.table()), override_backward_order(ops.topological_order, ORDER_NAME):
        with override_sgd_step(ops.sgd_step, SGD_NAME):
            yield ops
