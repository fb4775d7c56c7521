"""Sphinx configuration of the course site (``make site``; see ``tools/build_site.py``).

The site renders the committed notebooks as they are (MyST-NB, no execution): their outputs
are the lesson. Everything a page loads comes from the site itself: the widget manager that
draws the saved explorer widgets and MathJax are vendored under ``site/_static/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from build_site import repository  # noqa: E402  (one place for OWNER/REPO)

project = "Convolutional Autoencoders, hands-on"
author = "the course authors"
copyright = "the course authors, MIT License"  # noqa: A001 (Sphinx's name)
root_doc = "index"

extensions = ["myst_nb", "course_site"]
sys.path.insert(0, str(Path(__file__).parent))  # course_site.py lives beside this file

# The notebooks are committed executed: show them as they are, never run them.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]

# Vendored JavaScript, never a CDN (see the README.md beside each bundle).
WIDGETS_BUNDLE = "widgets/html-manager-1.0.15/embed.js"
# Loaded only on pages that hold saved widgets (MyST-NB adds it where a notebook has widget
# state), and deferred, so the text paints before the bundle arrives.
nb_ipywidgets_js = {WIDGETS_BUNDLE: {"defer": "defer"}}
mathjax_path = "mathjax-3.2.2/tex-svg.js"
html_static_path = ["_static"]
html_css_files = ["course.css"]
# Accessible names, the lesson 05 explorer computed in the browser (see the file).
html_js_files = [("course-site.js", {"defer": "defer"})]
html_favicon = "_static/favicon.svg"

html_title = project
html_theme = "sphinx_book_theme"
html_theme_options = {
    "repository_url": f"https://github.com/{repository()}",
    "repository_branch": "HEAD",
    "path_to_docs": "",
    "use_repository_button": True,
    "launch_buttons": {"binderhub_url": "https://mybinder.org",
                       "colab_url": "https://colab.research.google.com",
                       "notebook_interface": "jupyterlab"},
    "show_toc_level": 2,
}
# Light and dark follow the reader's system until they pick one (an empty mode logs an error).
html_context = {"default_mode": "auto"}
html_last_updated_fmt = None
# The ".ipynb" download button points at _sources/<page>.ipynb: copy each notebook there.
html_copy_source = True
html_sourcelink_suffix = ""
html_show_sourcelink = False
