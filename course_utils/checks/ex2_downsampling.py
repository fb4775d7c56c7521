"""Exercise 2, stride vs pooling: three ways to halve an image, and which one reconstructed best.

:func:`check_downsampling` builds the learner's ``downsample_block(in_channels, out_channels,
mode)`` for each mode and judges what the exercise teaches: each halves the height and width;
``"max"`` and ``"avg"`` run Conv2d → ReLU → MaxPool2d(2) / AvgPool2d(2), with the
convolution at stride 1 and before the pooling; ``"stride"`` runs one Conv2d(stride=2) → ReLU
and no pooling; the output follows the input; and all three cost the same parameters, one 3×3
convolution each. :func:`check_best_mode` reads the learner's answer against the measured
errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import nn

from ..summary import count_parameters
from .base import CheckResult, attempted_or_result
from .budget import EncoderDecoder, _decoder_layers
from .common import build, close, layers_run, names, never_raises, run, shape_text, toy_images


def downsampling_autoencoder(downsample_block: Callable[[int, int, str], nn.Module], mode: str,
                             channels: tuple[int, int] = (16, 32),
                             code_channels: int = 4) -> EncoderDecoder:
    """Exercise 2's autoencoder: two of *your* downsampling blocks, then the shared decoder.

    1×28×28 → block(1, c1) → c1×14×14 → block(c1, c2) → c2×7×7 → Conv 1×1 → code C×7×7,
    and the decoder of exercise 1 back to 1×28×28. Only ``mode`` changes between models.
    """
    c1, c2 = channels
    encoder = nn.Sequential(downsample_block(1, c1, mode), downsample_block(c1, c2, mode),
                            nn.Conv2d(c2, code_channels, kernel_size=1))
    return EncoderDecoder(encoder, nn.Sequential(*_decoder_layers(channels, code_channels)))


_POOLS = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}
_ANY_POOL = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveMaxPool2d, nn.AdaptiveAvgPool2d, nn.LPPool2d)


def _first(layers: list[nn.Module], kind: type | tuple[type, ...]) -> int | None:
    return next((i for i, m in enumerate(layers) if isinstance(m, kind)), None)


def _halves(pool: nn.Module) -> bool:
    """A 2×2 window at stride 2 without padding: what MaxPool2d(2) and AvgPool2d(2) are."""
    def one(v: Any) -> Any:
        return v[0] if isinstance(v, tuple) and len(set(v)) == 1 else v

    return (one(pool.kernel_size), one(pool.stride), one(pool.padding)) == (2, 2, 0)


def block_layer_problem(layers: list[nn.Module], mode: str) -> CheckResult | None:
    """The layers of one block, in the order they ran, against what ``mode`` asks for."""
    conv = _first(layers, nn.Conv2d)
    if conv is None:
        return CheckResult(False, f'mode "{mode}" runs no Conv2d ({names(layers)}): each block '
                                  f"is one 3×3 convolution, then ReLU, then the downsampling.")
    strided = any(isinstance(m, nn.Conv2d) and tuple(m.stride) != (1, 1) for m in layers)
    relu = _first(layers, nn.ReLU)
    if mode in _POOLS:
        pool_class = _POOLS[mode]
        pool_name = pool_class.__name__
        other = _POOLS["avg" if mode == "max" else "max"]
        pool = _first(layers, pool_class)
        if pool is None or _first(layers, other) is not None:
            return CheckResult(False, f'mode "{mode}" should downsample with {pool_name}(2) '
                                      f"after the convolution.")
        if strided:
            return CheckResult(False, f'mode "{mode}": keep the convolution at stride 1 '
                                      f"and let the pooling halve the size.")
        if not _halves(layers[pool]):
            return CheckResult(False, f'mode "{mode}": use {pool_name}(2), a 2×2 window at '
                                      f"stride 2; yours is {layers[pool]!r}.")
        if pool < conv:
            return CheckResult(False, f'mode "{mode}" pools before the convolution: the 3×3 '
                                      f"convolution should see the full-resolution input, then "
                                      f"ReLU, then {pool_name}(2).")
        if relu is None:
            return CheckResult(False, f'mode "{mode}" has no ReLU: the block is Conv2d → '
                                      f"nn.ReLU() → {pool_name}(2). Without it, the encoder's "
                                      f"two blocks are nearly one linear map.")
        if relu < conv:
            return CheckResult(False, f'mode "{mode}": the ReLU comes after the convolution: '
                                      f"Conv2d → ReLU → {pool_name}(2).")
        return None
    if _first(layers, _ANY_POOL) is not None or not strided:
        return CheckResult(False, 'mode "stride" downsamples with the convolution itself '
                                  "(stride=2, padding=1): no pooling layer.")
    if relu is None:
        return CheckResult(False, 'mode "stride" has no ReLU: the block is Conv2d(stride=2, '
                                  'padding=1) → nn.ReLU().')
    if relu < conv:
        return CheckResult(False, 'mode "stride": the ReLU comes after the convolution: '
                                  "Conv2d(stride=2, padding=1) → ReLU.")
    return None


def _shape_hint(mode: str, got: int, size: int) -> str:
    if mode == "stride" and got == size - 1:
        return (" With kernel 3 and stride 2, padding 0 gives floor((28 − 3)/2) + 1 = 13: use "
                "padding=1.")
    if got == 2 * size:
        return " Nothing halved the size: add the pooling, or stride=2."
    if got < size:
        return " The size was halved twice: use either pooling or stride 2."
    return ""


@never_raises
def check_downsampling(downsample_block: Any) -> CheckResult:
    """Exercise 2: ``downsample_block(in_channels, out_channels, mode)`` halves H and W.

    ``mode`` is ``"max"`` (3×3 conv, ReLU, MaxPool2d(2)), ``"avg"`` (same with
    AvgPool2d(2)) or ``"stride"`` (3×3 conv with stride 2, ReLU). All three must map
    1×28×28 → C×14×14 and C×14×14 → C'×7×7, follow their input, run their layers in that
    order, and have the same number of parameters: one 3×3 convolution each.
    """
    counts, firsts = {}, {}
    for mode in ("max", "avg", "stride"):
        blocks = []
        for c_in, c_out in ((1, 8), (8, 16)):
            block = build(downsample_block, f'downsample_block(..., mode="{mode}")', c_in,
                          c_out, mode)
            if isinstance(block, CheckResult):
                return block
            blocks.append(block.eval())
        x = toy_images(2)
        for block, size, c_out in ((blocks[0], 14, 8), (blocks[1], 7, 16)):
            out = run(block, x.clone(), what=f'the "{mode}" block')
            if isinstance(out, CheckResult):
                return out
            want = (x.shape[0], c_out, size, size)
            if tuple(out.shape) != want:
                got = out.shape[-1] if out.ndim else -1
                return CheckResult(False, f'wrong output shape for mode "{mode}": '
                                          f"{shape_text(x.shape[1:])} → "
                                          f"{shape_text(out.shape[1:])}, expected "
                                          f"{shape_text(want[1:])}.{_shape_hint(mode, got, size)}")
            if not out.dtype.is_floating_point:
                return CheckResult(False, f'the "{mode}" block returns {out.dtype} values: '
                                          f"keep the feature maps as float32 tensors.")
            x = out
        first = toy_images(2)
        out = run(blocks[0], first.clone(), what=f'the "{mode}" block')
        swapped = run(blocks[0], first.flip(0), what=f'the "{mode}" block')
        for result in (out, swapped):
            if isinstance(result, CheckResult):
                return result
        if close(swapped, out):
            return CheckResult(False, f'the "{mode}" block gives the same output for every '
                                      f"input: its output must follow the image (is something "
                                      f"multiplied by zero, or replaced?).")
        layers = layers_run(blocks[0], blocks[0], first.clone())
        if isinstance(layers, CheckResult):
            return layers
        problem = block_layer_problem(layers, mode)
        if problem is not None:
            return problem
        counts[mode] = count_parameters(blocks[0]) + count_parameters(blocks[1])
        firsts[mode] = layers
    if len(set(counts.values())) > 1:
        listed = ", ".join(f"{m}: {n:,}" for m, n in counts.items())
        return CheckResult(False, f"wrong parameter count: the three blocks should cost the "
                                  f"same (one 3×3 convolution each; pooling has no "
                                  f"parameters), but yours have {listed}.")
    for mode, layers in firsts.items():
        convs = [m for m in layers if isinstance(m, nn.Conv2d)]
        if len(convs) != 1 or tuple(convs[0].kernel_size) != (3, 3):
            kernels = ", ".join("×".join(map(str, m.kernel_size)) for m in convs)
            return CheckResult(False, f"each block should have exactly one 3×3 convolution, so "
                                      f"that the three modes differ only in how they downsample; "
                                      f'mode "{mode}" runs {len(convs)} ({kernels}).')
    return CheckResult(True, f"all three modes halve the size with the same parameters "
                             f"({counts['max']:,} for the two blocks tried): max and average "
                             f"pooling after a stride-1 convolution and a ReLU, and a "
                             f"stride-2 convolution with a ReLU.")


def _number(value: Any) -> float | None:
    """``value`` as a float when it is a real number (Python, NumPy or a one-element tensor)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 or value.dtype == torch.bool or value.is_complex():
            return None
        return float(value.item())
    try:
        return float(value) if not isinstance(value, (str, bytes)) else None
    except (TypeError, ValueError, OverflowError):
        return None


