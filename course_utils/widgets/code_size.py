"""The code-size explorer (lesson 02): PCA with any number of components, beside the autoencoders.

PCA is fitted once, when the explorer is built: the mean training image and all of its
components (lesson 00 shows what they look like). After that, keeping ``k`` components
is one matrix product: a digit's first ``k`` coefficients times the first ``k``
components, plus the mean. So a slider can run over every code size from 1 to 784 and
answer at once.

- :class:`PCABasis`: the fitted basis; :meth:`PCABasis.test_mse` (exact, clipped to
  [0, 1] like :func:`course_utils.metrics.pca_baseline`), :meth:`PCABasis.variance_kept`,
  :meth:`PCABasis.reconstruct`, :meth:`PCABasis.curve` (the error at many sizes at once);
- :class:`AutoencoderPoint`: a trained autoencoder's code size, test error and
  reconstructions of the digits shown, computed once;
- :func:`code_size_view` (pure): what one setting shows; :func:`view_html` renders it;
  :func:`curve_svg` draws the error curve with the current point and the autoencoders;
- :func:`code_size_explorer`: a slider over preset code sizes whose frames are precomputed
  (it works on the course site, without a kernel) and a slider over every size from 1 to
  784 (computed live, in a kernel);
- :func:`bench`: the explorer exactly as lesson 02 builds it.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from .shared import (GOOD, MUTED, disable_for_site, frames_stack, image_html, int_slider,
                     kernel_note, message_html, selection_slider)

#: Code sizes on the slider that works on the site: powers of two, the autoencoders'
#: sizes (32, 36, 576) and all 784 pixels.
FRAME_SIZES = (1, 2, 4, 8, 16, 32, 36, 64, 128, 256, 576, 784)

#: Errors below this are drawn at the bottom of the curve's axis (784 components
#: reconstruct every digit exactly, an error of 0, which a log scale cannot show).
ERROR_FLOOR = 1e-6

#: Colours of the curve: PCA in the course's blue, autoencoders in orange (told apart by
#: colour-blind readers, and each point is labelled in words too).
PCA_COLOUR = GOOD
AE_COLOUR = "#b35900"


@dataclass(frozen=True)
class PCABasis:
    """PCA fitted on training images, with every component kept.

    ``components`` is D×D, one component per row, largest variance first; ``variances``
    the training images' variance along each; ``test_coefficients`` the centred test
    images projected on every component (N×D), so any code size is a slice of them.
    """

    mean: torch.Tensor  # D
    components: torch.Tensor  # D×D, rows
    variances: torch.Tensor  # D, largest first
    test_images: torch.Tensor  # N×D
    test_coefficients: torch.Tensor  # N×D
    image_shape: tuple[int, ...]

    @classmethod
    def fit(cls, train_images: torch.Tensor, test_images: torch.Tensor) -> PCABasis:
        """Fit on ``train_images`` (N×C×H×W): the eigenvectors of their covariance."""
        if len(train_images) < 2:
            raise ValueError("PCA needs at least two training images")
        x = train_images.flatten(1).double()
        mean = x.mean(dim=0)
        centred = x - mean
        covariance = centred.T @ centred / (len(x) - 1)  # D×D
        variances, vectors = torch.linalg.eigh(covariance)  # ascending
        variances = variances.flip(0).clamp_min(0.0)
        components = vectors.flip(1).T.contiguous().float()  # D×D, largest first
        test = test_images.flatten(1).float()
        coefficients = (test - mean.float()) @ components.T  # N×D
        return cls(mean.float(), components, variances.float(), test, coefficients,
                   tuple(train_images.shape[1:]))

    @property
    def size(self) -> int:
        """The number of components there are: the number of pixels, D."""
        return self.components.shape[0]

    def check(self, k: int) -> None:
        """Raise ``ValueError`` unless ``k`` components can be kept."""
        if not 1 <= int(k) <= self.size:
            raise ValueError(f"PCA can keep between 1 and {self.size} components, got {k}")

    def variance_kept(self, k: int) -> float:
        """Share of the training images' variance along the first ``k`` components."""
        self.check(k)
        total = float(self.variances.sum())
        return float(self.variances[:k].sum()) / total if total > 0 else 1.0

    def components_for(self, share: float) -> int:
        """The fewest components that keep at least ``share`` of the variance."""
        kept = torch.cumsum(self.variances.double(), 0) / self.variances.double().sum()
        return int(torch.searchsorted(kept, torch.tensor(share, dtype=kept.dtype)) + 1)

    def project(self, images: torch.Tensor) -> torch.Tensor:
        """Coefficients of ``images`` (N×C×H×W) on every component: N×D."""
        return (images.flatten(1).float() - self.mean) @ self.components.T

    def reconstruct(self, coefficients: torch.Tensor, k: int) -> torch.Tensor:
        """Images from their first ``k`` coefficients: mean + coefficients × components."""
        self.check(k)
        flat = self.mean + coefficients[:, :k] @ self.components[:k]  # one matrix product
        return flat.clamp(0.0, 1.0).view(-1, *self.image_shape)

    def test_mse(self, k: int) -> float:
        """Test MSE per pixel with ``k`` components, reconstructions clipped to [0, 1]."""
        self.check(k)
        flat = self.mean + self.test_coefficients[:, :k] @ self.components[:k]
        return float((flat.clamp(0.0, 1.0) - self.test_images).square().mean())

    def curve(self, sizes: Sequence[int]) -> list[float]:
        """:meth:`test_mse` at every size in ``sizes``, adding components block by block."""
        order = sorted(set(int(k) for k in sizes))
        for k in order:
            self.check(k)
        flat = self.mean.expand_as(self.test_images).clone()
        errors, done = {}, 0
        for k in order:
            flat.addmm_(self.test_coefficients[:, done:k], self.components[done:k])
            done = k
            errors[k] = float((flat.clamp(0.0, 1.0) - self.test_images).square().mean())
        return [errors[int(k)] for k in sizes]


