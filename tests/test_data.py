"""Datasets, the CIFAR-10 binary parser (on archives generated here), transforms, the loader."""
import io
import os
import tarfile

import numpy as np
import pytest

from tinyres import backend
from tinyres.data import (DataLoader, DatasetError, RandomCrop, RandomHorizontalFlip, cifar10, digits,
                          paper_transforms)
from tinyres.data import datasets as ds


def _records(n, rng):
    labels = rng.integers(0, 10, n).astype(np.uint8)
    pixels = rng.integers(0, 256, (n, 3072)).astype(np.uint8)
    return np.concatenate([labels[:, None], pixels], axis=1), labels, pixels


def make_archive(path, per_batch=4, seed=0, corrupt_label=False, truncate_member=False):
    """A cifar-10-binary.tar.gz in the official layout, with few records per batch."""
    rng = np.random.default_rng(seed)
    expected = {}
    with tarfile.open(path, "w:gz") as tar:
        for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
            rec, labels, pixels = _records(per_batch, rng)
            if corrupt_label and name == "test_batch.bin":
                rec[0, 0] = 200
            data = rec.tobytes()
            if truncate_member and name == "data_batch_3.bin":
                data = data[:-100]
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            expected[name] = (labels, pixels)
    return expected


def test_cifar_archive_parses_exactly(tmp_path):
    expected = make_archive(tmp_path / "cifar-10-binary.tar.gz")
    train, test = cifar10(tmp_path, "train"), cifar10(tmp_path, "test")
    assert train.images.shape == (20, 3, 32, 32) and train.images.dtype == np.uint8
    np.testing.assert_array_equal(test.labels, expected["test_batch.bin"][0])
    np.testing.assert_array_equal(test.images.reshape(4, -1), expected["test_batch.bin"][1])
    np.testing.assert_array_equal(train.labels[4:8], expected["data_batch_2.bin"][0])
    # channel-major 32x32 planes: pixel 1024 of a record is the first green value
    assert test.images[0, 1, 0, 0] == expected["test_batch.bin"][1][0, 1024]


def test_cifar_extracted_folder_also_works(tmp_path):
    make_archive(tmp_path / "a.tar.gz")
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        tar.extractall(tmp_path, filter="data")
    assert len(cifar10(tmp_path, "test")) == 4


def test_truncated_member_is_reported(tmp_path):
    make_archive(tmp_path / "cifar-10-binary.tar.gz", truncate_member=True)
    with pytest.raises(DatasetError, match="data_batch_3.bin: .* not a whole number of 3073-byte records"):
        cifar10(tmp_path, "train")


def test_truncated_archive_is_reported(tmp_path):
    make_archive(tmp_path / "full.tar.gz")
    blob = (tmp_path / "full.tar.gz").read_bytes()
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DatasetError, match="truncated or corrupt"):
        cifar10(tmp_path, "train")


def test_corrupt_labels_and_missing_files(tmp_path):
    make_archive(tmp_path / "cifar-10-binary.tar.gz", corrupt_label=True)
    with pytest.raises(DatasetError, match="label 200 out of range"):
        cifar10(tmp_path, "test")
    with pytest.raises(DatasetError, match="CIFAR-10 not found.*download"):
        cifar10(tmp_path / "empty", "test")


def test_download_checks_md5_and_keeps_nothing_on_mismatch(tmp_path):
    src = tmp_path / "src.tar.gz"
    make_archive(src)
    url = src.as_uri()
    root = tmp_path / "root"
    with pytest.raises(DatasetError, match="MD5"):
        ds.download_cifar10(str(root), url=url, md5="0" * 32, progress=False)
    assert os.listdir(root) == []
    path = ds.download_cifar10(str(root), url=url, md5=ds._md5(src), progress=False)
    assert os.listdir(root) == ["cifar-10-binary.tar.gz"] and len(cifar10(root, "test")) == 4
    assert path.endswith("cifar-10-binary.tar.gz")


def test_digits_split_is_fixed_stratified_and_disjoint():
    train, test = digits("train"), digits("test")
    assert (len(train), len(test)) == (1438, 359)
    assert train.images.shape[1:] == (1, 8, 8) and train.images.max() == 16
    assert set(np.bincount(test.labels)) <= {35, 36, 37}
    as_rows = lambda d: {r.tobytes() + bytes([l]) for r, l in zip(d.images.reshape(len(d), -1), d.labels)}  # noqa: E731
    assert len(as_rows(train) & as_rows(test)) <= 2         # the UCI set has a few exact duplicates
    np.testing.assert_array_equal(digits("test").labels, test.labels)


def test_random_crop_matches_a_per_image_loop(device):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 2, 5, 5))
    xd = backend.from_numpy(x, device)
    out = backend.to_numpy(RandomCrop(5, 2)(xd, np.random.default_rng(7)))
    g = np.random.default_rng(7)
    dy, dx = g.integers(0, 5, 16), g.integers(0, 5, 16)
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    want = np.stack([padded[i, :, dy[i]:dy[i] + 5, dx[i]:dx[i] + 5] for i in range(16)])
    np.testing.assert_array_equal(out, want)


