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


def test_the_launch_cell_installs_the_course_where_it_is_missing(tmp_path: Path) -> None:
    """As on Colab: a Python that has PyTorch and the rest but not ``course_utils``. The cell
    installs the course (here from a local clone, through ``COURSE_INSTALL_SOURCE``) with
    ``--no-deps``, and the lesson's imports work after it."""
    import subprocess
    import sysconfig

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    venv = tmp_path / "colab"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    # The test environment's packages (torch, numpy, ...) are visible, as Colab's are; the
    # course's own editable install is not (its finder lives in a .pth file never read here).
    (Path(site_packages) / "test_environment.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    missing = subprocess.run([str(python), "-c", "import course_utils"], capture_output=True,
                             text=True, cwd=tmp_path)
    assert missing.returncode != 0, "course_utils must start out missing"
    script = launch_cell() + "\nimport course_utils\nfrom course_utils.data import load_mnist\n" \
        "from course_utils.models import SimpleConvAutoencoder\nprint(course_utils.__file__)\n"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COURSE_INSTALL_SOURCE": str(clone),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    run = subprocess.run([str(python), "-c", script], capture_output=True, text=True,
                         cwd=tmp_path, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().startswith(site_packages), "installed into the learner's Python"
    again = subprocess.run([str(python), "-c", launch_cell()], capture_output=True, text=True,
                           cwd=tmp_path, env=env, timeout=120)
    assert again.returncode == 0 and not again.stdout.strip(), "a second run does nothing"


def test_every_lesson_has_an_open_in_colab_link() -> None:
    """The README's table links each lesson to Colab, from the one repository setting."""
    from launch_cell import colab_url

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"({colab_url('notebooks/' + notebook.name)})" in readme, notebook.name
