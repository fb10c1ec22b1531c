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


@dataclass
class GradcheckReport:
    ok: bool
    worst: Mismatch | None
    per_input: list = field(default_factory=list)   # worst Mismatch of each checked input
    checked_elements: int = 0

    def __str__(self):
        status = "PASSED" if self.ok else "FAILED"
        lines = [f"gradcheck {status}: {self.checked_elements} elements checked, tolerance "
                 f"atol={TOLERANCE['atol']:g} rtol={TOLERANCE['rtol']:g} eps={TOLERANCE['eps']:g}"]
        for m in self.per_input:
            lines.append(f"  input {m.input} {m.name or ''} worst at {m.index}: analytic={m.analytic:.10g} "
                         f"numeric={m.numeric:.10g} (error {m.error:.3g} of tolerance)")
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
