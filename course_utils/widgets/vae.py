"""Lesson 10's explorers: a point in a 2-D VAE's code space, and one dimension of a larger VAE.

**The 2-D map.** A VAE with two latent numbers puts every image at a point of the plane.
Move the point with two sliders, z[0] and z[1]: the decoder draws the digit for that
code at once, a ring marks the point on the scatter of the test images' codes (their
means μ, coloured by digit), and a line says which test digit's code is nearest and how
much of the prior N(0, I) lies closer to the origin than the point.

- :func:`latent_map`: the scatter, drawn **once** into a small PNG whose edges are
  exactly the plotted range, so any code maps to a pixel position;
- :func:`map_svg`: that PNG inside an SVG with axes, the ring at z, and optionally a path;
- :func:`point_view`: what one code shows (decoded image, nearest test code, prior mass):
  the pure function the explorer calls on every move (tested without widgets).

**The traversal.** In the 20-D VAE, start from one test digit's μ, pick a dimension and
set it to a value: :func:`traversal_view` decodes the changed code and says how far the
image moved from the digit's own reconstruction.

For the course site (no kernel), each explorer has a selection slider over precomputed
frames: eleven points on the straight path between the mean codes of the two digits that
lie farthest apart (:func:`farthest_classes`), and nine values of the traversal, each
frame showing the six dimensions with the largest KL at once. :func:`bench` builds both
explorers as lesson 10 does, for the widget benchmark.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from ..summary import eval_mode
from .shared import (
    MUTED,
    choice,
    disable_for_site,
    float_slider,
    frames_stack,
    image_html,
    kernel_note,
    message_html,
    selection_slider,
)

#: The ring that marks the current code: black with a white halo, seen on every colour.
MARKER = "#000000"
#: The path the site's frames walk along: black dashes on a white halo, like the ring,
#: so it is not mistaken for the digits' colours.
PATH_COLOUR = "#000000"
#: The circles of radius 1, 2 and 3 around the origin (the prior's contours).
PRIOR_COLOUR = "#555555"


def _decode(model: nn.Module, codes: torch.Tensor) -> torch.Tensor:
    """``model.decode`` in eval mode without gradients: K×latent → K×1×28×28 in [0, 1]."""
    with eval_mode(model), torch.no_grad():
        return model.decode(codes).clamp(0, 1)


def _check_codes(codes: torch.Tensor, labels: Sequence[int] | torch.Tensor,
                 dims: int | None = None) -> tuple[torch.Tensor, np.ndarray]:
    codes = torch.as_tensor(codes, dtype=torch.float32)
    labels = np.asarray(labels).astype(int)
    if codes.ndim != 2 or (dims is not None and codes.shape[1] != dims) or len(codes) < 2:
        want = f"N×{dims}" if dims is not None else "N×D"
        raise ValueError(f"need at least two codes as an {want} tensor, got shape "
                         f"{tuple(codes.shape)}")
    if len(labels) != len(codes):
        raise ValueError(f"need one label per code, got {len(labels)} labels for "
                         f"{len(codes)} codes")
    return codes, labels


# --------------------------------------------------------------------------- the 2-D map


@dataclass(frozen=True)
class LatentMap:
    """The test images' 2-D codes, their digits, and the scatter drawn once as a PNG.

    The PNG covers exactly [−``limit``, ``limit``] on both axes, ``size`` pixels square.
    """

    codes: torch.Tensor  # N×2
    labels: np.ndarray  # N digits
    limit: float
    size: int
    png: str  # base64


def latent_map(codes: torch.Tensor, labels: Sequence[int] | torch.Tensor, *, limit: float = 4.0,
               size: int = 240) -> LatentMap:
    """Draw the scatter of ``codes`` (N×2), one colour per digit, once, as a palette PNG."""
    codes, labels = _check_codes(codes, labels, dims=2)
    if not (math.isfinite(limit) and limit > 0):
        raise ValueError(f"limit is the half-width of the map and must be positive, got {limit}")
    from matplotlib import colormaps
    from matplotlib.figure import Figure
    from PIL import Image

    fig = Figure(figsize=(size / 100, size / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.axis("off")
    colours = colormaps["tab10"](labels % 10)
    ax.scatter(codes[:, 0].numpy(), codes[:, 1].numpy(), c=colours, s=3, linewidths=0)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    rgb = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = io.BytesIO()
    rgb.quantize(colors=32).save(small, format="PNG", optimize=True)
    return LatentMap(codes, labels, float(limit), size,
                     base64.b64encode(small.getvalue()).decode("ascii"))


def _legend() -> str:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["tab10"]
    return "".join(f'<span style="white-space:nowrap;margin-right:6px"><span style="display:'
                   f'inline-block;width:9px;height:9px;background:{to_hex(cmap(d))}"></span> '
                   f"{d}</span>" for d in range(10))


def map_svg(data: LatentMap, z: Sequence[float], *, title: str,
            path: torch.Tensor | None = None) -> str:
    """The scatter with axes, a ring at code ``z`` and, optionally, a path (K×2) of codes.

    A code outside the drawn range is marked at the edge, with an arrow-like open ring.
    """
    pad_l, pad_b, pad_t = 34, 30, 6
    side = data.size
    width, height = side + pad_l + 8, side + pad_b + pad_t
    lim = data.limit

    def xy(a: float, b: float) -> tuple[float, float]:
        return (pad_l + side * (a + lim) / (2 * lim), pad_t + side * (lim - b) / (2 * lim))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'style="width:{width}px;max-width:100%;height:auto;display:block" role="img" '
             f'font-family="sans-serif" font-size="10"><title>{html.escape(title)}</title>',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
             f'<image x="{pad_l}" y="{pad_t}" width="{side}" height="{side}" '
             f'href="data:image/png;base64,{data.png}"/>',
             f'<rect x="{pad_l}" y="{pad_t}" width="{side}" height="{side}" fill="none" '
             f'stroke="#000"/>']
    for tick in range(-int(lim), int(lim) + 1):
        x, y = xy(tick, tick)
        parts.append(f'<text x="{x:.1f}" y="{pad_t + side + 12}" text-anchor="middle" '
                     f'fill="#000">{tick}</text>'
                     f'<text x="{pad_l - 4}" y="{y + 3:.1f}" text-anchor="end" '
                     f'fill="#000">{tick}</text>')
    parts.append(f'<text x="{pad_l + side / 2}" y="{height - 3}" text-anchor="middle" '
                 f'fill="#000">z[0]</text><text x="9" y="{pad_t + side / 2}" '
                 f'text-anchor="middle" fill="#000" transform="rotate(-90 9 '
                 f'{pad_t + side / 2})">z[1]</text>')
    cx, cy = xy(0.0, 0.0)
    for radius in (1, 2, 3):
        if radius <= lim:
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{side * radius / (2 * lim):.1f}" '
                         f'fill="none" stroke="{PRIOR_COLOUR}" stroke-width="1" '
                         f'stroke-dasharray="1 3"/>')
    if path is not None and len(path) > 1:
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(float(a), float(b))
                                                          for a, b in path))
        parts.append(f'<polyline points="{points}" fill="none" stroke="#ffffff" '
                     f'stroke-width="4"/><polyline points="{points}" fill="none" '
                     f'stroke="{PATH_COLOUR}" stroke-width="2" stroke-dasharray="4 3"/>')
        for a, b in path:
            x, y = xy(float(a), float(b))
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{PATH_COLOUR}" '
                         f'stroke="#ffffff"/>')
    a, b = float(z[0]), float(z[1])
    inside = abs(a) <= lim and abs(b) <= lim
    x, y = xy(max(-lim, min(lim, a)), max(-lim, min(lim, b)))
    dash = "" if inside else ' stroke-dasharray="3 2"'
    parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="none" stroke="#ffffff" '
                 f'stroke-width="4"/><circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="none" '
                 f'stroke="{MARKER}" stroke-width="2"{dash}/>')
    parts.append("</svg>")
    return "".join(parts)


def prior_mass_within(radius: float, dims: int = 2) -> float:
    """Share of the prior N(0, I) in ``dims`` dimensions closer to the origin than ``radius``.

    In two dimensions |z|² follows a χ² law with 2 degrees of freedom, so the share is
    1 − exp(−r²/2): 39% within r = 1, 86% within 2, 99% within 3.
    """
    if dims != 2:
        raise ValueError("the closed form here is for two dimensions")
    return 1.0 - math.exp(-radius * radius / 2)


@dataclass(frozen=True)
class PointView:
    """What one code shows: the decoded image and where the code sits among the test codes."""

    z: tuple[float, float]
    image: torch.Tensor  # 1×28×28
    nearest: int  # index of the test code closest to z
    nearest_label: int
    distance: float  # to that code
    prior_mass: float  # share of N(0, I) closer to the origin than z

    def sentence(self) -> str:
        far = (" No test code lies within 0.5 of this point: the decoder is drawing from "
               "a part of the plane it never reconstructed." if self.distance > 0.5 else "")
        return (f"z = ({self.z[0]:+.2f}, {self.z[1]:+.2f}). The nearest test code is a "
                f"{self.nearest_label}, at distance {self.distance:.2f}. The prior puts "
                f"{self.prior_mass:.0%} of its mass closer to the origin than this point."
                + far)


def point_view(model: nn.Module, data: LatentMap, z: Sequence[float]) -> PointView:
    """Decode code ``z`` (two numbers) and find the nearest test code."""
    if len(z) != 2 or not all(math.isfinite(float(v)) for v in z):
        raise ValueError(f"a point of the 2-D code space is two finite numbers, got {z!r}")
    point = torch.tensor([[float(z[0]), float(z[1])]])
    image = _decode(model, point)[0]
    distances = (data.codes - point).norm(dim=1)
    nearest = int(distances.argmin())
    radius = float(point.norm())
    return PointView((float(z[0]), float(z[1])), image, nearest, int(data.labels[nearest]),
                     float(distances[nearest]), prior_mass_within(radius))


def point_html(view: PointView, images: torch.Tensor) -> str:
    """The decoded image beside the nearest test digit, and the sentence."""
    z = f"({view.z[0]:+.2f}, {view.z[1]:+.2f})"
    cells = (image_html(view.image, f"the decoder's image for code {z}", scale=1, width=112,
                        caption="decoded", optimize=False)
             + image_html(images[view.nearest], f"the test digit whose code is nearest, a "
                          f"{view.nearest_label}", scale=1, width=112,
                          caption=f"nearest test digit ({view.nearest_label})", optimize=False))
    return (f'<div style="display:flex;flex-wrap:wrap;gap:6px">{cells}</div>'
            f'<div style="max-width:32em">{html.escape(view.sentence())}</div>')


def class_means(data: LatentMap) -> dict[int, torch.Tensor]:
    """The mean code of each digit present."""
    return {int(d): data.codes[torch.as_tensor(data.labels == d)].mean(0)
            for d in np.unique(data.labels)}


def farthest_classes(data: LatentMap) -> tuple[int, int]:
    """The two digits whose mean codes lie farthest apart (smaller digit first)."""
    means = class_means(data)
    digits = sorted(means)
    if len(digits) < 2:
        raise ValueError("need codes of at least two different digits")
    pairs = [(float((means[a] - means[b]).norm()), a, b) for i, a in enumerate(digits)
             for b in digits[i + 1:]]
    _, a, b = max(pairs)
    return a, b


def straight_path(start: torch.Tensor, end: torch.Tensor, points: int = 11) -> torch.Tensor:
    """``points`` codes evenly spaced from ``start`` to ``end``, both included: points×D."""
    if points < 2:
        raise ValueError(f"a path needs at least two points, got {points}")
    t = torch.linspace(0, 1, points).view(-1, 1)
    return (1 - t) * start.view(1, -1) + t * end.view(1, -1)


def latent_2d_explorer(model: nn.Module, codes: torch.Tensor,
                       labels: Sequence[int] | torch.Tensor, images: torch.Tensor, *,
                       limit: float = 4.0, points: int = 11) -> Any:
    """Two sliders z[0], z[1] → the decoded digit, the ring on the map, the nearest test digit.

    ``codes`` are the test images' μ (N×2), ``labels`` their digits, ``images`` the images
    (N×1×28×28, for the nearest digit). The site's frames walk ``points`` codes from the
    mean code of one digit to that of the digit farthest from it. Returns an
    ``ipywidgets.VBox`` with ``controls`` and ``displays``.
    """
    import ipywidgets as widgets

    data = latent_map(codes, labels, limit=limit)
    if len(images) != len(data.codes):
        raise ValueError(f"need one image per code, got {len(images)} images for "
                         f"{len(data.codes)} codes")
    a, b = farthest_classes(data)
    means = class_means(data)
    path = straight_path(means[a], means[b], points)

    def title_for(z: Sequence[float]) -> str:
        return (f"The test images' codes, coloured by digit, with a ring at z = "
                f"({float(z[0]):+.2f}, {float(z[1]):+.2f})")

    def frame(i: int) -> str:
        z = path[i].tolist()
        view = point_view(model, data, z)
        svg = map_svg(data, z, path=path, title=title_for(z) + f", on the path from the mean "
                      f"code of the {a}s to that of the {b}s")
        return (f'<div style="display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start">'
                f"{svg}<div>{point_html(view, images)}</div></div>")

    options = [(f"{i}/{points - 1} of the way from the {a}s to the {b}s", i)
               for i in range(points)]
    site_slider = selection_slider("path (site)", options, 0)
    stack = frames_stack(site_slider, [frame(i) for i in range(points)])
    site_slider.observe(lambda _change: setattr(stack, "selected_index", site_slider.index),
                        names="index")  # in a kernel too (jslink works in the browser)

    z0 = float_slider("z[0]", 0.0, -limit, limit, 0.05)
    z1 = float_slider("z[1]", 0.0, -limit, limit, 0.05)
    disable_for_site(z0, z1)
    map_view, decoded = widgets.HTML(), widgets.HTML()

    def update(_change: object = None) -> None:
        z = (z0.value, z1.value)
        try:
            view = point_view(model, data, z)
        except (ValueError, RuntimeError) as error:
            decoded.value = message_html(f"This point cannot be decoded: {error}")
            return
        map_view.value = map_svg(data, z, title=title_for(z))
        decoded.value = point_html(view, images)

    z0.observe(update, names="value")
    z1.observe(update, names="value")
    update()
    note = widgets.HTML(kernel_note(["path (site)"], ["z[0]", "z[1]"]))
    legend = widgets.HTML(f'<div style="font-size:0.85em;color:{MUTED}">Digits: {_legend()}'
                          f"<br>Dotted circles: radius 1, 2 and 3 around the origin, inside "
                          f"which the prior N(0, I) holds 39%, 86% and 99% of its mass.</div>")
    box = widgets.VBox([
        note, legend,
        widgets.HTML(f"<b>On a path:</b> from the mean code of the {a}s to that of the {b}s "
                     f"(the dashed line), in {points - 1} equal steps"),
        site_slider, stack,
        widgets.HTML("<b>With a running kernel:</b> any point of the plane"),
        z0, z1,
        widgets.HBox([map_view, decoded], layout=widgets.Layout(flex_flow="row wrap"))])
    box.controls = {"path (site)": site_slider, "z[0]": z0, "z[1]": z1}
    box.displays = {"frames": stack, "map": map_view, "decoded": decoded}
    box.data, box.path, box.ends = data, path, (a, b)
    return box


# --------------------------------------------------------------------------- the traversal


#: The values a traversal sets a dimension to (in units of the prior's σ), also the site's.
TRAVERSAL_VALUES = tuple(float(v) for v in np.linspace(-3, 3, 9))


@dataclass(frozen=True)
class TraversalView:
    """One dimension of one digit's code set to one value, and what that did."""

    dim: int
    value: float
    kl: float  # the dimension's mean KL over the test images (nats)
    image: torch.Tensor  # 1×28×28, decoded from the changed code
    start: torch.Tensor  # 1×28×28, the digit's own reconstruction (decoded μ)
    change: float  # mean squared difference between the two

    def sentence(self) -> str:
        return (f"z[{self.dim}] (mean KL {self.kl:.2f} nats) set to {self.value:+.2f}: the "
                f"image differs from the digit's own reconstruction by {self.change:.4f} "
                f"(mean squared difference per pixel).")


