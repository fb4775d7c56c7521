"""Exercise 3, colour images: an autoencoder for 3×32×32 images through a smaller code.

:func:`check_colour` builds the learner's ``build_colour_ae()`` and judges what the exercise
teaches: three channels in and three out, 32×32 kept, values in [0, 1], a code smaller than
the image's 3,072 numbers, every image rebuilt from that code alone (the forward pass goes
through ``encode`` and ``decode``, the decoder reads the code and nothing saved from the
input, the code follows the image), and a loss that goes down.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..summary import count_parameters
from .base import CheckResult
from .common import (
    build,
    check_reconstruction,
    code_flow_problem,
    code_of,
    logits_problem,
    loss_decreases,
    never_raises,
    run,
    toy_images,
)

IMAGE_NUMBERS = 3 * 32 * 32


@never_raises
def check_colour(build_colour_ae: Any) -> CheckResult:
    """Exercise 3: ``build_colour_ae()`` reconstructs 3×32×32 images through a smaller code."""
    x = toy_images(4, channels=3, size=32)
    model = build(build_colour_ae, "build_colour_ae")
    if isinstance(model, CheckResult):
        return model
    model.eval()
    out = run(model, x.clone(), what="the model's forward")
    if isinstance(out, CheckResult):
        if re.search(r"expects 1 input channels but receives 3", out.message):
            return CheckResult(False, "channels wrong for colour: the first convolution takes 1 "
                                      "channel, but CIFAR-10 images have 3 (red, green, blue). "
                                      "Use in_channels=3.")
        return out
    problem = check_reconstruction(model, x, " on 3×32×32 images")
    if problem is not None:
        return problem
    z = code_of(model, x, "")
    if isinstance(z, CheckResult):
        return z
    code = math.prod(z.shape[1:])
    if code >= IMAGE_NUMBERS:
        return CheckResult(False, f"the code has {code:,} numbers, not fewer than the "
                                  f"3×32×32 = 3,072 of the image: nothing is compressed. Use "
                                  f"fewer channels at the bottleneck.")
    problem = code_flow_problem(model, x, out, z, "")
    if problem is not None:
        return problem
    problem = logits_problem(model, x, out, "")
    if problem is not None:
        return problem
    problem = loss_decreases(model, x)
    if problem is not None:
        return problem
    return CheckResult(True, f"3×32×32 in, 3×32×32 out in [0, 1], through a code of {code:,} "
                             f"numbers ({IMAGE_NUMBERS / code:.1f}× smaller) that every image "
                             f"is rebuilt from, {count_parameters(model):,} parameters; the "
                             f"loss goes down.")


__all__ = ["check_colour"]
