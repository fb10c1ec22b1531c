"""Stochastic gradient descent with momentum, Nesterov and weight decay (PyTorch's update).

For each parameter p with gradient g, exactly as torch.optim.SGD:
    g = g + weight_decay * p
    b = g                                   (first step)
    b = momentum * b + (1 - dampening) * g  (later steps)
    g = g + momentum * b  if nesterov  else  b
    p = p - lr * g

The per-parameter update is an extension point: within ``with override_sgd_step(step):``
every ``SGD.step`` updates each parameter with ``step(p, g, buf, lr, momentum, weight_decay)
-> (new p, new buf)`` (the rule of exercise 11: dampening 0, no Nesterov), on the parameter's
array, its gradient and its momentum buffer (None on the first step). Everything else stays
the library's: parameter groups, the learning rate a schedule sets, ``state_dict`` and
checkpoints. ``tinyres.exercises.use_ops`` (and so ``tinyres train --ops``) installs a
learner's step this way.
"""
from __future__ import annotations

from contextlib import contextmanager

from .. import backend
from ..tensor import no_grad

__all__ = ["Optimizer", "SGD", "override_sgd_step", "sgd_step_override"]

# the installed per-parameter step, as (function, name used in messages); empty: the library's
_step_table = {}


@contextmanager
def override_sgd_step(step, name=None):
    """Within the block, every :meth:`SGD.step` updates each parameter with ``step``
    (see the module docstring). The table is process-wide; the previous step comes back when
    the block exits, also on an exception."""
    if not callable(step):
        raise TypeError(f"override_sgd_step: step must be callable, got {type(step).__name__}")
    previous = dict(_step_table)
    _step_table["step"] = (step, name or getattr(step, "__name__", repr(step)))
    try:
        yield
    finally:
        _step_table.clear()
        _step_table.update(previous)


def sgd_step_override():
    """The installed ``(step, name)``, or None when the library's update runs."""
    return _step_table.get("step")


class Optimizer:
    def __init__(self, params, defaults):
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        if isinstance(params[0], dict):
            groups = params
        else:
            groups = [{"params": params}]
        self.param_groups = []
        for g in groups:
            group = dict(defaults)
            group.update(g)
            group["params"] = list(group["params"])
            group.setdefault("initial_lr", group["lr"])
            self.param_groups.append(group)
        self.state = {}     # id(param) -> dict

    def zero_grad(self):
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def _params(self):
        return [p for g in self.param_groups for p in g["params"]]

    def state_dict(self):
        """{"param_groups": [...hyper-parameters...], "state": {index: {name: array}}} (arrays of the params' backend)."""
        index = {id(p): i for i, p in enumerate(self._params())}
        groups = [{k: v for k, v in g.items() if k != "params"} | {"params": [index[id(p)] for p in g["params"]]}
                  for g in self.param_groups]
        state = {index[pid]: dict(s) for pid, s in self.state.items() if pid in index}
        return {"param_groups": groups, "state": state}

    # the per-parameter state entries this optimizer keeps (an entry has all of them)
    state_keys: tuple = ()

    def load_state_dict(self, sd):
        """Load a :meth:`state_dict`. Everything is checked first (groups, hyper-parameter
        names, which parameters have state, and each buffer's name, shape and dtype), so a
        state from another model or a damaged file is refused before anything changes."""
        name = type(self).__name__
        if not isinstance(sd, dict) or set(sd) != {"param_groups", "state"}:
            raise ValueError(f"{name}.load_state_dict: expected a dict with 'param_groups' and 'state'")
        params = self._params()
        if len(sd["param_groups"]) != len(self.param_groups):
            raise ValueError(f"{name} state has {len(sd['param_groups'])} parameter groups, this one {len(self.param_groups)}")
        for k, (group, saved) in enumerate(zip(self.param_groups, sd["param_groups"])):
            if len(saved.get("params", ())) != len(group["params"]):
                raise ValueError(f"{name} state does not match the parameters (group {k}: "
                                 f"{len(saved.get('params', ()))} saved, {len(group['params'])} here)")
            missing, unexpected = sorted(set(group) - set(saved)), sorted(set(saved) - set(group))
            if missing or unexpected:
                raise ValueError(f"{name} state group {k}: missing hyper-parameters {missing}, "
                                 f"unexpected {unexpected}")
        state = {}
        for i, s in sd["state"].items():
            try:
                i = int(i)
                p = params[i]
            except (ValueError, IndexError):
                raise ValueError(f"{name} state names parameter {i!r}, but there are {len(params)}") from None
            if set(s) != set(self.state_keys):
                raise ValueError(f"{name} state of parameter {i} has {sorted(s)}, expected {sorted(self.state_keys)}")
            entry = {}
            for k, v in s.items():
                v = backend.asarray(v, device=p.device)
                if tuple(v.shape) != tuple(p.shape):
                    raise ValueError(f"{name} state: {k} of parameter {i} has shape {tuple(v.shape)}, "
                                     f"the parameter {tuple(p.shape)}")
                if v.dtype != p.data.dtype:
                    raise ValueError(f"{name} state: {k} of parameter {i} is {v.dtype}, the parameter {p.data.dtype}")
                entry[k] = v
            state[id(p)] = entry
        for group, saved in zip(self.param_groups, sd["param_groups"]):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = state


