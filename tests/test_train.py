"""The trainer: bitwise resume, non-finite loss, Ctrl-C, metrics files, the CLI end to end."""
import csv
import json
import os
import signal

import numpy as np
import pytest

import tinyres.functional as F
from tinyres import load
from tinyres.cli import main
from tinyres.train import NonFiniteLossError, TrainConfig, train


def _cfg(out, **kw):
    base = dict(model="resnet8", data="digits", limit_train=200, limit_test=100, batch_size=50, epochs=3,
                milestones=(2,), crop_padding=1, flip=False, progress=False, out=str(out), log_every=2)
    base.update(kw)
    return TrainConfig(**base)


def _weights(out):
    return {k: v for k, v in load(os.path.join(out, "checkpoint.npz")).items() if k.startswith(("model.", "optim."))}


class Interrupt:
    """A loss function that presses Ctrl-C (sends SIGINT) during iteration ``at``."""

    def __init__(self, at):
        self.at, self.calls = at, 0

    def __call__(self, logits, y):
        self.calls += 1
        if self.calls == self.at:
            os.kill(os.getpid(), signal.SIGINT)
        return F.cross_entropy(logits, y)


def test_resume_mid_epoch_is_bitwise_identical(tmp_path):
    straight = train(_cfg(tmp_path / "a"), log=lambda *a: None)
    assert straight.iteration == 12
    stopped = train(_cfg(tmp_path / "b"), loss_fn=Interrupt(at=6), log=lambda *a: None)
    assert stopped.stopped == "interrupted" and stopped.iteration == 6   # the step in flight completes
    resumed = train(_cfg(tmp_path / "b"), resume=True, log=lambda *a: None)
    assert resumed.iteration == 12
    a, b = _weights(tmp_path / "a"), _weights(tmp_path / "b")
    assert a.keys() == b.keys() and len(a) > 50
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    assert resumed.test_error == straight.test_error
    assert resumed.train_error == straight.train_error      # the interrupted epoch's metrics stay whole
    assert [r["train_error"] for r in resumed.rows if r["kind"] == "epoch"] == \
        [r["train_error"] for r in straight.rows if r["kind"] == "epoch"]


def test_non_finite_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    out = tmp_path / "nan"
    train(_cfg(out, epochs=1), log=lambda *a: None)
    before = _weights(out)

    def nan_after_1(logits, y, calls=[0]):
        calls[0] += 1
        loss = F.cross_entropy(logits, y)
        return loss * float("nan") if calls[0] > 1 else loss
    messages = []
    with pytest.raises(NonFiniteLossError, match=r"loss became nan at iteration 6 \(epoch 2, batch 2\)"):
        train(_cfg(out, epochs=3), resume=True, loss_fn=nan_after_1, log=messages.append)
    assert "checkpoint.npz" in messages[-1]
    after = _weights(out)
    for k in before:
        np.testing.assert_array_equal(before[k], after[k])
    assert "stopped" in json.load(open(out / "metrics.json"))["final"]


def test_metrics_files(tmp_path):
    train(_cfg(tmp_path, eval_every=4), log=lambda *a: None)
    rows = list(csv.DictReader(open(tmp_path / "metrics.csv")))
    epochs = [r for r in rows if r["kind"] == "epoch"]
    assert [int(r["epoch"]) for r in epochs] == [1, 2, 3]
    assert all(r["test_error"] != "" for r in epochs)
    assert [float(r["lr"]) for r in epochs] == pytest.approx([0.1, 0.1, 0.01])   # milestone at epoch 2
    assert any(r["kind"] == "iter" and r["test_error"] != "" for r in rows)        # eval_every
    # an epoch row averages the whole epoch: here its 4 equal batches = the 2 iteration rows of 2 batches each
    for e in (1, 2, 3):
        iters = [float(r["train_error"]) for r in rows if r["kind"] == "iter" and int(r["epoch"]) == e]
        epoch_row = next(r for r in epochs if int(r["epoch"]) == e)
        assert len(iters) == 2 and float(epoch_row["train_error"]) == pytest.approx(sum(iters) / 2)
    doc = json.load(open(tmp_path / "metrics.json"))
    assert doc["config"]["model"] == "resnet8" and doc["final"]["iterations"] == 12


def test_iteration_mode_with_warmup(tmp_path):
    r = train(_cfg(tmp_path, iterations=7, milestones=(5,), warmup_lr=0.01, warmup_iterations=2, log_every=1),
              log=lambda *a: None)
    assert r.iteration == 7
    lrs = [row["lr"] for row in r.rows if row["kind"] == "iter"]   # the lr after each iteration's step
    assert lrs == pytest.approx([0.01, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01])


def test_cli_train_end_to_end(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["train", "--quick", "--model", "resnet8", "--out", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "done: 8 iterations" in text and "test error" in text
    assert {"checkpoint.npz", "metrics.csv", "metrics.json"} <= set(os.listdir(out))
    assert main(["train", "--quick", "--model", "resnet8", "--out", str(out), "--no-progress", "--epochs", "3",
                 "--resume"]) == 0
    assert "resumed from" in capsys.readouterr().out
    assert main(["train", "--data", "cifar10", "--root", str(tmp_path / "none"), "--quick", "--out", str(out)]) == 2
    assert "CIFAR-10 not found" in capsys.readouterr().err


def test_cli_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    for option in ("--recipe", "--resume", "--milestones", "--warmup-lr", "--root", "--device", "--quick"):
        assert option in text
