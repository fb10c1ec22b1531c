"""The README's examples run as written, and the CLI commands work end to end."""
import pathlib
import re

import pytest

from tinyres.cli import main

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


@pytest.mark.parametrize("index", range(len(_python_blocks())))
def test_readme_python_examples_run(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(_python_blocks()[index], f"README block {index}", "exec"), {})


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
