"""Image metrics, the PCA baseline, and the scores of the applications."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from course_utils.metrics import (
    auroc,
    clustering_accuracy,
    linear_probe_accuracy,
    mse,
    mse_per_image,
    pca_baseline,
    psnr,
    ssim,
    ssim_per_image,
)


def test_mse_and_psnr_known_values() -> None:
    x = torch.zeros(2, 1, 4, 4)
    y = torch.full((2, 1, 4, 4), 0.1)
    assert mse(y, x) == pytest.approx(0.01)
    assert psnr(y, x) == pytest.approx(20.0)  # 10·log10(1 / 0.01)
    assert mse_per_image(y, x).shape == (2,)
    with pytest.raises(ValueError, match="shapes differ"):
        mse(y, x[:1])


def test_ssim_is_one_for_identical_images_and_lower_for_noise() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.rand(3, 1, 28, 28, generator=g)
    assert ssim(x, x) == pytest.approx(1.0, abs=1e-5)
    noisy = (x + 0.2 * torch.randn(x.shape, generator=g)).clamp(0, 1)
    assert ssim(noisy, x) < 0.9


def test_pca_baseline() -> None:
    g = torch.Generator().manual_seed(0)
    basis = torch.rand(3, 64, generator=g)
    images = (torch.rand(200, 3, generator=g) @ basis / 3).view(200, 1, 8, 8)
    pca = pca_baseline(images, 3)
    assert pca.mse(images) < 1e-8  # data of rank 3 is reproduced by 3 components
    assert pca.explained_variance == pytest.approx(1.0, abs=1e-6)
    assert pca.encode(images).shape == (200, 3)
    assert pca_baseline(images, 1).mse(images) > 1e-5
    with pytest.raises(ValueError, match="components"):
        pca_baseline(images, 65)


def test_auroc() -> None:
    assert auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0.0
    with pytest.raises(ValueError, match="both"):
        auroc([0.1, 0.2], [0, 0])


def test_clustering_accuracy_ignores_cluster_names() -> None:
    labels = np.array([0, 0, 1, 1, 2, 2])
    assert clustering_accuracy(np.array([2, 2, 0, 0, 1, 1]), labels) == 1.0
    assert math.isclose(clustering_accuracy(np.array([0, 0, 0, 1, 1, 1]), labels), 4 / 6)


def test_linear_probe_separates_separable_features() -> None:
    g = torch.Generator().manual_seed(0)
    labels = torch.arange(200) % 2
    features = torch.randn(200, 5, generator=g) + 4 * labels[:, None].float()
    assert linear_probe_accuracy(features[:100], labels[:100], features[100:], labels[100:]) > 0.95
