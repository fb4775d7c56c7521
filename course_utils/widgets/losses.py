"""The loss explorers of lesson 04: one output pixel under three losses, and the lesson's curves.

A decoder's last layer computes a *logit* ``a`` per pixel, and its Sigmoid turns it into a
pixel value ``σ(a)`` in [0, 1]. How hard training pushes on that pixel is the gradient of
the loss with respect to ``a``. Three ways to compute the loss, in float32 as PyTorch does:

- **MSE on σ(a)**: ``(σ(a) − x)²``, gradient ``2(σ(a) − x)·σ(a)(1 − σ(a))``: the Sigmoid's
  slope multiplies it, so it fades wherever the output is near 0 or 1;
- **BCE on σ(a)**: ``binary_cross_entropy(σ(a), x)``, the gradient ``σ(a) − x`` on paper, but
  once a float32 Sigmoid rounds to exactly 1.0 (a > 16.6) or comes within 1e-12 of 0
  (a < −27.6, where PyTorch bounds the division), the computed gradient is 0 or shrinks;
- **BCE from logits**: ``binary_cross_entropy_with_logits(a, x)``, what the course trains
  with: the same value where nothing saturates, and a gradient ``σ(a) − x`` for every a.

Pure functions, tested without widgets: :func:`loss_point` (one logit and target),
:func:`loss_curves` (many logits at once), :func:`loss_frame_html` (what the explorer
shows for one setting); :func:`curves_svg` draws recorded training curves.
:func:`loss_explorer` puts every setting in precomputed frames (a logit slider and a target
slider, both working on the course site); :func:`training_curves_explorer` compares the
lesson's training curves (preset comparisons that work on the site, and a checkbox per
curve in a kernel). :func:`bench` builds both as lesson 04 does.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
import torch
import torch.nn.functional as F

from .shared import MUTED, disable_for_site, frames_stack, kernel_note, selection_slider

FORMS = ("MSE on σ(a)", "BCE on σ(a)", "BCE from logits")

#: Logits on the slider that works on the site: 13 values, both saturations included
#: (float32's Sigmoid is exactly 1.0 from a ≈ 16.6 on).
FRAME_LOGITS = tuple(range(-30, 31, 5))

#: Target pixel values: the background, a grey edge pixel, ink.
TARGETS = {"0 (background)": 0.0, "0.5 (grey edge)": 0.5, "1 (ink)": 1.0}

#: The logits each curve is drawn at (every unit over the slider's range, and both sides
#: of float32's saturation at 16.6).
CURVE_LOGITS = tuple(sorted({*range(-30, 31), 16.5, 16.7}))

#: Colours and dash patterns of the three forms: told apart without colour too.
STYLES = {
    "MSE on σ(a)": ("#4d4d4d", "6,3"),
    "BCE on σ(a)": ("#c24e00", ""),
    "BCE from logits": ("#1f4e8c", "2,2"),
}

#: Okabe–Ito colours (safe for colour-blind readers) and dash patterns for training curves.
CURVE_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000",
                 "#999999")
CURVE_DASHES = ("", "6,3", "2,2", "8,3,2,3", "", "6,3", "2,2", "8,3,2,3")


# --------------------------------------------------------------------------- pure functions


def _whole_or_real(value: object, name: str) -> float:
    """A finite real number (Python, NumPy or one-element PyTorch), as a float."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"{name} must be one number, got a tensor of shape "
                             f"{tuple(value.shape)}")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number}")
    return number


