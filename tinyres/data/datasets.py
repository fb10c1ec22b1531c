"""Datasets held as host NumPy arrays: images (N, C, H, W) uint8/float, labels (N,) int64.

- :func:`digits`: the UCI handwritten digits (1,797 8x8 grey images, shipped with tinyres,
  CC BY 4.0, see DIGITS_LICENSE.txt), with a fixed stratified train/test split.
- :func:`cifar10`: CIFAR-10 from the official *binary* archive (cifar-10-binary.tar.gz),
  read straight from the tar.gz with size checks. The whole gzip stream is read to its
  end, so its CRC-32 and length are checked and any corruption is an error naming the
  file, never different images. Nothing is unpickled, nothing is extracted to disk, and a download is written to a temporary file, checked against its
  MD5, and only then renamed into place.
"""
from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import os
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from importlib import resources

import numpy as np

__all__ = ["ArrayDataset", "digits", "cifar10", "DatasetError", "CIFAR10_URL", "CIFAR10_MD5", "load_dataset"]

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
_RECORD = 1 + 3 * 32 * 32


class DatasetError(ValueError):
    """A dataset file is missing, truncated or corrupt."""


@dataclass
class ArrayDataset:
    images: np.ndarray      # (N, C, H, W)
    labels: np.ndarray      # (N,) int64
    classes: tuple
    name: str = ""
    pixel_max: float = 255.0    # the value of a white pixel: 255 for 8-bit images, 16 for the digits
    flip_ok: bool = True        # whether a mirrored image is still of the same class (not for digits)

    def __post_init__(self):
        if self.images.ndim != 4 or self.labels.shape != (self.images.shape[0],):
            raise DatasetError(f"{self.name}: images must be (N, C, H, W) and labels (N,), got "
                               f"{self.images.shape} and {self.labels.shape}")

    def __len__(self):
        return self.images.shape[0]

    @property
    def shape(self):
        return self.images.shape[1:]

    def subset(self, n):
        """The first n samples (for quick runs)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"{self.name}: subset size must be a whole number >= 1, got {n!r}")
        return dataclasses.replace(self, images=self.images[:n], labels=self.labels[:n])


# ---------------------------------------------------------------- digits

def _stratified_split(labels, test_fraction, seed):
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        test.extend(idx[: int(round(len(idx) * test_fraction))])
    mask = np.zeros(len(labels), bool)
    mask[test] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def digits(split="train"):
    """UCI handwritten digits as (N, 1, 8, 8) uint8 images in 0..16 and labels 0..9.

    Split: a fixed stratified 80/20 split (1,438 train / 359 test), the same everywhere.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    raw = resources.files("tinyres.data").joinpath("digits.csv.gz").read_bytes()
    table = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.int64)
    if table.shape != (1797, 65):
        raise DatasetError(f"digits.csv.gz: expected 1797 rows of 65 values, got {table.shape}")
    images = table[:, :64].reshape(-1, 1, 8, 8).astype(np.uint8)
    labels = table[:, 64]
    train_idx, test_idx = _stratified_split(labels, 0.2, seed=20151210)
    idx = train_idx if split == "train" else test_idx
    return ArrayDataset(images[idx], labels[idx], tuple(str(i) for i in range(10)), f"digits-{split}",
                        pixel_max=16.0, flip_ok=False)


# ---------------------------------------------------------------- CIFAR-10

