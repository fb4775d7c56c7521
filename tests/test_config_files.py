"""The three places that list the course's packages agree, and Binder builds what we think.

- ``pyproject.toml``: what ``make setup`` installs with pip (dependencies + the test extra);
- ``environment.yml``: the conda environment for local users (the same, from conda-forge);
- ``binder/environment.yml``: what Binder installs (the dependencies only, CPU-only PyTorch).

:func:`config_problems` lists every disagreement in words; the drift tests prove that it
notices one by editing copies of the files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[1]
CONFIG_FILES = ("pyproject.toml", "environment.yml", "binder/environment.yml", "binder/postBuild")

# PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {
    "torch": "pytorch",  # conda-forge picks a CUDA or CPU build
    "matplotlib": "matplotlib-base",  # matplotlib without the Qt GUI
    "playwright": "playwright-python",
}
# Binder has no GPU and 2 GB of memory: the CPU-only build.
BINDER_CONDA_NAMES = {**CONDA_NAMES, "torch": "pytorch-cpu"}
# Packages a conda file lists that are not Python dependencies of the course.
CONDA_TOOLING = {"python", "pip"}
# Python versions repo2docker has environments for (binder/environment.yml must pin one).
BINDER_PYTHONS = {"3.10", "3.11", "3.12", "3.13"}
# How environment.yml's pip section installs course_utils from the checkout.
INSTALL_REPO = {"-e .", "-e.", "."}

_MATCH_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$")


def _conda_spec(text: str) -> tuple[str, str]:
    """Split a conda match spec: ``"pytorch >=2.6"`` -> ``("pytorch", ">=2.6")``."""
    match = _MATCH_SPEC.match(text)
    if not match:
        raise ValueError(f"cannot read the conda package spec {text!r}")
    return canonicalize_name(match.group(1)), match.group(2).replace(" ", "")


def _same_bounds(conda_version: str, pip_specifier: SpecifierSet) -> bool:
    """True when a conda version constraint says the same as a pip specifier (">=2.6")."""
    if not conda_version:
        return not str(pip_specifier)
    try:
        return SpecifierSet(conda_version) == pip_specifier
    except ValueError:
        return False


def read_pyproject(root: Path) -> tuple[dict[str, Requirement], dict[str, Requirement], str]:
    """(dependencies, test extra, requires-python) of ``root/pyproject.toml``."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]

    def by_name(lines: list[str]) -> dict[str, Requirement]:
        return {canonicalize_name(r.name): r for r in map(Requirement, lines)}

    extras = project.get("optional-dependencies", {})
    test_extra = by_name(extras.get("test", []))
    return by_name(project["dependencies"]), test_extra, project["requires-python"]