def loss_curves(logits: Sequence[float], target: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each form's loss and its gradient d loss / d a at every logit: ``form → (values, gradients)``.

    Computed in float32 with PyTorch's own functions and autograd, one pixel per logit
    (the losses are per pixel, so the gradients do not mix).
    """
    target = _whole_or_real(target, "target")
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"target is a pixel value in [0, 1], got {target}")
    a = torch.tensor([_whole_or_real(v, "logit") for v in logits], dtype=torch.float32,
                     requires_grad=True)
    x = torch.full_like(a, target)
    p = torch.sigmoid(a)  # float32: exactly 1.0 from a ≈ 16.6 on
    losses = {
        "MSE on σ(a)": F.mse_loss(p, x, reduction="none"),
        "BCE on σ(a)": F.binary_cross_entropy(p, x, reduction="none"),
        "BCE from logits": F.binary_cross_entropy_with_logits(a, x, reduction="none"),
    }
    result = {}
    for form, values in losses.items():
        (gradient,) = torch.autograd.grad(values.sum(), a, retain_graph=True)
        result[form] = (values.detach().double().numpy(), gradient.double().numpy())
    return result


@dataclass(frozen=True)
class LossPoint:
    """One pixel: its logit, the float32 Sigmoid of it, the target, and each form's loss and gradient."""

    logit: float
    probability: float
    target: float
    values: dict[str, float]
    gradients: dict[str, float]

    @property
    def saturated(self) -> bool:
        """True when float32's Sigmoid gave exactly 0 or 1."""
        return self.probability in (0.0, 1.0)

    def sentence(self) -> str:
        """What this pixel shows, in one or two sentences (every number from the point)."""
        p, x = self.probability, self.target
        on_output = self.gradients["BCE on σ(a)"]
        from_logits = self.gradients["BCE from logits"]
        mse = self.gradients["MSE on σ(a)"]
        a = f"σ({self.logit:g})"
        if abs(p - x) < 1e-3:
            return (f"{a} = {_probability_text(p)} and the target is {x:g}: the pixel is "
                    f"right, so every gradient is near 0 (BCE from logits: σ(a) − x = "
                    f"{_g(from_logits)}).")
        if self.saturated:
            head = (f"{a} rounds to exactly {p:g} in float32, so BCE on the output has a "
                    f"gradient of {_g(on_output)}: the pixel is wrong by {abs(p - x):g} and "
                    f"training cannot move it. BCE from logits: σ(a) − x = {_g(from_logits)}.")
        elif abs(on_output - from_logits) > 0.01 * abs(from_logits):
            head = (f"{a} = {_probability_text(p)} is within 1e-12 of 0, where PyTorch "
                    f"bounds BCE's division: its gradient on the output is {_g(on_output)} "
                    f"instead of σ(a) − x = {_g(from_logits)}, which BCE from logits gives.")
        else:
            head = (f"{a} = {_probability_text(p)}: BCE on the output and BCE from logits "
                    f"agree, gradient σ(a) − x = {_g(from_logits)}.")
        if mse == 0:
            return f"{head} MSE's gradient is 0 too: the Sigmoid's slope σ(a)(1 − σ(a)) is 0 here."
        fade = ("the Sigmoid's slope σ(a)(1 − σ(a)) shrinks it"
                if abs(mse) < 0.1 * abs(from_logits) else "of the same order")
        return f"{head} MSE's gradient is {_g(mse)}: {fade}."


def _probability_text(p: float) -> str:
    if p in (0.0, 1.0):
        return f"{p:g}"
    if p < 1e-3 or p > 1 - 1e-3:
        return f"{p:.3g}" if p < 0.5 else f"1 − {1 - p:.2g}"
    return f"{p:.3f}"


def _g(value: float) -> str:
    """A gradient in a compact form: 0 exactly, else three significant digits."""
    if value == 0:
        return "0"  # also −0.0
    if abs(value) < 1e-3:
        return f"{value:.2e}"
    return f"{value:.3g}"


def loss_point(logit: float, target: float) -> LossPoint:
    """The three forms at one logit ``a`` and target pixel ``x`` (float32, as PyTorch trains)."""
    logit = _whole_or_real(logit, "logit")
    curves = loss_curves([logit], target)
    probability = float(torch.sigmoid(torch.tensor(logit, dtype=torch.float32)))
    return LossPoint(logit, probability, float(target),
                     {form: float(v[0]) for form, (v, _) in curves.items()},
                     {form: float(g[0]) for form, (_, g) in curves.items()})


# --------------------------------------------------------------------------- drawing


def _svg_img(svg: str, alt: str) -> str:
    """An SVG as ``<img alt=...>``, URL-encoded (a third smaller than base64)."""
    data = quote(svg.replace('"', "'"), safe=" ,.:;=/'()-_!*")
    return (f'<img src="data:image/svg+xml;utf8,{data}" alt="{html.escape(alt, quote=True)}" '
            f'style="max-width:100%"/>')


def _panel(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], logits: Sequence[float],
           which: int, point: LossPoint, *, x0: float, width: float, height: float,
           low: float, high: float, title: str) -> list[str]:
    """One panel (``which`` 0: loss, 1: gradient) with the three curves and the point marked."""
    left, top, bottom = x0 + 40, 22, 30
    span = width - 50

    def x(a: float) -> float:
        return left + span * (a - logits[0]) / (logits[-1] - logits[0])

    def y(v: float) -> float:
        v = min(max(v, low), high)
        return top + (height - top - bottom) * (high - v) / (high - low)

    parts = [f'<text x="{left}" y="14">{html.escape(title)}</text>',
             f'<rect x="{left}" y="{top}" width="{span}" height="{height - top - bottom}" '
             f'fill="none" stroke="#cccccc"/>']
    for tick in (low, 0.0, high) if low < 0 < high else (low, high):
        parts.append(f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                     f'fill="{MUTED}">{tick:g}</text>')
        if tick == 0.0:
            parts.append(f'<line x1="{left}" x2="{left + span}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
                         f'stroke="#dddddd"/>')
    for tick in (logits[0], 0, logits[-1]):
        parts.append(f'<text x="{x(tick):.1f}" y="{height - bottom + 13}" text-anchor="middle" '
                     f'fill="{MUTED}">{tick:g}</text>')
    parts.append(f'<text x="{left + span / 2:.1f}" y="{height - 4}" text-anchor="middle">'
                 f'logit a</text>')
    for form, arrays in curves.items():
        colour, dash = STYLES[form]
        line = " ".join(f"{x(a):.0f},{y(v):.0f}" for a, v in zip(logits, arrays[which]))
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"{dashes}/>')
    values = point.values if which == 0 else point.gradients
    for form, value in values.items():
        colour, _ = STYLES[form]
        parts.append(f'<circle cx="{x(point.logit):.1f}" cy="{y(value):.1f}" r="4.5" '
                     f'fill="{colour}" stroke="#fff" stroke-width="1"/>')
    parts.append(f'<line x1="{x(point.logit):.1f}" x2="{x(point.logit):.1f}" y1="{top}" '
                 f'y2="{height - bottom}" stroke="#000" stroke-width="0.8" '
                 f'stroke-dasharray="3,3"/>')
    return parts


