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
from tinyres.optim import SGD
from tinyres.train import ConfigError, NonFiniteLossError, TrainConfig, run_steps, train


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


def _rows(out):
    """Every metrics row of a run, iteration rows included, without the wall-clock column."""
    with open(os.path.join(out, "metrics.json")) as f:
        return [{k: v for k, v in r.items() if k != "seconds"} for r in json.load(f)["rows"]]


@pytest.mark.parametrize("at", [5, 6])
def test_resume_mid_epoch_is_bitwise_identical(tmp_path, at):
    # at=5 stops between two iteration rows (log_every=2): the old checkpoint lost the running
    # sums of iteration 5, so the resumed run's row at iteration 6 differed
    straight = train(_cfg(tmp_path / "a"), log=lambda *a: None)
    assert straight.iteration == 12
    stopped = train(_cfg(tmp_path / "b"), loss_fn=Interrupt(at=at), log=lambda *a: None)
    assert stopped.stopped == "interrupted" and stopped.iteration == at   # the step in flight completes
    resumed = train(_cfg(tmp_path / "b"), resume=True, log=lambda *a: None)
    assert resumed.iteration == 12
    a, b = _weights(tmp_path / "a"), _weights(tmp_path / "b")
    assert a.keys() == b.keys() and len(a) > 50
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    assert resumed.test_error == straight.test_error
    assert resumed.train_error == straight.train_error      # the interrupted epoch's metrics stay whole
    rows = _rows(tmp_path / "a")
    assert len(rows) == 9 and sum(r["kind"] == "iter" for r in rows) == 6
    assert _rows(tmp_path / "b") == rows


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
    assert "The last good checkpoint is" in messages[-1] and "checkpoint.npz (iteration 4)" in messages[-1]
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
    text = capsys.readouterr().out
    assert "resumed from" in text and "done: 12 iterations" in text
    assert main(["train", "--data", "cifar10", "--root", str(tmp_path / "none"), "--quick", "--out", str(out)]) == 2
    assert "CIFAR-10 not found" in capsys.readouterr().err


def test_cli_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    for option in ("--recipe", "--resume", "--milestones", "--warmup-lr", "--root", "--device", "--quick"):
        assert option in text


def test_resume_checks_the_saved_config(tmp_path):
    # the old resume took any config: another batch size continued silently with other results
    out = tmp_path / "r"
    train(_cfg(out, epochs=1), log=lambda *a: None)
    with pytest.raises(ConfigError, match="batch_size is 50 in the checkpoint, 25 given") as exc:
        train(_cfg(out, epochs=2, batch_size=25), resume=True, log=lambda *a: None)
    assert (exc.value.field, exc.value.saved, exc.value.given) == ("batch_size", 50, 25)
    with pytest.raises(ConfigError, match="model is 'resnet8' in the checkpoint, 'resnet20' given"):
        train(_cfg(out, epochs=2, model="resnet20"), resume=True, log=lambda *a: None)
    with pytest.raises(ConfigError, match="iterations"):      # epochs -> iterations changes what milestones count
        train(_cfg(out, iterations=8), resume=True, log=lambda *a: None)
    assert train(_cfg(out, epochs=2, progress=True), resume=True, log=lambda *a: None).iteration == 8


def test_resuming_a_finished_run_says_it_is_complete(tmp_path):
    out = tmp_path / "done"
    train(_cfg(out, epochs=1), log=lambda *a: None)
    before = _weights(out)
    messages = []
    result = train(_cfg(out, epochs=1), resume=True, log=messages.append)
    assert result.stopped == "complete" and result.iteration == 4
    assert "already complete (4 of 4 iterations)" in messages[-1] and "--epochs" in messages[-1]
    after = _weights(out)
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_ctrl_c_prints_the_exact_resume_command(tmp_path):
    out = tmp_path / "with space"
    messages = []
    train(_cfg(out), loss_fn=Interrupt(at=3), log=messages.append)
    assert messages[-1].endswith(f"continue with: tinyres train --resume --out '{out}'")