def test_flip_flips_about_half(device):
    x = backend.from_numpy(np.arange(2 * 64 * 3, dtype="float32").reshape(64, 2, 1, 3), device)
    out = backend.to_numpy(RandomHorizontalFlip()(x, np.random.default_rng(0)))
    xn = backend.to_numpy(x)
    flipped = np.array([np.array_equal(o, xi[..., ::-1]) for o, xi in zip(out, xn)])
    same = np.array([np.array_equal(o, xi) for o, xi in zip(out, xn)])
    assert np.all(flipped ^ same) and 20 < flipped.sum() < 44


def test_paper_transforms_subtract_the_per_pixel_mean():
    images = np.random.default_rng(0).integers(0, 256, (50, 3, 4, 4)).astype(np.uint8)
    _, test_tf = paper_transforms(images, 255.0, augment=False)
    out = test_tf(images, None)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    _, per_channel = paper_transforms(images, 255.0, augment=False, per_channel=True)
    out = per_channel(images, None)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), 1, rtol=1e-4)


def test_loader_is_deterministic_and_resumable(device):
    data = digits("test")
    train_tf, _ = paper_transforms(data.images, 16.0, augment=True, crop_padding=1, flip=False)
    loader = DataLoader(data, 50, shuffle=True, seed=3, device=device, transform=train_tf)
    assert len(loader) == 8
    loader.set_epoch(2)
    full = [(x.numpy(), y.numpy()) for x, y in loader]
    again = DataLoader(data, 50, shuffle=True, seed=3, device=device, transform=train_tf)
    again.set_epoch(2)
    tail = [(x.numpy(), y.numpy()) for x, y in again.iter_from(5)]
    for (a, b), (c, d) in zip(full[5:], tail):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    assert sorted(np.concatenate([y for _, y in full]).tolist()) == sorted(data.labels.tolist())
    loader.set_epoch(3)
    assert not np.array_equal(next(iter(loader))[1].numpy(), full[0][1])
    assert full[0][0].shape == (50, 1, 8, 8) and next(iter(loader))[0].device == device


def _all_splits(root):
    train, test = cifar10(root, "train"), cifar10(root, "test")
    return train.images, train.labels, test.images, test.labels


def test_every_bit_flip_that_changes_the_archive_is_an_error_naming_it(tmp_path):
    # Fails on the old loader, which stopped reading before the gzip trailer: the CRC was never
    # checked and most flips in the deflate stream loaded other pixels without a word.
    make_archive(tmp_path / "clean.tar.gz", per_batch=2)
    blob = (tmp_path / "clean.tar.gz").read_bytes()
    good = tmp_path / "good"
    good.mkdir()
    (good / "cifar-10-binary.tar.gz").write_bytes(blob)
    expected = _all_splits(good)
    bad = tmp_path / "bad"
    bad.mkdir()
    target = bad / "cifar-10-binary.tar.gz"
    positions = sorted({int(p) for p in np.linspace(0, len(blob) - 1, 48)} | {3, 10, len(blob) - 5, len(blob) - 1})
    errors = silent_changes = 0
    for pos in positions:
        for bit in (0, 5):
            flipped = bytearray(blob)
            flipped[pos] ^= 1 << bit
            target.write_bytes(bytes(flipped))
            try:
                got = _all_splits(bad)
            except DatasetError as exc:
                assert str(target) in str(exc)
                errors += 1
                continue
            # no error: then the flip must have hit a byte that carries no image data (gzip mtime, OS)
            if not all(np.array_equal(a, b) for a, b in zip(got, expected)):
                silent_changes += 1
    assert silent_changes == 0, f"{silent_changes} of {2 * len(positions)} flips loaded different data silently"
    assert errors >= 2 * len(positions) - 8      # only the few header bytes gzip ignores may pass


def test_a_directory_where_a_file_should_be_is_a_clear_error(tmp_path):
    make_archive(tmp_path / "a.tar.gz")
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        tar.extractall(tmp_path, filter="data")
    batch = tmp_path / "cifar-10-batches-bin" / "data_batch_2.bin"
    batch.unlink()
    batch.mkdir()
    with pytest.raises(DatasetError, match="data_batch_2.bin is a directory"):
        cifar10(tmp_path, "train")
    other = tmp_path / "other"
    (other / "cifar-10-binary.tar.gz").mkdir(parents=True)
    with pytest.raises(DatasetError, match="cifar-10-binary.tar.gz is a directory"):
        cifar10(other, "train")


def test_datasets_carry_their_pixel_range_and_whether_flips_are_allowed(tmp_path):
    d = digits("train")
    assert (d.pixel_max, d.flip_ok) == (16.0, False) and d.images.max() == 16
    assert (d.subset(10).pixel_max, d.subset(10).flip_ok) == (16.0, False)
    make_archive(tmp_path / "cifar-10-binary.tar.gz")
    c = cifar10(tmp_path, "test")
    assert (c.pixel_max, c.flip_ok) == (255.0, True)
    for n in (0, -1, 2.5):
        with pytest.raises(ValueError, match="subset size"):
            d.subset(n)


@pytest.mark.parametrize("size", [2.5, 2.0, True, 0, -3, "8"])
def test_loader_refuses_a_batch_size_that_is_not_a_whole_number(size):
    # as torch.utils.data.DataLoader; the old loader took 2.5 and failed later inside a slice
    with pytest.raises(ValueError, match="batch_size must be a whole number >= 1"):
        DataLoader(digits("test"), batch_size=size)
