"""Lesson 08's explorers: noise against denoisers, and a hole against the inpainting model.

Two explorers, each a thin shell over pure functions that are tested without widgets:

- :func:`noise_explorer`: the noise kind and level, a method (the denoising autoencoder,
  a median filter, a Gaussian blur, a PCA projection) and its strength → the noisy digits,
  the method's output, and both scored by PSNR and SSIM against the clean digits
  (:func:`noise_view`). The autoencoder's outputs are computed once per noise level when
  the explorer is built; the filters are cheap enough to run on every move. For the site,
  a noise-level slider flips through precomputed frames showing every method side by side
  (:func:`noise_frame`).
- :func:`inpaint_explorer`: the position of a 10×10 hole → the damaged digits with the hole
  outlined, the inpainting model's fill and the diffusion fill, scored inside the hole
  (:func:`hole_view`). For the site, a slider over five hole positions flips through
  precomputed frames.

:func:`bench` builds both as lesson 08 does, for the widget benchmark.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from ..applications import (
    HOLE_FILL,
    box_mask_at,
    fixed_noise,
    masked_mse_per_image,
    pca_projection,
)
from ..filters import fill_by_diffusion, gaussian_blur, median_filter
from ..metrics import PCABaseline, psnr_per_image, ssim_per_image
from ..training import reconstruct
from .shared import (
    GOOD,
    MUTED,
    choice,
    disable_for_site,
    frames_stack,
    png_bytes,
    int_slider,
    kernel_note,
    message_html,
    selection_slider,
)

#: The outline of a hole in the explorer's pictures (Okabe–Ito orange, as in the figures).
OUTLINE_RGB = (230, 159, 0)

NOISE_KINDS = ("Gaussian", "salt & pepper")
AUTOENCODER = "denoising autoencoder"
METHODS = (AUTOENCODER, "median filter", "Gaussian blur", "PCA projection")
#: Each method's strengths: the median's window, the blur's σ, PCA's number of components.
STRENGTHS: dict[str, tuple[Any, ...]] = {
    AUTOENCODER: ("trained",),
    "median filter": (3, 5, 7),
    "Gaussian blur": (0.5, 0.75, 1.0, 1.5, 2.0),
    "PCA projection": (16, 32, 64, 128, 256),
}
#: The key of each method in the lesson's table of tuned settings.
TUNED_KEY = {"median filter": "median", "Gaussian blur": "blur", "PCA projection": "PCA"}


def level_label(kind: str, level: float) -> str:
    """A noise level in words: "σ = 0.3" (Gaussian), "20% of pixels" (salt and pepper)."""
    return f"σ = {level:g}" if kind == "Gaussian" else f"{level:.0%} of pixels"


def strength_label(method: str, strength: Any) -> str:
    """A method with its strength in words: "median 3×3", "blur σ 0.75", "PCA, 64 components"."""
    if method == "median filter":
        return f"median {strength}×{strength}"
    if method == "Gaussian blur":
        return f"blur σ {strength:g}"
    if method == "PCA projection":
        return f"PCA, {strength} components"
    return "denoising autoencoder"


@dataclass
class NoiseData:
    """What the noise explorer precomputes: test digits, their noisy versions, the model's outputs.

    ``noisy[(kind, level)]`` and ``model_out[(kind, level)]`` hold the fixed test noise and
    the denoiser of that kind applied to it; ``tuned[(kind, level)]`` the lesson's settings
    tuned on training images (``{"blur": σ, "median": window, "PCA": k}``).
    """

    clean: torch.Tensor
    levels: dict[str, list[float]]
    noisy: dict[tuple[str, float], torch.Tensor]
    model_out: dict[tuple[str, float], torch.Tensor]
    pca: PCABaseline
    tuned: Mapping[tuple[str, float], Mapping[str, Any]] = field(default_factory=dict)
    _scores: dict[Any, tuple[float, float]] = field(default_factory=dict, repr=False)

    def scores(self, key: Any, output: torch.Tensor) -> tuple[float, float]:
        """Mean PSNR and SSIM of ``output`` against the clean digits, remembered under ``key``."""
        if key not in self._scores:
            self._scores[key] = (float(psnr_per_image(output, self.clean).mean()),
                                 float(ssim_per_image(output, self.clean).mean()))
        return self._scores[key]


def prepare_noise(clean: torch.Tensor, denoisers: Mapping[str, nn.Module],
                  levels: Mapping[str, Sequence[float]], pca: PCABaseline,
                  tuned: Mapping[tuple[str, float], Mapping[str, Any]] | None = None) -> NoiseData:
    """Corrupt ``clean`` at every level and run each kind's denoiser once (``denoisers[kind]``)."""
    noisy, model_out = {}, {}
    for kind, kind_levels in levels.items():
        for level in kind_levels:
            noisy[kind, level] = fixed_noise(kind, clean, level)
            model_out[kind, level] = reconstruct(denoisers[kind], noisy[kind, level])
    return NoiseData(clean, {k: list(v) for k, v in levels.items()}, noisy, model_out, pca,
                     dict(tuned or {}))


