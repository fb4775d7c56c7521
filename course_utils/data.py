"""Data sets as tensors, fast mini-batches, and the corruptions the applications need.

Every loader returns an :class:`ImageSet`: ``images`` (float32, N×C×H×W, values in [0, 1]),
``labels`` (int64, N) and ``source``, a short sentence saying where the images came from.

Real data comes through torchvision into :func:`course_utils.config.data_dir`. When the
download fails, or ``COURSE_OFFLINE=1``, the loaders fall back to data that scikit-learn
ships, and say so once, loudly:

- MNIST and Fashion-MNIST → scikit-learn's 1,797 handwritten digits (8×8, 17 grey levels),
  resized to 20×20 and centred on a 28×28 canvas as MNIST digits are; a fixed split of
  1,497 training and 300 test digits (seeded permutation, seed 0), each shown in several
  slightly rotated, scaled and shifted copies: 5,988 training and 600 test images.
- CIFAR-10 → 32×32 patches cut from scikit-learn's two sample photographs (labels: 0 for
  ``china.jpg``, 1 for ``flower.jpg``); 2,000 training and 500 test patches.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .config import data_dir, display_path, is_offline

Split = str  # "train" or "test"

SKLEARN_DIGITS = 1797
FALLBACK_TEST_SIZE = 300
STAND_IN_COPIES = {"train": 4, "test": 2}
CIFAR_FALLBACK_SIZES = {"train": 2000, "test": 500}
DOWNLOAD_TIMEOUT_S = 20


class DatasetError(RuntimeError):
    """A data set on disk is missing, corrupted or only partly downloaded."""


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
        """True when these are the offline stand-in images, not the real data set."""
        return "stand-in" in self.source

    def subset(self, count: int | None = None, *, seed: int = 0) -> ImageSet:
        """A random subset of ``count`` images (all of them when ``count`` is None or larger)."""
        if count is None or count >= len(self):
            return self
        order = torch.randperm(len(self), generator=torch.Generator().manual_seed(seed))[:count]
        return self.select(order)

    def select(self, index: torch.Tensor) -> ImageSet:
        """The images at ``index`` (a tensor of positions or a boolean mask)."""
        return ImageSet(self.images[index], self.labels[index], self.source, self.name)

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
"""Data sets replaced by a stand-in in this session, and why (announced once each)."""


def _announce_fallback(name: str, reason: str) -> None:
    """Say once per data set, loudly, that a stand-in is used, why, and how to fix it."""
    if name in fallback_reasons:
        return
    fallback_reasons[name] = reason
    bar = "*" * 78
    print(
        f"{bar}\n{name} is not available, so the course uses an OFFLINE STAND-IN.\n"
        f"Reason: {reason}\n"
        f"Everything runs the same, but the numbers differ from real {name}. To get the real\n"
        f"data: connect to the internet, unset COURSE_OFFLINE, and run the cell again (it\n"
        f"downloads into {display_path(data_dir())}).\n{bar}",
        file=sys.stderr,
    )


def _check_split(split: Split) -> bool:
    if split not in ("train", "test"):
        raise ValueError(f'split must be "train" or "test", got {split!r}')
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
        if "error downloading" in message.lower() or isinstance(error, OSError):
            raise FileNotFoundError(f"download failed: {message}") from error
        if "not found" in message.lower() and not any(folder.rglob("*")):
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


def _grayscale_from_torchvision(name: str, dataset_class: type, train: bool) -> ImageSet:
    root = data_dir()
    folder = root / dataset_class.__name__
    try:
        raw, targets = _load_torchvision(dataset_class, root, train, download=not is_offline())
    except DatasetError as error:
        raise _corrupted(name, folder, str(error)) from error
    images = torch.as_tensor(raw)
    if images.dtype != torch.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise _corrupted(name, folder, f"images of shape {tuple(images.shape)}, not N×28×28")
    labels = torch.as_tensor(targets, dtype=torch.int64)
    if len(labels) != len(images):
        raise _corrupted(name, folder, f"{len(images)} images but {len(labels)} labels: "
                                       f"a partial download")
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
                                         download=not is_offline())
    except DatasetError as error:
        raise _corrupted("CIFAR-10", root / "cifar-10-batches-py", str(error)) from error
    images = torch.as_tensor(np.asarray(raw)).permute(0, 3, 1, 2).float().div_(255.0)
    return ImageSet(
        images.contiguous(),  # N×32×32×3 uint8 → N×3×32×32 in [0, 1]
        torch.as_tensor(targets, dtype=torch.int64),
        source="CIFAR-10 via torchvision",
        name="CIFAR-10",
    )


def _real_or_stand_in(name: str, load_real: Callable[[], ImageSet],
                      make_stand_in: Callable[[], ImageSet]) -> ImageSet:
    """The real data set if it can be had; otherwise announce why not and use the stand-in."""
    try:
        return load_real()
    except FileNotFoundError as error:
        reason = (
            "COURSE_OFFLINE=1 is set and no copy was found on disk"
            if is_offline()
            else f"the download did not succeed ({_first_line(error)})"
        )
    except DatasetError as error:
        reason = str(error)
    _announce_fallback(name, reason)
    return make_stand_in()


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def _load_grayscale(name: str, dataset_class_name: str, split: Split) -> ImageSet:
    train = _check_split(split)
    import torchvision.datasets

    dataset_class = getattr(torchvision.datasets, dataset_class_name)
    return _real_or_stand_in(name, lambda: _grayscale_from_torchvision(name, dataset_class, train),
                             lambda: digits_stand_in(split, name=name))


def load_mnist(split: Split = "train") -> ImageSet:
    """MNIST handwritten digits (60,000 train / 10,000 test, 1×28×28), or the offline stand-in."""
    return _load_grayscale("MNIST", "MNIST", split)


def load_fashion_mnist(split: Split = "train") -> ImageSet:
    """Fashion-MNIST clothing images (1×28×28), or the offline stand-in (digits)."""
    return _load_grayscale("Fashion-MNIST", "FashionMNIST", split)


def load_cifar10(split: Split = "train") -> ImageSet:
    """CIFAR-10 colour images (3×32×32), or the offline stand-in (photo patches)."""
    train = _check_split(split)
    return _real_or_stand_in("CIFAR-10", lambda: _cifar10_from_torchvision(train),
                             lambda: photo_patches_stand_in(split))


# --------------------------------------------------------------------------- stand-ins


def digits_stand_in(split: Split = "train", *, name: str = "MNIST") -> ImageSet:
    """scikit-learn's 1,797 real 8×8 digits, laid out like MNIST (1×28×28), with jitter.

    Each 8×8 digit (grey levels 0–16) is scaled to [0, 1], resized to 20×20 and centred in
    a 28×28 canvas, which is how MNIST itself was made. The split is fixed: a permutation
    with seed 0, the last 300 digits for testing. Every digit then appears in
    ``STAND_IN_COPIES[split]`` copies, each slightly rotated (±12°), scaled (±10%) and
    shifted (±2 pixels) with a fixed seed: without this jitter the images would span only
    the 64 dimensions of the 8×8 originals, and PCA would look unbeatable.
    """
    _check_split(split)
    images, labels = _jittered_digits(split, _stand_in_count(split))
    return ImageSet(
        images,
        labels,
        source=f"offline stand-in for {name}: scikit-learn's 8×8 digits resized to 28×28",
        name=name,
    )


def _stand_in_count(split: Split) -> int:
    """Images in a stand-in split: ``STAND_IN_COPIES`` per digit, or, for the training split,
    ``COURSE_STAND_IN_TRAIN_IMAGES`` (benchmarks use 60,000, the size of MNIST's training
    set, to time the lessons as a learner online would run them)."""
    wanted = os.environ.get("COURSE_STAND_IN_TRAIN_IMAGES", "").strip()
    if split == "train" and wanted:
        if not wanted.isdigit() or int(wanted) < 1:
            raise ValueError(
                f"COURSE_STAND_IN_TRAIN_IMAGES must be a positive number, got {wanted!r}")
        return int(wanted)
    digits = SKLEARN_DIGITS - FALLBACK_TEST_SIZE if split == "train" else FALLBACK_TEST_SIZE
    return STAND_IN_COPIES[split] * digits


def _jittered_digits(split: Split, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` jittered copies of the split's digits, built a few thousand at a time so
    that even 60,000 of them never need more memory than the result itself."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    small = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0  # N×1×8×8
    big = F.interpolate(small, size=(20, 20), mode="bilinear", align_corners=False)  # N×1×20×20
    canvas = F.pad(big, (4, 4, 4, 4)).clamp_(0.0, 1.0)  # N×1×28×28
    labels = torch.tensor(digits.target, dtype=torch.int64)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    index = order[:-FALLBACK_TEST_SIZE] if split == "train" else order[-FALLBACK_TEST_SIZE:]
    repeat = index.repeat(-(-count // len(index)))[:count]  # each digit in turn, then again
    theta = _random_affine(count, seed=10 if split == "train" else 20)  # count×2×3
    images = torch.empty(count, 1, 28, 28)
    for start in range(0, count, 4096):
        rows = slice(start, start + 4096)
        images[rows] = _warp(canvas[repeat[rows]], theta[rows])
    return images, labels[repeat]


def _random_affine(count: int, *, seed: int, width: int = 28) -> torch.Tensor:
    """One small random rotation (±12°), scaling (±10%) and shift (±2 pixels) per image."""
    g = torch.Generator().manual_seed(seed)
    angle = (torch.rand(count, generator=g) * 2 - 1) * (12 * torch.pi / 180)
    scale = 1 + (torch.rand(count, generator=g) * 2 - 1) * 0.10
    shift = (torch.rand(count, 2, generator=g) * 2 - 1) * (2 * 2 / width)  # in [-1, 1] units
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    return torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1),
                        torch.stack([sin, cos, shift[:, 1]], 1)], 1)  # count×2×3


def _warp(images: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """Apply one affine transform per image (bilinear), keeping values in [0, 1]."""
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, align_corners=False).clamp_(0.0, 1.0)


def photo_patches_stand_in(split: Split = "train") -> ImageSet:
    """32×32 colour patches cut at random from scikit-learn's two sample photographs."""
    from sklearn.datasets import load_sample_images

    train = _check_split(split)
    photos = [torch.tensor(np.asarray(img), dtype=torch.float32).permute(2, 0, 1) / 255.0
              for img in load_sample_images().images]  # each 3×427×640
    count = CIFAR_FALLBACK_SIZES[split]
    generator = torch.Generator().manual_seed(1 if train else 2)
    patches, labels = [], []
    for i in range(count):
        label = i % len(photos)
        photo = photos[label]
        top = int(torch.randint(0, photo.shape[1] - 32 + 1, (1,), generator=generator))
        left = int(torch.randint(0, photo.shape[2] - 32 + 1, (1,), generator=generator))
        patches.append(photo[:, top : top + 32, left : left + 32])
        labels.append(label)
    return ImageSet(
        torch.stack(patches).contiguous(),  # N×3×32×32
        torch.tensor(labels, dtype=torch.int64),
        source="offline stand-in for CIFAR-10: 32×32 patches of scikit-learn's sample photos",
        name="CIFAR-10",
    )


