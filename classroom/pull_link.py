"""The nbgitpuller link a teacher sends: it clones the lessons into the student's home on
the first click, and on every later click merges the teacher's updates without
overwriting the student's own changes.

    python classroom/pull_link.py HUB_URL REPOSITORY [NOTEBOOK]
"""

from __future__ import annotations

import sys
from urllib.parse import urlencode

FOLDER = "conv-autoencoders"


def pull_link(hub_url: str, repository: str, notebook: str = "notebooks/00_start_here.ipynb",
              branch: str = "main") -> str:
    """``HUB_URL/hub/user-redirect/git-pull?...`` opening ``notebook`` in JupyterLab."""
    query = urlencode({"repo": repository, "branch": branch, "targetPath": FOLDER,
                       "urlpath": f"lab/tree/{FOLDER}/{notebook}"})
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    print(pull_link(*sys.argv[1:4]))