class SGD(Optimizer):
    state_keys = ("momentum_buffer",)

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(f"SGD: lr, momentum and weight_decay must be >= 0, got {lr}, {momentum}, {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                                      weight_decay=weight_decay))

    def step(self):
        installed = _step_table.get("step")
        if installed is not None:
            return self._installed_step(*installed)
        with no_grad():
            for group in self.param_groups:
                lr, mom, damp = group["lr"], group["momentum"], group["dampening"]
                wd, nesterov = group["weight_decay"], group["nesterov"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    g = p.grad
                    if wd:
                        g = g + wd * p.data
                    if mom:
                        state = self.state.setdefault(id(p), {})
                        buf = state.get("momentum_buffer")
                        buf = backend.namespace(g).asarray(g, copy=True) if buf is None else mom * buf + (1 - damp) * g
                        state["momentum_buffer"] = buf
                        g = g + mom * buf if nesterov else buf
                    p.data = p.data - lr * g

    def _installed_step(self, step, name):
        for group in self.param_groups:
            if group["nesterov"] or group["dampening"]:
                raise ValueError(f"SGD: {name} implements momentum without dampening or Nesterov; this SGD "
                                 f"has nesterov={group['nesterov']}, dampening={group['dampening']}")
        with no_grad():
            for group in self.param_groups:
                lr, mom, wd = group["lr"], group["momentum"], group["weight_decay"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state.get(id(p), {})
                    out = step(p.data, p.grad, state.get("momentum_buffer"), lr, mom, wd)
                    if not (isinstance(out, tuple) and len(out) == 2):
                        raise ValueError(f"SGD: {name} must return (new p, new buf), got {type(out).__name__}")
                    # the buffer is state only with momentum, as in the library (so state_dict
                    # is the library's); without momentum the step may return any buffer, or None
                    kept = (("new p", out[0]),) + ((("new buf", out[1]),) if mom else ())
                    arrays = []
                    for what, v in kept:
                        try:
                            v = backend.asarray(v, dtype=backend.dtype_name(p.dtype), device=p.device)
                        except (TypeError, ValueError) as exc:
                            raise ValueError(f"SGD: {name} returned {what} that is not an array ({exc})") from None
                        if tuple(v.shape) != tuple(p.shape):
                            raise ValueError(f"SGD: {name} returned {what} of shape {tuple(v.shape)} for a "
                                             f"parameter of shape {tuple(p.shape)}")
                        arrays.append(v)
                    if mom:
                        self.state.setdefault(id(p), {})["momentum_buffer"] = arrays[1]
                    p.data = arrays[0]