def loss_svg(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], logits: Sequence[float],
             point: LossPoint, *, width: int = 600, height: int = 210) -> str:
    """Two panels, loss and gradient against the logit, with the current logit marked."""
    half = width / 2
    loss_high = 32.0  # BCE on a saturated output jumps to PyTorch's bound, 100: off the top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 22}" '
             f'font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height + 22}" fill="#ffffff"/>']
    parts += _panel(curves, logits, 0, point, x0=0, width=half, height=height, low=0.0,
                    high=loss_high, title=f"loss for target x = {point.target:g} (cut at 32)")
    parts += _panel(curves, logits, 1, point, x0=half, width=half, height=height, low=-1.1,
                    high=1.1, title="gradient d loss / d a")
    legend_x = 40
    for form in FORMS:
        colour, dash = STYLES[form]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{height + 12}" '
                     f'y2="{height + 12}" stroke="{colour}" stroke-width="2"{dashes}/>')
        parts.append(f'<text x="{legend_x + 28}" y="{height + 16}" fill="#000">'
                     f'{html.escape(form)}</text>')
        legend_x += 170
    parts.append("</svg>")
    return "".join(parts)


def loss_alt(point: LossPoint) -> str:
    """Alt text for :func:`loss_svg`: what the panels show at this point."""
    return (f"Loss and gradient against the logit for target {point.target:g}, marked at "
            f"a = {point.logit:g}: gradients "
            + ", ".join(f"{form} {_g(g)}" for form, g in point.gradients.items()) + ".")


