"""JupyterLab in a real browser: the course as a learner meets it.

A JupyterLab server starts on a free loopback port with a random token, isolated from the
user's Jupyter settings (temporary config, data, runtime, settings and workspace folders),
with ``COURSE_FAST=1`` for its kernels. Headless Chromium, driven by Playwright's Python
package, then

- opens lesson 05, clears the saved outputs, runs all cells from the Run menu, waits for
  the output-size explorer to render, moves its "input size" slider one step with the
  keyboard and checks that the displayed output size follows (14 → 15 gives 28 → 30 for
  ``ConvTranspose2d(k=3, s=2, p=1, output_padding=1)``);
- opens lesson 00 and runs its environment-check cell;
- starts the README's ``make lab`` and reaches that server too, as root and as an
  ordinary user.

Screenshots go to ``test-artifacts/browser/``. The browser is the system's Chromium
(Debian's ``chromium`` package; ``.ci/run`` installs it); Playwright's own browser
downloads are never used. The servers are shut down whatever happens, and the test fails
if it wrote to the notebooks it opened.

The explorer's contract with lesson 05: an element with CSS class
``course-explorer-result`` whose text contains ``output size: 28`` by default, and an
ipywidgets ``IntSlider`` with class ``course-explorer-input-size`` (input size 14) whose
handle, focused, moves to 15 on ArrowRight.
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
EXPLORER_NOTEBOOK = "notebooks/05_transposed_convolution.ipynb"
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
        request = urllib.request.Request(
            self.url + path, headers={"Authorization": f"token {self.token}"}
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
    notebook checkpoints under ``home`` (never in the repository), no update checks.
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
def notebooks_unchanged() -> Iterator[None]:
    """Fail if anything under notebooks/ is written (the browser test must not save)."""
    before = _snapshot(REPO / "notebooks")
    yield
    after = _snapshot(REPO / "notebooks")
    changed = sorted(set(before.items()) ^ set(after.items()))
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


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


# --------------------------------------------------------------------------- the tests


def test_explorer_slider_updates_output_size(lab: LabServer, page: Page) -> None:
    from playwright.sync_api import expect

    assert (REPO / EXPLORER_NOTEBOOK).is_file(), f"{EXPLORER_NOTEBOOK} is missing (lesson 05)"
    step = Steps()
    with notebooks_unchanged():
        panel = open_notebook(page, lab, EXPLORER_NOTEBOOK)
        step("notebook open, kernel idle")
        menu(page, "Edit", "Clear Outputs of All Cells")
        expect(panel.locator(".course-explorer-result")).to_have_count(0)
        menu(page, "Run", "Run All Cells")
        wait_until_all_cells_ran(panel, NOTEBOOK_RUN_S)
        step("all cells ran")

        result = panel.locator(".course-explorer-result")
        expect(result, "one explorer result (class course-explorer-result)").to_have_count(1)
        expect(result).to_contain_text("output size: 28")
        not_rendered = panel.get_by_text(re.compile("Loading widget|Error displaying widget"))
        expect(not_rendered).to_have_count(0)

        slider = panel.locator(".course-explorer-input-size")
        expect(slider, "one IntSlider of class course-explorer-input-size").to_have_count(1)
        handle, readout = slider.locator(".noUi-handle"), slider.locator(".widget-readout")
        handle.scroll_into_view_if_needed()
        expect(readout).to_have_text("14")
        handle.focus()
        handle.press("ArrowRight")
        expect(readout).to_have_text("15")
        expect(result).to_contain_text("output size: 30")
        step("slider moved, output size followed")
        result.scroll_into_view_if_needed()
        screenshot(page, "05_explorer.png")


def test_start_here_environment_check_runs(lab: LabServer, page: Page) -> None:
    from playwright.sync_api import expect

    step = Steps()
    with notebooks_unchanged():
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
    with notebooks_unchanged(), running_lab(command, env, f"http://127.0.0.1:{port}", token,
                                            ARTIFACTS / log_name) as server:  # fmt: skip
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
