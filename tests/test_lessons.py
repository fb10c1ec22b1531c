"""The lessons: each runs alone with --quick, prints its explanations in the chosen language,
ends with "Your turn", draws its cotangents from their own stream; and every conclusion a
lesson prints comes from a pure function of its measured numbers, tested here on every branch."""
import pathlib
import re
import subprocess
import sys
import time

import numpy as np
import pytest

from tinyres import lesson as tl
from tinyres.exercises import EXERCISES
from tinyres.i18n import M

from langcheck import english_left

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py"))
FIGURES = {"02_convolution": ["im2col.png"], "04_degradation": ["training_curves.png"],
           "06_gradient_flow": ["layer_norms_8x8_bn.png", "layer_norms_8x8_nobn.png", "residual_split_8x8.png"],
           "07_residual_depth": ["training_curves.png"], "09_ensembles": ["block_deletion.png"],
           "10_loss_landscape": ["loss_1d.png", "loss_2d.png"], "11_training_recipe": ["augmentation.png"],
           "13_data_parallel": ["per_replica_batch.png"]}
HANGUL = re.compile("[\uac00-\ud7a3]")


def test_lessons_are_numbered_without_gaps():
    assert [p.name[:2] for p in LESSONS] == [f"{i:02d}" for i in range(1, len(LESSONS) + 1)]
    assert len(LESSONS) >= 10


def _explanations(stdout):
    """The paragraphs printed by Lesson.say after the glossary: no titles, rules or result lines."""
    head, sep, body = stdout.partition("  " + "-" * 40 + "\n")
    assert sep, "the glossary's closing rule is missing"
    lines = body.splitlines()
    keep = []
    for i, line in enumerate(lines):
        is_title = i > 0 and lines[i - 1].startswith("=") and set(lines[i - 1]) == {"="}
        if line.startswith(("  ", "=")) or is_title or not line.strip():
            continue
        keep.append(line)
    return "\n".join(keep)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_quick(path, lang, tmp_path):
    t = time.perf_counter()
    run = subprocess.run([sys.executable, str(path), "--quick", "--out", str(tmp_path), "--lang", lang, "--seed", "1"],
                         capture_output=True, text=True, timeout=120)      # TINYRES_STRICT_LANG=1 (conftest)
    seconds = time.perf_counter() - t
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "glyph" not in run.stderr.lower(), "a figure has a character its font cannot draw:\n" + run.stderr[-1500:]
    out = run.stdout
    assert out.startswith(f"[{path.stem}] " + ("glossary" if lang == "en" else "용어"))
    for fig in FIGURES.get(path.stem, []):
        assert (tmp_path / fig).stat().st_size > 5000, fig
    text = path.read_text()
    assert text.count("# %%") >= 2 and "Lesson(" in text
    said = _explanations(out)
    assert said.strip(), "the lesson explains nothing"
    if lang == "ko":
        assert HANGUL.search(said), "no Korean in the explanations after the glossary"
        left = english_left(out)
        assert not left, f"{len(left)} line(s) still English under --lang ko:\n" + "\n".join(left[:20])
    else:
        assert not HANGUL.search(out), "Korean printed under --lang en"
    turn = re.search(r"tinyres exercises check DIR --only (\w+)", out.rpartition("Your turn" if lang == "en" else "직접 해 보기")[2])
    assert turn and turn.group(1) in [e.name for e in EXERCISES], "the lesson must end by naming an exercise"
    # one seed in quick mode: no claim about every seed may be printed
    assert "every seed" not in out.lower() and "모든 시드" not in out
    assert seconds < 30, f"{path.name} --quick took {seconds:.0f}s"


def test_say_prints_the_chosen_language(tmp_path, capsys):
    for lang, want, other in (("ko", "직접 해 보기", "Your turn"), ("en", "Your turn", "직접 해 보기")):
        L = tl.Lesson(__file__, "doc", [("residual add", "z = F(x) + x, its own op in tinyres")],
                      argv=["--lang", lang, "--out", str(tmp_path)])
        capsys.readouterr()
        L.say("Your turn")
        L.conclude(tl.Conclusion("x", M("Your turn")))
        printed = capsys.readouterr().out
        assert printed.count(want) == 2 and other not in printed


def test_your_turn_refuses_an_unknown_exercise(tmp_path):
    L = tl.Lesson(__file__, "doc", [("a", "b")], argv=["--out", str(tmp_path)])
    with pytest.raises(ValueError, match="unknown exercise"):
        L.your_turn("batchnorm", "")


