"""Looking inside a trained autoencoder: intermediate outputs, codes, neighbours, paths.

Pure functions on tensors; the pictures are drawn by :mod:`course_utils.viz`
(``show_feature_maps``, ``show_filters``, ``show_activations``, ``plot_latent_map``,
``show_interpolation``).

- :func:`encoder_outputs`: what each stage (or layer) of an encoder produces for an image;
- :func:`input_resemblance`: how much each feature map still looks like the input image;
- :func:`filter_change`: how far trained filters moved from their initial values;
- :func:`embed_2d`: codes squeezed to two numbers (PCA or t-SNE) to plot them;
- :func:`nearest_neighbours` and :func:`neighbour_label_agreement`: who sits next to whom
  in code space, and how often a neighbour is the same digit;
- :func:`interpolate`: the straight path between two codes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .summary import eval_mode


def encoder_outputs(model: nn.Module, x: torch.Tensor,
                    after: Sequence[type[nn.Module]] = (nn.MaxPool2d,)) -> dict[str, torch.Tensor]:
    """The encoder's output after every layer whose type is in ``after``, for images ``x``.

    Runs ``model.encoder`` (an ``nn.Sequential``) layer by layer in eval mode and keeps a
    copy wherever a layer of the given types has just run. With the default
    (``nn.MaxPool2d``) a conv encoder gives one output per *stage*: for the deep conv
    autoencoder, N×16×14×14, N×32×7×7 and N×C×3×3. With ``after=(nn.ReLU,)`` a fully
    connected encoder gives its activations layer by layer, as
    ``DeepAutoencoder.get_layer_outputs`` does. Labels read ``"layer 3 (MaxPool2d): 16×14×14"``.
    """
    encoder = getattr(model, "encoder", None)
    if not isinstance(encoder, nn.Sequential):
        raise TypeError("encoder_outputs needs a model whose .encoder is an nn.Sequential")
    kinds = tuple(after)
    outputs: dict[str, torch.Tensor] = {}
    with eval_mode(model), torch.no_grad():
        h = x
        for index, layer in enumerate(encoder):
            h = layer(h)
            if isinstance(layer, kinds):
                shape = "×".join(map(str, h.shape[1:]))
                outputs[f"layer {index} ({type(layer).__name__}): {shape}"] = h.detach().clone()
    if not outputs:
        names = ", ".join(k.__name__ for k in kinds)
        raise ValueError(f"the encoder has no {names} layer to read an output after")
    return outputs


def input_resemblance(maps: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    """How much each channel's map looks like the input image: one number per channel.

    ``maps`` is N×C×h×w (one stage of an encoder), ``images`` N×1×H×W. Each image is
    average-pooled to h×w, and for every image and channel the Pearson correlation
    between the pooled image and the map is taken; the result is its mean over the images
    (a tensor of C values in [−1, 1]). 1: the map is the image, brighter where the ink is;
    −1: the negative image; near 0: the map does not follow the ink (or is constant,
    which counts as 0).
    """
    if maps.ndim != 4 or images.ndim != 4 or len(maps) != len(images):
        raise ValueError(f"expected N×C×h×w maps and N×1×H×W images of the same N, got "
                         f"{tuple(maps.shape)} and {tuple(images.shape)}")
    pooled = F.adaptive_avg_pool2d(images.mean(1, keepdim=True), maps.shape[-2:])  # N×1×h×w
    a = maps.flatten(2).double()
    b = pooled.flatten(2).double()
    a = a - a.mean(2, keepdim=True)  # N×C×hw
    b = b - b.mean(2, keepdim=True)  # N×1×hw
    norms = a.norm(dim=2) * b.norm(dim=2)  # N×C
    corr = torch.where(norms > 1e-12, (a * b).sum(2) / norms.clamp_min(1e-12),
                       torch.zeros_like(norms))
    return corr.mean(0).float()


def filter_change(trained: torch.Tensor, initial: torch.Tensor) -> torch.Tensor:
    """How far each filter moved in training, relative to its size at initialisation.

    ``trained`` and ``initial`` are a layer's weights (out×…, same shape); the result has
    one value per output channel: ‖W − W₀‖ / ‖W₀‖. 0 means the filter is still its random
    start; 1 means the change is as large as the start itself.
    """
    if trained.shape != initial.shape:
        raise ValueError(f"weights differ in shape: {tuple(trained.shape)} vs {tuple(initial.shape)}")
    change = (trained - initial).detach().flatten(1).double().norm(dim=1)
    return (change / initial.detach().flatten(1).double().norm(dim=1).clamp_min(1e-12)).float()


def embed_2d(codes: torch.Tensor, method: str = "pca", *, seed: int = 0) -> np.ndarray:
    """Two numbers per code (N×2 array), to draw codes as points on a page.

    - ``"pca"``: the two directions of largest variance (a linear projection: distances
      along them are real distances in code space);
    - ``"tsne"``: t-SNE, which keeps *neighbours* together and pulls clusters apart; the
      sizes of clusters and the gaps between them mean little.

    Codes are flattened first (a 64×3×3 code is 576 numbers).
    """
    flat = codes.detach().flatten(1).double().cpu().numpy()
    if len(flat) < 3:
        raise ValueError(f"need at least 3 codes to embed, got {len(flat)}")
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(flat)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = min(30.0, (len(flat) - 1) / 3)
        return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
                    max_iter=500).fit_transform(flat)
    raise ValueError(f'method must be "pca" or "tsne", got {method!r}')


def _pairwise_distances(queries: torch.Tensor, bank: torch.Tensor) -> torch.Tensor:
    return torch.cdist(queries.flatten(1).double(), bank.flatten(1).double())  # Q×B


def nearest_neighbours(queries: torch.Tensor, bank: torch.Tensor, k: int = 5) -> torch.Tensor:
    """Indices (Q×k) of the ``k`` codes in ``bank`` closest to each query (Euclidean).

    Closest first. Codes of any shape are flattened.
    """
    if not 1 <= k <= len(bank):
        raise ValueError(f"k must be between 1 and the bank size {len(bank)}, got {k}")
    return _pairwise_distances(queries, bank).topk(k, dim=1, largest=False).indices


def neighbour_label_agreement(codes: torch.Tensor, labels: torch.Tensor) -> float:
    """How often a code's nearest *other* code has the same label (leave-one-out 1-NN).

    1.0: every image's nearest neighbour in code space is the same digit; with 10 equally
    common digits, a random code would score about 0.1.
    """
    if len(codes) < 2:
        raise ValueError("need at least two codes")
    distances = _pairwise_distances(codes, codes)
    distances.fill_diagonal_(float("inf"))  # an image is not its own neighbour
    nearest = distances.argmin(dim=1)
    return float((labels[nearest] == labels).double().mean())


def interpolate(z_a: torch.Tensor, z_b: torch.Tensor, steps: int = 8) -> torch.Tensor:
    """``steps`` codes on the straight line from ``z_a`` to ``z_b``, ends included.

    Returns a tensor of shape ``steps × *z_a.shape``: (1 − t)·z_a + t·z_b for t = 0 … 1.
    """
    if z_a.shape != z_b.shape:
        raise ValueError(f"codes differ in shape: {tuple(z_a.shape)} vs {tuple(z_b.shape)}")
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (the two ends), got {steps}")
    t = torch.linspace(0, 1, steps, dtype=z_a.dtype, device=z_a.device)
    t = t.view(steps, *([1] * z_a.ndim))
    return (1 - t) * z_a.unsqueeze(0) + t * z_b.unsqueeze(0)
