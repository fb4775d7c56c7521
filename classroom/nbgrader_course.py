"""Hand out and grade the five exercises with nbgrader.

    python classroom/nbgrader_course.py COURSE_DIR          (make grading COURSE=...)

builds an nbgrader course folder from the exercises' solutions
(``lessons_src/solutions/11_exercises_solutions.py``):

- ``COURSE_DIR/source/exercises/exercises.ipynb``: the solutions notebook with nbgrader's
  marks. Each cell tagged ``solution`` is an answer: the bodies of its functions and
  methods (or its whole statements) sit between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``, which the student version replaces by ``raise
  NotImplementedError()``. Each cell tagged ``graded`` (with its ``points``) runs one of
  the course's checks and asserts ``result.passed``: a locked, autograded test cell.
- ``COURSE_DIR/nbgrader_config.py``: the course id and a cell timeout long enough for the
  exercises that train.
- ``COURSE_DIR/release/exercises/exercises.ipynb``: the student version
  (``nbgrader generate_assignment``).

Then, as nbgrader always works: collect submissions into
``COURSE_DIR/submitted/<student>/exercises/``, run ``nbgrader autograde exercises`` in
``COURSE_DIR``, and read the scores with ``nbgrader export`` or the formgrader.
Two points per exercise; a wrong answer loses its own exercise's points only.
Learners working alone keep ``notebooks/11_exercises.ipynb`` and its checks.
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "lessons_src" / "solutions" / "11_exercises_solutions.py"
ASSIGNMENT = "exercises"
COURSE_ID = "conv-autoencoders"
#: Seconds a cell may run when nbgrader executes a submission (the sweeps train models).
CELL_TIMEOUT = 1800

CONFIG = f'''\
c = get_config()  # noqa: F821 (nbgrader's configuration object)
c.CourseDirectory.course_id = "{COURSE_ID}"
c.CourseDirectory.root = __file__.rsplit("/", 1)[0]
c.Execute.timeout = {CELL_TIMEOUT}
c.ExecutePreprocessor.timeout = {CELL_TIMEOUT}
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
'''


def _body_span(statements: list[ast.stmt]) -> tuple[int, int] | None:
    """First and last line of a body, leaving a leading docstring outside."""
    body = list(statements)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None),
                                                             ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    if not body:
        return None
    return body[0].lineno, body[-1].end_lineno or body[-1].lineno


def mark_solution(source: str) -> str:
    """Put nbgrader's solution marks around what a student writes.

    Functions: their bodies (signature and docstring stay); classes: each method's body;
    anything else: the statement itself.
    """
    tree = ast.parse(source)
    spans: list[tuple[int, int, int]] = []  # (first line, last line, indent)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            span = _body_span(node.body)
            if span:
                spans.append((*span, node.col_offset + 4))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    span = _body_span(item.body)
                    if span:
                        spans.append((*span, item.col_offset + 4))
        else:
            spans.append((node.lineno, node.end_lineno or node.lineno, node.col_offset))
    lines = source.split("\n")
    for first, last, indent in sorted(spans, reverse=True):
        pad = " " * indent
        lines.insert(last, f"{pad}### END SOLUTION")
        lines.insert(first - 1, f"{pad}### BEGIN SOLUTION")
    return "\n".join(lines)


def source_notebook(solutions: Path = SOLUTIONS) -> nbformat.NotebookNode:
    """The solutions notebook with nbgrader's metadata on every answer and check cell."""
    notebook = jupytext.read(solutions)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    answers = checks = 0
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code":
            continue
        if "solution" in tags:
            answers += 1
            cell.source = mark_solution(cell.source)
            cell.metadata["nbgrader"] = {"grade": False, "grade_id": f"answer-{answers}",
                                         "locked": False, "schema_version": 3,
                                         "solution": True, "task": False}
        elif "graded" in tags:
            checks += 1
            points = cell.metadata.pop("points", None)
            if points is None:
                raise ValueError(f"graded check {checks} has no points")
            if "assert result.passed" not in cell.source:
                raise ValueError(f"graded check {checks} must assert result.passed")
            cell.metadata["nbgrader"] = {"grade": True, "grade_id": f"check-{checks}",
                                         "locked": True, "points": int(points),
                                         "schema_version": 3, "solution": False,
                                         "task": False}
    if not answers or not checks:
        raise ValueError("no answer or no graded cell found: are the cells tagged?")
    return notebook


def total_points(notebook: nbformat.NotebookNode) -> int:
    return sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in notebook.cells)


def build(course: Path, *, generate: bool = True) -> Path:
    """Write the nbgrader course folder; return the student version's path."""
    course = course.resolve()
    source = course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    source.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(source_notebook(), source)
    (course / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    if generate:
        nbgrader(["generate_assignment", ASSIGNMENT, "--force"], course)
    return release


def nbgrader(arguments: list[str], course: Path) -> subprocess.CompletedProcess:
    """Run an nbgrader command in ``course`` with this Python's tools on PATH (nbgrader
    starts ``alembic`` by name to create its gradebook)."""
    environment = dict(os.environ)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    return subprocess.run([sys.executable, "-m", "nbgrader", *arguments, "--log-level=WARN"],
                          cwd=course, check=True, env=environment)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("course", type=Path, help="the nbgrader course folder to write")
    args = parser.parse_args()
    release = build(args.course)
    points = total_points(source_notebook())
    print(f"{release.relative_to(args.course.resolve())}: the student version "
          f"({points} points); grade with `nbgrader autograde {ASSIGNMENT}` in {args.course}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
