"""Convolutional autoencoders of lessons 01 and 02: a simple one and a deep one."""

from __future__ import annotations

import torch
from torch import nn

from .base import Autoencoder
from .validation import check_same_size, whole_number


class SimpleConvAutoencoder(Autoencoder):
    """One convolution and one pooling down, one transposed convolution up (225 parameters).

    Encoder: 1×28×28 → Conv2d(k=3, p=1) → 16×28×28 → MaxPool2d(2) → 16×14×14
    Decoder: 16×14×14 → ConvTranspose2d(k=2, s=2) → 1×28×28 → Sigmoid

    The code is 16×14×14 = 3,136 numbers, four times the 784 input pixels: this model
    changes the representation, it does not compress it.
    """

    prefers_channels_last = True

    def __init__(self, channels: int = 16) -> None:
        super().__init__()
        channels = whole_number("channels", channels)
        self.encoder = nn.Sequential(
            nn.Conv2d(1, channels, kernel_size=3, stride=1, padding=1),  # 1×28×28 → 16×28×28
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),  # 16×28×28 → 16×14×14
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(channels, 1, kernel_size=2, stride=2),  # 16×14×14 → 1×28×28
            nn.Sigmoid(),  # pixel values in (0, 1)
        )


def _conv_stage(in_channels: int, out_channels: int) -> list[nn.Module]:
    """Conv(3×3, same size) → ReLU → BatchNorm → MaxPool(2): halves H and W (rounding down)."""
    return [
        nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=1, padding=1),
        nn.ReLU(inplace=True),
        nn.BatchNorm2d(out_channels),  # normalised *after* the ReLU (lesson 02's exercise 1 tries before)
        nn.MaxPool2d(kernel_size=2, stride=2),
    ]


def _up_stage(in_channels: int, out_channels: int, output_padding: int) -> list[nn.Module]:
    """ConvTranspose(3×3, stride 2) → ReLU → BatchNorm: H_out = (H_in − 1)·2 − 2p + 3 + op."""
    padding = 1 if output_padding else 0
    return [
        nn.ConvTranspose2d(in_channels, out_channels, kernel_size=3, stride=2,
                           padding=padding, output_padding=output_padding),
        nn.ReLU(inplace=True),
        nn.BatchNorm2d(out_channels),
    ]


class DeepConvAutoencoder(Autoencoder):
    """Three conv stages down, three transposed-conv stages up (83,905 parameters at 64).

    Encoder: 1×28×28 → 16×14×14 → 32×7×7 → C×3×3      (C = ``latent_channels``)
    Decoder: C×3×3 → 64×7×7 → 32×14×14 → 16×28×28 → 1×28×28

    7 is odd, so pooling 7×7 gives 3×3 (floor(7/2)). Going back up, (3−1)·2 − 0 + 3 = 7
    needs no output_padding, while (7−1)·2 − 2 + 3 = 13 is one short of 14, so the next two
    transposed convolutions use ``output_padding=1``.
    """

    prefers_channels_last = True

    def __init__(self, latent_channels: int = 64) -> None:
        super().__init__()
        latent_channels = whole_number("latent_channels", latent_channels)
        self.latent_channels = latent_channels
        self.encoder = nn.Sequential(
            *_conv_stage(1, 16),  # 1×28×28 → 16×14×14
            *_conv_stage(16, 32),  # 16×14×14 → 32×7×7
            *_conv_stage(32, latent_channels),  # 32×7×7 → C×3×3
        )
        self.decoder = nn.Sequential(
            *_up_stage(latent_channels, 64, output_padding=0),  # C×3×3 → 64×7×7
            *_up_stage(64, 32, output_padding=1),  # 64×7×7 → 32×14×14
            *_up_stage(32, 16, output_padding=1),  # 32×14×14 → 16×28×28
            nn.Conv2d(16, 1, kernel_size=3, stride=1, padding=1),  # 16×28×28 → 1×28×28
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``decode(encode(x))``, refused unless it has the input's size: 28×28 in, 28×28 out.

        Another size would come back resized (32×32 returns 36×36), so it raises
        :class:`~course_utils.models.validation.ShapeMismatchError` naming both shapes.
        """
        x_hat = super().forward(x)
        check_same_size(self, x, x_hat)
        return x_hat
