"""A conv autoencoder with a *flat* code: convolutions, then one Linear layer to the code.

The deep conv model of lesson 02 keeps its code as a small image (C×3×3): each code number
is computed from, and decoded into, one region of the digit. Here the convolutions' feature
maps are flattened and one Linear layer maps them to ``latent_dim`` numbers, so every code
number can describe the whole digit. This is the shape of the course's recommended
small-code model (:func:`course_utils.recipes.compact_code`), and the trunk the VAE and the
sparse autoencoder are built on.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from .base import Autoencoder
from .validation import whole_number, widths


def conv_encoder_trunk(channels: Sequence[int] = (16, 32), *,
                       final: str = "relu") -> nn.Sequential:
    """Two stride-2 convolutions and a flatten: 1×28×28 → C1×14×14 → C2×7×7 → C2·49.

    Each Conv2d(k=3, s=2, p=1) halves the size: ⌊(28 + 2 − 3) / 2⌋ + 1 = 14, then 7.
    ``final`` is what follows the second convolution: ``"relu"`` (features ≥ 0) or
    ``"batchnorm"`` (features centred on zero per channel; see
    :class:`~course_utils.models.sparse.SparseConvAutoencoder` for why it needs that).
    """
    if not isinstance(final, str) or final not in ("relu", "batchnorm"):
        raise ValueError(f'final must be "relu" or "batchnorm", got {final!r}')
    c1, c2 = widths("channels", channels, count=2)
    return nn.Sequential(
        nn.Conv2d(1, c1, kernel_size=3, stride=2, padding=1),  # 1×28×28 → C1×14×14
        nn.ReLU(),
        nn.Conv2d(c1, c2, kernel_size=3, stride=2, padding=1),  # C1×14×14 → C2×7×7
        nn.ReLU() if final == "relu" else nn.BatchNorm2d(c2),
        nn.Flatten(),  # C2×7×7 → C2·49
    )


def conv_decoder_trunk(channels: Sequence[int] = (16, 32)) -> nn.Sequential:
    """The mirror image: C2·49 → C2×7×7 → C1×14×14 → 1×28×28, ending in a Sigmoid.

    It follows a Linear layer that expands the code to C2·49 numbers, with no activation in
    between: a ReLU there leaves many of those numbers stuck at zero early in training, and
    the model then sits for longer at the plateau where it outputs the average digit.

    Each ConvTranspose2d(k=3, s=2, p=1, output_padding=1) doubles the size exactly:
    (7 − 1)·2 − 2 + 3 + 1 = 14, then (14 − 1)·2 − 2 + 3 + 1 = 28.
    """
    c1, c2 = channels
    return nn.Sequential(
        nn.Unflatten(1, (c2, 7, 7)),  # C2·49 → C2×7×7
        nn.ConvTranspose2d(c2, c1, kernel_size=3, stride=2, padding=1,
                           output_padding=1),  # C2×7×7 → C1×14×14
        nn.ReLU(),
        nn.ConvTranspose2d(c1, 1, kernel_size=3, stride=2, padding=1,
                           output_padding=1),  # C1×14×14 → 1×28×28
        nn.Sigmoid(),  # pixel probabilities in (0, 1)
    )


def check_flat_sizes(latent_dim: int, channels: Sequence[int], *,
                     name: str = "latent_dim") -> tuple[int, tuple[int, int]]:
    """``latent_dim`` as an int of at least 1 and ``channels`` as two positive widths."""
    c1, c2 = widths("channels", channels, count=2)
    return whole_number(name, latent_dim), (c1, c2)


class FlatConvAutoencoder(Autoencoder):
    """A plain conv autoencoder with a flat code of ``latent_dim`` numbers (the VAE's twin).

    Encoder: 1×28×28 → 16×14×14 → 32×7×7 → 1568 → Linear → ``latent_dim``
    Decoder: ``latent_dim`` → Linear → 1568 → 32×7×7 → 16×14×14 → 1×28×28
    """

    prefers_channels_last = True

    def __init__(self, latent_dim: int = 20, channels: Sequence[int] = (16, 32)) -> None:
        super().__init__()
        latent_dim, channels = check_flat_sizes(latent_dim, channels)
        self.latent_dim = latent_dim
        features = channels[1] * 7 * 7
        self.encoder = nn.Sequential(conv_encoder_trunk(channels),
                                     nn.Linear(features, latent_dim))  # → N×latent_dim
        self.decoder = nn.Sequential(nn.Linear(latent_dim, features),  # → N×1568
                                     conv_decoder_trunk(channels))  # → N×1×28×28


