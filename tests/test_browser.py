"""JupyterLab in a real browser: the course as a learner meets it.

A JupyterLab server starts on a free loopback port with a random token, isolated from the
user's Jupyter settings (temporary config, data, runtime, settings and workspace folders),
with ``COURSE_FAST=1`` for its kernels. Headless Chromium, driven by Playwright's Python
package, then

- opens lessons 00, 05 and 08 in turn, clears the saved outputs, runs all cells from the
  Run menu, then steps each explorer slider listed in ``EXPLORER_LESSONS`` once with the
  keyboard (focus the handle, ArrowRight) and checks that a picture the explorer shows and
  the numbers it shows (MSE, output size, PSNR) change: for the slider the course site
  keeps alive (frames switched in the browser) and for a slider the kernel answers;
- opens lesson 00 and runs its environment-check cell;
- starts the README's ``make lab`` and reaches that server too, as root and as an
  ordinary user.

Screenshots go to ``test-artifacts/browser/``. The browser is the system's Chromium
(Debian's ``chromium`` package; ``.ci/run`` installs it); Playwright's own browser
downloads are never used. The servers are shut down whatever happens, and the test fails
if it wrote to the notebooks it opened.

The explorers' contract with the tests: every explorer is one output; its sliders have
visible labels (the names in ``EXPLORER_LESSONS``); a slider whose frames work on the
site has class ``course-frames-slider``. Lesson 05 keeps its promise exactly: an
``IntSlider`` labelled "input size" at 14 moves to 15 on ArrowRight, and the text
``output size: 28`` becomes ``output size: 30`` (``ConvTranspose2d(k=3, s=2, p=1,
output_padding=1)``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # Playwright is imported where used, so that the tests skip without it
    from playwright.sync_api import Browser, Locator, Page

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "browser"
START_NOTEBOOK = "notebooks/00_start_here.ipynb"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",  # Docker's /dev/shm is 64 MB: Chromium crashes in CI without it
]
VIEWPORT = {"width": 1400, "height": 1000}
SERVER_START_S = 120
NOTEBOOK_RUN_S = 240

# JupyterLab settings for the test: never autosave (the notebooks stay as committed), keep
# every cell in the page (no virtual scrolling), no news or update checks.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(
        "no system Chromium on PATH (Debian: apt-get install chromium); .ci/run installs it"
    )


# --------------------------------------------------------------------------- the server


@dataclass
class LabServer:
    """A running JupyterLab: where it is, its token, and its log file."""

    url: str
    token: str
    log: Path

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)

    def request(self, method: str, path: str) -> tuple[int, str]:
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, ""

    def open_url(self, path: str) -> str:
        """The URL that opens ``path`` in the browser and logs in with the token."""
        return f"{self.url}{path}?token={self.token}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lab_environment(home: Path) -> dict[str, str]:
    """Environment for a test server: Jupyter's folders under ``home``, FAST mode.

    The server's own settings for the test go in a config file there: JupyterLab's
    notebook checkpoints under ``home`` (never in the repository), no update checks, and no
    Jupytext (the test tools' package, not the learner's).
    """
    env = dict(os.environ)
    env.update(
        COURSE_FAST="1",
        PYTHONUNBUFFERED="1",
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
    )
    env.pop("JUPYTER_PATH", None)
    for plugin, settings in LAB_SETTINGS.items():
        path = home / "lab-settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    config = home / "config" / "jupyter_server_config.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps({
        "FileCheckpoints": {"checkpoint_dir": str(home / "checkpoints")},
        "LabApp": {"check_for_updates_class": "jupyterlab.NeverCheckForUpdate"},
        # The learner's install has no Jupytext (the test tools bring it): serve the lessons
        # as the learner's JupyterLab does. With it, a notebook built after its script (every
        # build) opens only if Jupytext would write the script byte for byte as it is.
        "ServerApp": {"jpserver_extensions": {"jupyterlab_jupytext": False}},
    }))
    return env


def lab_options(port: int, token: str) -> list[str]:
    """What a test adds to a server's command line: no browser, loopback, a port, a token."""
    return [
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
    ]


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _stat(pid: int | str) -> tuple[int, int] | None:
    """(parent pid, start time) of a process from /proc, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[1]), int(fields[19])
    except (OSError, ValueError, IndexError):
        return None


def _descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid`` (kernels run in sessions of their own) with its start
    time, so that a recycled process id is never mistaken for one of ours. Linux only."""
    children: dict[int, list[tuple[int, int]]] = {}
    for folder in Path("/proc").glob("[0-9]*"):
        stat = _stat(folder.name)
        if stat:
            children.setdefault(stat[0], []).append((int(folder.name), stat[1]))
    found: dict[int, int] = {}
    todo = [pid]
    while todo:
        for child, started in children.get(todo.pop(), []):
            found[child] = started
            todo.append(child)
    return found


