"""Lessons, and the library whose source they print, speak to a learner who has only the course.

Words from how the course was made mean nothing to a learner: the source texts it was
written from ("the seed"), the plan it followed ("the lesson plan", "part 5"), the
issues that asked for it, the machines it was built on, the benchmark scripts. A claim the
course examines is stated in the lesson itself ("a common rule of thumb says …").
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

BUILD_WORDS = re.compile(
    r"\bseed['’]s\b|\bthe seed\b(?! (gives|value|number|is fixed))|\bseed text\b"
    r"|\blesson plan\b|\bthe issue\b|\bissue #?\d"
    r"|\bbench_\w+\.py\b|\bbenchmarks/|when this (lesson|course) was (written|built)"
    r"|where the course was built|\bbuild machine",
    re.IGNORECASE,
)


def build_words(text: str) -> list[str]:
    """The phrases in ``text`` that speak of how the course was made."""
    return [m.group(0) for m in BUILD_WORDS.finditer(text)]


def _cells(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in notebook["cells"]]


NOTEBOOKS = sorted((ROOT / "notebooks").rglob("[0-9][0-9]_*.ipynb"))
MODULES = sorted((ROOT / "course_utils").rglob("*.py"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_lessons_stand_alone(path: Path) -> None:
    found = [(i, w) for i, cell in enumerate(_cells(path)) for w in build_words(cell)]
    assert not found, f"cells speak of how the course was made: {found}"


@pytest.mark.parametrize("path", MODULES, ids=[p.relative_to(ROOT).as_posix() for p in MODULES])
def test_library_stands_alone(path: Path) -> None:
    found = build_words(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name} speaks of how the course was made: {found}"


@pytest.mark.parametrize("text", [
    "as the seed's model does", "the seed text's models", "Part 5 of the lesson plan",
    "the seed’s order",
    "see issue 13", "the issue asks", "benchmarks/bench_training.py measured it",
    "When this lesson was written, on the offline stand-in", "the seed normalises after",
])
def test_the_check_catches_build_words(text: str) -> None:
    assert build_words(text)


@pytest.mark.parametrize("text", [
    "seed_everything(0)", "the same seed gives the same noise", "with a fixed seed",
    "a random seed", "seed=0", "train(..., seed=1)", "the seed value", "Exercise 1, part 2",
    "Seed Python, NumPy and PyTorch; seeds",
])
def test_ordinary_words_pass(text: str) -> None:
    assert not build_words(text)


# --------------------------------------------------------------------------- findings stated

#: Phrases that send the reader to an output instead of saying what it shows.
DEFERRING = re.compile(
    r"printed (line|lines|above|below|sentence|verdict|table)"
    r"|(line|lines|sentence|verdict|table|output|numbers?) (just )?(above|below) "
    r"(says?|tells?|shows?|answers?)"
    r"|the (cell|line|lines) (above|below) (says?|prints?|tells?)"
    r"|says which|the verdict (printed|above|below)|the printout",
    re.IGNORECASE,
)
MAX_DEFERRING = 10


def _markdown(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in notebook["cells"] if c["cell_type"] == "markdown"]


def deferring_phrases(text: str) -> list[str]:
    return [m.group(0) for m in DEFERRING.finditer(text)]


def test_findings_are_stated_not_deferred() -> None:
    """A learner wants the sentence, not "the printed line says which": at most
    ``MAX_DEFERRING`` such phrases in all the lessons' prose together."""
    found = [(path.name, phrase) for path in NOTEBOOKS for cell in _markdown(path)
             for phrase in deferring_phrases(cell)]
    assert len(found) <= MAX_DEFERRING, f"{len(found)} deferring phrases: {found}"


@pytest.mark.parametrize("text", [
    "the printed verdict says", "The line above says which model won", "see the printout",
    "the numbers below show", "the verdict printed under the table",
])
def test_the_count_catches_deferring_phrases(text: str) -> None:
    assert deferring_phrases(text)
