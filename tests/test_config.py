"""FAST mode, budgets, device choice, seeding and folders."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from course_utils import config


def test_budget_follows_course_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_FAST", "1")
    assert config.is_fast() and config.budget(full=10, fast=1) == 1
    monkeypatch.setenv("COURSE_FAST", "0")
    assert not config.is_fast() and config.budget(full=10, fast=1) == 10
    monkeypatch.delenv("COURSE_FAST")
    assert config.budget(full="all", fast="some") == "all"


def test_offline_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_OFFLINE", "true")
    assert config.is_offline()
    monkeypatch.setenv("COURSE_OFFLINE", "")
    assert not config.is_offline()


def test_pick_device_prefers_what_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.pick_device("cpu") == torch.device("cpu")
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert config.pick_device() == torch.device("cpu")
    monkeypatch.delenv("COURSE_DEVICE")
    expected = "cuda" if torch.cuda.is_available() else None
    if expected:
        assert config.pick_device().type == expected
    elif not torch.backends.mps.is_available():
        assert config.pick_device().type == "cpu"


def test_seed_everything_repeats_weights_and_draws() -> None:
    config.seed_everything(3)
    a = torch.nn.Linear(4, 4).weight.clone()
    g1 = torch.randn(3, generator=config.seed_everything(3))
    config.seed_everything(3)
    b = torch.nn.Linear(4, 4).weight.clone()
    g2 = torch.randn(3, generator=config.seed_everything(3))
    assert torch.equal(a, b) and torch.equal(g1, g2)


def test_folders_follow_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path / "c"))
    assert config.data_dir() == tmp_path / "d"
    assert config.checkpoint_dir() == tmp_path / "c"


def test_default_folders_are_in_the_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COURSE_DATA_DIR")
    root = config.repo_root()
    assert root is not None and (root / "pyproject.toml").is_file()
    assert config.data_dir() == root / "data"
    assert config.display_path(config.data_dir()) == "data/"


def test_progress_bars_follow_fast_mode_and_course_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_FAST", "0")
    assert config.show_progress()
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    assert not config.show_progress()
    monkeypatch.setenv("COURSE_PROGRESS", "1")
    monkeypatch.setenv("COURSE_FAST", "1")
    assert not config.show_progress()


def test_shared_folder_is_read_only_configuration(tmp_path, monkeypatch) -> None:
    from course_utils import config

    monkeypatch.delenv("COURSE_SHARED_DIR", raising=False)
    assert config.shared_dir() is None and config.shared_checkpoint_dir() is None
    monkeypatch.setenv("COURSE_SHARED_DIR", str(tmp_path))
    assert config.shared_dir() == tmp_path
    assert config.shared_data_dir() is None  # nothing prepared there yet
    (tmp_path / "data").mkdir()
    (tmp_path / "checkpoints").mkdir()
    assert config.shared_data_dir() == tmp_path / "data"
    assert config.shared_checkpoint_dir() == tmp_path / "checkpoints"