@never_raises
def check_best_mode(answer: Any, results: Mapping[str, float]) -> CheckResult:
    """Exercise 2, part 2: ``answer`` names the mode with the lowest test MSE in ``results``.

    A mode whose run diverged (a NaN or infinite error) cannot be the best; a tie accepts
    either mode.
    """
    blank = attempted_or_result(answer, "best_mode")
    if blank is not None:
        return blank
    if hasattr(results, "to_dict") and not isinstance(results, Mapping):  # a pandas Series
        try:
            results = results.to_dict()
        except Exception:  # a DataFrame's or another object's to_dict
            pass
    if results is None or (isinstance(results, Mapping) and not results):
        return CheckResult(None, "train the three models first (the cell above), then answer.")
    if not isinstance(results, Mapping):
        return CheckResult(False, f"results should be the dict the training cell fills "
                                  f"({{'max': test MSE, ...}}); got a {type(results).__name__}.")
    scores: dict[Any, float] = {}
    for mode, value in results.items():
        number = _number(value)
        if number is None:
            return CheckResult(False, f"the result for {mode!r} is {value!r}, not a number: "
                                      f"results maps each mode to its test MSE.")
        scores[mode] = number
    if not isinstance(answer, str):
        return CheckResult(False, f'answer with one mode, as a string such as "max"; got '
                                  f"{type(answer).__name__} {answer!r}.")
    by_name = {str(m).strip().lower(): m for m in scores}
    key = answer if answer in scores else by_name.get(answer.strip().lower())
    if key is None:
        return CheckResult(False, f"answer with one of {', '.join(map(repr, scores))}.")
    if not math.isfinite(scores[key]):
        return CheckResult(False, f'"{key}" reached a test MSE of {scores[key]}: that run '
                                  f"diverged, so it cannot be the best. Answer with the lowest "
                                  f"finite error in the table (and train the diverged one again "
                                  f"with a lower learning rate to compare it).")
    best = min(v for v in scores.values() if math.isfinite(v))
    if scores[key] > best:
        winner = next(m for m, v in scores.items() if v == best)
        return CheckResult(False, f'in your run "{key}" reached {scores[key]:.5f}, but '
                                  f'"{winner}" reached {best:.5f}: read the table again.')
    tie = [m for m, v in scores.items() if v == best and m != key]
    tied = f", tied with {', '.join(map(repr, tie))}" if tie else ""
    return CheckResult(True, f'"{key}" reconstructs best in this run (test MSE '
                             f"{best:.5f}{tied}).")


__all__ = ["check_best_mode", "check_downsampling", "downsampling_autoencoder"]