def method_output(data: NoiseData, kind: str, level: float, method: str,
                  strength: Any) -> torch.Tensor:
    """The output of ``method`` at ``strength`` for the noisy digits of (``kind``, ``level``)."""
    noisy = data.noisy[kind, level]
    if method == AUTOENCODER:
        return data.model_out[kind, level]
    if strength not in STRENGTHS.get(method, ()):
        raise ValueError(f"{method} has no strength {strength!r}: choose one of "
                         f"{', '.join(map(str, STRENGTHS.get(method, ())))}")
    if method == "median filter":
        return median_filter(noisy, int(strength))
    if method == "Gaussian blur":
        return gaussian_blur(noisy, float(strength))
    return pca_projection(data.pca, noisy, int(strength))


@dataclass(frozen=True)
class NoiseView:
    """What the noise explorer shows for one setting: images and their scores."""

    kind: str
    level: float
    method: str
    strength: Any
    noisy: torch.Tensor
    output: torch.Tensor
    psnr_noisy: float
    ssim_noisy: float
    psnr_output: float
    ssim_output: float
    tuned: Any  # the lesson's tuned strength for this method and level (None for the model)

    @property
    def gain(self) -> float:
        """PSNR gained over the noisy input, in dB."""
        return self.psnr_output - self.psnr_noisy

    def sentence(self) -> str:
        """The scores in one sentence (plain text)."""
        what = strength_label(self.method, self.strength)
        text = (f"{self.kind} noise at {level_label(self.kind, self.level)}, on "
                f"{len(self.output)} test digits: the noisy input scores "
                f"{self.psnr_noisy:.2f} dB PSNR and {self.ssim_noisy:.3f} SSIM; {what} "
                f"scores {self.psnr_output:.2f} dB and {self.ssim_output:.3f} "
                f"({self.gain:+.2f} dB against its input).")
        if self.tuned is not None:
            text += (f" Tuned on training images at this level: "
                     f"{strength_label(self.method, self.tuned)}.")
        return text


def noise_view(data: NoiseData, kind: str, level: float, method: str, strength: Any) -> NoiseView:
    """Everything one setting of the noise explorer shows (``ValueError`` for an impossible one)."""
    if kind not in data.levels:
        raise ValueError(f"unknown noise kind {kind!r}: choose one of {', '.join(data.levels)}")
    if level not in data.levels[kind]:
        raise ValueError(f"{kind} noise was precomputed at {data.levels[kind]}, not at {level}")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: choose one of {', '.join(METHODS)}")
    output = method_output(data, kind, level, method, strength)
    psnr_noisy, ssim_noisy = data.scores((kind, level, "noisy"), data.noisy[kind, level])
    psnr_out, ssim_out = data.scores((kind, level, method, strength), output)
    tuned = data.tuned.get((kind, level), {}).get(TUNED_KEY.get(method, ""))
    return NoiseView(kind, level, method, strength, data.noisy[kind, level], output,
                     psnr_noisy, ssim_noisy, psnr_out, ssim_out, tuned)


