"""The course site (``make site``): built from the committed notebooks, offline, warning-free,
and checked in a real browser.

The site is built once for this module (Sphinx with MyST-NB, warnings as errors; nothing
is executed) into a temporary folder, served from a local static server, and opened in
headless Chromium (Debian's, through Playwright) with no network. Screenshots go to
``test-artifacts/site/``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import re
import socketserver
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import build_site  # noqa: E402

from test_browser import CHROMIUM_ARGS, VIEWPORT, _chromium  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ARTIFACTS = REPO / "test-artifacts" / "site"
WIDGETS_DIR = REPO / "site" / "_static" / "widgets" / "html-manager-1.0.15"
PAGES = {
    "landing page": "index.html",
    "lesson 00": "notebooks/00_start_here.html",
    "lesson 05": "notebooks/05_transposed_convolution.html",
    "solutions": "notebooks/solutions/11_exercises_solutions.html",
}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site.build(tmp_path_factory.mktemp("site"))


def image_outputs(notebook: Path) -> int:
    """How many images a notebook's outputs hold (each becomes one figure on its page)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(1 for cell in cells for output in cell.get("outputs", [])
               if any(kind in output.get("data", {}) for kind in IMAGE_TYPES))


# --------------------------------------------------------------------------- the build


def test_every_lesson_has_a_page_in_course_order(site: Path) -> None:
    lessons, exercises = build_site.lesson_pages()
    assert lessons[0] == "notebooks/00_start_here" and len(lessons) == 11
    assert exercises == ["notebooks/11_exercises", "notebooks/solutions/11_exercises_solutions"]
    index = (site / "index.html").read_text(encoding="utf-8")
    positions = [index.find(f'href="{page}.html"') for page in lessons + exercises]
    assert all(p >= 0 for p in positions), "the navigation lists every lesson"
    assert positions == sorted(positions), "lessons first, in order, then exercises and solutions"
    assert "Convolutional Autoencoders, hands-on" in index  # the README is the landing page


def test_pages_load_nothing_from_elsewhere(site: Path) -> None:
    """Scripts, styles and fonts come from the site: it works offline and outlives any CDN."""
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="(https?://[^"]+)"', html)
        assert not remote, f"{page.relative_to(site)} loads {remote}"


def test_widget_pages_use_the_vendored_bundle(site: Path) -> None:
    html = (site / PAGES["lesson 05"]).read_text(encoding="utf-8")
    assert re.search(r'<script src="\.\./_static/widgets/html-manager-1\.0\.15/embed\.js', html)
    assert "application/vnd.jupyter.widget-state+json" in html
    vendored = (WIDGETS_DIR / "embed.js").read_bytes()
    recorded = re.search(r"SHA-256 of `embed.js`: `([0-9a-f]{64})`",
                         (WIDGETS_DIR / "README.md").read_text())
    assert recorded and hashlib.sha256(vendored).hexdigest() == recorded.group(1)


