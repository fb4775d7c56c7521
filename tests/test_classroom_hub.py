"""A class on one server, for real: `make prepare`, `make hub-setup`, a hub with a teacher and two
students, the lessons pulled through the nbgitpuller link, and lesson 00 run in each
student's JupyterLab in Chromium, loading its data and model from the prepared folder.

Marker ``classroom`` (``.ci/run`` runs it after the main suite). It needs root (it creates
system accounts and the hub runs each student's server as them); elsewhere it is skipped
with the reason printed.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "classroom"))
sys.path.insert(0, str(ROOT / "tests"))
from pull_link import pull_link  # noqa: E402
from test_browser import CHROMIUM_ARGS, _chromium, free_port, menu, wait_until_all_cells_ran  # noqa: E402

pytestmark = [
    pytest.mark.classroom,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root: it creates the class's accounts"),
]

HUB_DIR = Path("/opt/conv-autoencoders-hub-test")
PREPARED = Path("/srv/conv-autoencoders-test")
TEACHER, STUDENTS = "cae-teacher", ("cae-alice", "cae-bob")
PASSWORD = "course-test-password"
ARTIFACTS = ROOT / "test-artifacts" / "classroom"
LAB_SETTINGS = {  # every cell in the page, no autosave, no news: as the browser test does
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}


@dataclass
class Hub:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, check=True, text=True, capture_output=True, cwd=ROOT,
                          **kwargs)  # type: ignore[arg-type]


def _as(user: str, shell: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["su", user, "-s", "/bin/bash", "-c", shell], text=True,
                          capture_output=True)


def _home(user: str) -> Path:
    return Path(pwd.getpwnam(user).pw_dir)


def _remove_accounts() -> None:
    for user in (*STUDENTS, TEACHER):
        subprocess.run(["pkill", "-u", user], capture_output=True)
        subprocess.run(["userdel", "--remove", user], capture_output=True)


def _lab_settings(user: str) -> None:
    folder = _home(user) / ".jupyter" / "lab" / "user-settings"
    for plugin, settings in LAB_SETTINGS.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    _run(["chown", "-R", f"{user}:", str(_home(user) / ".jupyter")])


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for configurable-http-proxy")
    _remove_accounts()
    shutil.rmtree(PREPARED, ignore_errors=True)
    environment = {**os.environ, "HUB_DIR": str(HUB_DIR), "HUB_TEACHER": TEACHER,
                   "HUB_PREPARED": str(PREPARED), "COURSE_FAST": "1", "COURSE_OFFLINE": "1"}
    environment.pop("COURSE_DATA_DIR", None)
    environment.pop("COURSE_CHECKPOINT_DIR", None)
    # The teacher's two steps, as classroom/README.md gives them.
    _run(["make", "prepare", f"DIR={PREPARED}", "LESSONS=00"], env=environment)
    _run(["make", "hub-setup", f"HUB_DIR={HUB_DIR}", f"HUB_TEACHER={TEACHER}",
          f"HUB_PREPARED={PREPARED}", f"PYTHON={sys.executable}"], env=environment)
    _run(["chpasswd"], input=f"{TEACHER}:{PASSWORD}\n")
    for student in STUDENTS:
        _run(["classroom/add-student", student, PASSWORD])
        _lab_settings(student)
    port = free_port()
    log = tmp_path_factory.mktemp("hub") / "hub.log"
    environment["HUB_PORT"] = str(port)
    with log.open("wb") as output:
        process = subprocess.Popen([str(HUB_DIR / "venv" / "bin" / "jupyterhub"), "-f",
                                    "classroom/jupyterhub_config.py"], cwd=ROOT,
                                   env=environment, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/hub/login", 120)
        yield Hub(url, process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        _remove_accounts()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _log_in(browser: object, hub: Hub, user: str) -> object:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{user}/**", timeout=180_000)
    return page


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))  # type: ignore[attr-defined]


def _own_checkpoints(user: str) -> list[str]:
    folder = _home(user) / ".course" / "checkpoints"
    return sorted(p.name for p in folder.glob("*.pt")) if folder.is_dir() else []


def test_a_class_on_one_server(hub: Hub, browser: object) -> None:
    from playwright.sync_api import expect

    link = pull_link(hub.url, f"file://{HUB_DIR / 'course.git'}")
    pages = {}
    for student in STUDENTS:
        page = _log_in(browser, hub, student)
        page.goto(link)  # nbgitpuller clones the lessons, then opens lesson 00
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        expect(panel.locator(".jp-Cell").nth(1)).to_be_visible(timeout=180_000)
        expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=120_000)
        assert (_home(student) / "conv-autoencoders" / "notebooks" / "00_start_here.ipynb").is_file()
        menu(page, "Run", "Run All Cells")
        wait_until_all_cells_ran(panel, 600)
        errors = panel.locator(".jp-OutputArea-output[data-mime-type*='error']")
        assert errors.count() == 0, errors.all_inner_texts()
        _shot(page, f"{student}_lesson00.png")
        pages[student] = page
        # data and models came from the prepared folder: nothing was trained into their cache
        assert _own_checkpoints(student) == [], f"{student} trained {_own_checkpoints(student)}"

    alice, bob = STUDENTS
    # isolation: bob may not open alice's server, nor read her files
    response = pages[bob].request.get(f"{hub.url}/user/{alice}/api/contents", max_redirects=0)
    assert response.status in (302, 403, 404), response.status
    if response.status == 302:
        assert f"/user/{alice}" not in (response.headers.get("location") or "")
    assert _as(bob, f"cat {_home(alice)}/conv-autoencoders/README.md").returncode != 0
    assert oct(_home(alice).stat().st_mode & 0o777) == "0o700"
    # the shared folder is read-only for students; their own cache is theirs
    assert _as(alice, f"touch {PREPARED}/checkpoints/mine.pt").returncode != 0
    assert _as(alice, "mkdir -p ~/.course/checkpoints && touch ~/.course/checkpoints/mine.pt"
               ).returncode == 0

    # the teacher's admin page lists both students' servers
    teacher = _log_in(browser, hub, TEACHER)
    teacher.goto(f"{hub.url}/hub/admin")
    for student in STUDENTS:
        expect(teacher.locator("body")).to_contain_text(student, timeout=60_000)
    _shot(teacher, "teacher_admin.png")

    # the hub stops cleanly, and every student's server with it
    hub.process.send_signal(signal.SIGTERM)
    assert hub.process.wait(90) == 0, hub.log.read_text()[-3000:]
    time.sleep(2)
    left = subprocess.run(["pgrep", "-f", "jupyterhub-singleuser"], capture_output=True,
                          text=True).stdout.split()
    assert not left, f"servers left running: {left}"
