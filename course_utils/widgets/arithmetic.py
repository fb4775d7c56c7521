"""The output-size explorer: what a Conv2d, pooling, ConvTranspose2d or Upsample + Conv2d
layer does to an image's size, worked out three ways.

A thin shell over pure functions that are tested without a browser:

- :func:`explain_layer` works out one layer's output size three ways: the formula with
  the numbers filled in, :mod:`course_utils.arithmetic`, and a real PyTorch layer run on
  a 1×1×i×i tensor. Settings that give no output come back as a plain message.
- :func:`diagram_svg` draws the layer in the spirit of the convolution arithmetic guide
  (Dumoulin and Visin): the input grid with its padding, where the kernel lands, the
  output grid; for a transposed convolution, the input spread out by the stride.

:func:`conv_explorer` wires them to a menu and six sliders.
"""

from __future__ import annotations

import html
import math
import operator
from dataclasses import dataclass, field
from functools import lru_cache

import torch
from torch import nn

from .. import arithmetic

LAYERS = ("Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "Upsample + Conv2d")

#: slider ranges of the explorer (inclusive): name → (min, max)
SLIDER_RANGES = {
    "size": (1, 64),
    "kernel": (1, 7),
    "stride": (1, 4),
    "padding": (0, 3),
    "output_padding": (0, 3),
    "dilation": (1, 3),
}

DEFAULTS = {"layer": "ConvTranspose2d", "size": 14, "kernel": 3, "stride": 2, "padding": 1,
            "output_padding": 1, "dilation": 1}

FORMULAS = {
    "Conv2d": "o = ⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1",
    "MaxPool2d": "o = ⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1",
    "AvgPool2d": "o = ⌊(i + 2p − k) / s⌋ + 1",
    "ConvTranspose2d": "o = (i − 1)·s − 2p + d·(k − 1) + a + 1",
    "Upsample + Conv2d": "u = i·s, then o = u + 2p − d·(k − 1)   (the Conv2d has stride 1)",
}


# --------------------------------------------------------------------------- pure functions


@dataclass(frozen=True)
class Explanation:
    """One layer's output size, worked out three ways.

    ``output_size`` is :mod:`course_utils.arithmetic`'s answer, or ``None`` with the
    reason in ``problem``. ``pytorch_size`` is the size a real PyTorch layer produced, or
    ``None`` with its (shortened) error in ``pytorch_message``; PyTorch returns an empty
    tensor for some settings with no output, and then ``pytorch_size`` is 0.
    """

    layer: str
    size: int
    kernel: int
    stride: int
    padding: int
    output_padding: int
    dilation: int
    formula: str
    worked: str
    output_size: int | None
    problem: str | None
    pytorch_size: int | None
    pytorch_message: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def possible(self) -> bool:
        return self.output_size is not None

    @property
    def agrees(self) -> bool:
        """True when the arithmetic and PyTorch say the same thing.

        Either both give the same size, or the arithmetic finds no valid output and
        PyTorch refuses or returns an empty tensor.
        """
        if self.output_size is not None:
            return self.pytorch_size == self.output_size
        return self.pytorch_size in (None, 0)

    @property
    def result_line(self) -> str:
        """``"output size: N"`` or ``"Not possible: <reason>"``: what the explorer shows first."""
        if self.output_size is not None:
            return f"output size: {self.output_size}"
        return f"Not possible: {self.problem}"

    @property
    def pytorch_line(self) -> str:
        """What the real PyTorch layer did, in words."""
        if self.pytorch_size is not None and self.pytorch_size > 0:
            return (f"PyTorch: 1×1×{self.size}×{self.size} → "
                    f"1×1×{self.pytorch_size}×{self.pytorch_size}")
        if self.pytorch_size == 0:
            return "PyTorch: returns an empty 1×1×0×0 tensor (no output pixels)"
        return f"PyTorch refuses: {self.pytorch_message}"

    def __str__(self) -> str:
        lines = [f"{self.layer}: i={self.size}, k={self.kernel}, s={self.stride}, "
                 f"p={self.padding}, a={self.output_padding}, d={self.dilation}",
                 f"  {self.formula}", f"  {self.worked}", f"  {self.result_line}",
                 f"  {self.pytorch_line}" + ("" if self.agrees else "  (DISAGREES)")]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _check_layer(layer: str) -> None:
    if not isinstance(layer, str) or layer not in LAYERS:
        raise ValueError(f"layer must be one of {LAYERS}, got {layer!r}")


#: What the pure functions accept (inclusive): wider than the sliders, small enough that
#: every answer is computed at once (larger inputs are probed on narrow tensors).
LIMITS = {"size": (1, 4096), "kernel": (1, 64), "stride": (1, 64), "padding": (0, 64),
          "output_padding": (0, 64), "dilation": (1, 64)}

_WHY = {"size": "an input has at least one pixel",
        "kernel": "a kernel covers at least one pixel",
        "stride": "a stride of 0 would never move the kernel",
        "dilation": "dilation 1 puts the kernel's taps next to each other",
        "padding": "padding adds pixels, it cannot remove them",
        "output_padding": "output_padding adds pixels, it cannot remove them"}


def whole_setting(value: object, name: str) -> int:
    """``value`` as a plain ``int`` within :data:`LIMITS`; Python, NumPy and PyTorch integers pass.

    Anything else raises ``ValueError`` with a message that names the setting and says
    what to do (a float gets the two whole numbers nearest to it).
    """
    low, high = LIMITS[name]
    example = DEFAULTS.get(name, low)
    wanted = f"{name} must be a whole number from {low} to {high}"
    if isinstance(value, bool) or (isinstance(value, torch.Tensor)
                                   and value.dtype == torch.bool):
        raise ValueError(f"{wanted}, got {value!r}: give a number such as {example}")
    try:
        number = operator.index(value)
    except TypeError:
        hint = f"give a whole number such as {example}"
        try:
            real = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            real = math.nan
        if isinstance(value, (float, int)) or hasattr(value, "dtype"):
            if math.isfinite(real):
                hint = (f"write {int(real)}" if real.is_integer()
                        else f"round it, e.g. {math.floor(real)} or {math.ceil(real)}")
        raise ValueError(f"{wanted}, got {value!r}: {hint}") from None
    if not low <= number <= high:
        reason = _WHY[name] if number < low else "larger values are not drawn or probed here"
        raise ValueError(f"{wanted}, got {number} ({reason})")
    return int(number)


def checked_settings(size: object, kernel: object, stride: object, padding: object,
                     output_padding: object = 0, dilation: object = 1) -> tuple[int, ...]:
    """All six settings through :func:`whole_setting`, in this order."""
    values = (size, kernel, stride, padding, output_padding, dilation)
    return tuple(whole_setting(v, name) for v, name in zip(values, LIMITS))


def worked_formula(layer: str, size: int, kernel: int, stride: int, padding: int,
                   output_padding: int, dilation: int) -> str:
    """The layer's formula with the numbers filled in, evaluated (even when the result is invalid)."""
    _check_layer(layer)
    i, k, s, p, a, d = checked_settings(size, kernel, stride, padding, output_padding, dilation)
    if layer in ("Conv2d", "MaxPool2d"):
        top = i + 2 * p - d * (k - 1) - 1
        return (f"o = ⌊({i} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = ⌊{top} / {s}⌋ + 1 "
                f"= {top // s + 1}")
    if layer == "AvgPool2d":
        top = i + 2 * p - k
        return f"o = ⌊({i} + 2·{p} − {k}) / {s}⌋ + 1 = ⌊{top} / {s}⌋ + 1 = {top // s + 1}"
    if layer == "ConvTranspose2d":
        out = (i - 1) * s - 2 * p + d * (k - 1) + a + 1
        return f"o = ({i} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {a} + 1 = {out}"
    u = i * s
    return f"u = {i}·{s} = {u}, then o = {u} + 2·{p} − {d}·({k} − 1) = {u + 2 * p - d * (k - 1)}"


def arithmetic_output_size(layer: str, size: int, kernel: int, stride: int, padding: int,
                           output_padding: int, dilation: int) -> int:
    """The output size from :mod:`course_utils.arithmetic`; ``ValueError`` when there is none."""
    _check_layer(layer)
    if layer == "Conv2d":
        return arithmetic.conv_output_size(size, kernel, stride, padding, dilation)
    if layer == "MaxPool2d":
        return arithmetic.pool_output_size(size, kernel, stride, padding, dilation, pool="max")
    if layer == "AvgPool2d":
        return arithmetic.pool_output_size(size, kernel, stride, padding, dilation, pool="avg")
    if layer == "ConvTranspose2d":
        return arithmetic.conv_transpose_output_size(size, kernel, stride, padding,
                                                     output_padding, dilation)
    return arithmetic.upsample_conv_output_size(size, stride, kernel, padding, dilation)


@lru_cache(maxsize=4096)
def _real_layer(layer: str, kernel: int, stride: int, padding: int, output_padding: int,
                dilation: int) -> nn.Module:
    """A real one-channel PyTorch layer with these settings (cached: building one is slow)."""
    if layer == "Conv2d":
        return nn.Conv2d(1, 1, kernel, stride, padding, dilation=dilation)
    if layer == "ConvTranspose2d":
        return nn.ConvTranspose2d(1, 1, kernel, stride, padding, output_padding=output_padding,
                                  dilation=dilation)
    if layer == "MaxPool2d":
        return nn.MaxPool2d(kernel, stride, padding, dilation=dilation)
    if layer == "AvgPool2d":
        if dilation != 1:
            raise ValueError("AvgPool2d has no dilation argument")
        return nn.AvgPool2d(kernel, stride, padding)
    return nn.Sequential(nn.Upsample(scale_factor=stride, mode="nearest"),
                         nn.Conv2d(1, 1, kernel, 1, padding, dilation=dilation))


def _short_error(error: BaseException) -> str:
    """The first line of an exception's message, without C++ stack noise, at most 200 chars."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def narrow_width(layer: str, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """The smallest input *width* for which the layer surely has a valid output width.

    PyTorch works out each spatial dimension on its own, so an input of i × w has the
    output height an i × i input has. A narrow w gives the same height for a fraction of
    the cost; the tests use it to try every setting the explorer allows.
    """
    span = dilation * (kernel - 1) + 1
    if layer in ("Conv2d", "MaxPool2d"):
        return span  # (span + 2p − span) // s + 1 ≥ 1
    if layer == "AvgPool2d":
        return kernel
    if layer == "ConvTranspose2d":
        return 1 + -(-2 * padding // stride)  # (w − 1)·s ≥ 2p, so the width stays ≥ 1
    return -(-span // stride)  # Upsample + Conv2d: w·s ≥ span


@lru_cache(maxsize=None)
def _probe(layer: str, height: int, width: int, kernel: int, stride: int, padding: int,
           output_padding: int, dilation: int) -> int | str:
    if layer == "AvgPool2d" and dilation != 1:
        return "AvgPool2d has no dilation argument"
    try:
        module = _real_layer(layer, kernel, stride, padding, output_padding, dilation)
        with torch.no_grad():
            out = module(torch.zeros(1, 1, height, width))
    except (RuntimeError, ValueError) as error:
        return _short_error(error)
    return int(out.shape[-2])


def pytorch_output_size(layer: str, size: int, kernel: int, stride: int, padding: int,
                        output_padding: int, dilation: int, *, narrow: bool = False) -> int | str:
    """Run a real PyTorch layer on a 1×1×size×size tensor of zeros.

    Returns the output's height (it is square), or PyTorch's error message (first line)
    when PyTorch refuses. Settings a layer does not take (output_padding for Conv2d) are
    ignored, as the layer would ignore them. ``narrow=True`` runs the same layer on a
    1×1×size×w input, w from :func:`narrow_width`, which gives the same height faster.
    Cached, so the tests can ask for every combination the sliders allow.
    """
    _check_layer(layer)
    size, kernel, stride, padding, output_padding, dilation = checked_settings(
        size, kernel, stride, padding, output_padding, dilation)
    if layer != "ConvTranspose2d":
        output_padding = 0  # no other layer takes it: share the cache entry
    width = narrow_width(layer, kernel, stride, padding, dilation) if narrow else size
    return _probe(layer, size, width, kernel, stride, padding, output_padding, dilation)


def _notes(layer: str, output_padding: int, dilation: int, stride: int) -> tuple[str, ...]:
    notes = []
    if layer != "ConvTranspose2d" and output_padding:
        notes.append(f"output_padding is ignored: only ConvTranspose2d takes it "
                     f"(a = {output_padding} has no effect here).")
    if layer == "Upsample + Conv2d":
        notes.append(f"stride is the upsampling factor here (Upsample(scale_factor={stride})); "
                     f"the Conv2d after it has stride 1.")
    if layer == "MaxPool2d":
        notes.append("PyTorch's MaxPool2d defaults to stride = kernel_size; the slider sets it "
                     "explicitly.")
    return tuple(notes)


def explain_layer(layer: str, size: int, kernel: int, stride: int, padding: int,
                  output_padding: int = 0, dilation: int = 1, *,
                  narrow: bool = False) -> Explanation:
    """Everything the explorer shows for one setting of the sliders, as data.

    ``narrow`` is passed to :func:`pytorch_output_size` (the tests use it for speed);
    inputs larger than the slider's range are always probed narrow. Settings that are not
    whole numbers within :data:`LIMITS` raise ``ValueError`` (see :func:`whole_setting`);
    valid numbers that give no output are explained in ``problem``.

    >>> explain_layer("ConvTranspose2d", 14, 3, 2, 1, 1, 1).result_line
    'output size: 28'
    """
    _check_layer(layer)
    size, kernel, stride, padding, output_padding, dilation = checked_settings(
        size, kernel, stride, padding, output_padding, dilation)
    narrow = narrow or size > SLIDER_RANGES["size"][1]
    args = (layer, size, kernel, stride, padding, output_padding, dilation)
    try:
        output_size, problem = arithmetic_output_size(*args), None
    except ValueError as error:
        output_size, problem = None, str(error)
    pytorch = pytorch_output_size(*args, narrow=narrow)
    pytorch_size, pytorch_message = (pytorch, None) if isinstance(pytorch, int) else (None, pytorch)
    return Explanation(layer, size, kernel, stride, padding, output_padding, dilation,
                       formula=FORMULAS[layer], worked=worked_formula(*args),
                       output_size=output_size, problem=problem, pytorch_size=pytorch_size,
                       pytorch_message=pytorch_message,
                       notes=_notes(layer, output_padding, dilation, stride))


# --------------------------------------------------------------------------- diagrams

_COLOURS = {"input": "#4c72b0", "copy": "#8fa9d6", "zero": "#ffffff", "pad": "#e8e8e8",
            "kernel": "#dd8452", "output": "#a7d3a9", "first": "#55a868"}


@dataclass(frozen=True)
class Canvas:
    """What the kernel slides over, along one side: a list of cell kinds, and the kernel's taps.

    ``cells`` holds "input", "copy" (an upsampled copy of an input pixel), "zero" (a zero
    the stride inserted) or "pad" (padding); ``taps`` are the cells the kernel covers at
    its first position; ``step`` is how far it moves for the next output pixel.
    """

    cells: tuple[str, ...]
    taps: tuple[int, ...]
    step: int
    caption: str


def diagram_canvas(layer: str, size: int, kernel: int, stride: int, padding: int,
                   output_padding: int = 0, dilation: int = 1) -> Canvas:
    """The 1-D layout (rows and columns are the same) that :func:`diagram_svg` draws.

    - Conv2d, pools: ``p`` padding cells, the ``i`` input cells, ``p`` padding cells; the
      kernel's taps are ``d`` apart and it moves ``s`` cells per output pixel.
    - ConvTranspose2d: the guide's equivalent direct convolution. The input is spread
      out with ``s − 1`` zeros between pixels, padded with ``d(k − 1) − p`` cells on each
      side (negative: that many cells are cut off) plus ``a`` more at the end, and a
      stride-1 kernel slides over it.
    - Upsample + Conv2d: every input pixel copied ``s`` times, ``p`` padding cells per
      side, a stride-1 kernel.
    """
    _check_layer(layer)
    size, kernel, stride, padding, output_padding, dilation = checked_settings(
        size, kernel, stride, padding, output_padding, dilation)
    d = 1 if layer == "AvgPool2d" else dilation
    taps = tuple(j * d for j in range(kernel))
    if layer == "ConvTranspose2d":
        spread = (size - 1) * stride + 1
        edge = d * (kernel - 1) - padding
        kinds = []
        for x in range(-edge, spread + edge + output_padding):
            if 0 <= x < spread:
                kinds.append("input" if x % stride == 0 else "zero")
            else:
                kinds.append("pad")
        cut = f"; {-edge} cell(s) cut from each side" if edge < 0 else ""
        caption = (f"input spread by the stride ({stride - 1} zero(s) between pixels), "
                   f"{max(edge, 0)} padding cell(s) per side + {output_padding} at the end{cut}; "
                   f"kernel stride 1")
        return Canvas(tuple(kinds), taps, 1, caption)
    if layer == "Upsample + Conv2d":
        kinds = ["pad"] * padding
        kinds += ["input" if (x // stride) % 2 == 0 else "copy" for x in range(size * stride)]
        kinds += ["pad"] * padding
        caption = (f"each input pixel copied {stride}× (nearest), {padding} padding cell(s) "
                   f"per side; kernel stride 1")
        return Canvas(tuple(kinds), taps, 1, caption)
    kinds = ["pad"] * padding + ["input"] * size + ["pad"] * padding
    caption = f"input with {padding} padding cell(s) per side; kernel stride {stride}"
    return Canvas(tuple(kinds), taps, stride, caption)


def _cell_kind(kind_row: str, kind_col: str) -> str:
    """A 2-D cell's kind from its row's and column's kinds."""
    for empty in ("pad", "zero"):
        if empty in (kind_row, kind_col):
            return empty
    # "input"/"copy" alternate by block of copies: same parity → dark, else light
    return "input" if kind_row == kind_col else "copy"


def _squares(cells: list[tuple[int, int]], x0: int, y0: int, cell: int, style: str) -> str:
    """One SVG path holding a square per (row, column): small, however many cells."""
    if not cells:
        return ""
    d = "".join(f"M{x0 + c * cell} {y0 + r * cell}h{cell}v{cell}h-{cell}z" for r, c in cells)
    return f'<path d="{d}" {style}/>'


def diagram_svg(layer: str, size: int, kernel: int, stride: int, padding: int,
                output_padding: int = 0, dilation: int = 1, *, max_cells: int = 40) -> str:
    """An SVG picture of the layer: the grid the kernel slides over, and the output grid.

    Orange cells are the kernel's taps at its first position (red when the kernel does
    not fit), dashed orange the next position; the dark green output cell is the one
    the first position produces. Grids wider than ``max_cells`` are not drawn (a short
    note says so), to keep the widget light.
    """
    _check_layer(layer)
    size, kernel, stride, padding, output_padding, dilation = checked_settings(
        size, kernel, stride, padding, output_padding, dilation)
    canvas = diagram_canvas(layer, size, kernel, stride, padding, output_padding, dilation)
    n = len(canvas.cells)
    try:
        out = arithmetic_output_size(layer, size, kernel, stride, padding, output_padding,
                                     dilation)
    except ValueError:
        out = 0
    if n > max_cells or out > max_cells:
        return (f'<div style="color:#666">(diagram drawn up to {max_cells} cells per side; '
                f'this one needs {max(n, out)}: try a smaller input size)</div>')
    if n < 1:
        return '<div style="color:#666">(nothing to draw: the padding removes everything)</div>'
    cell = max(4, min(20, 300 // max(n, out, 1)))
    y0 = 20
    x_out = max(n * cell + 60, 290)  # leave room for the left grid's title
    width = max(x_out + max(out, 1) * cell + 20, 560)
    height = max(n, out, 1) * cell + y0 + 40
    thin = 'stroke="#999" stroke-width="0.5"'
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="11">',
             f'<text x="0" y="12">{html.escape(layer)}: what the kernel slides over '
             f'({n}×{n})</text>']
    by_kind: dict[str, list[tuple[int, int]]] = {k: [] for k in _COLOURS}
    for r, kind_r in enumerate(canvas.cells):
        for c, kind_c in enumerate(canvas.cells):
            by_kind[_cell_kind(kind_r, kind_c)].append((r, c))
    for kind in ("input", "copy", "zero"):
        parts.append(_squares(by_kind[kind], 0, y0, cell, f'fill="{_COLOURS[kind]}" {thin}'))
    parts.append(_squares(by_kind["pad"], 0, y0, cell,
                          f'fill="{_COLOURS["pad"]}" {thin} stroke-dasharray="2,2"'))
    fits = all(t < n for t in canvas.taps)
    taps = [(u, v) for u in canvas.taps for v in canvas.taps if u < n and v < n]
    colour = _COLOURS["kernel"] if fits else "#d62728"
    parts.append(_squares(taps, 0, y0, cell, f'fill="{colour}" fill-opacity="0.75"'))
    if out >= 2:
        nxt = [(u, v + canvas.step) for u in canvas.taps for v in canvas.taps]
        parts.append(_squares(nxt, 0, y0, cell, f'fill="none" stroke="{_COLOURS["kernel"]}" '
                                                f'stroke-width="1.5" stroke-dasharray="3,2"'))
    parts.append(f'<text x="{(n * cell + x_out) // 2 - 8}" y="{y0 + 14}" font-size="16">→</text>')
    if out >= 1:
        parts.append(f'<text x="{x_out}" y="12">output ({out}×{out})</text>')
        rest = [(r, c) for r in range(out) for c in range(out) if (r, c) != (0, 0)]
        parts.append(_squares(rest, x_out, y0, cell, f'fill="{_COLOURS["output"]}" {thin}'))
        parts.append(_squares([(0, 0)], x_out, y0, cell, f'fill="{_COLOURS["first"]}" {thin}'))
        if out >= 2:
            parts.append(_squares([(0, 1)], x_out, y0, cell,
                                  f'fill="none" stroke="{_COLOURS["kernel"]}" stroke-width="1.5" '
                                  f'stroke-dasharray="3,2"'))
    else:
        parts.append(f'<text x="{x_out}" y="{y0 + 14}" fill="#d62728">no output</text>')
    parts.append(f'<text x="0" y="{height - 20}">{html.escape(canvas.caption)}</text>')
    parts.append(f'<text x="0" y="{height - 5}" fill="#555">blue: input · light blue: copies'
                 f' · white: inserted zeros · grey dashed: padding · orange: kernel taps</text>')
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- widgets


def result_html(explanation: Explanation) -> str:
    """The result box's HTML: the result line first, then what PyTorch did."""
    ok = explanation.agrees
    mark = "✓ agrees" if ok else "✗ disagrees"
    colour = "#1a7f37" if explanation.possible else "#b35900"
    return (f'<div style="font-size:1.1em;color:{colour}"><b>'
            f'{html.escape(explanation.result_line)}</b></div>'
            f'<div>{html.escape(explanation.pytorch_line)} ({mark})</div>')


def formula_html(explanation: Explanation) -> str:
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in explanation.notes)
    return (f'<div style="font-family:monospace">{html.escape(explanation.formula)}<br>'
            f'{html.escape(explanation.worked)}</div>'
            + (f'<ul style="margin:2px 0;color:#555">{notes}</ul>' if notes else ""))


def conv_explorer(**initial: object):
    """The output-size explorer: a layer menu, six sliders, the formula, the result, a diagram.

    Returns the container widget (an ``ipywidgets.VBox``) with the controls as attributes:
    ``layer`` (Dropdown), ``size``, ``kernel``, ``stride``, ``padding``, ``output_padding``,
    ``dilation`` (IntSliders), and the displays ``formula``, ``result`` and ``diagram``
    (HTML). ``explanation()`` returns the current :class:`Explanation`. Keyword arguments
    override the starting values (default: ConvTranspose2d taking 14 to 28); one that is
    unknown, not a whole number or outside its slider is replaced by its default, and the
    ``message`` display at the top says so (an explorer shows messages, never a
    traceback). The same widgets are in ``controls`` (label → control) and ``displays``.
    """
    import ipywidgets as widgets

    from .shared import message_html

    values, problems = starting_values(initial)
    style = {"description_width": "110px"}
    layout = widgets.Layout(width="420px")
    layer = widgets.Dropdown(options=LAYERS, value=values["layer"], description="layer",
                             style=style, layout=layout)
    names = {"size": "input size", "kernel": "kernel", "stride": "stride",
             "padding": "padding", "output_padding": "output_padding", "dilation": "dilation"}
    sliders = {}
    for key, label in names.items():
        low, high = SLIDER_RANGES[key]
        sliders[key] = widgets.IntSlider(value=values[key], min=low, max=high,
                                         description=label, style=style, layout=layout,
                                         continuous_update=True)
        sliders[key].add_class("course-explorer-" + label.replace(" ", "-").replace("_", "-"))
    formula = widgets.HTML()
    result = widgets.HTML()
    result.add_class("course-explorer-result")
    formula.add_class("course-explorer-formula")  # the course site recomputes these three
    layer.add_class("course-explorer-layer")  # in the browser (site/_static/course-explorers.js)
    diagram = widgets.HTML()
    diagram.add_class("course-explorer-diagram")

    def current() -> Explanation:
        return explain_layer(layer.value, *(sliders[k].value for k in names))

    def update(_change: object = None) -> None:
        explanation = current()
        formula.value = formula_html(explanation)
        result.value = result_html(explanation)
        diagram.value = diagram_svg(layer.value, *(sliders[k].value for k in names))

    for control in [layer, *sliders.values()]:
        control.observe(update, names="value")
    update()

    message = widgets.HTML(message_html(" ".join(problems)) if problems else "")
    controls = widgets.VBox([layer, *sliders.values()])
    box = widgets.VBox([message, widgets.HBox([controls, widgets.VBox([formula, result])]),
                        diagram])
    box.add_class("course-explorer")
    box.layer = layer
    for key, slider in sliders.items():
        setattr(box, key, slider)
    box.formula, box.result, box.diagram, box.message = formula, result, diagram, message
    box.controls = {"layer": layer, **{names[key]: slider for key, slider in sliders.items()}}
    box.displays = {"formula": formula, "result": result, "diagram": diagram, "message": message}
    box.explanation = current
    return box


def starting_values(initial: dict[str, object]) -> tuple[dict[str, object], list[str]]:
    """The explorer's starting values: ``initial`` over :data:`DEFAULTS`, each one checked.

    Returns the values to use and one sentence per value that could not be used (it is
    replaced by its default): unknown names, settings that are not whole numbers, numbers
    outside the slider's range, an unknown layer.
    """
    values: dict[str, object] = dict(DEFAULTS)
    problems = []
    for name, value in initial.items():
        if name not in DEFAULTS:
            problems.append(f"There is no setting {name!r} (the settings are "
                            f"{', '.join(DEFAULTS)}); it is ignored instead.")
            continue
        if name == "layer":
            if isinstance(value, str) and value in LAYERS:
                values[name] = value
            else:
                problems.append(f"layer={value!r} is not one of {', '.join(LAYERS)}; starting "
                                f"with {DEFAULTS['layer']} instead.")
            continue
        low, high = SLIDER_RANGES[name]
        try:
            number = whole_setting(value, name)
        except ValueError as error:
            problems.append(f"{error}; starting at {name}={DEFAULTS[name]} instead.")
            continue
        if not low <= number <= high:
            problems.append(f"{name}={number} is outside the slider's range {low} to {high}; "
                            f"starting at {name}={DEFAULTS[name]} instead.")
            continue
        values[name] = number
    return values, problems


def bench():
    """The explorer as lesson 05 builds it."""
    return conv_explorer()
