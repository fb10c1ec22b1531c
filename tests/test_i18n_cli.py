"""The command line in Korean: every line `tinyres demo/summary/train/gradflow/tour --lang ko`
prints, and the tour's report, is Korean (numbers, code names and paths aside), and the Korean
figures draw every glyph. The commands that draw run in a subprocess: choosing a Korean figure
font changes matplotlib's settings for the rest of a process."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

import tinyres.functional as F
from langcheck import HANGUL, english_left
from tinyres import cli, i18n
from tinyres.cli import build_parser
from tinyres.train import NonFiniteLossError, TrainConfig, train

# matplotlib's two wordings of a glyph the font cannot draw (plain text / mathtext)
GLYPH_WARNINGS = ("missing from", "does not have a glyph")


def _tinyres(*argv, env=None):
    run = subprocess.run([sys.executable, "-m", "tinyres", *argv], capture_output=True, text=True, timeout=300,
                         env={**os.environ, **(env or {})})
    assert not any(w in run.stderr for w in GLYPH_WARNINGS), run.stderr[-2000:]
    return run


def _korean(text):
    """The lines of ``text`` that still hold English, after checking that there is Korean at all."""
    assert HANGUL.search(text), text[:500]
    return english_left(text)


def _prose(markup):
    """Report text as a reader sees it: no tags, code spans, image paths or links."""
    markup = re.sub(r"<[^>]+>", " ", markup)
    markup = re.sub(r"`[^`]*`", " ", markup)
    return re.sub(r"\]\([^)]*\)", "] ", markup)


def test_tour_writes_a_korean_report(tmp_path):
    out = tmp_path / "tour"
    run = _tinyres("tour", "--quick", "--lang", "ko", "--out", str(out), "--no-progress")
    assert run.returncode == 0, run.stderr[-2000:]
    assert not _korean(run.stdout)
    md, page = (out / "report.md").read_text(encoding="utf-8"), (out / "report.html").read_text(encoding="utf-8")
    assert "lang='ko'" in page and page.count("<img") == 4 and md.count("![") == 4
    for text in (md, page):
        assert not _korean(_prose(text))
    assert "제시 안 됨" in md                   # the paper's blanks, translated in the table


def test_demo_summary_train_and_gradflow_print_no_english_in_korean(tmp_path, monkeypatch, capsys):
    # demo, summary and train draw nothing: they run here, without the figure font (it would
    # change matplotlib's settings for every later test); gradflow draws, in a subprocess
    monkeypatch.setattr(cli, "figure_lang", lambda: "en")
    assert cli.main(["demo", "--depth", "12", "--lang", "ko"]) == 0
    demo = capsys.readouterr().out
    # the lines after the check's heading are the gradient-check report, whose sentences belong to
    # the gradient-check section of the catalogue (tinyres/inspect/gradcheck.py), not to the CLI
    heading = i18n.translate("Gradient check of relu(conv(x) + shortcut_A(x)) against central differences "
                             "(float64):", "ko")
    assert heading in demo
    assert not _korean(demo.split(heading)[0] + heading)

    i18n.set_lang(None)
    monkeypatch.setenv("TINYRES_LANG", "ko")                 # the language from the environment
    assert cli.main(["summary", "resnet20"]) == 0
    summary = capsys.readouterr().out
    assert not _korean(summary) and "전체 파라미터: 269,722" in summary
    monkeypatch.delenv("TINYRES_LANG")

    args = ["train", "--quick", "--model", "resnet8", "--out", str(tmp_path / "run"), "--no-progress", "--lang", "ko"]
    assert cli.main(args) == 0
    first = capsys.readouterr().out
    assert not _korean(first) and "8번 반복" in first
    assert cli.main(args + ["--resume"]) == 0                  # already complete: says so
    again = capsys.readouterr().out
    assert not _korean(again) and "이미 끝났습니다" in again
    assert cli.main(args + ["--resume", "--batch-size", "7"]) == 2      # the CLI's own one-line error
    clash = capsys.readouterr().err
    assert not _korean(clash) and len(clash.strip().splitlines()) == 1

    flow = _tinyres("gradflow", "--quick", "--out", str(tmp_path / "gf"), "--no-progress", "--lang", "ko")
    assert flow.returncode == 0, flow.stderr[-2000:]
    assert not _korean(flow.stdout) and "항등 경로" in flow.stdout


def test_lang_is_an_option_of_every_subcommand():
    parser = build_parser()
    for argv in (["demo"], ["summary", "resnet20"], ["train"], ["gradflow"], ["tour"], ["exercises", "list"],
                 ["exercises", "check", "DIR"]):
        assert parser.parse_args(argv + ["--lang", "ko"]).lang == "ko", argv
        assert not hasattr(parser.parse_args(argv), "lang"), argv       # left out: $TINYRES_LANG decides
    # given to `exercises` before its subcommand, the subcommand's parser must not reset it
    assert parser.parse_args(["exercises", "--lang", "ko", "check", "DIR"]).lang == "ko"
    with pytest.raises(SystemExit):
        parser.parse_args(["demo", "--lang", "xx"])


def test_a_non_finite_loss_is_reported_in_korean_and_raised_in_english(tmp_path):
    cfg = dict(model="resnet8", data="digits", limit_train=100, limit_test=50, batch_size=50, milestones=(2,),
               progress=False, out=str(tmp_path / "nan"), log_every=2)
    train(TrainConfig(epochs=1, **cfg), log=lambda *a: None)

    def nan_loss(logits, y):
        return F.cross_entropy(logits, y) * float("nan")
    messages = []
    i18n.set_lang("ko")
    with pytest.raises(NonFiniteLossError, match=r"loss became nan at iteration 3 .*The last good checkpoint is"):
        train(TrainConfig(epochs=2, **cfg), resume=True, loss_fn=nan_loss, log=messages.append)
    assert "마지막 정상 체크포인트" in messages[-1] and "checkpoint.npz (반복 2)" in messages[-1]
    assert not _korean(messages[-1])
    metrics = pathlib.Path(cfg["out"], "metrics.json").read_text()
    assert "loss became nan" in metrics                      # the file keeps the English text
