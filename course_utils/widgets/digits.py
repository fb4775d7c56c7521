"""The digit picker of lesson 00: one test digit, rebuilt by an autoencoder and by PCA.

A learner picks a test digit and sees, side by side, the digit, the autoencoder's
reconstruction, PCA's at the same code size, where each one went wrong (the squared
error of every pixel, both maps on one colour scale) and both mean squared errors, with
the sentence they add up to.

A thin shell over pure functions tested without widgets:

- :func:`compare_digit` gathers what one digit shows (images, error maps, MSEs);
- :func:`comparison_html` turns that into HTML: images with alt text and the verdict;
- :func:`pick_examples` chooses the digits the course site offers without a kernel: the
  first test digit of each kind, and the digits where the first method does best and
  worst against the second (the ratio of their errors).

:func:`digit_explorer` wires them to two controls: an **example** slider over the picked
digits, whose frames are computed when the explorer is built (so it works on the static
site), and a **test image** slider over every test digit, which needs a kernel.
Reconstructions are computed once, when the explorer is built; a move only encodes PNGs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..verdicts import compare
from .shared import (
    disable_for_site,
    frames_stack,
    image_html,
    int_slider,
    kernel_note,
    message_html,
    selection_slider,
)

#: Pixels drawn per image pixel: 28×28 digits become 84×84 images.
SCALE = 3


@dataclass(frozen=True)
class DigitComparison:
    """What the explorer shows for one test digit.

    ``reconstructions`` and ``errors`` map each method's name to an H×W array: its
    reconstruction, and the squared error of every pixel. ``mse`` is the mean of each
    error map: the method's mean squared error on this digit.
    """

    index: int
    label: int
    original: np.ndarray
    reconstructions: dict[str, np.ndarray]
    errors: dict[str, np.ndarray]
    mse: dict[str, float]

    @property
    def error_scale(self) -> float:
        """The largest squared error of any pixel in either map: both maps share this scale."""
        return max(max(float(e.max()) for e in self.errors.values()), 1e-6)


def compare_digit(images: torch.Tensor, labels: torch.Tensor,
                  reconstructions: Mapping[str, torch.Tensor], index: int) -> DigitComparison:
    """The test digit at ``index`` beside each method's reconstruction of it.

    ``images`` is N×1×H×W, ``labels`` N, and each reconstruction N×1×H×W (computed once
    for all test digits). An index outside ``0 … N−1`` raises ``ValueError``.
    """
    count = len(images)
    if not 0 <= index < count:
        raise ValueError(f"there are {count:,} test digits: pick an index from 0 to {count - 1:,}")
    if not reconstructions:
        raise ValueError("give at least one method's reconstructions")
    original = images[index, 0].detach().float().cpu().numpy()
    rebuilt, errors, mses = {}, {}, {}
    for name, recon in reconstructions.items():
        if recon.shape != images.shape:
            raise ValueError(f"{name}'s reconstructions have shape {tuple(recon.shape)}, the "
                             f"images {tuple(images.shape)}: they must match")
        image = recon[index, 0].detach().float().cpu().numpy()
        rebuilt[name] = image
        errors[name] = (image - original) ** 2
        mses[name] = float(errors[name].mean())
    return DigitComparison(index, int(labels[index]), original, rebuilt, errors, mses)


def per_image_mse(images: torch.Tensor, reconstruction: torch.Tensor) -> torch.Tensor:
    """Each image's mean squared error (N numbers)."""
    return ((reconstruction - images) ** 2).flatten(1).mean(1)


def pick_examples(labels: torch.Tensor, first_mse: torch.Tensor,
                  second_mse: torch.Tensor) -> list[tuple[str, int]]:
    """The digits the site's slider offers: ``(label for the slider, test index)``.

    The first test digit of each kind (0 to 9, where present), then the digit where the
    first method's error is the smallest fraction of the second's ("best case"), and the
    one where it is the largest ("worst case"), each unless it is already among them.
    """
    picks = []
    for digit in range(10):
        where = torch.nonzero(labels == digit)
        if len(where):
            picks.append((f"a {digit}", int(where[0])))
    ratio = first_mse / second_mse.clamp_min(1e-12)
    taken = {index for _, index in picks}
    for name, index in (("best case", int(ratio.argmin())), ("worst case", int(ratio.argmax()))):
        if index not in taken:
            picks.append((name, index))
            taken.add(index)
    return picks


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _markdown_bold(text: str) -> str:
    """A verdict's Markdown (``**bold**``) as HTML, everything else escaped."""
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text))


