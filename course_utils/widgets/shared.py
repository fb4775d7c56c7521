"""Pieces every explorer shares: images as PNG, labelled controls, frames for the site, the note.

An explorer in this package is a thin shell: a pure function computes what one setting of
the controls shows (tested without widgets), and the explorer only wires controls to it.
This module holds what every shell needs, so no explorer imports another's helpers:

- :func:`png_bytes` and :func:`image_html`: an image (H×W in [0, 1], or 3×H×W) as a compact
  PNG inside ``<img alt="...">``, so every picture an explorer shows has alt text;
- :func:`labelled` : the one style of slider and menu (a visible label, which browsers also
  give the handle as its accessible name; keyboard arrows move it);
- :func:`frames_stack`: the way an explorer stays alive on the course site, where no kernel
  runs. Frames are computed once when the explorer is built, one per value of a selection
  slider, and shown in a ``Stack`` whose selected frame is linked to the slider *in the
  browser* (``jslink``), which the saved widget state keeps working without Python;
- :func:`kernel_note`: the sentence beside each explorer saying which controls work on the
  static page and which need a running kernel.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

#: Colours for text in explorers: at least 5:1 against white and against the light grey
#: the site gives widgets in its dark theme (#ced6dd), and told apart by colour-blind
#: readers (blue and orange, never red against green; a mark such as ✓ or ✗ says it too).
GOOD = "#1f4e8c"
BAD = "#8a4200"
MUTED = "#4d4d4d"

#: Width of a control's label, so sliders in one explorer line up.
LABEL_WIDTH = "9em"


def as_array(image: Any) -> np.ndarray:
    """A NumPy H×W or H×W×3 float array from a tensor or array (1×H×W and 3×H×W accepted)."""
    if isinstance(image, torch.Tensor):
        image = image.detach().float().cpu().numpy()
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 3 and array.shape[0] in (1, 3):
        array = array[0] if array.shape[0] == 1 else np.moveaxis(array, 0, -1)
    if array.ndim not in (2, 3):
        raise ValueError(f"expected an H×W, 1×H×W or 3×H×W image, got shape {array.shape}")
    return array


def png_bytes(image: Any, *, scale: int = 4, vmin: float = 0.0, vmax: float = 1.0,
              cmap: str | None = None, optimize: bool = True) -> bytes:
    """The image as PNG bytes, each pixel drawn as a ``scale``×``scale`` block.

    Values are clipped to [``vmin``, ``vmax``]; a grey image stays grey unless ``cmap`` (a
    matplotlib colour map name, such as ``"magma"`` for error maps) colours it.
    ``optimize=False`` skips PIL's search for the smallest encoding: a colour image then
    takes about 1 ms instead of about 15 ms, for a file a few per cent larger (for
    images an explorer redraws while a control moves).
    """
    from PIL import Image

    array = as_array(image)
    unit = np.clip((array - vmin) / max(vmax - vmin, 1e-12), 0.0, 1.0)
    if cmap is not None and unit.ndim == 2:
        from matplotlib import colormaps

        unit = colormaps[cmap](unit)[..., :3]
    pixels = (unit * 255 + 0.5).astype(np.uint8)
    if scale > 1:
        pixels = pixels.repeat(scale, axis=0).repeat(scale, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", optimize=optimize)
    return buffer.getvalue()


def image_html(image: Any, alt: str, *, scale: int = 4, caption: str = "",
               width: int | None = None, **png_options: Any) -> str:
    """``<figure><img alt=...></figure>``: the image as an inline PNG with its alt text.

    ``width`` (CSS pixels) draws the PNG that wide in the browser, pixels kept sharp: with
    ``scale=1`` the saved PNG holds one pixel per value, several times smaller.
    """
    if not alt.strip():
        raise ValueError("every image needs alt text that says what it shows")
    data = base64.b64encode(png_bytes(image, scale=scale, **png_options)).decode("ascii")
    label = (f'<figcaption style="font-size:0.85em;text-align:center">'
             f"{html.escape(caption)}</figcaption>") if caption else ""
    size = f"width:{width}px;" if width else ""
    return (f'<figure style="margin:2px;display:inline-block">'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
            f'style="image-rendering:pixelated;{size}max-width:100%"/>{label}</figure>')


def image_row(items: Sequence[tuple[Any, str, str]], *, scale: int = 4,
              **png_options: Any) -> str:
    """Several images side by side, wrapping on a narrow screen: ``(image, alt, caption)``."""
    cells = "".join(image_html(image, alt, scale=scale, caption=caption, **png_options)
                    for image, alt, caption in items)
    return f'<div style="display:flex;flex-wrap:wrap;gap:4px">{cells}</div>'


def labelled(control: Any) -> Any:
    """Give a control the course's layout: a visible label of fixed width, a flexible width.

    The label is the control's ``description``; ipywidgets renders it as a ``<label>`` tied
    to the control, which is also the name a screen reader announces for a slider's handle.
    """
    if not getattr(control, "description", ""):
        raise ValueError("every control needs a visible label (its description)")
    control.style.description_width = LABEL_WIDTH
    control.layout.width = "100%"
    control.layout.max_width = "32em"
    return control


def int_slider(label: str, value: int, low: int, high: int, step: int = 1) -> Any:
    """A labelled integer slider (keyboard: arrow keys step it)."""
    import ipywidgets as widgets

    return labelled(widgets.IntSlider(value=value, min=low, max=high, step=step,
                                      description=label, continuous_update=True))


def float_slider(label: str, value: float, low: float, high: float, step: float,
                 readout_format: str = ".2f") -> Any:
    """A labelled float slider."""
    import ipywidgets as widgets

    return labelled(widgets.FloatSlider(value=value, min=low, max=high, step=step,
                                        description=label, readout_format=readout_format,
                                        continuous_update=True))


def choice(label: str, options: Sequence[Any], value: Any = None) -> Any:
    """A labelled dropdown menu."""
    import ipywidgets as widgets

    return labelled(widgets.Dropdown(options=list(options), description=label,
                                     value=value if value is not None else list(options)[0]))


def selection_slider(label: str, options: Sequence[Any], value: Any = None) -> Any:
    """A labelled slider over a fixed list of values (what :func:`frames_stack` links to)."""
    import ipywidgets as widgets

    options = list(options)
    return labelled(widgets.SelectionSlider(options=options, description=label,
                                            value=value if value is not None else options[0],
                                            continuous_update=True))


def frames_stack(slider: Any, frames: Sequence[str]) -> Any:
    """A ``Stack`` of HTML frames whose visible frame follows ``slider`` in the browser.

    ``slider`` is a :func:`selection_slider` with exactly ``len(frames)`` options; frame
    ``i`` is what the explorer shows for option ``i``. The link is made with ``jslink``,
    so it lives in the saved widget state and works on the static site without a kernel.
    """
    import ipywidgets as widgets

    options = getattr(slider, "options", None)
    if options is None or len(options) != len(frames):
        raise ValueError(f"the slider has {len(options or ())} options but there are "
                         f"{len(frames)} frames: precompute exactly one frame per option")
    stack = widgets.Stack([widgets.HTML(frame) for frame in frames],
                          selected_index=slider.index)
    widgets.jslink((slider, "index"), (stack, "selected_index"))
    slider.add_class("course-frames-slider")  # the site's test moves these and watches
    stack.add_class("course-frames")  # the frames change
    return stack


def kernel_note(on_page: Sequence[str], need_kernel: Sequence[str] = ()) -> str:
    """The note beside an explorer: which controls work on the course site, which need Python.

    >>> kernel_note(["noise level"], ["method"])  # doctest: +ELLIPSIS
    '<div ...>On the course site, <b>noise level</b> works as you read; <b>method</b> needs ...'
    """
    def names(items: Sequence[str]) -> str:
        bold = [f"<b>{html.escape(item)}</b>" for item in items]
        return bold[0] if len(bold) == 1 else ", ".join(bold[:-1]) + " and " + bold[-1]

    if not on_page:
        raise ValueError("an explorer needs at least one control that works on the site")
    verb = "works" if len(on_page) == 1 else "work"
    text = f"On the course site, {names(on_page)} {verb} as you read"
    if need_kernel:
        verb = "needs" if len(need_kernel) == 1 else "need"
        text += (f"; {names(need_kernel)} {verb} a running kernel (launch this lesson with the "
                 f"buttons at the top of the page: Binder, Colab or your own JupyterLab)")
    return (f'<div class="course-kernel-note" style="font-size:0.9em;color:{MUTED}">'
            f"{text}.</div>")


def message_html(text: str) -> str:
    """An explorer's message for a setting it cannot show (never a traceback)."""
    return f'<div role="status" style="color:{BAD}"><b>{html.escape(text)}</b></div>'


def disable_for_site(*controls: Any) -> None:
    """Mark controls that need a kernel, so the site can show them as disabled.

    In a running kernel they stay usable; the class lets the site's script grey them out.
    """
    for control in controls:
        control.add_class("course-needs-kernel")
