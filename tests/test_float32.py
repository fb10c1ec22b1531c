"""A float32 network stays float32: no op silently computes in float64.

A Python float, a 0-d float64 array or a float64 constant mixed into float32 code upcasts the
result (and doubles the memory traffic of every op after it) without any error; the numbers
still look right. So a whole training step is watched: every op's output, everything an op
saves for backward, every gradient an op's backward returns, and afterwards the parameters,
their gradients, the running statistics and the optimizer's momentum buffers.
"""
import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F
from tinyres import backend, models
from tinyres.function import Function


def _arrays(obj):
    if isinstance(obj, (tuple, list)):
        for o in obj:
            yield from _arrays(o)
    elif backend.is_array(obj):
        yield obj


def _watch(monkeypatch):
    """Patch Function so that every float64 array an op makes, saves or passes back is recorded."""
    seen = []
    call, back = Function.__call__, Function.backward_checked

    def note(op, what, arrays):
        seen.extend(f"{op} {what}" for a in _arrays(arrays) if backend.dtype_name(a.dtype) == "float64")

    def watched_call(self, *inputs):
        out = call(self, *inputs)
        note(self.op_name, "output", out.data)
        note(self.op_name, "saved", self.saved)
        return out

    def watched_backward(self, gy):
        gxs = back(self, gy)
        note(self.op_name, "backward", gxs)
        return gxs
    monkeypatch.setattr(Function, "__call__", watched_call)
    monkeypatch.setattr(Function, "backward_checked", watched_backward)
    return seen


@pytest.mark.parametrize("layout", ["channels_first", "channels_last"])
@pytest.mark.parametrize("name", ["resnet8", "preact8", "plain8"])
def test_a_float32_training_step_never_makes_a_float64_array(name, layout, device, monkeypatch):
    from tinyres.ops import conv
    monkeypatch.setattr(conv, "LAYOUT", layout)        # conv2d's two NumPy routes (the others ignore it)
    seen = _watch(monkeypatch)
    tr.manual_seed(0)
    model = models.get_model(name).to(device)
    opt = tr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    rng = np.random.default_rng(0)
    for _ in range(2):          # the second step runs with momentum buffers in place
        x = tr.tensor(rng.standard_normal((4, 3, 16, 16)).astype("float32"), device=device)
        y = tr.tensor(rng.integers(0, 10, 4), device=device)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with tr.no_grad():
        model(x)
    assert not seen, sorted(set(seen))
    state = ([p.data for p in model.parameters()] + [p.grad for p in model.parameters()]
             + [b.data for _, b in model.named_buffers()]
             + [a for s in opt.state.values() for a in s.values() if backend.is_array(a)])
    floats = [a for a in state if backend.is_floating(a)]      # not num_batches_tracked (int64)
    assert len(floats) > 3 * len(list(model.parameters()))
    wrong = [str(a.dtype) for a in floats if backend.dtype_name(a.dtype) != "float32"]
    assert not wrong, wrong


def test_the_watch_sees_an_upcast(monkeypatch):
    """The check above can fail: a float64 constant mixed into a float32 graph is reported."""
    seen = _watch(monkeypatch)
    x = tr.tensor(np.ones((2, 3), "float32"), requires_grad=True)
    y = x * tr.tensor(np.float64(2.0))
    y.backward(tr.tensor(np.ones((2, 3), "float32")))
    assert "mul output" in seen
