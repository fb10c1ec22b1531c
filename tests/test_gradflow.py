"""Gradient tracing never changes the maths, and its split is right: each part equals the same
gradient computed without tracing (through public hooks and by running one path alone).
Also the hook semantics tracing is built on: forward (pre-)hooks and tensor hooks whose
return values replace inputs, outputs and gradients, as in PyTorch."""
import json
import os

import numpy as np
import pytest

import tinyres as tr
import tinyres.functional as F
from tinyres import backend, models
from tinyres.cli import main
from tinyres.inspect.gradflow import trace_gradients
from tinyres.inspect.plots import (plot_layer_norms, plot_norm_history, plot_residual_split,
                                   plot_training_curves)


def _step(model, device, seed=0):
    rng = np.random.default_rng(seed)
    x = tr.tensor(rng.standard_normal((4, 1, 8, 8)).astype("float32"), device=device)
    y = tr.tensor(rng.integers(0, 10, 4), device=device)
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return {n: backend.to_numpy(p.grad).copy() for n, p in model.named_parameters()}


MODELS = {
    "resnet8_A": lambda: models.cifar_resnet(8, in_channels=1),
    "resnet14_B": lambda: models.cifar_resnet(14, shortcut="B", in_channels=1),
    "preact8_B": lambda: models.cifar_resnet(8, preact=True, shortcut="B", in_channels=1),
    "plain8": lambda: models.cifar_plain(8, in_channels=1),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_tracing_leaves_every_gradient_bitwise_unchanged(name, device):
    tr.manual_seed(0)
    model = MODELS[name]().to(device)
    plain = _step(model, device)
    with trace_gradients(model, name) as trace:
        traced = _step(model, device)
    again = _step(model, device)
    for k in plain:
        np.testing.assert_array_equal(plain[k], traced[k], err_msg=k)
        np.testing.assert_array_equal(plain[k], again[k], err_msg=k)
    assert len({r["name"] for r in trace.params}) == len(plain)
    for r in trace.params:          # each parameter's norm is that of the gradient it accumulated
        np.testing.assert_allclose(r["norm"], np.linalg.norm(traced[r["name"]]), rtol=1e-5)
    n_blocks = 0 if name.startswith("plain") else (int(name.split("_")[0][-2:].lstrip("t")) - 2) // 2
    assert len(trace.residual) == n_blocks


def _float64_step(model, device, seed=0):
    rng = np.random.default_rng(seed)
    x = tr.tensor(rng.standard_normal((4, 1, 8, 8)), device=device)
    y = tr.tensor(rng.integers(0, 10, 4), device=device)
    model.zero_grad()
    logits = model(x)
    logits.retain_grad()
    F.cross_entropy(logits, y).backward()
    return logits, y


def _untraced_gradients(model, device):
    """Per block: its input x, the fork's input a, and dL/dx, dL/da, dL/dy at the join, read
    through retain_grad on tensors that plain forward hooks hand out; no tracer involved."""
    seen, handles = {}, []
    for name, m in model.named_modules():
        if isinstance(m, models.ResidualBlock) and not m.plain:
            def pre(block, inputs, name=name):
                inputs[0].retain_grad()
                seen[name] = {"x": inputs[0]}
            def fork(module, inputs, out, name=name):     # where the paths part: x, or relu(bn1(x))
                inputs[0].retain_grad()
                seen[name]["a"] = inputs[0]
            def join(module, inputs, out, name=name):
                out.retain_grad()
                seen[name]["y"] = out
            handles += [m.register_forward_pre_hook(pre), m.fork.register_forward_hook(fork),
                        m.join.register_forward_hook(join)]
    _float64_step(model, device)
    for h in handles:
        h.remove()
    return seen


def _alone(fn, x, gy):
    """dL/dx of one path run by itself from a fresh leaf, fed the upstream gradient gy."""
    leaf = tr.tensor(x.data, requires_grad=True)
    fn(leaf).backward(gy)
    return backend.to_numpy(leaf.grad)


@pytest.mark.parametrize("name", ["resnet14_B", "preact8_B", "resnet8_A"])
def test_split_matches_gradients_computed_without_tracing(name, device):
    tr.manual_seed(1)
    model = MODELS[name]().to(device).to(dtype="float64")
    ref = _untraced_gradients(model, device)
    with trace_gradients(model, name, keep_arrays=True) as trace:
        _float64_step(model, device)
    blocks = dict(model.named_modules())
    kinds, close = set(), dict(rtol=1e-10, atol=1e-14)
    assert len(trace.residual) == len(ref)
    for rec, arr in zip(trace.residual, trace.arrays):
        kinds.add(rec["shortcut"])
        block, r = blocks[rec["name"]], ref[rec["name"]]
        s, b, total, up = (backend.to_numpy(arr[k]) for k in ("shortcut", "branch", "total", "upstream"))
        gy = r["y"].grad
        np.testing.assert_array_equal(up, backend.to_numpy(gy))              # dL/dy at the join
        a = r["a"]
        np.testing.assert_array_equal(total, backend.to_numpy(a.grad))        # dL/d(fork input)
        if block.preact and block.downsample is None:   # the branch starts with bn1-relu after the fork
            branch = lambda t: block.branch(block.relu(block.bn1(t)))  # noqa: E731
        else:
            branch = block.branch
        np.testing.assert_allclose(b, _alone(branch, a, gy), **close)
        if block.downsample is None:                    # the "+1": dL/dy itself, bitwise
            np.testing.assert_array_equal(s, backend.to_numpy(gy))
        else:
            np.testing.assert_allclose(s, _alone(block.downsample, a, gy), **close)
        if a is r["x"]:
            np.testing.assert_array_equal(total, backend.to_numpy(r["x"].grad))
        np.testing.assert_allclose(rec["total_norm"], np.linalg.norm(total), rtol=1e-12)
        np.testing.assert_allclose(rec["identity_norm"], np.linalg.norm(s), rtol=1e-12)
        np.testing.assert_allclose(rec["branch_norm"], np.linalg.norm(b), rtol=1e-12)
        assert -1 <= rec["cosine"] <= 1
    assert "identity" in kinds and len(kinds) == 2


def test_output_norms_match_the_loss_gradient_by_hand(device):
    """The logits' gradient of mean cross-entropy is (softmax - onehot) / N: the fc record
    must be its norm (a hook on the wrong tensor or a stale array gives another number)."""
    tr.manual_seed(4)
    model = MODELS["resnet8_A"]().to(device).to(dtype="float64")
    with trace_gradients(model, "resnet8") as trace:
        logits, y = _float64_step(model, device)
    z = backend.to_numpy(logits.data)
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(len(z)), backend.to_numpy(y.data)] -= 1
    fc = [r for r in trace.outputs if r["name"] == "fc"]
    assert len(fc) == 1
    np.testing.assert_allclose(fc[0]["norm"], np.linalg.norm(p / len(z)), rtol=1e-10)