# --------------------------------------------------------------------------- pictures


def strip(images: torch.Tensor, count: int, gap: int = 2) -> np.ndarray:
    """The first ``count`` images (N×1×H×W) side by side, ``gap`` grey pixels apart: H×W'."""
    chosen = images[:count, 0].detach().cpu().float().clamp(0, 1).numpy()
    h, w = chosen.shape[1:]
    out = np.full((h, len(chosen) * (w + gap) - gap), 0.4, dtype=np.float32)
    for i, image in enumerate(chosen):
        out[:, i * (w + gap):i * (w + gap) + w] = image
    return out


def strip_png64(images: torch.Tensor, count: int, *, gap: int = 2) -> str:
    """:func:`strip` as a base64 PNG, one PNG pixel per image pixel (the page enlarges it)."""
    return base64.b64encode(png_bytes(strip(images, count, gap), scale=1)).decode("ascii")


def strip_html(images: torch.Tensor, count: int, alt: str, *, scale: int = 3, gap: int = 2,
               box: tuple[int, int, int, int] | None = None, png64: str | None = None) -> str:
    """:func:`strip` as an ``<img>`` drawn ``scale`` times larger, pixels kept sharp.

    The picture shrinks to fit a narrow screen. With ``box`` = ``(top, left, height,
    width)`` in pixels, the same hole in every image is outlined in orange, drawn by the
    page just outside each hole (positions in percent, so the outlines follow the picture
    when it shrinks): every pixel inside the hole stays visible.
    """
    h, w = images.shape[-2:]
    shown = min(count, len(images))
    height_px, width_px = h, shown * (w + gap) - gap
    data = png64 if png64 is not None else strip_png64(images, count, gap=gap)
    boxes = ""
    if box is not None:
        top, left, height, width = box
        colour = "#{:02x}{:02x}{:02x}".format(*OUTLINE_RGB)
        boxes = "".join(
            f'<div style="position:absolute;outline:2px solid {colour};'
            f"left:{100 * ((i * (w + gap) + left) / width_px):.3f}%;"
            f"top:{100 * top / height_px:.3f}%;width:{100 * width / width_px:.3f}%;"
            f'height:{100 * height / height_px:.3f}%"></div>' for i in range(shown))
    return (f'<div style="position:relative;display:inline-block;max-width:100%;'
            f'line-height:0"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt, quote=True)}" style="display:block;'
            f'width:{width_px * scale}px;max-width:100%;height:auto;'
            f'image-rendering:pixelated"/>{boxes}</div>')


def _row(label: str, picture_html: str) -> str:
    return (f'<div style="display:flex;flex-wrap:wrap;align-items:center;gap:2px 8px;'
            f'margin:2px 0;max-width:100%"><div style="flex:0 1 13em;min-width:9em;'
            f'font-size:0.9em">{label}</div>{picture_html}</div>')


def _strip_html(images: torch.Tensor, count: int, alt: str, scale: int) -> str:
    return strip_html(images, count, alt, scale=scale)


