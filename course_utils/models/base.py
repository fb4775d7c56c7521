"""The contract every autoencoder in the course follows."""

from __future__ import annotations

import torch
from torch import nn


class Autoencoder(nn.Module):
    """An ``encoder`` and a ``decoder``, and the three methods the course relies on.

    Subclasses build ``self.encoder`` and ``self.decoder`` (usually ``nn.Sequential``).

    - ``encode(x)`` maps images N×C×H×W to codes ``z``;
    - ``decode(z)`` maps codes back to images;
    - ``forward(x)`` is ``decode(encode(x))`` and returns only the reconstruction.

    Many tutorials' models return ``(reconstruction, latent)`` from ``forward``; here the
    code is one ``encode`` call away, and every model can go straight into a loss.
    """

    encoder: nn.Module
    decoder: nn.Module

    #: Train in PyTorch's channels-last memory layout (N×H×W×C in memory). On CPUs this
    #: speeds up convolutions, so conv models set it to True (measured for each model);
    #: it changes speed only, never results' meaning.
    prefers_channels_last: bool = False

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))
