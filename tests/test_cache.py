"""The checkpoint cache never loads the wrong model and never stops a lesson.

Each fault costs at most a retrain and a one-line printed warning: a full disk (PyTorch
raises RuntimeError there, not OSError), a read-only, unwritable or uncreatable folder, two
processes meeting the same corrupt file, a run that diverged. The key covers the initial
weights; files are created with the umask's permissions; leftovers do not pile up.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import torch
from torch import nn

from course_utils import recipes, training
from course_utils.config import seed_everything
from course_utils.models import ConvVAE
from course_utils.training import cached_train, load_checkpoint, save_checkpoint


def tiny() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.Conv2d(2, 1, 3, padding=1),
                         nn.Sigmoid())


@pytest.fixture
def images() -> torch.Tensor:
    return torch.rand(16, 1, 8, 8, generator=torch.Generator().manual_seed(0))


def run(folder: Path, images: torch.Tensor, *, seed: int = 0, **settings):
    """cached_train on a model built right after seed_everything(seed), as lessons do."""
    seed_everything(seed)
    model = tiny()
    history = cached_train(model, "tiny", images, images, directory=folder,
                           **{"epochs": 1, "batch_size": 8, "progress": False, **settings})
    return model, history


@pytest.fixture
def count_trainings(monkeypatch) -> list[int]:
    """How many times cached_train really trained."""
    calls: list[int] = []
    real = training.train

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "train", counting)
    return calls


def checkpoints(folder: Path) -> list[Path]:
    return sorted(folder.glob("tiny-*.pt"))


# --------------------------------------------------------------------------- the right model


def test_a_model_with_other_initial_weights_does_not_load_another_seeds_run(
        tmp_path: Path, images: torch.Tensor, count_trainings: list[int]) -> None:
    seed0, _ = run(tmp_path, images, seed=0)
    seed1, _ = run(tmp_path, images, seed=1)  # used to load the seed-0 run's weights
    assert len(count_trainings) == 2 and len(checkpoints(tmp_path)) == 2
    assert not torch.equal(seed0[0].weight, seed1[0].weight)
    again, _ = run(tmp_path, images, seed=0)  # the same lesson run again: loaded
    assert len(count_trainings) == 2
    assert torch.equal(again[0].weight, seed0[0].weight)


def test_the_key_is_the_same_on_every_run_of_a_seeded_lesson(images: torch.Tensor) -> None:
    keys = set()
    for _ in range(3):
        seed_everything(0)
        keys.add(training.cache_key("m", tiny(), train_set=images, epochs=1))
    assert len(keys) == 1
    seed_everything(1)
    assert training.cache_key("m", tiny(), train_set=images, epochs=1) not in keys


def test_weights_digest_sees_buffers_and_any_dtype() -> None:
    seed_everything(0)
    model = nn.Sequential(nn.Conv2d(1, 1, 3), nn.BatchNorm2d(1))
    before = training.weights_digest(model)
    model[1].running_mean += 1e-7
    assert training.weights_digest(model) != before
    assert training.weights_digest(model.to(torch.bfloat16))  # numpy has no bfloat16


def test_a_diverged_run_is_not_cached(tmp_path: Path, images: torch.Tensor, capsys,
                                      count_trainings: list[int]) -> None:
    def diverges(model, inputs, targets):
        return ((model(inputs) - targets) ** 2).mean() * float("nan")

    with pytest.warns(RuntimeWarning, match="training stopped"):
        run(tmp_path, images, objective=diverges)
    assert checkpoints(tmp_path) == []  # used to be saved, and loaded on every later run
    err = capsys.readouterr().err
    assert "did not converge" in err and "not cached" in err and err.count("\n") == 1
    with pytest.warns(RuntimeWarning):
        run(tmp_path, images, objective=diverges)
    assert len(count_trainings) == 2  # trained again, not loaded


def test_a_cached_checkpoint_with_nan_weights_is_moved_aside(tmp_path: Path,
                                                             images: torch.Tensor,
                                                             capsys) -> None:
    trained, _ = run(tmp_path, images)
    path = checkpoints(tmp_path)[0]
    payload = torch.load(path, weights_only=True)
    payload["state_dict"]["0.weight"][0, 0, 0, 0] = float("nan")
    torch.save(payload, path)
    model, _ = run(tmp_path, images)
    assert "NaN or infinite weights" in capsys.readouterr().err
    assert torch.isfinite(model[0].weight).all()
    assert (tmp_path / f"{path.name}.unusable-1").is_file()


def test_a_failed_load_leaves_the_initial_weights(tmp_path: Path, images: torch.Tensor,
                                                  monkeypatch) -> None:
    run(tmp_path, images)
    path = checkpoints(tmp_path)[0]
    payload = torch.load(path, weights_only=True)
    payload["state_dict"]["2.weight"] = payload["state_dict"]["2.weight"] * float("inf")
    torch.save(payload, path)
    seen = []
    real = training.train

    def record(model, *args, **kwargs):
        seen.append({k: v.clone() for k, v in model.state_dict().items()})
        return real(model, *args, **kwargs)

    monkeypatch.setattr(training, "train", record)
    run(tmp_path, images)
    seed_everything(0)
    initial = tiny().state_dict()
    assert all(torch.equal(seen[0][k], initial[k]) for k in initial)


# --------------------------------------------------------------------------- saving never stops a lesson


def assert_trained_and_warned(history, model: nn.Module, capsys, *words: str) -> None:
    assert history.epochs == 1 and not model.training
    err = capsys.readouterr().err
    assert err.startswith("Warning: could not save") and err.count("\n") == 1, err
    assert "the model is trained" in err
    for word in words:
        assert word in err, err


def test_a_full_disk_during_torch_save_costs_a_warning(tmp_path: Path, images: torch.Tensor,
                                                       monkeypatch, capsys) -> None:
    """PyTorch reports a full disk as RuntimeError, which the cache did not catch."""
    def disk_full(obj, f, *args, **kwargs):
        Path(f).write_bytes(b"PK\x03\x04 half a checkpoint")
        raise RuntimeError("[enforce fail at inline_container.cc:778] . PytorchStreamWriter "
                           "failed writing file data/3: file write failed")

    monkeypatch.setattr(training.torch, "save", disk_full)
    model, history = run(tmp_path, images)
    assert_trained_and_warned(history, model, capsys, "RuntimeError", "file write failed")
    assert list(tmp_path.iterdir()) == []  # no half-written checkpoint, no temporary file


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"),
                                   PermissionError(13, "Permission denied"),
                                   OSError(30, "Read-only file system")])
def test_a_rename_that_fails_costs_a_warning(tmp_path: Path, images: torch.Tensor,
                                             monkeypatch, capsys, error: OSError) -> None:
    def refuse(src, dst):
        raise error

    monkeypatch.setattr(training.os, "replace", refuse)
    model, history = run(tmp_path, images)
    assert_trained_and_warned(history, model, capsys, error.strerror)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_costs_a_warning(tmp_path: Path, images: torch.Tensor,
                                              monkeypatch, capsys) -> None:
    """Tests run as root, where a read-only folder is still writable: simulate it."""
    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(training.tempfile, "mkstemp", read_only)
    model, history = run(tmp_path, images)
    assert_trained_and_warned(history, model, capsys, "Permission denied")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_a_really_read_only_folder_costs_a_warning(tmp_path: Path, images: torch.Tensor,
                                                   capsys) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        model, history = run(folder, images)
        assert_trained_and_warned(history, model, capsys, "Permission denied")
    finally:
        folder.chmod(0o755)


def test_a_folder_that_cannot_be_created_costs_a_warning(tmp_path: Path, images: torch.Tensor,
                                                         capsys) -> None:
    blocker = tmp_path / "checkpoints"
    blocker.write_text("a file where the folder should be")
    model, history = run(blocker / "deeper", images)
    assert_trained_and_warned(history, model, capsys)
    model, history = run(blocker, images)
    assert_trained_and_warned(history, model, capsys)


def test_save_checkpoint_itself_still_raises_and_leaves_nothing(tmp_path: Path,
                                                                monkeypatch) -> None:
    monkeypatch.setattr(training.os, "replace", lambda a, b: (_ for _ in ()).throw(
        OSError(28, "No space left on device")))
    with pytest.raises(OSError, match="No space left"):
        save_checkpoint(tiny(), tmp_path / "m.pt")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- loading


def test_two_processes_meeting_the_same_corrupt_file(tmp_path: Path, images: torch.Tensor,
                                                     monkeypatch, capsys) -> None:
    """The other process moves the unreadable file aside while this one reads it."""
    run(tmp_path, images)
    path = checkpoints(tmp_path)[0]
    path.write_bytes(b"truncated")
    real_load = torch.load

    def other_process_moves_it_first(f, *args, **kwargs):
        os.replace(path, path.with_name(f"{path.name}.unusable-1"))  # what the other did
        return real_load(path.with_name(f"{path.name}.unusable-1"), *args, **kwargs)

    monkeypatch.setattr(training.torch, "load", other_process_moves_it_first)
    model, history = run(tmp_path, images)  # used to raise FileNotFoundError
    monkeypatch.undo()
    assert history.epochs == 1
    assert "could not be used" in capsys.readouterr().err
    load_checkpoint(tiny(), path)  # the fresh save is whole


def test_a_file_that_vanishes_before_loading_is_trained_again(tmp_path: Path,
                                                              images: torch.Tensor,
                                                              monkeypatch) -> None:
    run(tmp_path, images)
    path = checkpoints(tmp_path)[0]

    def vanished(*args, **kwargs):
        path.unlink()
        raise FileNotFoundError(f"no checkpoint at {path}")

    monkeypatch.setattr(training, "load_checkpoint", vanished)
    _, history = run(tmp_path, images)
    assert history.epochs == 1


def test_a_file_replaced_by_a_good_one_is_not_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "m.pt"
    path.write_bytes(b"bad")
    seen = path.stat()
    time.sleep(0.01)
    save_checkpoint(tiny(), path)  # another process saved a good one meanwhile
    assert training._move_aside(path, seen) is None
    assert path.is_file()


def test_not_a_course_checkpoint_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "odd.pt"
    torch.save({"state_dict": [1, 2, 3]}, path)
    with pytest.raises(training.CheckpointMismatchError, match="not a dictionary of tensors"):
        load_checkpoint(tiny(), path)
    torch.save({"state_dict": tiny().state_dict(), "history": [1]}, path)
    with pytest.raises(training.CheckpointMismatchError, match="history is not a dictionary"):
        load_checkpoint(tiny(), path)


# --------------------------------------------------------------------------- leftovers and sharing


def test_unusable_copies_do_not_pile_up(tmp_path: Path, images: torch.Tensor, capsys) -> None:
    for _ in range(4):
        run(tmp_path, images)
        checkpoints(tmp_path)[0].write_bytes(b"truncated again")
    run(tmp_path, images)
    path = checkpoints(tmp_path)[0]
    aside = sorted(p.name for p in tmp_path.glob("*.unusable-*"))
    assert aside == [f"{path.name}.unusable-1"]  # only the latest is kept
    assert (tmp_path / aside[0]).read_bytes() == b"truncated again"


def test_temporary_files_left_by_killed_saves_are_removed(tmp_path: Path,
                                                          images: torch.Tensor) -> None:
    old = tmp_path / ".tiny-0123456789.pt.k1ll3d.tmp"
    old.write_bytes(b"half a checkpoint")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    running = tmp_path / ".other.pt.st1llw.tmp"  # another process saving right now
    running.write_bytes(b"in progress")
    run(tmp_path, images)
    assert not old.exists() and running.exists()


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_checkpoints_get_the_umasks_permissions(tmp_path: Path, images: torch.Tensor,
                                                umask: int, mode: int) -> None:
    """mkstemp makes 0600 files: a class sharing one cache could not read each other's."""
    previous = os.umask(umask)
    try:
        run(tmp_path, images)
    finally:
        os.umask(previous)
    assert checkpoints(tmp_path)[0].stat().st_mode & 0o777 == mode


