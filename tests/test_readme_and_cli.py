"""The README's examples run as written, and the CLI commands work end to end."""
import json
import pathlib
import re

import numpy as np
import pytest

import tinyres as tr
from tinyres.cli import main

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def _run_block(index, capsys):
    """Execute README block ``index``; returns (its globals, what it printed)."""
    capsys.readouterr()
    ns = {}
    exec(compile(_python_blocks()[index], f"README block {index}", "exec"), ns)
    return ns, capsys.readouterr().out


def _block_with(marker):
    found = [i for i, b in enumerate(_python_blocks()) if marker in b]
    assert len(found) == 1, f"expected one README python block containing {marker!r}, found {len(found)}"
    return found[0]


@pytest.mark.parametrize("index", range(len(_python_blocks())))
def test_readme_python_examples_run(index, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _, out = _run_block(index, capsys)
    assert not re.search(r"FAILED|\bnan\b|\binf\b", out), out


def test_readme_autograd_example_prints_the_shapes_and_a_passing_check(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    ns, out = _run_block(_block_with("tr.gradcheck("), capsys)
    lines = out.splitlines()
    assert lines[0] == "(2, 3, 8, 8) (4, 3, 3, 3)"
    assert re.match(r"gradcheck PASSED: (\d+) elements checked", lines[1])
    assert int(re.match(r"gradcheck PASSED: (\d+)", lines[1]).group(1)) == 2 * 3 * 5 * 5 + 3 * 3 * 3 * 3
    assert np.all(np.isfinite(ns["x"].grad)) and np.any(ns["x"].grad != 0)


def test_readme_weights_example_round_trips(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    ns, _ = _run_block(_block_with("tr.save(model"), capsys)
    saved = tr.load(tmp_path / "resnet20.npz")
    state = ns["model"].state_dict()
    assert list(saved) == list(state)
    for k, v in state.items():
        np.testing.assert_array_equal(saved[k], tr.backend.to_numpy(v.data if isinstance(v, tr.Tensor) else v))


def test_readme_tracing_example_prints_and_writes_what_it_says(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    block = _python_blocks()[_block_with("trace_gradients")]
    ns, out = _run_block(_block_with("trace_gradients"), capsys)
    trace = ns["trace"]
    assert out.strip() == f"{(56 - 2) // 2} blocks traced" == f"{len(trace.residual)} blocks traced"
    first = trace.residual[0]
    promised = re.findall(r"'(\w+)': ", block)          # the keys the comment shows
    assert promised and set(promised) <= set(first)
    assert first["name"] == re.search(r"'name': '([^']+)'", block).group(1)
    assert first["total_norm"] > 0 and np.isfinite(first["total_norm"])
    data = json.loads((tmp_path / "trace.json").read_text())
    assert len(data["residual"]) == len(trace.residual)
    rows = (tmp_path / "trace" / "residual.csv").read_text().splitlines()
    assert len(rows) == 1 + len(trace.residual)


def test_readme_opens_with_the_two_commands():
    text = README.read_text()
    first = re.findall(r"```bash\n(.*?)```", text, re.S)[:2]
    assert "pip install -e ." in first[0] and "tinyres" in first[0].split("&&")[-1]
    assert 'pip install -e ".[dev]"' in first[1] and "pytest" in first[1]


def test_demo_shows_the_identity_path_keeps_the_gradient(capsys):
    assert main(["demo", "--depth", "12"]) == 0
    out = capsys.readouterr().out
    plain = float(re.search(r"plain stack\s*: (\S+)", out).group(1))
    resid = float(re.search(r"residual stack : (\S+)", out).group(1))
    assert resid >= 1.0 > 100 * plain
    assert "gradcheck PASSED" in out


def test_unknown_device_is_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--device", "tpu"])
    assert "unknown device" in capsys.readouterr().err


def test_tour_quick_writes_the_report(tmp_path, capsys):
    out = tmp_path / "tour"
    assert main(["tour", "--quick", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "Report:" in printed and "report.html" in printed
    md = (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    images = re.findall(r"!\[.*?\]\((.*?)\)", md)
    assert len(images) == 4 and all((out / p).stat().st_size > 5000 for p in images)
    assert page.count("<img") == 4 and "resnet56" in page and "40.55M" in page
    assert "train" in md and "%" in md