def traversal_view(model: nn.Module, base: torch.Tensor, kl_per_dim: torch.Tensor, dim: int,
                   value: float) -> TraversalView:
    """Set dimension ``dim`` of code ``base`` (a test digit's μ) to ``value`` and decode."""
    if base.ndim != 1:
        raise ValueError(f"base is one code (a vector), got shape {tuple(base.shape)}")
    if not 0 <= dim < len(base):
        raise ValueError(f"the code has dimensions 0 to {len(base) - 1}, got {dim}")
    if not math.isfinite(value):
        raise ValueError(f"the value must be a number, got {value}")
    codes = base.repeat(2, 1)
    codes[1, dim] = value
    start, image = _decode(model, codes)
    return TraversalView(int(dim), float(value), float(kl_per_dim[dim]), image, start,
                         float((image - start).pow(2).mean()))


def traversal_grid(model: nn.Module, base: torch.Tensor, dims: Sequence[int],
                   values: Sequence[float] = TRAVERSAL_VALUES) -> torch.Tensor:
    """Every dimension in ``dims`` set to every value: len(dims)×len(values)×1×28×28."""
    codes = base.repeat(len(dims), len(values), 1)  # dims×values×D
    for row, k in enumerate(dims):
        codes[row, :, k] = torch.tensor(list(values), dtype=base.dtype)
    decoded = _decode(model, codes.flatten(0, 1))  # (dims·values)×1×28×28
    return decoded.view(len(dims), len(values), *decoded.shape[1:])


