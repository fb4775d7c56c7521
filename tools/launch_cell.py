"""The first code cell of every lesson: on Colab or Kaggle, install the course; elsewhere, nothing.

A learner who opens a lesson from Colab has PyTorch, NumPy, matplotlib, ipywidgets and the
rest, but not ``course_utils``. The cell installs the course from its repository at the tag
of this version, with ``--no-deps`` (never a second PyTorch, never JupyterLab), plus the two
small packages Colab lacks, and turns on Colab's widget manager so the explorers work.
Anywhere ``course_utils`` is already importable (JupyterLab, Binder, a hub) it does nothing.

``COURSE_INSTALL_SOURCE`` overrides where it installs from (a local clone, in the test).
The cell's text is generated here from the repository setting in ``pyproject.toml``;
``tests/test_launch_cell.py`` checks that every lesson starts with exactly this cell.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Packages the lessons import that Colab does not ship.
COLAB_MISSING = ("mlxtend", "torchinfo")

#: The jupytext header of the cell: input collapsed in JupyterLab, hidden on the site.
HEADER = '# %% jupyter={"source_hidden": true} tags=["hide-input"]'

TEMPLATE = '''\
# Setup on Colab or Kaggle: install the course when it is missing (elsewhere: nothing to do).
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("course_utils") is None:
    source = os.environ.get("COURSE_INSTALL_SOURCE", "git+{repository}@v{version}")
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + ["--no-deps", source], check=True)
    subprocess.run(pip + {missing}, check=True)
    importlib.invalidate_caches()
if "google.colab" in sys.modules:
    from google.colab import output
    output.enable_custom_widget_manager()'''


def project_settings() -> tuple[str, str]:
    """The repository URL and the course version, from ``pyproject.toml``."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["urls"]["Repository"], project["version"]


def launch_cell() -> str:
    """The source of the cell (without its jupytext header)."""
    repository, version = project_settings()
    return TEMPLATE.format(repository=repository, version=version,
                           missing=repr(list(COLAB_MISSING)))


def colab_url(notebook: str) -> str:
    """The "Open in Colab" link for ``notebooks/NN_topic.ipynb``."""
    repository, _ = project_settings()
    owner_repo = re.sub(r"^https://github\.com/", "", repository).strip("/")
    return f"https://colab.research.google.com/github/{owner_repo}/blob/main/{notebook}"
