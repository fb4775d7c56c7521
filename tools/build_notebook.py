"""Build lesson notebooks from their paired scripts and execute them in a fresh kernel.

    python tools/build_notebook.py lessons_src/01_simple_conv_autoencoder.py [--fast]
    python tools/build_notebook.py 01_simple_conv_autoencoder      (the same, by name)
    python tools/build_notebook.py --prose-only 01_simple_conv_autoencoder

Each lesson's source is a jupytext percent script in ``lessons_src/`` (readable diffs and
reviews); what learners open is the notebook it builds in ``notebooks/``, at the same
relative path:

    lessons_src/NN_topic.py            → notebooks/NN_topic.ipynb
    lessons_src/solutions/NN_topic.py  → notebooks/solutions/NN_topic.ipynb

The notebook is executed top to bottom in a new kernel started in its own folder, with
outputs and widget state saved. Learner mode by default (``COURSE_FAST`` unset), which is
what learners see in the committed notebook.

``--prose-only`` copies changed markdown cells into the committed notebook without
running anything, and refuses when any code cell differs: the outputs stay those of the
same code.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "lessons_src"
NOTEBOOKS = ROOT / "notebooks"
# How jupytext pairs the two trees (also in jupytext.toml, for JupyterLab's Jupytext).
PAIRING = "notebooks///ipynb,lessons_src///py:percent"


def notebook_for(script: Path) -> Path:
    """The notebook a lesson script builds: same relative path, under notebooks/, as .ipynb."""
    relative = script.resolve().relative_to(SOURCES)
    return (NOTEBOOKS / relative).with_suffix(".ipynb")


def script_for(notebook: Path) -> Path:
    """The lesson script a notebook is built from (the inverse of :func:`notebook_for`)."""
    relative = notebook.resolve().relative_to(NOTEBOOKS)
    return (SOURCES / relative).with_suffix(".py")


def find_script(name: str) -> Path:
    """A script given as a path, or as a lesson name such as ``05_transposed_convolution``."""
    as_path = Path(name)
    if as_path.suffix == ".py" and as_path.is_file():
        return as_path
    matches = sorted(SOURCES.rglob(f"{as_path.stem}.py"))
    if len(matches) != 1:
        sys.exit(f"{name}: expected one lesson script in lessons_src/, found {len(matches)}")
    return matches[0]


def build(script: Path, *, fast: bool = False, timeout: int = 900) -> Path:
    notebook = jupytext.read(script)
    notebook.metadata["jupytext"] = {"formats": PAIRING}
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    if fast:
        os.environ["COURSE_FAST"] = "1"
    else:
        os.environ.pop("COURSE_FAST", None)
    # Progress bars help a learner who runs a cell; in a committed notebook they are only
    # kilobytes of widget state, so the build leaves them out.
    os.environ["COURSE_PROGRESS"] = "0"
    target = notebook_for(script)
    target.parent.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(target.parent)}},
                            store_widget_state=True)
    start = time.perf_counter()
    client.execute()
    nbformat.write(notebook, target)
    print(f"{target.relative_to(ROOT)}: executed in {time.perf_counter() - start:.1f} s")
    return target


def update_prose(script: Path) -> Path:
    """Copy the script's markdown cells into its committed notebook; code must be unchanged."""
    source = jupytext.read(script)
    target = notebook_for(script)
    notebook = nbformat.read(target, as_version=4)
    if [c.cell_type for c in source.cells] != [c.cell_type for c in notebook.cells]:
        sys.exit(f"{script}: cells were added, removed or reordered; rebuild it instead")
    for new, old in zip(source.cells, notebook.cells):
        if new.cell_type == "code" and new.source.strip() != old.source.strip():
            sys.exit(f"{script}: a code cell changed; rebuild it instead")
        if new.cell_type == "markdown":
            old.source = new.source
    nbformat.write(notebook, target)
    print(f"{target.relative_to(ROOT)}: prose updated, outputs kept")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="+", help="lesson scripts, or lesson names")
    parser.add_argument("--fast", action="store_true", help="execute in FAST mode")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--prose-only", action="store_true",
                        help="copy markdown changes into the notebook without running it")
    args = parser.parse_args()
    for name in args.scripts:
        if args.prose_only:
            update_prose(find_script(name))
        else:
            build(find_script(name), fast=args.fast, timeout=args.timeout)


if __name__ == "__main__":
    main()
