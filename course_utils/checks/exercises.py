"""Checks for lesson 11's five exercises, and the small helpers the exercises share.

Every ``check_*`` function *runs* the learner's code on a few small images, on a copy of the
learner's model, and answers with a :class:`~course_utils.checks.base.CheckResult`: right,
wrong with a hint that names the mistake (a wrong output shape, a wrong layer, a forward
pass that goes around the code, a skip that is never used, a parameter count, a loss that
does not go down, ...), or "not attempted yet" while the answer is still blank (``None`` or
``...``). A check never raises: an exception in the learner's code becomes a hint.

One module per exercise; this one gathers them, so ``from course_utils.checks.exercises
import ...`` keeps working:

1. :mod:`.ex1_architecture`: :func:`check_architecture` (a conv autoencoder built from
   ``channels``, ``kernel_size``, ``code_channels``) and :func:`check_sweep` (a table of
   parameters vs error);
2. :mod:`.ex2_downsampling`: :func:`check_downsampling` (max pooling, average pooling or a
   strided convolution) and :func:`check_best_mode` (which one reconstructed best in your run);
3. :mod:`.ex3_colour`: :func:`check_colour` (an autoencoder for 3×32×32 colour images);
4. :mod:`.ex4_unet`: :func:`check_unet` (skip connections) and :func:`check_zero_code`
   (decoding a zeroed code);
5. :mod:`.ex5_depth_width`: :func:`check_depth_vs_width` (wide-and-shallow vs
   narrow-and-deep at equal parameters).

What they share is in :mod:`.common` (running answers safely, on a copy; shapes; where the
code is; which layers run; :func:`explain_error`; :func:`loss_decreases`) and :mod:`.budget`
(:class:`EncoderDecoder`, :data:`BUDGET`, :func:`train_and_score`).
"""

from __future__ import annotations

# The private names keep working for code written against the single-module version.
from .budget import BUDGET, EncoderDecoder, _decoder_layers, train_and_score  # noqa: F401
from .common import build as _build  # noqa: F401
from .common import check_reconstruction as _check_reconstruction  # noqa: F401
from .common import code_of as _code_of  # noqa: F401
from .common import explain_error, loss_decreases, toy_images
from .common import run as _run  # noqa: F401
from .common import shape_text as _shape_text  # noqa: F401
from .ex1_architecture import (
    SweepRow,
    _reference_conv_ae,  # noqa: F401
    check_architecture,
    check_sweep,
    run_sweep,
    sweep_table,
)
from .ex2_downsampling import check_best_mode, check_downsampling, downsampling_autoencoder
from .ex3_colour import check_colour
from .ex4_unet import _outputs_with_zero_code, check_unet, check_zero_code  # noqa: F401
from .ex5_depth_width import CODE_SIZE_5, WIDE_PARAMETERS, check_depth_vs_width

__all__ = [
    "BUDGET",
    "CODE_SIZE_5",
    "WIDE_PARAMETERS",
    "EncoderDecoder",
    "SweepRow",
    "check_architecture",
    "check_best_mode",
    "check_colour",
    "check_depth_vs_width",
    "check_downsampling",
    "check_sweep",
    "check_unet",
    "check_zero_code",
    "downsampling_autoencoder",
    "explain_error",
    "loss_decreases",
    "run_sweep",
    "sweep_table",
    "toy_images",
    "train_and_score",
]
