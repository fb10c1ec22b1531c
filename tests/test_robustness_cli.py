"""A user's mistake on the command line gets one clear line on stderr and exit status 2, in the
words of the command line (flags, not keyword arguments), never a traceback; a resumed run
continues exactly as it was saved or is refused."""
import json
import os
import shutil
import tarfile

import numpy as np
import pytest

from tinyres import load, save
from tinyres.cli import main

QUICK = ["--quick", "--model", "resnet8", "--no-progress"]


def _one_line_error(capsys, argv, *expected):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for text in expected:
        assert text in err, err
    return err


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished quick run (2 epochs, 8 iterations) to resume and to damage."""
    out = tmp_path_factory.mktemp("runs") / "done"
    assert main(["train", *QUICK, "--out", str(out)]) == 0
    return out


def _copy(finished, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(finished, out)
    return out


@pytest.mark.parametrize("argv, expected", [
    (["--epochs", "0"], "--epochs must be a whole number >= 1, got 0"),
    (["--iterations", "0"], "--iterations must be a whole number >= 1, got 0"),
    (["--limit-train", "0"], "--limit-train must be a whole number >= 1, got 0"),
    (["--batch-size", "0"], "--batch-size must be a whole number >= 1, got 0"),
    (["--log-every", "0"], "--log-every must be a whole number >= 1"),
    (["--lr", "-1"], "--lr must be a finite number >= 0, got -1.0"),
    (["--lr", "nan"], "--lr must be a finite number >= 0, got nan"),
    (["--model", "resnet51"], "ImageNet ResNets 18, 34, 50, 101 or 152"),
    (["--model", "plain7"], "CIFAR ResNets take 6n+2 layers"),
    (["--data", "cifar10"], "needs --root DIR"),
])
def test_bad_train_flags(tmp_path, capsys, argv, expected):
    _one_line_error(capsys, ["train", "--no-progress", "--out", str(tmp_path / "o"), *argv], "tinyres train: ", expected)
    assert not (tmp_path / "o" / "checkpoint.npz").exists()


def test_missing_cifar_names_the_download_flag(tmp_path, capsys):
    err = _one_line_error(capsys, ["train", "--data", "cifar10", "--root", str(tmp_path / "none"), "--quick",
                                   "--out", str(tmp_path / "o")], "CIFAR-10 not found", "--download")
    assert "download=True" not in err


@pytest.mark.parametrize("command", ["train", "gradflow", "tour"])
def test_out_that_is_a_file(tmp_path, capsys, command):
    (tmp_path / "f").write_text("x")
    _one_line_error(capsys, [command, "--quick", "--out", str(tmp_path / "f")], f"tinyres {command}: --out ",
                    "is an existing file, not a folder")


@pytest.mark.parametrize("command", ["train", "gradflow", "tour"])
def test_out_that_cannot_be_created(capsys, command):
    _one_line_error(capsys, [command, "--quick", "--out", "/proc/tinyres-out"], f"tinyres {command}: --out /proc/")


def test_out_on_a_full_disk_is_found_before_any_work(tmp_path, capsys, monkeypatch):
    # the old trainer found out after a whole epoch, with an OSError traceback
    def full(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)
    _one_line_error(capsys, ["train", *QUICK, "--out", str(tmp_path / "o")], "the disk is full")
    assert os.listdir(tmp_path / "o") == []


def test_cuda_without_a_gpu_shows_the_train_usage(capsys):
    from tinyres import backend
    try:
        backend.parse_device("cuda")
        pytest.skip("this machine has a usable GPU")
    except backend.DeviceError:
        pass
    with pytest.raises(SystemExit) as exc:
        main(["train", "--device", "cuda"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: tinyres train") and "--device cpu" in err and "device='cpu'" not in err


def test_resume_without_a_checkpoint(tmp_path, capsys):
    _one_line_error(capsys, ["train", "--resume", "--out", str(tmp_path)], "no checkpoint to resume at")


def test_resume_restores_the_saved_config(finished, tmp_path, capsys):
    # without --model the old CLI built a resnet20 and died in a StateDictError traceback
    out = _copy(finished, tmp_path)
    assert main(["train", "--resume", "--epochs", "3", "--no-progress", "--out", str(out)]) == 0
    assert "done: 12 iterations" in capsys.readouterr().out
    with open(out / "metrics.json") as f:
        doc = json.load(f)
    assert doc["config"]["model"] == "resnet8" and doc["config"]["limit_train"] == 256


@pytest.mark.parametrize("argv, flag, saved, given", [
    (["--batch-size", "32"], "--batch-size", "64", "32"),
    (["--model", "resnet14"], "--model", "resnet8", "resnet14"),
    (["--lr", "0.05"], "--lr", "0.1", "0.05"),
    (["--milestones", "5"], "--milestones", "1", "5"),
    (["--no-augment"], "--augment", "True", "False"),
])
def test_resume_refuses_a_contradicting_flag(finished, tmp_path, capsys, argv, flag, saved, given):
    out = _copy(finished, tmp_path)
    _one_line_error(capsys, ["train", "--resume", "--epochs", "3", "--out", str(out), *argv],
                    f"{flag} {given} contradicts the run in {out}, which was saved with {flag} {saved}")


def test_resuming_a_finished_run_says_so(finished, tmp_path, capsys):
    out = _copy(finished, tmp_path)
    before = load(out / "checkpoint.npz")
    assert main(["train", "--resume", "--out", str(out)]) == 0
    assert "already complete (8 of 8 iterations)" in capsys.readouterr().out
    after = load(out / "checkpoint.npz")
    assert all(np.array_equal(before[k], after[k]) for k in before if k != "meta")


def _damage(out, change):
    data = dict(load(out / "checkpoint.npz"))
    meta = json.loads(str(data["meta"]))
    change(data, meta)
    if "meta" in data and not isinstance(data["meta"], str):
        data["meta"] = json.dumps(meta)
    save(data, out / "checkpoint.npz")


def _drop_position(data, meta):
    del meta["position"]


def _bad_json(data, meta):
    data["meta"] = "{not json"


def _drop_weight(data, meta):
    del data["model.conv1.weight"]


def _wrong_buffer(data, meta):
    data["optim.0.momentum_buffer"] = np.zeros(3, "float32")


def _missing_buffer(data, meta):
    del data["optim.2.momentum_buffer"]


def _foreign_schedule(data, meta):
    meta["scheduler"] = {"last_epoch": 2, "T_max": 10}


@pytest.mark.parametrize("change, expected", [
    (_drop_position, "checkpoint meta lacks position"),
    (_bad_json, "its 'meta' entry is not valid JSON"),
    (_drop_weight, "does not fit the model"),
    (_wrong_buffer, "momentum_buffer of parameter 0 has shape (3,)"),
    (_missing_buffer, "optimizer buffers"),
    (_foreign_schedule, "does not belong to this schedule"),
])
def test_damaged_checkpoint_is_one_line_naming_it(finished, tmp_path, capsys, change, expected):
    # the old CLI: KeyError 'position', a bare JSONDecodeError, a StateDictError traceback, and
    # optimizer buffers of the wrong shape or missing accepted silently
    out = _copy(finished, tmp_path)
    _damage(out, change)
    err = _one_line_error(capsys, ["train", "--resume", "--epochs", "3", "--out", str(out)], expected)
    if change is not _drop_weight:
        assert "checkpoint.npz" in err


def test_truncated_checkpoint(finished, tmp_path, capsys):
    out = _copy(finished, tmp_path)
    blob = (out / "checkpoint.npz").read_bytes()
    (out / "checkpoint.npz").write_bytes(blob[: len(blob) // 3])
    _one_line_error(capsys, ["train", "--resume", "--out", str(out)], "checkpoint.npz: not a readable .npz")


def _archive(root, flip_at=None):
    from test_data import make_archive
    root.mkdir(parents=True, exist_ok=True)
    path = root / "cifar-10-binary.tar.gz"
    make_archive(path, per_batch=2)
    if flip_at is not None:
        blob = bytearray(path.read_bytes())
        blob[int(len(blob) * flip_at)] ^= 0x10
        path.write_bytes(bytes(blob))
    return path


def test_corrupt_cifar_archive_on_the_command_line(tmp_path, capsys):
    path = _archive(tmp_path / "c", flip_at=0.5)
    _one_line_error(capsys, ["train", "--data", "cifar10", "--root", str(tmp_path / "c"), "--quick",
                             "--out", str(tmp_path / "o")], f"{path}: cannot read the archive")


def test_directory_instead_of_a_batch_file_on_the_command_line(tmp_path, capsys):
    path = _archive(tmp_path / "c")
    with tarfile.open(path) as tar:
        tar.extractall(tmp_path / "c", filter="data")
    batch = tmp_path / "c" / "cifar-10-batches-bin" / "test_batch.bin"
    batch.unlink()
    batch.mkdir()
    _one_line_error(capsys, ["train", "--data", "cifar10", "--root", str(tmp_path / "c"), "--quick",
                             "--out", str(tmp_path / "o")], "test_batch.bin is a directory")