def comparison_html(c: DigitComparison, *, scale: int = SCALE, optimize: bool = True) -> str:
    """The digit, each reconstruction, each error map (one shared scale), and the verdict.

    ``optimize=False`` encodes the PNGs quickly (for a control that moves), a few per
    cent larger."""
    names = list(c.reconstructions)
    top = c.error_scale
    cells = [image_html(c.original, f"Test digit {c.index:,}, a handwritten {c.label}.",
                        scale=scale, caption=f"test digit #{c.index:,}", optimize=optimize)]
    for name in names:
        cells.append(image_html(
            c.reconstructions[name], f"{_capital(name)}'s reconstruction of the {c.label}, "
            f"mean squared error {c.mse[name]:.4f}.", scale=scale, caption=name,
            optimize=optimize))
    for name in names:
        cells.append(image_html(
            c.errors[name], f"Error map of {name}: bright pixels are where its reconstruction "
            f"of the {c.label} is most wrong.", scale=scale, caption=f"{name}: error",
            cmap="magma", vmax=top, optimize=optimize))
    row = f'<div style="display:flex;flex-wrap:wrap;gap:4px">{"".join(cells)}</div>'
    scale_note = (f'<div style="font-size:0.85em">Error maps: squared error per pixel, '
                  f"black 0, white {top:.3f} (both maps on this scale).</div>")
    text = scale_note
    if len(names) >= 2:
        verdict = compare(names[0], c.mse[names[0]], names[1], c.mse[names[1]],
                          measure="MSE on this digit")
        text += f"<div>{_markdown_bold(verdict.text)}</div>"
    return row + text


def digit_explorer(images: torch.Tensor, labels: torch.Tensor,
                   reconstructions: Mapping[str, torch.Tensor], *,
                   picks: Sequence[tuple[str, int]] | None = None, scale: int = SCALE):
    """Pick a test digit; see it rebuilt by each method, the error maps and the MSEs.

    ``reconstructions`` maps each method's name to its reconstructions of all ``images``
    (computed once, before). The first two methods are compared in the verdict line.
    Returns an ``ipywidgets.VBox`` with ``controls`` (``"example"``: the site's selection
    slider; ``"test image"``: any test digit, in a kernel) and ``displays`` (``"frames"``,
    the Stack of precomputed examples; ``"live"``, the digit chosen by index).
    """
    import ipywidgets as widgets

    names = list(reconstructions)
    if picks is None:
        second = names[1] if len(names) > 1 else names[0]
        picks = pick_examples(labels, per_image_mse(images, reconstructions[names[0]]),
                              per_image_mse(images, reconstructions[second]))
    frames = [comparison_html(compare_digit(images, labels, reconstructions, index), scale=scale)
              for _, index in picks]
    example = selection_slider("example", [label for label, _ in picks])
    stack = frames_stack(example, frames)
    index_slider = int_slider("test image", picks[0][1], 0, len(images) - 1)
    disable_for_site(index_slider)
    live = widgets.HTML()

    def show_index(_change: object = None) -> None:
        try:
            live.value = comparison_html(
                compare_digit(images, labels, reconstructions, int(index_slider.value)),
                scale=scale, optimize=False)
        except ValueError as error:
            live.value = message_html(str(error))

    index_slider.observe(show_index, names="value")
    show_index()
    note = widgets.HTML(kernel_note(["example"], ["test image"]))
    box = widgets.VBox([example, stack, note,
                        widgets.HTML("<b>Any test digit, by its number:</b>"), index_slider, live])
    box.add_class("course-explorer")
    box.controls = {"example": example, "test image": index_slider}
    box.displays = {"frames": stack, "live": live}
    box.picks = list(picks)
    return box


def explorer_for(model: torch.nn.Module, pca, test_images: torch.Tensor,
                 test_labels: torch.Tensor, *, code_size: int):
    """The explorer as lesson 00 builds it: ``model`` against ``pca`` on the test digits."""
    from ..training import reconstruct

    return digit_explorer(test_images, test_labels, {
        "the autoencoder": reconstruct(model, test_images),
        f"PCA-{code_size}": pca.reconstruct(test_images),
    })


def bench():
    """Build the explorer exactly as lesson 00 does (the compact-code model from the cache)."""
    from .. import recipes
    from ..metrics import pca_baseline

    train_set, test_set = recipes.standard_data()
    model, _ = recipes.compact_code(train_set, test_set, code_size=32)
    pca = pca_baseline(train_set.images, 32)
    return explorer_for(model, pca, test_set.images, test_set.labels, code_size=32)