def test_steps_are_counted_and_exported(tmp_path):
    tr.manual_seed(2)
    model = models.get_model("resnet8", in_channels=1)
    with trace_gradients(model, "resnet8") as trace:
        for _ in range(3):
            _step(model, "cpu")
    assert sorted({r["step"] for r in trace.residual}) == [0, 1, 2]
    trace.save_json(tmp_path / "t.json")
    trace.save_csv(tmp_path / "csv")
    doc = json.load(open(tmp_path / "t.json"))
    assert doc["model"] == "resnet8" and {"model", "step", "depth", "name"} <= set(doc["residual"][0])
    header = open(tmp_path / "csv" / "residual.csv").readline().strip().split(",")
    assert header[:4] == ["model", "step", "depth", "name"]
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())   # removed on exit


def _png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 5000


def test_every_plot_writes_a_png_with_its_series(tmp_path):
    traces = {}
    for name in ("plain8", "resnet8"):
        tr.manual_seed(3)
        model = models.get_model(name, in_channels=1)
        with trace_gradients(model, name) as t:
            for _ in range(3):
                _step(model, "cpu")
        traces[name] = t.to_dict()
    r = plot_layer_norms(traces, str(tmp_path / "a.png"), [0, 2])
    assert _png(r.path) and r.series == 4                     # 2 models x 2 panels
    r = plot_residual_split(traces["resnet8"], str(tmp_path / "b.png"), 0)
    assert _png(r.path) and r.series == 3
    r = plot_norm_history(traces, str(tmp_path / "c.png"))
    assert _png(r.path) and r.series == 4                     # first and last conv per model
    rows = [{"iteration": i, "train_error": 0.5 / (i + 1), "test_error": 0.6 / (i + 1) if i % 2 else ""}
            for i in range(10)]
    r = plot_training_curves({"plain20": rows, "resnet20": rows, "resnet56": rows}, str(tmp_path / "d.png"))
    assert _png(r.path) and r.series == 6