def test_non_finite_parameters_are_never_saved_as_a_checkpoint(tmp_path, monkeypatch):
    # the last step of epoch 2 poisons a weight: the old trainer saved it and called it good
    out = tmp_path / "poison"
    real_step, calls = SGD.step, [0]

    def poisoned_step(self):
        real_step(self)
        calls[0] += 1
        if calls[0] == 8:
            p = self.param_groups[0]["params"][0]
            p.data = p.data * float("nan")
    monkeypatch.setattr(SGD, "step", poisoned_step)
    messages = []
    with pytest.raises(NonFiniteLossError, match=r"conv1.weight became non-finite by iteration 8 \(epoch 2\)"):
        train(_cfg(out, epochs=3), log=messages.append)
    assert "The last good checkpoint is" in messages[-1] and "(iteration 4)" in messages[-1]
    saved = load(out / "checkpoint.npz")
    assert json.loads(str(saved["meta"]))["position"]["iteration"] == 4
    assert all(np.isfinite(v).all() for k, v in saved.items() if k.startswith("model."))


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")     # inf * 0 in the poisoned net
def test_non_finite_before_any_checkpoint_says_none_was_written(tmp_path, monkeypatch):
    real_step = SGD.step

    def poisoned_step(self):
        real_step(self)
        p = self.param_groups[0]["params"][0]
        p.data = p.data * float("inf")
    monkeypatch.setattr(SGD, "step", poisoned_step)
    messages = []
    with pytest.raises(NonFiniteLossError):
        train(_cfg(tmp_path / "x", epochs=1), log=messages.append)
    assert "No checkpoint was written" in messages[-1] and not (tmp_path / "x" / "checkpoint.npz").exists()


def test_stale_temp_files_are_cleaned_and_the_checkpoint_mode_follows_the_umask(tmp_path):
    out = tmp_path / "t"
    out.mkdir()
    (out / ".tmp-k1ll3d00.npz").write_bytes(b"half a checkpoint")   # as a SIGKILL mid-write leaves it
    (out / "notes.txt").write_text("mine")
    old = os.umask(0o027)
    try:
        train(_cfg(out, epochs=1), log=lambda *a: None)
    finally:
        os.umask(old)
    assert sorted(os.listdir(out)) == ["checkpoint.npz", "metrics.csv", "metrics.json", "notes.txt"]
    for name in ("checkpoint.npz", "metrics.csv", "metrics.json"):
        assert os.stat(out / name).st_mode & 0o777 == 0o640, name


@pytest.mark.parametrize("field, value", [("epochs", 0), ("iterations", 0), ("limit_train", 0), ("batch_size", 2.5),
                                          ("log_every", 0), ("lr", -0.1), ("lr", float("nan")), ("schedule", "step")])
def test_bad_config_is_refused_before_any_work(tmp_path, field, value):
    # limit_train=0 used to mean "all", iterations=0 switched milestones to iterations, epochs=0
    # ended in a TypeError
    with pytest.raises(ConfigError, match=f"^{field} "):
        train(_cfg(tmp_path / "c", **{field: value}), log=lambda *a: None)
    assert not (tmp_path / "c" / "checkpoint.npz").exists()


def test_run_steps_is_the_loop_gradient_flow_uses(tmp_path):
    # one training step for the trainer and the experiments: a callback sees every step, returning
    # True ends the loop, update(index) False computes gradients without stepping
    import tinyres as tr
    from tinyres.data import DataLoader, digits, paper_transforms
    from tinyres.models import get_model
    from tinyres.optim import SGD as Sgd
    data = digits("test")
    tf = paper_transforms(data.images, data.pixel_max, augment=False)[0]
    tr.backend.manual_seed(0)
    model = get_model("resnet8", in_channels=1, num_classes=10)
    opt = Sgd(model.parameters(), lr=0.1)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    seen = []
    n = run_steps(model, opt, DataLoader(data, 32, transform=tf), callbacks=[lambda s: seen.append(s.index) or s.index == 2],
                  update=lambda i: False)
    assert n == 3 and seen == [0, 1, 2]
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items() if k.endswith("weight"))
    with pytest.raises(NonFiniteLossError) as exc:
        run_steps(model, opt, DataLoader(data, 32, transform=tf), loss_fn=lambda lg, y: F.cross_entropy(lg, y) * float("nan"))
    assert exc.value.step == 0
