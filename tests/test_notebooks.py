"""Notebook hygiene: every lesson is executed in order, error-free, framed, and in sync with its script.

nbval (run by the same ``pytest`` command) re-executes the notebooks; these checks look at
what is committed, which is what a learner opens.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from build_notebook import notebook_for, script_for  # noqa: E402
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted(
    (ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))
IDS = [p.relative_to(ROOT).as_posix() for p in NOTEBOOKS]
MACHINE_PATHS = re.compile(r"(/work/|/root/|/home/[a-z]|/tmp/ipykernel|site-packages)")


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _text(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def test_there_are_notebooks() -> None:
    assert any(p.name.startswith("00_") for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_executed_in_order_without_errors(path: Path) -> None:
    nb = _load(path)
    counts = [c.get("execution_count") for c in _code_cells(nb) if _text(c).strip()]
    assert counts == list(range(1, len(counts) + 1)), "re-run top to bottom in a fresh kernel"
    errors = [o.get("ename") for c in _code_cells(nb) for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"error outputs: {errors}"


def test_notebooks_folder_holds_only_lessons() -> None:
    """A learner's file browser shows each lesson once: no scripts beside the notebooks."""
    stray = [p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").rglob("*")
             if p.is_file() and p.suffix != ".ipynb" and ".ipynb_checkpoints" not in p.parts]
    assert not stray, f"only notebooks belong in notebooks/: {stray}"
    scripts = sorted((ROOT / "lessons_src").rglob("[0-9][0-9]_*.py"))
    built = sorted(notebook_for(s) for s in scripts)
    assert built == sorted(NOTEBOOKS), "every lesson script builds one committed notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_paired_script_is_in_sync(path: Path) -> None:
    script = script_for(path)
    assert script.is_file(), f"{script.relative_to(ROOT)} (jupytext percent) is missing"
    from_script = jupytext.read(script)
    from_notebook = _load(path)
    pairs = list(zip(from_script.cells, from_notebook["cells"], strict=False))
    assert len(from_script.cells) == len(from_notebook["cells"]), "cell count differs: rebuild"
    for i, (a, b) in enumerate(pairs):
        assert a.cell_type == b["cell_type"] and a.source.strip() == _text(b).strip(), (
            f"cell {i} differs between {script.name} and {path.name}: rebuild the notebook")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_jupytext_would_write_the_script_as_it_is(path: Path) -> None:
    """A maintainer's JupyterLab with Jupytext opens a paired notebook newer than its script
    only when Jupytext would write that script byte for byte as it is (cell headers in its
    order, for instance): otherwise it refuses to open the lesson."""
    written = jupytext.writes(jupytext.read(path), fmt="py:percent")
    header = re.compile(r"^# ---\n.*?^# ---\n", re.DOTALL | re.MULTILINE)  # versions differ
    script = script_for(path).read_text(encoding="utf-8")
    assert header.sub("", written, count=1) == header.sub("", script, count=1), (
        f"{script_for(path).relative_to(ROOT)} is not as Jupytext writes it: write it with "
        f"jupytext --to py:percent, then rebuild")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_lesson_frame(path: Path) -> None:
    nb = _load(path)
    markdown = [_text(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    first = markdown[0]
    assert re.match(r"# \d\d ·", first), "the first cell starts with '# NN · title'"
    assert re.search(r"What you will (learn|practise|find)", first), "objectives up front"
    assert "Time:" in first, "the expected time up front"
    tail = "\n".join(markdown[-3:])
    assert "## Summary" in tail, "the lesson ends with a summary"
    assert re.search(r"## (Exercises|Going further|Next)", tail), "then exercises or what's next"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_machine_paths_in_outputs(path: Path) -> None:
    nb = _load(path)
    for cell in _code_cells(nb):
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", "")) + "".join(
                output.get("data", {}).get("text/plain", ""))
            match = MACHINE_PATHS.search(text)
            assert not match, f"machine-specific path {match.group(0)!r} in an output"
