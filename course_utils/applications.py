"""Helpers for the applications of lessons 08 and 09: denoising, inpainting, anomalies, features.

Corruptions here have the signature ``corrupt(images, generator)`` that
:func:`course_utils.training.train` expects; bind their settings with
``functools.partial`` so the checkpoint cache sees them (a ``lambda`` would hide them).

The baselines an autoencoder is measured against live here too: PCA projection onto the
first ``k`` components (a denoiser), and the distance to the nearest training image in raw
pixels (an anomaly score that learns nothing).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import numpy as np
import torch
from torch import nn

from .config import seed_everything
from .data import ImageSet, gaussian_noise, random_box_mask, salt_and_pepper
from .metrics import PCABaseline, auroc, mse_per_image
from .models import DeepConvAutoencoder, FlatConvAutoencoder
from .recipes import Recipe
from .training import History, cached_train

Corruption = Callable[..., torch.Tensor]

# --------------------------------------------------------------------------- corruptions


def _strengths(n: int, low: float, high: float, generator: torch.Generator | None,
               device: torch.device) -> torch.Tensor:
    if not 0 <= low <= high:
        raise ValueError(f"need 0 ≤ low ≤ high, got low={low}, high={high}")
    draw = torch.rand(n, generator=generator).to(device)
    return low + (high - low) * draw  # one strength per image, uniform in [low, high]


def gaussian_noise_mix(images: torch.Tensor, generator: torch.Generator | None = None, *,
                       low: float = 0.1, high: float = 0.5) -> torch.Tensor:
    """Gaussian noise whose std is drawn per image, uniformly in [``low``, ``high``].

    One model trained on this mix handles every noise level in the range, instead of one
    model per level.
    """
    n = len(images)
    std = _strengths(n, low, high, generator, images.device).view(n, 1, 1, 1)
    noise = torch.randn(images.shape, generator=generator).to(images.device) * std
    return (images + noise).clamp(0.0, 1.0)


def salt_and_pepper_mix(images: torch.Tensor, generator: torch.Generator | None = None, *,
                        low: float = 0.05, high: float = 0.3) -> torch.Tensor:
    """Salt-and-pepper noise whose share of hit pixels is drawn per image in [``low``, ``high``]."""
    n = len(images)
    amount = _strengths(n, low, high, generator, images.device).view(n, 1, 1, 1)
    draw = torch.rand(images.shape, generator=generator).to(images.device)
    noisy = images.clone()
    noisy[draw < amount / 2] = 0.0
    noisy[(draw >= amount / 2) & (draw < amount)] = 1.0
    return noisy


def fixed_gaussian_noise(images: torch.Tensor, std: float, *, seed: int = 0) -> torch.Tensor:
    """Gaussian noise of one ``std``, repeatable: the same seed gives the same noise."""
    return gaussian_noise(images, std, generator=torch.Generator().manual_seed(seed))


def fixed_salt_and_pepper(images: torch.Tensor, amount: float, *, seed: int = 0) -> torch.Tensor:
    """Salt-and-pepper noise of one ``amount``, repeatable."""
    return salt_and_pepper(images, amount, generator=torch.Generator().manual_seed(seed))


def fixed_noise(kind: str, images: torch.Tensor, level: float, *, seed: int = 0) -> torch.Tensor:
    """Repeatable noise of one ``kind`` ("Gaussian": ``level`` is σ; "salt & pepper": the
    share of pixels hit)."""
    if kind == "Gaussian":
        return fixed_gaussian_noise(images, level, seed=seed)
    if kind == "salt & pepper":
        return fixed_salt_and_pepper(images, level, seed=seed)
    raise ValueError(f"unknown noise kind {kind!r}: choose 'Gaussian' or 'salt & pepper'")


HOLE_FILL = 0.5
"""The value the inpainting lessons paint into a hole: mid grey, unlike the black background
(0) and the white ink (1), so the hole is visible to the reader and to the model."""


def mask_boxes(images: torch.Tensor, generator: torch.Generator | None = None, *,
               box_size: int = 10, fill: float = 0.0) -> torch.Tensor:
    """The inpainting corruption: one random ``box_size`` square per image set to ``fill``.

    With ``fill=0`` a hole on the black background looks like background, and a hole on a
    stroke looks like a gap in it: neither the reader nor the model can see where the hole
    is. A grey ``fill`` (:data:`HOLE_FILL`) marks it.
    """
    masked, mask = random_box_mask(images, box_size, generator=generator)
    return masked + fill * mask


def fixed_box_mask(images: torch.Tensor, box_size: int = 10, *, fill: float = HOLE_FILL,
                   seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """One random ``box_size`` hole per image, repeatable: ``(masked images, mask)``.

    The hole holds ``fill``; ``mask`` is N×1×H×W, 1 inside the hole. The same seed gives
    the same holes, so every fill is scored on identical damage.
    """
    masked, mask = random_box_mask(images, box_size,
                                   generator=torch.Generator().manual_seed(seed))
    return masked + fill * mask, mask


def box_mask_at(images: torch.Tensor, top: int, left: int, box_size: int = 10, *,
                fill: float = HOLE_FILL) -> tuple[torch.Tensor, torch.Tensor]:
    """The same hole in every image, its top-left corner at (``top``, ``left``).

    Returns ``(masked images, mask)`` like :func:`fixed_box_mask`; raises ``ValueError``
    when the hole would not fit inside the image.
    """
    _, _, h, w = images.shape
    if not (1 <= box_size <= min(h, w) and 0 <= top <= h - box_size
            and 0 <= left <= w - box_size):
        raise ValueError(f"a {box_size}×{box_size} hole at row {top}, column {left} does not "
                         f"fit in a {h}×{w} image (top and left go from 0 to "
                         f"{h - box_size} and {w - box_size})")
    mask = torch.zeros(1, 1, h, w, dtype=images.dtype, device=images.device)
    mask[..., top:top + box_size, left:left + box_size] = 1.0
    mask = mask.expand(len(images), 1, h, w).clone()
    return images * (1 - mask) + fill * mask, mask


def hole_box(mask: torch.Tensor) -> tuple[int, int, int, int]:
    """``(top, left, height, width)`` of the rectangle a single image's mask (1×H×W) covers."""
    rows = torch.nonzero(mask.reshape(mask.shape[-2:]).sum(dim=1)).flatten()
    cols = torch.nonzero(mask.reshape(mask.shape[-2:]).sum(dim=0)).flatten()
    if len(rows) == 0:
        raise ValueError("the mask hides no pixel")
    top, left = int(rows[0]), int(cols[0])
    return top, left, int(rows[-1]) - top + 1, int(cols[-1]) - left + 1


