"""The metrics lessons 08 and 09 rely on, checked against scikit-image and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from sklearn.metrics import roc_auc_score

from course_utils.applications import fixed_gaussian_noise
from course_utils.filters import gaussian_blur
from course_utils.metrics import auroc, psnr_per_image, ssim_per_image


def _pairs() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    clean = gaussian_blur(torch.rand(4, 1, 28, 28, generator=g), 1.0)
    return fixed_gaussian_noise(clean, 0.2), clean


def test_psnr_matches_scikit_image() -> None:
    noisy, clean = _pairs()
    ours = psnr_per_image(noisy, clean)
    for i in range(len(clean)):
        reference = peak_signal_noise_ratio(clean[i, 0].double().numpy(),
                                            noisy[i, 0].double().numpy(), data_range=1.0)
        assert float(ours[i]) == pytest.approx(reference, abs=1e-3)


def test_ssim_is_scikit_images_gaussian_ssim_image_by_image() -> None:
    noisy, clean = _pairs()
    ours = ssim_per_image(noisy, clean)
    for i in range(len(clean)):
        reference = structural_similarity(clean[i, 0].double().numpy(),
                                          noisy[i, 0].double().numpy(), data_range=1.0,
                                          gaussian_weights=True, sigma=1.5,
                                          use_sample_covariance=False)
        assert float(ours[i]) == pytest.approx(reference, abs=1e-5)


def test_ssim_averages_channels_and_ranks_blur_above_noise() -> None:
    noisy, clean = _pairs()
    assert float(ssim_per_image(clean, clean).min()) == pytest.approx(1.0, abs=1e-6)
    colour = torch.cat([clean, clean.flip(-1), clean.flip(-2)], dim=1)  # N×3×28×28
    noisy_colour = torch.cat([noisy, clean.flip(-1), clean.flip(-2)], dim=1)
    expected = (ssim_per_image(noisy, clean) + 2) / 3  # two channels are perfect copies
    assert torch.allclose(ssim_per_image(noisy_colour, colour), expected, atol=1e-5)
    blurred = gaussian_blur(noisy, 1.0)
    assert bool((ssim_per_image(blurred, clean) > ssim_per_image(noisy, clean)).all())


def test_auroc_matches_scikit_learn_and_its_meaning() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    scores = rng.normal(size=200) + labels
    assert auroc(scores, labels) == pytest.approx(roc_auc_score(labels, scores))
    assert auroc(labels.astype(float), labels) == 1.0
    with pytest.raises(ValueError):
        auroc(scores, np.zeros(200))
