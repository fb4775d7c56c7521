"""Exercise 1, architecture exploration: build a conv autoencoder from settings, then sweep them.

:func:`check_architecture` runs ``build_conv_ae(channels, kernel_size, code_channels)`` for
three settings and judges what the exercise specifies: the shapes of the output and of the
code, the parameter count, the layers the encoder and the decoder run (3×3 or k×k
convolutions at stride 1, a ReLU after each, ``MaxPool2d(2)`` to halve the size), that every
image is rebuilt from its code alone, and a loss that goes down. :func:`run_sweep` trains the
configurations of part 2 and :func:`check_sweep` judges the sweep.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch
from torch import nn

from ..config import seed_everything
from ..data import ImageSet
from ..metrics import pca_baseline
from ..summary import count_parameters
from ..tables import table
from .base import CheckResult, attempted_or_result, not_attempted
from .budget import BUDGET, EncoderDecoder, _decoder_layers, train_and_score
from .common import (
    build,
    check_reconstruction,
    code_of,
    forward_problem,
    layers_run,
    loss_decreases,
    names,
    never_raises,
    shape_text,
    toy_images,
)


def _reference_conv_ae(channels: Sequence[int], kernel_size: int,
                       code_channels: int) -> EncoderDecoder:
    """The architecture exercise 1 asks for (used to check parameter counts)."""
    layers: list[nn.Module] = []
    previous = 1
    for c in channels:
        layers += [nn.Conv2d(previous, c, kernel_size, padding=kernel_size // 2), nn.ReLU(),
                   nn.MaxPool2d(2)]
        previous = c
    layers.append(nn.Conv2d(previous, code_channels, kernel_size=1))
    return EncoderDecoder(nn.Sequential(*layers),
                          nn.Sequential(*_decoder_layers(channels, code_channels)))


def _relu_first(layers: list[nn.Module]) -> list[str]:
    """Layer type names, with "MaxPool2d → ReLU" read as "ReLU → MaxPool2d" (the same function)."""
    kinds = [type(m).__name__ for m in layers]
    for i in range(len(kinds) - 1):
        if kinds[i] == "MaxPool2d" and kinds[i + 1] == "ReLU":
            kinds[i], kinds[i + 1] = "ReLU", "MaxPool2d"
    return kinds


def _pool_size(pool: nn.Module) -> tuple[Any, Any, Any]:
    def one(v: Any) -> Any:
        return v[0] if isinstance(v, tuple) and len(set(v)) == 1 else v

    return one(pool.kernel_size), one(pool.stride), one(pool.padding)


def encoder_layer_problem(layers: list[nn.Module], depth: int, context: str) -> CheckResult | None:
    """The encoder runs Conv2d → ReLU → MaxPool2d(2) per stage, then a 1×1 Conv2d to the code."""
    if any(isinstance(m, (nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.LPPool2d)) for m in layers):
        return CheckResult(False, f"you used average pooling{context}; exercise 1 asks for max "
                                  f"pooling: MaxPool2d(2) after each ReLU. (Exercise 2 compares "
                                  f"the two.)")
    strided = [m for m in layers if isinstance(m, nn.Conv2d) and tuple(m.stride) != (1, 1)]
    if strided:
        return CheckResult(False, f"a Conv2d with stride {tuple(strided[0].stride)} does the "
                                  f"downsampling{context}; in exercise 1 every convolution keeps "
                                  f"stride 1 and MaxPool2d(2) halves the size. (Exercise 2 "
                                  f"compares the two.)")
    pools = [m for m in layers if isinstance(m, nn.MaxPool2d)]
    if len(pools) != depth:
        return CheckResult(False, f"the encoder should pool once per stage with MaxPool2d(2), "
                                  f"{depth} time(s){context}; it runs {names(layers)}.")
    odd = [p for p in pools if _pool_size(p) != (2, 2, 0)]
    if odd:
        return CheckResult(False, f"use MaxPool2d(2): a 2×2 window at stride 2{context}; yours is "
                                  f"{odd[0]!r}.")
    relus = sum(isinstance(m, nn.ReLU) for m in layers)
    if relus < depth:
        return CheckResult(False, f"a ReLU is missing in the encoder{context}: each stage is "
                                  f"Conv2d → nn.ReLU() → MaxPool2d(2); it runs "
                                  f"{names(layers)}. Without the ReLU two stages collapse "
                                  f"towards one linear map.")
    kinds = _relu_first(layers)
    convs = [i for i, k in enumerate(kinds) if k == "Conv2d"]
    first_pool = kinds.index("MaxPool2d")
    if convs and first_pool < convs[0]:
        return CheckResult(False, f"the encoder pools before the convolution{context}: each "
                                  f"stage is Conv2d → ReLU → MaxPool2d(2), so the convolution "
                                  f"sees the full-resolution image; it runs {names(layers)}.")
    expected = ["Conv2d", "ReLU", "MaxPool2d"] * depth + ["Conv2d"]
    if kinds != expected:
        return CheckResult(False, f"the encoder runs {names(layers)}{context}; exercise 1 asks "
                                  f"for {' → '.join(expected)}.")
    return None


def decoder_layer_problem(layers: list[nn.Module], depth: int, context: str) -> CheckResult | None:
    """The decoder runs a 1×1 Conv2d → ReLU, then ConvTranspose2d per stage, ReLU between, Sigmoid."""
    expected = ["Conv2d", "ReLU"] + ["ConvTranspose2d", "ReLU"] * (depth - 1) + \
        ["ConvTranspose2d", "Sigmoid"]
    kinds = [type(m).__name__ for m in layers]
    if kinds.count("ReLU") < expected.count("ReLU"):
        return CheckResult(False, f"a ReLU is missing in the decoder{context}: it runs "
                                  f"{names(layers)}; exercise 1 asks for "
                                  f"{' → '.join(expected)}.")
    if kinds != expected:
        return CheckResult(False, f"the decoder runs {names(layers)}{context}; exercise 1 asks "
                                  f"for {' → '.join(expected)}.")
    return None


@never_raises
def check_architecture(build_conv_ae: Any) -> CheckResult:
    """Exercise 1: ``build_conv_ae(channels, kernel_size, code_channels)`` builds the asked model.

    Tried with channels (8,), (16, 32) and (8, 16), kernel sizes 3 and 5: the output shape,
    the code shape (code_channels × 28/2^depth × 28/2^depth), the parameter count of the
    specified architecture, the layers the encoder and decoder run, that each image is
    rebuilt from its code alone, and a loss that goes down in a few training steps.
    """
    x = toy_images(4)
    configs = [((8,), 3, 1), ((16, 32), 5, 4), ((8, 16), 3, 2)]
    counts = []
    for channels, k, code in configs:
        context = f" for channels={channels}, kernel_size={k}, code_channels={code}"
        model = build(build_conv_ae, "build_conv_ae", channels, k, code)
        if isinstance(model, CheckResult):
            return model
        problem = check_reconstruction(model, x, context)
        if problem is not None:
            return problem
        z = code_of(model, x, context)
        if isinstance(z, CheckResult):
            return z
        side = 28 // 2 ** len(channels)
        want = (code, side, side)
        if tuple(z.shape[1:]) != want:
            return CheckResult(False, f"code shape wrong{context}: got {shape_text(z.shape[1:])},"
                                      f" expected {shape_text(want)}. Each of the "
                                      f"{len(channels)} stage(s) pools once (28 → 14 → 7), and "
                                      f"the encoder ends with a 1×1 conv to code_channels.")
        got = count_parameters(model)
        expected = count_parameters(_reference_conv_ae(channels, k, code))
        if got != expected:
            hint = ""
            if got == 0:
                hint = (" The model has no parameters: layers kept in a plain Python list are "
                        "not registered; use nn.Sequential or nn.ModuleList.")
            elif k != 3 and got == count_parameters(_reference_conv_ae(channels, 3, code)):
                hint = " It matches kernel size 3: is kernel_size passed to every Conv2d?"
            return CheckResult(False, f"wrong parameter count{context}: {got:,}, the specified "
                                      f"architecture has {expected:,} ({got - expected:+,})."
                                      f"{hint} Compare your layers with the list in the "
                                      f"exercise (print(model)).")
        encoder = layers_run(model, model.encode, x.clone())
        if isinstance(encoder, CheckResult):
            return encoder
        problem = encoder_layer_problem(encoder, len(channels), context)
        if problem is not None:
            return problem
        decoder = layers_run(model, model.decode, z.clone()) \
            if callable(getattr(model, "decode", None)) else []
        if isinstance(decoder, CheckResult):
            return decoder
        problem = decoder_layer_problem(decoder, len(channels), context)
        if problem is not None:
            return problem
        problem = forward_problem(model, x, z, context)
        if problem is not None:
            return problem
        counts.append(got)
    problem = loss_decreases(model, x)  # type: ignore[arg-type]  # the last model: (8, 16)
    if problem is not None:
        return problem
    return CheckResult(True, f"right shapes, layers and parameter counts ({counts[0]:,}, "
                             f"{counts[1]:,} and {counts[2]:,} for the three settings tried), "
                             f"each image rebuilt from its code, and the loss goes down.")


@dataclass(frozen=True)
class SweepRow:
    """One trained configuration of exercise 1's sweep."""

    channels: tuple[int, ...]
    kernel_size: int
    code_channels: int
    parameters: int
    code_size: int
    test_mse: float
    pca_mse: float

    @property
    def depth(self) -> int:
        return len(self.channels)

    @property
    def label(self) -> str:
        return f"channels={self.channels}, k={self.kernel_size}"


