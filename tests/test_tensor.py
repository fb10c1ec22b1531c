"""The autograd engine: graph walking, fan-out, freeing, memory, devices, dtypes."""
import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F

from conftest import make


def test_chain_rule_and_fan_out(device, rng):
    x = make(rng, (3,), device)
    y = x * x + x * 3.0          # x used three times: gradients must be summed
    y.backward(tr.tensor(np.ones(3), device=device))
    np.testing.assert_allclose(tr.backend.to_numpy(x.grad), 2 * x.numpy() + 3.0, rtol=1e-12)


def test_grad_accumulates_across_backward_calls_and_zero_grad_clears(device, rng):
    x = make(rng, (2, 2), device)
    for _ in range(2):
        F.sum(x * 2.0).backward()
    np.testing.assert_allclose(tr.backend.to_numpy(x.grad), 4.0)
    x.zero_grad()
    assert x.grad is None


def test_leaf_grads_never_alias(device, rng):
    """residual_add hands the same upstream array to both inputs; each leaf gets its own copy."""
    a, b = make(rng, (2, 3), device), make(rng, (2, 3), device)
    y = F.residual_add(a, b)
    y.backward(tr.tensor(np.ones((2, 3)), device=device))
    assert a.grad is not b.grad
    a.grad[0, 0] = 100.0                 # editing one in place leaves the other alone
    assert float(b.grad[0, 0]) == 1.0


def test_deep_chain_has_no_recursion_limit():
    x = tr.tensor(np.ones(4), requires_grad=True)
    h = x
    for _ in range(5000):
        h = h * 1.0001
    F.sum(h).backward()
    np.testing.assert_allclose(x.grad, 1.0001 ** 5000, rtol=1e-9)


def test_diamond_graph_runs_each_node_once():
    x = tr.tensor(np.array([2.0]), requires_grad=True)
    a = x * 3.0
    b = a * a + a          # a consumed twice, by two different ops
    b.backward(np.ones(1))
    # db/dx = (2a + 1) * 3 with a = 6
    np.testing.assert_allclose(x.grad, [39.0])


def test_backward_twice_through_freed_graph_names_the_op(rng):
    x = make(rng, (1, 1, 4, 4), "cpu")
    w = make(rng, (1, 1, 3, 3), "cpu")
    loss = F.sum(F.conv2d(x, w))
    loss.backward()
    with pytest.raises(RuntimeError, match="freed.*retain_graph"):
        loss.backward()


def test_retain_graph_allows_a_second_pass(rng):
    x = make(rng, (3,), "cpu")
    y = F.sum(x * x)
    y.backward(retain_graph=True)
    first = x.grad.copy()
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * first)


def test_graph_is_freed_after_backward(rng):
    x = make(rng, (2, 3), "cpu")
    y = F.relu(x)
    fn = weakref.ref(y.creator)
    F.sum(y).backward()
    assert y.creator.saved is None and y.creator.inputs == ()
    del y
    gc.collect()
    assert fn() is None


def test_memory_stays_flat_over_1000_iterations(rng):
    w = make(rng, (4, 2, 3, 3), "cpu")
    x = make(rng, (2, 2, 6, 6), "cpu", requires_grad=False)

    def step():
        loss = F.mean(F.relu(F.conv2d(x, w, padding=1)) ** 2)
        loss.backward()
        w.zero_grad()

    def array_bytes():
        # NumPy reports its data buffers in their own tracemalloc domain; Python objects are
        # counted with gc instead (free lists make their raw byte count drift upward harmlessly).
        snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)])
        return sum(stat.size for stat in snap.statistics("filename"))

    tracemalloc.start()
    for _ in range(50):
        step()
    gc.collect()
    base_bytes, base_objects = array_bytes(), len(gc.get_objects())
    for _ in range(1000):
        step()
    gc.collect()
    grown_bytes, grown_objects = array_bytes() - base_bytes, len(gc.get_objects()) - base_objects
    tracemalloc.stop()
    # One step allocates ~15 KB of arrays and hundreds of objects: any per-step leak shows at once.
    assert grown_bytes < 4096, f"array memory grew by {grown_bytes} bytes over 1000 steps"
    assert grown_objects < 100, f"{grown_objects} more live Python objects after 1000 steps"
    gc.collect()
    from tinyres.function import Function
    assert not [o for o in gc.get_objects() if issubclass(type(o), (Function, tr.Tensor)) and o is not w and o is not x]


def test_no_grad_records_nothing(rng):
    x = make(rng, (2,), "cpu")
    with tr.no_grad():
        y = x * 2.0
    assert not y.requires_grad and y.creator is None
    assert tr.is_grad_enabled()


def test_hooks_and_retain_grad_see_intermediate_gradients(device, rng):
    x = make(rng, (3,), device)
    h = x * 2.0
    seen = []
    handle = h.register_hook(lambda g: seen.append(tr.backend.to_numpy(g).copy()))
    h.retain_grad()
    F.sum(h * 3.0).backward()
    np.testing.assert_allclose(seen[0], 3.0)
    np.testing.assert_allclose(tr.backend.to_numpy(h.grad), 3.0)
    handle.remove()
    assert h._hooks == []


def test_backward_needs_grad_for_non_scalar_and_checks_its_shape(rng):
    y = make(rng, (2, 3), "cpu") * 2.0
    with pytest.raises(RuntimeError, match="non-scalar"):
        y.backward()
    with pytest.raises(ValueError, match="shape"):
        y.backward(np.ones((3, 2)))


def test_backward_without_graph_is_a_clear_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tr.tensor([1.0, 2.0]).backward()


def test_tensor_construction_dtypes_and_conversions():
    assert "float32" in str(tr.tensor([1.0, 2.0]).dtype)
    assert "int64" in str(tr.tensor([1, 2]).dtype)
    assert "float64" in str(tr.tensor(np.zeros(2)).dtype)
    assert "float64" in str(tr.tensor([1.0], dtype="float64").dtype)
    assert tr.tensor([[3.5]]).item() == 3.5
    assert tr.tensor([1.0, 2.0]).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="one element"):
        tr.tensor([1.0, 2.0]).item()
    with pytest.raises(TypeError, match="floating"):
        tr.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="dtype"):
        tr.tensor(["a"])


def test_to_device_moves_data_and_gradient_back(rng):
    x = make(rng, (2, 2), "cpu")
    y = x.to("strict")
    assert y.device == "strict"
    F.sum(y * 2.0).backward()
    assert x.device == "cpu" and isinstance(x.grad, np.ndarray)
    np.testing.assert_allclose(x.grad, 2.0)
    np.testing.assert_allclose(y.numpy(), x.numpy())


def test_detach_cuts_the_graph(rng):
    x = make(rng, (2,), "cpu")
    d = (x * 2.0).detach()
    assert not d.requires_grad and d.creator is None


def test_operators_match_numpy(device, rng):
    a, b = make(rng, (2, 3), device), make(rng, (2, 3), device, low=0.5)
    an, bn = a.numpy(), b.numpy()
    for got, want in [(a + b, an + bn), (a - b, an - bn), (a * b, an * bn), (a / b, an / bn),
                      (-a, -an), (a ** 2, an ** 2), (2.0 - a, 2.0 - an), (1.0 / b, 1.0 / bn),
                      (a @ b.T, an @ bn.T), (a.sum(axis=1), an.sum(axis=1)), (a.mean(), an.mean()),
                      (a.reshape(3, 2), an.reshape(3, 2)), (a[1], an[1]), (a.exp(), np.exp(an))]:
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
