"""The checkerboard explorer: how evenly a transposed convolution's kernel overlaps itself.

:func:`overlap_summary` says in words how many contributions each interior output pixel
gets; :func:`overlap_svg` draws :func:`~course_utils.checkerboard.overlap_counts` as a
labelled heatmap; :func:`checkerboard_frame` is both, for one setting.
:func:`checkerboard_explorer` precomputes a frame for every kernel and stride on its
sliders, so both sliders work on the course site without a kernel; the input-size slider
recomputes the frames (in a kernel).
"""

from __future__ import annotations

import html
import math
import operator

from ..checkerboard import overlap_counts
from .shared import disable_for_site, frames_stack, int_slider, kernel_note, selection_slider

#: The sliders' values (inclusive): every frame is precomputed.
KERNELS = tuple(range(1, 8))
STRIDES = tuple(range(1, 5))
SIZES = (1, 8)


def _whole(value: object, name: str, low: int, high: int) -> int:
    """``value`` as an ``int`` from ``low`` to ``high`` (Python, NumPy or PyTorch integers)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        hint = ""
        if isinstance(value, float) and math.isfinite(value):
            hint = f": round it, e.g. {math.floor(value)} or {math.ceil(value)}"
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got "
                         f"{value!r}{hint}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {number}")
    return int(number)


def overlap_summary(kernel: int, stride: int) -> str:
    """In words: how many contributions interior output pixels get, and whether that is even."""
    kernel, stride = _whole(kernel, "kernel", 1, 64), _whole(stride, "stride", 1, 64)
    low, high = kernel // stride, -(-kernel // stride)
    if low == high:
        return (f"k={kernel}, s={stride}: every interior output pixel gets {low} contribution(s) "
                f"per direction ({low * low} in 2-D): even overlap, no checkerboard from counting.")
    if low == 0:
        return (f"k={kernel}, s={stride}: the kernel is smaller than the stride, so some output "
                f"pixels get no contribution at all: gaps, the worst unevenness.")
    return (f"k={kernel}, s={stride}: interior output pixels get {low} or {high} contributions "
            f"per direction ({low * low} to {high * high} in 2-D): uneven, a pattern that "
            f"repeats every {stride} pixels. k divisible by s would make it even.")


def overlap_svg(kernel: int, stride: int, size: int = 5, *, cell: int = 16) -> str:
    """A heatmap of :func:`~course_utils.checkerboard.overlap_counts`, each cell labelled.

    Compact: one path per count (cells of the same shade together) and the labels in two
    groups, so a frame stays a few kilobytes. ``role="img"`` and ``aria-label`` give it a
    text alternative.
    """
    kernel, stride = _whole(kernel, "kernel", 1, 64), _whole(stride, "stride", 1, 64)
    size = _whole(size, "size", 1, 64)
    counts = overlap_counts(kernel, stride, size)
    n = counts.shape[0]
    top = int(counts.max())
    width, height = max(n * cell + 10, 460), n * cell + 30
    values = sorted({int(v) for v in counts.ravel()})
    label = (f"Overlap counts of a {kernel}×{kernel} transposed convolution with stride "
             f"{stride} on a {size}×{size} input: {n}×{n} output pixels receiving "
             + ", ".join(map(str, values)) + " contributions.")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
             f'aria-label="{html.escape(label, quote=True)}" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="10">',
             f'<text x="0" y="12">overlap counts, ConvTranspose2d k={kernel} s={stride} on a '
             f'{size}×{size} input ({n}×{n} out)</text>']
    for value in values:
        shade = int(255 - 200 * value / max(top, 1))
        d = "".join(f"M{c * cell} {20 + r * cell}h{cell}v{cell}h-{cell}z"
                    for r in range(n) for c in range(n) if counts[r, c] == value)
        parts.append(f'<path d="{d}" fill="rgb({shade},{shade},255)" stroke="#ccc" '
                     f'stroke-width="0.5"/>')
    for dark in (False, True):
        texts = "".join(f'<text x="{c * cell + cell // 2}" y="{20 + r * cell + cell // 2 + 3}">'
                        f"{int(counts[r, c])}</text>"
                        for r in range(n) for c in range(n)
                        if (counts[r, c] > top / 2) == dark)
        colour = "#fff" if dark else "#000"
        parts.append(f'<g text-anchor="middle" fill="{colour}">{texts}</g>')
    parts.append("</svg>")
    return "".join(parts)


def checkerboard_frame(kernel: int, stride: int, size: int = 5) -> str:
    """What the explorer shows for one setting: the sentence and the heatmap."""
    return (f'<div class="course-checkerboard-summary">'
            f"{html.escape(overlap_summary(kernel, stride))}</div>"
            f"{overlap_svg(kernel, stride, size)}")


def checkerboard_explorer(kernel: int = 3, stride: int = 2, size: int = 5):
    """Kernel and stride sliders over precomputed frames, and an input-size slider.

    Every (stride, kernel) frame is computed now: the stride slider picks a stack of
    frames, the kernel slider the frame in it, both linked in the browser, so they work on
    the course site. Moving ``input pixels`` redraws the frames as they come into view (it
    needs a kernel).
    Returns a ``VBox`` with ``controls`` (``"kernel"``, ``"stride"``, ``"input pixels"``),
    ``displays`` (``"frames"``: the outer stack; ``"message"``: what was wrong with a
    starting value, which then starts at its default), ``frame(kernel, stride)`` (the HTML for
    that setting at the current size) and the controls as attributes ``kernel``,
    ``stride``, ``size``.
    """
    import ipywidgets as widgets

    from .shared import message_html

    problems = []
    start = {}
    for name, value, (low, high), default in [("kernel", kernel, (KERNELS[0], KERNELS[-1]), 3),
                                              ("stride", stride, (STRIDES[0], STRIDES[-1]), 2),
                                              ("size", size, SIZES, 5)]:
        try:
            start[name] = _whole(value, name, low, high)
        except ValueError as error:  # an explorer shows a message, never a traceback
            problems.append(f"{error}; starting at {name}={default} instead.")
            start[name] = default
    kernel, stride, size = start["kernel"], start["stride"], start["size"]
    k = selection_slider("kernel", KERNELS, kernel)
    s = selection_slider("stride", STRIDES, stride)
    n = int_slider("input pixels", size, *SIZES)
    disable_for_site(n)
    inner = [frames_stack(k, [checkerboard_frame(kk, ss, size) for kk in KERNELS])
             for ss in STRIDES]
    outer = widgets.Stack(inner, selected_index=s.index)
    widgets.jslink((s, "index"), (outer, "selected_index"))
    outer.add_class("course-frames")

    drawn = {(kk, ss): size for kk in KERNELS for ss in STRIDES}  # the size each frame shows

    def refresh(_change: object = None) -> None:
        """Redraw the frame on view if the input size changed since it was drawn (a few ms);
        the others are redrawn when the kernel and stride sliders reach them."""
        key = (k.value, s.value)
        if drawn[key] != n.value:
            frame = inner[s.index].children[k.index]
            frame.value = checkerboard_frame(*key, n.value)
            drawn[key] = n.value

    for control in (k, s, n):
        control.observe(refresh, names="value")
    note = kernel_note(["kernel", "stride"], ["input pixels"])
    message = widgets.HTML(message_html(" ".join(problems)) if problems else "")
    box = widgets.VBox([widgets.HTML(note), message, widgets.HBox([k, s, n]), outer])
    box.add_class("course-checkerboard-explorer")
    box.kernel, box.stride, box.size = k, s, n
    box.controls = {"kernel": k, "stride": s, "input pixels": n}
    box.displays = {"frames": outer, "message": message}
    box.frame = lambda kk, ss: checkerboard_frame(kk, ss, n.value)
    return box


def shown_frame(box) -> str:
    """The HTML the explorer shows for its sliders' current values (as the browser links them)."""
    outer = box.displays["frames"]
    return outer.children[box.stride.index].children[box.kernel.index].value


def bench():
    """The explorer as lesson 05 builds it."""
    return checkerboard_explorer()
