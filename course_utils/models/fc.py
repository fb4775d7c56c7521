"""Fully connected autoencoders: the stacked model of lesson 03 and the comparison model of lesson 06."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from . import validation
from .base import Autoencoder

ImageShape = tuple[int, int, int]


def _dense_block(in_features: int, out_features: int, *, batchnorm: bool,
                 dropout: float) -> list[nn.Module]:
    """Linear → ReLU (→ BatchNorm) (→ Dropout): BatchNorm after the activation."""
    block: list[nn.Module] = [nn.Linear(in_features, out_features), nn.ReLU()]
    if batchnorm:
        block.append(nn.BatchNorm1d(out_features))
    if dropout > 0:
        block.append(nn.Dropout(dropout))
    return block


def _mirror_stacks(widths: Sequence[int], *, batchnorm: bool, dropout: float,
                   image_shape: ImageShape) -> tuple[nn.Sequential, nn.Sequential]:
    """Encoder widths[0] → … → widths[-1] and the decoder that mirrors it.

    Hidden layers get ReLU (and BatchNorm/Dropout if asked); the code layer gets a plain
    ReLU, the output layer a Sigmoid.
    """
    enc: list[nn.Module] = [nn.Flatten()]  # N×C×H×W → N×(C·H·W)
    for a, b in zip(widths[:-2], widths[1:-1]):
        enc += _dense_block(a, b, batchnorm=batchnorm, dropout=dropout)
    enc += [nn.Linear(widths[-2], widths[-1]), nn.ReLU()]  # → N×latent

    back = list(reversed(widths))
    dec: list[nn.Module] = []
    for a, b in zip(back[:-2], back[1:-1]):
        dec += _dense_block(a, b, batchnorm=batchnorm, dropout=dropout)
    dec += [nn.Linear(back[-2], back[-1]), nn.Sigmoid(),
            nn.Unflatten(1, image_shape)]  # N×(C·H·W) → N×C×H×W
    return nn.Sequential(*enc), nn.Sequential(*dec)


class FCAutoencoder(Autoencoder):
    """The comparison model of lesson 06: 784 → 256 → 128 → 64 → 128 → 256 → 784 (484,944 parameters).

    ``hidden_sizes`` sets the encoder widths after the input, the last one being the code.
    ``batchnorm=True`` adds a BatchNorm1d after every hidden ReLU (not after the code or the
    output), as in :class:`DeepAutoencoder`; lesson 06 uses it to compare the FC model
    with conv models that normalise their features.
    """

    def __init__(self, hidden_sizes: Sequence[int] = (256, 128, 64),
                 image_shape: ImageShape = (1, 28, 28), *, batchnorm: bool = False) -> None:
        super().__init__()
        hidden_sizes = validation.widths("hidden_sizes", hidden_sizes)
        image_shape = validation.widths("image_shape", image_shape, count=3)
        batchnorm = validation.flag("batchnorm", batchnorm)
        self.latent_dim = hidden_sizes[-1]
        widths = [math.prod(image_shape), *hidden_sizes]
        validation.fc_parameter_budget(tuple(widths), "image_shape and hidden_sizes")
        self.encoder, self.decoder = _mirror_stacks(
            widths, batchnorm=batchnorm, dropout=0.0, image_shape=image_shape)


class DeepAutoencoder(Autoencoder):
    """The stacked autoencoder of lesson 03: 784 → 512 → 256 → 128 → 32 and back.

    Hidden layers are Linear → ReLU → BatchNorm1d → Dropout(0.2); the 32-number code gives
    a compression ratio of 784 / 32 = 24.5. ``batchnorm`` and ``dropout`` can be switched
    off for the experiments of lesson 04.
    """

    def __init__(self, hidden_sizes: Sequence[int] = (512, 256, 128), latent_dim: int = 32,
                 *, batchnorm: bool = True, dropout: float = 0.2,
                 image_shape: ImageShape = (1, 28, 28)) -> None:
        super().__init__()
        hidden_sizes = validation.widths("hidden_sizes", hidden_sizes, allow_empty=True)
        latent_dim = validation.whole_number("latent_dim", latent_dim)
        batchnorm = validation.flag("batchnorm", batchnorm)
        dropout = validation.probability("dropout", dropout)
        image_shape = validation.widths("image_shape", image_shape, count=3)
        self.latent_dim = latent_dim
        widths = [math.prod(image_shape), *hidden_sizes, latent_dim]
        validation.fc_parameter_budget(tuple(widths), "image_shape, hidden_sizes and latent_dim")
        self.encoder, self.decoder = _mirror_stacks(
            widths, batchnorm=batchnorm, dropout=dropout, image_shape=image_shape)

    def get_layer_outputs(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The encoder's activation after every ReLU, for visualising the hierarchy.

        For the default model: widths 512, 256, 128 and the 32-number code.
        """
        activations = []
        h = x
        for layer in self.encoder:
            h = layer(h)
            if isinstance(layer, nn.ReLU):
                activations.append(h.detach())
        return activations
