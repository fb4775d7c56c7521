"""The architecture builder (lesson 06): widths and code size in, parameters and work out.

Pick a family (fully connected, conv with a grid code, conv with a flat code), the widths of
its two hidden layers and the size of its code; :func:`describe` builds that autoencoder
with the course's own classes and lets PyTorch count it: every layer's output shape,
parameters and multiply-accumulates (MACs) for one 28×28 image, in one forward pass.

The model is built on PyTorch's ``meta`` device: layers get their shapes but no memory and
no random initial values, so a model with millions of parameters is built and counted in
milliseconds. ``FlopCounterMode`` counts the same MACs on it as on a real model
(:func:`course_utils.summary.macs_per_image`, which the tests check).

- :func:`describe`: one setting → an :class:`Architecture` (or a message for a setting that
  cannot be built);
- :func:`architecture_html`: its summary line and per-layer table;
- :func:`code_size_table`: the three families side by side at one code size, the frames that
  keep the explorer alive on the course site;
- :func:`builder_explorer`: the widgets; :func:`bench` builds it as lesson 06 does.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from ..models import DeepConvAutoencoder, FCAutoencoder, FlatConvAutoencoder
from ..summary import eval_mode
from .shared import GOOD, MUTED, choice, disable_for_site, frames_stack, int_slider, \
    kernel_note, message_html, selection_slider

FC, GRID, FLAT = "fully connected", "conv, grid code", "conv, flat code"
FAMILIES = (FC, GRID, FLAT)

#: Default widths per family: hidden units for the FC model, channels for the conv models.
DEFAULT_WIDTHS = {FC: (256, 128), GRID: (16, 32), FLAT: (16, 32)}
#: Slider ranges: widths and code size.
WIDTH_RANGE = (1, 1024)
CODE_RANGE = (1, 1024)
#: A conv layer in this explorer has at most this many channels (the forward pass that
#: counts MACs stays fast; the course's conv models use 16 to 64).
MAX_CHANNELS = 256
#: The code sizes of the site's frames: multiples of 9, so the grid model (C×3×3) has each.
FRAME_CODES = (9, 18, 36, 72, 144, 288, 576)
IMAGE_SHAPE = (1, 28, 28)
WEIGHT_LAYERS = ("Linear", "Conv2d", "ConvTranspose2d")


@dataclass(frozen=True)
class Layer:
    """One layer with parameters or work: name, type, output shape, parameters, MACs."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    parameters: int
    macs: int


@dataclass(frozen=True)
class Architecture:
    """What one setting of the builder shows: the model, layer by layer, and its totals."""

    family: str
    path: str
    layers: tuple[Layer, ...]
    parameters: int
    macs: int
    code_size: int

    @property
    def compression(self) -> float:
        """Pixels per code number (784 / code size)."""
        return 784 / self.code_size

    @property
    def code_layers(self) -> int:
        """Parameters of the two layers next to the code: the encoder's last weight layer
        (Linear or convolution, not BatchNorm) and the decoder's first."""
        weighted = [layer for layer in self.layers if layer.kind in WEIGHT_LAYERS]
        encoder = [layer for layer in weighted if layer.name.startswith("encoder")]
        decoder = [layer for layer in weighted if layer.name.startswith("decoder")]
        return (encoder[-1].parameters if encoder else 0) + (decoder[0].parameters
                                                              if decoder else 0)