def _still_ours(processes: dict[int, int]) -> dict[int, int]:
    return {pid: started for pid, started in processes.items()
            if (_stat(pid) or (0, -1))[1] == started}  # fmt: skip


def _signal(processes: dict[int, int], sig: signal.Signals) -> None:
    for pid in _still_ours(processes):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


@contextlib.contextmanager
def running_lab(command: list[str], env: dict[str, str], url: str, token: str, log: Path
                ) -> Iterator[LabServer]:  # fmt: skip
    """Start ``command`` (a JupyterLab), wait until it answers, yield it, always stop it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log_file,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = LabServer(url, token, log)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited ({process.returncode}):\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if server.get("/api/status")[0] == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer in {SERVER_START_S} s:\n"
                            f"{log.read_text()[-3000:]}")  # fmt: skip
            time.sleep(0.25)
        yield server
    finally:
        _stop(process, server)


def _stop(process: subprocess.Popen[bytes], server: LabServer) -> None:
    """Ask the server to shut down (it stops its kernels), then make sure of it."""
    below = _descendants(process.pid)
    with contextlib.suppress(OSError):
        request = urllib.request.Request(
            server.url + "/api/shutdown", method="POST",
            headers={"Authorization": f"token {server.token}"},
        )  # fmt: skip
        urllib.request.urlopen(request, timeout=10).close()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    # Kernels live in their own process groups: stop any the server left behind.
    left = _still_ours(below)
    _signal(left, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = _still_ours(left)
    _signal(left, signal.SIGKILL)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab from this Python, serving the repository, FAST mode for its kernels."""
    port, token = free_port(), secrets.token_hex(16)
    home = tmp_path_factory.mktemp("jupyter-home")
    env = lab_environment(home)
    allow_root = ["--allow-root"] if is_root() else []  # containers run as root
    command = [sys.executable, "-m", "jupyter", "lab", *allow_root, *lab_options(port, token)]
    with running_lab(command, env, f"http://127.0.0.1:{port}", token,
                     ARTIFACTS / "jupyter-lab.log") as server:  # fmt: skip
        yield server


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module", autouse=True)
def chromium() -> str:
    """The system Chromium, and Playwright to drive it (checked before any server starts)."""
    executable = _chromium()
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    return executable


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    """Headless system Chromium under Playwright."""
    from playwright import sync_api

    sync_api.expect.set_options(timeout=30_000)  # a loaded CI machine is slow
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser page; a screenshot of it is kept when the test fails."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    page = context.new_page()
    failed_before = request.session.testsfailed
    try:
        yield page
    finally:
        if request.session.testsfailed > failed_before:
            with contextlib.suppress(Exception):
                screenshot(page, f"{request.node.name}-failed.png")
        context.close()


def _snapshot(folder: Path) -> dict[str, int]:
    files = (path for path in folder.rglob("*") if path.is_file())
    return {str(path.relative_to(folder)): path.stat().st_mtime_ns for path in files}


@contextlib.contextmanager
def notebooks_unchanged(*opened: str) -> Iterator[None]:
    """Fail if the notebooks the test opens are written, or anything new appears under
    notebooks/ (the browser test must not save). Other lessons' notebooks may be rebuilt
    meanwhile (a maintainer building lessons while the tests run)."""
    before = _snapshot(REPO / "notebooks")
    yield
    after = _snapshot(REPO / "notebooks")
    watched = {str(Path(path).relative_to("notebooks")) for path in opened}
    changed = sorted(name for name in after
                     if name not in before or (name in watched and after[name] != before[name]))
    assert not changed, f"the browser test wrote to notebooks/: {changed}"