def loss_table_html(point: LossPoint) -> str:
    """The three forms' values and gradients at one point, as a small table."""
    cell = "style='text-align:right;padding:0 0.8em'"
    rows = "".join(
        f"<tr><td>{html.escape(form)}</td><td {cell}>{point.values[form] + 0.0:.4g}</td>"
        f"<td {cell}>{_g(point.gradients[form])}</td></tr>" for form in FORMS)
    return (f"<table style='border-collapse:collapse;font-size:0.9em'>"
            f"<caption style='text-align:left'>a = {point.logit:g}, σ(a) in float32 = "
            f"{html.escape(_probability_text(point.probability))}, target x = "
            f"{point.target:g}</caption>"
            f"<tr><th style='text-align:left'>form</th><th {cell}>loss</th>"
            f"<th {cell}>gradient d loss / d a</th></tr>{rows}</table>")


def loss_frame_html(logit: float, target: float,
                    curves: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None) -> str:
    """Everything the explorer shows for one logit and target: sentence, table, curves."""
    point = loss_point(logit, target)
    if curves is None:
        curves = loss_curves(CURVE_LOGITS, target)
    svg = loss_svg(curves, CURVE_LOGITS, point)
    return (f'<div class="course-loss-frame" style="max-width:620px">'
            f"<p>{html.escape(point.sentence())}</p>{loss_table_html(point)}"
            f"<div>{_svg_img(svg, loss_alt(point))}</div></div>")


def curves_svg(curves: Mapping[str, Sequence[float]], shown: Iterable[str] | None = None, *,
               baselines: Mapping[str, float] | None = None,
               ylabel: str = "test MSE per pixel", width: int = 560, height: int = 280) -> str:
    """Recorded curves (one value per epoch) as SVG polylines on a log scale, with baselines.

    Only the curves named in ``shown`` are drawn (all by default); the axes stay those of
    all the curves, so switching one on or off never rescales the others.
    """
    baselines = dict(baselines or {})
    names = list(curves)
    shown = set(names if shown is None else shown)
    unknown = shown - set(names)
    if unknown:
        raise ValueError(f"no curve named {sorted(unknown)}; the curves are {names}")
    every = [v for c in curves.values() for v in c if v > 0 and math.isfinite(v)]
    every += [v for v in baselines.values() if v > 0 and math.isfinite(v)]
    if not every:
        raise ValueError("curves_svg needs at least one positive, finite value")
    y_low, y_high = math.log10(min(every)) - 0.05, math.log10(max(every)) + 0.05
    epochs = max((len(c) for c in curves.values()), default=1)
    left, right, top, bottom = 58, 150, 22, 36

    def x(epoch: float) -> float:
        return left + (width - left - right) * (epoch - 1) / max(epochs - 1, 1)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (y_high - math.log10(v)) / (y_high - y_low)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
             f'<text x="{left}" y="14">{html.escape(ylabel)} per epoch (log scale)</text>']
    ticks = [m * 10.0 ** k for k in range(math.floor(y_low), math.ceil(y_high) + 1)
             for m in (1, 2, 5)]
    for value in ticks:
        if y_low <= math.log10(value) <= y_high:
            parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" '
                         f'y2="{y(value):.1f}" stroke="#eeeeee"/>')
            parts.append(f'<text x="{left - 4}" y="{y(value) + 4:.1f}" text-anchor="end" '
                         f'fill="{MUTED}">{value:g}</text>')
    for epoch in range(1, epochs + 1):
        parts.append(f'<text x="{x(epoch):.1f}" y="{height - bottom + 14}" '
                     f'text-anchor="middle" fill="{MUTED}">{epoch}</text>')
    parts.append(f'<text x="{(left + width - right) / 2:.0f}" y="{height - 6}" '
                 f'text-anchor="middle">epoch</text>')
    for name, value in baselines.items():
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" '
                     f'y2="{y(value):.1f}" stroke="#777777" stroke-dasharray="1,3"/>')
        parts.append(f'<text x="{width - right + 4}" y="{y(value) + 4:.1f}" fill="{MUTED}">'
                     f'{html.escape(name)}</text>')
    for n, name in enumerate(names):
        if name not in shown:
            continue
        colour, dash = CURVE_COLOURS[n % len(CURVE_COLOURS)], CURVE_DASHES[n % len(CURVE_DASHES)]
        values = curves[name]
        line = " ".join(f"{x(e):.1f},{y(v):.1f}" for e, v in enumerate(values, 1)
                        if v > 0 and math.isfinite(v))
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"{dashes}/>')
    parts.append("</svg>")
    return "".join(parts)


