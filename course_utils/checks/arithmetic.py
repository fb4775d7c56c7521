""""Find the settings" challenges of lesson 05: which layer settings take one size to another?

The learner answers with a dict (or keyword arguments) of layer settings::

    check_settings("14→28", {"kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1})
    check_settings("14→28", kernel_size=3, stride=2, padding=1, output_padding=1)

Settings left out take PyTorch's defaults (stride 1, padding 0, output_padding 0,
dilation 1). The answer is checked with :mod:`course_utils.arithmetic` *and* with a real
PyTorch layer, and a wrong answer gets a hint that points at the formula.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from .. import arithmetic
from .base import CheckResult, not_attempted

SETTING_NAMES = ("kernel_size", "stride", "padding", "output_padding", "dilation")
DEFAULT_SETTINGS = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1}


@dataclass(frozen=True)
class Challenge:
    """Take a ``size_in``×``size_in`` input to ``size_out``×``size_out`` with one ``layer``.

    ``fixed`` are settings the challenge imposes (e.g. a 3×3 kernel); ``hint`` is shown
    with a wrong answer.
    """

    name: str
    layer: str  # "ConvTranspose2d" or "Conv2d"
    size_in: int
    size_out: int
    fixed: dict[str, int] = field(default_factory=dict)
    hint: str = ""

    @property
    def task(self) -> str:
        fixed = ", ".join(f"{k}={v}" for k, v in self.fixed.items())
        return (f"{self.layer}: {self.size_in}×{self.size_in} → {self.size_out}×{self.size_out}"
                + (f" with {fixed}" if fixed else ""))


CHALLENGES: dict[str, Challenge] = {
    c.name: c for c in [
        Challenge(
            "14→28", "ConvTranspose2d", 14, 28, {"kernel_size": 3},
            hint="doubling needs stride 2. Then (14 − 1)·2 − 2p + (3 − 1) + a + 1 = 28 "
                 "means 2p − a = 1: which padding p and output_padding a (< stride) solve it?"),
        Challenge(
            "7→14", "ConvTranspose2d", 7, 14, {},
            hint="stride 2 again, any kernel. (7 − 1)·2 − 2p + (k − 1) + a + 1 = 14 means "
                 "k + a − 2p = 2: pick a kernel size, then solve for p and a (a < stride). "
                 "An even kernel needs no output_padding."),
        Challenge(
            "3→7", "ConvTranspose2d", 3, 7, {"kernel_size": 3, "stride": 2},
            hint="this is the first layer of the deep decoder. (3 − 1)·2 − 2p + (3 − 1) + a + 1"
                 " = 7 means a = 2p: the smallest answer needs neither padding nor "
                 "output_padding."),
        Challenge(
            "28→14", "Conv2d", 28, 14, {"kernel_size": 3},
            hint="halving needs stride 2. Then ⌊(28 + 2p − (3 − 1) − 1)/2⌋ + 1 = 14: which "
                 "padding p solves it? Without padding the kernel loses a row at each edge."),
    ]
}


REAL_LAYER_LIMIT = 64
"""The largest setting the check builds a real layer for: a kernel of k costs k² weights, so
an answer such as kernel_size=2_000_000_001 (right by the formula, with padding to match) is
checked by the formula alone, not by allocating 16 EB."""


def _real_output_size(layer: str, size: int, settings: dict[str, int]) -> int:
    """Run a real one-channel layer on a 1×1×size×size input (RuntimeError if PyTorch refuses)."""
    if layer == "ConvTranspose2d":
        module: nn.Module = nn.ConvTranspose2d(1, 1, **settings)
    else:
        conv = {k: v for k, v in settings.items() if k != "output_padding"}
        module = nn.Conv2d(1, 1, **conv)
    with torch.no_grad():
        return int(module(torch.zeros(1, 1, size, size)).shape[-1])


def whole_number(value: Any) -> int | None:
    """``value`` as an int when it is a whole number: a Python, NumPy or one-element PyTorch
    integer (``3``, ``np.int64(3)``, ``torch.tensor(3)``); None for floats, bools and the rest."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, torch.Tensor) and (value.dtype == torch.bool or value.numel() != 1):
        return None
    if isinstance(value, np.ndarray) and value.dtype == np.bool_:
        return None
    try:
        return operator.index(value)
    except Exception:  # not an integer of any kind (TypeError), or a failing __index__
        return None