def curve_sizes(size: int, extra: Sequence[int] = ()) -> list[int]:
    """Where the curve is drawn: every size up to 48, then 40 sizes evenly spaced on a log scale."""
    dense = list(range(1, min(size, 48) + 1))
    sparse = [round(math.exp(t)) for t in torch.linspace(math.log(48), math.log(size), 40).tolist()]
    return sorted({k for k in (*dense, *sparse, *extra) if 1 <= k <= size})


@dataclass(frozen=True)
class AutoencoderPoint:
    """A trained autoencoder as a point beside PCA: its code size, test error, and pictures."""

    name: str
    code_size: int
    test_mse: float
    reconstructions: torch.Tensor  # the shown digits, reconstructed


def autoencoder_point(name: str, model: nn.Module, test_images: torch.Tensor,
                      shown: torch.Tensor) -> AutoencoderPoint:
    """Measure ``model`` once: code size, test MSE (eval mode), reconstructions of ``shown``."""
    from ..summary import latent_size
    from ..training import evaluate, reconstruct

    return AutoencoderPoint(name, int(latent_size(model)), evaluate(model, test_images),
                            reconstruct(model, shown))


@dataclass(frozen=True)
class CodeSizeView:
    """What the explorer shows for ``k`` components."""

    k: int
    variance_kept: float
    test_mse: float
    reconstructions: torch.Tensor  # the shown digits with k components
    nearest: AutoencoderPoint | None  # the autoencoder whose code size is closest to k
    nearest_pca_mse: float | None  # PCA's test error at that autoencoder's code size
    sentence: str


def nearest_point(points: Sequence[AutoencoderPoint], k: int) -> AutoencoderPoint | None:
    """The autoencoder whose code size is closest to ``k`` on a log scale (None if none)."""
    if not points:
        return None
    return min(points, key=lambda p: (abs(math.log(p.code_size / k)), p.code_size))


def code_size_view(basis: PCABasis, k: int, shown_coefficients: torch.Tensor,
                   points: Sequence[AutoencoderPoint] = (), *,
                   known: Mapping[int, float] | None = None) -> CodeSizeView:
    """Everything one setting shows: variance kept, test error, pictures, nearest autoencoder.

    ``known`` maps code sizes to PCA test errors already measured (the explorer passes
    the autoencoders' sizes, so a move costs one matrix product, not two).
    """
    from ..verdicts import number

    basis.check(k)
    kept, error = basis.variance_kept(k), basis.test_mse(k)
    pictures = basis.reconstruct(shown_coefficients, k)
    nearest = nearest_point(points, k)
    sentence = (f"PCA with {k} component{'s' if k != 1 else ''} keeps {100 * kept:.1f}% of the "
                f"training images' variance; its test MSE is {number(error)}.")
    pca_there = None
    if nearest is not None:
        pca_there = (known or {}).get(nearest.code_size)
        if pca_there is None:
            pca_there = basis.test_mse(nearest.code_size)
        factor = max(nearest.test_mse, pca_there) / max(min(nearest.test_mse, pca_there), 1e-30)
        side = "lower" if nearest.test_mse < pca_there else "higher"
        sentence += (f" The trained autoencoder nearest in code size ({nearest.name}, "
                     f"{nearest.code_size} numbers): test MSE {number(nearest.test_mse)}, "
                     f"{factor:,.1f}× {side} than PCA's {number(pca_there)} at "
                     f"{nearest.code_size} components.")
    return CodeSizeView(int(k), kept, error, pictures, nearest, pca_there, sentence)


