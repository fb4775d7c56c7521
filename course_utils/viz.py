"""Pictures for the lessons, in one house style: image grids, reconstructions, curves.

Every function returns the matplotlib ``Figure`` it drew, titled and with labelled axes.
A lesson shows it with :func:`show`, which adds the figure's *alt text*: one or two
sentences that say what the picture shows, for readers who cannot see it (the course site
puts them in the image's ``alt`` attribute; a test rejects empty or path-like ones).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from .training import History

HOUSE_STYLE = {
    "figure.dpi": 90,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "figure.titlesize": 12,
    "image.cmap": "gray",
}


def use_house_style() -> None:
    """Apply the course's house style: its matplotlib settings (every plotting function calls
    this), and, in a notebook, results tables (DataFrames) shown with thousands separators
    and 4 significant digits (:func:`course_utils.tables.use_table_style`)."""
    from .tables import use_table_style

    plt.rcParams.update(HOUSE_STYLE)
    use_table_style()


def show(fig: Figure, alt: str) -> None:
    """Display ``fig`` as a PNG with ``alt`` text, then close it (no second copy is drawn).

    ``alt`` says what the figure shows, as a sentence: "Ten test digits, each above its
    reconstruction by the autoencoder and by PCA-32", not "figure 3" or a file name.
    """
    import io

    from IPython.display import Image, display

    text = " ".join(alt.split())
    if len(text) < 15 or "/" in text.split(" ")[0] or text.lower().endswith((".png", ".svg")):
        raise ValueError(f"alt text must say what the figure shows, in words; got {alt!r}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    display(Image(data=buffer.getvalue(), format="png", metadata={"alt": text}))


def _as_image(t: torch.Tensor):
    """C×H×W tensor → an array imshow understands (H×W grey or H×W×3 colour)."""
    t = t.detach().cpu().float()
    if t.ndim == 3 and t.shape[0] == 1:
        return t[0].numpy()
    if t.ndim == 3:
        return t.permute(1, 2, 0).clamp(0, 1).numpy()
    return t.numpy()


def show_image_rows(rows: Mapping[str, torch.Tensor], *, title: str,
                    column_titles: Sequence[str] | None = None, size: float = 1.2) -> Figure:
    """One row of images per entry of ``rows`` (label → N×C×H×W), labels on the left."""
    use_house_style()
    n_rows = len(rows)
    n_cols = max(len(v) for v in rows.values())
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols + 1.2, size * n_rows + 0.6),
                             squeeze=False)
    for r, (label, images) in enumerate(rows.items()):
        for c in range(n_cols):
            ax = axes[r][c]
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
            if c < len(images):
                ax.imshow(_as_image(images[c]), vmin=0, vmax=1)
            if c == 0:
                ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
            if r == 0 and column_titles is not None and c < len(column_titles):
                ax.set_title(column_titles[c], fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


#: The outline colour of a hidden region (Okabe–Ito orange: seen by colour-blind readers,
#: and against black background, white ink and a grey hole alike).
OUTLINE = "#e69f00"


def outline_boxes(fig: Figure, boxes: Sequence[tuple[int, int, int, int]], *,
                  rows: Sequence[int] | None = None, colour: str = OUTLINE) -> Figure:
    """Draw a rectangle around a region of each image of a :func:`show_image_rows` figure.

    ``boxes[c]`` is ``(top, left, height, width)`` in pixels for the images of column ``c``;
    ``rows`` picks the rows to outline (all by default). The line runs along the pixel
    borders, so it hides none of the pixels inside or outside the region.
    """
    from matplotlib.patches import Rectangle

    grid = fig.axes[0].get_subplotspec().get_gridspec()
    n_rows, n_cols = grid.nrows, grid.ncols
    for r in range(n_rows) if rows is None else rows:
        for c, (top, left, height, width) in enumerate(boxes[:n_cols]):
            ax = fig.axes[r * n_cols + c]
            ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False,
                                   edgecolor=colour, linewidth=1.5))
    return fig


def show_images(images: torch.Tensor, *, title: str, labels: Sequence[object] | None = None,
                columns: int = 10) -> Figure:
    """A grid of images (N×C×H×W), optionally captioned with ``labels``."""
    use_house_style()
    n = len(images)
    n_rows = max(1, -(-n // columns))
    fig, axes = plt.subplots(n_rows, columns, figsize=(1.2 * columns, 1.3 * n_rows + 0.5),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(_as_image(images[i]), vmin=0, vmax=1)
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_reconstructions(originals: torch.Tensor, reconstructions: Mapping[str, torch.Tensor]
                         | torch.Tensor, *, title: str = "Originals and reconstructions",
                         count: int = 10) -> Figure:
    """Originals on top, one row per model's reconstructions below, with each row's MSE."""
    from .metrics import mse

    if isinstance(reconstructions, torch.Tensor):
        reconstructions = {"reconstruction": reconstructions}
    rows = {"original": originals[:count]}
    for name, recon in reconstructions.items():
        rows[f"{name}\nMSE {mse(recon[:count], originals[:count]):.4f}"] = recon[:count]
    return show_image_rows(rows, title=title)


def plot_history(histories: Mapping[str, History] | History, *, title: str = "Training curves",
                 log_scale: bool = False, show_test: bool = True) -> Figure:
    """Loss per epoch for one or several runs: solid for training, dashed for test."""
    use_house_style()
    if isinstance(histories, History):
        histories = {"model": histories}
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, (name, h) in enumerate(histories.items()):
        colour = f"C{i % 10}"
        epochs = range(1, h.epochs + 1)
        ax.plot(epochs, h.train_loss, color=colour, marker="o", ms=3, label=f"{name} (train)")
        if show_test and h.test_loss:
            ax.plot(epochs, h.test_loss, color=colour, ls="--", marker="s", ms=3,
                    label=f"{name} (test)")
    return _finish_line_plot(fig, ax, title=title, xlabel="epoch",
                             ylabel="loss (mean per pixel)", log_y=log_scale)


def plot_series(series: Mapping[str, Sequence[float]], *, title: str, xlabel: str, ylabel: str,
                x: Sequence[float] | None = None, log_y: bool = False) -> Figure:
    """Several named lines against a shared x axis (epochs by default)."""
    use_house_style()
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, values in series.items():
        xs = list(x) if x is not None else list(range(1, len(values) + 1))
        ax.plot(xs, list(values), marker="o", ms=3, label=name)
    return _finish_line_plot(fig, ax, title=title, xlabel=xlabel, ylabel=ylabel, log_y=log_y)


def _finish_line_plot(fig: Figure, ax, *, title: str, xlabel: str, ylabel: str,
                      log_y: bool) -> Figure:
    """Labels, title, legend and layout: the same for every line plot of the course."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log_y:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- inside a model