def noise_frame(data: NoiseData, kind: str, level: float, *, count: int = 6,
                scale: int = 2) -> str:
    """One site frame: the clean and noisy digits and every method at its tuned setting.

    Each row is labelled with the method, its tuned strength and its PSNR and SSIM on the
    explorer's test digits; the best PSNR is marked.
    """
    tuned = data.tuned.get((kind, level), {})
    methods = [(m, tuned.get(TUNED_KEY[m], STRENGTHS[m][0])) for m in METHODS[1:]]
    methods.append((AUTOENCODER, "trained"))
    views = [noise_view(data, kind, level, m, s) for m, s in methods]
    best = max(views, key=lambda v: v.psnr_output)
    noisy = views[0]
    where = level_label(kind, level)
    rows = [_row("clean test digits", _strip_html(
                data.clean, count, f"{count} clean test digits", scale)),
            _row(f"noisy input: {noisy.psnr_noisy:.1f} dB, SSIM {noisy.ssim_noisy:.2f}",
                 _strip_html(noisy.noisy, count,
                             f"the same digits with {kind} noise at {where}", scale))]
    for view in views:
        name = strength_label(view.method, view.strength)
        mark = " ✓ best PSNR" if view is best else ""
        colour = GOOD if view is best else "inherit"
        label = (f'<span style="color:{colour}">{html.escape(name)}: {view.psnr_output:.1f} dB, '
                 f"SSIM {view.ssim_output:.2f}{mark}</span>")
        rows.append(_row(label, _strip_html(
            view.output, count, f"{name} applied to the noisy digits ({kind} noise at {where}): "
            f"{view.psnr_output:.1f} dB PSNR", scale)))
    caption = (f'<div style="font-size:0.85em;color:{MUTED}">PSNR and SSIM are means over '
               f"{len(data.clean)} test digits; filters at the settings tuned on training "
               f"images.</div>")
    return "<div>" + "".join(rows) + caption + "</div>"


def _option_list(data: NoiseData) -> list[tuple[str, tuple[str, float]]]:
    return [(f"{'Gauss' if kind == 'Gaussian' else 's&p'} {level_label(kind, level)}",
             (kind, level)) for kind in data.levels for level in data.levels[kind]]


# --------------------------------------------------------------------------- the noise explorer


def noise_explorer(data: NoiseData, *, count: int = 6, scale: int = 3) -> Any:
    """The noise explorer: site frames on top, the live controls below.

    Returns an ``ipywidgets.VBox`` with ``controls`` (label → control) and ``displays``
    (name → HTML widget).
    """
    import ipywidgets as widgets

    options = _option_list(data)
    frame_slider = selection_slider("noise (site)", options, options[0][1])
    frames = frames_stack(frame_slider, [noise_frame(data, *value) for _, value in options])

    kind = choice("noise kind", list(data.levels))
    level = selection_slider("noise level", _levels(data, kind.value),
                             data.levels[kind.value][0])
    method = choice("method", METHODS)
    strength = selection_slider("strength", STRENGTHS[AUTOENCODER])
    pictures, scores = widgets.HTML(), widgets.HTML()
    disable_for_site(kind, level, method, strength)
    busy = {"now": False}

    def update(_change: object = None) -> None:
        if busy["now"]:
            return
        try:
            view = noise_view(data, kind.value, level.value, method.value, strength.value)
        except ValueError as error:
            pictures.value, scores.value = "", message_html(str(error))
            return
        where = level_label(view.kind, view.level)
        what = strength_label(view.method, view.strength)
        pictures.value = "".join([
            _row("clean", _strip_html(data.clean, count, f"{count} clean test digits", scale)),
            _row(f"noisy: {view.psnr_noisy:.2f} dB", _strip_html(
                view.noisy, count, f"the digits with {view.kind} noise at {where}", scale)),
            _row(f"{html.escape(what)}: {view.psnr_output:.2f} dB", _strip_html(
                view.output, count, f"{what} applied to the noisy digits", scale)),
        ])
        colour = GOOD if view.gain > 0 else "inherit"
        scores.value = f'<div style="color:{colour}">{html.escape(view.sentence())}</div>'

    def on_kind(_change: object) -> None:
        busy["now"] = True
        level.options = _levels(data, kind.value)
        busy["now"] = False
        update()

    def on_method(_change: object) -> None:
        busy["now"] = True
        tuned = data.tuned.get((kind.value, level.value), {}).get(TUNED_KEY.get(method.value, ""))
        strength.options = STRENGTHS[method.value]
        if tuned in STRENGTHS[method.value]:
            strength.value = tuned
        busy["now"] = False
        update()

    kind.observe(on_kind, names="value")
    method.observe(on_method, names="value")
    level.observe(update, names="value")
    strength.observe(update, names="value")
    update()
    note = widgets.HTML(kernel_note(["noise (site)"],
                                    ["noise kind", "noise level", "method", "strength"]))
    box = widgets.VBox([note, frame_slider, frames,
                        widgets.HTML("<b>With a running kernel:</b> any method at any strength"),
                        kind, level, method, strength, scores, pictures])
    box.controls = {"noise (site)": frame_slider, "noise kind": kind, "noise level": level,
                    "method": method, "strength": strength}
    box.displays = {"frames": frames, "scores": scores, "pictures": pictures}
    return box


