"""How many students a server holds: K students running one lesson at once, each in a kernel.

    python benchmarks/bench_classroom.py [--lessons 00 02] [--students 1 2 4]

For each lesson and each K, K separate kernels run the lesson top to bottom at the same
time, in learner mode with one thread each, as K students would, twice: once with a
prepared folder (``COURSE_SHARED_DIR``, filled first with ``course_utils.prepare``) and
once without (each student trains into a cache of their own, as with no teacher's
preparation). Per student it records the kernel's peak memory (VmHWM), its CPU seconds and
the wall time; the table printed at the end is what classroom/README.md's sizing rests on.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNNER = """
import os, sys, time, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
client = NotebookClient(notebook, timeout=1800, kernel_name="python3",
                        resources={"metadata": {"path": os.path.dirname(path)}})
with client.setup_kernel():
    pid = client.km.provisioner.process.pid
    print(f"KERNEL {pid}", flush=True)
    for index, cell in enumerate(notebook.cells):
        client.execute_cell(cell, index)
    with open(f"/proc/{pid}/status") as status:
        peak = [l for l in status if l.startswith("VmHWM")][0].split()[1]
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    print(f"RESULT {int(peak) / 1024:.0f} {cpu:.1f}", flush=True)
"""


def run_students(notebook: Path, students: int, environment: dict[str, str],
                 homes: list[Path]) -> list[tuple[float, float, float]]:
    """Start ``students`` kernels on ``notebook`` at once; (peak MiB, CPU s, wall s) each."""
    processes = []
    for home in homes[:students]:
        env = {**os.environ, **environment, "COURSE_CHECKPOINT_DIR": str(home / "checkpoints"),
               "OMP_NUM_THREADS": "1", "COURSE_PROGRESS": "0"}
        env.pop("COURSE_FAST", None)
        processes.append((time.perf_counter(), subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(notebook)], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)))
    results = []
    for start, process in processes:
        output, _ = process.communicate()
        wall = time.perf_counter() - start
        line = [l for l in output.splitlines() if l.startswith("RESULT")]
        if process.returncode != 0 or not line:
            raise RuntimeError(f"{notebook.name} failed in a student's kernel")
        _, peak, cpu = line[0].split()
        results.append((float(peak), float(cpu), wall))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", nargs="+", default=["00", "02"])
    parser.add_argument("--students", nargs="+", type=int, default=[1, 2, 4])
    args = parser.parse_args()
    notebooks = [p for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
                 if p.name[:2] in args.lessons]
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        prepared = scratch_dir / "prepared"
        from course_utils.config import data_dir
        from course_utils.prepare import prepare

        # full MNIST as a class would have it: the copy already on disk, else a download
        raw = data_dir() / "MNIST" / "raw"
        if raw.is_dir():
            shutil.copytree(raw, prepared / "data" / "MNIST" / "raw")
        start = time.perf_counter()
        os.environ.pop("COURSE_FAST", None)
        prepare(prepared, lessons=args.lessons, progress=False)
        print(f"prepared {', '.join(args.lessons)} in {time.perf_counter() - start:.0f} s")
        for notebook in notebooks:
            for with_prepared in (True, False):
                for students in args.students:
                    homes = [scratch_dir / f"run-{notebook.stem}-{with_prepared}-{students}-{i}"
                             for i in range(students)]
                    environment = {"COURSE_DATA_DIR": str(prepared / "data")}
                    if with_prepared:
                        environment["COURSE_SHARED_DIR"] = str(prepared)
                    results = run_students(notebook, students, environment, homes)
                    peak = max(r[0] for r in results)
                    cpu = statistics.median(r[1] for r in results)
                    wall = statistics.median(r[2] for r in results)
                    rows.append((notebook.stem[:2], "yes" if with_prepared else "no", students,
                                 peak, cpu, wall))
                    print(f"lesson {rows[-1][0]}, prepared {rows[-1][1]:>3}, {students} at once: "
                          f"peak {peak:.0f} MiB, CPU {cpu:.0f} s, wall {wall:.0f} s", flush=True)
    print("\n| lesson | prepared folder | students at once | peak memory per student (MiB) "
          "| CPU s per student | wall s per student |")
    print("|---|---|---|---|---|---|")
    for lesson, prepared_text, students, peak, cpu, wall in rows:
        print(f"| {lesson} | {prepared_text} | {students} | {peak:,.0f} | {cpu:.0f} | {wall:.0f} |")


if __name__ == "__main__":
    main()
