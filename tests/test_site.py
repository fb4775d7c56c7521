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


def test_pages_load_nothing_from_elsewhere(site: Path) -> None:  # the HTML; the browser test checks requests
    """Scripts, styles and fonts come from the site: it works offline and outlives any CDN."""
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="(https?://[^"]+)"', html)
        assert not remote, f"{page.relative_to(site)} loads {remote}"


def test_widget_pages_use_the_vendored_bundle(site: Path) -> None:
    html = (site / PAGES["lesson 05"]).read_text(encoding="utf-8")
    # deferred: the text paints first, the widgets after
    assert re.search(r'<script defer="defer" src="\.\./_static/widgets/html-manager-1\.0\.15/'
                     r'embed\.js', html)
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
    colab = f"https://colab.research.google.com/github/{repository}/blob/"
    assert colab in html and "notebooks/05_transposed_convolution.ipynb" in html


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
    """Figures the notebook's outputs hold (images inside saved explorers not counted)."""
    return page.evaluate("[...document.querySelectorAll('.cell_output img')]"
                         ".filter(i => !i.closest('.jupyter-widgets')).length")


def lesson_page_paths() -> list[str]:
    lessons, exercises = build_site.lesson_pages()
    return [f"{name}.html" for name in lessons + exercises]


ALL_PAGES = ["index.html", *lesson_page_paths()]
AXE = REPO / "tests" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
PATH_LIKE_ALT = re.compile(r"(^|/)_images/|\.(png|jpe?g|svg|gif)$|^[0-9a-f]{32,}", re.IGNORECASE)


def settle(page: Page) -> None:
    """Wait until the page and its saved widgets have drawn."""
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)


@pytest.mark.parametrize("path", ["notebooks/00_start_here.html",
                                  "notebooks/05_transposed_convolution.html",
                                  "notebooks/solutions/11_exercises_solutions.html"])
def test_lesson_pages_show_every_figure(served: str, page: Page, path: str) -> None:
    page.goto(f"{served}/{path}")
    settle(page)
    notebook = REPO / path.replace(".html", ".ipynb")
    assert figures_on_page(page) == image_outputs(notebook) > 0
    broken = page.evaluate("[...document.querySelectorAll('.cell_output img')]"
                           ".filter(i => !(i.complete && i.naturalWidth > 0)).length")  # any
    assert broken == 0, "every figure loads"
    assert page.locator("ul.section-nav li.toc-entry a").count() >= 3, "the page's contents"
    launch = page.locator('a[href*="mybinder.org/v2/gh/"]').first
    assert launch.get_attribute("href", timeout=5_000).endswith(
        f"?urlpath=lab/tree/{path.replace('.html', '.ipynb')}")
    shot(page, f"{Path(path).stem}.png")
    assert not page.problems, page.problems  # type: ignore[attr-defined]


def test_every_figure_has_alt_text_that_describes_it(site: Path) -> None:
    """A screen reader reads a figure's alt text: a sentence, never a file path or a hash."""
    for path in ALL_PAGES:
        html = (site / path).read_text(encoding="utf-8")
        html = re.sub(r"<script\b.*?</script>", "", html, flags=re.DOTALL)  # saved widgets: axe
        for tag in re.findall(r"<img\b[^>]*>", html):
            alt = re.search(r'alt="([^"]*)"', tag)
            assert alt and alt.group(1).strip(), f"{path}: an image without alt text: {tag[:120]}"
            assert not PATH_LIKE_ALT.search(alt.group(1)), f"{path}: path-like alt {alt.group(1)!r}"


@pytest.mark.parametrize("alt", ["../_images/0a1b2c.png", "figure.png", "_images/x",
                                 "ea246cde0ede845c5d930802e22bae6048e0d9c3eb5763c8814833031b952b9a"])
def test_path_like_alt_text_is_recognised(alt: str) -> None:
    assert PATH_LIKE_ALT.search(alt)