def strip(images: torch.Tensor) -> torch.Tensor:
    """N×1×H×W images side by side in one H×(N·W) picture."""
    return torch.cat(list(images[:, 0]), dim=1)


def _svg_img(svg: str, alt: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt, quote=True)}" '
            f'style="max-width:100%"/>')


def curve_svg(sizes: Sequence[int], errors: Sequence[float], current: tuple[int, float],
              points: Sequence[AutoencoderPoint] = (), *, width: int = 440,
              height: int = 250) -> str:
    """PCA's test error against the code size (log-log), the current point ringed, and the
    autoencoders as labelled squares."""
    left, right, top, bottom = 58, 16, 22, 40
    d = max(max(sizes), current[0])
    low = max(min(min(errors), *(p.test_mse for p in points)) if points else min(errors),
              ERROR_FLOOR)
    high = max(max(errors), *(p.test_mse for p in points)) if points else max(errors)
    y_low, y_high = math.floor(math.log10(low)), math.ceil(math.log10(high))

    def x(k: float) -> float:
        return left + (width - left - right) * math.log(k) / math.log(d)

    def y(e: float) -> float:
        e = max(e, 10.0 ** y_low)
        return top + (height - top - bottom) * (y_high - math.log10(e)) / (y_high - y_low)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
             f'<text x="{left}" y="14" fill="#000">test MSE per pixel against code size '
             f'(log scales)</text>']
    for power in range(y_low, y_high + 1):
        yy = y(10.0 ** power)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
                     f'stroke="#dddddd"/>')
        parts.append(f'<text x="{left - 4}" y="{yy + 4:.1f}" text-anchor="end" '
                     f'fill="{MUTED}">1e{power}</text>')
    for tick in sorted({1, 10, 100, d}):
        xx = x(tick)
        parts.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" y2="{height - bottom}" '
                     f'stroke="#eeeeee"/>')
        parts.append(f'<text x="{xx:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
                     f'fill="{MUTED}">{tick}</text>')
    parts.append(f'<text x="{(left + width - right) / 2:.0f}" y="{height - 6}" '
                 f'text-anchor="middle" fill="#000">code size: numbers per image</text>')
    line = " ".join(f"{x(k):.1f},{y(e):.1f}" for k, e in zip(sizes, errors))
    parts.append(f'<polyline points="{line}" fill="none" stroke="{PCA_COLOUR}" '
                 f'stroke-width="2"/>')
    parts.append(f'<text x="{left + 6}" y="{height - bottom - 8}" fill="{PCA_COLOUR}">'
                 f'line: PCA; squares: trained autoencoders</text>')
    for n, p in enumerate(sorted(points, key=lambda p: p.code_size)):
        if p.code_size > d:
            continue
        px, py = x(p.code_size), y(p.test_mse)
        parts.append(f'<rect x="{px - 5:.1f}" y="{py - 5:.1f}" width="10" height="10" '
                     f'fill="{AE_COLOUR}"/>')
        dy = -8 if n % 2 == 0 else 16
        near_right = px > (left + width - right) / 2
        anchor, tx = ("end", px - 7) if near_right else ("start", px + 7)
        parts.append(f'<text x="{tx:.1f}" y="{py + dy:.1f}" text-anchor="{anchor}" '
                     f'fill="{AE_COLOUR}">{html.escape(p.name)} ({p.code_size})</text>')
    cx, cy = x(current[0]), y(current[1])
    parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="7" fill="none" stroke="#000" '
                 f'stroke-width="2"/>')
    parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="#000"/>')
    parts.append("</svg>")
    return "".join(parts)


def curve_alt(view: CodeSizeView, points: Sequence[AutoencoderPoint]) -> str:
    """The curve's alt text: what it shows, with the current point and the autoencoders."""
    from ..verdicts import number

    text = (f"PCA's test error falls as the code grows; the ring marks {view.k} "
            f"component{'s' if view.k != 1 else ''}, test MSE {number(view.test_mse)}.")
    if points:
        text += " Autoencoders: " + "; ".join(
            f"{p.name} at {p.code_size}, {number(p.test_mse)}" for p in points) + "."
    return text


