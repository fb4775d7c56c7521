"""course_utils.filters: SciPy's filters applied image by image and channel by channel, and the
inpainting fills."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import ndimage

from course_utils.filters import (
    fill_by_diffusion,
    fill_with_mean_image,
    gaussian_blur,
    median_filter,
)


def _images(seed: int = 0, shape: tuple[int, ...] = (3, 2, 28, 28)) -> torch.Tensor:
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0])
def test_gaussian_blur_matches_scipy(sigma: float) -> None:
    images = _images()
    ours = gaussian_blur(images, sigma).numpy()
    reference = np.stack([np.stack([ndimage.gaussian_filter(ch.astype(np.float64), sigma,
                                                            mode="mirror") for ch in img])
                          for img in images.numpy()])
    np.testing.assert_allclose(ours, reference, atol=1e-5)


def test_gaussian_blur_keeps_constant_images_and_shape() -> None:
    flat = torch.full((2, 1, 28, 28), 0.3)
    out = gaussian_blur(flat, 1.5)
    assert out.shape == flat.shape
    assert torch.allclose(out, flat, atol=1e-6)


def test_gaussian_blur_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        gaussian_blur(torch.zeros(1, 28, 28), 1.0)
    with pytest.raises(ValueError):
        gaussian_blur(_images(), 0.0)
    with pytest.raises(ValueError):
        gaussian_blur(torch.zeros(1, 1, 5, 5), 3.0)


@pytest.mark.parametrize("size", [3, 5])
def test_median_filter_matches_scipy(size: int) -> None:
    images = _images(1)
    ours = median_filter(images, size).numpy()
    reference = np.stack([np.stack([ndimage.median_filter(ch, size=size, mode="mirror")
                                    for ch in img]) for img in images.numpy()])
    np.testing.assert_allclose(ours, reference, atol=1e-7)


def test_median_filter_removes_isolated_salt() -> None:
    images = torch.zeros(1, 1, 9, 9)
    images[0, 0, 4, 4] = 1.0  # one white pixel on black
    assert float(median_filter(images, 3).abs().max()) == 0.0
    with pytest.raises(ValueError):
        median_filter(images, 4)


def test_fills_only_change_the_hole() -> None:
    images = _images(2, (4, 1, 28, 28))
    mask = torch.zeros(4, 1, 28, 28)
    mask[:, :, 5:15, 8:18] = 1
    mean = torch.full((1, 28, 28), 0.25)
    for filled in (fill_with_mean_image(images, mask, mean),
                   fill_by_diffusion(images, mask, steps=20)):
        assert filled.shape == images.shape
        assert torch.equal(filled[mask == 0], images[mask == 0])
    assert torch.all(fill_with_mean_image(images, mask, mean)[mask == 1] == 0.25)


def test_diffusion_fill_recovers_a_smooth_image() -> None:
    ramp = torch.linspace(0, 1, 28).view(1, 1, 1, 28).expand(2, 1, 28, 28).contiguous()
    mask = torch.zeros(2, 1, 28, 28)
    mask[:, :, 10:16, 10:16] = 1
    filled = fill_by_diffusion(ramp, mask, sigma=1.0, steps=300)
    hole_error = float((filled - ramp)[mask == 1].abs().max())
    zero_error = float(ramp[mask == 1].abs().max())
    assert hole_error < 0.02 < zero_error