def test_the_vendored_widget_manager_matches_ipywidgets() -> None:
    """html-manager 1.x renders the state that ipywidgets 8 saves."""
    import ipywidgets

    assert int(ipywidgets.__version__.split(".")[0]) == 8
    states = json.loads((REPO / "notebooks" / "05_transposed_convolution.ipynb").read_text())
    saved = states["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    versions = {m["model_module_version"] for m in saved["state"].values()}
    assert versions <= {"2.0.0", "1.0.0"}, versions  # ipywidgets 8's model versions


def test_launch_links_and_badge_name_one_repository(site: Path) -> None:
    repository = build_site.repository()
    badge = re.search(r"mybinder\.org/v2/gh/([^/]+/[^/]+)/", (REPO / "README.md").read_text())
    assert badge and badge.group(1) == repository
    html = (site / PAGES["lesson 05"]).read_text(encoding="utf-8")
    expected = build_site.launch_url("notebooks/05_transposed_convolution")
    assert expected.startswith(f"https://mybinder.org/v2/gh/{repository}/")
    assert html.count(f'href="{expected.replace("&", "&amp;")}"') >= 2  # button and note


def test_workflow_publishes_the_site() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "site.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads "on" as True
    assert triggers["push"]["branches"] == ["main"]
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "make site" in runs
    uploads = [s for s in steps if "upload-pages-artifact" in s.get("uses", "")]
    assert uploads and uploads[0]["with"]["path"] == "build/site"
    assert any("deploy-pages" in s.get("uses", "") for s in steps)


# --------------------------------------------------------------------------- in a browser


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free loopback port, as a static host would."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    pytest.importorskip("playwright", reason="Playwright's Python package is not installed")
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def served(site: Path) -> Iterator[str]:
    with static_server(site) as url:
        yield url


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    page.on("response", lambda r: page.problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def figures_on_page(page: Page) -> int:
    return page.locator(".cell_output img").count()


@pytest.mark.parametrize("name", ["lesson 00", "lesson 05", "solutions"])
def test_lesson_pages_show_every_figure(served: str, page: Page, name: str) -> None:
    path = PAGES[name]
    page.goto(f"{served}/{path}")
    notebook = REPO / path.replace(".html", ".ipynb")
    assert figures_on_page(page) == image_outputs(notebook) > 0
    broken = page.evaluate("[...document.querySelectorAll('.cell_output img')]"
                           ".filter(i => !(i.complete && i.naturalWidth > 0)).length")
    assert broken == 0, "every figure loads"
    assert page.locator("ul.section-nav li.toc-entry a").count() >= 3, "the page's contents"
    launch = page.locator('a[href*="mybinder.org/v2/gh/"]').first
    assert launch.get_attribute("href", timeout=5_000).endswith(
        f"?urlpath=lab/tree/{path.replace('.html', '.ipynb')}")
    shot(page, f"{Path(path).stem}.png")
    assert not page.problems, page.problems  # type: ignore[attr-defined]


def test_landing_page(served: str, page: Page) -> None:
    page.goto(f"{served}/index.html")
    assert page.locator("h1").first.inner_text().startswith("Convolutional Autoencoders")
    nav = page.locator("nav.bd-docs-nav a.reference.internal")
    assert nav.count() == 13 and nav.first.inner_text().startswith("00")
    shot(page, "index.png")
    # the only failures allowed: the Binder badge image, which lives on mybinder.org
    problems = [p for p in page.problems if "mybinder.org" not in p]  # type: ignore[attr-defined]
    assert not problems, problems


def test_explorer_renders_its_saved_state(served: str, page: Page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{served}/{PAGES['lesson 05']}")
    explorer = page.locator(".jupyter-widgets.course-explorer").first
    expect(explorer).to_be_visible(timeout=20_000)
    sliders = explorer.locator(".widget-slider")
    assert sliders.count() == 6  # input size, kernel, stride, padding, output_padding, dilation
    expect(explorer).to_contain_text("output size: 28")
    expect(explorer.locator("svg").first).to_be_visible()  # the diagram
    note = page.locator(".course-widget-note").first
    expect(note).to_contain_text("recompute only in a running kernel")
    # the checkerboard explorer further down: its three sliders, sentence and heatmap
    board_summary = page.locator(".course-checkerboard-summary").first
    expect(board_summary).to_contain_text("contributions")
    board = page.locator(".jupyter-widgets.widget-vbox", has=board_summary).first
    assert board.locator(".widget-slider").count() == 3  # kernel, stride, input pixels
    expect(board.locator("svg").first).to_be_visible()  # the overlap heatmap
    assert page.locator(".course-widget-note").count() == 2, "one note per saved explorer"
    text = page.locator("main").inner_text()
    assert "Error" not in " ".join(re.findall(r"Error (?:rendering|displaying)[^\n]*", text))
    assert page.locator(".jupyter-widgets-error-widget, .widget-error").count() == 0
    explorer.scroll_into_view_if_needed()
    shot(page, "05_explorer.png")
    assert not page.problems, page.problems  # type: ignore[attr-defined]


def test_search_finds_output_padding(served: str, page: Page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{served}/search.html?q=output_padding")
    results = page.locator("#search-results ul.search li")
    expect(results.first).to_be_visible(timeout=20_000)
    titles = results.locator("a").all_inner_texts()
    assert any("Transposed convolution" in t for t in titles), titles
    shot(page, "search.png")