def run_sweep(build_conv_ae: Any, configs: Any, train_set: ImageSet, test_set: ImageSet, *,
              epochs: int, lr: float = BUDGET["lr"], batch_size: int = BUDGET["batch_size"],
              scheduler: str | None = BUDGET["scheduler"], loss: str = BUDGET["loss"],
              seed: int = 0) -> list[SweepRow] | None:
    """Train one model per config (same budget each) and measure it beside PCA.

    ``configs`` is a list of ``dict(channels=..., kernel_size=..., code_channels=...)``;
    ``seed`` sets every model's initial weights. Returns None while ``configs`` or
    ``build_conv_ae`` is still blank.
    """
    if not_attempted(configs) or not_attempted(build_conv_ae):
        print("Sweep not run yet: fill in build_conv_ae and sweep_configs first.")
        return None
    rows, pca_cache = [], {}
    for config in configs:
        seed_everything(seed)
        model = build_conv_ae(**config)
        if not_attempted(model):
            print("Sweep not run yet: build_conv_ae still returns nothing.")
            return None
        with torch.no_grad():
            code_size = math.prod(model.encode(test_set.images[:1]).shape[1:])
        test_mse = train_and_score(model, "11_sweep", train_set, test_set, epochs=epochs, lr=lr,
                                   batch_size=batch_size, scheduler=scheduler, loss=loss)
        if code_size not in pca_cache:
            n = min(code_size, len(train_set), train_set.images[0].numel())
            pca_cache[code_size] = pca_baseline(train_set.images, n).mse(test_set.images)
        rows.append(SweepRow(tuple(config["channels"]), int(config["kernel_size"]),
                             int(config["code_channels"]), count_parameters(model), code_size,
                             test_mse, pca_cache[code_size]))
    return rows


