"""Gradient-flow tracing: per-layer gradient norms, and each residual gradient split into
the part that comes back through the shortcut (identity, option A or projection) and the
part that comes back through the residual branch.

    with trace_gradients(model, "resnet56") as trace:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
    trace.residual      # one record per block: identity, branch and total gradient norms

For a block y = F(x) + x, backward gives dL/dx = dL/dy * dF/dx + dL/dy: the identity path
carries dL/dy itself (the "+1"). The trace measures both terms at x and their sum, and
checks none of the maths. It uses public hooks only: a forward hook on each block's ``fork``
replaces its two outputs with taps (identity ops whose backward passes the gradient on
unchanged) and hooks the fork's input for the total; a forward hook on the ``join`` hooks its
output for dL/dy. Every gradient is bitwise the same with tracing on or off.

Steps: each forward of the traced model starts a new step (a forward pre-hook on the model;
set ``trace.step`` to label steps yourself, e.g. with the training iteration).
"""
from __future__ import annotations

import csv
import json
import math
import os

from .. import backend, nn
from ..models.blocks import ResidualBlock
from ..ops.residual import gradient_tap

__all__ = ["trace_gradients", "GradientTrace", "BLOCK_TYPES", "grad_norm"]

BLOCK_TYPES = (ResidualBlock,)


def grad_norm(g) -> float:
    xp = backend.namespace(g)
    return float(xp.sqrt(xp.sum(g * g)))


def _dot(a, b) -> float:
    xp = backend.namespace(a)
    return float(xp.sum(a * b))


def _shortcut_kind(block):
    if block.downsample is None:
        return "identity"
    if isinstance(block.downsample, nn.ShortcutA):
        return "option A"
    return "projection"


class GradientTrace:
    """Records of one or more backward passes of one model (see module docstring)."""

    def __init__(self, model, model_name=None, keep_arrays=False, outputs=True):
        self.model, self.model_name = model, model_name or type(model).__name__
        self.keep_arrays, self.trace_outputs = keep_arrays, outputs
        self.step = -1
        self.params, self.outputs, self.residual = [], [], []
        self.arrays = []               # with keep_arrays: per block call, the raw gradients
        self._handles, self._calls, self._open = [], 0, {}
        self._names = {id(m): n for n, m in model.named_modules()}
        self._blocks = [m for m in model.modules() if isinstance(m, BLOCK_TYPES) and not m.plain]
        self._block_index = {id(b): i for i, b in enumerate(self._blocks)}

    # ------------------------------------------------------------ install / remove
    def __enter__(self):
        self._handles.append(self.model.register_forward_pre_hook(self._new_step))
        for depth, (name, p) in enumerate(self.model.named_parameters()):
            self._handles.append(p.register_hook(self._param_hook(name, depth)))
        for block in self._blocks:
            self._handles.append(block.fork.register_forward_hook(self._fork_hook(block)))
            self._handles.append(block.join.register_forward_hook(self._join_hook(block)))
        if self.trace_outputs:
            for name, m in self.model.named_modules():
                if (next(m.children(), None) is None and m is not self.model
                        and not isinstance(m, (nn.ResidualFork, nn.ResidualJoin))):
                    self._handles.append(m.register_forward_hook(self._output_hook(name)))
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for h in self._handles:
            h.remove()
        self._handles = []

    def _new_step(self, module, inputs):      # each forward of the model is a new step
        self.step += 1
        self._calls = 0

    # ------------------------------------------------------------ parameters
    def _param_hook(self, name, depth):
        def hook(g):
            self.params.append({"model": self.model_name, "step": self.step, "depth": depth, "name": name,
                                "norm": grad_norm(g)})
        return hook

    # ------------------------------------------------------------ module outputs
    def _output_hook(self, name):
        def hook(module, inputs, out):
            if not getattr(out, "requires_grad", False):
                return
            step, order = self.step, self._calls
            self._calls += 1

            def grad_hook(g):
                self.outputs.append({"model": self.model_name, "step": step, "depth": order, "name": name,
                                     "type": type(module).__name__, "norm": grad_norm(g)})
            out.register_hook(grad_hook)
        return hook

    # ------------------------------------------------------------ residual split
    def _fork_hook(self, block):
        def hook(fork, inputs, paths):
            x = inputs[0]
            if not x.requires_grad:
                return None
            record = {"model": self.model_name, "step": self.step, "depth": self._block_index[id(block)],
                      "name": self._names.get(id(block), ""), "shortcut": _shortcut_kind(block)}
            grads = {}
            self._open[id(block)] = (record, grads)

            def on(path):
                def cb(g):
                    grads[path] = g
                return cb

            def on_total(g):
                s, b = grads.get("shortcut"), grads.get("branch")
                record.update(total_norm=grad_norm(g), identity_norm=grad_norm(s) if s is not None else 0.0,
                              branch_norm=grad_norm(b) if b is not None else 0.0)
                if s is not None and b is not None:
                    denom = record["identity_norm"] * record["branch_norm"]
                    record["cosine"] = _dot(s, b) / denom if denom > 0 else float("nan")
                if self.keep_arrays:
                    self.arrays.append({"name": record["name"], "step": record["step"], "shortcut": s,
                                        "branch": b, "total": g, "upstream": grads.get("upstream")})
                self.residual.append(record)
            x.register_hook(on_total)
            xb, xs = paths
            return gradient_tap(xb, on("branch")), gradient_tap(xs, on("shortcut"))
        return hook

    def _join_hook(self, block):
        def hook(join, inputs, y):
            record, grads = self._open.pop(id(block), (None, None))
            if record is None or not y.requires_grad:
                return None

            def on_upstream(gy):            # dL/dy at the add
                grads["upstream"] = gy
                record["upstream_norm"] = grad_norm(gy)
            y.register_hook(on_upstream)
        return hook

    # ------------------------------------------------------------ export
    def to_dict(self):
        return {"model": self.model_name, "params": self.params, "outputs": self.outputs,
                "residual": self.residual}

    def save_json(self, path):
        with open(path, "w") as f:
            json.dump(self.to_dict(), f, indent=1, default=lambda v: None if isinstance(v, float) and math.isnan(v) else v)
        return path

    def save_csv(self, folder):
        """residual.csv, params.csv, outputs.csv in ``folder``."""
        os.makedirs(folder, exist_ok=True)
        for kind in ("residual", "params", "outputs"):
            rows = getattr(self, kind)
            if not rows:
                continue
            lead = ["model", "step", "depth", "name"]
            fields = lead + sorted({k for r in rows for k in r} - set(lead))
            with open(os.path.join(folder, f"{kind}.csv"), "w", newline="") as f:
                w = csv.DictWriter(f, fields)
                w.writeheader()
                w.writerows(rows)
        return folder


def trace_gradients(model, model_name=None, keep_arrays=False, outputs=True) -> GradientTrace:
    """Context manager recording gradient norms of every parameter, every leaf module output
    and, for every residual block, the identity/branch/total split at the block input."""
    return GradientTrace(model, model_name, keep_arrays, outputs)
