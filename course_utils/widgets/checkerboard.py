"""The checkerboard explorer: how evenly a transposed convolution's kernel overlaps itself.

:func:`overlap_summary` says in words how many contributions each interior output pixel
gets; :func:`overlap_svg` draws :func:`~course_utils.checkerboard.overlap_counts` as a
heatmap; :func:`checkerboard_explorer` wires them to kernel, stride and size sliders.
"""

from __future__ import annotations

import html

from ..checkerboard import overlap_counts


def overlap_summary(kernel: int, stride: int) -> str:
    """In words: how many contributions interior output pixels get, and whether that is even."""
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


def overlap_svg(kernel: int, stride: int, size: int = 5, *, cell: float = 22.0) -> str:
    """A heatmap of :func:`~course_utils.checkerboard.overlap_counts`, each cell labelled."""
    counts = overlap_counts(kernel, stride, size)
    n = counts.shape[0]
    top = int(counts.max())
    width, height = max(n * cell + 10, 460), n * cell + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
             f'height="{height:.0f}" font-family="sans-serif" font-size="10">',
             f'<text x="0" y="12">overlap counts, ConvTranspose2d k={kernel} s={stride} on a '
             f'{size}×{size} input ({n}×{n} out)</text>']
    for r in range(n):
        for c in range(n):
            value = int(counts[r, c])
            shade = int(255 - 200 * value / max(top, 1))
            text_colour = "#fff" if value > top / 2 else "#000"
            parts.append(f'<rect x="{c * cell:.1f}" y="{20 + r * cell:.1f}" width="{cell:.1f}" '
                         f'height="{cell:.1f}" fill="rgb({shade},{shade},255)" stroke="#ccc" '
                         f'stroke-width="0.5"/>')
            parts.append(f'<text x="{c * cell + cell / 2:.1f}" y="{20 + r * cell + cell / 2 + 3:.1f}" '
                         f'text-anchor="middle" fill="{text_colour}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def checkerboard_explorer(kernel: int = 3, stride: int = 2, size: int = 5):
    """Kernel and stride sliders → the overlap-count heatmap and a sentence about it.

    Returns the container (``ipywidgets.VBox``) with attributes ``kernel``, ``stride``,
    ``size`` (IntSliders), ``summary`` and ``heatmap`` (HTML).
    """
    import ipywidgets as widgets

    style = {"description_width": "80px"}
    k = widgets.IntSlider(value=kernel, min=1, max=7, description="kernel", style=style)
    s = widgets.IntSlider(value=stride, min=1, max=4, description="stride", style=style)
    n = widgets.IntSlider(value=size, min=1, max=8, description="input pixels", style=style)
    summary = widgets.HTML()
    summary.add_class("course-checkerboard-summary")
    heatmap = widgets.HTML()

    def update(_change: object = None) -> None:
        summary.value = f"<div>{html.escape(overlap_summary(k.value, s.value))}</div>"
        heatmap.value = overlap_svg(k.value, s.value, n.value)

    for control in (k, s, n):
        control.observe(update, names="value")
    update()
    box = widgets.VBox([widgets.HBox([k, s, n]), summary, heatmap])
    box.kernel, box.stride, box.size = k, s, n
    box.summary, box.heatmap = summary, heatmap
    return box