@pytest.mark.parametrize("seed", [0, 1, 2, 7])
def test_cotangent_has_its_own_stream(tmp_path, seed):
    L = tl.Lesson(__file__, "doc", [("a", "b")], argv=["--seed", str(seed), "--out", str(tmp_path)])
    data = L.rng.standard_normal((4, 3, 3, 3))
    v = L.cotangent((4, 3, 3, 3))
    assert not np.allclose(v, data)
    assert not np.allclose(v, np.random.default_rng(seed).standard_normal((4, 3, 3, 3)))   # the weight-init stream
    assert np.array_equal(v, L.cotangent((4, 3, 3, 3)))          # what gradcheck(seed=L.cotangent_seed) draws


def test_lessons_draw_no_cotangent_like_the_data():
    for path in LESSONS:
        text = path.read_text()
        assert not re.search(r"default_rng\((L\.args|a)\.seed\)", text), f"{path.name}: data stream seeded like gradcheck"
        for call in re.finditer(r"gradcheck\(", text):
            depth, i = 1, call.end()
            while depth:
                depth += {"(": 1, ")": -1}.get(text[i], 0)
                i += 1
            assert "seed=L.cotangent_seed" in text[call.start():i], f"{path.name}: gradcheck without its own cotangent seed"


def test_degradation_lesson_passes_shallow_then_deep():
    text = (LESSONS[0].parent / "04_degradation.py").read_text()
    assert "compare_depths(errors[shallow], errors[deep], shallow, deep)" in text


# ------------------------------------------------------------------ conclusions, every branch

def _both(c):
    assert HANGUL.search(c.ko) and not HANGUL.search(c.en)
    return c


def test_compare_depths_deeper_worse_states_the_positive_gap():
    c = _both(tl.compare_depths([0.05, 0.06, 0.07], [0.70, 0.74, 0.78], "plain20", "plain56"))
    assert c.verdict == "deeper_worse"
    assert "HIGHER training error, by 68.0 points" in c.en and "not overfitting" in c.en
    assert "68.0%p" in c.ko


def test_compare_depths_deeper_better_claims_no_degradation():
    c = _both(tl.compare_depths([0.70, 0.74, 0.78], [0.05, 0.06, 0.07], "plain20", "plain56"))
    assert c.verdict == "deeper_not_worse"
    assert "HIGHER" not in c.en and "no degradation" in c.en


def test_compare_depths_mixed_and_too_few():
    assert _both(tl.compare_depths([0.1, 0.2, 0.3], [0.2, 0.1, 0.35], "a", "b")).verdict == "mixed"
    c = _both(tl.compare_depths([0.05], [0.7], "plain8", "plain14"))
    assert c.verdict == "too_few" and "HIGHER" not in c.en and "every seed" not in c.en.lower()
    with pytest.raises(ValueError):
        tl.compare_depths([0.1, 0.2], [0.3], "a", "b")


def test_compare_families():
    assert _both(tl.compare_families([0.7, 0.8, 0.75], [0.1, 0.2, 0.15], "plain56", "resnet56")).verdict == "residual_better"
    assert _both(tl.compare_families([0.1, 0.2, 0.15], [0.7, 0.8, 0.75], "plain56", "resnet56")).verdict == "plain_better"
    assert tl.compare_families([0.1, 0.3, 0.2], [0.2, 0.1, 0.3], "p", "r").verdict == "mixed"
    assert tl.compare_families([0.7], [0.1], "p", "r").verdict == "too_few"


def test_conclude_growth_reads_a_large_ratio_as_growth():
    c = _both(tl.conclude_growth([5e3, 2e3, 1e3], "plain56", "32x32"))
    assert c.verdict == "grows" and "nothing vanishes" in c.en and "32x32" in c.en
    assert _both(tl.conclude_growth([0.1, 0.5, 0.01], "r", "8x8")).verdict == "shrinks"
    assert tl.conclude_growth([0.5, 2.0, 3.0], "r", "8x8").verdict == "mixed"
    assert tl.conclude_growth([5e3], "r", "8x8").verdict == "too_few"


def test_conclude_first_layer_ratio():
    assert _both(tl.conclude_first_layer_ratio([500, 300, 900], "plain20", "plain56", "8x8")).verdict == "vanishes"
    c = _both(tl.conclude_first_layer_ratio([0.7, 1.6, 30], "plain20", "plain56", "32x32"))
    assert c.verdict == "no_vanishing" and "32x32" in c.en
    assert tl.conclude_first_layer_ratio([500], "a", "b", "8x8").verdict == "too_few"


