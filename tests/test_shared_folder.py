"""A class's prepared folder (COURSE_SHARED_DIR): read first, never written; what it lacks
is trained into the learner's own cache, and its data are loaded before the learner's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from course_utils import data as data_module
from course_utils.config import seed_everything
from course_utils.data import ImageSet, load_mnist
from course_utils.models import SimpleConvAutoencoder
from course_utils.training import cached_train, checkpoint_path


def _images() -> ImageSet:
    g = torch.Generator().manual_seed(0)
    return ImageSet(torch.rand(32, 1, 28, 28, generator=g), torch.zeros(32, dtype=torch.long),
                    "made up")


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


@pytest.fixture()
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    shared, own = tmp_path / "shared", tmp_path / "own"
    (shared / "checkpoints").mkdir(parents=True)
    monkeypatch.setenv("COURSE_SHARED_DIR", str(shared))
    monkeypatch.setenv("COURSE_CHECKPOINT_DIR", str(own))
    return shared, own


def test_a_prepared_model_is_loaded_from_the_shared_folder(folders: tuple[Path, Path],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    shared, own = folders
    seed_everything(0)
    teacher = SimpleConvAutoencoder()
    settings = dict(epochs=1, batch_size=16, progress=False, precision="fp32")
    cached_train(teacher, "m", _images(), directory=shared / "checkpoints", **settings)
    assert len(_files(shared / "checkpoints")) == 1
    os.chmod(shared / "checkpoints", 0o555)  # read-only, as students see it
    try:
        seed_everything(0)
        student = SimpleConvAutoencoder()
        import course_utils.training as training

        monkeypatch.setattr(training, "train", lambda *a, **k: pytest.fail("trained again"))
        history = cached_train(student, "m", _images(), **settings)
    finally:
        os.chmod(shared / "checkpoints", 0o755)
    assert history.epochs == 1
    assert all(torch.equal(a, b) for a, b in zip(teacher.state_dict().values(),
                                                 student.state_dict().values()))
    assert not _files(own), "nothing written to the learner's own cache"


def test_what_the_shared_folder_lacks_is_trained_into_the_learners_cache(
        folders: tuple[Path, Path]) -> None:
    shared, own = folders
    seed_everything(1)
    model = SimpleConvAutoencoder()
    path = checkpoint_path(model, "m", _images(), epochs=1, batch_size=16, progress=False,
                           precision="fp32")
    cached_train(model, "m", _images(), epochs=1, batch_size=16, progress=False,
                 precision="fp32")
    assert path.parent == own and path.is_file()
    assert not _files(shared / "checkpoints"), "the shared folder is never written"


def test_a_broken_shared_copy_is_skipped_not_moved(folders: tuple[Path, Path]) -> None:
    shared, own = folders
    seed_everything(2)
    model = SimpleConvAutoencoder()
    path = checkpoint_path(model, "m", _images(), epochs=1, batch_size=16, progress=False,
                           precision="fp32")
    (shared / "checkpoints" / path.name).write_bytes(b"not a checkpoint")
    cached_train(model, "m", _images(), epochs=1, batch_size=16, progress=False,
                 precision="fp32")
    assert _files(shared / "checkpoints") == {path.name}, "left exactly as it was"
    assert (own / path.name).is_file()


def test_data_come_from_the_shared_folder_first(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The offline digits' verified copy in the shared folder is read; the learner's own
    data folder stays empty."""
    shared, own = tmp_path / "shared", tmp_path / "own-data"
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("COURSE_DATA_DIR", str(shared / "data"))
    monkeypatch.setattr(data_module, "_subset_in_memory", None)
    load_mnist("train")  # as prepare does: fills shared/data
    assert _files(shared / "data")
    monkeypatch.setenv("COURSE_SHARED_DIR", str(shared))
    monkeypatch.setenv("COURSE_DATA_DIR", str(own))
    monkeypatch.setattr(data_module, "_subset_in_memory", None)
    monkeypatch.setattr(data_module, "_parse_mnist_subset",
                        lambda *a: pytest.fail("parsed again instead of reading the shared copy"))
    digits = load_mnist("test")
    assert len(digits) > 0 and not _files(own)


def test_a_progress_bar_does_not_change_the_key() -> None:
    seed_everything(0)
    model = SimpleConvAutoencoder()
    keys = {checkpoint_path(model, "m", _images(), epochs=1, progress=p).name
            for p in (None, True, False)}
    assert len(keys) == 1
