"""Prepare a folder a whole class shares: MNIST, and every model the lessons load from the cache.

    python -m course_utils.prepare DIR            (what ``make prepare DIR=...`` runs)

Run it once, on the server that will serve the class (the precision "auto" resolves to
there is part of every checkpoint's key). It

1. downloads MNIST into ``DIR/data`` (torchvision checks each file's checksum), or, with no
   network, writes the offline subset there;
2. runs every lesson notebook, top to bottom, in a kernel whose cache folder is
   ``DIR/checkpoints``: each lesson trains what it loads with ``cached_train`` and the
   recipes, exactly as it will for a student, so the list of models to prepare is the
   lessons themselves and can never drift from them;
3. prints a summary (lessons, models, sizes, time) and records what it did in
   ``DIR/prepared.json``.

It resumes after an interruption: a lesson already prepared for this version of the course
is skipped, and within a lesson every model already in ``DIR/checkpoints`` is loaded, not
trained again. Everything it writes is readable by every user (mode 644/755) and meant to be
made read-only for students: point each student's ``COURSE_SHARED_DIR`` at ``DIR`` (the
course reads the shared folder first and never writes into it), and their own
``COURSE_CHECKPOINT_DIR`` and ``COURSE_DATA_DIR`` at folders of their own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .config import is_fast, repo_root

#: The lessons a student runs, in order (the solutions are the teacher's).
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
RECORD = "prepared.json"


@dataclass
class LessonRun:
    name: str
    seconds: float
    new_checkpoints: int
    skipped: bool = False


def lessons_folder() -> Path:
    """The course's ``notebooks/`` folder (a checkout of the course is needed)."""
    root = repo_root()
    if root is None or not (root / "notebooks").is_dir():
        raise FileNotFoundError(
            "prepare runs the lesson notebooks, so it needs a checkout of the course: run it "
            "from the course's folder (make prepare DIR=...)")
    return root / "notebooks"


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        return package_version("course_utils")
    except PackageNotFoundError:
        return "unknown"


def _record(folder: Path) -> dict:
    try:
        return json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_record(folder: Path, record: dict) -> None:
    temporary = folder / f".{RECORD}.tmp"
    temporary.write_text(json.dumps(record, indent=2), encoding="utf-8")
    os.replace(temporary, folder / RECORD)


def _checkpoints(folder: Path) -> set[Path]:
    return {p for p in folder.glob("*.pt")} if folder.is_dir() else set()


def prepare_data(folder: Path) -> str:
    """Download MNIST into ``folder/data`` (or write the offline subset); say which."""
    os.environ["COURSE_DATA_DIR"] = str(folder / "data")
    from .data import load_mnist

    train = load_mnist("train")
    load_mnist("test")
    return train.source


def run_lesson(notebook: Path, folder: Path, timeout: int) -> float:
    """Execute one lesson in a fresh kernel against the prepared folders; outputs discarded."""
    import nbformat
    from nbclient import NotebookClient

    environment = {"COURSE_CHECKPOINT_DIR": str(folder / "checkpoints"),
                   "COURSE_DATA_DIR": str(folder / "data"), "COURSE_PROGRESS": "0"}
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    os.environ.pop("COURSE_SHARED_DIR", None)  # prepare writes the shared folder itself
    try:
        lesson = nbformat.read(notebook, as_version=4)
        start = time.perf_counter()
        NotebookClient(lesson, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(notebook.parent)}}).execute()
        return time.perf_counter() - start
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def prepare(folder: Path, *, lessons: list[str] | None = None, force: bool = False,
            timeout: int = 1800, progress: bool = True) -> list[LessonRun]:
    """Prepare ``folder`` for a class; return what each lesson did."""
    folder = folder.expanduser().resolve()
    old_umask = os.umask(0o022)  # readable by every student, writable by the teacher only
    try:
        (folder / "checkpoints").mkdir(parents=True, exist_ok=True)
        source = prepare_data(folder)
        notebooks = sorted(lessons_folder().glob(LESSON_GLOB))
        if lessons:
            notebooks = [n for n in notebooks if n.name[:2] in lessons or n.stem in lessons]
        record = _record(folder)
        key = f"{version()}|fast={is_fast()}"
        done = record.get("lessons", {}) if record.get("key") == key else {}
        runs: list[LessonRun] = []
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(notebooks), desc="preparing lessons", unit="lesson")
        for notebook in notebooks:
            if bar is not None:
                bar.set_postfix_str(notebook.stem)
            if notebook.stem in done and not force:
                runs.append(LessonRun(notebook.stem, 0.0, 0, skipped=True))
            else:
                before = _checkpoints(folder / "checkpoints")
                seconds = run_lesson(notebook, folder, timeout)
                new = len(_checkpoints(folder / "checkpoints") - before)
                runs.append(LessonRun(notebook.stem, seconds, new))
                done[notebook.stem] = {"seconds": round(seconds, 1), "new_checkpoints": new}
                _write_record(folder, {"key": key, "data": source, "lessons": done})
            if bar is not None:
                bar.update()
        if bar is not None:
            bar.close()
        return runs
    finally:
        os.umask(old_umask)


def summary(folder: Path, runs: list[LessonRun], seconds: float) -> str:
    folder = folder.expanduser().resolve()
    checkpoints = sorted(_checkpoints(folder / "checkpoints"))
    size = sum(p.stat().st_size for p in checkpoints)
    data = sum(p.stat().st_size for p in (folder / "data").rglob("*") if p.is_file())
    lines = [f"prepared {folder} in {seconds / 60:.1f} min:",
             f"  data: {data / 2**20:.0f} MiB in {folder / 'data'}",
             f"  models: {len(checkpoints)} checkpoints, {size / 2**20:.1f} MiB in "
             f"{folder / 'checkpoints'}"]
    for run in runs:
        state = "already prepared" if run.skipped else (
            f"{run.seconds:.0f} s, {run.new_checkpoints} new checkpoint(s)")
        lines.append(f"  {run.name}: {state}")
    lines.append(f"Give students read access only, and set COURSE_SHARED_DIR={folder} in "
                 f"their environment (classroom/README.md).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the folder to prepare (created if missing)")
    parser.add_argument("--lessons", nargs="*", help="only these lessons (e.g. 00 01)")
    parser.add_argument("--force", action="store_true", help="run lessons already prepared")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per notebook cell")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        runs = prepare(args.folder, lessons=args.lessons, force=args.force,
                       timeout=args.timeout)
    except FileNotFoundError as error:
        print(f"prepare: {error}", file=sys.stderr)
        return 2
    print(summary(args.folder, runs, time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
