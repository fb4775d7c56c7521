"""The deep conv autoencoder with an Upsample + Conv2d decoder instead of transposed convolutions.

It is the usual advice "to avoid checkerboard artifacts"; lesson 05 trains it beside :class:`~course_utils.models.DeepConvAutoencoder` on the same
budget. The encoder is the very same stack of ``_conv_stage`` blocks; only the decoder
differs, and each decoder stage has exactly as many parameters as the transposed
convolution it replaces (a 3×3 kernel from C_in to C_out channels plus a bias either way).
"""

from __future__ import annotations

import torch
from torch import nn

from .base import Autoencoder
from .conv import _conv_stage
from .validation import check_same_size, choice, flag, whole_number

UPSAMPLE_MODES = ("nearest", "bilinear")


def _upsample_stage(in_channels: int, out_channels: int, scale: int, padding: int, *,
                    mode: str, align_corners: bool) -> list[nn.Module]:
    """Upsample(×scale) → Conv2d(3×3, stride 1) → ReLU → BatchNorm.

    H_out = H_in·scale + 2·padding − 2 (a 3×3 kernel trims one pixel per side when
    padding is 0, none when padding is 1).
    """
    upsample = (nn.Upsample(scale_factor=scale, mode=mode) if mode == "nearest"
                else nn.Upsample(scale_factor=scale, mode=mode, align_corners=align_corners))
    return [
        upsample,
        nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=1, padding=padding),
        nn.ReLU(inplace=True),
        nn.BatchNorm2d(out_channels),
    ]


class UpsampleConvAutoencoder(Autoencoder):
    """DeepConvAutoencoder's encoder; a decoder of Upsample + Conv2d stages.

    Encoder: 1×28×28 → 16×14×14 → 32×7×7 → C×3×3      (C = ``latent_channels``)
    Decoder: C×3×3 → Upsample ×3 → C×9×9 → Conv2d(3×3, p=0) → 64×7×7
             → Upsample ×2 → 64×14×14 → Conv2d(3×3, p=1) → 32×14×14
             → Upsample ×2 → 32×28×28 → Conv2d(3×3, p=1) → 16×28×28 → Conv2d → 1×28×28

    Doubling 3 gives 6, not 7, so the first stage upsamples by 3 (to 9) and lets an
    unpadded 3×3 convolution take 9 to 7: 9 + 2·0 − 3 + 1 = 7. No cropping anywhere.

    ``mode`` is ``"nearest"`` (copy each pixel into an s×s block) or ``"bilinear"``
    (interpolate). ``align_corners`` only matters for bilinear; PyTorch's default,
    ``False``, is used here; many tutorials pass ``align_corners=True``.
    """

    def __init__(self, latent_channels: int = 64, mode: str = "nearest", *,
                 align_corners: bool = False) -> None:
        super().__init__()
        latent_channels = whole_number("latent_channels", latent_channels)
        mode = choice("mode", mode, UPSAMPLE_MODES)
        align_corners = flag("align_corners", align_corners)
        self.latent_channels = latent_channels
        self.mode = mode
        self.encoder = nn.Sequential(
            *_conv_stage(1, 16),  # 1×28×28 → 16×14×14
            *_conv_stage(16, 32),  # 16×14×14 → 32×7×7
            *_conv_stage(32, latent_channels),  # 32×7×7 → C×3×3
        )
        up = {"mode": mode, "align_corners": align_corners}
        self.decoder = nn.Sequential(
            *_upsample_stage(latent_channels, 64, scale=3, padding=0, **up),  # C×3×3 → 64×7×7
            *_upsample_stage(64, 32, scale=2, padding=1, **up),  # 64×7×7 → 32×14×14
            *_upsample_stage(32, 16, scale=2, padding=1, **up),  # 32×14×14 → 16×28×28
            nn.Conv2d(16, 1, kernel_size=3, stride=1, padding=1),  # 16×28×28 → 1×28×28
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``decode(encode(x))``, refused unless it has the input's size: 28×28 in, 28×28 out.

        Another size would come back resized (32×32 returns 40×40), so it raises
        :class:`~course_utils.models.validation.ShapeMismatchError` naming both shapes.
        """
        x_hat = super().forward(x)
        check_same_size(self, x, x_hat)
        return x_hat
