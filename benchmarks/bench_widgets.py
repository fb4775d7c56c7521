"""How fast every explorer answers: build time, and median and 95th-percentile update time.

    python benchmarks/bench_widgets.py            (learner mode, one thread)

Each module of ``course_utils/widgets/`` that has a ``bench()`` builds its explorer the way
its lesson does (the lesson's data, models from the checkpoint cache; a cold cache trains
them first, which is reported apart from the build). The benchmark then drives every control
through its range (each option of a menu or selection slider, about 15 values of a numeric
slider, both states of a checkbox) and times each update: the control's value is set, the
explorer's observers run, and the displays are updated, as in a kernel. Last line:
``slowest median update: N ms (explorer)``; the course aims for 100 ms at most.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("COURSE_PROGRESS", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))

import course_utils.widgets as widgets_package  # noqa: E402


def control_values(control: Any) -> list[Any]:
    """The values to drive ``control`` through: every option, or ~15 points of its range."""
    options = getattr(control, "options", None)
    if options:
        return [value for _, value in options] if isinstance(options[0], tuple) else list(options)
    if hasattr(control, "min") and hasattr(control, "max"):
        low, high = control.min, control.max
        if isinstance(control.value, int):
            step = max(1, (high - low) // 14)
            return list(range(low, high + 1, step)) + [high]
        return [low + (high - low) * i / 14 for i in range(15)]
    if isinstance(getattr(control, "value", None), bool):
        return [not control.value, control.value]
    return []


def drive(explorer: Any) -> list[float]:
    """Set every control to each of its values; the seconds each update took."""
    times = []
    for control in explorer.controls.values():
        start_value = control.value
        for value in control_values(control):
            if value == control.value:
                continue
            start = time.perf_counter()
            control.value = value
            times.append(time.perf_counter() - start)
        control.value = start_value
    return times


def main() -> None:
    found = []
    for module_info in pkgutil.iter_modules(widgets_package.__path__):
        module = importlib.import_module(f"course_utils.widgets.{module_info.name}")
        if hasattr(module, "bench"):
            found.append((module_info.name, module))
    print(f"{len(found)} explorer families, {torch.get_num_threads()} thread(s), "
          f"{'FAST' if os.environ.get('COURSE_FAST') else 'learner'} mode")
    print(f"{'explorer':<22} {'build s':>8} {'updates':>8} {'median ms':>10} {'p95 ms':>8}")
    slowest = (0.0, "")
    for name, module in found:
        module.bench()  # a first build fills the cache (training when cold)
        start = time.perf_counter()
        explorers = module.bench()
        build = time.perf_counter() - start
        for index, explorer in enumerate(explorers if isinstance(explorers, list) else [explorers]):
            label = name if index == 0 else f"{name}[{index}]"
            times = drive(explorer)
            if not times:
                print(f"{label:<22} {build:8.2f} {'0':>8}")
                continue
            median = statistics.median(times) * 1000
            p95 = sorted(times)[int(0.95 * (len(times) - 1))] * 1000
            print(f"{label:<22} {build:8.2f} {len(times):8d} {median:10.1f} {p95:8.1f}")
            slowest = max(slowest, (median, label))
    print(f"slowest median update: {slowest[0]:.0f} ms ({slowest[1]})")


if __name__ == "__main__":
    main()