def traversal_frame(grid: torch.Tensor, dims: Sequence[int], kl_per_dim: torch.Tensor,
                    column: int, value: float) -> str:
    """One value for several dimensions at once: one image per dimension."""
    cells = "".join(image_html(grid[row, column], f"the start digit's code with z[{k}] set "
                               f"to {value:+.2f}", scale=1, width=84,
                               caption=f"z[{k}] · KL {float(kl_per_dim[k]):.2f}",
                               optimize=False)
                    for row, k in enumerate(dims))
    return (f'<div style="font-size:0.85em">each dimension set to <b>{value:+.2f}</b>, the '
            f"others kept at the start digit's μ</div>"
            f'<div style="display:flex;flex-wrap:wrap;gap:4px">{cells}</div>')


def traversal_html(view: TraversalView) -> str:
    """The changed image beside the digit's own reconstruction, and the sentence."""
    cells = (image_html(view.start, "the start digit's own reconstruction, decoded from its μ",
                        scale=1, width=112, caption="start (μ)", optimize=False)
             + image_html(view.image, f"decoded with z[{view.dim}] set to {view.value:+.2f}",
                          scale=1, width=112, caption=f"z[{view.dim}] = {view.value:+.2f}",
                          optimize=False))
    return (f'<div style="display:flex;flex-wrap:wrap;gap:6px">{cells}</div>'
            f'<div style="max-width:32em">{html.escape(view.sentence())}</div>')


