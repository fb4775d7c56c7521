"""Helpers for the applications of lessons 08 and 09: denoising, inpainting, anomalies, features.

Corruptions here have the signature ``corrupt(images, generator)`` that
:func:`course_utils.training.train` expects; bind their settings with
``functools.partial`` so the checkpoint cache sees them (a ``lambda`` would hide them).

The baselines an autoencoder is measured against live here too: PCA projection onto the
first ``k`` components (a denoiser), and the distance to the nearest training image in raw
pixels (an anomaly score that learns nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import numpy as np
import torch
from torch import nn

from .data import gaussian_noise, random_box_mask, salt_and_pepper
from .metrics import PCABaseline, auroc, mse_per_image

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


def mask_boxes(images: torch.Tensor, generator: torch.Generator | None = None, *,
               box_size: int = 10) -> torch.Tensor:
    """The inpainting corruption: one random ``box_size`` square per image set to 0."""
    masked, _ = random_box_mask(images, box_size, generator=generator)
    return masked


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