def curves_alt(curves: Mapping[str, Sequence[float]], shown: Iterable[str]) -> str:
    """Alt text for :func:`curves_svg`: each shown curve's first and last value."""
    shown = [name for name in curves if name in set(shown)]
    if not shown:
        return "No training curve is selected."
    return "Test error per epoch: " + "; ".join(
        f"{name} from {curves[name][0]:.3g} to {curves[name][-1]:.3g}" for name in shown) + "."


# --------------------------------------------------------------------------- widgets


def loss_explorer(logits: Sequence[float] = FRAME_LOGITS,
                  targets: Mapping[str, float] | None = None, *, start: float = 20,
                  start_target: str = "0 (background)"):
    """A logit slider and a target slider over precomputed frames: the three losses side by side.

    Every (target, logit) frame is computed now, so both sliders work on the course site
    without a kernel: the target slider picks a stack of frames, the logit slider the frame
    in it (both linked in the browser). Returns a ``VBox`` with ``controls`` (``"logit"``,
    ``"target pixel"``) and ``displays`` (``"frames"``: the outer stack; ``"by target"``:
    one stack per target), and ``frame(logit, target)``, the HTML shown for that setting.
    """
    import ipywidgets as widgets

    targets = dict(TARGETS if targets is None else targets)
    logits = [float(a) for a in logits]
    if start not in logits:
        start = logits[len(logits) // 2]
    if start_target not in targets:
        start_target = next(iter(targets))
    logit_slider = selection_slider("logit a", [(f"{a:g}", a) for a in logits], start)
    target_slider = selection_slider("target pixel x", list(targets.items()),
                                     targets[start_target])
    inner = []
    for value in targets.values():
        curves = loss_curves(CURVE_LOGITS, value)
        inner.append(frames_stack(logit_slider, [loss_frame_html(a, value, curves)
                                                 for a in logits]))
    outer = widgets.Stack(inner, selected_index=target_slider.index)
    widgets.jslink((target_slider, "index"), (outer, "selected_index"))
    outer.add_class("course-frames")
    note = kernel_note(["logit a", "target pixel x"])
    box = widgets.VBox([widgets.HTML(note), logit_slider, target_slider, outer])
    box.add_class("course-loss-explorer")
    box.controls = {"logit a": logit_slider, "target pixel x": target_slider}
    box.displays = {"frames": outer, "by target": dict(zip(targets, inner))}

    def frame(logit: float, target: float) -> str:
        return loss_frame_html(logit, target, loss_curves(CURVE_LOGITS, target))

    box.frame = frame
    return box


def shown_frame(box) -> str:
    """The HTML the loss explorer shows for its sliders' current values (as the browser links them)."""
    target_index = box.controls["target pixel x"].index
    logit_index = box.controls["logit a"].index
    return box.displays["frames"].children[target_index].children[logit_index].value


def training_curves_explorer(curves: Mapping[str, Sequence[float]], *,
                             baselines: Mapping[str, float] | None = None,
                             ylabel: str = "test MSE per pixel",
                             groups: Mapping[str, Sequence[str]] | None = None):
    """Recorded training curves as SVG: preset comparisons in frames, and a checkbox per curve.

    ``groups`` names sets of curves to compare (default: one group with every curve);
    a ``compare`` slider over them shows precomputed frames, so it works on the course
    site. Below it, one checkbox per curve shows or hides it in a second picture, redrawn
    in a running kernel (a millisecond). Returns a ``VBox`` with ``controls``
    (``"compare"``, then curve name → Checkbox), ``displays`` (``"frames"``: the stack of
    preset pictures; ``"curves"``: the checkbox picture) and ``render(names)``, the HTML
    for a set of curve names.
    """
    import ipywidgets as widgets

    if not curves:
        raise ValueError("training_curves_explorer needs at least one curve")
    names = list(curves)
    groups = dict(groups or {"every run": names})
    for group, members in groups.items():
        unknown = set(members) - set(names)
        if unknown or not members:
            raise ValueError(f"group {group!r} names no curve or unknown curves "
                             f"{sorted(unknown)}; the curves are {names}")

    def render(selected: Iterable[str]) -> str:
        selected = list(selected)
        svg = curves_svg(curves, selected, baselines=baselines, ylabel=ylabel)
        return f"<div>{_svg_img(svg, curves_alt(curves, selected))}</div>"

    view = selection_slider("compare", list(groups))
    stack = frames_stack(view, [render(members) for members in groups.values()])
    boxes = {}
    for name in names:
        check = widgets.Checkbox(value=True, description=name, indent=False)
        check.style.description_width = "initial"
        check.layout.width = "auto"
        check.add_class("course-curve-toggle")
        boxes[name] = check
    disable_for_site(*boxes.values())
    display = widgets.HTML(render(names))

    def update(_change: object = None) -> None:
        display.value = render([n for n in names if boxes[n].value])

    for check in boxes.values():
        check.observe(update, names="value")
    legend = "".join(
        f'<span style="margin-right:1em;white-space:nowrap"><svg width="26" height="8" '
        f'aria-hidden="true"><line x1="0" x2="26" y1="4" y2="4" '
        f'stroke="{CURVE_COLOURS[n % len(CURVE_COLOURS)]}" stroke-width="2"'
        + (f' stroke-dasharray="{CURVE_DASHES[n % len(CURVE_DASHES)]}"'
           if CURVE_DASHES[n % len(CURVE_DASHES)] else "")
        + f'/></svg> {html.escape(name)}</span>' for n, name in enumerate(names))
    legend_html = f"<div style='font-size:0.85em'>{legend}</div>"
    note = kernel_note(["compare"], ["each curve's checkbox"])
    box = widgets.VBox([widgets.HTML(note), view, widgets.HTML(legend_html), stack,
                        widgets.HTML("<b>Any curves you choose</b> (redrawn as you tick)"),
                        widgets.HBox(list(boxes.values()),
                                     layout=widgets.Layout(flex_flow="row wrap")),
                        display])
    box.add_class("course-curves-explorer")
    box.controls = {"compare": view, **boxes}
    box.displays = {"frames": stack, "curves": display}
    box.render = render
    return box


def bench():
    """Both explorers as lesson 04 builds them (its runs come from the checkpoint cache and
    are trained into it when it is cold): the loss explorer, and the curves of the runs
    trained with MSE beside PCA-32 and the mean training image."""
    from ..config import budget, seed_everything
    from ..metrics import mse, pca_baseline
    from ..models import DeepAutoencoder
    from ..recipes import Recipe, standard_data
    from ..training import cached_train

    train_set, test_set = standard_data()
    train_small = train_set.subset(budget(full=4_000, fast=1_500))
    settings = Recipe(lr=1e-3, steps=315, fast_steps=30, batch_size=64).settings(len(train_small))
    runs = {"Adam, cosine schedule": ("04_adam", {}, {}),
            "BatchNorm off": ("04_bn0_lr0.001", {"batchnorm": False}, {}),
            "Dropout 0.2": ("04_dropout02", {"dropout": 0.2}, {}),
            "constant learning rate": ("04_sched_constant", {}, {"scheduler": "constant"})}
    curves = {}
    for label, (name, model_options, changes) in runs.items():
        seed_everything(0)
        model = DeepAutoencoder(**{"dropout": 0.0, **model_options})
        curves[label] = cached_train(model, name, train_small, test_set,
                                     **{**settings, **changes}).test_loss
    pca = pca_baseline(train_small.images, 32).mse(test_set.images)
    mean = mse(train_small.images.mean(0, keepdim=True).expand_as(test_set.images),
               test_set.images)
    groups = {"every run": list(curves),
              "BatchNorm": ["Adam, cosine schedule", "BatchNorm off"],
              "Dropout": ["Adam, cosine schedule", "Dropout 0.2"],
              "schedules": ["Adam, cosine schedule", "constant learning rate"]}
    return [loss_explorer(),
            training_curves_explorer(curves, baselines={"PCA-32": pca, "mean image": mean},
                                     groups=groups)]
