"""Build a lesson notebook from its paired script and execute it in a fresh kernel.

    python tools/build_notebook.py notebooks/01_simple_conv_autoencoder.py [--fast]

The ``.py`` file (jupytext percent format) is the source a maintainer edits; this writes
the ``.ipynb`` beside it, executed top to bottom in a new kernel started in the
notebook's folder, with outputs and widget state saved. Learner mode by default
(``COURSE_FAST`` unset), which is what learners see in the committed notebook.
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


def build(script: Path, *, fast: bool = False, timeout: int = 900) -> Path:
    notebook = jupytext.read(script)
    notebook.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    if fast:
        os.environ["COURSE_FAST"] = "1"
    else:
        os.environ.pop("COURSE_FAST", None)
    # Progress bars help a learner who runs a cell; in a committed notebook they are only
    # kilobytes of widget state, so the build leaves them out.
    os.environ["COURSE_PROGRESS"] = "0"
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(script.parent)}},
                            store_widget_state=True)
    start = time.perf_counter()
    client.execute()
    target = script.with_suffix(".ipynb")
    nbformat.write(notebook, target)
    print(f"{target}: executed in {time.perf_counter() - start:.1f} s")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="+", type=Path)
    parser.add_argument("--fast", action="store_true", help="execute in FAST mode")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args()
    for script in args.scripts:
        if script.suffix != ".py" or not script.is_file():
            sys.exit(f"{script}: expected a paired notebook script (.py)")
        build(script, fast=args.fast, timeout=args.timeout)


if __name__ == "__main__":
    main()
