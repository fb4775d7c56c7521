"""Exercise 5, depth vs width: a wide-and-shallow and a narrow-and-deep FC autoencoder, code 16.

:func:`check_depth_vs_width` builds both and judges what the exercise teaches: the shapes, a
code of 16 numbers that each image is rebuilt from (the forward pass goes through ``encode``
and ``decode``), an activation after every hidden ``Linear`` layer (without one, stacked
layers collapse into a single linear map, and depth means nothing), the wide model's
784 → 512 → 16 → 512 → 784, at least three hidden layers per side in the deep one, each
narrower than 512, parameter counts within 10 % of each other, and both models learning.
"""

from __future__ import annotations

import math
from typing import Any

from torch import nn

from ..summary import count_parameters
from .base import CheckResult
from .common import (
    ACTIVATIONS,
    build,
    check_reconstruction,
    code_of,
    forward_problem,
    layers_run,
    loss_decreases,
    never_raises,
    toy_images,
)

WIDE_PARAMETERS = 821_024  # 784 → 512 → 16 → 512 → 784, weights and biases
CODE_SIZE_5 = 16


def _linear_layers(model: nn.Module) -> list[nn.Linear]:
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def activation_problem(layers: list[nn.Module], name: str) -> CheckResult | None:
    """An activation must run after every hidden Linear layer (the code layer may go without)."""
    for i, layer in enumerate(layers):
        if not isinstance(layer, nn.Linear):
            continue
        following = layers[i + 1:]
        next_linear = next((j for j, m in enumerate(following) if isinstance(m, nn.Linear)),
                           None)
        if next_linear is None or layer.out_features == CODE_SIZE_5:
            continue  # the output layer, or the code layer (ReLU on the code is optional)
        if not any(isinstance(m, ACTIVATIONS) for m in following[:next_linear]):
            return CheckResult(False, f"{name} has no activation after its Linear layer "
                                      f"{layer.in_features} → {layer.out_features}: with nothing "
                                      f"between them, stacked Linear layers collapse into one "
                                      f"linear map, and the autoencoder can do no better than "
                                      f"PCA. Put nn.ReLU() after every hidden Linear layer (as "
                                      f"FCAutoencoder does).")
    return None


@never_raises
def check_depth_vs_width(build_wide: Any, build_deep: Any, *, tolerance: float = 0.10) -> CheckResult:
    """Exercise 5: a wide-and-shallow and a narrow-and-deep FC autoencoder, code 16, equal size.

    Wide: 784 → 512 → 16 → 512 → 784 (821,024 parameters). Deep: at least three hidden
    layers per side, every one narrower than 512, and a parameter count within
    ``tolerance`` (10 %) of the wide model's. Both need an activation after every hidden
    layer and must rebuild each image from its 16-number code.
    """
    x = toy_images(8)
    models = {}
    for name, factory in (("build_wide", build_wide), ("build_deep", build_deep)):
        model = build(factory, name)
        if isinstance(model, CheckResult):
            return model
        context = f" ({name})"
        problem = check_reconstruction(model, x, context)
        if problem is not None:
            return problem
        z = code_of(model, x, context)
        if isinstance(z, CheckResult):
            return z
        if math.prod(z.shape[1:]) != CODE_SIZE_5:
            return CheckResult(False, f"wrong code size{context}: {math.prod(z.shape[1:])} "
                                      f"numbers, the exercise asks for {CODE_SIZE_5}.")
        problem = forward_problem(model, x, z, context)
        if problem is not None:
            return problem
        layers = layers_run(model, model, x.clone())
        if isinstance(layers, CheckResult):
            return layers
        problem = activation_problem(layers, name)
        if problem is not None:
            return problem
        models[name] = model
    wide, deep = models["build_wide"], models["build_deep"]
    wide_linears = _linear_layers(wide)
    wide_count = count_parameters(wide)
    if len(wide_linears) != 4 or wide_count != WIDE_PARAMETERS:
        return CheckResult(False, f"the wide model should be 784 → 512 → 16 → 512 → 784: 4 "
                                  f"Linear layers and {WIDE_PARAMETERS:,} parameters; yours has "
                                  f"{len(wide_linears)} Linear layers and {wide_count:,} "
                                  f"parameters.")
    deep_linears = _linear_layers(deep)
    hidden = [m.out_features for m in deep_linears[:-1] if m.out_features != CODE_SIZE_5]
    if len(deep_linears) < 8:
        return CheckResult(False, f"narrow-and-deep needs at least three hidden layers per "
                                  f"side (8 Linear layers in all); yours has "
                                  f"{len(deep_linears)}.")
    if max(hidden, default=0) >= 512:
        return CheckResult(False, f"narrow means every hidden layer narrower than the wide "
                                  f"model's 512; yours has a layer of {max(hidden)}.")
    deep_count = count_parameters(deep)
    off = deep_count / wide_count - 1
    if abs(off) > tolerance:
        advice = "narrow its layers" if off > 0 else "widen its layers"
        return CheckResult(False, f"wrong parameter count: the deep model has {deep_count:,}, "
                                  f"the wide one {wide_count:,} ({off:+.0%}); a fair comparison "
                                  f"needs them within {tolerance:.0%}: {advice}.")
    for name, model in models.items():
        problem = loss_decreases(model, x)
        if problem is not None:
            return CheckResult(False, f"{name}: {problem.message}")
    return CheckResult(True, f"wide {wide_count:,} and deep {deep_count:,} parameters "
                             f"({off:+.1%}), code size {CODE_SIZE_5} each, an activation after "
                             f"every hidden layer, {len(deep_linears)} Linear layers in the "
                             f"deep one; both train.")


__all__ = ["CODE_SIZE_5", "WIDE_PARAMETERS", "check_depth_vs_width"]
