"""JupyterHub for a class on one server (``make hub``; see classroom/README.md).

Every setting a teacher may change comes from the environment that ``make hub`` sets:

- ``HUB_DIR``: the hub's own folder (its Python environment, the proxy, its database);
  somewhere every student may read and run, never under /root;
- ``HUB_PORT`` (8000) and ``HUB_IP`` (127.0.0.1): where the hub listens (it also uses the
  next two ports on 127.0.0.1, for its own API and the proxy's);
- ``HUB_TEACHER``: the teacher's account, an admin of the hub;
- ``HUB_PREPARED``: the folder ``make prepare`` filled (MNIST and the trained models),
  owned by the teacher, readable and not writable by students;
- ``HUB_IDLE_TIMEOUT``: seconds after which an idle student's server is stopped.

Students log in with their own system account (PAM, as on any Linux server) and their server
runs as that user, in their own home (mode 0700: no one else can read it). Only members of
the ``course-students`` and ``course-teachers`` groups may log in (``classroom/add-student``).
"""

from __future__ import annotations

import os
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub's configuration object)

HUB_DIR = Path(os.environ.get("HUB_DIR", "/opt/conv-autoencoders-hub"))
PYTHON_BIN = HUB_DIR / "venv" / "bin"
STATE = HUB_DIR / "state"
STATE.mkdir(parents=True, exist_ok=True)
PREPARED = os.environ.get("HUB_PREPARED", "/srv/conv-autoencoders")
TEACHER = os.environ.get("HUB_TEACHER", "teacher")

# --------------------------------------------------------------------------- the hub

PORT = int(os.environ.get("HUB_PORT", "8000"))
c.JupyterHub.bind_url = f"http://{os.environ.get('HUB_IP', '127.0.0.1')}:{PORT}"
# The hub's API and the proxy's API: on the loopback, the two ports after the public one.
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{PORT + 1}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 2}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.command = [str(HUB_DIR / "proxy" / "node_modules" / ".bin" /
                                       "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

# --------------------------------------------------------------------------- who may log in

c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {"course-students", "course-teachers"}
c.Authenticator.admin_users = {TEACHER}
c.PAMAuthenticator.open_sessions = False  # no login session bookkeeping in containers

# --------------------------------------------------------------------------- each student's server

c.Spawner.cmd = [str(PYTHON_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120


def _own(folder: str):
    """A per-student folder in their home, for Spawner.environment."""
    return lambda spawner: str(Path(f"~{spawner.user.name}").expanduser() / ".course" / folder)


c.Spawner.environment = {
    # Read first, never written: the teacher's prepared data and models.
    "COURSE_SHARED_DIR": PREPARED,
    # The student's own, writable: whatever the shared folder lacks is trained into these.
    "COURSE_CHECKPOINT_DIR": _own("checkpoints"),
    "COURSE_DATA_DIR": _own("data"),
    "OMP_NUM_THREADS": "1",  # one core per student's lesson (see the sizing table)
    "PATH": f"{PYTHON_BIN}:/usr/local/bin:/usr/bin:/bin",
}

# A hub started with the course's own switches passes them on: FAST mode and the offline
# data in tests, a forced precision. (A class normally sets none of them.)
for switch in ("COURSE_FAST", "COURSE_OFFLINE", "COURSE_PRECISION"):
    if os.environ.get(switch):
        c.Spawner.environment[switch] = os.environ[switch]

# --------------------------------------------------------------------------- idle servers

c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [str(PYTHON_BIN / "python"), "-m", "jupyterhub_idle_culler",
                f"--timeout={os.environ.get('HUB_IDLE_TIMEOUT', '3600')}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
