"""Graded exercises: nbgrader builds the student version from the solutions, and autograding
gives the solutions full marks, the unanswered release zero, and a wrong answer loses only
its own exercise's points. (Marker ``classroom``: ``.ci/run`` runs it after the main suite.)"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "classroom"))

pytestmark = pytest.mark.classroom
nbgrader_api = pytest.importorskip("nbgrader.api", reason="nbgrader (the classroom extra) is not installed")
import nbgrader_course  # noqa: E402

WRONG_DEEP = '''def build_wide():
    return FCAutoencoder((512, 16))


def build_deep():
    return FCAutoencoder((1024, 512, 256, 16))  # far more parameters than the wide model
'''


def test_marking_keeps_signatures_and_docstrings() -> None:
    marked = nbgrader_course.mark_solution(
        'def f(x):\n    """Doc."""\n    y = x + 1\n    return y\n\n\nanswer = 3\n')
    assert marked.split("\n")[:3] == ["def f(x):", '    """Doc."""', "    ### BEGIN SOLUTION"]
    assert "    ### END SOLUTION" in marked and "### BEGIN SOLUTION\nanswer = 3\n### END SOLUTION" in marked


def test_source_has_points_for_every_exercise() -> None:
    notebook = nbgrader_course.source_notebook()
    graded = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert nbgrader_course.total_points(notebook) == 10 and len(graded) == 8
    assert all("assert result.passed" in c.source for c in graded)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    course = tmp_path_factory.mktemp("course")
    release = nbgrader_course.build(course)
    source = course / "source" / "exercises" / "exercises.ipynb"
    submissions = {"solver": nbformat.read(source, as_version=4),
                   "blank": nbformat.read(release, as_version=4)}
    wrong = nbformat.read(source, as_version=4)
    for cell in wrong.cells:
        if cell.cell_type == "code" and cell.source.startswith("def build_wide"):
            cell.source = WRONG_DEEP
    submissions["wrong5"] = wrong
    for student, notebook in submissions.items():
        folder = course / "submitted" / student / "exercises"
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / "exercises.ipynb")
    nbgrader_course.nbgrader(["autograde", "exercises", "--force"], course)
    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s: gradebook.find_submission("exercises", s).score for s in submissions}
        max_score = gradebook.find_assignment("exercises").max_score
    shutil.rmtree(course / "autograded", ignore_errors=True)
    return {**scores, "max": max_score}


def test_solutions_get_full_marks(graded: dict[str, float]) -> None:
    assert graded["max"] == 10 and graded["solver"] == 10, graded


def test_the_unanswered_release_gets_zero(graded: dict[str, float]) -> None:
    assert graded["blank"] == 0, graded


def test_a_wrong_answer_loses_only_its_exercise(graded: dict[str, float]) -> None:
    assert graded["wrong5"] == 8, graded  # exercise 5's two points, nothing else
