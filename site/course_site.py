"""A Sphinx extension: what the course site adds to MyST-NB's pages.

- **Alt text.** A lesson shows each figure with ``course_utils.viz.show(fig, alt=...)``,
  which stores the sentence in the output's metadata (``{"image/png": {"alt": ...}}``).
  MyST-NB reads only width and height from there, so this wraps its image renderer to
  carry ``alt`` over; a figure without one would fall back to its file path, and the
  site's test rejects that.
- **A note above every saved explorer**: which controls work on the page (those bound to
  precomputed frames, and the lesson 05 explorer, computed in the browser), that the
  greyed-out ones need a running kernel, and a link that launches the lesson on Binder
  (``build_site.launch_url``, the same link as the page's launch button).
- **Light pages**: source maps (``*.map``) are deleted from the built site; nothing a
  reader loads refers to them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from build_site import launch_url  # tools/, put on sys.path by conf.py
from docutils import nodes
from sphinx.application import Sphinx

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NOTE_CLASS = "course-widget-note"


# --------------------------------------------------------------------------- alt text


def _render_image_with_alt(original: Any) -> Any:
    def render_image(self: Any, data: Any) -> list[nodes.Element]:
        rendered = original(self, data)
        alt = (data.output_metadata.get(data.mime_type) or {}).get("alt")
        if alt:
            for node in rendered:
                if isinstance(node, nodes.image):
                    node["alt"] = str(alt)
        return rendered

    render_image.__wrapped__ = original  # type: ignore[attr-defined]
    return render_image


def carry_alt_text() -> None:
    from myst_nb.core.render import NbElementRenderer

    if not hasattr(NbElementRenderer.render_image, "__wrapped__"):
        NbElementRenderer.render_image = _render_image_with_alt(NbElementRenderer.render_image)


# --------------------------------------------------------------------------- widget notes


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
        text += nodes.strong(text="Interactive on this page. ")
        text += nodes.Text("The controls that are not greyed out work as you read, without "
                           "Python; greyed-out ones need a running kernel. ")
        text += nodes.reference(text="Launch this lesson on Binder", refuri=url)
        text += nodes.Text(" (or run it with make lab) to use them all.")
        note = nodes.note("", text, classes=[NOTE_CLASS])
        output.parent.insert(output.parent.index(output), note)


# --------------------------------------------------------------------------- live explorers

#: Explorers computed in the browser: the DOM class their widget carries → the script.
LIVE_EXPLORERS = {"course-explorer": "course-explorers.js"}


def add_explorer_scripts(app: Sphinx, pagename: str, templatename: str, context: dict,
                         doctree: nodes.document | None) -> None:
    """Load an explorer's script only on the pages whose saved widgets include it."""
    if doctree is None or not str(app.env.doc2path(pagename)).endswith(".ipynb"):
        return
    source = Path(app.env.doc2path(pagename)).read_text(encoding="utf-8")
    for dom_class, script in LIVE_EXPLORERS.items():
        if f'"{dom_class}"' in source:
            app.add_js_file(script, defer="defer")


# --------------------------------------------------------------------------- light pages


def remove_source_maps(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        for path in Path(app.outdir).rglob("*.map"):
            path.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    carry_alt_text()
    app.connect("doctree-resolved", add_notes)
    app.connect("html-page-context", add_explorer_scripts)
    app.connect("build-finished", remove_source_maps)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