def _normalise(answer: Any, kwargs: dict[str, Any]) -> dict[str, int] | str:
    """The answer as a settings dict of ints, or a message saying what is wrong with its form."""
    if answer is not None and answer is not Ellipsis and kwargs:
        return "give the settings either as a dict or as keyword arguments, not both."
    raw = dict(kwargs) if kwargs else answer
    if not isinstance(raw, Mapping):
        return (f"the answer should be a dict such as {{'kernel_size': 3, 'stride': 2, ...}}, "
                f"got {type(raw).__name__}.")
    raw = dict(raw)
    if "kernel" in raw and "kernel_size" not in raw:  # a friendly alias
        raw = {("kernel_size" if k == "kernel" else k): v for k, v in raw.items()}
    unknown = sorted(repr(k) for k in raw if k not in SETTING_NAMES)
    if unknown:
        return f"unknown setting(s) {', '.join(unknown)}; use {list(SETTING_NAMES)}."
    settings: dict[str, int] = {}
    for key, value in raw.items():
        if value is Ellipsis or value is None:
            return f"{key} is still blank (...): fill in a number."
        number = whole_number(value)
        if number is None:
            return f"{key} must be a whole number, got {value!r}."
        settings[key] = number
    if "kernel_size" not in settings:
        return "kernel_size is missing: every layer needs one."
    return {**DEFAULT_SETTINGS, **settings}


def check_settings(challenge: str | Challenge, answer: Any = None, /,
                   **kwargs: Any) -> CheckResult:
    """Check settings that should solve one challenge (by name, e.g. ``"14→28"``).

    A blank answer (``None`` or ``...``) is "not attempted yet". Otherwise the answer must
    respect the challenge's fixed settings, be accepted by PyTorch, and give the right size
    both by the formula and on a real layer.
    """
    if isinstance(challenge, str):
        key = challenge.replace("->", "→").replace(" ", "")
        if key not in CHALLENGES:
            raise ValueError(f"unknown challenge {challenge!r}; choose from {list(CHALLENGES)}")
        challenge = CHALLENGES[key]
    elif not isinstance(challenge, Challenge):
        raise TypeError(f"challenge should be a challenge's name such as '14→28', got "
                        f"{type(challenge).__name__}; choose from {list(CHALLENGES)}")
    if not kwargs and not_attempted(answer):
        return CheckResult(None, f"{challenge.task}: fill in your settings and run the cell "
                                 f"again.")
    settings = _normalise(answer, kwargs)
    if isinstance(settings, str):
        return CheckResult(False, settings)
    for key, value in challenge.fixed.items():
        if settings[key] != value:
            return CheckResult(False, f"this challenge fixes {key}={value}, you have "
                                      f"{key}={settings[key]}.")
    if challenge.layer == "Conv2d" and settings["output_padding"]:
        return CheckResult(False, "Conv2d has no output_padding: leave it out.")
    try:
        if challenge.layer == "ConvTranspose2d":
            size = arithmetic.conv_transpose_output_size(challenge.size_in, **settings)
        else:
            conv = {k: v for k, v in settings.items() if k != "output_padding"}
            size = arithmetic.conv_output_size(challenge.size_in, **conv)
    except ValueError as error:
        return CheckResult(False, f"PyTorch would refuse these settings: {error} "
                                  f"Hint: {challenge.hint}")
    if size != challenge.size_out:
        return CheckResult(False, f"these settings give {challenge.size_in} → {size}, not "
                                  f"{challenge.size_out}. Hint: {challenge.hint}")
    shown = ", ".join(f"{k}={settings[k]}" for k in SETTING_NAMES
                      if not (k == "output_padding" and challenge.layer == "Conv2d"))
    if max(settings.values()) > REAL_LAYER_LIMIT:
        return CheckResult(True, f"{challenge.layer}({shown}) takes {challenge.size_in}×"
                                 f"{challenge.size_in} to {size}×{size} by the formula (too "
                                 f"large a layer to build; a smaller kernel does the same).")
    try:
        real = _real_output_size(challenge.layer, challenge.size_in, settings)
    except Exception as error:  # PyTorch refused what the formula allowed: a course bug
        return CheckResult(False, f"the formula gives {size}, but PyTorch refused the layer "
                                  f"({type(error).__name__}: {error}): please report this.")
    if real != challenge.size_out:  # the arithmetic module and PyTorch disagree: a course bug
        return CheckResult(False, f"the formula says {size} but PyTorch made {real}: please "
                                  f"report this.")
    return CheckResult(True, f"{challenge.layer}({shown}) takes {challenge.size_in}×"
                             f"{challenge.size_in} to {real}×{real} (checked on a real layer).")


__all__ = ["CHALLENGES", "Challenge", "check_settings", "whole_number"]
