"""Training throughput: ``train()`` against the loops and trainers a learner would use instead.

    python benchmarks/bench_training.py [--steps 30] [--repeats 3] [--threads 1 2] [--models ...]

For each model (SimpleConvAutoencoder, DeepConvAutoencoder, the FC model and the
compact-code model), at each thread count, in one process, on the same data, batch size
(128), optimizer (Adam, lr 1e-3), loss (MSE) and number of timed steps:

(a) a plain loop over a ``TensorDataset`` (images already in memory): the honest baseline;
(b) the classic tutorial loop: a ``DataLoader`` over ``torchvision.datasets.MNIST`` with
    ``ToTensor`` (one PIL image per sample);
(c) PyTorch Lightning's ``Trainer`` with a minimal ``LightningModule`` (progress bar,
    logging and checkpointing off), over the same ``TensorDataset``;
(d) ``course_utils.training.train`` in float32;
(e) ``train`` in mixed bfloat16 (``precision="bf16"``), marked *emulated* where the CPU
    has no native bfloat16 (``course_utils.training.native_bf16``).

Each contender runs ``--repeats`` times, the contenders taking turns, and its median rate
counts: on a shared machine single runs vary by ±20%. It prints images per second, each
one's ratio to (a), and the share of the machine's
measured float32 and bfloat16 matrix-multiply rates that the training FLOPs reach (the
FLOPs of one training step, forward and backward, counted by ``FlopCounterMode``).

The data are 6,000 real MNIST digits: full MNIST from ``data/`` if it is there, else the
offline subset tiled with small shifts, written as a torchvision MNIST folder for (b).
Lightning comes from the ``bench`` extra (``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.config import seed_everything
from course_utils.data import ImageSet, load_mnist, tile_with_shifts, write_mnist_folder
from course_utils.models import (
    DeepConvAutoencoder,
    FCAutoencoder,
    FlatConvAutoencoder,
    SimpleConvAutoencoder,
)
from course_utils.tables import table, to_text
from course_utils.training import native_bf16, train

MODELS: dict[str, Callable[[], nn.Module]] = {
    "SimpleConvAutoencoder": SimpleConvAutoencoder,
    "DeepConvAutoencoder": DeepConvAutoencoder,
    "FCAutoencoder": FCAutoencoder,
    "compact code (32)": lambda: FlatConvAutoencoder(32),
}
BATCH = 128
IMAGES = 6_000
WARMUP = 3


# --------------------------------------------------------------------------- the machine


def matmul_gflops(threads: int, dtype: torch.dtype, size: int = 1024, repeats: int = 10) -> float:
    """Measured matrix-multiply rate in GFLOP/s (2·n³ FLOPs per n×n product), best of ``repeats``."""
    torch.set_num_threads(threads)
    a, b = torch.rand(size, size, dtype=dtype), torch.rand(size, size, dtype=dtype)
    for _ in range(2):
        a @ b
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def training_flops_per_image(make_model: Callable[[], nn.Module]) -> float:
    """FLOPs of one training step (forward + backward) per image, as FlopCounterMode counts them."""
    from torch.utils.flop_counter import FlopCounterMode

    model = make_model()
    x = torch.rand(8, 1, 28, 28)
    counter = FlopCounterMode(display=False)
    with counter:
        F.mse_loss(model(x), x).backward()
    return counter.get_total_flops() / len(x)


# --------------------------------------------------------------------------- the contenders


def _timed(step: Callable[[], int], steps: int) -> float:
    """Images per second over ``steps`` calls of ``step`` (each returns its batch size),
    after ``WARMUP`` untimed calls."""
    for _ in range(WARMUP):
        step()
    start, seen = time.perf_counter(), 0
    for _ in range(steps):
        seen += step()
    return seen / (time.perf_counter() - start)


def _cycling(loader) -> Callable[[], torch.Tensor]:
    """The next batch of ``loader``, starting a new epoch when one ends."""
    state = {"iterator": iter(loader)}

    def next_batch() -> torch.Tensor:
        try:
            batch = next(state["iterator"])
        except StopIteration:
            state["iterator"] = iter(loader)
            batch = next(state["iterator"])
        return batch[0]

    return next_batch


def _plain_step(model: nn.Module, next_batch: Callable[[], torch.Tensor]) -> Callable[[], int]:
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    def step() -> int:
        images = next_batch()
        optimizer.zero_grad()
        loss = F.mse_loss(model(images), images)
        loss.backward()
        optimizer.step()
        return len(images)

    return step


def plain_tensor_loop(make_model, data: ImageSet, steps: int, _root: Path) -> float:
    """(a) DataLoader over a TensorDataset: batches of tensors already in memory."""
    from torch.utils.data import DataLoader, TensorDataset

    seed_everything(0)
    loader = DataLoader(TensorDataset(data.images), batch_size=BATCH, shuffle=True)
    return _timed(_plain_step(make_model(), _cycling(loader)), steps)


def torchvision_loop(make_model, _data: ImageSet, steps: int, root: Path) -> float:
    """(b) DataLoader over torchvision's MNIST with ToTensor: one PIL image per sample."""
    from torch.utils.data import DataLoader
    from torchvision import datasets, transforms

    seed_everything(0)
    dataset = datasets.MNIST(str(root), train=True, download=False,
                             transform=transforms.ToTensor())
    loader = DataLoader(dataset, batch_size=BATCH, shuffle=True, num_workers=0)
    return _timed(_plain_step(make_model(), _cycling(loader)), steps)


