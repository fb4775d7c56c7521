"""Wall time and peak memory of every notebook, in learner mode (one thread) and FAST mode.

    python benchmarks/bench_notebooks.py [notebooks/05_*.ipynb ...] [--modes learner fast]
                                         [--data full|offline]

Learner mode runs with one CPU thread (Binder's one core). With ``--data full`` (the
default) it runs as a learner online would: on a full-size MNIST (60,000 training and
10,000 test images) in a temporary data folder, read through torchvision. That is real
MNIST if ``data/MNIST`` holds it, else the offline subset's real digits repeated to full
size (for timing only: repeated, not shifted, so that the lessons' checks, such as
nearest-neighbour agreement in pixel space, see the digits as they are). ``--data offline`` times the offline subset itself.
Notebooks run in order with a fresh checkpoint folder per mode, as a learner working
through the course would (later lessons reuse the models of earlier ones). Each notebook
runs in its own process, whose kernel's peak resident memory is read from the operating
system when it exits.
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
    parser.add_argument("--data", default="full", choices=["full", "offline"])
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + \
        sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))

    sys.path.insert(0, str(ROOT))
    from course_utils.tables import table, to_text

    rows = []
    results: dict[str, dict[str, dict]] = {}
    full_data = tempfile.TemporaryDirectory()
    if args.data == "full":
        print(f"data: {write_full_size_mnist(Path(full_data.name))}", flush=True)
    for mode in args.modes:
        with tempfile.TemporaryDirectory() as checkpoints:
            env = dict(os.environ, COURSE_CHECKPOINT_DIR=checkpoints, PYTHONUNBUFFERED="1",
                       COURSE_OFFLINE="1")
            env.pop("COURSE_FAST", None)
            if args.data == "full":
                env["COURSE_DATA_DIR"] = full_data.name
            if mode == "learner":
                env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
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
    full_data.cleanup()
    columns = ["notebook"]
    for mode in args.modes:
        limit_s, limit_mib = TARGETS[mode]
        columns += [f"{mode} s", f"{mode} peak MiB",
                    f"within {limit_s} s & {limit_mib} MiB"]
    size = "60,000 training images" if args.data == "full" else "the offline subset"
    print()
    print(to_text(table(columns, rows, title=f"Notebook timings (learner: 1 thread, {size}; "
                                             f"FAST: COURSE_FAST=1, default threads)")))


def write_full_size_mnist(folder: Path) -> str:
    """A torchvision MNIST folder of full size (60,000 + 10,000) in ``folder``; its source."""
    import shutil

    from course_utils.data import load_mnist, tile_with_shifts, write_mnist_folder

    real = ROOT / "data" / "MNIST"
    if (real / "raw" / "train-images-idx3-ubyte").is_file():
        shutil.copytree(real, folder / "MNIST")
        return "full MNIST from data/MNIST"
    train, test = load_mnist("train"), load_mnist("test")
    write_mnist_folder(tile_with_shifts(train, 60_000, max_shift=0),
                       tile_with_shifts(test, 10_000, max_shift=0), folder)
    return f"{train.source}, repeated to 60,000 + 10,000 images (timing only)"


if __name__ == "__main__":
    main()
