"""Training throughput: the seed's plain loop vs course_utils.training.train, side by side.

    python benchmarks/bench_training.py [--batches 30] [--threads 1 2]

For SimpleConvAutoencoder, DeepConvAutoencoder and FCAutoencoder, at 1 and 2 threads:

(a) the seed's loop: a torchvision ``DataLoader`` over ``torchvision.datasets.MNIST`` with
    ``ToTensor`` (one PIL image per sample), default memory format, batch 128;
(b) ``course_utils.training.train``: tensor-resident batches, channels-last where the model
    prefers it, the same batch size and optimizer.

Both read the same 60,000 images: real MNIST from ``data/`` if it is there, else the
offline stand-in written as a torchvision MNIST folder in a temporary directory. Also
measured: the machine's float32 matrix-multiply rate, and each model's training FLOP rate
as a share of it (6 FLOPs per forward multiply-accumulate: forward, and backward for
inputs and weights).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from course_utils.config import data_dir, seed_everything
from course_utils.data import ImageSet, load_mnist, write_mnist_folder
from course_utils.models import DeepConvAutoencoder, FCAutoencoder, SimpleConvAutoencoder
from course_utils.summary import Table, macs_per_image
from course_utils.training import train

MODELS = {"SimpleConvAutoencoder": SimpleConvAutoencoder,
          "DeepConvAutoencoder": DeepConvAutoencoder,
          "FCAutoencoder": FCAutoencoder}
BATCH = 128
IMAGES = 60_000


def matmul_gflops(threads: int, size: int = 1024, repeats: int = 20) -> float:
    """Measured float32 matrix-multiply rate in GFLOP/s (2·n³ FLOPs per n×n product)."""
    torch.set_num_threads(threads)
    a, b = torch.rand(size, size), torch.rand(size, size)
    for _ in range(3):
        a @ b
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def seed_loop_rate(model_name: str, root: Path, batches: int) -> float:
    """(a) images/s of the seed's loop: DataLoader + ToTensor, default memory format."""
    from torch.utils.data import DataLoader
    from torchvision import datasets, transforms

    dataset = datasets.MNIST(str(root), train=True, download=False,
                             transform=transforms.ToTensor())
    loader = DataLoader(dataset, batch_size=BATCH, shuffle=True, num_workers=0)
    seed_everything(0)
    model = MODELS[model_name]()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    start, seen = 0.0, 0
    for step, (images, _) in enumerate(loader):
        if step == 3:  # warm-up batches are not timed
            start, seen = time.perf_counter(), 0
        optimizer.zero_grad()
        loss = F.mse_loss(model(images), images)
        loss.backward()
        optimizer.step()
        seen += len(images)
        if step == 3 + batches:
            break
    return seen / (time.perf_counter() - start)


def course_rate(model_name: str, data: ImageSet, batches: int) -> float:
    """(b) images/s of course_utils.training.train on the same number of batches."""
    seed_everything(0)
    model = MODELS[model_name]()
    warm = data.images[: 3 * BATCH]
    train(model, warm, epochs=1, batch_size=BATCH, lr=1e-3, progress=False, device="cpu")
    timed = data.images[: batches * BATCH]
    start = time.perf_counter()
    train(model, timed, epochs=1, batch_size=BATCH, lr=1e-3, progress=False, device="cpu")
    return len(timed) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=30, help="timed batches per run")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    os.environ.setdefault("COURSE_STAND_IN_TRAIN_IMAGES", str(IMAGES))
    mnist = load_mnist("train")
    print(f"data: {mnist}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        if mnist.is_fallback:
            root = Path(tmp)
            write_mnist_folder(mnist, load_mnist("test"), root)
        else:
            root = data_dir()
        rows, ratios = [], []
        for threads in args.threads:
            peak = matmul_gflops(threads)
            print(f"{threads} thread(s): float32 matmul {peak:.1f} GFLOP/s", flush=True)
            for name in MODELS:
                torch.set_num_threads(threads)
                seed = seed_loop_rate(name, root, args.batches)
                ours = course_rate(name, mnist, args.batches)
                gflop = 6 * macs_per_image(MODELS[name]()) * ours / 1e9
                rows.append([name, threads, f"{seed:,.0f}", f"{ours:,.0f}", f"{ours / seed:.2f}×",
                             f"{gflop:.1f}", f"{100 * gflop / peak:.0f}%"])
                ratios.append((name, threads, ours / seed, gflop / peak))
                print(f"  {name}: (a) {seed:,.0f} img/s, (b) {ours:,.0f} img/s", flush=True)
    print()
    print(Table(["model", "threads", "(a) seed loop img/s", "(b) train() img/s", "(b)/(a)",
                 "(b) GFLOP/s", "share of matmul"], rows,
                title=f"Training throughput, batch {BATCH}, {mnist.source}"))
    deep = [r for r in ratios if r[0] == "DeepConvAutoencoder"]
    print()
    for _, threads, speedup, share in deep:
        print(f"DeepConvAutoencoder at {threads} thread(s): {speedup:.2f}× the seed loop "
              f"(target 1.5×, stretch 2×), {100 * share:.0f}% of matmul rate (target 40%)")


if __name__ == "__main__":
    sys.exit(main())
