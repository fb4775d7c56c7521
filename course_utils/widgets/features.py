"""The feature-map explorer (lesson 07): pick a test digit and a stage of a conv encoder.

The encoder's activations for a handful of test digits are computed once, when the
explorer is built (:func:`stage_maps`, with :func:`course_utils.latent.encoder_outputs`);
moving a control only picks among them and draws small PNGs. Each map is coloured on its
own scale (dark = its lowest value, bright = its highest), as in the lesson's figure, so
compare *where* maps light up, not how bright they are; a map that is constant over the
whole image is drawn flat and its alt text says so.

- :func:`stage_maps`: the activations, digit by digit and stage by stage;
- :func:`maps_html`: one stage of one digit as a row of images with alt text;
- :func:`digit_frame`: one digit through every stage (the first channels of each): the
  frames that keep the explorer alive on the course site;
- :func:`feature_explorer`: the widgets; :func:`bench` builds it as lesson 07 does.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..latent import encoder_outputs
from .shared import MUTED, choice, disable_for_site, frames_stack, image_html, kernel_note, \
    message_html, selection_slider

#: How many channels of each stage a site frame shows.
FRAME_CHANNELS = 8
#: Each map is drawn about this many screen pixels wide, whatever its size (3×3 to 28×28).
MAP_PIXELS = 48


def stage_maps(model: nn.Module, images: torch.Tensor) -> dict[str, torch.Tensor]:
    """The encoder's output after each pooling stage, for ``images`` (N×1×28×28).

    Returns ``{"16×14×14": N×16×14×14, "32×7×7": ..., ...}``, labelled by shape.
    """
    stages = encoder_outputs(model, images)
    return {label.split(": ")[-1]: maps for label, maps in stages.items()}


def _map_image(values: torch.Tensor, alt: str, caption: str = "") -> str:
    """One map on its own scale: a PNG of one pixel per value, drawn ``MAP_PIXELS`` wide."""
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-12:
        return image_html(torch.zeros_like(values), f"{alt}: constant at {low:.2f}",
                          scale=1, width=MAP_PIXELS, caption=caption, optimize=False)
    return image_html(values, f"{alt}: from {low:.2f} (dark) to {high:.2f} (bright)",
                      scale=1, width=MAP_PIXELS, vmin=low, vmax=high, cmap="viridis",
                      caption=caption, optimize=False)


def maps_html(maps: torch.Tensor, *, digit: str, stage: str,
              channels: int | None = None) -> str:
    """The first ``channels`` maps (C×h×w) of one stage for one digit, each with alt text."""
    count = len(maps) if channels is None else min(channels, len(maps))
    cells = "".join(_map_image(maps[c], f"digit {digit}, stage {stage}, channel {c}", f"{c}")
                    for c in range(count))
    return f'<div style="display:flex;flex-wrap:wrap;gap:2px;align-items:flex-end">{cells}</div>'


def digit_frame(image: torch.Tensor, stages: dict[str, torch.Tensor], digit: str,
                channels: int = FRAME_CHANNELS) -> str:
    """One digit (1×28×28) and the first ``channels`` maps of every stage (label → C×h×w)."""
    rows = [f'<div style="display:flex;gap:8px;align-items:center">'
            f'<div style="width:7em;font-size:0.85em">input</div>'
            f'{image_html(image, f"test digit {digit}, the input", scale=1, width=2 * MAP_PIXELS, optimize=False)}</div>']
    for stage, maps in stages.items():
        rows.append(f'<div style="display:flex;gap:8px;align-items:center">'
                    f'<div style="width:7em;font-size:0.85em">stage {stage}</div>'
                    f"{maps_html(maps, digit=digit, stage=stage, channels=channels)}</div>")
    note = (f'<div style="font-size:0.85em;color:{MUTED}">The first {channels} channels of '
            f"each stage; each map on its own colour scale.</div>")
    return "".join(rows) + note


def feature_explorer(model: nn.Module, images: torch.Tensor, labels: Sequence[int] | torch.Tensor,
                     digit: int | None = None):
    """Digit and stage pickers over the feature maps of ``model``'s conv encoder.

    ``images`` (N×1×28×28, a few test digits) and ``labels`` (their digits) are run through
    the encoder once. **digit** (a selection slider) switches between precomputed frames
    of every stage, and works on the course site; **stage** shows all channels of one
    stage for the chosen digit (a running kernel). Returns a ``VBox`` with ``controls``
    and ``displays``, and ``stages`` (stage label → N×C×h×w).
    """
    import ipywidgets as widgets

    labels = [int(v) for v in labels]
    if len(images) != len(labels) or not labels:
        raise ValueError(f"need one label per image, got {len(images)} images and "
                         f"{len(labels)} labels")
    names = [f"{label} (#{i})" if labels.count(label) > 1 else str(label)
             for i, label in enumerate(labels)]
    stages = stage_maps(model, images)
    frames = [digit_frame(images[i], {s: m[i] for s, m in stages.items()}, names[i])
              for i in range(len(names))]
    digit_slider = selection_slider("digit", names, names[labels.index(digit)]
                                    if digit in labels else names[0])
    stack = frames_stack(digit_slider, frames)
    stage_menu = choice("stage", ["(none)", *stages], "(none)")
    all_maps = widgets.HTML()
    disable_for_site(stage_menu)
    every = {(i, stage): (f"<div><b>digit {names[i]}, stage {stage}</b>: all {len(maps[i])} "
                          f"channels</div>" + maps_html(maps[i], digit=names[i], stage=stage))
             for stage, maps in stages.items() for i in range(len(names))}  # computed once

    def update(_change: object = None) -> None:
        stage = stage_menu.value
        if stage == "(none)":
            all_maps.value = (f'<div style="font-size:0.85em;color:{MUTED}">Pick a stage to '
                              f"see all of its channels for this digit.</div>")
            return
        if stage not in stages:
            all_maps.value = message_html(f"No stage {stage!r}: pick one of "
                                          f"{', '.join(stages)}.")
            return
        all_maps.value = every[digit_slider.index, stage]

    digit_slider.observe(update, names="value")
    stage_menu.observe(update, names="value")
    update()
    note = widgets.HTML(kernel_note(["digit"], ["stage"]))
    box = widgets.VBox([note, digit_slider, stack, stage_menu, all_maps])
    box.controls = {"digit": digit_slider, "stage": stage_menu}
    box.displays = {"frames": stack, "stage maps": all_maps}
    box.stages, box.names = stages, names
    return box


def one_per_digit(labels: torch.Tensor) -> list[int]:
    """The index of the first image of each digit 0–9 that occurs in ``labels``."""
    return [int((labels == d).nonzero()[0]) for d in range(10) if bool((labels == d).any())]


def bench():
    """The explorer exactly as lesson 07 builds it: the deep conv model, one test digit per class."""
    from .. import recipes

    train_set, test_set = recipes.standard_data()
    model, _ = recipes.deep_conv(train_set, test_set)
    picks = one_per_digit(test_set.labels)
    return feature_explorer(model, test_set.images[picks], test_set.labels[picks], digit=7)
