"""Weights files: atomic .npz writes, no pickles, clear errors on bad files."""
import os

import numpy as np
import pytest

import tinyres as tr
from tinyres import models


def test_save_load_round_trip(tmp_path):
    state = {"a": np.arange(3.0), "b": tr.tensor(np.ones((2, 2), dtype="float32")), "step": 7}
    path = tr.save(state, tmp_path / "s")
    assert path.endswith("s.npz")
    loaded = tr.load(path)
    assert list(loaded) == ["a", "b", "step"]
    np.testing.assert_array_equal(loaded["b"], np.ones((2, 2)))
    assert loaded["step"].item() == 7


def test_save_leaves_no_temporary_files_and_replaces_atomically(tmp_path):
    m = models.resnet20()
    tr.save(m, tmp_path / "w.npz")
    tr.save(m, tmp_path / "w.npz")
    assert sorted(os.listdir(tmp_path)) == ["w.npz"]


def test_failed_save_keeps_the_old_file(tmp_path):
    tr.save({"a": np.zeros(2)}, tmp_path / "w.npz")
    with pytest.raises(TypeError, match="pickling"):
        tr.save({"a": np.zeros(2), "bad": object()}, tmp_path / "w.npz")
    assert list(tr.load(tmp_path / "w.npz")) == ["a"]
    assert sorted(os.listdir(tmp_path)) == ["w.npz"]


def test_truncated_and_corrupt_files_are_named(tmp_path):
    path = tr.save(models.resnet20(), tmp_path / "w.npz")
    data = open(path, "rb").read()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    (tmp_path / "junk.npz").write_bytes(b"not a zip file at all")
    for name in ("cut.npz", "junk.npz"):
        with pytest.raises(tr.CheckpointError, match=f"{name}: not a readable .npz"):
            tr.load(tmp_path / name)
    with pytest.raises(tr.CheckpointError, match="no such file"):
        tr.load(tmp_path / "missing.npz")


def test_pickled_arrays_are_refused(tmp_path):
    np.savez(tmp_path / "p.npz", a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(tr.CheckpointError):
        tr.load(tmp_path / "p.npz")


def test_summary_cli(capsys):
    from tinyres.cli import main
    assert main(["summary", "resnet20"]) == 0
    out = capsys.readouterr().out
    assert "total parameters: 269,722" in out and "(40.55M)" in out
    assert main(["summary", "resnet50", "--paper-stride"]) == 0
    assert "(3.86G)" in capsys.readouterr().out
    assert main(["summary", "nonet"]) == 2


def test_saved_files_get_the_umask_mode_not_mkstemps_0600(tmp_path):
    # the old save kept mkstemp's private 0600 while metrics and figures got the umask's mode
    old = os.umask(0o022)
    try:
        path = tr.save({"a": np.zeros(2)}, tmp_path / "w.npz")
        text = tr.io.atomic_write(tmp_path / "m.json", "{}")
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o644
    assert os.stat(text).st_mode & 0o777 == 0o644 and open(text).read() == "{}"


def test_stale_temp_files_of_our_naming_only_are_cleaned(tmp_path):
    ours = [".tmp-abcd1234.npz", ".tmp-x_y_z_01.npz"]
    others = [".tmp-notours.npz", ".tmp-abcd1234.json", "tmp-abcd1234.npz", "w.npz"]
    for name in ours + others:
        (tmp_path / name).write_bytes(b"x")
    assert tr.io.clean_stale_temp_files(tmp_path) == sorted(ours)
    assert sorted(os.listdir(tmp_path)) == sorted(others)


def test_output_dir_check_gives_one_line_for_each_bad_folder(tmp_path, monkeypatch):
    from tinyres.io import OutputDirError, check_output_dir
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputDirError, match=r"^--out .*file is an existing file, not a folder"):
        check_output_dir(tmp_path / "file")
    with pytest.raises(OutputDirError, match=r"cannot create the folder"):
        check_output_dir(tmp_path / "file" / "sub")
    with pytest.raises(OutputDirError, match=r"cannot (create|write)"):     # /proc takes no new folders, even as root
        check_output_dir("/proc/tinyres-out")

    def full(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputDirError, match=r"cannot write into the folder \(the disk is full\)"):
        check_output_dir(tmp_path / "ok")
    monkeypatch.undo()
    assert check_output_dir(tmp_path / "ok") and os.listdir(tmp_path / "ok") == []   # the probe is gone


def test_output_dir_or_exit_is_one_line_and_exit_2(tmp_path, capsys):
    from tinyres.io import output_dir_or_exit
    (tmp_path / "file").write_text("x")
    with pytest.raises(SystemExit) as exc:
        output_dir_or_exit(tmp_path / "file", "01_lesson")
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("01_lesson: --out ")