def open_notebook(page: Page, lab: LabServer, path: str) -> Locator:
    """Open ``path`` in JupyterLab and wait until its kernel is idle; return the panel."""
    # A workspace of its own, so that tabs opened by other tests are not restored here.
    workspace = re.sub(r"\W", "-", Path(path).stem)
    page.goto(lab.open_url(f"/lab/workspaces/{workspace}/tree/{path}"))
    return wait_for_notebook(page)


def wait_for_notebook(page: Page, kernel: bool = True) -> Locator:
    """Wait until the open notebook is drawn (and its kernel idle); return its panel."""
    from playwright.sync_api import expect

    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(panel.locator(".jp-Cell").nth(1)).to_be_visible(timeout=90_000)  # not a placeholder
    if kernel:
        # The status bar goes "Initializing", "Connecting", then "Idle" once the kernel is ready.
        expect(page.locator("#jp-main-statusbar")).to_contain_text(
            re.compile(r"ipykernel\)[\s|]*Idle"), timeout=90_000
        )
    return panel


def menu(page: Page, top: str, item: str) -> None:
    """Click ``top`` in JupyterLab's menu bar, then ``item`` in that menu."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


_PROMPTS_JS = """panel => [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
    .map(prompt => prompt.textContent.trim())"""


def wait_until_all_cells_ran(panel: Locator, timeout_s: float) -> None:
    """Wait until every code cell has an execution count; fail early when a cell errors."""
    deadline = time.monotonic() + timeout_s
    stalled = 0
    while True:
        prompts = panel.evaluate(_PROMPTS_JS)
        if prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
            return
        running = any(p == "[*]:" for p in prompts)
        stalled = 0 if running else stalled + 1
        if stalled >= 10 or time.monotonic() > deadline:  # nothing queued, yet not all ran
            stderr = panel.locator(".jp-OutputArea-output[data-mime-type*='stderr']")
            errors = stderr.all_inner_texts()
            pytest.fail(
                f"not every cell ran ({'stopped' if stalled >= 10 else 'timed out'}); "
                f"prompts: {prompts}\nerror output:\n" + "\n".join(errors)[-3000:]
            )
        time.sleep(0.5)


class Steps:
    """Prints how long each step took (shown with the test's output, e.g. when it fails)."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self, step: str) -> None:
        print(f"[{time.monotonic() - self.start:6.1f} s] {step}", flush=True)


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


def screenshot(page: Page, name: str) -> Path:
    path = artifact(name)
    page.screenshot(path=str(path))
    return path


# --------------------------------------------------------------------------- the tests


@dataclass(frozen=True)
class SliderMove:
    """One keyboard step of one slider of a lesson's explorer, and what it must change.

    ``label`` is the slider's visible label. A ``frames`` slider is the one the course
    site keeps alive (class ``course-frames-slider``): its step switches precomputed
    frames in the browser; any other slider asks the kernel to recompute. ``numbers`` is a
    pattern for the explorer's text holding the measurements (an MSE, a PSNR, an output
    size): the numbers in what it matches must change with the step, and so must an image
    the explorer shows (an ``<img>``'s data URI or an ``<svg>`` diagram). ``readout`` and
    ``shows`` pin exact values before and after the step where the lesson promises them.
    """

    label: str
    numbers: str
    frames: bool = False
    readout: tuple[str, str] | None = None
    shows: tuple[str, str] | None = None

    @property
    def slug(self) -> str:
        return re.sub(r"\W+", "-", self.label).strip("-")


#: Three lessons with explorers, each run from the Run menu, then one step of each slider.
EXPLORER_LESSONS = {
    "00_start_here": [  # the digit picker (course_utils/widgets/digits.py)
        SliderMove("example", r"MSE on this digit[^\n]*", frames=True),
        SliderMove("test image", r"MSE on this digit[^\n]*"),
    ],
    "05_transposed_convolution": [  # output size (arithmetic.py) and checkerboard explorers
        # ConvTranspose2d(k=3, s=2, p=1, output_padding=1) takes 14 to 28, and 15 to 30
        SliderMove("input size", r"output size: \d+", readout=("14", "15"),
                   shows=("output size: 28", "output size: 30")),
        SliderMove("kernel", r"k=\d+, s=\d+: [^\n]*", frames=True, readout=("3", "4")),
    ],
    "08_denoising_and_inpainting": [  # the noise explorer (denoise.py)
        SliderMove("noise (site)", r"-?\d+\.\d+ dB", frames=True),
        SliderMove("noise level", r"-?\d+\.\d+ dB", readout=("σ = 0.1", "σ = 0.2")),
    ],
}

# What an explorer shows: its visible pictures (an <img>'s source, an <svg>'s markup), its
# visible text, and how many visible <img> lack alt text. Frames a Stack hides do not count.
_SHOWN_JS = """output => {
    const visible = el => el.getClientRects().length > 0
        && getComputedStyle(el).visibility !== 'hidden';
    const images = [...output.querySelectorAll('img')].filter(visible);
    const svgs = [...output.querySelectorAll('svg')].filter(visible)
        .filter(svg => !svg.parentElement.closest('svg'));
    return {
        pictures: [...images.map(img => img.src), ...svgs.map(svg => svg.outerHTML)],
        text: output.innerText,
        missingAlt: images.filter(img => !(img.alt || '').trim()).length,
    };
}"""


@dataclass(frozen=True)
class Shown:
    """What an explorer's output showed at one moment."""

    pictures: tuple[str, ...]
    text: str
    numbers: tuple[str, ...]
    missing_alt: int

    @classmethod
    def read(cls, output: Locator, pattern: str) -> Shown:
        shown = output.evaluate(_SHOWN_JS)
        found = " ".join(re.findall(pattern, shown["text"]))
        return cls(tuple(shown["pictures"]), shown["text"],
                   tuple(re.findall(r"\d+(?:\.\d+)?", found)), int(shown["missingAlt"]))


def slider_labelled(scope: Page | Locator, move: SliderMove) -> Locator:
    """The ipywidgets sliders in ``scope`` with the visible label ``move.label`` (frames
    sliders or the others); with the page as ``scope``, a locator for ``has=``."""
    page = scope if not hasattr(scope, "page") else scope.page
    kind = ".course-frames-slider" if move.frames else ":not(.course-frames-slider)"
    label = page.locator("label.widget-label", has_text=re.compile(f"^{re.escape(move.label)}$"))
    return scope.locator(f".widget-slider{kind}").filter(has=label)


def wait_for_change(output: Locator, before: Shown, pattern: str, timeout_s: float = 30
                    ) -> Shown:  # fmt: skip
    """Wait until the explorer shows other pictures and other numbers than ``before``."""
    deadline = time.monotonic() + timeout_s
    while True:
        now = Shown.read(output, pattern)
        if now.pictures != before.pictures and now.numbers and now.numbers != before.numbers:
            return now
        if time.monotonic() > deadline:
            pytest.fail(
                f"after the step, in {timeout_s:.0f} s: pictures "
                f"{'changed' if now.pictures != before.pictures else 'did not change'}; numbers "
                f"{before.numbers} -> {now.numbers} (pattern {pattern!r})\n{now.text[-2000:]}")
        time.sleep(0.1)


def shut_down_kernels(lab: LabServer) -> None:
    """Stop the server's kernels (each lesson's kernel holds its models in memory)."""
    for kernel in json.loads(lab.request("GET", "/api/kernels")[1] or "[]"):
        lab.request("DELETE", f"/api/kernels/{kernel['id']}")


@pytest.mark.parametrize("lesson", list(EXPLORER_LESSONS))
def test_explorer_sliders_move_from_the_keyboard(lab: LabServer, page: Page, lesson: str
                                                 ) -> None:  # fmt: skip
    """A learner runs the lesson, steps each explorer slider with ArrowRight, and sees a
    picture and the numbers change: for the site's frames slider (its frames switched by a
    link in the browser) and for a slider the kernel answers. Every image keeps its alt
    text. The kernel is shut down afterwards, so lessons' models never pile up in memory."""
    from playwright.sync_api import expect

    notebook = f"notebooks/{lesson}.ipynb"
    assert (REPO / notebook).is_file(), f"{notebook} is missing"
    step = Steps()
    try:
        with notebooks_unchanged(notebook):
            panel = open_notebook(page, lab, notebook)
            step("notebook open, kernel idle")
            menu(page, "Edit", "Clear Outputs of All Cells")
            expect(panel.locator(".jp-OutputArea-output")).to_have_count(0)
            menu(page, "Run", "Run All Cells")
            wait_until_all_cells_ran(panel, NOTEBOOK_RUN_S)
            step("all cells ran")
            not_rendered = panel.get_by_text(re.compile("Loading widget|Error displaying widget"))
            expect(not_rendered).to_have_count(0)

            for move in EXPLORER_LESSONS[lesson]:
                output = panel.locator(".jp-OutputArea-output").filter(
                    has=slider_labelled(page, move))
                expect(output, f"one output with a slider {move.label!r}").to_have_count(1)
                slider = slider_labelled(output, move)
                expect(slider, f"one slider labelled {move.label!r}").to_have_count(1)
                handle = slider.locator(".noUi-handle[role=slider]")
                readout = slider.locator(".widget-readout")
                handle.scroll_into_view_if_needed()
                if move.readout:
                    expect(readout).to_have_text(move.readout[0])
                if move.shows:
                    expect(output).to_contain_text(move.shows[0])
                before = Shown.read(output, move.numbers)
                assert before.pictures, f"the {move.label!r} explorer shows no picture"
                assert before.numbers, f"no numbers matching {move.numbers!r}:\n{before.text}"
                shown_value = readout.inner_text()
                name = f"{lesson}-{move.slug}"
                slider.evaluate("el => el.scrollIntoView({block: 'start'})")  # what it changes
                panel.screenshot(path=str(artifact(f"{name}-before.png")))  # is below it

                handle.focus()
                handle.press("ArrowRight")
                expect(readout).not_to_have_text(shown_value)
                if move.readout:
                    expect(readout).to_have_text(move.readout[1])
                after = wait_for_change(output, before, move.numbers)
                if move.shows:
                    expect(output).to_contain_text(move.shows[1])
                assert after.missing_alt == 0, f"{after.missing_alt} images without alt text"
                changed = [(a, b) for a, b in zip(before.numbers, after.numbers) if a != b]
                step(f"{move.label!r} {shown_value} -> {readout.inner_text()}: "
                     + ", ".join(f"{a} -> {b}" for a, b in changed[:3]))
                slider.evaluate("el => el.scrollIntoView({block: 'start'})")
                panel.screenshot(path=str(artifact(f"{name}-after.png")))
    finally:
        shut_down_kernels(lab)


def test_start_here_environment_check_runs(lab: LabServer, page: Page) -> None:
    from playwright.sync_api import expect

    step = Steps()
    with notebooks_unchanged(START_NOTEBOOK):
        panel = open_notebook(page, lab, START_NOTEBOOK)
        step("notebook open, kernel idle")
        menu(page, "Edit", "Clear Outputs of All Cells")
        cell = panel.locator(".jp-CodeCell", has_text="PyTorch").first
        expect(cell.locator(".jp-OutputArea-output")).to_have_count(0)
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        output = cell.locator(".jp-OutputArea-output")
        expect(output).to_contain_text(re.compile(r"PyTorch\s+\d+\.\d+"), timeout=90_000)
        expect(output).to_contain_text("FAST (COURSE_FAST=1)")
        expect(cell.locator(".jp-InputArea-prompt")).to_have_text("[1]:")
        step("environment check printed")
        cell.scroll_into_view_if_needed()
        screenshot(page, "00_start_here.png")


ORDINARY_USER = "nobody"  # exists on every Debian-like system; owns nothing


def _as_user(user: str | None, command: list[str]) -> list[str]:
    """``command`` run as ``user`` (None: as this process's user). Needs root for another user."""
    if user is None:
        return command
    import pwd

    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is not installed"
    group = pwd.getpwnam(user).pw_gid  # e.g. nobody's group is nogroup
    return [setpriv, f"--reuid={user}", f"--regid={group}", "--init-groups", *command]


def _home_for(user: str | None, tmp_path: Path) -> Path:
    """A Jupyter home the server's user can write to."""
    if user is None:
        return tmp_path / "jupyter-home"
    import pwd
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="course-lab-"))
    record = pwd.getpwnam(user)
    os.chown(home, record.pw_uid, record.pw_gid)
    return home


