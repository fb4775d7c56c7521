"""How big is a model? Parameters per layer, code size, compression ratio, multiply-accumulates.

Tables come back as pandas DataFrames (:mod:`course_utils.tables`). Multiply-accumulates
are counted by PyTorch's own ``torch.utils.flop_counter.FlopCounterMode``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
import torch
from torch import nn

from .tables import table


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (weights and biases; BatchNorm scale and shift included)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def parameter_table(model: nn.Module) -> pd.DataFrame:
    """One row per layer that has parameters: its name, type, weight shape and count.

    The count is shown as the product that gives it, e.g. ``16×1×3×3 + 16 = 160``.
    """
    rows = []
    total = 0
    for name, module in model.named_modules():
        own = list(module.named_parameters(recurse=False))
        if not own:
            continue
        count = sum(p.numel() for _, p in own)
        total += count
        formula = " + ".join("×".join(map(str, p.shape)) for _, p in own)
        rows.append([name, type(module).__name__, formula, count])
    rows.append(["total", "", "", total])
    return table(["layer", "type", "parameter shapes", "parameters"], rows)


def latent_size(model: nn.Module, input_shape: tuple[int, ...] = (1, 28, 28)) -> int:
    """How many numbers ``model.encode`` produces for one image of ``input_shape``."""
    with eval_mode(model), torch.no_grad():
        z = model.encode(torch.zeros(1, *input_shape, device=device_of(model)))
    return int(z[0].numel())


def compression_ratio(model: nn.Module, input_shape: tuple[int, ...] = (1, 28, 28)) -> float:
    """Input numbers per code number: above 1 compresses, below 1 expands (overcomplete)."""
    return math.prod(input_shape) / latent_size(model, input_shape)


def macs_per_image(model: nn.Module, input_shape: tuple[int, ...] = (1, 28, 28)) -> int:
    """Multiply-accumulates (MACs) in one forward pass of one image.

    PyTorch's ``FlopCounterMode`` counts the floating-point operations of every
    convolution, transposed convolution and matrix product while the model runs; each
    multiply-accumulate is two of them (a multiply and an add), so MACs = FLOPs / 2.
    By hand, the same numbers are:

    - Conv2d: every output value sums (C_in / groups)·k_h·k_w products;
    - ConvTranspose2d: every *input* value is spread over (C_out / groups)·k_h·k_w outputs;
    - Linear: in_features × out_features.

    Pooling, activations and BatchNorm are cheap by comparison and not counted.
    """
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with eval_mode(model), torch.no_grad(), counter:
        model(torch.zeros(1, *input_shape, device=device_of(model)))
    return counter.get_total_flops() // 2


def compare_models(models: Mapping[str, nn.Module],
                   input_shape: tuple[int, ...] = (1, 28, 28)) -> pd.DataFrame:
    """Parameters, code size, compression ratio and multiply-accumulates, one row per model."""
    rows = []
    for name, model in models.items():
        rows.append([name, count_parameters(model), latent_size(model, input_shape),
                     f"{compression_ratio(model, input_shape):.2f}×",
                     macs_per_image(model, input_shape)])
    return table(["model", "parameters", "code size", "compression", "MACs / image"], rows)


def device_of(model: nn.Module) -> torch.device:
    param = next(model.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


class eval_mode:
    """Put a model in eval mode for a ``with`` block, then restore what it was.

    BatchNorm and Dropout behave differently in training; measurements use eval mode.
    """

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self.was_training = model.training

    def __enter__(self) -> nn.Module:
        self.model.eval()
        return self.model

    def __exit__(self, *exc: object) -> None:
        self.model.train(self.was_training)