def sweep_table(rows: Sequence[SweepRow]) -> pd.DataFrame:
    """Parameters vs test MSE, one row per configuration, PCA at the same code size beside it."""
    return table(["channels", "depth", "kernel", "parameters", "code size", "test MSE",
                  "PCA MSE (same code size)"],
                 [[str(r.channels), r.depth, r.kernel_size, r.parameters, r.code_size,
                   r.test_mse, r.pca_mse] for r in rows])


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


@never_raises
def check_sweep(rows: Any) -> CheckResult:
    """Exercise 1, part 2: at least three configurations that vary width, depth and kernel."""
    blank = attempted_or_result(rows, "sweep_configs")
    if blank is not None:
        return blank
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence) \
            or not all(isinstance(r, SweepRow) for r in rows):
        return CheckResult(False, "pass the list that run_sweep returns.")
    if len(rows) < 3:
        return CheckResult(False, f"a sweep needs at least three configurations; yours has "
                                  f"{len(rows)}.")
    diverged = [r for r in rows if not _finite(r.test_mse)]
    if diverged:
        return CheckResult(False, f"{diverged[0].label} reached a test MSE of "
                                  f"{diverged[0].test_mse}: that model diverged, so the sweep "
                                  f"cannot rank it. Run the sweep again with run_sweep(..., "
                                  f"seed=1) or a lower lr.")
    varied = {"channel counts": len({tuple(r.channels)[:1] for r in rows}) > 1,
              "depths": len({r.depth for r in rows}) > 1,
              "kernel sizes": len({r.kernel_size for r in rows}) > 1}
    missing = [name for name, ok in varied.items() if not ok]
    if missing:
        return CheckResult(False, f"your sweep never changes the {' or the '.join(missing)}. "
                                  f"Add configurations that do, so the table can show their "
                                  f"effect.")
    if len({r.code_size for r in rows}) > 1:
        return CheckResult(False, "the configurations have different code sizes ("
                                  + ", ".join(str(r.code_size) for r in rows) + "), so their "
                                  "errors are not comparable. Pick code_channels so that every "
                                  "code has the same size (depth 1: 14×14 per channel, depth "
                                  "2: 7×7 per channel).")
    best = min(rows, key=lambda r: r.test_mse)
    return CheckResult(True, f"{len(rows)} configurations at code size {best.code_size}; the "
                             f"best is {best.label} ({best.parameters:,} parameters, test MSE "
                             f"{best.test_mse:.5f}; PCA {best.pca_mse:.5f}).")


__all__ = ["SweepRow", "check_architecture", "check_sweep", "run_sweep", "sweep_table"]