def tile_with_shifts(data: ImageSet, count: int, *, max_shift: int = 2, seed: int = 0) -> ImageSet:
    """Repeat ``data`` to ``count`` images, each copy shifted by up to ``max_shift`` pixels.

    Used to time the lessons on a 60,000-image set when real MNIST is not available.
    """
    generator = torch.Generator().manual_seed(seed)
    index = torch.arange(count) % len(data)
    images = data.images[index].clone()
    shifts = torch.randint(-max_shift, max_shift + 1, (count, 2), generator=generator)
    for (dy, dx) in shifts.unique(dim=0).tolist():
        rows = ((shifts[:, 0] == dy) & (shifts[:, 1] == dx)).nonzero().squeeze(1)
        images[rows] = torch.roll(images[rows], shifts=(dy, dx), dims=(2, 3))
    return ImageSet(images, data.labels[index], f"{data.source}, tiled to {count} with shifts",
                    data.name)


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
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
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
    if std < 0:
        raise ValueError(f"noise std must be non-negative, got {std}")
    noise = torch.randn(images.shape, generator=generator) * std  # drawn on the CPU generator
    return (images + noise.to(images.device)).clamp_(0.0, 1.0)


def salt_and_pepper(
    images: torch.Tensor, amount: float, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Set a share ``amount`` of pixels to 0 or 1 (half each), chosen at random."""
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
    if not 1 <= box_size <= min(h, w):
        raise ValueError(f"box_size must be between 1 and {min(h, w)}, got {box_size}")
    tops = torch.randint(0, h - box_size + 1, (n,), generator=generator)
    lefts = torch.randint(0, w - box_size + 1, (n,), generator=generator)
    rows = torch.arange(h).view(1, h, 1)
    cols = torch.arange(w).view(1, 1, w)
    inside = ((rows >= tops.view(n, 1, 1)) & (rows < (tops + box_size).view(n, 1, 1))
              & (cols >= lefts.view(n, 1, 1)) & (cols < (lefts + box_size).view(n, 1, 1)))
    mask = inside.unsqueeze(1).to(images.dtype).to(images.device)  # N×1×H×W
    return images * (1 - mask), mask