# --------------------------------------------------------------------------- the VAE's terms file


def vae_run(folder: Path, images: torch.Tensor, **settings):
    seed_everything(0)
    model = ConvVAE(2)
    history, terms = recipes.train_vae(model, "vae", images, images[:8], directory=folder,
                                       **{"epochs": 1, "batch_size": 16, "device": "cpu",
                                          "progress": False, **settings})
    return model, history, terms


@pytest.fixture
def digits() -> torch.Tensor:
    return torch.rand(32, 1, 28, 28, generator=torch.Generator().manual_seed(0))


def test_vae_terms_are_written_atomically_with_the_umasks_permissions(tmp_path: Path,
                                                                      digits: torch.Tensor) -> None:
    previous = os.umask(0o002)
    try:
        _, _, terms = vae_run(tmp_path, digits)
    finally:
        os.umask(previous)
    sidecar = next(tmp_path.glob("*.terms.json"))
    assert sidecar.stat().st_mode & 0o777 == 0o664
    assert len(json.loads(sidecar.read_text())) == len(terms) == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert sidecar.name.removesuffix(".terms.json") + ".pt" in {p.name for p in tmp_path.iterdir()}


def test_a_terms_file_that_cannot_be_written_costs_a_warning(tmp_path: Path,
                                                             digits: torch.Tensor,
                                                             monkeypatch, capsys) -> None:
    real = Path.write_text

    def disk_full(self, *args, **kwargs):
        if ".terms.json" in self.name:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", disk_full)
    _, history, terms = vae_run(tmp_path, digits)  # used to raise
    assert history.epochs == 1 and len(terms) == 1
    err = capsys.readouterr().err
    assert "could not save the VAE's terms" in err and "No space left" in err
    assert list(tmp_path.glob("*.terms.json*")) == [] and list(tmp_path.glob(".*.tmp")) == []


