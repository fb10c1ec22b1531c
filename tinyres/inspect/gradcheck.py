"""Gradient checking against central finite differences.

For f: inputs -> output and a RANDOM upstream gradient v (same shape as the output),
backward gives the vector-Jacobian product  a = v^T J. Numerically, for every element
x_i of every input,

    n_i = ( <v, f(x + eps e_i)> - <v, f(x - eps e_i)> ) / (2 eps)

and the check is |a_i - n_i| <= atol + rtol * |n_i| for all i. A random v matters:
with v = 1 (checking f(x).sum()) a batch-norm backward with a missing term still
passes, because d/dx sum(batch_norm(x)) is zero whatever backward returns.

Everything runs on the inputs' own device; checked inputs must be float64.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import backend
from ..i18n import M, _
from ..tensor import Tensor, no_grad

__all__ = ["gradcheck", "GradcheckReport", "GradcheckError", "TOLERANCE"]

#: The one place the gradient-check tolerance is defined (float64, central differences).
TOLERANCE = {"eps": 1e-6, "atol": 1e-6, "rtol": 1e-5}


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when analytic and numeric gradients disagree."""


@dataclass
class Mismatch:
    input: int            # position of the input in the argument list
    name: str             # its name, if it has one
    index: tuple          # element index within that input
    analytic: float
    numeric: float
    error: float          # |analytic - numeric| / (atol + rtol*|numeric|): fails when > 1
    wrong: int = 0        # how many elements of this input fail
    size: int = 0         # how many were checked
    scale: float = float("nan")   # least-squares c in analytic ~ c * numeric (1 when right)
    scale_fits: bool = False      # analytic == scale * numeric within tolerance everywhere

    def diagnosis(self):
        """The shape of the mistake in words (an :class:`~tinyres.i18n.M`), read from the whole
        gradient, not only its worst element: zero, a flipped sign, a constant factor, a few
        elements, or everywhere wrong by more than a factor (a missing or extra term)."""
        kw = {"wrong": self.wrong, "size": self.size}
        if self.scale_fits and abs(self.scale) < 1e-12:
            return M("{wrong} of {size} elements wrong: your gradient is zero where it should not be (is this "
                     "input's gradient returned?)", **kw)
        if self.scale_fits and self.scale < 0 and abs(self.scale + 1) < 1e-6:
            return M("{wrong} of {size} elements wrong: your gradient is the true one with its sign flipped", **kw)
        if self.scale_fits:
            return M("{wrong} of {size} elements wrong: yours is {scale:.4g} x the true gradient everywhere - a "
                     "constant factor is off (a 1/N of a mean, a 2 of a square, a learning rate?)",
                     scale=self.scale, **kw)
        if self.wrong < self.size:
            return M("{wrong} of {size} elements wrong: the rest agree, so look at what is special about those (a "
                     "border, a tie, padding, stride)", **kw)
        return M("{wrong} of {size} elements wrong: not a constant factor either, so a term is missing or extra "
                 "(read the docstring's formula)", **kw)


@dataclass
class GradcheckReport:
    ok: bool
    worst: Mismatch | None
    per_input: list = field(default_factory=list)   # worst Mismatch of each checked input
    checked_elements: int = 0

    def __str__(self):
        """The report in the current language; a failing input gets the shape of its mistake in words."""
        tol = {"n": self.checked_elements, "atol": TOLERANCE["atol"], "rtol": TOLERANCE["rtol"],
               "eps": TOLERANCE["eps"]}
        lines = [_("gradcheck PASSED: {n} elements checked, tolerance atol={atol:g} rtol={rtol:g} eps={eps:g}", **tol)
                 if self.ok else
                 _("gradcheck FAILED: {n} elements checked, tolerance atol={atol:g} rtol={rtol:g} eps={eps:g}", **tol)]
        for m in self.per_input:
            lines.append("  " + _("input {input} {name} worst at {index}: analytic={analytic:.10g} "
                                  "numeric={numeric:.10g} (error {error:.3g} of tolerance)",
                                  input=m.input, name=m.name or "", index=m.index, analytic=m.analytic,
                                  numeric=m.numeric, error=m.error))
            if m.error > 1:
                lines.append("    " + str(m.diagnosis()))
        return "\n".join(lines)


def _unravel(i, shape):
    index = []
    for s in reversed(shape):
        index.append(i % s)
        i //= s
    return tuple(reversed(index))


def gradcheck(fn, inputs, *, seed=0, raise_on_fail=True, eps=None, atol=None, rtol=None) -> GradcheckReport:
    """Compare backward of ``fn(*inputs)`` with central differences, every element of every
    input that requires grad. Returns a report; raises GradcheckError on failure unless
    ``raise_on_fail=False``. Tolerances default to :data:`TOLERANCE`.
    """
    eps = TOLERANCE["eps"] if eps is None else eps
    atol = TOLERANCE["atol"] if atol is None else atol
    rtol = TOLERANCE["rtol"] if rtol is None else rtol
    inputs = list(inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad")
    for i in checked:
        if backend.dtype_name(inputs[i].dtype) != "float64":
            raise ValueError(f"gradcheck: input {i} is {inputs[i].dtype}; finite differences need float64")

    out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError("gradcheck: fn must return a Tensor")
    xp = out.xp
    v = backend.host_random(out.shape, dtype="float64", device=out.device, generator=backend.generator(seed))
    for i in checked:
        inputs[i].grad = None
    out.backward(v)
    analytic = {i: inputs[i].grad if inputs[i].grad is not None else
                xp.zeros(inputs[i].shape, dtype=inputs[i].dtype, device=backend.device_of(inputs[i].data))
                for i in checked}

    def objective():
        with no_grad():
            return xp.sum(fn(*inputs).data * v)

    report = GradcheckReport(ok=True, worst=None)
    for i in checked:
        t = inputs[i]
        original = t.data
        flat = xp.reshape(xp.asarray(original, copy=True), (-1,))
        values = []
        for k in range(flat.shape[0]):
            x0 = flat[k]
            flat[k] = x0 + eps
            t.data = xp.reshape(flat, original.shape)
            f_plus = objective()
            flat[k] = x0 - eps
            t.data = xp.reshape(flat, original.shape)
            f_minus = objective()
            flat[k] = x0
            values.append((f_plus - f_minus) / (2 * eps))
        t.data = original
        numeric = xp.stack(values) if values else xp.zeros((0,), dtype=original.dtype)
        a = xp.reshape(analytic[i], (-1,))
        ratio = xp.abs(a - numeric) / (atol + rtol * xp.abs(numeric))
        report.checked_elements += flat.shape[0]
        if flat.shape[0] == 0:
            continue
        k = int(xp.argmax(ratio))
        m = Mismatch(i, t.name or "", _unravel(k, t.shape), float(a[k]), float(numeric[k]), float(ratio[k]),
                     int(xp.sum(xp.astype(ratio > 1, ratio.dtype))), int(flat.shape[0]))
        norm2 = float(xp.sum(numeric * numeric))
        if m.error > 1 and norm2 > 0:
            # a wrong gradient that is a constant multiple of the true one (a missing 1/N, a flipped
            # sign) is a different mistake from a missing term: say which (the exercise checker does)
            m.scale = float(xp.sum(a * numeric)) / norm2
            m.scale_fits = bool(xp.all(xp.abs(a - m.scale * numeric) <= atol + rtol * xp.abs(m.scale * numeric)))
        report.per_input.append(m)
        if m.error > 1:
            report.ok = False
        if report.worst is None or m.error > report.worst.error:
            report.worst = m
    if not report.ok and raise_on_fail:
        raise GradcheckError(str(report))
    return report