def _levels(data: NoiseData, kind: str) -> list[tuple[str, float]]:
    return [(level_label(kind, level), level) for level in data.levels[kind]]


# ------------------------------------------------------------------------ the inpainting explorer


@dataclass(frozen=True)
class HoleView:
    """What the inpainting explorer shows for one hole: the damage, two fills, their errors."""

    box: tuple[int, int, int, int]
    masked: torch.Tensor
    model_fill: torch.Tensor
    diffusion_fill: torch.Tensor
    mse_model: float
    mse_diffusion: float
    ink_hidden: float  # share of the digits' ink that the hole hides

    def sentence(self) -> str:
        top, left, size, _ = self.box
        winner = "the inpainting model" if self.mse_model < self.mse_diffusion else "diffusion"
        return (f"A {size}×{size} hole at row {top}, column {left} hides "
                f"{self.ink_hidden:.0%} of the digits' ink. Mean squared error inside the hole: "
                f"inpainting model {self.mse_model:.4f}, diffusion fill "
                f"{self.mse_diffusion:.4f}; {winner} is closer here.")


def hole_view(clean: torch.Tensor, model: nn.Module, top: int, left: int,
              box_size: int = 10, *, fill: float = HOLE_FILL) -> HoleView:
    """Hide the same square in every digit, fill it with the model and with diffusion, score both.

    Only the hole's pixels come from a fill; the known pixels are kept.
    """
    masked, mask = box_mask_at(clean, top, left, box_size, fill=fill)
    hole = mask.bool()
    model_fill = torch.where(hole, reconstruct(model, masked), masked)
    diffusion = fill_by_diffusion(masked, mask, sigma=1.0, steps=50)
    ink = float(clean.sum())
    return HoleView((top, left, box_size, box_size), masked, model_fill, diffusion,
                    float(masked_mse_per_image(model_fill, clean, mask).mean()),
                    float(masked_mse_per_image(diffusion, clean, mask).mean()),
                    float((clean * mask).sum()) / ink if ink > 0 else 0.0)


#: Hole positions of the site frames: (label, top, left) for a 10×10 hole in a 28×28 digit.
HOLE_POSITIONS = (("top left", 2, 2), ("top", 2, 9), ("centre", 9, 9), ("bottom", 16, 9),
                  ("right", 9, 16))


def _hole_rows(clean: torch.Tensor, view: HoleView, count: int, scale: int,
               clean_png64: str | None = None) -> str:
    top, left, size, _ = view.box
    where = f"a {size}×{size} hole at row {top}, column {left}, outlined in orange"

    def picture(images: torch.Tensor, alt: str, png64: str | None = None) -> str:
        return strip_html(images, count, alt, scale=scale, box=view.box, png64=png64)

    return "".join([
        _row("clean", picture(clean, f"{count} clean test digits, {where}", clean_png64)),
        _row("damaged input (grey hole)", picture(view.masked, f"the digits with {where}, "
                                                  f"filled with grey")),
        _row(f"inpainting model: {view.mse_model:.4f}",
             picture(view.model_fill, f"the inpainting model's fill of {where}")),
        _row(f"diffusion fill: {view.mse_diffusion:.4f}",
             picture(view.diffusion_fill, f"the diffusion fill of {where}")),
    ])


