"""Shared test fixtures: every test runs offline, in FAST mode, with temporary folders."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def course_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """FAST mode, no downloads, and private data/checkpoint folders for each test."""
    monkeypatch.setenv("COURSE_FAST", "1")
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path_factory.mktemp("checkpoints")))
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    yield
