"""Checkerboard artifacts: where they come from, and one number that measures them.

A transposed convolution with kernel k and stride s paints a k×k copy of its kernel for
every input pixel, s pixels apart. When k is not a multiple of s the copies overlap
unevenly: some output pixels receive more contributions than their neighbours, in a
pattern that repeats every s pixels (Odena, Dumoulin and Olah, "Deconvolution and
Checkerboard Artifacts", Distill 2016). :func:`overlap_counts` counts them.

:func:`checkerboard_share` measures the result in an image: the share of its energy
(sum of squares, after removing the mean) that sits at the three "period 2" patterns a
stride-2 layer produces. Upsample + Conv2d stacks for the comparison come from
:func:`upsampling_stack`; :class:`FlatUpsampleConvAutoencoder` is the compact-code
autoencoder with an Upsample + Conv2d decoder, to compare with its transposed twin.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .models.base import Autoencoder
from .models.flat import check_flat_sizes, conv_encoder_trunk

STACK_KINDS = ("ConvTranspose2d k=3 s=2", "ConvTranspose2d k=4 s=2",
               "nearest Upsample + Conv2d", "bilinear Upsample + Conv2d",
               "bilinear (align_corners=True) Upsample + Conv2d")


def overlap_counts_1d(kernel_size: int, stride: int, size: int) -> np.ndarray:
    """How many input pixels reach each output pixel of a 1-D transposed convolution.

    No padding: the output has (size − 1)·stride + kernel_size pixels, and output pixel
    y receives input pixel j when 0 ≤ y − j·stride < kernel_size.
    """
    if min(kernel_size, stride, size) < 1:
        raise ValueError("kernel_size, stride and size must all be at least 1")
    length = (size - 1) * stride + kernel_size
    counts = np.zeros(length, dtype=np.int64)
    for j in range(size):
        counts[j * stride: j * stride + kernel_size] += 1
    return counts


def overlap_counts(kernel_size: int, stride: int, size: int) -> np.ndarray:
    """The 2-D overlap counts: the 1-D counts of rows times the 1-D counts of columns.

    Equal to ``conv_transpose2d(ones(size, size), ones(k, k), stride)``. With k=3, s=2 the
    interior alternates 1, 2, 1, 2 in each direction, so 1, 2 and 4 in 2-D: a checkerboard.
    With k=4, s=2 every interior pixel gets 2 × 2 = 4.
    """
    counts = overlap_counts_1d(kernel_size, stride, size)
    return np.outer(counts, counts)


def checkerboard_share_per_image(images: torch.Tensor) -> torch.Tensor:
    """Share of each image's non-constant energy at the checkerboard (Nyquist) frequencies.

    For an H×W channel x (H and W even) with 2-D discrete Fourier transform X[u, v]:

        share = (|X[H/2, 0]|² + |X[0, W/2]|² + |X[H/2, W/2]|²) / Σ_{(u,v) ≠ (0,0)} |X[u, v]|²

    The three frequencies are the patterns that flip sign every row, every column, and
    both (a checkerboard): everything a period-2 artifact can add. The sum leaves out
    X[0, 0], the mean, so a constant image scores 0 (defined as 0 when nothing is left).
    1 means the image is a pure period-2 pattern on a constant; white noise scores
    3 / (H·W − 1) on average. Channels are averaged. Input N×C×H×W, output N.
    """
    if images.ndim != 4:
        raise ValueError(f"expected N×C×H×W images, got shape {tuple(images.shape)}")
    h, w = images.shape[-2:]
    if h % 2 or w % 2:
        raise ValueError(f"the Nyquist frequency needs an even height and width, got {h}×{w}")
    spectrum = torch.fft.fft2(images.double()).abs() ** 2  # N×C×H×W
    total = spectrum.sum(dim=(-2, -1)) - spectrum[..., 0, 0]
    nyquist = spectrum[..., h // 2, 0] + spectrum[..., 0, w // 2] + spectrum[..., h // 2, w // 2]
    share = torch.where(total > 1e-12 * (spectrum[..., 0, 0] + 1), nyquist / total,
                        torch.zeros_like(total))
    return share.mean(dim=1).float()


def checkerboard_share(images: torch.Tensor) -> float:
    """Mean of :func:`checkerboard_share_per_image` over the images."""
    return float(checkerboard_share_per_image(images).mean())


def white_noise_share(height: int, width: int) -> float:
    """The share white noise has on average: 3 of the H·W − 1 non-constant frequencies."""
    return 3 / (height * width - 1)


def _up_layer(kind: str, in_channels: int, out_channels: int) -> list[nn.Module]:
    """One ×2 upsampling layer of the given kind (H → 2H, checked in the tests)."""
    if kind == "ConvTranspose2d k=3 s=2":
        # (H − 1)·2 − 2·1 + 3 + 1 = 2H
        return [nn.ConvTranspose2d(in_channels, out_channels, 3, stride=2, padding=1,
                                   output_padding=1)]
    if kind == "ConvTranspose2d k=4 s=2":
        # (H − 1)·2 − 2·1 + 4 = 2H
        return [nn.ConvTranspose2d(in_channels, out_channels, 4, stride=2, padding=1)]
    if kind == "nearest Upsample + Conv2d":
        return [nn.Upsample(scale_factor=2, mode="nearest"),
                nn.Conv2d(in_channels, out_channels, 3, padding=1)]  # 2H + 2 − 3 + 1 = 2H
    if kind == "bilinear Upsample + Conv2d":
        return [nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
                nn.Conv2d(in_channels, out_channels, 3, padding=1)]
    if kind == "bilinear (align_corners=True) Upsample + Conv2d":  # as many tutorials write it
        return [nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True),
                nn.Conv2d(in_channels, out_channels, 3, padding=1)]
    raise ValueError(f"kind must be one of {STACK_KINDS}, got {kind!r}")


def upsampling_stack(kind: str, channels: int = 16, layers: int = 2) -> nn.Sequential:
    """``layers`` ×2 upsampling layers of one kind, ReLU between them, one channel in and out.

    1×H×W → channels×2H×2W → … → 1×(2^layers·H)×(2^layers·W). Freshly initialised (seed
    first), it shows what a decoder paints before it has learned anything; trained with
    :func:`super_resolution_objective`, what it paints after.
    """
    if layers < 1:
        raise ValueError(f"layers must be at least 1, got {layers}")
    modules: list[nn.Module] = []
    for n in range(layers):
        first, last = n == 0, n == layers - 1
        modules += _up_layer(kind, 1 if first else channels, 1 if last else channels)
        if not last:
            modules.append(nn.ReLU())
    return nn.Sequential(*modules)


def super_resolution_objective(factor: int = 4):
    """A training objective for :func:`course_utils.training.train`: rebuild images from
    their ``factor``× average-pooled copies (28×28 → 7×7 → model → 28×28), MSE per pixel."""
    from .training import reconstruction_loss

    def objective(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        low = F.avg_pool2d(inputs, factor)  # N×1×28×28 → N×1×7×7
        return reconstruction_loss(model(low), targets, "mse")

    objective.__qualname__ = f"super_resolution_objective({factor})"
    return objective


UPSAMPLE_MODES = ("nearest", "bilinear")


class FlatUpsampleConvAutoencoder(Autoencoder):
    """The compact-code autoencoder with Upsample + Conv2d in place of each ConvTranspose2d.

    Encoder (the same as :class:`~course_utils.models.FlatConvAutoencoder`'s):
        1×28×28 → 16×14×14 → 32×7×7 → 1568 → Linear → ``latent_dim``
    Decoder:
        ``latent_dim`` → Linear → 1568 → 32×7×7
        → Upsample ×2 → 32×14×14 → Conv2d(3×3, p=1) → 16×14×14 → ReLU
        → Upsample ×2 → 16×28×28 → Conv2d(3×3, p=1) → 1×28×28 → Sigmoid

    Each Conv2d has exactly the parameters of the ConvTranspose2d it replaces
    (C_in·C_out·3·3 weights + C_out biases), but it runs *after* the upsampling, on four
    times as many positions. ``mode`` is ``"nearest"`` or ``"bilinear"``
    (``align_corners=False``, PyTorch's default).
    """

    prefers_channels_last = True

    def __init__(self, latent_dim: int = 32, mode: str = "nearest",
                 channels: tuple[int, int] = (16, 32)) -> None:
        super().__init__()
        check_flat_sizes(latent_dim, channels)
        if mode not in UPSAMPLE_MODES:
            raise ValueError(f"mode must be one of {UPSAMPLE_MODES}, got {mode!r}")
        c1, c2 = channels
        self.latent_dim = latent_dim
        self.mode = mode
        self.encoder = nn.Sequential(conv_encoder_trunk(channels),  # 1×28×28 → C2·49
                                     nn.Linear(c2 * 7 * 7, latent_dim))  # → N×latent_dim
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, c2 * 7 * 7),  # → N×C2·49
            nn.Unflatten(1, (c2, 7, 7)),  # → C2×7×7
            *_up_layer(f"{mode} Upsample + Conv2d", c2, c1),  # C2×7×7 → C2×14×14 → C1×14×14
            nn.ReLU(),
            *_up_layer(f"{mode} Upsample + Conv2d", c1, 1),  # C1×14×14 → C1×28×28 → 1×28×28
            nn.Sigmoid(),  # pixel values in (0, 1)
        )