def _md5(path, chunk=1 << 20):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def download_cifar10(root, url=CIFAR10_URL, md5=CIFAR10_MD5, progress=True):
    """Fetch cifar-10-binary.tar.gz into ``root`` (a temp file, MD5-checked, then renamed)."""
    import urllib.request

    from tqdm.auto import tqdm

    os.makedirs(root, exist_ok=True)
    target = os.path.join(root, "cifar-10-binary.tar.gz")
    fd, tmp = tempfile.mkstemp(prefix=".download-", dir=root)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc="cifar-10-binary", disable=not progress) as bar:
                for block in iter(lambda: response.read(1 << 20), b""):
                    out.write(block)
                    bar.update(len(block))
        got = _md5(tmp)
        if md5 and got != md5:
            raise DatasetError(f"download of {url} has MD5 {got}, expected {md5}; nothing was kept")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _parse_batch(data, name):
    if len(data) == 0 or len(data) % _RECORD:
        raise DatasetError(f"{name}: {len(data)} bytes is not a whole number of {_RECORD}-byte records "
                           f"(label + 32x32x3 pixels); the file is truncated or corrupt")
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, _RECORD)
    labels = records[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise DatasetError(f"{name}: label {labels.max()} out of range 0..9; the file is corrupt")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def _read_archive(archive, names):
    """The bytes of the members ``names`` of a tar.gz, reading the gzip stream to its end:
    gzip checks its CRC-32 and length only there, and stopping early (as random access into
    the tar does) lets a flipped bit through as different pixels."""
    found = {}
    try:
        with gzip.open(archive, "rb") as gz:
            with tarfile.open(fileobj=gz, mode="r|") as tar:
                for m in tar:
                    base = os.path.basename(m.name)
                    if m.isfile() and base in names:
                        found[base] = tar.extractfile(m).read()
            while gz.read(1 << 20):
                pass
    except (tarfile.TarError, EOFError, OSError, zlib.error, UnicodeError) as exc:
        raise DatasetError(f"{archive}: cannot read the archive ({type(exc).__name__}: {exc}); "
                           f"it is truncated or corrupt, delete it and download again") from None
    for n in names:
        if n not in found:
            raise DatasetError(f"{archive}: has no {n}; is it the *binary* CIFAR-10 archive?")
    return found


def cifar10(root, split="train", download=False, archive=None, md5=CIFAR10_MD5):
    """CIFAR-10 from ``root``/cifar-10-binary.tar.gz (or an extracted cifar-10-batches-bin/).

    Returns (N, 3, 32, 32) uint8 images and int64 labels: 50,000 train or 10,000 test.
    ``download=True`` fetches the archive when it is absent (needs network access).
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] if split == "train" else ["test_batch.bin"]
    folder = os.path.join(root, "cifar-10-batches-bin")
    archive = archive or os.path.join(root, "cifar-10-binary.tar.gz")
    parts = []
    if os.path.isdir(folder):
        for n in names:
            path = os.path.join(folder, n)
            if not os.path.exists(path):
                raise DatasetError(f"{path} is missing")
            if not os.path.isfile(path):
                raise DatasetError(f"{path} is a directory (or other non-file), not a CIFAR-10 batch file")
            try:
                with open(path, "rb") as f:
                    parts.append(_parse_batch(f.read(), path))
            except OSError as exc:
                raise DatasetError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    else:
        if not os.path.exists(archive):
            if not download:
                raise DatasetError(f"CIFAR-10 not found: expected {archive} or {folder}. Download "
                                   f"cifar-10-binary.tar.gz from {CIFAR10_URL} into {root}, or pass download=True")
            download_cifar10(root, md5=md5)
        if not os.path.isfile(archive):
            raise DatasetError(f"{archive} is a directory (or other non-file), not the CIFAR-10 archive")
        members = _read_archive(archive, names)
        parts = [_parse_batch(members[n], f"{archive}:{n}") for n in names]
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    return ArrayDataset(images, labels, CIFAR10_CLASSES, f"cifar10-{split}")


def load_dataset(name, split, root=None, download=False):
    """``"digits"`` or ``"cifar10"`` (which needs ``root``)."""
    if name == "digits":
        return digits(split)
    if name == "cifar10":
        if root is None:
            raise DatasetError("cifar10 needs root=DIR (where cifar-10-binary.tar.gz is or will be downloaded)")
        return cifar10(root, split, download=download)
    raise ValueError(f"unknown dataset {name!r}: expected 'digits' or 'cifar10'")
