"""Classical image filters: the baselines a denoising or inpainting autoencoder must beat.

All functions take a batch N×C×H×W (values in [0, 1]) and return a batch of the same
shape. The blur and the median are SciPy's (``scipy.ndimage``), applied to each image's
height and width only; borders are handled by mirroring the image (``mode="mirror"``), so
no pixel is darker just because it sits at the edge.

- :func:`gaussian_blur` averages each pixel with its neighbours, weighted by a Gaussian:
  good against Gaussian noise, but it also blurs the strokes.
- :func:`median_filter` replaces each pixel by the median of its k×k neighbourhood: it
  ignores a few extreme values, so it is the classic cure for salt-and-pepper noise.
- :func:`fill_with_mean_image` and :func:`fill_by_diffusion` fill a masked region, the two
  baselines for inpainting.
"""

from __future__ import annotations

import numpy as np
import torch


def _check_batch(images: torch.Tensor) -> None:
    if images.ndim != 4:
        raise ValueError(f"expected a batch N×C×H×W, got shape {tuple(images.shape)}")


def _per_image(images: torch.Tensor, scipy_filter, **options) -> torch.Tensor:
    """Apply a ``scipy.ndimage`` filter over height and width only (never across images or channels)."""
    array = images.detach().cpu().numpy()
    out = scipy_filter(array, mode="mirror", **options)
    return torch.from_numpy(np.ascontiguousarray(out)).to(images)


def gaussian_blur(images: torch.Tensor, sigma: float, truncate: float = 4.0) -> torch.Tensor:
    """Blur each channel with a Gaussian of ``sigma`` pixels (``scipy.ndimage.gaussian_filter``).

    The kernel reaches ``int(truncate·sigma + 0.5)`` pixels to each side.
    """
    from scipy import ndimage

    _check_batch(images)
    if sigma <= 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    radius = int(truncate * sigma + 0.5)
    if radius >= min(images.shape[2:]):
        raise ValueError(f"sigma={sigma} is too wide for {tuple(images.shape[2:])} images")
    return _per_image(images, ndimage.gaussian_filter, sigma=(0, 0, sigma, sigma),
                      truncate=truncate)  # N×C×H×W, same as the input


def median_filter(images: torch.Tensor, size: int = 3) -> torch.Tensor:
    """Replace every pixel by the median of the ``size``×``size`` square around it
    (``scipy.ndimage.median_filter``)."""
    from scipy import ndimage

    _check_batch(images)
    if size < 1 or size % 2 == 0:
        raise ValueError(f"size must be a positive odd number, got {size}")
    return _per_image(images, ndimage.median_filter, size=(1, 1, size, size))


def fill_with_mean_image(images: torch.Tensor, mask: torch.Tensor,
                         mean_image: torch.Tensor) -> torch.Tensor:
    """Inside ``mask`` (1 = missing), use the average training image; elsewhere keep the pixels."""
    _check_batch(images)
    mean_image = mean_image.reshape(1, *images.shape[1:]).to(images)
    return torch.where(mask.bool(), mean_image.expand_as(images), images)


def fill_by_diffusion(images: torch.Tensor, mask: torch.Tensor, *, sigma: float = 1.0,
                      steps: int = 50) -> torch.Tensor:
    """Fill the masked pixels (1 = missing) by blurring the known ones into the hole, repeatedly.

    Each step blurs the current image and copies the blurred values into the hole only;
    the known pixels never change. After enough steps the hole holds a smooth surface
    that meets its border: the simplest "blur-based" inpainting (a heat equation).
    """
    _check_batch(images)
    hole = mask.bool().expand_as(images)
    filled = images.masked_fill(hole, 0.0)
    for _ in range(steps):
        filled = torch.where(hole, gaussian_blur(filled, sigma), images)
    return filled