def read_conda_env(path: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """(conda packages name -> version constraint, pip lines, channels) of an environment file."""
    env = yaml.safe_load(path.read_text())
    conda: dict[str, str] = {}
    pip_lines: list[str] = []
    for entry in env.get("dependencies", []):
        if isinstance(entry, dict):
            pip_lines.extend(str(line) for line in entry.get("pip", []))
            continue
        name, version = _conda_spec(str(entry))
        if name in conda:
            raise ValueError(f"{path.name} lists {name} twice")
        conda[name] = version
    return conda, pip_lines, list(env.get("channels", []))


def _compare(
    label: str,
    expected: dict[str, Requirement],
    names: dict[str, str],
    conda: dict[str, str],
    pip: dict[str, Requirement],
) -> list[str]:
    """Problems when ``conda`` + ``pip`` do not hold exactly ``expected`` (PyPI names)."""
    problems = []
    found: set[str] = set()
    for pypi_name, requirement in expected.items():
        conda_name = canonicalize_name(names.get(pypi_name, pypi_name))
        if conda_name in conda:
            found.add(conda_name)
            if not _same_bounds(conda[conda_name], requirement.specifier):
                problems.append(
                    f"{label}: {conda_name} {conda[conda_name] or '(no version)'} does not match "
                    f"pyproject.toml's {requirement}"
                )
        elif pypi_name in pip:
            found.add(pypi_name)
            if pip[pypi_name].specifier != requirement.specifier:
                problems.append(
                    f"{label}: pip's {pip[pypi_name]} does not match pyproject.toml's {requirement}"
                )
        else:
            problems.append(f"{label}: {conda_name} is missing (pyproject.toml has {requirement})")
    for extra in sorted((set(conda) - CONDA_TOOLING - found) | (set(pip) - found)):
        problems.append(f"{label}: {extra} is not in pyproject.toml")
    return problems


def config_problems(root: Path) -> list[str]:
    """Every way the package lists under ``root`` disagree, in words (empty when they agree)."""
    dependencies, test_extra, requires_python = read_pyproject(root)
    problems: list[str] = []

    # environment.yml: dependencies + test extra, course_utils from the checkout.
    conda, pip_lines, channels = read_conda_env(root / "environment.yml")
    if channels != ["conda-forge"]:
        problems.append(f"environment.yml: channels must be [conda-forge], not {channels}")
    pip_lines = [line.strip() for line in pip_lines]
    if not INSTALL_REPO & set(pip_lines):
        problems.append("environment.yml: its pip section must install the course (-e .)")
    requirements = [Requirement(line) for line in pip_lines if line not in INSTALL_REPO]
    pip = {canonicalize_name(r.name): r for r in requirements}
    problems += _compare("environment.yml", {**dependencies, **test_extra}, CONDA_NAMES, conda, pip)
    if "python" not in conda:
        problems.append("environment.yml: python is missing")

    # binder/environment.yml: dependencies only, CPU PyTorch, course_utils via postBuild.
    conda, pip_lines, channels = read_conda_env(root / "binder" / "environment.yml")
    if channels != ["conda-forge"]:
        problems.append(f"binder/environment.yml: channels must be [conda-forge], not {channels}")
    if pip_lines:
        problems.append(
            f"binder/environment.yml: no pip section please ({pip_lines}); postBuild installs "
            "course_utils without dependencies"
        )
    problems += _compare("binder/environment.yml", dependencies, BINDER_CONDA_NAMES, conda, {})
    if "pytorch" in conda:
        problems.append("binder/environment.yml: use pytorch-cpu, not pytorch (no GPU on Binder)")
    pinned = conda.get("python", "").lstrip("=")
    if pinned not in BINDER_PYTHONS:
        problems.append(
            f"binder/environment.yml: pin python to one of {sorted(BINDER_PYTHONS)} "
            f"(e.g. python =3.12), not {pinned or 'nothing'}"
        )
    elif Version(pinned) not in SpecifierSet(requires_python):
        problems.append(f"binder/environment.yml: python {pinned} is not {requires_python}")
    return problems


def copy_config(tmp_path: Path) -> Path:
    """A copy of the config files in ``tmp_path``, to edit without touching the repository."""
    for name in CONFIG_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1))


# --------------------------------------------------------------------------- the real files


def test_package_lists_agree() -> None:
    assert config_problems(REPO) == []


def test_binder_environment_is_cpu_only_and_lean() -> None:
    conda, _, _ = read_conda_env(REPO / "binder" / "environment.yml")
    assert "pytorch-cpu" in conda and "pytorch" not in conda
    # No test tools on Binder: they cost build time and memory and learners never use them.
    _, test_extra, _ = read_pyproject(REPO)
    test_names = {canonicalize_name(CONDA_NAMES.get(n, n)) for n in test_extra}
    assert not test_names & set(conda)


def test_post_build_installs_course_without_dependencies_and_fetches_mnist() -> None:
    post_build = REPO / "binder" / "postBuild"
    text = post_build.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert "\nset -euo pipefail\n" in text
    assert re.search(r"pip install .*--no-deps.* -e \.\n", text)
    assert "load_mnist" in text and "is_fallback" in text
    subprocess.run(["bash", "-n", str(post_build)], check=True)


