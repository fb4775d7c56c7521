"""Each lesson's stated time stays true when the lesson changes.

A lesson opens with "**Time:** about N minutes". The estimate it must match: its prose
read at 150 words a minute, its code read at 40 lines a minute, plus the computing time
recorded in the committed notebook (each cell's execution timestamps). The stated time may
round up generously, never down: between the estimate and 1.5 times it plus 5 minutes.
The exercises (11) are exempt: their time is the learner's own work.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
                 if not p.name.startswith("11_"))
WORDS_PER_MINUTE = 150
CODE_LINES_PER_MINUTE = 40


def _text(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _seconds(cell: dict) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))  # noqa: E731
    return max(0.0, (parse(end) - parse(start)).total_seconds())


def estimate_minutes(notebook: dict) -> tuple[float, float, float]:
    """(reading, code, computing) minutes of a committed notebook."""
    words = sum(len(re.findall(r"[A-Za-z0-9][\w'’-]*", _text(c)))
                for c in notebook["cells"] if c["cell_type"] == "markdown")
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"
            and not c.get("metadata", {}).get("jupyter", {}).get("source_hidden")]
    lines = sum(1 for c in code for line in _text(c).splitlines() if line.strip())
    computing = sum(_seconds(c) for c in notebook["cells"] if c["cell_type"] == "code") / 60
    return words / WORDS_PER_MINUTE, lines / CODE_LINES_PER_MINUTE, computing


def stated_minutes(notebook: dict) -> float:
    first = _text(notebook["cells"][0])
    match = re.search(r"\*\*Time:\*\*\s*(?:about\s*)?(\d+)(?:\s*[–-]\s*(\d+))?\s*minutes", first)
    assert match, "the first cell states '**Time:** about N minutes'"
    return float(match.group(2) or match.group(1))


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_the_stated_time_matches_the_lesson(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    reading, code, computing = estimate_minutes(notebook)
    estimate = reading + code + computing
    stated = stated_minutes(notebook)
    assert estimate <= stated <= 1.5 * estimate + 5, (
        f"states {stated:.0f} minutes; estimate {estimate:.0f} ({reading:.0f} reading, "
        f"{code:.0f} code, {computing:.1f} computing)")


def test_the_estimate_counts_words_code_and_run_time() -> None:
    notebook = {"cells": [
        {"cell_type": "markdown", "source": "word " * 300, "metadata": {}},
        {"cell_type": "code", "source": "x = 1\n" * 80, "metadata": {"execution": {
            "iopub.execute_input": "2026-01-01T00:00:00Z",
            "shell.execute_reply": "2026-01-01T00:01:30Z"}}},
    ]}
    assert estimate_minutes(notebook) == (2.0, 2.0, 1.5)
