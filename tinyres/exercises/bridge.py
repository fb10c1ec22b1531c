"""From a learner's NumPy forward/backward pair to a real tinyres Function.

:class:`LearnerFunction` runs ``op_forward(*arrays) -> (y, cache)`` as its forward and
``op_backward(gy, cache) -> grads`` as its backward, so the learner's code sits in the
engine's graph like any library op: the checker gradient-checks it through
:func:`tinyres.gradcheck`, and :func:`tinyres.exercises.use_ops` trains networks with it.
Anything the learner returns is checked before the engine sees it, and what is wrong is
raised as :class:`Wrong`, a sentence for the learner.
"""
from __future__ import annotations

from .. import backend
from ..function import Function
from ..i18n import M

__all__ = ["Wrong", "LearnerFunction", "as_float_array"]


class Wrong(Exception):
    """The first thing wrong with an exercise, in words: an :class:`~tinyres.i18n.M`, so ``str()``
    gives it in the language of whoever prints it."""


def _describe(v):
    shape = getattr(v, "shape", None)
    return M("{kind} of shape {shape}", kind=type(v).__name__, shape=tuple(shape)) if shape is not None \
        else type(v).__name__


def as_float_array(v, like, what):
    """``v`` as an array of ``like``'s dtype and device (learners may return floats or lists)."""
    if v is None:
        raise Wrong(M("{what} is None (did you forget a return?)", what=what))
    try:
        return backend.asarray(v, dtype=str(like.dtype).split(".")[-1], device=backend.device_name(like))
    except (TypeError, ValueError) as exc:
        raise Wrong(M("{what} is a {kind}, not an array of numbers ({error})", what=what, kind=_describe(v),
                      error=exc)) from None


class LearnerFunction(Function):
    """One graph node whose forward and backward are a learner's functions.

    ``forward(*arrays)`` returns ``(y, cache)``; ``backward(gy, cache)`` returns one gradient
    per input (a tuple, or the array itself for a single input). ``input_names`` name the
    inputs in messages ("x", "w", ...). The learner gets copies, so a function that writes
    into its arguments cannot corrupt the engine's arrays. With ``strict`` (grading) a
    NaN or inf in an output is an error; in training it is left to the loop to report.
    """
    op_name = "learner"

    def __init__(self, label, forward, backward, input_names, strict=True, calls=None, names=None):
        self.label, self._fwd, self._bwd = label, forward, backward
        # the learner's function names, for messages (the graders often wrap them in lambdas)
        self.fwd_name, self.bwd_name = names or (f"{label}_forward", f"{label}_backward")
        self.input_names, self.strict, self.calls = tuple(input_names), strict, calls
        self.op_name = label

    def _count(self, what):   # use_ops counts the calls, to show the learner's code really ran
        if self.calls is not None:
            self.calls[what] = self.calls.get(what, 0) + 1

    def forward(self, *arrays):
        xp = backend.namespace(*arrays)
        self.shapes = [tuple(a.shape) for a in arrays]
        self._count(f"{self.label} forward")
        out = self._fwd(*(xp.asarray(a, copy=True) for a in arrays))
        if not (isinstance(out, tuple) and len(out) == 2):
            raise Wrong(M("{name} must return (y, cache), got a {kind}", name=self.fwd_name, kind=_describe(out)))
        y, self.cache = out
        y = as_float_array(y, arrays[0], M("the y returned by {name}", name=self.fwd_name))
        if self.strict and not bool(xp.all(xp.isfinite(y))):
            raise Wrong(M("{name} returned NaN or inf (overflow? e.g. exp() of large numbers)", name=self.fwd_name))
        return y

    def backward(self, gy):
        xp = backend.namespace(gy)
        self._count(f"{self.label} backward")
        name = self.bwd_name
        grads = self._bwd(xp.asarray(gy, copy=True), self.cache)
        if len(self.shapes) == 1 and not isinstance(grads, (tuple, list)):
            grads = (grads,)
        if not isinstance(grads, (tuple, list)) or len(grads) != len(self.shapes):
            raise Wrong(M("{name} must return {n} gradients ({grads}), got a {kind}", name=name, n=len(self.shapes),
                          grads=", ".join(f"dL/d{n}" for n in self.input_names), kind=_describe(grads)))
        out = []
        for wanted, shape, input_name, g in zip(self.needs_input_grad, self.shapes, self.input_names, grads):
            if not wanted:
                out.append(None)
                continue
            g = as_float_array(g, gy, M("dL/d{input} returned by {name}", input=input_name, name=name))
            if tuple(g.shape) != shape:
                raise Wrong(M("wrong shape: {name} returned dL/d{input} of shape {got}, expected {shape} (the shape "
                              "of {input})", name=name, input=input_name, got=tuple(g.shape), shape=shape))
            if self.strict and not bool(xp.all(xp.isfinite(g))):
                raise Wrong(M("{name} returned NaN or inf in dL/d{input}", name=name, input=input_name))
            out.append(g)
        return tuple(out)
