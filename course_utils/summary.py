"""How big is a model? Parameters per layer, code size, compression ratio, multiply-accumulates."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

import torch
from torch import nn


class Table:
    """A small table that prints as aligned text and shows as HTML in a notebook.

    >>> print(Table(["model", "parameters"], [["simple", "225"]]))
    model   parameters
    ------  ----------
    simple         225
    """

    def __init__(self, columns: Sequence[str], rows: Sequence[Sequence[object]],
                 title: str | None = None) -> None:
        self.columns = list(columns)
        self.rows = [[_cell(v) for v in row] for row in rows]
        self.title = title

    def __str__(self) -> str:
        widths = [max(len(c), *(len(r[i]) for r in self.rows)) if self.rows else len(c)
                  for i, c in enumerate(self.columns)]
        numeric = [all(_looks_numeric(r[i]) for r in self.rows) and bool(self.rows)
                   for i in range(len(self.columns))]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(c.rjust(w) if n else c.ljust(w)
                             for c, w, n in zip(cells, widths, numeric)).rstrip()

        out = [self.title] if self.title else []
        out += [line(self.columns), "  ".join("-" * w for w in widths)]
        out += [line(r) for r in self.rows]
        return "\n".join(out)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>"
                       for r in self.rows)
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def column(self, name: str) -> list[str]:
        """The cells of one column, as text."""
        i = self.columns.index(name)
        return [r[i] for r in self.rows]


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _looks_numeric(text: str) -> bool:
    stripped = text.replace(",", "").replace("×", "").replace("%", "").strip()
    try:
        float(stripped)
    except ValueError:
        return False
    return True


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (weights and biases; BatchNorm scale and shift included)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def parameter_table(model: nn.Module) -> Table:
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
    return Table(["layer", "type", "parameter shapes", "parameters"], rows)


def latent_size(model: nn.Module, input_shape: tuple[int, ...] = (1, 28, 28)) -> int:
    """How many numbers ``model.encode`` produces for one image of ``input_shape``."""
    with eval_mode(model), torch.no_grad():
        z = model.encode(torch.zeros(1, *input_shape, device=device_of(model)))
    return int(z[0].numel())


def compression_ratio(model: nn.Module, input_shape: tuple[int, ...] = (1, 28, 28)) -> float:
    """Input numbers per code number: above 1 compresses, below 1 expands (overcomplete)."""
    return math.prod(input_shape) / latent_size(model, input_shape)


def macs_per_image(model: nn.Module, input_shape: tuple[int, ...] = (1, 28, 28)) -> int:
    """Multiply-accumulates in one forward pass of one image (conv, transposed conv, linear).

    - Conv2d: every output value sums (C_in / groups)·k_h·k_w products.
    - ConvTranspose2d: every *input* value is spread over C_out / groups · k_h·k_w outputs.
    - Linear: in_features × out_features.

    Pooling, activations and BatchNorm are cheap by comparison and not counted.
    """
    total = 0
    hooks = []

    def count(module: nn.Module, inputs, output) -> None:
        nonlocal total
        if isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            total += output[0].numel() * (module.in_channels // module.groups) * k
        elif isinstance(module, nn.ConvTranspose2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            total += inputs[0][0].numel() * (module.out_channels // module.groups) * k
        elif isinstance(module, nn.Linear):
            total += module.in_features * module.out_features

    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            hooks.append(m.register_forward_hook(count))
    try:
        with eval_mode(model), torch.no_grad():
            model(torch.zeros(1, *input_shape, device=device_of(model)))
    finally:
        for h in hooks:
            h.remove()
    return total


def compare_models(models: Mapping[str, nn.Module],
                   input_shape: tuple[int, ...] = (1, 28, 28)) -> Table:
    """Parameters, code size, compression ratio and multiply-accumulates, one row per model."""
    rows = []
    for name, model in models.items():
        rows.append([name, count_parameters(model), latent_size(model, input_shape),
                     f"{compression_ratio(model, input_shape):.2f}×",
                     macs_per_image(model, input_shape)])
    return Table(["model", "parameters", "code size", "compression", "MACs / image"], rows)


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
