"""Build the course site: every committed lesson as a web page, without running anything.

    python tools/build_site.py            (what ``make site`` runs)

The committed notebooks are the lessons, outputs included, so the site shows them as they
are (Sphinx with MyST-NB, ``nb_execution_mode = "off"``). This script stages what Sphinx
reads in ``build/site-src/``: the README as the landing page, with a table of contents of
the lessons in order, then the exercises and solutions; and ``notebooks/``. The HTML goes
to ``build/site/``. Warnings are errors, so a broken link or a missing image fails the build.

The repository that hosts the course (``OWNER/REPO`` until it has a home) is set in one
place: ``[project.urls] Repository`` in ``pyproject.toml``. The README's Binder badge must
name the same one (``tests/test_site.py`` checks it).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
import time
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
STAGE = ROOT / "build" / "site-src"
OUTPUT = ROOT / "build" / "site"
CONF_DIR = ROOT / "site"
GITHUB = "https://github.com/"

PLACEHOLDER = "OWNER/REPO"
#: The Binder badge, drawn for the site (the README's points at mybinder.org, which a page
#: must not load from: the site works offline).
BADGE = "_static/launch-binder.svg"
#: The class an explorer gives a control that needs a running kernel (course_utils.widgets).
NEEDS_KERNEL = "course-needs-kernel"

LESSONS_CAPTION = "Lessons"
EXERCISES_CAPTION = "Exercises and solutions"


def repository() -> str:
    """``OWNER/REPO`` of the repository that hosts the course, from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    url = project["urls"]["Repository"]
    if not url.startswith(GITHUB):
        raise ValueError(f"[project.urls] Repository must be a GitHub URL, got {url!r}")
    return url[len(GITHUB):].strip("/")


def launch_url(docname: str) -> str:
    """The Binder link that opens the page ``docname`` (``notebooks/05_…``) in JupyterLab."""
    return (f"https://mybinder.org/v2/gh/{repository()}/HEAD"
            f"?urlpath=lab/tree/{docname}.ipynb")


def lesson_pages() -> tuple[list[str], list[str]]:
    """(lessons, exercises and solutions) as page names, in course order."""
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    solutions = sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))
    names = [f"notebooks/{p.stem}" for p in notebooks]
    exercises = [n for n in names if "exercise" in n]
    lessons = [n for n in names if n not in exercises]
    return lessons, exercises + [f"notebooks/solutions/{p.stem}" for p in solutions]


def _toctree(caption: str, pages: list[str]) -> str:
    lines = ["```{toctree}", f":caption: {caption}", ":maxdepth: 1", ":hidden:", "", *pages, "```"]
    return "\n".join(lines)


def landing_page() -> str:
    """The README, with links outside the site pointing at the repository, and the contents."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blob = f"{GITHUB}{repository()}/blob/main/"

    def outside_to_repository(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"[a-z]+:", target) or target.startswith(("#", "notebooks/", "_static/")):
            return match.group(0)
        return f"{match.group(1)}({blob}{target})"

    readme = readme.replace("https://mybinder.org/badge_logo.svg", BADGE)
    readme = re.sub(r"(\]\s*)\(([^)\s]+)\)", outside_to_repository, readme)
    lessons, exercises = lesson_pages()
    return "\n\n".join([readme.rstrip(), _toctree(LESSONS_CAPTION, lessons),
                        _toctree(EXERCISES_CAPTION, exercises)]) + "\n"


def disable_kernel_controls(notebook: dict) -> int:
    """Grey out, in a notebook's saved widget state, the controls that need a kernel.

    On the static page nothing recomputes what such a control changes, so it is shown
    disabled (the note above the explorer says why) instead of moving with no effect.
    Returns how many controls were disabled.
    """
    state = (notebook.get("metadata", {}).get("widgets", {})
             .get("application/vnd.jupyter.widget-state+json", {}).get("state", {}))
    count = 0
    for model in state.values():
        values = model.get("state", {})
        if NEEDS_KERNEL in values.get("_dom_classes", []) and "disabled" in values:
            values["disabled"] = True
            count += 1
    return count


def stage() -> Path:
    """Write what Sphinx reads into ``build/site-src/``: the notebooks (their controls that
    need a kernel disabled) and the landing page."""
    if STAGE.exists():
        shutil.rmtree(STAGE)
    shutil.copytree(ROOT / "notebooks", STAGE / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.py"))
    for path in (STAGE / "notebooks").rglob("*.ipynb"):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if disable_kernel_controls(notebook):
            path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    (STAGE / BADGE).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(CONF_DIR / BADGE, STAGE / BADGE)
    (STAGE / "index.md").write_text(landing_page(), encoding="utf-8")
    return STAGE


def page_weights(site: Path) -> dict[str, int]:
    """Each page's first-visit weight, gzipped: the HTML and every file of the site it
    references (scripts, styles, images, icons), as a static host with compression serves
    them. The browser test measures the same in Chromium."""
    weights = {}
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        files = {page}
        for ref in re.findall(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"#?]+)', html):
            if re.match(r"[a-z]+:", ref):
                continue
            target = (page.parent / ref).resolve()
            if target.is_file() and target.suffix in {".js", ".css", ".png", ".svg", ".ico",
                                                       ".woff2", ".jpg", ".gif"}:
                files.add(target)
        weights[page.relative_to(site).as_posix()] = sum(
            len(gzip.compress(f.read_bytes(), 6)) for f in files)
    return weights


def build(output: Path = OUTPUT) -> Path:
    """Stage, then run Sphinx with warnings as errors; return the HTML folder."""
    from sphinx.cmd.build import build_main

    stage()
    if output.exists():
        shutil.rmtree(output)
    status = build_main(["-W", "--keep-going", "-q", "-b", "html", "-c", str(CONF_DIR),
                         "-d", str(STAGE / ".doctrees"), str(STAGE), str(output)])
    if status != 0:
        raise SystemExit(f"the site build failed (Sphinx exit status {status}); see above")
    return output


def warn_if_placeholder() -> None:
    """Say loudly when the launch links still point at OWNER/REPO."""
    if repository() == PLACEHOLDER:
        bar = "!" * 78
        print(f"{bar}\n! The repository is still {PLACEHOLDER}: every Binder, Colab and repository "
              f"link\n! on the site leads nowhere. Set [project.urls] Repository in "
              f"pyproject.toml\n! (and the README badge) to the course's GitHub repository.\n{bar}",
              file=sys.stderr)


def main() -> None:
    start = time.perf_counter()
    warn_if_placeholder()
    output = build()
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    print(f"{output.relative_to(ROOT)}/: built in {time.perf_counter() - start:.1f} s, "
          f"{size / 2**20:.1f} MiB; open {output.relative_to(ROOT)}/index.html")
    print("first-visit weight per page (gzipped):")
    for page, weight in page_weights(output).items():
        if page.startswith(("notebooks/", "index")):
            print(f"  {weight / 2**20:5.2f} MB  {page}")
    warn_if_placeholder()


if __name__ == "__main__":
    sys.exit(main())