def build(family: str, first: int, second: int, code: int) -> nn.Module | str:
    """The autoencoder for one setting, on the ``meta`` device; a message if it cannot be built.

    - fully connected: ``FCAutoencoder(hidden_sizes=(first, second, code))``;
    - conv, grid code: ``DeepConvAutoencoder(latent_channels=code // 9)``: a C×3×3 code, so
      the code size must be a multiple of 9; its channels (16, 32) are fixed;
    - conv, flat code: ``FlatConvAutoencoder(code, channels=(first, second))``.
    """
    if family not in FAMILIES:
        return f"Unknown family {family!r}: pick one of {', '.join(FAMILIES)}."
    if family == GRID and code % 9:
        below, above = code - code % 9, code - code % 9 + 9
        near = f"{below} or {above}" if below else f"{above}"
        return (f"The grid model's code is C×3×3 numbers, a multiple of 9: {code} is not. "
                f"Try {near}.")
    if family == FLAT and max(first, second) > MAX_CHANNELS:
        return (f"A conv layer here has at most {MAX_CHANNELS} channels (the course's conv "
                f"models use 16 to 64); {max(first, second)} is too many.")
    try:
        with torch.device("meta"):
            if family == FC:
                return FCAutoencoder(hidden_sizes=(first, second, code))
            if family == GRID:
                return DeepConvAutoencoder(latent_channels=code // 9)
            return FlatConvAutoencoder(code, channels=(first, second))
    except (TypeError, ValueError) as error:
        return f"That model cannot be built: {error}"


def layer_costs(model: nn.Module,
                input_shape: tuple[int, ...] = IMAGE_SHAPE) -> tuple[list[Layer], int]:
    """Every leaf layer's output shape, parameters and MACs, from one forward pass.

    Returns ``(layers, code_size)``. MACs are ``FlopCounterMode``'s FLOPs per layer, halved
    (a multiply-accumulate is two operations), the way :func:`~course_utils.summary.macs_per_image`
    counts them; layers with neither parameters nor MACs (activations, reshapes) are left out.
    """
    from torch.utils.flop_counter import FlopCounterMode

    device = next(model.parameters()).device
    shapes: dict[str, tuple[int, ...]] = {}
    leaves = {name: module for name, module in model.named_modules()
              if name and not list(module.children())}
    hooks = [module.register_forward_hook(
        lambda _m, _i, out, name=name: shapes.__setitem__(name, tuple(out.shape[1:])))
        for name, module in leaves.items()]
    counter = FlopCounterMode(display=False)
    try:
        with eval_mode(model), torch.no_grad(), counter:
            model(torch.zeros(1, *input_shape, device=device))
    finally:
        for hook in hooks:
            hook.remove()
    with eval_mode(model), torch.no_grad():
        code = model.encode(torch.zeros(1, *input_shape, device=device))
    prefix = type(model).__name__ + "."
    flops = {key[len(prefix):]: sum(ops.values())
             for key, ops in counter.get_flop_counts().items() if key.startswith(prefix)}
    layers = []
    for name, module in leaves.items():
        parameters = sum(p.numel() for p in module.parameters(recurse=False))
        macs = int(flops.get(name, 0)) // 2
        if parameters or macs:
            layers.append(Layer(name, type(module).__name__, shapes.get(name, ()),
                                parameters, macs))
    return layers, int(code[0].numel())


def describe(family: str, first: int, second: int, code: int) -> Architecture | str:
    """What the builder shows for one setting (computed by PyTorch), or why it cannot."""
    model = build(family, first, second, code)
    if isinstance(model, str):
        return model
    layers, code_size = layer_costs(model)
    if family == FC:
        path = f"784 → {first} → {second} → {code} → {second} → {first} → 784"
    elif family == GRID:
        path = (f"1×28×28 → 16×14×14 → 32×7×7 → {code // 9}×3×3 → 64×7×7 → 32×14×14 → "
                f"16×28×28 → 1×28×28")
    else:
        path = f"1×28×28 → {first}×14×14 → {second}×7×7 → {code} and back"
    return Architecture(family, path, tuple(layers), sum(layer.parameters for layer in layers),
                        sum(layer.macs for layer in layers), code_size)


def summary_line(arch: Architecture) -> str:
    """One sentence: the model's path, parameters, MACs, code size and compression."""
    share = arch.code_layers / arch.parameters if arch.parameters else 0.0
    squeeze = (f"{arch.compression:.1f}× fewer than the 784 pixels" if arch.code_size < 784
               else "no fewer than the 784 pixels: no compression")
    return (f"{arch.family}: {arch.path}. <b>{arch.parameters:,} parameters</b>, "
            f"<b>{arch.macs:,} MACs</b> per image; a code of {arch.code_size:,} numbers "
            f"({squeeze}); the two layers next to the code hold {share:.0%} of the "
            f"parameters.")


def architecture_html(arch: Architecture | str) -> str:
    """The summary line and the per-layer table (each layer's share of parameters and MACs)."""
    if isinstance(arch, str):
        return message_html(arch)
    cell = 'style="padding:1px 8px;text-align:right"'
    head = "".join(f"<th {cell}>{h}</th>" for h in
                   ("layer", "type", "output shape", "parameters", "share", "MACs", "share"))
    rows = []
    for layer in arch.layers:
        p_share = layer.parameters / arch.parameters if arch.parameters else 0.0
        m_share = layer.macs / arch.macs if arch.macs else 0.0
        values = (layer.name, layer.kind, "×".join(map(str, layer.output_shape)),
                  f"{layer.parameters:,}", f"{p_share:.0%}", f"{layer.macs:,}", f"{m_share:.0%}")
        rows.append("<tr>" + "".join(f"<td {cell}>{html.escape(v)}</td>" for v in values)
                    + "</tr>")
    rows.append(f"<tr><td {cell}><b>total</b></td><td></td><td></td>"
                f"<td {cell}><b>{arch.parameters:,}</b></td><td></td>"
                f"<td {cell}><b>{arch.macs:,}</b></td><td></td></tr>")
    caption = f'<caption style="caption-side:top;text-align:left">{summary_line(arch)}</caption>'
    return (f'<table style="border-collapse:collapse;font-size:0.85em">{caption}'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def code_size_table(code: int, widths: dict[str, tuple[int, int]] | None = None) -> str:
    """The three families at one code size (default widths): parameters, MACs, code layers.

    One frame of the site's explorer; ``code`` must be a multiple of 9 for the grid model.
    """
    widths = widths or DEFAULT_WIDTHS
    cell = 'style="padding:1px 8px;text-align:right"'
    head = "".join(f"<th {cell}>{h}</th>" for h in
                   ("family", "layers", "parameters", "MACs per image",
                    "parameters next to the code"))
    rows = []
    for family in FAMILIES:
        arch = describe(family, *widths[family], code)
        if isinstance(arch, str):
            rows.append(f"<tr><td {cell}>{family}</td><td colspan=4>{html.escape(arch)}</td></tr>")
            continue
        share = arch.code_layers / arch.parameters
        values = (family, arch.path, f"{arch.parameters:,}", f"{arch.macs:,}",
                  f"{arch.code_layers:,} ({share:.0%})")
        rows.append("<tr>" + "".join(f"<td {cell}>{html.escape(v)}</td>" for v in values)
                    + "</tr>")
    caption = (f'<caption style="caption-side:top;text-align:left">Code of <b>{code}</b> '
               f"numbers ({784 / code:.1f}× fewer than the pixels), widths as in the lesson"
               f"</caption>")
    return (f'<table style="border-collapse:collapse;font-size:0.85em">{caption}'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def builder_explorer(family: str = FC, first: int = 256, second: int = 128, code: int = 64,
                     frame_codes: Sequence[int] = FRAME_CODES, frame_code: int = 36):
    """The architecture builder: family, two widths and a code size → counts, layer by layer.

    Two parts. On top, **compare at code** (a selection slider over ``frame_codes``) shows
    the three families side by side from precomputed tables, and works on the course site.
    Below, **family**, **layer 1**, **layer 2** and **code size** build any model of the
    three families and count it as you move (a running kernel). Returns a ``VBox`` with
    ``controls`` (label → control) and ``displays`` (name → widget).
    """
    import ipywidgets as widgets

    compare = selection_slider("compare at code", list(frame_codes), frame_code)
    frames = frames_stack(compare, [code_size_table(c) for c in frame_codes])
    family_menu = choice("family", FAMILIES, family)
    layer_1 = int_slider("layer 1", first, *WIDTH_RANGE)
    layer_2 = int_slider("layer 2", second, *WIDTH_RANGE)
    code_slider = int_slider("code size", code, *CODE_RANGE)
    hint = widgets.HTML()
    table = widgets.HTML()
    disable_for_site(family_menu, layer_1, layer_2, code_slider)

    def update(_change: object = None) -> None:
        fixed = family_menu.value == GRID
        layer_1.disabled = layer_2.disabled = fixed
        unit = "channels" if family_menu.value != FC else "units"
        hint.value = (f'<div style="font-size:0.85em;color:{MUTED}">layer 1 and layer 2 are '
                      + ("fixed at 16 and 32 channels for the grid model; its code is C×3×3"
                         if fixed else f"the two hidden layers' {unit}") + "</div>")
        table.value = architecture_html(describe(family_menu.value, layer_1.value,
                                                 layer_2.value, code_slider.value))

    def switch_family(change: dict) -> None:
        """A new family starts from its lesson widths (units and channels differ 10×)."""
        for control in (layer_1, layer_2):
            control.unobserve(update, names="value")
        layer_1.value, layer_2.value = DEFAULT_WIDTHS[change["new"]]
        for control in (layer_1, layer_2):
            control.observe(update, names="value")
        update()

    family_menu.observe(switch_family, names="value")
    for control in (layer_1, layer_2, code_slider):
        control.observe(update, names="value")
    update()
    note = widgets.HTML(kernel_note(["compare at code"],
                                    ["family", "layer 1", "layer 2", "code size"]))
    heading = widgets.HTML(f'<div style="color:{GOOD};font-weight:bold">Build your own</div>')
    box = widgets.VBox([note, compare, frames, heading, family_menu, layer_1, layer_2, hint,
                        code_slider, table])
    box.controls = {"compare at code": compare, "family": family_menu, "layer 1": layer_1,
                    "layer 2": layer_2, "code size": code_slider}
    box.displays = {"frames": frames, "table": table, "hint": hint}
    return box


def bench():
    """The explorer exactly as lesson 06 builds it (it needs no data and no trained model)."""
    return builder_explorer()
