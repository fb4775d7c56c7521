"""The teacher's kit, checked without starting anything: the Zero to JupyterHub values, the
hub's configuration, and the prepared folder's bookkeeping."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
VALUES = ROOT / "classroom" / "z2jh" / "values.yaml"


def _repository() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]


def _quantity(text: str) -> float:
    """A Kubernetes memory quantity in GiB (2G, 1.5G, 512M)."""
    number, unit = re.fullmatch(r"([\d.]+)\s*([GM])i?", str(text)).groups()
    return float(number) / (1024 if unit == "M" else 1)


def test_z2jh_values_have_what_a_class_needs() -> None:
    values = yaml.safe_load(VALUES.read_text())
    single = values["singleuser"]
    assert single["image"]["name"] and single["image"]["tag"]
    assert 0 < single["cpu"]["guarantee"] <= single["cpu"]["limit"]
    assert 0 < _quantity(single["memory"]["guarantee"]) <= _quantity(single["memory"]["limit"])
    volume = single["storage"]["extraVolumes"][0]
    mount = single["storage"]["extraVolumeMounts"][0]
    assert volume["name"] == mount["name"] and volume["persistentVolumeClaim"]["readOnly"]
    assert mount["readOnly"] is True
    env = single["extraEnv"]
    assert env["COURSE_SHARED_DIR"] == mount["mountPath"]
    assert env["COURSE_CHECKPOINT_DIR"].startswith("/home/jovyan/")
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0
    pull = " ".join(single["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "gitpuller" in pull and _repository() in pull
    config = values["hub"]["config"]
    authenticator = config["JupyterHub"]["authenticator_class"]
    assert authenticator not in ("dummy", "null"), "a school's authenticator, not a test one"
    assert config["Authenticator"]["admin_users"]
    assert VALUES.read_text().count("# CHANGE") >= 5, "the lines a school edits are marked"


def test_z2jh_memory_covers_the_measured_peak() -> None:
    """The memory guarantee is at least the peak a student's lesson was measured at."""
    values = yaml.safe_load(VALUES.read_text())
    readme = (ROOT / "classroom" / "README.md").read_text()
    peaks = [int(p.replace(",", "")) for p in re.findall(r"^\| \d\d \| [^|]+ \| \d+ \| ([\d,]+) \|",
                                                         readme, re.MULTILINE)]
    assert peaks, "classroom/README.md has the measured sizing table"
    assert _quantity(values["singleuser"]["memory"]["guarantee"]) * 1024 >= max(peaks)


def test_hub_configuration_isolates_students() -> None:
    source = (ROOT / "classroom" / "jupyterhub_config.py").read_text()
    for needed in ('authenticator_class = "pam"', "allowed_groups", "admin_users",
                   "COURSE_SHARED_DIR", "COURSE_CHECKPOINT_DIR", "jupyterhub_idle_culler",
                   "127.0.0.1"):
        assert needed in source, needed
    setup = (ROOT / "classroom" / "setup-hub").read_text()
    assert "/root" in setup and "chmod 700" in setup and "go-w" in setup


def test_the_pull_link_opens_lesson_00() -> None:
    sys.path.insert(0, str(ROOT / "classroom"))
    from pull_link import pull_link

    link = pull_link("http://127.0.0.1:8000", "file:///opt/hub/course.git")
    assert link.startswith("http://127.0.0.1:8000/hub/user-redirect/git-pull?")
    assert "repo=file%3A%2F%2F%2Fopt%2Fhub%2Fcourse.git" in link
    assert "00_start_here.ipynb" in link and "targetPath=conv-autoencoders" in link


@pytest.mark.classroom
def test_prepare_resumes_and_summarises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """make prepare on the offline subset in FAST mode: lesson 00's models land in the
    folder; a second run skips what is done; the summary counts the models."""
    from course_utils import prepare

    monkeypatch.setenv("COURSE_FAST", "1")
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    runs = prepare.prepare(tmp_path / "prepared", lessons=["00"], progress=False)
    assert [r.name for r in runs] == ["00_start_here"] and runs[0].new_checkpoints >= 1
    assert not runs[0].skipped
    again = prepare.prepare(tmp_path / "prepared", lessons=["00"], progress=False)
    assert again[0].skipped
    text = prepare.summary(tmp_path / "prepared", runs, 1.0)
    assert f"{runs[0].new_checkpoints} checkpoints" in text or "checkpoints" in text
    files = list((tmp_path / "prepared").rglob("*"))
    assert all(f.stat().st_mode & 0o004 for f in files), "readable by every student"
