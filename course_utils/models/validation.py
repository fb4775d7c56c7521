"""Checks on a model's settings when it is built, and on its output's size when it runs.

A wrong setting is refused when the model is built, with the argument's name, rather than
deep inside PyTorch (``DeepConvAutoencoder(2.5)`` would otherwise fail with a message about
``empty()``, and ``DeepAutoencoder(latent_dim=0)`` would build a model with no code at all).
Whole numbers may be Python, NumPy or PyTorch integers; ``True`` is not a width.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Iterable
from typing import Any

import numpy as np
import torch

MAX_WIDTH = 4096
"""The most channels or units one layer may have: wider layers would not fit a laptop's memory
(the course's models use 1 to 512)."""

MAX_PARAMETERS = 100_000_000
"""The most parameters a fully connected model may have (400 MB of weights; the course's
largest has 1.1 million)."""


class ShapeMismatchError(ValueError):
    """A decoder produced images of a different shape than its input."""


def as_int(value: Any) -> int | None:
    """``value`` as a Python int if it is a whole number (int, NumPy or 0-d PyTorch integer), else None.

    Booleans are not whole numbers here, nor are floats, even 3.0.
    """
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, torch.Tensor) and (value.ndim != 0 or value.dtype == torch.bool
                                            or value.is_floating_point()
                                            or value.is_complex()):
        return None
    if isinstance(value, np.ndarray) and value.ndim != 0:
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def whole_number(name: str, value: Any, *, minimum: int = 1,
                 maximum: int | None = MAX_WIDTH) -> int:
    """``value`` as an int between ``minimum`` and ``maximum``; TypeError or ValueError naming ``name``."""
    number = as_int(value)
    if number is None:
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if number < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be at most {maximum:,} (wider layers would not fit in "
                         f"memory), got {number:,}")
    return number


def widths(name: str, values: Any, *, count: int | None = None, allow_empty: bool = False,
           maximum: int | None = MAX_WIDTH) -> tuple[int, ...]:
    """A sequence of positive whole numbers (layer widths) as a tuple of ints."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable) \
            or isinstance(values, (torch.Tensor, np.ndarray)) and values.ndim != 1:
        raise TypeError(f"{name} must be a sequence of whole numbers such as (16, 32), "
                        f"got {values!r}")
    items = list(values)
    if count is not None and len(items) != count:
        raise ValueError(f"{name} must have {count} entries, got {len(items)}: {items!r}")
    if not items and not allow_empty:
        raise ValueError(f"{name} must have at least one entry, got {items!r}")
    return tuple(whole_number(f"{name}[{i}]", v, maximum=maximum) for i, v in enumerate(items))


def flag(name: str, value: Any) -> bool:
    """``value`` as a bool; anything but True or False is refused (``"no"`` is not False)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def choice(name: str, value: Any, options: tuple[str, ...]) -> str:
    """``value`` if it is one of ``options`` (strings)."""
    if not isinstance(value, str) or value not in options:
        error = ValueError if isinstance(value, str) else TypeError
        raise error(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def probability(name: str, value: Any) -> float:
    """``value`` as a float in [0, 1) (a dropout rate)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {value!r}")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{name} is a probability in [0, 1), got {value}")
    return float(value)


def fc_parameter_budget(layer_widths: tuple[int, ...], names: str) -> None:
    """Refuse a fully connected stack (and its mirror) with more than ``MAX_PARAMETERS`` weights.

    ``names`` are the arguments that set the widths, for the message.
    """
    weights = 2 * sum(a * b + b for a, b in zip(layer_widths[:-1], layer_widths[1:]))
    if weights > MAX_PARAMETERS:
        raise ValueError(
            f"{names} give layers of widths {' → '.join(f'{w:,}' for w in layer_widths)}, "
            f"which with their mirror image would need "
            f"about {weights:,} parameters ({4 * weights / 1e9:.1f} GB), more than the "
            f"{MAX_PARAMETERS:,} a model of this course may have: use narrower layers or "
            f"smaller images.")


def check_same_size(model: torch.nn.Module, x: torch.Tensor, x_hat: torch.Tensor) -> None:
    """Raise :class:`ShapeMismatchError` unless ``x_hat`` has the height and width of ``x``.

    The conv models' stages are sized for 28×28 digits (28 → 14 → 7 → 3 and back): another
    size comes back resized (32×32 returns 36×36), which no loss should silently accept.
    """
    if x_hat.shape[-2:] == x.shape[-2:]:
        return
    got = "×".join(map(str, x_hat.shape[-3:]))
    want = "×".join(map(str, x.shape[-3:]))
    raise ShapeMismatchError(
        f"{type(model).__name__} returned images of {got} for inputs of {want}: its layers are "
        f"sized for 1×28×28 digits (28 → 14 → 7 → 3 and back), and no other size comes back "
        f"unchanged. Resize the images to 28×28 (torch.nn.functional.interpolate), or build a "
        f"model for {'×'.join(map(str, x.shape[-2:]))} (course_utils.arithmetic.trace_shapes "
        f"shows each layer's size); do not crop the output."
    )