def masked_mse_per_image(x_hat: torch.Tensor, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean squared error of each image over the masked pixels only (mask 1 = counted)."""
    if x_hat.shape != x.shape:
        raise ValueError(f"shapes differ: {tuple(x_hat.shape)} vs {tuple(x.shape)}")
    weight = mask.expand_as(x).to(x.dtype)
    counted = weight.flatten(1).sum(dim=1)
    if bool((counted == 0).any()):
        raise ValueError("every image needs at least one masked pixel")
    return (((x_hat - x) ** 2) * weight).flatten(1).sum(dim=1) / counted


def tune_filter(denoise: Callable[..., torch.Tensor], settings: Sequence[Any],
                noisy: torch.Tensor, clean: torch.Tensor) -> Any:
    """The setting of ``denoise(noisy, setting)`` with the best PSNR against ``clean``.

    Used to give a classical filter its best shot: tune it on *training* images at each
    noise level, then report it on test images, as the autoencoder is.
    """
    from .metrics import psnr

    if not settings:
        raise ValueError("need at least one setting to try")
    scores = [psnr(denoise(noisy, setting), clean) for setting in settings]
    return settings[int(np.argmax(scores))]


def tune_baselines(images: torch.Tensor, levels: Mapping[str, Sequence[float]], pca: PCABaseline,
                   *, blur_widths: Sequence[float] = (0.5, 0.75, 1.0, 1.5, 2.0),
                   median_sizes: Sequence[int] = (3, 5),
                   pca_sizes: Sequence[int] = (16, 32, 64, 128, 256),
                   ) -> dict[tuple[str, float], dict[str, Any]]:
    """The best setting of each classical denoiser at every noise level, on ``images``.

    For each ``(kind, level)``: the blur's σ, the median's window and PCA's number of
    components with the best PSNR on ``images`` under noise of that kind and level (seed
    123, never the test noise's seed 0). Pass *training* images, so the filters are tuned
    as the autoencoders are trained: without seeing a test image.
    """
    from .filters import gaussian_blur, median_filter

    best = {}
    for kind, kind_levels in levels.items():
        for level in kind_levels:
            noisy = fixed_noise(kind, images, level, seed=123)
            best[kind, level] = {
                "blur": tune_filter(gaussian_blur, list(blur_widths), noisy, images),
                "median": tune_filter(median_filter, list(median_sizes), noisy, images),
                "PCA": tune_filter(functools.partial(pca_projection, pca), list(pca_sizes),
                                   noisy, images),
            }
    return best


def pca_projection(pca: PCABaseline, images: torch.Tensor, k: int) -> torch.Tensor:
    """Project ``images`` onto the first ``k`` principal components of ``pca`` and back.

    PCA's components are nested: the best k-dimensional subspace is spanned by the first
    ``k`` components of any larger fit, so one fit serves every ``k``. A projection onto few
    components keeps what digits have in common and drops most of the noise (and detail).
    Pixels are clipped to [0, 1], as in :meth:`PCABaseline.reconstruct`.
    """
    components = torch.as_tensor(pca.pca.components_, dtype=torch.float32)  # K×784
    if not 1 <= k <= len(components):
        raise ValueError(f"k must be between 1 and the {len(components)} fitted components, "
                         f"got {k}")
    mean = torch.as_tensor(pca.pca.mean_, dtype=torch.float32)  # 784
    basis = components[:k]  # k×784
    codes = (images.flatten(1) - mean) @ basis.T  # N×k
    return (codes @ basis + mean).clamp_(0, 1).view_as(images)


# --------------------------------------------------------------------------- the lessons' models

DENOISING = Recipe(lr=5e-3, steps=500, fast_steps=100)
"""Lesson 08's recipe for every model: Adam at 5e-3, cosine-annealed, batches of 32."""


def denoising_corruptions(*, hole_fill: float = HOLE_FILL) -> dict[str, Corruption | None]:
    """Lesson 08's four training sets: what each model sees at its input (targets stay clean)."""
    return {
        "plain autoencoder": None,
        "Gaussian denoiser": functools.partial(gaussian_noise_mix, low=0.1, high=0.5),
        "salt-and-pepper denoiser": functools.partial(salt_and_pepper_mix, low=0.05, high=0.3),
        "inpainting model": functools.partial(mask_boxes, box_size=10, fill=hole_fill),
    }


def train_denoisers(train_set: ImageSet, corruptions: Mapping[str, Corruption | None] | None = None,
                    ) -> tuple[dict[str, DeepConvAutoencoder], dict[str, History]]:
    """One ``DeepConvAutoencoder(64)`` per corruption: same start, data, recipe and steps.

    Only ``corrupt=`` differs between the models. Each is trained once and then loaded
    from the checkpoint cache (:func:`~course_utils.training.cached_train`).
    """
    corruptions = denoising_corruptions() if corruptions is None else corruptions
    models, histories = {}, {}
    for label, corrupt in corruptions.items():
        seed_everything(0)  # the same initial weights for every model
        models[label] = DeepConvAutoencoder(latent_channels=64)
        histories[label] = cached_train(models[label], f"08_{label.replace(' ', '_')}",
                                        train_set, corrupt=corrupt,
                                        **DENOISING.settings(len(train_set)))
    return models, histories


ONE_CLASS = Recipe(lr=5e-3, steps=400, fast_steps=40)
"""Lesson 09's recipe for the one-class autoencoders: Adam at 5e-3, cosine-annealed."""


def train_one_class(normal_sets: Mapping[int, ImageSet], code_size: int = 36,
                    ) -> tuple[dict[int, FlatConvAutoencoder], dict[int, History]]:
    """One ``FlatConvAutoencoder(code_size)`` per digit, trained on images of that digit only."""
    models, histories = {}, {}
    for digit, normal_set in normal_sets.items():
        seed_everything(0)
        models[digit] = FlatConvAutoencoder(code_size)
        histories[digit] = ONE_CLASS.train(models[digit], f"09_one_class_{digit}", normal_set,
                                           None)
    return models, histories


# --------------------------------------------------------------------------- anomalies

Detector = Union[nn.Module, PCABaseline, Callable[[torch.Tensor], torch.Tensor]]
"""Anything that gives each image an anomaly score: a model or a PCA (scored by its
reconstruction error), or a function ``images -> one score per image``."""


def reconstruction_errors(model: nn.Module | PCABaseline, images: torch.Tensor,
                          batch_size: int = 1000) -> torch.Tensor:
    """Per-image reconstruction MSE: the anomaly score (higher = more unusual).

    Works for an autoencoder (run in eval mode) and for a fitted PCA baseline.
    """
    if isinstance(model, PCABaseline):
        return mse_per_image(model.reconstruct(images), images)
    from .training import reconstruct

    return mse_per_image(reconstruct(model, images, batch_size=batch_size), images)


def nearest_neighbour_distance(train_images: torch.Tensor, images: torch.Tensor,
                               batch_size: int = 500) -> torch.Tensor:
    """For each image, the mean squared pixel difference to its nearest training image.

    The raw-pixel anomaly score: an image far from every normal training image is unusual.
    It learns nothing, and costs one distance per (image, training image) pair. The unit is
    that of a reconstruction MSE, so the numbers can be set side by side.
    """
    reference = train_images.flatten(1)  # M×D
    scores = []
    for start in range(0, len(images), batch_size):
        chunk = images[start:start + batch_size].flatten(1)  # B×D
        squared = torch.cdist(chunk, reference).pow_(2)  # B×M
        scores.append(squared.min(dim=1).values / chunk.shape[1])
    return torch.cat(scores)


@dataclass
class OneClassResult:
    """Scores of one one-class experiment: ``normal`` is the digit the detectors were fitted on.

    ``scores`` maps each detector's name to one anomaly score per test image;
    ``is_anomaly`` is 1 for every test image of another digit.
    """

    normal: int
    scores: dict[str, torch.Tensor]
    is_anomaly: torch.Tensor

    @property
    def auroc(self) -> dict[str, float]:
        """Each detector's AUROC: the chance that an anomaly outscores a normal image."""
        return {name: auroc(score, self.is_anomaly) for name, score in self.scores.items()}

    def mean_score(self, name: str, *, anomalies: bool) -> float:
        """Mean score of detector ``name`` over the anomalies (or over the normal images)."""
        chosen = self.is_anomaly.bool() if anomalies else ~self.is_anomaly.bool()
        return float(self.scores[name][chosen].mean())


def one_class_scores(normal: int, detectors: Mapping[str, Detector],
                     test_images: torch.Tensor, test_labels: torch.Tensor) -> OneClassResult:
    """Score every test image with every detector, with digit ``normal`` as the normal class.

    Every detector was fitted on training images of the digit ``normal`` only; every other
    digit in the test set is an anomaly. Models and PCA baselines score by reconstruction
    error (:func:`reconstruction_errors`); a plain function is called on the images.
    """
    is_anomaly = (test_labels != normal).to(torch.int64)
    scores = {}
    for name, detector in detectors.items():
        if isinstance(detector, (nn.Module, PCABaseline)):
            scores[name] = reconstruction_errors(detector, test_images)
        else:
            scores[name] = detector(test_images)
    return OneClassResult(normal, scores, is_anomaly)


# --------------------------------------------------------------------------- clustering


def kmeans_clusters(features: torch.Tensor | np.ndarray, k: int = 10, *, seed: int = 0,
                    n_init: int = 10) -> np.ndarray:
    """k-means cluster ids of the rows of ``features`` (flattened), best of ``n_init`` starts."""
    from sklearn.cluster import KMeans

    x = np.asarray(features.flatten(1) if isinstance(features, torch.Tensor) else features,
                   dtype=np.float64)
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(x)
