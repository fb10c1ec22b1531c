"""Every lesson runs alone with --quick (each well under 30 s) and writes its figures."""
import pathlib
import subprocess
import sys
import time

import pytest

LESSONS = sorted((pathlib.Path(__file__).resolve().parents[1] / "lessons").glob("[0-9][0-9]_*.py"))
FIGURES = {"02_convolution": ["im2col.png"], "05_gradient_flow": ["with_bn/layer_norms.png", "no_bn/layer_norms_nobn.png"],
           "06_degradation": ["training_curves.png"], "09_ensembles": ["block_deletion.png"],
           "10_loss_landscape": ["loss_1d.png", "loss_2d.png"]}


def test_there_are_ten_lessons():
    assert [p.name[:2] for p in LESSONS] == [f"{i:02d}" for i in range(1, 11)]


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_quick(path, tmp_path):
    lang = "ko" if path.stem.startswith(("03", "06")) else "en"
    t = time.perf_counter()
    run = subprocess.run([sys.executable, str(path), "--quick", "--out", str(tmp_path), "--lang", lang, "--seed", "1"],
                         capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - t
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "glossary" in run.stdout and "용어" in run.stdout
    for fig in FIGURES.get(path.stem, []):
        assert (tmp_path / fig).stat().st_size > 5000, fig
    text = path.read_text()
    assert text.count("# %%") >= 2 and "Lesson(" in text
    if lang == "ko":
        assert any("\uac00" <= ch <= "\ud7a3" for ch in run.stdout.split("용어", 1)[1]), "no Korean explanation"
    assert seconds < 30, f"{path.name} --quick took {seconds:.0f}s"
