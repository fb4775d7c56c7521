"""Output sizes of convolution, pooling and transposed convolution, exactly as PyTorch computes them.

One spatial dimension at a time, with the symbols of the convolution arithmetic guide:
input size ``i``, kernel ``k``, stride ``s``, padding ``p``, dilation ``d`` and, for the
transposed convolution, output padding ``a``.

==========================  ===============================================
layer                       output size
==========================  ===============================================
Conv2d                      ⌊(i + 2p − d(k − 1) − 1) / s⌋ + 1
MaxPool2d / AvgPool2d       the same (ceil instead of floor with ceil_mode)
ConvTranspose2d             (i − 1)s − 2p + d(k − 1) + a + 1
Upsample(×s) + Conv2d       Conv2d applied to i·s with stride 1
==========================  ===============================================

With ``d = 1`` the convolution formula is the familiar ⌊(i + 2p − k)/s⌋ + 1. Settings that
PyTorch rejects, or that leave no output, raise ``ValueError`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from .models.validation import as_int
from .summary import device_of, eval_mode
from .tables import table, to_text


def _whole(name: str, value: object) -> int:
    """``value`` as an int: Python, NumPy and PyTorch integers are whole numbers; floats and bools are not."""
    number = as_int(value)
    if number is None:
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return number


def _require_positive(**values: object) -> list[int]:
    """Each value as an int that is at least 1, in order; ValueError naming the first that is not."""
    numbers = []
    for name, value in values.items():
        number = _whole(name, value)
        if number < 1:
            raise ValueError(f"{name} must be at least 1, got {number}")
        numbers.append(number)
    return numbers


def _require_non_negative(**values: object) -> list[int]:
    """Each value as an int that is at least 0, in order; ValueError naming the first that is not."""
    numbers = []
    for name, value in values.items():
        number = _whole(name, value)
        if number < 0:
            raise ValueError(f"{name} cannot be negative, got {number}")
        numbers.append(number)
    return numbers


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """The span a dilated kernel covers: d(k − 1) + 1 (a 3×3 kernel with d=2 spans 5)."""
    kernel_size, dilation = _require_positive(kernel_size=kernel_size, dilation=dilation)
    return dilation * (kernel_size - 1) + 1


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                     dilation: int = 1) -> int:
    """Output size of ``nn.Conv2d`` along one dimension: ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1.

    >>> conv_output_size(28, kernel_size=3, padding=1)
    28
    >>> conv_output_size(28, kernel_size=3, stride=2, padding=1)
    14
    """
    size, kernel_size, stride, dilation = _require_positive(
        size=size, kernel_size=kernel_size, stride=stride, dilation=dilation)
    (padding,) = _require_non_negative(padding=padding)
    span = effective_kernel_size(kernel_size, dilation)
    padded = size + 2 * padding
    if span > padded:
        raise ValueError(
            f"the kernel covers {span} pixels (kernel {kernel_size}, dilation {dilation}) but the "
            f"padded input is only {padded} wide ({size} + 2×{padding}): there is no position "
            f"where it fits. Use a smaller kernel or dilation, or more padding."
        )
    return (padded - span) // stride + 1


def pool_output_size(size: int, kernel_size: int, stride: int | None = None, padding: int = 0,
                     dilation: int = 1, ceil_mode: bool = False, *, pool: str = "max") -> int:
    """Output size of ``nn.MaxPool2d`` (``pool="max"``) or ``nn.AvgPool2d`` (``pool="avg"``).

    ``stride`` defaults to ``kernel_size``, as in PyTorch. ``ceil_mode=True`` rounds up, but
    never lets the last window start inside the right padding.

    >>> pool_output_size(7, kernel_size=2)
    3
    >>> pool_output_size(7, kernel_size=2, ceil_mode=True)
    4
    """
    if not isinstance(pool, str) or pool not in ("max", "avg"):
        raise ValueError(f'pool must be "max" or "avg", got {pool!r}')
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise ValueError(f"ceil_mode must be True or False, got {ceil_mode!r}")
    stride = kernel_size if stride is None else stride
    size, kernel_size, stride, dilation = _require_positive(
        size=size, kernel_size=kernel_size, stride=stride, dilation=dilation)
    (padding,) = _require_non_negative(padding=padding)
    if pool == "avg" and dilation != 1:
        raise ValueError("AvgPool2d has no dilation: set dilation to 1 (or use MaxPool2d).")
    if padding > kernel_size // 2:
        raise ValueError(
            f"padding {padding} is more than half the kernel ({kernel_size} // 2 = "
            f"{kernel_size // 2}); PyTorch only allows padding ≤ kernel_size // 2 for pooling, "
            f"so that every window holds at least one real pixel."
        )
    span = effective_kernel_size(kernel_size, dilation)
    numerator = size + 2 * padding - span + (stride - 1 if ceil_mode else 0)
    out = numerator // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1  # the last window would start in the padding: drop it
    if out < 1:
        raise ValueError(
            f"the pooling window covers {span} pixels but the padded input is only "
            f"{size + 2 * padding} wide: no output is left. Use a smaller kernel or more padding."
        )
    return out


def conv_transpose_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                               output_padding: int = 0, dilation: int = 1) -> int:
    """Output size of ``nn.ConvTranspose2d``: (i − 1)s − 2p + d(k − 1) + a + 1.

    ``output_padding`` (a) adds rows on one side only. It picks between the input sizes a
    strided convolution maps to the same output (both 13 and 14 go to 7 with k=3, s=2,
    p=1), so PyTorch requires it to be smaller than the stride or the dilation.

    >>> conv_transpose_output_size(14, kernel_size=3, stride=2, padding=1, output_padding=1)
    28
    >>> conv_transpose_output_size(3, kernel_size=3, stride=2)
    7
    """
    size, kernel_size, stride, dilation = _require_positive(
        size=size, kernel_size=kernel_size, stride=stride, dilation=dilation)
    padding, output_padding = _require_non_negative(padding=padding,
                                                    output_padding=output_padding)
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"output_padding must be smaller than the stride or the dilation (here "
            f"max({stride}, {dilation}) = {max(stride, dilation)}), got {output_padding}. "
            f"It only chooses among sizes that the stride makes ambiguous; "
            f"to grow the output, change the stride, kernel or padding."
        )
    out = (size - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1
    if out < 1:
        raise ValueError(
            f"padding {padding} removes {2 * padding} pixels from an output of only "
            f"{out + 2 * padding}: nothing is left. Use less padding or a larger kernel or stride."
        )
    return out


def upsample_conv_output_size(size: int, scale_factor: int, kernel_size: int, padding: int = 0,
                              dilation: int = 1) -> int:
    """Output size of ``nn.Upsample(scale_factor)`` followed by a stride-1 ``nn.Conv2d``."""
    scale_factor, size = _require_positive(scale_factor=scale_factor, size=size)
    return conv_output_size(size * scale_factor, kernel_size, 1, padding, dilation)


def same_padding(kernel_size: int, dilation: int = 1) -> int:
    """The padding that keeps the size unchanged at stride 1: d(k − 1) / 2.

    Only odd effective kernels have one (an even kernel has no centre pixel).
    """
    kernel_size, dilation = _require_positive(kernel_size=kernel_size, dilation=dilation)
    span = effective_kernel_size(kernel_size, dilation)
    if span % 2 == 0:
        raise ValueError(
            f"a kernel spanning {span} pixels has no centre, so no symmetric padding keeps the "
            f"size; use an odd kernel size (3, 5, 7)."
        )
    return (span - 1) // 2


# --------------------------------------------------------------------------- shape traces


@dataclass(frozen=True)
class LayerShape:
    """One row of a shape trace: a layer, the shape it produced, and its parameters."""

    name: str
    layer: str
    output_shape: tuple[int, ...]
    parameters: int


class ShapeTrace(list[LayerShape]):
    """The rows of :func:`trace_shapes`; prints as a table, and :meth:`to_frame` makes it a DataFrame."""

    def to_frame(self) -> pd.DataFrame:
        """One row per layer: name, type, output shape (C×H×W) and parameters."""
        return table(["layer", "type", "output shape", "parameters"],
                     [[r.name, r.layer, "×".join(map(str, r.output_shape)), r.parameters]
                      for r in self])

    def __str__(self) -> str:
        return to_text(self.to_frame())

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # IPython display
        printer.text(str(self))


def trace_shapes(model: nn.Module, input_shape: tuple[int, ...]) -> ShapeTrace:
    """Run one input of ``input_shape`` (C×H×W, batch added) through ``model``; record each layer.

    Every leaf module (a layer with no children) reports the shape of its output, without
    the batch dimension, and its own parameter count.
    """
    rows = ShapeTrace()
    hooks = []

    def record(name: str):
        def hook(module: nn.Module, _inputs, output) -> None:
            shape = tuple(output.shape[1:]) if isinstance(output, torch.Tensor) else ()
            rows.append(LayerShape(name, type(module).__name__, shape,
                                   sum(p.numel() for p in module.parameters(recurse=False))))
        return hook

    for name, module in model.named_modules():
        if name and not list(module.children()):
            hooks.append(module.register_forward_hook(record(name)))
    try:
        with eval_mode(model), torch.no_grad():  # BatchNorm needs eval mode for a batch of one
            model(torch.zeros(1, *input_shape, device=device_of(model)))
    finally:
        for h in hooks:
            h.remove()
    return rows
