"""The degradation comparison run in child processes gives the runs of the one-after-the-other
route, in the order asked, and a run that fails says which."""
import pytest

from tinyres.experiments import degradation

SMALL = dict(epochs=1, limit_train=128, limit_test=128, log_every=2, progress=False)


def test_runs_in_processes_match_runs_in_turn(tmp_path):
    lines = {1: [], 2: []}
    got = {w: degradation(["resnet8", "plain8"], out=str(tmp_path / f"w{w}"), workers=w, log=lines[w].append, **SMALL)
           for w in (1, 2)}
    assert list(got[2]["final"]) == ["resnet8", "plain8"]
    for name in ("resnet8", "plain8"):
        one, two = got[1]["final"][name], got[2]["final"][name]
        assert one["iterations"] == two["iterations"] == 2
        # a child uses one BLAS thread, this process maybe two: float32 sums may round apart,
        # so allow two of the 128 images to change sides
        assert abs(one["train_error"] - two["train_error"]) <= 2 / 128
        assert abs(one["test_error"] - two["test_error"]) <= 2 / 128
        assert len(got[1]["runs"][name]) == len(got[2]["runs"][name])
    assert [line.split(":")[0].strip() for line in lines[2][1:]] == ["resnet8", "plain8"]
    assert "2 at a time" in lines[2][0]


def test_a_failing_child_names_its_run(tmp_path):
    with pytest.raises(RuntimeError, match="the run of resnet8 failed"):
        degradation(["resnet8", "plain8"], out=str(tmp_path), workers=2, lr=float("nan"), log=lambda *a: None,
                    **SMALL)


def test_workers_are_for_the_cpu(tmp_path):
    with pytest.raises(ValueError, match="CPU only"):
        degradation(["resnet8"], out=str(tmp_path), workers=2, device="strict", **SMALL)