def test_conclude_after_steps():
    assert _both(tl.conclude_after_steps([1e5, 1e6, 1e3], "plain56", 20)).verdict == "collapses"
    assert _both(tl.conclude_after_steps([1e5, 2.0, 1e3], "plain56", 20)).verdict == "no_collapse"
    assert tl.conclude_after_steps([1e5], "plain56", 2).verdict == "too_few"


def test_compare_replica_bn_claims_only_what_every_seed_shows():
    worse = _both(tl.compare_replica_bn([0.055, 0.050, 0.058], [0.045, 0.042, 0.036], 4))
    assert worse.verdict == "per_replica_worse" and "on every seed" in worse.en
    assert _both(tl.compare_replica_bn([0.040, 0.035, 0.036], [0.045, 0.042, 0.036], 4)).verdict == \
        "per_replica_not_worse"
    # lesson 13's run: worse on average, better on one seed (19 vs 21 of 359 wrong): no claim
    mixed = _both(tl.compare_replica_bn([19 / 359, 18 / 359, 21 / 359], [21 / 359, 15 / 359, 13 / 359], 4))
    assert mixed.verdict == "mixed" and "no claim" in mixed.en
    assert tl.compare_replica_bn([0.05], [0.04], 4).verdict == "too_few"


def test_compare_deletion():
    assert _both(tl.compare_deletion([0.05, 0.1, 0.08], [0.8, 0.7, 0.75], "resnet20", "plain20")).verdict == "resnet_robust"
    assert _both(tl.compare_deletion([0.8, 0.7, 0.75], [0.05, 0.1, 0.08], "resnet20", "plain20")).verdict == "plain_robust"
    assert tl.compare_deletion([0.1, 0.8, 0.1], [0.5, 0.5, 0.5], "r", "p").verdict == "mixed"
    assert tl.compare_deletion([0.1], [0.5], "r", "p").verdict == "too_few"


def test_conclude_sharpness():
    assert _both(tl.conclude_sharpness([1.5, 2.0, 1.8], [3.0, 4.0, 5.0], "resnet20", "plain20")).verdict == "resnet_flatter"
    assert _both(tl.conclude_sharpness([3.0, 4.0, 5.0], [1.5, 2.0, 1.8], "resnet20", "plain20")).verdict == "plain_flatter"
    assert tl.conclude_sharpness([1.0, 5.0, 1.0], [2.0, 2.0, 2.0], "r", "p").verdict == "mixed"
    assert tl.conclude_sharpness([1.0], [2.0], "r", "p").verdict == "too_few"


def test_compare_identity_fit():
    assert _both(tl.compare_identity_fit([0.02, 0.03, 0.02], [0.01, 0.01, 0.005], 150)).verdict == "residual_easier"
    assert _both(tl.compare_identity_fit([0.01, 0.01, 0.005], [0.02, 0.03, 0.02], 150)).verdict == "plain_easier"
    assert tl.compare_identity_fit([0.01, 0.03, 0.02], [0.02, 0.01, 0.03], 150).verdict == "mixed"
    assert tl.compare_identity_fit([0.02], [0.01], 20).verdict == "too_few"


def test_conclude_init_scale():
    assert _both(tl.conclude_init_scale(0.8, 2e-9)).verdict == "he_keeps_scale"
    assert _both(tl.conclude_init_scale(1e-5, 2e-9)).verdict == "unexpected"
    assert tl.conclude_init_scale(0.8, 0.5).verdict == "unexpected"


def test_mean_sd():
    assert tl.mean_sd([1.0]) == (1.0, 0.0)
    m, s = tl.mean_sd([1.0, 2.0, 3.0])
    assert m == 2.0 and abs(s - 1.0) < 1e-12


def test_a_lesson_with_nothing_to_save_leaves_no_empty_folder(tmp_path):
    """--out is checked before any work, but a folder the lesson made and left empty is removed;
    a lesson that writes figures keeps its folder."""
    for stem, keeps in (("01_autograd", False), ("02_convolution", True)):
        out = tmp_path / stem
        run = subprocess.run([sys.executable, str(ROOT / "lessons" / f"{stem}.py"), "--quick", "--out", str(out)],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-2000:]
        assert out.is_dir() == keeps, (stem, sorted(p.name for p in out.iterdir()) if out.is_dir() else None)