def test_landing_page(served: str, page: Page) -> None:
    page.goto(f"{served}/index.html")
    settle(page)
    assert page.locator("h1").first.inner_text().startswith("Convolutional Autoencoders")
    nav = page.locator("nav.bd-docs-nav a.reference.internal")
    assert nav.count() == 13 and nav.first.inner_text().startswith("00")
    badge = page.locator('img[alt="Launch Binder"]').first
    assert badge.evaluate("i => i.complete && i.naturalWidth > 0"), "the badge is the site's own"
    shot(page, "index.png")
    assert not page.problems, page.problems  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_serious_accessibility_violations(served: str, browser: Browser, width: int,
                                             theme: str) -> None:
    """axe-core on every page, in the theme's light and dark modes, on a desktop and a phone:
    no serious or critical violation. Also: no page scrolls sideways."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(f"localStorage.setItem('mode', '{theme}');"
                            f"localStorage.setItem('theme', '{theme}');")
    page = context.new_page()
    engine = AXE.read_text(encoding="utf-8")
    found, wide = {}, {}
    for path in ALL_PAGES:
        page.goto(f"{served}/{path}")
        settle(page)
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        page.add_script_tag(content=engine)
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))")
        if violations:
            found[path] = violations
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide[path] = scroll
    context.close()
    assert not found, f"{theme}, {width} px: {found}"
    assert not wide, f"pages wider than the {width} px screen: {wide}"


def test_no_page_requests_another_host(served: str, browser: Browser) -> None:
    """Every request (scripts, styles, fonts, images, anything) goes to the site itself, and
    no page logs an error to the console."""
    context = browser.new_context(viewport=VIEWPORT)
    outside: list[str] = []
    context.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"),
                  lambda route: (outside.append(route.request.url), route.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    for path in ALL_PAGES:
        page.goto(f"{served}/{path}")
        settle(page)
    context.close()
    assert not outside, f"requests to other hosts: {sorted(set(outside))[:10]}"
    assert not errors, errors[:10]


def test_first_visit_weight_and_the_ipynb_download(served: str, site: Path, browser: Browser) -> None:
    """What a first visit transfers, until the load event, stays under 3 MB a lesson page
    (gzip, as a static host serves it, is estimated by the build); the header's .ipynb
    button returns the notebook; the favicon is there."""
    weights = build_site.page_weights(site)
    heavy = {p: round(w / 2**20, 2) for p, w in weights.items()
             if p.startswith("notebooks/") and w > 3 * 2**20}
    assert not heavy, f"lesson pages above 3 MB: {heavy}"
    assert not list(site.rglob("*.map")), "no source maps in the site"
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{served}/notebooks/05_transposed_convolution.html")
    settle(page)
    link = page.locator("a.btn-download-source-button").first
    href = link.get_attribute("href")
    assert href and href.endswith("05_transposed_convolution.ipynb"), href
    response = page.request.get(f"{served}/notebooks/{href}")
    assert response.ok and json.loads(response.body())["cells"], "the download is the notebook"
    icon = page.locator('link[rel="icon"]').first.get_attribute("href")
    assert icon and page.request.get(f"{served}/notebooks/{icon}").ok
    scripts = page.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)")
    assert any("embed.js" in src for src in scripts), "widget pages load the widget manager"
    page.goto(f"{served}/notebooks/11_exercises.html")
    settle(page)
    plain = page.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)")
    if "application/vnd.jupyter.widget-state+json" not in page.content():
        assert not any("embed.js" in src for src in plain), "no widget bundle without widgets"
    context.close()


def test_arithmetic_explorer_computes_in_the_browser_as_pytorch_does(served: str, page: Page) -> None:
    """On the static page, lesson 05's explorer recomputes its result, formula and diagram as
    the sliders move (keyboard), and its arithmetic matches real PyTorch layers."""
    from playwright.sync_api import expect

    from course_utils.widgets.arithmetic import LAYERS, pytorch_output_size

    page.goto(f"{served}/{PAGES['lesson 05']}")
    explorer = page.locator(".jupyter-widgets.course-explorer").first
    expect(explorer).to_be_visible(timeout=20_000)
    expect(explorer).to_have_attribute("data-course-live", "live", timeout=10_000)
    result = explorer.locator(".course-explorer-result")
    expect(result).to_contain_text("output size: 28")
    handle = explorer.locator(".course-explorer-kernel [role=slider]").first
    assert handle.get_attribute("aria-label") == "kernel"
    handle.focus()
    page.keyboard.press("ArrowRight")  # kernel 3 → 4: (14 − 1)·2 − 2 + 3 + 1 + 1 = 29
    expect(result).to_contain_text("output size: 29")
    expect(explorer.locator(".course-explorer-formula")).to_contain_text("= 29")
    explorer.locator(".course-explorer-layer select").select_option("Conv2d")
    expect(result).to_contain_text("output size: 7")
    expect(explorer.locator(".course-explorer-diagram svg")).to_contain_text("output (7×7)")
    shot(page, "05_explorer_live.png")
    import random

    rng = random.Random(0)
    for _ in range(150):
        layer = rng.choice(LAYERS)
        i, k, s = rng.randint(1, 20), rng.randint(1, 7), rng.randint(1, 4)
        p, a, d = rng.randint(0, 3), rng.randint(0, 3), rng.randint(1, 3)
        browser_size = page.evaluate(
            "([l, i, k, s, p, a, d]) => { try { return window.courseArithmetic.outputSize("
            "l, i, k, s, p, a, d); } catch (e) { return null; } }", [layer, i, k, s, p, a, d])
        torch_size = pytorch_output_size(layer, i, k, s, p, a, d, narrow=True)
        expected = torch_size if isinstance(torch_size, int) and torch_size > 0 else None
        assert browser_size == expected, (layer, i, k, s, p, a, d, browser_size, torch_size)
    assert not page.problems, page.problems  # type: ignore[attr-defined]


def test_explorers_fit_the_column_and_respond_without_a_kernel(served: str, browser: Browser) -> None:
    """Every lesson page 00–10 holds an explorer with a control that changes what the reader
    sees on the static page; explorers lie inside the content column at 1280 and 390 px;
    controls that need a kernel are disabled there."""
    lessons, _ = build_site.lesson_pages()
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        for name in lessons:
            page.goto(f"{served}/{name}.html")
            settle(page)
            page.wait_for_selector(".jupyter-widgets", timeout=20_000)
            column = page.evaluate("(() => { const r = document.querySelector('article.bd-article')"
                                   ".getBoundingClientRect(); return [r.left, r.right]; })()")
            outside = page.evaluate(
                "([l, r]) => [...document.querySelectorAll('.cell_output > .jupyter-widgets, "
                ".cell_output .course-frames, .cell_output .course-explorer')]"
                ".map(e => e.getBoundingClientRect()).filter(b => b.left < l - 2 || b.right > r + 2)"
                ".length", column)
            assert outside == 0, f"{name} at {width} px: an explorer leaves the content column"
            enabled_needing_kernel = page.locator(".course-needs-kernel :is(input, select, "
                                                  "button, [role=slider]):not([disabled])")
            for index in range(enabled_needing_kernel.count()):
                element = enabled_needing_kernel.nth(index)
                assert (element.get_attribute("aria-disabled") == "true"
                        or element.evaluate("e => !!e.closest('[disabled], .mod-disabled')")), (
                    f"{name}: a control that needs a kernel is enabled on the static page")
            if width == 1280:
                assert_a_control_changes_the_picture(page, name)
                shot(page, f"{Path(name).stem}_explorer.png")
            else:
                shot(page, f"{Path(name).stem}_390.png")
        context.close()
        assert not errors, errors[:5]


def assert_a_control_changes_the_picture(page: Page, name: str) -> None:
    """Move the first frame-linked slider from the keyboard; the frames shown must change."""
    stacks = page.locator(".course-frames")
    assert stacks.count() >= 1, f"{name}: no explorer with frames that work without a kernel"

    def shown() -> str:
        return "".join(stacks.nth(i).inner_html() for i in range(stacks.count()))

    handle = page.locator(".course-frames-slider [role=slider]").first
    before = shown()
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    after = shown()
    if after == before:  # at the right end already: go left
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(200)
        after = shown()
    assert after != before, f"{name}: moving the slider did not change the picture"
