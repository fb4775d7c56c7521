"""The unit explorer (lesson 03): what one hidden unit of the stacked autoencoder responds to.

Pick a layer and a unit. The explorer shows the test digits that drive that unit hardest,
the mean of its strongest digits, and a picture of what it weighs in the input:

- layer 1: the unit's own input weights, one per pixel, as a 28×28 image;
- deeper layers: the weighted sum of first-layer weights that reaches the unit, following
  every ``Linear`` layer and BatchNorm scale on the way but not the ReLUs (so it is only
  a linear sketch of what the unit computes; the mean of its strongest digits is not).

Everything is computed once, when the explorer is built (:class:`UnitAtlas`); a move only
picks rows out of it (:func:`unit_view`, pure) and renders them (:func:`view_html`).
:func:`digit_selectivity` is the measurement lesson 03 makes of every unit at once: how
often a unit's strongest test digits are all one digit.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from .shared import (MUTED, choice, disable_for_site, frames_stack, image_html, image_row,
                     int_slider, kernel_note, message_html, selection_slider)

#: Strongest digits shown per unit.
SHOWN = 8


def strongest_count(n_images: int) -> int:
    """How many of a unit's strongest test digits count as "its" digits: 5% of the test set
    (100 of 2,000; 50 of 1,000; 15 of 300), at least 5."""
    return max(5, n_images // 20)


def linear_paths(encoder: nn.Sequential) -> list[torch.Tensor]:
    """For every ReLU of the encoder: the matrix that maps input pixels to that layer's units,
    following each ``Linear`` weight and BatchNorm scale and ignoring the ReLUs and shifts.

    The first entry is the first layer's own weights (units × pixels).
    """
    paths, matrix = [], None
    for layer in encoder:
        if isinstance(layer, nn.Linear):
            weight = layer.weight.detach().float().cpu()
            matrix = weight if matrix is None else weight @ matrix
        elif isinstance(layer, nn.BatchNorm1d) and matrix is not None:
            scale = layer.weight.detach().float().cpu() / torch.sqrt(
                layer.running_var.float().cpu() + layer.eps)
            matrix = scale[:, None] * matrix
        elif isinstance(layer, nn.ReLU) and matrix is not None:
            paths.append(matrix.clone())
    return paths


@dataclass(frozen=True)
class UnitAtlas:
    """A stacked model's units, measured once on the test images.

    ``activations[l]`` is N×units of layer ``l + 1`` (after its ReLU, eval mode);
    ``order[l]`` ranks the test images for every unit, strongest first (units×N);
    ``paths[l]`` maps pixels to units (:func:`linear_paths`).
    """

    images: torch.Tensor  # N×1×28×28
    labels: torch.Tensor  # N
    activations: list[torch.Tensor]
    order: list[torch.Tensor]
    paths: list[torch.Tensor]

    @classmethod
    def measure(cls, model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> UnitAtlas:
        from ..activations import layer_activations

        activations = layer_activations(model, images)
        order = [torch.argsort(a.T, dim=1, descending=True, stable=True) for a in activations]
        return cls(images, labels, activations, order, linear_paths(model.encoder))

    @property
    def widths(self) -> list[int]:
        return [a.shape[1] for a in self.activations]

    def check(self, layer: int, unit: int) -> None:
        """Raise ``ValueError`` with a plain sentence unless ``layer`` and ``unit`` exist."""
        if not 1 <= layer <= len(self.widths):
            raise ValueError(f"the encoder has layers 1 to {len(self.widths)}, not {layer}")
        width = self.widths[layer - 1]
        if not 0 <= unit < width:
            raise ValueError(f"layer {layer} has {width} units, numbered 0 to {width - 1}; "
                             f"there is no unit {unit}")

    def strongest(self, layer: int, unit: int, count: int) -> torch.Tensor:
        """Indices of the unit's ``count`` strongest test images among those it responds to
        (activation above 0), strongest first; fewer if it responds to fewer."""
        ranked = self.order[layer - 1][unit, :count]
        values = self.activations[layer - 1][ranked, unit]
        return ranked[values > 0]


@dataclass(frozen=True)
class UnitView:
    """What the explorer shows for one unit."""

    layer: int
    unit: int
    width: int
    active_share: float  # share of test images it responds to (> 0)
    top_images: torch.Tensor  # up to SHOWN×1×28×28, strongest first
    top_labels: list[int]
    top_values: list[float]
    weights: torch.Tensor  # 28×28: own weights (layer 1) or the linear path (deeper)
    mean_top: torch.Tensor | None  # 28×28: mean of its strongest digits (None if dead)
    purity: float | None  # share of its strongest digits that are its most common digit
    favourite: int | None  # that digit
    sentence: str


def purity_of(labels: torch.Tensor) -> tuple[float, int] | None:
    """(share of the most common label, that label), or None for no labels."""
    if len(labels) == 0:
        return None
    counts = torch.bincount(labels.long())
    return float(counts.max()) / len(labels), int(counts.argmax())


def unit_view(atlas: UnitAtlas, layer: int, unit: int) -> UnitView:
    """Everything one (layer, unit) shows; ``ValueError`` for a unit that does not exist."""
    atlas.check(layer, unit)
    acts = atlas.activations[layer - 1][:, unit]
    n = strongest_count(len(acts))
    strongest = atlas.strongest(layer, unit, n)
    shown = strongest[:SHOWN]
    weights = atlas.paths[layer - 1][unit].view(28, 28)
    width = atlas.widths[layer - 1]
    active = float((acts > 0).float().mean())
    picked = purity_of(atlas.labels[strongest])
    what = "its input weights" if layer == 1 else "the weighted sum of first-layer weights"
    if picked is None:
        sentence = (f"Layer {layer}, unit {unit} of {width}: it is 0 for every test digit, so "
                    f"it responds to nothing ({what} are shown all the same).")
        return UnitView(layer, unit, width, active, atlas.images[:0], [], [], weights, None,
                        None, None, sentence)
    purity, favourite = picked
    digits = ", ".join(str(int(d)) for d in atlas.labels[shown])
    sentence = (f"Layer {layer}, unit {unit} of {width}: it responds to {100 * active:.0f}% of "
                f"the test digits. Its strongest: {digits}. Of its {len(strongest)} strongest, "
                f"{100 * purity:.0f}% are {favourite}s.")
    return UnitView(layer, unit, width, active, atlas.images[shown],
                    [int(d) for d in atlas.labels[shown]],
                    [float(v) for v in acts[shown]], weights,
                    atlas.images[strongest].mean(dim=0)[0], purity, favourite, sentence)


def digit_selectivity(atlas: UnitAtlas) -> list[dict[str, float]]:
    """Per layer: the mean purity of the units' strongest digits, and the dead-unit count.

    A unit's *purity* is the share of its strongest test digits (:func:`strongest_count`)
    that are its most common digit: 1.0 if they are all one digit; about the share of the
    most common digit in a random sample if the unit ignores which digit it sees.
    """
    rows = []
    for layer, width in enumerate(atlas.widths, start=1):
        purities = []
        for unit in range(width):
            strongest = atlas.strongest(layer, unit, strongest_count(len(atlas.labels)))
            picked = purity_of(atlas.labels[strongest])
            if picked is not None:
                purities.append(picked[0])
        rows.append({"layer": layer, "units": width, "dead": width - len(purities),
                     "purity": float(torch.tensor(purities).mean()) if purities else float("nan")})
    return rows


def pixel_selectivity(images: torch.Tensor, labels: torch.Tensor) -> float:
    """The same purity with each input pixel as a "unit": the yardstick for layer 1."""
    flat = images.flatten(1)
    n = strongest_count(len(flat))
    purities = []
    for pixel in range(flat.shape[1]):
        values = flat[:, pixel]
        ranked = torch.argsort(values, descending=True, stable=True)[:n]
        ranked = ranked[values[ranked] > 0]
        picked = purity_of(labels[ranked])
        if picked is not None and len(ranked) >= n:  # pixels that ink reaches often enough
            purities.append(picked[0])
    return float(torch.tensor(purities).mean())


def view_html(view: UnitView) -> str:
    """One unit as HTML: the sentence, the weights picture, the mean and strongest digits."""
    bound = max(float(view.weights.abs().max()), 1e-12)
    weight_caption = "input weights" if view.layer == 1 else "weights along the paths"
    weight_alt = (f"Layer {view.layer} unit {view.unit}: "
                  + ("its input weights" if view.layer == 1 else
                     "the first-layer weights summed along every path to it, ReLUs ignored")
                  + ", as a 28×28 image, orange positive, purple negative")
    items = [image_html(view.weights, weight_alt, scale=3, caption=weight_caption,
                        vmin=-bound, vmax=bound, cmap="PuOr")]
    if view.mean_top is not None:
        items.append(image_html(view.mean_top, f"The mean of the unit's strongest test digits, "
                                f"mostly {view.favourite}s", scale=3,
                                caption="mean of its strongest"))
    top = ""
    if len(view.top_images):
        top = image_row([(img, f"Test digit {label}, activation {value:.2f}",
                          f"{label}: {value:.1f}")
                         for img, label, value in zip(view.top_images, view.top_labels,
                                                      view.top_values)], scale=2)
    return (f'<div style="max-width:640px"><p>{html.escape(view.sentence)}</p>'
            f'<div style="display:flex;flex-wrap:wrap;gap:8px">{"".join(items)}</div>'
            f'<div style="font-size:0.85em;color:{MUTED}">its strongest test digits '
            f"(digit: activation)</div>{top}</div>")


def frame_units(atlas: UnitAtlas, layer: int, count: int = 10) -> list[int]:
    """The first ``count`` units of ``layer`` that respond to at least one test digit."""
    live = (atlas.activations[layer - 1] > 0).any(dim=0).nonzero().flatten().tolist()
    return live[:count]


def unit_explorer(atlas: UnitAtlas, *, frame_layers: Sequence[int] = (1, 4),
                  frames_per_layer: int = 10):
    """A layer menu and a unit slider (need a kernel), and, per layer in ``frame_layers``, a
    unit slider whose frames are precomputed (works on the course site).

    Returns a ``VBox`` with ``controls``, ``displays`` and ``render(layer, unit)``.
    """
    import ipywidgets as widgets

    def render(layer: int, unit: int) -> str:
        try:
            return view_html(unit_view(atlas, int(layer), int(unit)))
        except ValueError as error:
            return message_html(str(error))

    controls, displays, parts = {}, {}, []
    for layer in frame_layers:
        if not 1 <= layer <= len(atlas.widths):
            raise ValueError(f"no layer {layer}: the encoder has {len(atlas.widths)}")
        units = frame_units(atlas, layer, frames_per_layer)
        if not units:
            continue
        name = f"layer {layer} unit"
        slider = selection_slider(name, units)
        stack = frames_stack(slider, [render(layer, u) for u in units])
        parts += [widgets.HTML(f"<b>Layer {layer} ({atlas.widths[layer - 1]} units): its first "
                               f"{len(units)} units that respond to any test digit</b>"),
                  slider, stack]
        controls[name], displays[f"layer {layer} frames"] = slider, stack
    layer_menu = choice("layer", [(f"{l} ({w} units)", l) for l, w in
                                  enumerate(atlas.widths, start=1)], 1)
    unit_slider = int_slider("unit", 0, 0, atlas.widths[0] - 1)
    disable_for_site(layer_menu, unit_slider)
    live = widgets.HTML(render(1, 0))

    def update(_change: object = None) -> None:
        unit_slider.max = atlas.widths[layer_menu.value - 1] - 1
        live.value = render(layer_menu.value, unit_slider.value)

    layer_menu.observe(update, names="value")
    unit_slider.observe(update, names="value")
    note = kernel_note([name for name in controls], ["layer", "unit"])
    box = widgets.VBox([widgets.HTML(note), *parts,
                        widgets.HTML("<b>Any layer, any unit</b> (computed as you move)"),
                        layer_menu, unit_slider, live])
    controls.update({"layer": layer_menu, "unit": unit_slider})
    displays["view"] = live
    box.controls, box.displays, box.render, box.atlas = controls, displays, render, atlas
    return box


def bench():
    """The explorer as lesson 03 builds it (the recipe's model from the cache, or trained)."""
    from .. import recipes

    train_set, test_set = recipes.standard_data()
    model, _ = recipes.deep_fc(train_set, test_set)
    return unit_explorer(UnitAtlas.measure(model, test_set.images, test_set.labels))
