"""Gradient tracing never changes the maths, and its split is exact: at every add the
identity-path gradient IS the upstream gradient, and identity + branch IS the total."""
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
    assert trace.outputs and all(r["norm"] >= 0 for r in trace.outputs)
    n_blocks = 0 if name.startswith("plain") else (int(name.split("_")[0][-2:].lstrip("t")) - 2) // 2
    assert len(trace.residual) == n_blocks


@pytest.mark.parametrize("name", ["resnet14_B", "preact8_B", "resnet8_A"])
def test_split_is_exact(name, device):
    tr.manual_seed(1)
    model = MODELS[name]().to(device)
    with trace_gradients(model, name, keep_arrays=True) as trace:
        _step(model, device)
    kinds = set()
    for rec, arr in zip(trace.residual, trace.arrays):
        kinds.add(rec["shortcut"])
        s, b, total = (backend.to_numpy(arr[k]) for k in ("shortcut", "branch", "total"))
        np.testing.assert_array_equal(s + b, total)            # identity + branch = total, bitwise
        if rec["shortcut"] == "identity":
            np.testing.assert_array_equal(s, backend.to_numpy(arr["upstream"]))   # the "+1": dL/dy itself
            assert rec["identity_norm"] == rec["upstream_norm"]
        assert -1 <= rec["cosine"] <= 1
        np.testing.assert_allclose(rec["total_norm"], np.linalg.norm(total), rtol=1e-5)
    assert "identity" in kinds and len(kinds) == 2


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
