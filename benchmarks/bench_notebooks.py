"""Wall time and peak memory of every notebook, in learner mode (one thread) and FAST mode.

    python benchmarks/bench_notebooks.py [notebooks/05_*.ipynb ...] [--modes learner fast]

Learner mode runs with one CPU thread (Binder's one core) on a 60,000-image training set:
real MNIST if it is in ``data/``, else the offline stand-in enlarged to 60,000 jittered
images (``COURSE_STAND_IN_TRAIN_IMAGES``). Notebooks run in order with a fresh checkpoint
folder per mode, as a learner working through the course would (lesson 07 reuses the
models of lessons 01–04). Each notebook runs in its own process, whose kernel's peak
resident memory is read from the operating system when it exits.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"learner": (180, 1536), "fast": (60, 1536)}  # seconds, MiB

RUNNER = r"""
import json, resource, sys, time
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
start = time.perf_counter()
error = ""
try:
    NotebookClient(nb, timeout=1200, kernel_name="python3",
                   resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}}).execute()
except Exception as exc:
    error = f"{type(exc).__name__}: {str(exc).splitlines()[-1][:120] if str(exc) else ''}"
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the kernel's peak (Linux: KiB)
print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "error": error}))
"""


def run_one(notebook: Path, env: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-c", RUNNER, str(notebook)], env=env,
                          capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"seconds": float("nan"), "peak_mib": float("nan"),
                "error": (done.stderr.strip().splitlines() or ["no output"])[-1][:120]}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--modes", nargs="+", default=["learner", "fast"],
                        choices=["learner", "fast"])
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + \
        sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))

    sys.path.insert(0, str(ROOT))
    from course_utils.summary import Table

    rows = []
    results: dict[str, dict[str, dict]] = {}
    for mode in args.modes:
        with tempfile.TemporaryDirectory() as checkpoints:
            env = dict(os.environ, COURSE_CHECKPOINT_DIR=checkpoints, PYTHONUNBUFFERED="1")
            env.pop("COURSE_FAST", None)
            if mode == "learner":
                env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                           COURSE_STAND_IN_TRAIN_IMAGES="60000")
            else:
                env["COURSE_FAST"] = "1"
            for notebook in notebooks:
                result = run_one(notebook, env)
                results.setdefault(notebook.name, {})[mode] = result
                print(f"{mode:8s} {notebook.name}: {result['seconds']:.0f} s, "
                      f"{result['peak_mib']:.0f} MiB {result['error']}", flush=True)
    for name, by_mode in results.items():
        row = [name]
        for mode in args.modes:
            r = by_mode[mode]
            limit_s, limit_mib = TARGETS[mode]
            ok = r["seconds"] <= limit_s and r["peak_mib"] <= limit_mib and not r["error"]
            row += [f"{r['seconds']:.0f}", f"{r['peak_mib']:.0f}", "yes" if ok else
                    ("ERROR" if r["error"] else "no")]
        rows.append(row)
    columns = ["notebook"]
    for mode in args.modes:
        limit_s, limit_mib = TARGETS[mode]
        columns += [f"{mode} s", f"{mode} peak MiB",
                    f"within {limit_s} s & {limit_mib} MiB"]
    print()
    print(Table(columns, rows, title="Notebook timings (learner: 1 thread, 60,000 training "
                                     "images; FAST: COURSE_FAST=1, default threads)"))


if __name__ == "__main__":
    main()