def lightning_trainer(make_model, data: ImageSet, steps: int, _root: Path) -> float:
    """(c) Lightning's Trainer: a minimal LightningModule, progress bar, logging and
    checkpoints off, ``max_steps`` steps on the CPU. Timed over the whole ``fit`` call
    after a separate warm-up fit, so its set-up cost is counted once, as a learner pays it."""
    import lightning as L
    from torch.utils.data import DataLoader, TensorDataset

    for name in ("lightning.pytorch", "lightning.fabric"):  # no banners between the numbers
        logging.getLogger(name).setLevel(logging.ERROR)

    class Reconstruct(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.model = make_model()

        def training_step(self, batch, batch_index):
            (images,) = batch
            return F.mse_loss(self.model(images), images)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=1e-3)

    def fit(max_steps: int) -> float:
        seed_everything(0)
        loader = DataLoader(TensorDataset(data.images), batch_size=BATCH, shuffle=True)
        trainer = L.Trainer(accelerator="cpu", devices=1, max_steps=max_steps, max_epochs=-1,
                            enable_progress_bar=False, enable_model_summary=False,
                            logger=False, enable_checkpointing=False)
        start = time.perf_counter()
        trainer.fit(Reconstruct(), loader)
        return time.perf_counter() - start

    fit(WARMUP)
    return steps * BATCH / fit(steps)


def course_train(precision: str) -> Callable[..., float]:
    """(d)/(e) ``course_utils.training.train`` on the same number of steps."""

    def run(make_model, data: ImageSet, steps: int, _root: Path) -> float:
        seed_everything(0)
        model = make_model()
        common = dict(epochs=1, batch_size=BATCH, lr=1e-3, progress=False, device="cpu",
                      precision=precision)
        train(model, data.images[: WARMUP * BATCH], **common)
        timed = data.images[: steps * BATCH]
        history = train(model, timed, **common)
        return len(timed) / history.total_seconds

    return run


# --------------------------------------------------------------------------- the run


def benchmark_data() -> ImageSet:
    mnist = load_mnist("train")
    if len(mnist) < IMAGES:
        mnist = tile_with_shifts(mnist, IMAGES)
    return mnist.subset(IMAGES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="timed steps per contender")
    parser.add_argument("--repeats", type=int, default=3, help="runs per contender (median)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    args = parser.parse_args()
    warnings.filterwarnings("ignore", module="lightning")

    data = benchmark_data()
    bf16_native = native_bf16(torch.device("cpu"))
    bf16_label = "(e) train() bf16" + ("" if bf16_native else " (emulated)")
    contenders = {
        "(a) TensorDataset loop": plain_tensor_loop,
        "(b) torchvision DataLoader loop": torchvision_loop,
        "(c) Lightning Trainer": lightning_trainer,
        "(d) train() fp32": course_train("fp32"),
        bf16_label: course_train("bf16"),
    }
    print(f"data: {len(data):,} images ({data.source}); batch {BATCH}; {args.steps} timed "
          f"steps after {WARMUP} warm-up steps; native bfloat16: {bf16_native}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_mnist_folder(data, data.subset(BATCH), root)
        for threads in args.threads:
            peak32 = matmul_gflops(threads, torch.float32)
            peak16 = matmul_gflops(threads, torch.bfloat16)
            print(f"{threads} thread(s): matmul fp32 {peak32:.1f} GFLOP/s, "
                  f"bf16 {peak16:.1f} GFLOP/s", flush=True)
            for name in args.models:
                torch.set_num_threads(threads)
                flops = training_flops_per_image(MODELS[name])
                runs: dict[str, list[float]] = {label: [] for label in contenders}
                for _ in range(args.repeats):  # take turns, so a slow spell hits everyone
                    for label, run in contenders.items():
                        torch.set_num_threads(threads)
                        runs[label].append(run(MODELS[name], data, args.steps, root))
                rates = {label: statistics.median(values) for label, values in runs.items()}
                for label, values in runs.items():
                    print(f"  {name}, {label}: median {rates[label]:,.0f} img/s "
                          f"(runs: {', '.join(f'{v:,.0f}' for v in values)})", flush=True)
                baseline = rates["(a) TensorDataset loop"]
                for label, rate in rates.items():
                    peak = peak16 if "bf16" in label else peak32
                    share = 100 * flops * rate / 1e9 / peak
                    if "emulated" in label:
                        share = float("nan")  # an emulated matmul is no ceiling to measure by
                    rows.append([name, threads, label, round(rate), rate / baseline, share])
    print()
    print(to_text(table(["model", "threads", "contender", "img/s", "× (a)", "% of matmul"],
                        rows, title=f"Training throughput, batch {BATCH}, Adam, MSE")))
    print()
    for name in args.models:
        for threads in args.threads:
            mine = {r[2]: r for r in rows if r[0] == name and r[1] == threads}
            ours = mine["(d) train() fp32"]
            best = max(mine[bf16_label][3], ours[3]) if bf16_native else ours[3]
            print(f"{name}, {threads} thread(s): train() {best / mine['(a) TensorDataset loop'][3]:.2f}× "
                  f"the TensorDataset loop, "
                  f"{best / mine['(b) torchvision DataLoader loop'][3]:.2f}× the DataLoader loop, "
                  f"{best / mine['(c) Lightning Trainer'][3]:.2f}× Lightning")


if __name__ == "__main__":
    sys.exit(main())
