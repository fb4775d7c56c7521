"""A Sphinx extension: a note above every saved widget, saying what a static page can do.

On the site, the lesson 05 explorers show the state they were saved in: sliders, formula
and diagram. Moving a slider recomputes nothing, because there is no Python kernel behind
the page. Above each widget output this adds a short note that says so, with a link that
launches the lesson on Binder (``build_site.launch_url``, the same link as the page's
launch button).
"""

from __future__ import annotations

from typing import Any

from build_site import launch_url  # tools/, put on sys.path by conf.py
from docutils import nodes
from sphinx.application import Sphinx

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NOTE_CLASS = "course-widget-note"


def _widget_outputs(doctree: nodes.document) -> list[nodes.Element]:
    """The cell-output containers that hold a saved widget view."""
    found = []
    for raw in doctree.findall(nodes.raw):
        if WIDGET_VIEW in raw.astext():
            container = raw.parent
            while container is not None and "cell_output" not in container.get("classes", []):
                container = container.parent
            target = container if container is not None else raw
            if target not in found:
                found.append(target)
    return found


def add_notes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    url = launch_url(docname)
    for output in _widget_outputs(doctree):
        text = nodes.paragraph()
        text += nodes.strong(text="Saved state. ")
        text += nodes.Text("This explorer shows its settings as they were saved; its sliders "
                           "recompute only in a running kernel. ")
        text += nodes.reference(text="Launch this lesson on Binder", refuri=url)
        text += nodes.Text(" (or run it with make lab) to move them.")
        note = nodes.note("", text, classes=[NOTE_CLASS])
        output.parent.insert(output.parent.index(output), note)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", add_notes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
