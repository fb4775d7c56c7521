"""The shift explorer of lesson 01: move a digit, watch the feature maps move with it.

A convolution is *equivariant* to shifts: move the input by ``s`` pixels and every
feature map moves by ``s`` pixels too, unchanged. Max pooling on top makes the code a
little less sensitive to a small shift (*approximately invariant*), not the same: a
2×2 pooling follows a 2-pixel shift exactly (one pooled cell), and an odd shift not at all.

A thin shell over pure functions tested without widgets:

- :func:`move` shifts images or maps sideways (what the slider does to the digit), on a
  canvas with a blank margin (:func:`on_canvas`) so the digit stays whole;
- :func:`shift_view` computes what one setting shows: the moved digit, one channel of the
  first layer's feature maps and of the pooled maps, and the measured changes, for all
  channels together;
- :func:`view_html` draws that as images with alt text and a small table of numbers.

:func:`shift_explorer` wires them to a **shift** slider (−4 … +4 pixels, frames
precomputed, so it works on the static site), and **channel** and **test digit** controls,
which need a kernel: changing either recomputes the nine frames.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .shared import (
    MUTED,
    choice,
    disable_for_site,
    frames_stack,
    image_html,
    int_slider,
    kernel_note,
    message_html,
    selection_slider,
)

#: The shifts the slider offers, in pixels (negative: to the left).
MAX_SHIFT = 4
SHIFTS = tuple(range(-MAX_SHIFT, MAX_SHIFT + 1))
#: Blank columns added on each side of a digit: the largest shift, plus room for a kernel
#: up to 5×5 to reach past the ink, so at every shift only background wraps around.
MARGIN = MAX_SHIFT + 2
#: Pixels drawn per image pixel (28×28 maps become 84×84; pooled 14×14 maps are drawn twice as big).
SCALE = 3


def move(t: torch.Tensor, pixels: int) -> torch.Tensor:
    """Move N×C×H×W images or maps ``pixels`` columns to the right (left when negative).

    Columns that leave one side come back on the other (``torch.roll``); on a canvas with
    a blank margin wider than the shift (:func:`on_canvas`) only background wraps around,
    and the result is the content moved (a feature map reaches a pixel or two past the
    ink, which is why the margin is wider than the largest shift).
    """
    return torch.roll(t, shifts=pixels, dims=3)


def on_canvas(image: torch.Tensor, margin: int = MARGIN) -> torch.Tensor:
    """``image`` (…×H×W) with ``margin`` blank columns added on each side.

    A digit moved by up to ``margin`` pixels on this wider canvas never leaves it, so
    nothing is cut off and nothing wraps around: what changes is only where it is.
    """
    return nn.functional.pad(image, (margin, margin))


def relative_change(a: torch.Tensor, b: torch.Tensor) -> float:
    """‖a − b‖ / ‖b‖: how much ``a`` differs from ``b``, as a share of ``b``'s size."""
    size = float(b.norm())
    return float((a - b).norm()) / size if size > 0 else float((a - b).norm())


def split_encoder(model: nn.Module) -> tuple[nn.Module, nn.Module]:
    """The model's encoder as (everything before its pooling, the pooling).

    For :class:`~course_utils.models.SimpleConvAutoencoder` that is (Conv2d + ReLU,
    MaxPool2d): the first layer's feature maps, then the code.
    """
    encoder = getattr(model, "encoder", None)
    if not isinstance(encoder, nn.Sequential) or len(encoder) < 2:
        raise ValueError("the model needs an encoder (nn.Sequential) that ends in a pooling layer")
    pool = encoder[-1]
    if not isinstance(pool, (nn.MaxPool2d, nn.AvgPool2d)):
        raise ValueError(f"the encoder ends in {type(pool).__name__}, not a pooling layer")
    return encoder[:-1], pool


@dataclass(frozen=True)
class ShiftView:
    """What the explorer shows for one shift and one channel.

    Images (NumPy arrays): ``image`` the moved digit; ``feature_map`` the channel's map
    of the moved digit; ``predicted_map`` the channel's map of the digit where it was,
    moved by ``shift`` (what equivariance predicts); ``pooled`` and ``pooled_original``
    the channel's pooled maps of the moved digit and of the digit where it was.

    Numbers, over all channels: ``image_change`` how much the digit's pixels changed;
    ``map_change`` how much the feature maps changed; ``equivariance_error`` how far the
    moved digit's maps are from the original maps moved by ``shift`` (0 up to rounding:
    equivariance); ``pooled_change`` how much the pooled maps changed (the code);
    ``pooled_moved_error`` for an even shift, how far they are from the original pooled
    maps moved by ``shift / 2`` (``None`` for an odd shift, which the pooling grid cannot
    follow).
    """

    shift: int
    channel: int
    image: np.ndarray
    feature_map: np.ndarray
    predicted_map: np.ndarray
    pooled: np.ndarray
    pooled_original: np.ndarray
    map_scale: float
    image_change: float
    map_change: float
    equivariance_error: float
    pooled_change: float
    pooled_moved_error: float | None


