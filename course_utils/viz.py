"""Pictures for the lessons, in one house style: image grids, reconstructions, curves.

Every function returns the matplotlib ``Figure`` it drew, titled and with labelled axes;
notebooks call ``plt.show()`` (or let Jupyter show the figure).
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
    """Apply the course's matplotlib settings (called by every plotting function)."""
    plt.rcParams.update(HOUSE_STYLE)


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