def traversal_explorer(model: nn.Module, mu: torch.Tensor, labels: Sequence[int] | torch.Tensor,
                       kl_per_dim: torch.Tensor, *, start: int = 0, site_dims: int = 6) -> Any:
    """Start digit, dimension and value → the decoded image and how far it moved.

    ``mu`` holds test digits' codes (N×D), ``labels`` their digits, ``kl_per_dim`` the mean
    KL of each dimension (D). The site's frames set each of the ``site_dims`` dimensions
    with the largest KL to each of :data:`TRAVERSAL_VALUES`, starting from code ``start``.
    """
    import ipywidgets as widgets

    mu, labels = _check_codes(mu, labels)
    kl_per_dim = torch.as_tensor(kl_per_dim, dtype=torch.float32)
    if kl_per_dim.shape != (mu.shape[1],):
        raise ValueError(f"need one KL per dimension ({mu.shape[1]}), got shape "
                         f"{tuple(kl_per_dim.shape)}")
    order = [int(k) for k in torch.argsort(kl_per_dim, descending=True)]
    top = order[:site_dims]
    grid = traversal_grid(model, mu[start], top)
    value_slider = selection_slider("value (site)", [(f"{v:+.2f}", i) for i, v in
                                                     enumerate(TRAVERSAL_VALUES)],
                                    len(TRAVERSAL_VALUES) // 2)
    stack = frames_stack(value_slider, [traversal_frame(grid, top, kl_per_dim, i, v)
                                        for i, v in enumerate(TRAVERSAL_VALUES)])
    value_slider.observe(lambda _change: setattr(stack, "selected_index", value_slider.index),
                         names="index")  # in a kernel too (jslink works in the browser)

    digits = [int(d) for d in labels]
    starts = [(f"a {d}" if digits.count(d) == 1 else f"a {d} (#{i})", i)
              for i, d in enumerate(digits)]
    start_menu = choice("start digit", starts, start)
    dim_menu = choice("dimension", [(f"z[{k}] · KL {float(kl_per_dim[k]):.2f}", k)
                                    for k in order], order[0])
    value = float_slider("value", 0.0, -4.0, 4.0, 0.1)
    disable_for_site(start_menu, dim_menu, value)
    shown = widgets.HTML()

    def update(_change: object = None) -> None:
        try:
            view = traversal_view(model, mu[start_menu.value], kl_per_dim, dim_menu.value,
                                  value.value)
        except (ValueError, RuntimeError) as error:
            shown.value = message_html(f"This setting cannot be shown: {error}")
            return
        shown.value = traversal_html(view)

    for control in (start_menu, dim_menu, value):
        control.observe(update, names="value")
    update()
    note = widgets.HTML(kernel_note(["value (site)"], ["start digit", "dimension", "value"]))
    box = widgets.VBox([
        note,
        widgets.HTML(f"<b>The {len(top)} dimensions with the largest KL</b>, starting from "
                     f"the code of a test {int(labels[start])}"),
        value_slider, stack,
        widgets.HTML("<b>With a running kernel:</b> any start digit, dimension and value"),
        start_menu, dim_menu, value, shown])
    box.controls = {"value (site)": value_slider, "start digit": start_menu,
                    "dimension": dim_menu, "value": value}
    box.displays = {"frames": stack, "traversal": shown}
    box.order = order
    return box


# --------------------------------------------------------------------------- the benchmark


def lesson_vaes() -> dict[str, Any]:
    """Lesson 10's two VAEs and the test data the explorers use (trained when the cache is cold)."""
    from .. import recipes
    from ..config import seed_everything
    from ..models import ConvVAE
    from ..training import encode_all

    train_set, test_set = recipes.variants_data()
    seed_everything(0)
    vae = ConvVAE(20)
    recipes.train_vae(vae, "10_vae_20", train_set, test_set,
                      **recipes.VARIANTS.settings(len(train_set)))
    vae_2d, _, _ = recipes.vae_2d(train_set, test_set)
    return {"vae": vae, "vae_2d": vae_2d, "test_set": test_set,
            "mu_2d": encode_all(vae_2d, test_set)}


def kl_per_dimension(model: nn.Module, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The test images' μ (N×D) and each dimension's mean KL to the prior (D), in nats."""
    with eval_mode(model), torch.no_grad():
        mu, logvar = model.encode_distribution(images)
    return mu, (0.5 * (mu ** 2 + logvar.exp() - 1 - logvar)).mean(dim=0)


def starting_digits(labels: torch.Tensor) -> list[int]:
    """The first test image of each digit 0–9 present, in digit order (the traversal's starts)."""
    labels = torch.as_tensor(labels)
    return [int((labels == d).nonzero()[0]) for d in range(10) if (labels == d).any()]


def bench() -> list[Any]:
    """Both explorers, built as lesson 10 builds them (VAEs from the checkpoint cache)."""
    parts = lesson_vaes()
    test_set = parts["test_set"]
    mu, kl = kl_per_dimension(parts["vae"], test_set.images)
    picks = starting_digits(test_set.labels)
    return [latent_2d_explorer(parts["vae_2d"], parts["mu_2d"], test_set.labels,
                               test_set.images),
            traversal_explorer(parts["vae"], mu[picks], test_set.labels[picks], kl)]
