"""Every lesson opens with the same setup cell (Colab and Kaggle install the course there),
and nbval's markers are cell tags, never comments in the code a learner reads."""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from launch_cell import launch_cell  # noqa: E402

SCRIPTS = sorted((ROOT / "lessons_src").rglob("[0-9][0-9]_*.py"))
IDS = [p.relative_to(ROOT).as_posix() for p in SCRIPTS]


@pytest.mark.parametrize("script", SCRIPTS, ids=IDS)
def test_first_code_cell_is_the_launch_cell(script: Path) -> None:
    notebook = jupytext.read(script)
    first = next(c for c in notebook.cells if c.cell_type == "code")
    assert first.source.strip() == launch_cell().strip(), (
        "the first code cell must be tools/launch_cell.py's cell, exactly")
    assert "hide-input" in first.metadata.get("tags", [])
    assert first.metadata.get("jupyter", {}).get("source_hidden") is True


@pytest.mark.parametrize("script", SCRIPTS, ids=IDS)
def test_nbval_markers_are_tags_not_comments(script: Path) -> None:
    notebook = jupytext.read(script)
    for index, cell in enumerate(notebook.cells):
        assert "NBVAL_" not in cell.source, f"cell {index}: use the tag nbval-check-output"
        for tag in cell.metadata.get("tags", []):
            if tag.startswith("nbval"):
                assert tag in {"nbval-check-output", "nbval-ignore-output", "nbval-skip",
                               "nbval-raises-exception"}, f"cell {index}: unknown tag {tag}"
