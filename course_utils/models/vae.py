"""A convolutional variational autoencoder (VAE).

A plain autoencoder maps an image to one code ``z``. A VAE maps it to a *distribution*
over codes, a Gaussian with mean ``mu`` and log-variance ``logvar`` per latent dimension,
and is trained so that

- a code drawn from that Gaussian still decodes to the image (the reconstruction term),
- the Gaussian stays close to the prior N(0, I) (the KL term),

which makes the whole prior a place you can sample new images from. The two terms
together are the negative *evidence lower bound* (ELBO), per image:

    −ELBO(x) = E_{z ~ q(z|x)}[ −log p(x | z) ]  +  KL( q(z|x) ‖ N(0, I) )
               \\_____ reconstruction ______/      \\________ KL ________/

Here ``−log p(x | z)`` is the binary cross-entropy *summed over the 784 pixels* (each
pixel a Bernoulli probability, as in the PyTorch examples' VAE), so both terms are in
nats per image.

The objective (the ELBO) lives in :mod:`course_utils.losses`, beside the other losses;
the recipe that trains a VAE is :func:`course_utils.recipes.train_vae`.

The course contract still holds: ``encode(x)`` returns the *mean* ``mu`` (the most likely
code, deterministic), ``decode(z)`` returns images, ``forward(x) = decode(encode(x))``.
The VAE adds ``encode_distribution``, ``reparameterize`` and ``sample``.

:class:`~course_utils.models.flat.FlatConvAutoencoder` is the same network without the
randomness: the same convolutions, a flat code of the same size, trained on reconstruction
alone. Comparing the two shows what the KL term costs and what it buys.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .base import Autoencoder
from .flat import check_flat_sizes, conv_decoder_trunk, conv_encoder_trunk
from .validation import whole_number


# --------------------------------------------------------------------------- the VAE


class ConvVAE(Autoencoder):
    """A convolutional VAE: the encoder outputs a Gaussian per image, the decoder a Bernoulli per pixel.

    Encoder: 1×28×28 → 16×14×14 → 32×7×7 → 1568 ─┬─ Linear → mu      (N×latent_dim)
                                                  └─ Linear → logvar  (N×latent_dim)
    Sample:  z = mu + exp(logvar / 2) · ε,  ε ~ N(0, I)   (the reparameterisation trick)
    Decoder: z → Linear → 1568 → 32×7×7 → 16×14×14 → 1×28×28 → Sigmoid

    ``encode(x)`` returns ``mu`` (no sampling), so ``forward(x)`` is deterministic and the
    VAE drops into every tool that expects a plain autoencoder. The randomness lives in
    :func:`course_utils.losses.elbo_terms`, where training needs it.

    ``hidden`` (default: none) adds one fully connected ReLU layer of that width on each
    side of the code: 1568 → Linear → ``hidden`` → ReLU before the two heads, and
    z → Linear → ``hidden`` → ReLU → Linear → 1568 in the decoder. Without it, the
    numbers the decoder's convolutions start from are an affine function of z, which is
    enough for a 20-number code but leaves a 2-number code a weak decoder.
    """

    def __init__(self, latent_dim: int = 20, channels: Sequence[int] = (16, 32),
                 hidden: int | None = None) -> None:
        super().__init__()
        latent_dim, channels = check_flat_sizes(latent_dim, channels)
        self.latent_dim = latent_dim
        features = channels[1] * 7 * 7
        if hidden is None:
            self.encoder = conv_encoder_trunk(channels)  # N×1×28×28 → N×1568
            width = features
            expand: list[nn.Module] = [nn.Linear(latent_dim, features)]  # → N×1568
        else:
            width = whole_number("hidden", hidden)
            self.encoder = nn.Sequential(conv_encoder_trunk(channels),  # → N×1568
                                         nn.Linear(features, width), nn.ReLU())  # → N×hidden
            expand = [nn.Linear(latent_dim, width), nn.ReLU(),  # → N×hidden
                      nn.Linear(width, features)]  # → N×1568
        self.hidden = hidden
        self.to_mu = nn.Linear(width, latent_dim)  # N×1568 (or hidden) → N×latent_dim
        self.to_logvar = nn.Linear(width, latent_dim)  # N×1568 (or hidden) → N×latent_dim
        self.decoder = nn.Sequential(*expand, conv_decoder_trunk(channels))  # → N×1×28×28

    def encode_distribution(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The posterior q(z | x) of each image: its mean and log-variance, each N×latent_dim.

        The network predicts log σ² rather than σ so that any real output is a valid
        variance (σ² = exp(logvar) > 0).
        """
        h = self.encoder(x)
        return self.to_mu(h), self.to_logvar(h)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The posterior mean ``mu`` of each image (the course contract's code; no sampling)."""
        return self.encode_distribution(x)[0]

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor,
                       generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw z ~ N(mu, σ²) as ``mu + σ · ε`` with ε ~ N(0, I).

        Written this way, the randomness (ε) is an input, and gradients flow through
        ``mu`` and ``logvar`` to the encoder: the reparameterisation trick.
        """
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype,
                          device=mu.device if generator is None else generator.device)
        return mu + torch.exp(0.5 * logvar) * eps.to(mu.device)

    def sample(self, count: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``count`` new images: codes drawn from the prior N(0, I), decoded. Shape count×1×28×28."""
        device = next(self.parameters()).device
        z = torch.randn(count, self.latent_dim, generator=generator).to(device)
        return self.decode(z)