def _checkout_for(user: str) -> Path:
    """A copy of this checkout that ``user`` owns, as their own clone would be.

    The copy holds what a commit of the working tree would (tracked files, and untracked
    ones git does not ignore), so the lessons open as the learner's own files: writable.
    """
    import pwd
    import tempfile

    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=REPO, capture_output=True, check=True)
    checkout = Path(tempfile.mkdtemp(prefix="course-checkout-"))
    for name in filter(None, listed.stdout.decode().split("\0")):
        if (REPO / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, checkout / name)
    record = pwd.getpwnam(user)
    for path in [checkout, *checkout.rglob("*")]:
        os.chown(path, record.pw_uid, record.pw_gid)
    return checkout


def _readable_by(user: str, *paths: Path) -> str | None:
    """None when ``user`` can read every path, else the first one it cannot."""
    for path in paths:
        check = subprocess.run(_as_user(user, ["test", "-r", str(path)]), capture_output=True)
        if check.returncode != 0:
            return str(path)
    return None


USERS = {"as this user": None, "as an ordinary user": ORDINARY_USER}


@pytest.mark.parametrize("user", list(USERS.values()), ids=list(USERS))
def test_make_lab_serves_the_first_lesson(browser: Browser, tmp_path: Path,
                                          user: str | None) -> None:
    """The README's ``make lab`` starts a JupyterLab that a browser reaches, on lesson 00,
    for root and for an ordinary user alike.

    The command is the README's, with only the options a test needs added (no browser, a
    port, a token). The browser opens the page JupyterLab writes for the learner's browser
    (with the token and the notebook to open), as ``make lab`` without ``--no-browser``
    would. The setup step is skipped (``-o``): the environment running the tests is already
    set up, and ``VENV`` points make at it (``.venv`` under ``make test``). As root, the
    Makefile must add ``--allow-root``; as anyone else, it must not. The ordinary user
    serves a copy of the checkout they own, as their own clone would be, and the lesson
    must open writable, not read-only.
    """
    from playwright.sync_api import expect

    if user is not None and not is_root():
        user = None  # this process already runs as an ordinary user: that is the case
    if user is not None:
        blocked = _readable_by(user, Path(sys.executable).resolve())
        if blocked:
            pytest.skip(f"the user {user!r} cannot read {blocked} on this machine, so the "
                        f"course's Python cannot serve a lab as an ordinary user here")
    make = shutil.which("make")
    assert make, "make is not installed"
    venv = Path(sys.executable).parent.parent
    port, token = free_port(), secrets.token_hex(16)
    home = _home_for(user, tmp_path)
    env = lab_environment(home)
    if user is not None:
        import pwd

        record = pwd.getpwnam(user)
        for path in home.rglob("*"):
            os.chown(path, record.pw_uid, record.pw_gid)
    checkout = REPO if user is None else _checkout_for(user)
    command = _as_user(user, [
        make, "--no-print-directory", "-C", str(checkout), "-o", f"{venv}/.installed-lab", "lab",
        f"VENV={venv}", "LAB_ARGS=" + " ".join(lab_options(port, token)),
    ])  # fmt: skip
    log_name = "make-lab.log" if user is None else "make-lab-ordinary-user.log"
    step = Steps()
    url, log = f"http://127.0.0.1:{port}", ARTIFACTS / log_name
    with notebooks_unchanged(START_NOTEBOOK), running_lab(command, env, url, token, log) as server:
        step("make lab answers over HTTP")
        status, body = server.get("/lab")
        assert status == 200 and "jupyter-config-data" in body
        root_user = user is None and is_root()
        started = (ARTIFACTS / log_name).read_text().splitlines()[0]
        assert ("--allow-root" in started) == root_user, started
        runtime = Path(env["JUPYTER_RUNTIME_DIR"])
        open_pages = list(runtime.glob("jpserver-file-to-run-*-open.html"))
        assert len(open_pages) == 1, "make lab did not ask JupyterLab to open a notebook"
        target = re.search(r'href="([^"]+)"', open_pages[0].read_text())
        assert target and target.group(1).startswith(f"{server.url}/lab/tree/")
        assert target.group(1).split("?")[0].endswith("00_start_here.ipynb")
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.goto(open_pages[0].as_uri())  # redirects to JupyterLab after 1 s
            tab = page.locator(".lm-TabBar-tab.jp-mod-current", has_text="00_start_here.ipynb")
            expect(tab).to_be_visible(timeout=60_000)
            wait_for_notebook(page, kernel=False)
            step("the browser shows lesson 00")
            # the learner's own lesson: JupyterLab marks files it cannot save as read-only
            expect(page.get_by_text("notebook is read-only")).to_have_count(0)
            screenshot(page, "make_lab.png" if user is None else "make_lab_ordinary_user.png")
        finally:
            context.close()
    if user is not None:
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(checkout, ignore_errors=True)
