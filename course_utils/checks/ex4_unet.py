"""Exercise 4, skip connections: a U-Net style autoencoder, and its code set to zero.

:func:`check_unet` builds the learner's ``MyUNet`` and judges what the exercise teaches: the
output still follows the input when the code is zeroed (skips exist), the parameter count of
the specified architecture (concatenation, not addition), the forward pass is
``decode(*encode_with_skips(x))``, the code made by ``self.bottleneck`` reaches the output
(it is not bypassed), and each encoder feature map, ``s1`` and ``s2``, changes the output
when it changes (each skip is used). :func:`check_zero_code` runs the learner's
``decode_from_zero_code(model, images)`` on copies of the course's U-Net and plain
autoencoder: only the code may be zeroed, and neither the model nor the images may change.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ..models.unet import UNetAutoencoder
from ..summary import count_parameters
from .base import CheckResult, attempted_or_result
from .common import (
    ModelState,
    perturbed,
    build,
    call,
    check_reconstruction,
    close,
    dtype_problem,
    logits_problem,
    loss_decreases,
    never_raises,
    run,
    shape_text,
    toy_images,
)


def _outputs_with_code(model: nn.Module, images: torch.Tensor,
                       change: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    """``model(images)`` with the output of ``model.bottleneck`` replaced by ``change(code)``."""
    handle = model.bottleneck.register_forward_hook(lambda m, i, out: change(out))
    try:
        return call(model, images)
    finally:
        handle.remove()


def _outputs_with_zero_code(model: nn.Module, images: torch.Tensor) -> Any:
    """``model(images)`` with the output of ``model.bottleneck`` replaced by zeros."""
    return _outputs_with_code(model, images, torch.zeros_like)


def _bottleneck_calls(model: nn.Module, images: torch.Tensor) -> int | CheckResult:
    """How many times one forward pass calls ``model.bottleneck``."""
    calls: list[None] = []
    handle = model.bottleneck.register_forward_hook(lambda m, i, out: calls.append(None))
    try:
        out = call(model, images)
    finally:
        handle.remove()
    return out if isinstance(out, CheckResult) else len(calls)


def _scaffold_parts(model: nn.Module, x: torch.Tensor
                    ) -> tuple[torch.Tensor, list[torch.Tensor]] | CheckResult:
    """``z, [s1, s2] = model.encode_with_skips(x)``, checked; or a verdict."""
    keep = ("keep the scaffold's encode_with_skips(x), which returns (z, [s1, s2]), and "
            "decode(z, skips): the check changes each of them to see that your decoder uses it.")
    if not callable(getattr(model, "encode_with_skips", None)) or \
            not callable(getattr(model, "decode", None)):
        return CheckResult(False, f"MyUNet has no encode_with_skips or decode method: {keep}")
    pair = call(model.encode_with_skips, x.clone())
    if isinstance(pair, CheckResult):
        return pair
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2
            and isinstance(pair[0], torch.Tensor) and isinstance(pair[1], (tuple, list))
            and len(pair[1]) == 2 and all(isinstance(s, torch.Tensor) for s in pair[1])):
        return CheckResult(False, f"encode_with_skips should return (z, [s1, s2]); yours "
                                  f"returned {type(pair).__name__}: {keep}")
    return pair[0], list(pair[1])


def _unet_flow_problem(model: nn.Module, x: torch.Tensor) -> CheckResult | None:
    """The forward pass is decode(z, skips); the code and each skip reach the output."""
    parts = _scaffold_parts(model, x)
    if isinstance(parts, CheckResult):
        return parts
    z, skips = parts
    out = run(model, x.clone(), what="the model's forward")
    if isinstance(out, CheckResult):
        return out
    rebuilt = run(model.decode, z.clone(), [s.clone() for s in skips], what="decode(z, skips)")
    if isinstance(rebuilt, CheckResult):
        return rebuilt
    if not close(rebuilt, out):
        return CheckResult(False, "model(x) is not decode(z, skips) with (z, skips) = "
                                  "encode_with_skips(x): forward must go through them, so the "
                                  "output is made from the code and the encoder features only.")
    calls = _bottleneck_calls(model, x.clone())
    if isinstance(calls, CheckResult):
        return calls
    if calls == 0:
        return CheckResult(False, "forward never calls self.bottleneck: the code z must come "
                                  "from it (the 1×1 convolution to 4 channels).")
    moved = _outputs_with_code(model, x.clone(), perturbed)
    if isinstance(moved, CheckResult):
        return moved
    if isinstance(moved, torch.Tensor) and moved.shape == out.shape and \
            float((moved - out).abs().max()) < 1e-6:
        return CheckResult(False, "the bottleneck is bypassed: changing the code (the output "
                                  "of self.bottleneck) does not change the reconstruction. The "
                                  "decoder must start from z: from_code(z) → up2 → …")
    for i, (name, merge) in enumerate((("s1", "merge1"), ("s2", "merge2"))):
        changed = [s.clone() for s in skips]
        changed[i] = perturbed(skips[i])
        moved = run(model.decode, z.clone(), changed, what="decode(z, skips)")
        if isinstance(moved, CheckResult):
            return moved
        if moved.shape == rebuilt.shape and float((moved - rebuilt).abs().max()) < 1e-6:
            return CheckResult(False, f"the decoder never uses {name} (the "
                                      f"{shape_text(skips[i].shape[1:])} encoder features): "
                                      f"concatenate it with the upsampled tensor of the same "
                                      f"size, torch.cat([upsampled, {name}], dim=1), before "
                                      f"{merge}.")
    return None


@never_raises
def check_unet(unet_class: Any) -> CheckResult:
    """Exercise 4: a U-Net style autoencoder whose decoder concatenates encoder features.

    ``unet_class()`` must build the model; its layer that makes the code must be called
    ``bottleneck``, and it keeps the scaffold's ``encode_with_skips`` and ``decode(z, skips)``.
    Checked: the output shape; that the output still depends on the input when the code is
    zeroed (the skips exist); the parameter count of the specified architecture; that the
    code and both skips reach the output; and a loss that goes down.
    """
    model = build(unet_class, "MyUNet")
    if isinstance(model, CheckResult):
        return model
    if not isinstance(getattr(model, "bottleneck", None), nn.Module):
        return CheckResult(False, "name the layer that makes the code self.bottleneck (the 1×1 "
                                  "convolution), so the check can find the code.")
    x = toy_images(4)
    problem = check_reconstruction(model, x, "")
    if problem is not None:
        return problem
    zeroed = _outputs_with_zero_code(model, x.clone())
    if isinstance(zeroed, CheckResult):
        return zeroed
    if isinstance(zeroed, torch.Tensor) and zeroed.shape == x.shape and \
            float((zeroed - zeroed[:1]).abs().max()) < 1e-6:
        return CheckResult(False, "skip connection missing: with the code zeroed, your model "
                                  "gives the same output for every input, so everything goes "
                                  "through the bottleneck. Concatenate the encoder features "
                                  "into the decoder: torch.cat([upsampled, skip], dim=1).")
    reference = UNetAutoencoder(1, (16, 32), 4)
    plain = UNetAutoencoder(1, (16, 32), 4, skips=False)
    got, want = count_parameters(model), count_parameters(reference)
    if got != want:
        hint = ""
        if got == count_parameters(plain):
            hint = (" That is the count without concatenation: did you add the features "
                    "(a residual) instead of concatenating them?")
        return CheckResult(False, f"wrong parameter count: {got:,}, the specified U-Net has "
                                  f"{want:,} ({got - want:+,}).{hint} The convolution after "
                                  f"each concatenation reads both tensors' channels (32 + 32 "
                                  f"at 14×14, 16 + 16 at 28×28).")
    problem = _unet_flow_problem(model, x)
    if problem is not None:
        return problem
    out = run(model, x.clone(), what="the model's forward")
    if isinstance(out, CheckResult):
        return out
    problem = logits_problem(model, x, out, "")
    if problem is not None:
        return problem
    problem = loss_decreases(model, x)
    if problem is not None:
        return problem
    return CheckResult(True, f"skip connections work: with the code zeroed the output still "
                             f"follows the input, and the code, s1 and s2 each reach the "
                             f"output; {got:,} parameters, as specified; the loss goes down.")


@functools.cache
def _reference_unets() -> tuple[tuple[bool, UNetAutoencoder, torch.Tensor, torch.Tensor], ...]:
    """The course's U-Net and plain autoencoder (seed 0, eval mode), images, and the expected
    outputs with the code zeroed; built once. Answers only ever get deep copies of them."""
    x = toy_images(4)
    references = []
    with torch.random.fork_rng(devices=[]):
        for skips in (True, False):
            torch.manual_seed(0)
            model = UNetAutoencoder(1, (16, 32), 4, skips=skips).eval()
            expected = _outputs_with_zero_code(model, x.clone())
            references.append((skips, model, x, expected))
    return tuple(references)


@never_raises
def check_zero_code(decode_from_zero_code: Any) -> CheckResult:
    """Exercise 4, part 2: ``decode_from_zero_code(model, images)`` zeroes only the code.

    Run on copies of the reference :class:`UNetAutoencoder`, with and without skips: the
    encoder features must be kept, the code replaced by zeros, and neither the model (its
    weights, layers, hooks and mode) nor the images may change: the learner calls the same
    function on a trained model later.
    """
    blank = attempted_or_result(decode_from_zero_code, "decode_from_zero_code")
    if blank is not None:
        return blank
    if not callable(decode_from_zero_code):
        return CheckResult(False, f"decode_from_zero_code should be a function of (model, "
                                  f"images); got {type(decode_from_zero_code).__name__}.")
    for skips, reference, x, expected in _reference_unets():
        model = copy.deepcopy(reference)
        state = ModelState.of(model)
        given = x.clone()
        out = run(decode_from_zero_code, model, given, what="decode_from_zero_code")
        changed = state.changes(model)
        if changed is not None:
            return CheckResult(False, f"decode_from_zero_code changed the model it was given: "
                                      f"{changed}. Called on your trained U-Net in a later "
                                      f"cell, that would damage it for good. Zero the code "
                                      f"tensor (torch.zeros_like(z)) and leave the model as it "
                                      f"was.")
        if not torch.equal(given, x):
            return CheckResult(False, "decode_from_zero_code changed the images it was given "
                                      "(an in-place operation such as images.zero_()): encode "
                                      "them as they are, and zero only the code.")
        if isinstance(out, CheckResult):
            return out
        problem = dtype_problem(out, "decode_from_zero_code")
        if problem is not None:
            return problem
        if out.shape != x.shape:
            return CheckResult(False, f"wrong output shape: {tuple(out.shape)} for images of "
                                      f"{tuple(x.shape)}: return the decoded images.")
        if close(out, expected):
            continue
        normal = run(reference, x.clone(), what="the model")
        zero_input = run(reference, torch.zeros_like(x), what="the model")
        all_zero = run(lambda: reference.decode(torch.zeros_like(reference.encode(x))),
                       what="the model")
        name = "U-Net" if skips else "plain autoencoder"
        if close(out, normal):
            hint = "that is the normal reconstruction: the code was not replaced"
        elif close(out, zero_input):
            hint = "you zeroed the input images; keep the input, zero only the code"
        elif skips and close(out, all_zero):
            hint = ("you zeroed the skip features too (decode without skips); keep the "
                    "encoder features from encode_with_skips and zero only the code")
        else:
            hint = "compare with model.decode(torch.zeros_like(z), skips)"
        return CheckResult(False, f"on the {name}, {hint}.")
    return CheckResult(True, "the code is replaced by zeros and the encoder features are kept, "
                             "for the U-Net and for the plain autoencoder; the model and the "
                             "images are left as they were.")


__all__ = ["check_unet", "check_zero_code"]
