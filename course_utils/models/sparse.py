"""A sparse convolutional autoencoder: a wide code, most of it switched off for any one image.

A bottleneck limits *how many* numbers the code has. A sparse autoencoder limits *how many
are in use* instead: the code can be wide, but a penalty on the code pushes most of its
units to zero for each image, so each image is described by a few active units. Here the
penalty is L1 (the mean absolute activation, weighted by ``l1_weight``) added to the
reconstruction loss:

    loss = MSE(x̂, x) + l1_weight · mean |z|

Two details make the penalty mean what it says:

- the code ends in a ReLU, so "off" is an exact zero, not a small negative number;
- the decoder reads the code through :class:`UnitNormLinear`, whose weight columns have
  length one. Without it, the network could dodge the penalty by shrinking every code
  value and growing the decoder's weights to match; the code would look small without
  being sparse.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .base import Autoencoder
from .flat import check_flat_sizes, conv_decoder_trunk, conv_encoder_trunk


class UnitNormLinear(nn.Linear):
    """A Linear layer whose weight columns (one per input unit) are rescaled to length 1.

    Each code unit then adds a fixed-length direction to the decoder's features, scaled by
    its activation, so the activation's size is the unit's real contribution.
    """

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        weight = self.weight / self.weight.norm(dim=0, keepdim=True).clamp_min(1e-8)
        return F.linear(z, weight, self.bias)


class SparseConvAutoencoder(Autoencoder):
    """A conv autoencoder with a wide, non-negative flat code meant to be trained sparse.

    Encoder: 1×28×28 → 16×14×14 → 32×7×7 (BatchNorm) → 1568 → Linear → ReLU → ``code_size``
    Decoder: ``code_size`` → UnitNormLinear → 1568 → 32×7×7 → 16×14×14 → 1×28×28

    The 32×7×7 features that feed the code go through BatchNorm instead of a ReLU. After
    a ReLU they would all be ≥ 0, so a code unit whose weights happen to sum negative
    would be off for every image from the start; centred features avoid that, and in
    our runs the model also learned several times faster. Units can still *die* during
    training (never switch on for any image): the lesson counts them.

    Trained with :func:`course_utils.losses.sparse_objective`; with ``l1_weight=0`` it is
    a plain autoencoder.
    """

    def __init__(self, code_size: int = 64, channels: Sequence[int] = (16, 32)) -> None:
        super().__init__()
        code_size, channels = check_flat_sizes(code_size, channels, name="code_size")
        self.code_size = code_size
        features = channels[1] * 7 * 7
        self.encoder = nn.Sequential(
            conv_encoder_trunk(channels, final="batchnorm"),  # N×1×28×28 → N×1568
            nn.Linear(features, code_size),  # N×1568 → N×code_size
            nn.ReLU(),  # the code: all ≥ 0, "off" is exactly 0
        )
        self.decoder = nn.Sequential(UnitNormLinear(code_size, features),  # → N×1568
                                     conv_decoder_trunk(channels))  # → N×1×28×28

    def decode_units(self, value: float | torch.Tensor = 1.0) -> torch.Tensor:
        """What each unit draws on its own: ``decode(value · e_k)`` for every unit k.

        ``value`` is one number or one per unit (e.g. each unit's typical activation).
        Returns code_size×1×28×28, in eval mode.
        """
        device = next(self.parameters()).device
        scale = torch.as_tensor(value, dtype=torch.float32, device=device)
        codes = torch.eye(self.code_size, device=device) * scale.reshape(-1, 1)  # one-hot rows
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():
                return self.decode(codes)
        finally:
            self.train(was_training)


def near_zero_share(codes: torch.Tensor, threshold: float = 0.01) -> float:
    """Share of code values that are *near zero*: at most ``threshold`` × their image's largest value.

    The threshold is relative to each image's strongest unit, so it does not depend on
    the code's overall scale. An image whose code is all zero counts as all near zero.
    """
    if not 0 <= threshold < 1:
        raise ValueError(f"threshold is a fraction of the largest activation, got {threshold}")
    a = codes.detach().flatten(1).abs()  # N×code_size
    largest = a.max(dim=1, keepdim=True).values
    return float((a <= threshold * largest).float().mean())


def active_units_per_image(codes: torch.Tensor, threshold: float = 0.01) -> float:
    """Mean number of units per image that are *not* near zero (see :func:`near_zero_share`)."""
    a = codes.detach().flatten(1)
    return (1.0 - near_zero_share(a, threshold)) * a.shape[1]
