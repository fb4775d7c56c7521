"""Classical image filters: the baselines a denoising or inpainting autoencoder must beat.

All functions take a batch N×C×H×W (values in [0, 1]) and return a batch of the same
shape. Borders are handled by mirroring the image (PyTorch's ``"reflect"`` padding, which
is SciPy's ``mode="mirror"``), so no pixel is darker just because it sits at the edge.

- :func:`gaussian_blur` averages each pixel with its neighbours, weighted by a Gaussian:
  good against Gaussian noise, but it also blurs the strokes.
- :func:`median_filter` replaces each pixel by the median of its k×k neighbourhood: it
  ignores a few extreme values, so it is the classic cure for salt-and-pepper noise.
- :func:`fill_with_mean_image` and :func:`fill_by_diffusion` fill a masked region, the two
  baselines for inpainting.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _check_batch(images: torch.Tensor) -> None:
    if images.ndim != 4:
        raise ValueError(f"expected a batch N×C×H×W, got shape {tuple(images.shape)}")


def gaussian_kernel_1d(sigma: float, truncate: float = 4.0) -> torch.Tensor:
    """A normalised 1-D Gaussian of standard deviation ``sigma`` pixels.

    Its radius is ``int(truncate·sigma + 0.5)`` pixels, as in ``scipy.ndimage``, so the
    kernel has ``2·radius + 1`` taps that sum to 1.
    """
    if sigma <= 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    radius = int(truncate * sigma + 0.5)
    x = torch.arange(-radius, radius + 1, dtype=torch.float64)
    kernel = torch.exp(-0.5 * (x / sigma) ** 2)
    return (kernel / kernel.sum()).float()


def gaussian_blur(images: torch.Tensor, sigma: float, truncate: float = 4.0) -> torch.Tensor:
    """Blur each channel with a Gaussian of ``sigma`` pixels (separable: rows, then columns)."""
    _check_batch(images)
    kernel = gaussian_kernel_1d(sigma, truncate).to(images)
    radius = (len(kernel) - 1) // 2
    c = images.shape[1]
    if radius == 0:
        return images.clone()
    if radius >= min(images.shape[2:]):
        raise ValueError(f"sigma={sigma} is too wide for {tuple(images.shape[2:])} images")
    rows = kernel.view(1, 1, 1, -1).expand(c, 1, 1, len(kernel))
    cols = kernel.view(1, 1, -1, 1).expand(c, 1, len(kernel), 1)
    out = F.conv2d(F.pad(images, (radius, radius, 0, 0), mode="reflect"), rows, groups=c)
    out = F.conv2d(F.pad(out, (0, 0, radius, radius), mode="reflect"), cols, groups=c)
    return out  # N×C×H×W, same as the input


def median_filter(images: torch.Tensor, size: int = 3) -> torch.Tensor:
    """Replace every pixel by the median of the ``size``×``size`` square around it."""
    _check_batch(images)
    if size < 1 or size % 2 == 0:
        raise ValueError(f"size must be a positive odd number, got {size}")
    if size == 1:
        return images.clone()
    r = size // 2
    n, c, h, w = images.shape
    padded = F.pad(images, (r, r, r, r), mode="reflect")  # N×C×(H+2r)×(W+2r)
    patches = padded.unfold(2, size, 1).unfold(3, size, 1)  # N×C×H×W×size×size
    return patches.reshape(n, c, h, w, size * size).median(dim=-1).values


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