def hole_frame(clean: torch.Tensor, model: nn.Module, top: int, left: int, *, count: int = 6,
               scale: int = 2) -> str:
    """One site frame of the inpainting explorer: the rows and the sentence for one hole."""
    view = hole_view(clean, model, top, left)
    return (_hole_rows(clean, view, count, scale)
            + f'<div style="font-size:0.9em">{html.escape(view.sentence())}</div>')


def inpaint_explorer(clean: torch.Tensor, model: nn.Module, *, count: int = 6,
                     scale: int = 3) -> Any:
    """The inpainting explorer: site frames (five hole positions), then row and column sliders.

    Returns an ``ipywidgets.VBox`` with ``controls`` and ``displays``.
    """
    import ipywidgets as widgets

    model.eval()
    options = [(label, (top, left)) for label, top, left in HOLE_POSITIONS]
    frame_slider = selection_slider("hole (site)", options, options[2][1])
    frames = frames_stack(frame_slider, [hole_frame(clean, model, top, left)
                                         for _, (top, left) in options])
    size = 10
    clean_png64 = strip_png64(clean, count)  # the same for every hole
    top = int_slider("hole top row", 9, 0, clean.shape[-2] - size)
    left = int_slider("hole left column", 9, 0, clean.shape[-1] - size)
    pictures, scores = widgets.HTML(), widgets.HTML()
    disable_for_site(top, left)

    def update(_change: object = None) -> None:
        try:
            view = hole_view(clean, model, top.value, left.value, size)
        except ValueError as error:
            pictures.value, scores.value = "", message_html(str(error))
            return
        pictures.value = _hole_rows(clean, view, count, scale, clean_png64)
        scores.value = f"<div>{html.escape(view.sentence())}</div>"

    top.observe(update, names="value")
    left.observe(update, names="value")
    update()
    note = widgets.HTML(kernel_note(["hole (site)"], ["hole top row", "hole left column"]))
    box = widgets.VBox([note, frame_slider, frames,
                        widgets.HTML("<b>With a running kernel:</b> move the hole anywhere"),
                        top, left, scores, pictures])
    box.controls = {"hole (site)": frame_slider, "hole top row": top, "hole left column": left}
    box.displays = {"frames": frames, "scores": scores, "pictures": pictures}
    return box


# --------------------------------------------------------------------------- the benchmark


EXPLORER_DIGITS = 48
"""How many test digits the explorers score (the first of the lesson's evaluation digits)."""


LEVELS = {"Gaussian": [0.1, 0.2, 0.3, 0.4, 0.5], "salt & pepper": [0.05, 0.1, 0.2, 0.3]}
"""Lesson 08's noise levels: Gaussian σ, and the share of pixels salt and pepper hits."""


def _lesson_pieces() -> tuple[Any, ...]:
    from ..applications import train_denoisers, tune_baselines
    from ..config import budget
    from ..metrics import pca_baseline
    from ..recipes import standard_data

    train_set, test_set = standard_data()  # as lesson 08 takes them
    train_set = train_set.subset(budget(full=4_000, fast=1_500))
    eval_set = test_set.subset(budget(full=300, fast=100))
    models, _ = train_denoisers(train_set)
    pca = pca_baseline(train_set.images, 576)
    tuned = tune_baselines(train_set.images[:300], LEVELS, pca)
    return eval_set.images[:EXPLORER_DIGITS], models, pca, tuned


def bench() -> list[Any]:
    """Both explorers, built as lesson 08 builds them (models from the checkpoint cache,
    trained into it when it is cold): ``[noise explorer, inpainting explorer]``."""
    clean, models, pca, tuned = _lesson_pieces()
    denoisers = {"Gaussian": models["Gaussian denoiser"],
                 "salt & pepper": models["salt-and-pepper denoiser"]}
    return [noise_explorer(prepare_noise(clean, denoisers, LEVELS, pca, tuned)),
            inpaint_explorer(clean, models["inpainting model"])]
