"""A U-Net style autoencoder: encoder features concatenated into the decoder (exercise 4).

The same class builds the plain autoencoder it is compared with (``skips=False``): the two
differ only in the skip connections and the decoder convolutions that read them.
"""

from __future__ import annotations

import torch
from torch import nn

from .base import Autoencoder
from .validation import flag, whole_number, widths


def _same_conv(in_channels: int, out_channels: int) -> nn.Conv2d:
    """3×3 convolution with padding 1: H and W stay the same."""
    return nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)


class UNetAutoencoder(Autoencoder):
    """Two stages down, a 1×1 bottleneck, two stages up, with U-Net skip connections.

    With the defaults (``in_channels=1, channels=(16, 32), code_channels=4``)::

        encoder  x 1×28×28 → conv → s1 16×28×28 → pool → conv → s2 32×14×14 → pool → 32×7×7
        code     32×7×7 → 1×1 conv (``bottleneck``) → z 4×7×7            (196 numbers)
        decoder  z → 1×1 conv → 32×7×7 → up → 32×14×14 ⊕ s2 → 64×14×14 → conv → 16×14×14
                 → up → 16×28×28 ⊕ s1 → 32×28×28 → conv → 1×28×28 → Sigmoid

    ``⊕`` is ``torch.cat(..., dim=1)``: the decoder sees the upsampled code *and* the
    encoder's features at the same resolution. Those features (16×28×28 = 12,544 numbers
    for s1 alone) never pass through the 196-number code, so the bottleneck is *leaky*: a
    U-Net can reconstruct its input even when the code carries nothing. Good for
    segmentation and denoising, where fine detail should flow straight through; bad when
    the code itself is the point (compression, features, anomaly scores).

    ``skips=False`` builds the plain autoencoder with the same layers, minus the
    concatenations (its decoder convolutions take half the channels).
    """

    def __init__(self, in_channels: int = 1, channels: tuple[int, int] = (16, 32),
                 code_channels: int = 4, *, skips: bool = True) -> None:
        super().__init__()
        c1, c2 = widths("channels", channels, count=2)
        in_channels = whole_number("in_channels", in_channels)
        code_channels = whole_number("code_channels", code_channels)
        skips = flag("skips", skips)
        self.in_channels = in_channels
        self.code_channels = code_channels
        self.skips = skips
        extra = 2 if skips else 1  # a concatenation doubles a decoder conv's input channels
        self.down1 = nn.Sequential(_same_conv(in_channels, c1), nn.ReLU())  # → c1×H×W (s1)
        self.down2 = nn.Sequential(_same_conv(c1, c2), nn.ReLU())  # → c2×H/2×W/2 (s2)
        self.pool = nn.MaxPool2d(2)  # halves H and W
        self.bottleneck = nn.Conv2d(c2, code_channels, kernel_size=1)  # → z: C×H/4×W/4
        self.from_code = nn.Sequential(nn.Conv2d(code_channels, c2, kernel_size=1), nn.ReLU())
        self.up2 = nn.Sequential(nn.ConvTranspose2d(c2, c2, kernel_size=2, stride=2), nn.ReLU())
        self.merge2 = nn.Sequential(_same_conv(extra * c2, c1), nn.ReLU())  # (c2 [+ s2]) → c1
        self.up1 = nn.Sequential(nn.ConvTranspose2d(c1, c1, kernel_size=2, stride=2), nn.ReLU())
        self.merge1 = nn.Sequential(_same_conv(extra * c1, in_channels), nn.Sigmoid())

    def encode_with_skips(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The code ``z`` and the encoder features the decoder concatenates: ``[s1, s2]``."""
        if x.shape[-1] % 4 or x.shape[-2] % 4:
            raise ValueError(f"height and width must be multiples of 4 (two poolings), "
                             f"got {tuple(x.shape[-2:])}")
        s1 = self.down1(x)  # N×c1×H×W
        s2 = self.down2(self.pool(s1))  # N×c2×H/2×W/2
        z = self.bottleneck(self.pool(s2))  # N×C×H/4×W/4
        return z, [s1, s2]

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode_with_skips(x)[0]

    def decode(self, z: torch.Tensor, skips: list[torch.Tensor] | None = None) -> torch.Tensor:
        """Rebuild images from the code ``z`` and, for a U-Net, the encoder features.

        Without ``skips`` a U-Net decodes from the code alone, with zeros where the encoder
        features would be: what the code by itself carries.
        """
        h = self.up2(self.from_code(z))  # N×c2×H/2×W/2
        if self.skips:
            s1, s2 = skips if skips is not None else self._zero_skips(z)
            h = torch.cat([h, s2], dim=1)  # N×2c2×H/2×W/2
        h = self.up1(self.merge2(h))  # N×c1×H×W
        if self.skips:
            h = torch.cat([h, s1], dim=1)  # N×2c1×H×W
        return self.merge1(h)  # N×in×H×W

    def _zero_skips(self, z: torch.Tensor) -> list[torch.Tensor]:
        n, _, h, w = z.shape
        c1 = self.down1[0].out_channels
        c2 = self.down2[0].out_channels
        return [z.new_zeros(n, c1, 4 * h, 4 * w), z.new_zeros(n, c2, 2 * h, 2 * w)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z, skips = self.encode_with_skips(x)
        return self.decode(z, skips)
