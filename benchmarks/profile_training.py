"""Where a training step's time goes: PyTorch's profiler on ``train()``, top operators.

    python benchmarks/profile_training.py [--model DeepConvAutoencoder] [--threads 2]
                                          [--steps 20] [--rows 15]

It trains the model with ``course_utils.training.train`` (fp32, batch 128, Adam, MSE) on
real digits for one warm-up epoch, then profiles ``--steps`` more steps and prints the
operators sorted by their own CPU time, with each one's share of the total. The models and
data are those of ``bench_training.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_training import BATCH, MODELS, benchmark_data  # noqa: E402

from course_utils.config import seed_everything  # noqa: E402
from course_utils.training import train  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="DeepConvAutoencoder", choices=list(MODELS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20, help="profiled optimizer steps")
    parser.add_argument("--rows", type=int, default=15, help="operators to list")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    images = benchmark_data().subset(args.steps * BATCH)
    seed_everything(0)
    model = MODELS[args.model]()
    settings = dict(batch_size=BATCH, lr=1e-3, progress=False, device="cpu", precision="fp32")
    train(model, images, None, epochs=1, **settings)  # warm-up: allocations, oneDNN kernels
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        train(model, images, None, epochs=1, **settings)
    averages = prof.key_averages()
    total = sum(event.self_cpu_time_total for event in averages)
    print(f"{args.model}, {args.threads} thread(s), {args.steps} steps of {BATCH} images: "
          f"{total / 1e6:.2f} s of CPU time recorded by the profiler")
    print(f"{'operator':44s} {'self CPU ms':>12s} {'share':>7s} {'calls':>7s}")
    for event in sorted(averages, key=lambda e: e.self_cpu_time_total, reverse=True)[:args.rows]:
        print(f"{event.key[:44]:44s} {event.self_cpu_time_total / 1e3:12.1f} "
              f"{event.self_cpu_time_total / total:7.1%} {event.count:7d}")


if __name__ == "__main__":
    main()