def shift_view(model: nn.Module, image: torch.Tensor, shift: int, channel: int) -> ShiftView:
    """Move ``image`` (1×H×W) by ``shift`` pixels and measure what the encoder's layers do.

    The digit sits on a canvas :data:`MARGIN` columns wider on each side
    (:func:`on_canvas`), so it stays whole at every shift. Raises ``ValueError`` for a
    channel the first layer does not have or a shift larger than :data:`MAX_SHIFT`.
    """
    features, pool = split_encoder(model)
    if image.ndim != 3:
        raise ValueError(f"expected one 1×H×W image, got shape {tuple(image.shape)}")
    if abs(shift) > MAX_SHIFT:
        raise ValueError(f"a shift of {shift} pixels could carry the digit's feature maps "
                         f"past the canvas's blank margin: pick one from {-MAX_SHIFT} to "
                         f"{MAX_SHIFT}")
    x = on_canvas(image.unsqueeze(0).float())  # 1×1×H×(W + 2·MARGIN)
    with torch.no_grad():
        x_moved = move(x, shift)
        maps = features(x)  # 1×C×H×W: the first layer's feature maps (after its ReLU)
        maps_moved = features(x_moved)
        pooled = pool(maps)  # 1×C×H/2×W/2: the code
        pooled_moved = pool(maps_moved)
    channels = maps.shape[1]
    if not 0 <= channel < channels:
        raise ValueError(f"the first layer has {channels} channels: pick one from 0 to {channels - 1}")
    predicted = move(maps, shift)
    even = shift % 2 == 0
    return ShiftView(
        shift=shift, channel=channel,
        image=x_moved[0, 0].numpy(),
        feature_map=maps_moved[0, channel].numpy(),
        predicted_map=predicted[0, channel].numpy(),
        pooled=pooled_moved[0, channel].numpy(),
        pooled_original=pooled[0, channel].numpy(),
        map_scale=max(float(maps[0, channel].max()), 1e-6),
        image_change=relative_change(x_moved, x),
        map_change=relative_change(maps_moved, maps),
        equivariance_error=relative_change(maps_moved, predicted),
        pooled_change=relative_change(pooled_moved, pooled),
        pooled_moved_error=relative_change(pooled_moved, move(pooled, shift // 2)) if even else None,
    )


def most_active_channel(model: nn.Module, image: torch.Tensor) -> int:
    """The channel whose feature map of ``image`` varies most (the clearest one to watch)."""
    features, _ = split_encoder(model)
    with torch.no_grad():
        maps = features(on_canvas(image.unsqueeze(0).float()))[0]  # C×H×W
    return int(maps.flatten(1).std(1).argmax())


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%" if value >= 0.0005 else "0.0%"


def view_html(v: ShiftView, *, scale: int = SCALE, optimize: bool = True) -> str:
    """The moved digit, the channel's maps (as measured and as predicted), the pooled maps,
    and the measured changes in a small table."""
    where = ("where it was" if v.shift == 0
             else f"moved {abs(v.shift)} pixel{'s' if abs(v.shift) != 1 else ''} "
                  f"{'right' if v.shift > 0 else 'left'}")
    maps = {"vmin": 0.0, "vmax": v.map_scale, "cmap": "viridis", "optimize": optimize}
    cells = [
        image_html(v.image, f"The test digit, {where}.", scale=scale,
                   caption=f"digit, shift {v.shift:+d}", optimize=optimize),
        image_html(v.feature_map, f"Channel {v.channel}'s feature map of the digit {where}.",
                   scale=scale, caption=f"feature map (ch. {v.channel})", **maps),
        image_html(v.predicted_map, f"Channel {v.channel}'s feature map of the unmoved digit, "
                   f"moved by {v.shift:+d} pixel{'' if abs(v.shift) == 1 else 's'}: what "
                   f"equivariance predicts.", scale=scale,
                   caption="unmoved map, moved", **maps),
        image_html(v.pooled, f"Channel {v.channel}'s pooled 14×14 map of the digit {where}.",
                   scale=2 * scale, caption="pooled map (code)", **maps),
        image_html(v.pooled_original, f"Channel {v.channel}'s pooled map of the unmoved digit.",
                   scale=2 * scale, caption="pooled map, unmoved", **maps),
    ]
    row = f'<div style="display:flex;flex-wrap:wrap;gap:4px">{"".join(cells)}</div>'
    if v.pooled_moved_error is None:
        pooled_follow = "no whole cell to move by: an odd shift falls between pooling cells"
    else:
        pooled_follow = (f"{_percent(v.pooled_moved_error)} from the unmoved pooled maps moved by "
                         f"{v.shift // 2:+d} cell{'s' if abs(v.shift // 2) != 1 else ''}")
    rows = [
        ("the digit's pixels", _percent(v.image_change), ""),
        ("feature maps, all channels", _percent(v.map_change),
         f"{_percent(v.equivariance_error)} from the unmoved maps moved by {v.shift:+d}"),
        ("pooled maps (the code)", _percent(v.pooled_change), pooled_follow),
    ]
    body = "".join(f"<tr><td>{html.escape(a)}</td><td style='text-align:right'>{html.escape(b)}</td>"
                   f"<td>{html.escape(c)}</td></tr>" for a, b, c in rows)
    table = (f'<table style="font-size:0.9em"><caption style="text-align:left;color:{MUTED}">'
             f"How much each changed when the digit moved by {v.shift:+d} "
             f"pixel{'' if abs(v.shift) == 1 else 's'} "
             f"(relative L2 change)</caption><tr><th>what</th><th>changed by</th>"
             f"<th>distance from a moved copy</th></tr>{body}</table>")
    return row + table


def shift_frames(model: nn.Module, image: torch.Tensor, channel: int,
                 shifts: Sequence[int] = SHIFTS, *, scale: int = SCALE) -> list[str]:
    """One frame of HTML per shift, for one digit and one channel."""
    return [view_html(shift_view(model, image, s, channel), scale=scale) for s in shifts]


def shift_explorer(model: nn.Module, digits: Sequence[tuple[str, torch.Tensor]], *,
                   channel: int | None = None, scale: int = SCALE):
    """A shift slider over −4 … +4 pixels, with channel and digit controls for a kernel.

    ``digits`` lists ``(name, 1×H×W image)`` pairs for the digit menu; the first one is
    shown on the site. ``channel`` defaults to the one most active on that digit.
    Returns an ``ipywidgets.VBox`` with ``controls`` (``"shift"``, ``"channel"``,
    ``"test digit"``) and ``displays`` (``"frames"``: a Stack of one HTML frame per shift,
    computed when the explorer is built; in a kernel, a new channel or digit redraws the
    frame on view at once and each other frame when the slider reaches it).
    """
    import ipywidgets as widgets

    if not digits:
        raise ValueError("give at least one digit to move")
    names = [name for name, _ in digits]
    images = dict(digits)
    model = model.eval()
    first = digits[0][1]
    start_channel = most_active_channel(model, first) if channel is None else channel
    with torch.no_grad():
        channels = split_encoder(model)[0](first.unsqueeze(0).float()).shape[1]
    shift = selection_slider("shift (pixels)", list(SHIFTS), 0)
    stack = frames_stack(shift, shift_frames(model, first, start_channel, scale=scale))
    channel_slider = int_slider("channel", start_channel, 0, channels - 1)
    digit_menu = choice("test digit", names, names[0])
    disable_for_site(channel_slider, digit_menu)
    message = widgets.HTML()

    stale: set[int] = set()  # frames drawn for an earlier channel or digit

    def draw(position: int) -> None:
        view = shift_view(model, images[digit_menu.value], SHIFTS[position],
                          int(channel_slider.value))
        stack.children[position].value = view_html(view, scale=scale, optimize=False)
        stale.discard(position)

    def redraw(_change: object = None) -> None:
        """A new channel or digit: draw the frame on view now, the others when shown."""
        try:
            draw(shift.index)
        except ValueError as error:
            message.value = message_html(str(error))
            return
        message.value = ""
        stale.update(set(range(len(SHIFTS))) - {shift.index})

    def follow(_change: object = None) -> None:
        if shift.index in stale:
            draw(shift.index)

    channel_slider.observe(redraw, names="value")
    digit_menu.observe(redraw, names="value")
    shift.observe(follow, names="index")
    note = widgets.HTML(kernel_note(["shift (pixels)"], ["channel", "test digit"]))
    box = widgets.VBox([shift, stack, note, widgets.HBox([channel_slider, digit_menu]), message])
    box.add_class("course-explorer")
    box.controls = {"shift": shift, "channel": channel_slider, "test digit": digit_menu}
    box.displays = {"frames": stack, "message": message}
    return box


def first_of_each_digit(images: torch.Tensor, labels: torch.Tensor) -> list[tuple[str, torch.Tensor]]:
    """``("a 0", image), ("a 1", image), …``: the first test image of each digit present."""
    found = []
    for digit in range(10):
        where = torch.nonzero(labels == digit)
        if len(where):
            found.append((f"a {digit}", images[int(where[0])]))
    return found


def bench():
    """Build the explorer exactly as lesson 01 does (the recipe's model, from the cache)."""
    from .. import recipes

    train_set, test_set = recipes.standard_data()
    model, _ = recipes.simple_conv(train_set, test_set)
    return shift_explorer(model, first_of_each_digit(test_set.images, test_set.labels))
