"""Looking inside a stacked autoencoder: layer activations, dead units, class similarity.

Lesson 03 uses these to test a common picture of *hierarchical features* (each layer
"more abstract" than the last) against measurements rather than take it on trust.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from .summary import device_of, eval_mode
from .viz import use_house_style


def layer_activations(model: nn.Module, images: torch.Tensor) -> list[torch.Tensor]:
    """The model's ``get_layer_outputs(images)`` in eval mode (Dropout off), on the CPU.

    For the default DeepAutoencoder: four tensors, N×512, N×256, N×128 and the N×32 code.
    """
    if not hasattr(model, "get_layer_outputs"):
        raise TypeError(f"{type(model).__name__} has no get_layer_outputs method")
    with eval_mode(model), torch.no_grad():
        outputs = model.get_layer_outputs(images.to(device_of(model)))
    return [o.cpu() for o in outputs]


def as_grid(vector: torch.Tensor | np.ndarray) -> np.ndarray:
    """Lay a 1-D activation vector out as a near-square 2-D array for ``imshow``.

    ``cols = ceil(sqrt(n))`` and ``rows = ceil(n / cols)``; the unused cells at the end
    are NaN, so they show as blank rather than as zero activations (padding with zeros
    would look exactly like inactive units).
    """
    flat = np.asarray(vector, dtype=np.float64).ravel()
    n = flat.size
    if n == 0:
        raise ValueError("cannot lay out an empty activation vector")
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    grid = np.full(rows * cols, np.nan)
    grid[:n] = flat
    return grid.reshape(rows, cols)


def show_layer_activations(model: nn.Module, images: torch.Tensor,
                           labels: Sequence[object] | None = None, *,
                           title: str = "Layer activations of the encoder") -> Figure:
    """One row per image: the input, every encoder activation, and the reconstruction.

    Activations come from :func:`layer_activations`; each layer gets its own colour scale
    (0 to that layer's largest value over the images shown), so rows can be compared
    within a column. Each row is labelled with its digit when ``labels`` is given.
    """
    use_house_style()
    acts = layer_activations(model, images)
    with eval_mode(model), torch.no_grad():
        recon = model(images.to(device_of(model))).cpu()
    n, n_cols = len(images), len(acts) + 2
    fig, axes = plt.subplots(n, n_cols, figsize=(1.5 * n_cols + 1.0, 1.5 * n + 0.8),
                             squeeze=False)
    tops = [max(float(a.max()), 1e-8) for a in acts]
    for r in range(n):
        panels = ([(images[r, 0].cpu().numpy(), "gray", 1.0, "input")]
                  + [(as_grid(a[r]), "viridis", top, f"layer {i + 1}: {a.shape[1]} units")
                     for i, (a, top) in enumerate(zip(acts, tops))]
                  + [(recon[r, 0].numpy(), "gray", 1.0, "reconstruction")])
        for c, (picture, cmap, top, name) in enumerate(panels):
            ax = axes[r][c]
            ax.imshow(picture, cmap=cmap, vmin=0.0, vmax=top, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if r == 0:
                ax.set_title(name, fontsize=8)
            if c == 0:
                label = f"digit {labels[r]}" if labels is not None else f"image {r}"
                ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def dead_units(activations: torch.Tensor) -> torch.Tensor:
    """Boolean mask over units (columns of N×D): True where a unit is 0 for every input.

    After a ReLU, a unit whose input is negative for every image outputs 0 always: it
    carries no information and, since its gradient is 0 too, training cannot revive it.
    """
    if activations.ndim != 2:
        raise ValueError(f"expected N×D activations, got shape {tuple(activations.shape)}")
    return (activations == 0).all(dim=0)


def dead_unit_share(activations: torch.Tensor) -> float:
    """Share of units (0 to 1) that are 0 for every input; see :func:`dead_units`."""
    return float(dead_units(activations).float().mean())


def class_similarity(features: torch.Tensor, labels: torch.Tensor, *,
                     centred: bool = False) -> tuple[float, float]:
    """Mean cosine similarity of pairs of different images: (same class, different class).

    If a layer groups images by what they show rather than by their pixels, same-class
    pairs are much more alike than different-class pairs. All-zero rows count as
    similarity 0 with everything.

    With ``centred=True`` each feature's mean over the images is subtracted first (the
    cosine of the centred vectors). Without it, features that are never negative, such as
    pixels or ReLU outputs, make every pair look alike: their vectors all point into the
    same corner of the space, so even unrelated images score well above 0, and by how
    much depends on each layer's offset rather than on what it represents. Centred, 0
    means "no more alike than two images picked at random" in every layer.
    """
    if len(features) != len(labels):
        raise ValueError(f"{len(features)} feature rows but {len(labels)} labels")
    x = features.flatten(1).double()
    if centred:
        x = x - x.mean(dim=0, keepdim=True)
    unit = x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)
    sim = unit @ unit.T
    same = labels[:, None] == labels[None, :]
    off_diagonal = ~torch.eye(len(x), dtype=torch.bool)
    within, between = sim[same & off_diagonal], sim[~same]
    if within.numel() == 0 or between.numel() == 0:
        raise ValueError("need at least two images of one class and two different classes")
    return float(within.mean()), float(between.mean())
