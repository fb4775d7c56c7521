"""Course-wide settings: FAST mode, budgets, device, seeds and folders.

FAST mode (``COURSE_FAST=1``) runs the *same code* with fewer epochs and images, so the
whole course executes in a few minutes under the test suite. Notebooks never branch on
it directly; they ask for a :func:`budget`::

    epochs = budget(full=5, fast=1)
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def is_fast() -> bool:
    """True when ``COURSE_FAST=1``: fewer epochs and images, no progress bars."""
    return _env_flag("COURSE_FAST")


def is_offline() -> bool:
    """True when ``COURSE_OFFLINE=1``: never try to download a data set."""
    return _env_flag("COURSE_OFFLINE")


def show_progress() -> bool:
    """Progress bars on long loops: yes, except in FAST mode or with ``COURSE_PROGRESS=0``
    (set when notebooks are built for committing, where a bar is only clutter)."""
    return not is_fast() and os.environ.get("COURSE_PROGRESS", "1").strip() != "0"


def budget(full: T, fast: T) -> T:
    """Return ``fast`` in FAST mode and ``full`` otherwise.

    >>> budget(full=10, fast=1)  # doctest: +SKIP
    10
    """
    return fast if is_fast() else full


def pick_device(prefer: str | None = None) -> torch.device:
    """The best available device: CUDA, then Apple's MPS, then the CPU.

    ``prefer`` (or the ``COURSE_DEVICE`` variable) forces one, e.g. ``"cpu"``.
    """
    choice = prefer or os.environ.get("COURSE_DEVICE")
    if choice:
        return torch.device(choice)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


PRECISIONS = ("auto", "fp32", "bf16")


def precision_setting() -> str:
    """The precision training uses when a call does not name one: ``COURSE_PRECISION``.

    ``"auto"`` (the default) trains in mixed bfloat16 where the hardware computes it
    natively and in float32 elsewhere; ``"fp32"`` or ``"bf16"`` force one everywhere, so
    any run (the test suite included) can be repeated in either arithmetic.
    """
    value = os.environ.get("COURSE_PRECISION", "").strip().lower() or "auto"
    if value not in PRECISIONS:
        raise ValueError(f"COURSE_PRECISION must be one of {', '.join(PRECISIONS)}, "
                         f"got {value!r}; unset it for 'auto'")
    return value


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python, NumPy and PyTorch; return a ``torch.Generator`` seeded the same way.

    Call it right before building a model so its initial weights are reproducible.
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def repo_root() -> Path | None:
    """The course's folder when running from a checkout (an editable install), else None."""
    candidate = Path(__file__).resolve().parents[1]
    if (candidate / "pyproject.toml").is_file() and (candidate / "notebooks").is_dir():
        return candidate
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / "pyproject.toml").is_file() and (folder / "course_utils").is_dir():
            return folder
    return None


def _course_dir(variable: str, default_name: str) -> Path:
    if os.environ.get(variable):
        return Path(os.environ[variable]).expanduser()
    root = repo_root()
    return (root if root is not None else Path.cwd()) / default_name


def display_path(path: Path) -> str:
    """``path`` as a learner would type it: relative to the course folder when inside it."""
    root = repo_root()
    try:
        return str(path.resolve().relative_to(root)) + "/" if root else str(path)
    except ValueError:
        return str(path)


def data_dir() -> Path:
    """Where data sets are stored: ``COURSE_DATA_DIR``, default ``data/`` at the repo root."""
    return _course_dir("COURSE_DATA_DIR", "data")


def checkpoint_dir() -> Path:
    """Where trained weights are cached: ``COURSE_CHECKPOINT_DIR``, default ``checkpoints/``."""
    return _course_dir("COURSE_CHECKPOINT_DIR", "checkpoints")


def shared_dir() -> Path | None:
    """A folder a teacher prepared for the whole class (``COURSE_SHARED_DIR``), or None.

    It holds ``data/`` and ``checkpoints/`` (``make prepare``). The course reads it *before*
    the learner's own folders and never writes into it: it is usually read-only.
    """
    value = os.environ.get("COURSE_SHARED_DIR", "").strip()
    return Path(value).expanduser() if value else None


def shared_data_dir() -> Path | None:
    """``COURSE_SHARED_DIR/data`` when a shared folder is set and has it."""
    shared = shared_dir()
    return shared / "data" if shared is not None and (shared / "data").is_dir() else None


def shared_checkpoint_dir() -> Path | None:
    """``COURSE_SHARED_DIR/checkpoints`` when a shared folder is set and has it."""
    shared = shared_dir()
    return (shared / "checkpoints" if shared is not None and (shared / "checkpoints").is_dir()
            else None)
