"""Interactive explorers, one module per explorer family, each a thin shell over pure functions.

- :mod:`.arithmetic`: the output-size explorer (lesson 05);
- :mod:`.checkerboard`: uneven overlap of a transposed convolution (lesson 05);
- :mod:`.shared`: what every explorer uses (images with alt text, labelled controls,
  frames that keep an explorer alive on the static site, the "needs a kernel" note).

Every lesson's explorer lives in its own module here; lessons import it from there
(``from course_utils.widgets.arithmetic import conv_explorer``). The names below are
re-exported for convenience.
"""

from .arithmetic import (
    LAYERS,
    SLIDER_RANGES,
    Canvas,
    Explanation,
    arithmetic_output_size,
    conv_explorer,
    diagram_canvas,
    diagram_svg,
    explain_layer,
    narrow_width,
    pytorch_output_size,
    worked_formula,
)
from .checkerboard import checkerboard_explorer, overlap_summary, overlap_svg

__all__ = [
    "Canvas", "Explanation", "LAYERS", "SLIDER_RANGES", "arithmetic_output_size",
    "checkerboard_explorer", "conv_explorer", "diagram_canvas", "diagram_svg", "explain_layer",
    "narrow_width", "overlap_summary", "overlap_svg", "pytorch_output_size", "worked_formula",
]