def test_an_interrupted_terms_write_leaves_no_half_file(tmp_path: Path, digits: torch.Tensor,
                                                        monkeypatch) -> None:
    real = Path.write_text

    def killed(self, text, *args, **kwargs):
        if ".terms.json" in self.name:
            real(self, text[: len(text) // 2])
            raise KeyboardInterrupt
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", killed)
    with pytest.raises(KeyboardInterrupt):
        vae_run(tmp_path, digits)
    monkeypatch.undo()
    assert list(tmp_path.glob("*.terms.json")) == []  # used to leave half a JSON file
    _, history, terms = vae_run(tmp_path, digits)  # the next run trains again
    assert len(terms) == 1


def test_a_corrupt_terms_file_costs_a_retrain(tmp_path: Path, digits: torch.Tensor,
                                              capsys) -> None:
    first, _, terms = vae_run(tmp_path, digits)
    next(tmp_path.glob("*.terms.json")).write_text("[{\"half\": ")
    second, history, again = vae_run(tmp_path, digits)  # used to raise JSONDecodeError
    assert "not a terms file" in capsys.readouterr().err
    assert again == terms and history.epochs == 1
    third, _, loaded = vae_run(tmp_path, digits)
    assert loaded == terms
    for a, b in zip(first.state_dict().values(), third.state_dict().values()):
        assert torch.equal(a, b)