def test_readme_badge_opens_the_first_notebook_in_jupyterlab() -> None:
    readme = (REPO / "README.md").read_text()
    badge = re.search(r"\(https://mybinder\.org/v2/gh/\S+?\?urlpath=lab/tree/([^)\s]+)\)", readme)
    assert badge, "README.md has no Binder badge with ?urlpath=lab/tree/..."
    assert badge.group(1) == "notebooks/00_start_here.ipynb"
    assert (REPO / badge.group(1)).is_file()


# --------------------------------------------------------------------------- drift is caught


DRIFTS = {
    "package removed from binder": (
        "binder/environment.yml",
        "  - scipy >=1.10\n",
        "",
        "binder/environment.yml: scipy is missing",
    ),
    "version changed in environment.yml": (
        "environment.yml",
        "  - numpy >=1.24\n",
        "  - numpy >=2.0\n",
        "environment.yml: numpy >=2.0 does not match",
    ),
    "package added to pyproject only": (
        "pyproject.toml",
        '"scipy>=1.10",\n',
        '"scipy>=1.10",\n    "seaborn>=0.13",\n',
        "environment.yml: seaborn is missing",
    ),
    "test tool dropped from environment.yml": (
        "environment.yml",
        "  - hypothesis >=6.80\n",
        "",
        "environment.yml: hypothesis is missing",
    ),
    "extra package in binder": (
        "binder/environment.yml",
        "  - pip\n",
        "  - pip\n  - seaborn\n",
        "binder/environment.yml: seaborn is not in pyproject.toml",
    ),
    "GPU PyTorch on binder": (
        "binder/environment.yml",
        "pytorch-cpu >=2.6",
        "pytorch >=2.6",
        "binder/environment.yml: use pytorch-cpu",
    ),
    "course not installed by environment.yml": (
        "environment.yml",
        "      - -e .\n",
        "",
        "environment.yml: its pip section must install the course",
    ),
    "pip package version drift": (
        "environment.yml",
        "jupyter-repo2docker>=2024.07.0",
        "jupyter-repo2docker>=2023.1",
        "environment.yml: pip's jupyter-repo2docker>=2023.1 does not match",
    ),
    "binder python unpinned": (
        "binder/environment.yml",
        "  - python =3.12\n",
        "  - python\n",
        "binder/environment.yml: pin python",
    ),
}


@pytest.mark.parametrize("drift", DRIFTS.values(), ids=list(DRIFTS))
def test_checker_catches_drift(tmp_path: Path, drift: tuple[str, str, str, str]) -> None:
    file_name, old, new, expected = drift
    root = copy_config(tmp_path)
    assert config_problems(root) == []  # the copy agrees before the edit
    edit(root / file_name, old, new)
    problems = config_problems(root)
    assert any(problem.startswith(expected) for problem in problems), problems


# --------------------------------------------------------------------------- repo2docker


def test_repo2docker_builds_from_binder_folder(tmp_path: Path) -> None:
    """repo2docker (what Binder runs) uses binder/environment.yml and postBuild, not root files.

    ``--no-build`` only renders the Dockerfile, so no Docker daemon is needed. The user id
    and name are Binder's.
    """
    result = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug",
         "--user-id", "1000", "--user-name", "jovyan", str(REPO)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    dockerfile, log = result.stdout, result.stderr
    conda, _, _ = read_conda_env(REPO / "binder" / "environment.yml")
    assert f"Building conda environment for python={conda['python'].lstrip('=')}" in log
    assert '--file "binder/environment.yml"' in dockerfile
    assert '--file "environment.yml"' not in dockerfile  # the root file is ignored
    copy_repo = dockerfile.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    run_post_build = dockerfile.index("RUN ./binder/postBuild")
    # postBuild runs as the learner's user after the repository is in place, so that
    # `pip install -e .` and data/ can be written there.
    assert copy_repo < run_post_build
    assert "USER ${NB_USER}" in dockerfile[copy_repo:run_post_build]