def view_html(view: CodeSizeView, curve: tuple[Sequence[int], Sequence[float]],
              points: Sequence[AutoencoderPoint] = ()) -> str:
    """One setting as HTML: the sentence, the reconstructions, and the curve."""
    rows = [(strip(view.reconstructions),
             f"The shown test digits rebuilt by PCA from {view.k} numbers each",
             f"PCA, {view.k} component{'s' if view.k != 1 else ''}")]
    if view.nearest is not None:
        rows.append((strip(view.nearest.reconstructions),
                     f"The same digits rebuilt by {view.nearest.name} from "
                     f"{view.nearest.code_size} numbers each",
                     f"{view.nearest.name} ({view.nearest.code_size} numbers)"))
    pictures = "".join(f"<div>{image_html(image, alt, scale=2, caption=caption)}</div>"
                       for image, alt, caption in rows)
    sizes, errors = curve
    svg = curve_svg(sizes, errors, (view.k, view.test_mse), points)
    return (f'<div style="max-width:600px"><p>{html.escape(view.sentence)}</p>{pictures}'
            f"<div>{_svg_img(svg, curve_alt(view, points))}</div></div>")


def code_size_explorer(basis: PCABasis, shown: torch.Tensor,
                       points: Sequence[AutoencoderPoint] = (), *,
                       frame_sizes: Sequence[int] = FRAME_SIZES, start: int = 32):
    """Two sliders over PCA's code size, each beside the trained autoencoders.

    ``code size`` runs over ``frame_sizes`` whose frames are computed now (works on the
    course site); ``components`` runs over every size from 1 to D and is computed as it
    moves (needs a kernel). Returns a ``VBox`` with ``controls``, ``displays`` and
    ``render(k)`` (the HTML for ``k`` components, or a message for an impossible ``k``).
    """
    import ipywidgets as widgets

    points = sorted(points, key=lambda p: p.code_size)
    frame_sizes = [k for k in frame_sizes if 1 <= k <= basis.size]
    if not frame_sizes:
        raise ValueError(f"no frame size lies between 1 and {basis.size}")
    sizes = curve_sizes(basis.size, [*frame_sizes, *(p.code_size for p in points)])
    curve = (sizes, basis.curve(sizes))
    coefficients = basis.project(shown)
    known = {p.code_size: basis.test_mse(p.code_size) for p in points if p.code_size <= basis.size}

    def render(k: int) -> str:
        try:
            view = code_size_view(basis, int(k), coefficients, points, known=known)
        except ValueError as error:
            return message_html(str(error))
        return view_html(view, curve, points)

    originals = image_html(strip(shown), "The test digits shown, as they are", scale=2,
                           caption="the test digits")
    preset = selection_slider("code size", frame_sizes,
                              start if start in frame_sizes else frame_sizes[0])
    stack = frames_stack(preset, [render(k) for k in frame_sizes])
    live_slider = int_slider("components", min(start, basis.size), 1, basis.size)
    disable_for_site(live_slider)
    live = widgets.HTML(render(live_slider.value))
    live_slider.observe(lambda change: setattr(live, "value", render(change["new"])),
                        names="value")
    note = kernel_note(["code size"], ["components"])
    box = widgets.VBox([
        widgets.HTML(note), widgets.HTML(originals),
        widgets.HTML("<b>Preset code sizes</b>"), preset, stack,
        widgets.HTML(f"<b>Any number of components, 1 to {basis.size}</b> (computed as you "
                     f"move)"), live_slider, live,
    ])
    box.controls = {"code size": preset, "components": live_slider}
    box.displays = {"frames": stack, "view": live}
    box.render = render
    box.basis, box.points, box.curve = basis, points, curve
    return box


def lesson_points(models: Mapping[str, nn.Module], test_images: torch.Tensor,
                  shown: torch.Tensor) -> list[AutoencoderPoint]:
    """:func:`autoencoder_point` for each named model."""
    return [autoencoder_point(name, model, test_images, shown) for name, model in models.items()]


def lesson_digits(test_set) -> torch.Tensor:
    """The first test image of each digit 0 to 9 (10×1×28×28), the digits lesson 02 shows."""
    index = torch.stack([torch.nonzero(test_set.labels == d)[0, 0] for d in range(10)])
    return test_set.images[index]


def bench():
    """The explorer as lesson 02 builds it (models from the cache; trained when it is cold)."""
    from .. import recipes

    train_set, test_set = recipes.standard_data()
    shown = lesson_digits(test_set)
    compact, _ = recipes.compact_code(train_set, test_set)
    grid_small, _ = recipes.deep_conv(train_set, test_set, latent_channels=4)
    grid_large, _ = recipes.deep_conv(train_set, test_set, latent_channels=64)
    points = lesson_points({"flat code": compact, "grid code, 4 channels": grid_small,
                            "grid code, 64 channels": grid_large}, test_set.images, shown)
    basis = PCABasis.fit(train_set.images, test_set.images)
    return code_size_explorer(basis, shown, points)
