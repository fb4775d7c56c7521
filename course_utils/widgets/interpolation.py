"""The interpolation explorer (lesson 07): between two digits, in pixels and in code space.

Slide **t** from 0 to 1 between two test digits a and b. The *pixel blend* is
(1 − t)·a + t·b, a cross-fade; each autoencoder instead encodes both digits, blends the
codes, (1 − t)·z_a + t·z_b, and decodes the blend. The codes of the candidate digits are
computed once, when the explorer is built; a move decodes a handful of codes.

- :func:`blend_images`: what one value of t shows, for every model (tested without widgets);
- :func:`blend_html`: that row as images with alt text;
- :func:`interpolation_explorer`: the widgets; :func:`bench` builds it as lesson 07 does.

On the course site the t slider works for the pair the lesson chose (its frames are
computed when the notebook runs); choosing another pair needs a running kernel, which
recomputes the frames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import nn

from ..summary import eval_mode
from .shared import MUTED, choice, disable_for_site, frames_stack, image_html, kernel_note, \
    message_html, selection_slider

#: The values of t the slider offers (and the site's frames): 0, 1/8, …, 1.
T_VALUES = tuple(round(i / 8, 3) for i in range(9))


def codes_of(models: Mapping[str, nn.Module], images: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every model's code for every image (N×1×28×28 → N×code shape), computed once."""
    codes = {}
    for name, model in models.items():
        with eval_mode(model), torch.no_grad():
            codes[name] = model.encode(images)
    return codes


def blend_images(models: Mapping[str, nn.Module], codes: Mapping[str, torch.Tensor],
                 images: torch.Tensor, a: int, b: int,
                 ts: Sequence[float]) -> dict[str, torch.Tensor]:
    """For each t in ``ts``: the pixel blend and each model's decoded code blend.

    Returns ``{"pixel blend": T×1×28×28, model name: T×1×28×28, ...}`` for digits ``a`` and
    ``b`` (indices into ``images`` and into each model's ``codes``).
    """
    t = torch.tensor(list(ts), dtype=images.dtype).view(-1, 1, 1, 1)
    rows = {"pixel blend": (1 - t) * images[a] + t * images[b]}
    for name, model in models.items():
        z_a, z_b = codes[name][a], codes[name][b]
        shape = (-1,) + (1,) * z_a.ndim
        tz = t.view(shape).to(z_a.dtype)
        with eval_mode(model), torch.no_grad():
            rows[name] = model.decode((1 - tz) * z_a + tz * z_b).clamp(0, 1)
    return rows


def blend_html(rows: Mapping[str, torch.Tensor], index: int, t: float, a_name: str,
               b_name: str) -> str:
    """One value of t: the pixel blend and every model's decoded blend, side by side."""
    cells = []
    for name, images in rows.items():
        how = ("the two images cross-faded pixel by pixel" if name == "pixel blend"
               else f"{name}: the blended code decoded")
        cells.append(image_html(images[index], f"from {a_name} to {b_name} at t = {t:.3g}: {how}",
                                scale=1, width=84, caption=name, optimize=False))
    return (f'<div style="font-size:0.85em">from <b>{a_name}</b> (t = 0) to <b>{b_name}</b> '
            f"(t = 1), at <b>t = {t:.3g}</b></div>"
            f'<div style="display:flex;flex-wrap:wrap;gap:4px">{"".join(cells)}</div>')


def interpolation_explorer(models: Mapping[str, nn.Module], images: torch.Tensor,
                           labels: Sequence[int] | torch.Tensor, start: int = 1, end: int = 7,
                           ts: Sequence[float] = T_VALUES):
    """A t slider between two of ``images`` (a few test digits), for every model at once.

    ``start`` and ``end`` are the digits (labels) of the pair shown first, whose frames
    are saved with the notebook. Returns a ``VBox`` with ``controls`` ("t", "from", "to")
    and ``displays`` ("frames", the Stack of one frame per t; "status").
    """
    import ipywidgets as widgets

    labels = [int(v) for v in labels]
    if len(labels) != len(images) or len(labels) < 2:
        raise ValueError(f"need at least two images with one label each, got {len(images)} "
                         f"images and {len(labels)} labels")
    names = [f"{label} (#{i})" if labels.count(label) > 1 else str(label)
             for i, label in enumerate(labels)]
    codes = codes_of(models, images)
    a0 = labels.index(start) if start in labels else 0
    b0 = labels.index(end) if end in labels else 1
    t_slider = selection_slider("t", list(ts), ts[len(ts) // 2])
    from_menu = choice("from", names, names[a0])
    to_menu = choice("to", names, names[b0])
    status = widgets.HTML()
    disable_for_site(from_menu, to_menu)

    def frames_for(a: int, b: int) -> list[str]:
        rows = blend_images(models, codes, images, a, b, ts)
        return [blend_html(rows, i, t, names[a], names[b]) for i, t in enumerate(ts)]

    stack = frames_stack(t_slider, frames_for(a0, b0))

    def update(_change: object = None) -> None:
        a, b = names.index(from_menu.value), names.index(to_menu.value)
        for frame, text in zip(stack.children, frames_for(a, b)):
            frame.value = text
        stack.selected_index = t_slider.index
        if a == b:
            status.value = message_html("Pick two different digits: from a digit to itself "
                                        "every blend is the same image.")
        else:
            status.value = (f'<div style="font-size:0.85em;color:{MUTED}">Slide t: the pixel '
                            f"blend fades one digit out and the other in; each decoder shows "
                            f"what it makes of the codes in between.</div>")

    for control in (from_menu, to_menu):
        control.observe(update, names="value")
    t_slider.observe(lambda _change: setattr(stack, "selected_index", t_slider.index),
                     names="index")
    update()
    note = widgets.HTML(kernel_note(["t"], ["from", "to"]))
    box = widgets.VBox([note, t_slider, stack, widgets.HBox([from_menu, to_menu]), status])
    box.controls = {"t": t_slider, "from": from_menu, "to": to_menu}
    box.displays = {"frames": stack, "status": status}
    box.names, box.codes = names, codes
    return box


def bench():
    """The explorer exactly as lesson 07 builds it: four trained models, one digit per class."""
    from .. import recipes

    train_set, test_set = recipes.standard_data()
    models = {name: load(train_set, test_set)[0] for name, load in (
        ("deep conv", recipes.deep_conv), ("FC", recipes.fc), ("deep FC", recipes.deep_fc),
        ("compact code", recipes.compact_code))}
    picks = [int((test_set.labels == d).nonzero()[0]) for d in range(10)]
    return interpolation_explorer(models, test_set.images[picks], test_set.labels[picks])