def test_gradflow_cli_quick(tmp_path, capsys):
    out = tmp_path / "gf"
    assert main(["gradflow", "--quick", "--out", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "identity path carries" in text
    files = set(os.listdir(out))
    assert {"gradflow.json", "layer_norms.png", "norm_history.png", "residual_split_resnet8_step0.png"} <= files
    doc = json.load(open(out / "gradflow.json"))
    assert set(doc["traces"]) == {"plain8", "resnet8"} and doc["steps"] == [0, 2]
    assert main(["gradflow", "--quick", "--no-batch-norm", "--out", str(out), "--no-progress"]) == 0
    assert "layer_norms_nobn.png" in os.listdir(out)


# ---------------------------------------------------------------- the hooks tracing is built on

def test_tensor_hook_return_value_replaces_the_gradient(device):
    x = tr.tensor(np.array([1.0, 2.0]), requires_grad=True, device=device)
    h = x * 3.0
    h.register_hook(lambda g: g * 10.0)                 # replaces dL/dh for everything upstream
    seen = []
    h.register_hook(lambda g: seen.append(backend.to_numpy(g).copy()))   # a later hook sees the new value
    (h * h).sum().backward()
    np.testing.assert_array_equal(seen[0], 10 * 2 * np.array([3.0, 6.0]))
    np.testing.assert_array_equal(backend.to_numpy(x.grad), 3 * 10 * 2 * np.array([3.0, 6.0]))


def test_leaf_hook_runs_once_on_the_summed_gradient_and_can_replace_it(device):
    w = tr.tensor(np.array([2.0]), requires_grad=True, device=device)
    calls = []
    w.register_hook(lambda g: calls.append(backend.to_numpy(g).copy()) or g * 0.5)
    (w * w + w * 3.0).sum().backward()                  # w used three times: 2w + 3 = 7 in total
    assert len(calls) == 1 and calls[0][0] == 7.0
    assert backend.to_numpy(w.grad)[0] == 3.5


def test_forward_pre_hook_and_forward_hook_replace_inputs_and_output():
    lin = tr.nn.Linear(2, 2)
    x = tr.tensor(np.ones((1, 2), dtype="float32"))
    base = lin(x).numpy()
    h1 = lin.register_forward_pre_hook(lambda m, inputs: inputs[0] * 2.0)    # a lone value = 1-tuple
    np.testing.assert_allclose(lin(x).numpy(), 2 * base - lin.bias.numpy(), rtol=1e-6)   # W(2x) + b
    h2 = lin.register_forward_hook(lambda m, inputs, out: out * 0.0)
    assert np.all(lin(x).numpy() == 0)
    h1.remove()
    h2.remove()
    np.testing.assert_array_equal(lin(x).numpy(), base)
    assert not lin._forward_hooks and not lin._forward_pre_hooks


def test_every_residual_block_has_a_hookable_fork_and_join_and_plain_blocks_none():
    net = models.cifar_resnet(8, preact=True, shortcut="B", in_channels=1)
    for block in (m for m in net.modules() if isinstance(m, models.ResidualBlock)):
        assert isinstance(block.fork, tr.nn.ResidualFork) and isinstance(block.join, tr.nn.ResidualJoin)
    plain = models.cifar_plain(8, in_channels=1)
    assert not any(isinstance(m, (tr.nn.ResidualFork, tr.nn.ResidualJoin)) for m in plain.modules())
    assert not any("fork" in k or "join" in k for k in net.state_dict())      # no parameters, no keys
