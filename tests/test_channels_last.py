"""conv2d's channels-last route (NumPy): when it is taken, and that whole networks compute the same
numbers through it as through the channels-first route (per-op equality is in
test_conv_reference.py and test_fast_paths.py)."""
import threading

import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F
from tinyres import backend, models
from tinyres.ops import _fast, conv, im2row


@pytest.mark.parametrize("layout, groups, expected", [
    ("channels_last", 1, True), ("channels_last", 2, False), ("channels_first", 1, False),
])
def test_the_route_follows_the_setting_and_the_groups(layout, groups, expected, monkeypatch):
    monkeypatch.setattr(conv, "LAYOUT", layout)
    assert conv.channels_last_route(backend.namespace(np.zeros(1)), groups) is expected


def test_the_route_is_numpy_only(monkeypatch):
    monkeypatch.setattr(conv, "LAYOUT", "channels_last")
    strict = tr.tensor(np.zeros((1, 1, 2, 2)), device="strict")
    assert conv.channels_last_route(backend.namespace(strict.data), 1) is False


def _step(name, layout, monkeypatch, steps=1):
    """Loss, gradients, updated weights and state of ``steps`` float64 SGD steps (one: a second step
    would start from weights that already differ by the two routes' rounding, and amplify it)."""
    monkeypatch.setattr(conv, "LAYOUT", layout)
    tr.set_default_dtype("float64")
    try:
        tr.manual_seed(0)
        model = models.get_model(name)
        opt = tr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
        rng = np.random.default_rng(0)
        losses = []
        for _ in range(steps):
            x = tr.tensor(rng.standard_normal((6, 3, 16, 16)))
            y = tr.tensor(rng.integers(0, 10, 6))
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            grads = [p.grad.copy() for p in model.parameters()]
            opt.step()
            losses.append(loss.item())
        return losses, grads, [p.numpy() for p in model.parameters()], model.state_dict()
    finally:
        tr.set_default_dtype("float32")


def _eval(name, state, layout, monkeypatch):
    monkeypatch.setattr(conv, "LAYOUT", layout)
    tr.set_default_dtype("float64")
    try:
        model = models.get_model(name)
        model.load_state_dict(state)
        model.eval()
        x = tr.tensor(np.random.default_rng(5).standard_normal((4, 3, 16, 16)))
        with tr.no_grad():
            return model(x).numpy()
    finally:
        tr.set_default_dtype("float32")


@pytest.mark.parametrize("name", ["resnet8", "preact8", "plain8", "resnet18"])
def test_a_network_computes_the_same_through_both_layouts(name, monkeypatch):
    first = _step(name, "channels_first", monkeypatch)
    rows_calls = []
    real = conv.Conv2d._forward_rows
    monkeypatch.setattr(conv.Conv2d, "_forward_rows", lambda self, *a: rows_calls.append(1) or real(self, *a))
    last = _step(name, "channels_last", monkeypatch)
    assert rows_calls                                   # the route under test ran
    np.testing.assert_allclose(first[0], last[0], rtol=1e-12)
    for a, b in zip(first[1] + first[2], last[1] + last[2]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    # eval with the same (trained) weights and running statistics: no training in between to
    # amplify the two routes' different rounding
    np.testing.assert_allclose(_eval(name, first[3], "channels_first", monkeypatch),
                               _eval(name, first[3], "channels_last", monkeypatch), rtol=1e-12, atol=1e-12)


def test_the_outputs_are_laid_out_pixel_by_pixel(monkeypatch):
    """What makes the route pay: conv2d and batch norm hand each other channels-last arrays, so
    no layout copy is made between them."""
    monkeypatch.setattr(conv, "LAYOUT", "channels_last")
    x = tr.tensor(np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype("float32"))
    y = F.conv2d(x, tr.tensor(np.ones((4, 3, 3, 3), "float32")), padding=1)
    assert _fast.channels_last(y.data) is not None and _fast.channels_first(y.data) is None
    z = F.batch_norm(y, None, None, training=True)
    assert _fast.channels_last(z.data) is not None


def test_buffers_are_per_thread(monkeypatch):
    """The padded and row buffers are reused between calls: two threads (lesson 13's replicas)
    must each get their own, or one would overwrite the other's rows mid-product."""
    monkeypatch.setattr(conv, "LAYOUT", "channels_last")
    rng = np.random.default_rng(1)
    w = tr.tensor(rng.standard_normal((8, 4, 3, 3)))
    xs = [tr.tensor(rng.standard_normal((16, 4, 12, 12))) for _ in range(4)]
    expected = [F.conv2d(x, w, padding=1).numpy() for x in xs]
    got, ids = [None] * 4, set()
    barrier = threading.Barrier(4)

    def run(i):
        barrier.wait()
        for _ in range(20):
            got[i] = F.conv2d(xs[i], w, padding=1).numpy()
        ids.add(id(im2row._local.buffers))
    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 4
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