# Lesson 07: feature maps and hierarchical features, for any model and several images at
# once. The numbers come from course_utils.latent; these functions only draw.


def _bare(ax) -> None:
    """An image cell: no ticks, no grid, no frame."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)


def show_feature_maps(rows: Mapping[str, torch.Tensor], *, title: str, max_maps: int = 8,
                      size: float = 1.1, cmap: str = "viridis") -> Figure:
    """One row per entry (label → C×H×W maps of one image): its first ``max_maps`` channels.

    A row may also hold the input image (1×H×W), drawn in grey on [0, 1]. Feature maps are
    coloured each on its own scale (dark = the channel's lowest value in that map, bright =
    its highest), as most feature-map plots do, so compare where a map
    lights up, not how bright it is. Columns are channel numbers.
    """
    use_house_style()
    n_rows = len(rows)
    n_cols = max(min(max_maps, len(v)) for v in rows.values())
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols + 2.2, size * n_rows + 0.6),
                             squeeze=False)
    for r, (label, maps) in enumerate(rows.items()):
        maps = maps.detach().cpu().float()
        is_input = len(maps) == 1
        for c in range(n_cols):
            ax = axes[r][c]
            _bare(ax)
            if c < min(max_maps, len(maps)):
                if is_input:
                    ax.imshow(maps[0].numpy(), cmap="gray", vmin=0, vmax=1)
                else:
                    ax.imshow(maps[c].numpy(), cmap=cmap)
                    if r == 0 or len(rows[list(rows)[r - 1]]) == 1:
                        ax.set_title(f"channel {c}", fontsize=7)
            if c == 0:
                ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_filters(weight: torch.Tensor, *, title: str, columns: int = 8,
                 size: float = 1.0) -> Figure:
    """The kernels of a convolution (out×in×k×k), one cell per output channel.

    Shows the kernel on the first input channel. One colour scale for all cells, centred
    on zero (red positive, blue negative), so the cells can be compared with each other.
    """
    use_house_style()
    kernels = weight.detach().cpu().float()[:, 0]  # out×k×k
    limit = float(kernels.abs().max()) or 1.0
    n = len(kernels)
    n_rows = max(1, -(-n // columns))
    fig, axes = plt.subplots(n_rows, columns, figsize=(size * columns + 1.6, size * n_rows + 0.8),
                             squeeze=False)
    image = None
    for i, ax in enumerate(axes.flat):
        _bare(ax)
        if i < n:
            image = ax.imshow(kernels[i].numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_title(f"filter {i}", fontsize=7)
    for r in range(n_rows):
        axes[r][0].set_ylabel(f"filters {r * columns}–{min(n, (r + 1) * columns) - 1}",
                              rotation=0, ha="right", va="center", fontsize=8)
    if image is not None:
        fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="weight")
    fig.suptitle(title)
    return fig


def _square(values: torch.Tensor):
    """A vector laid out row by row on the smallest square that holds it (zeros after)."""
    flat = values.detach().cpu().float().flatten()
    side = 1
    while side * side < len(flat):
        side += 1
    padded = torch.zeros(side * side)
    padded[: len(flat)] = flat
    return padded.view(side, side).numpy()


def show_activations(images: torch.Tensor, activations: Mapping[str, torch.Tensor],
                     reconstructions: torch.Tensor, *, title: str,
                     row_labels: Sequence[str] | None = None, size: float = 1.6) -> Figure:
    """Hierarchical features: every layer's activations, for several images at once.

    One row per image: the input, each layer's activation vector (N×D per entry of
    ``activations``) folded into a square (row by row, zero-padded, own colour scale),
    and the reconstruction. The square layout is only a way to fit a vector on the page:
    neighbouring cells are *not* neighbouring features.
    """
    use_house_style()
    n = len(images)
    names = list(activations)
    n_cols = len(names) + 2
    fig, axes = plt.subplots(n, n_cols, figsize=(size * n_cols + 1.2, size * n + 0.8),
                             squeeze=False)
    for r in range(n):
        cells = [("input", _as_image(images[r]), "gray", (0, 1))]
        for name in names:
            cells.append((name, _square(activations[name][r]), "viridis", (None, None)))
        cells.append(("reconstruction", _as_image(reconstructions[r]), "gray", (0, 1)))
        for c, (name, picture, cmap, (lo, hi)) in enumerate(cells):
            ax = axes[r][c]
            _bare(ax)
            ax.imshow(picture, cmap=cmap, vmin=lo, vmax=hi)
            if r == 0:
                ax.set_title(name, fontsize=8)
        label = row_labels[r] if row_labels is not None else f"image {r}"
        axes[r][0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_latent_map(points, labels, *, title: str, xlabel: str, ylabel: str,
                    ax=None) -> Figure:
    """Codes drawn as points (N×2), one colour per label (digit), with a legend."""
    import numpy as np

    use_house_style()
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 4.5))
    else:
        fig = ax.figure
    points = np.asarray(points)
    labels = np.asarray(labels)
    for value in np.unique(labels):
        chosen = labels == value
        ax.scatter(points[chosen, 0], points[chosen, 1], s=6, alpha=0.7,
                   color=plt.get_cmap("tab10")(int(value) % 10), label=str(value))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(title="digit", fontsize=7, title_fontsize=8, markerscale=2.5,
              loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def show_interpolation(rows: Mapping[str, torch.Tensor], *, title: str) -> Figure:
    """An interpolation strip: one row per way of going from image A to image B.

    ``rows`` maps a label ("pixel blend", "deep conv code", …) to ``steps×C×H×W`` images
    for t = 0 … 1 in equal steps (see ``course_utils.latent.interpolate``); the columns
    are titled with t.
    """
    steps = max(len(v) for v in rows.values())
    if steps < 2:
        raise ValueError("an interpolation strip needs at least two steps per row")
    return show_image_rows(rows, title=title,
                           column_titles=[f"t = {i / (steps - 1):.2f}" for i in range(steps)])
