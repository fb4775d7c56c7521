"""A convolutional variational autoencoder (VAE), its objective (the ELBO), and its plain twin.

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

The course contract still holds: ``encode(x)`` returns the *mean* ``mu`` (the most likely
code, deterministic), ``decode(z)`` returns images, ``forward(x) = decode(encode(x))``.
The VAE adds ``encode_distribution``, ``reparameterize`` and ``sample``.

:class:`FlatConvAutoencoder` is the same network without the randomness: the same
convolutions, a flat code of the same size, trained on reconstruction alone. Comparing the
two shows what the KL term costs and what it buys.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .base import Autoencoder

ImageShape = tuple[int, int, int]


# --------------------------------------------------------------------------- building blocks


def conv_encoder_trunk(channels: Sequence[int] = (16, 32), *,
                       final: str = "relu") -> nn.Sequential:
    """Two stride-2 convolutions and a flatten: 1×28×28 → C1×14×14 → C2×7×7 → C2·49.

    Each Conv2d(k=3, s=2, p=1) halves the size: ⌊(28 + 2 − 3) / 2⌋ + 1 = 14, then 7.
    ``final`` is what follows the second convolution: ``"relu"`` (features ≥ 0) or
    ``"batchnorm"`` (features centred on zero per channel; see
    :class:`~course_utils.models.sparse.SparseConvAutoencoder` for why it needs that).
    """
    if final not in ("relu", "batchnorm"):
        raise ValueError(f'final must be "relu" or "batchnorm", got {final!r}')
    c1, c2 = channels
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


def _check_sizes(latent_dim: int, channels: Sequence[int]) -> None:
    if latent_dim < 1:
        raise ValueError(f"latent_dim must be at least 1, got {latent_dim}")
    if len(channels) != 2 or min(channels) < 1:
        raise ValueError(f"channels must be two positive widths, got {list(channels)}")


class FlatConvAutoencoder(Autoencoder):
    """A plain conv autoencoder with a flat code of ``latent_dim`` numbers (the VAE's twin).

    Encoder: 1×28×28 → 16×14×14 → 32×7×7 → 1568 → Linear → ``latent_dim``
    Decoder: ``latent_dim`` → Linear → 1568 → 32×7×7 → 16×14×14 → 1×28×28
    """

    def __init__(self, latent_dim: int = 20, channels: Sequence[int] = (16, 32)) -> None:
        super().__init__()
        _check_sizes(latent_dim, channels)
        self.latent_dim = latent_dim
        features = channels[1] * 7 * 7
        self.encoder = nn.Sequential(conv_encoder_trunk(channels),
                                     nn.Linear(features, latent_dim))  # → N×latent_dim
        self.decoder = nn.Sequential(nn.Linear(latent_dim, features),  # → N×1568
                                     conv_decoder_trunk(channels))  # → N×1×28×28


# --------------------------------------------------------------------------- the VAE


class ConvVAE(Autoencoder):
    """A convolutional VAE: the encoder outputs a Gaussian per image, the decoder a Bernoulli per pixel.

    Encoder: 1×28×28 → 16×14×14 → 32×7×7 → 1568 ─┬─ Linear → mu      (N×latent_dim)
                                                  └─ Linear → logvar  (N×latent_dim)
    Sample:  z = mu + exp(logvar / 2) · ε,  ε ~ N(0, I)   (the reparameterisation trick)
    Decoder: z → Linear → 1568 → 32×7×7 → 16×14×14 → 1×28×28 → Sigmoid

    ``encode(x)`` returns ``mu`` (no sampling), so ``forward(x)`` is deterministic and the
    VAE drops into every tool that expects a plain autoencoder. The randomness lives in
    :func:`elbo_terms`, where training needs it.
    """

    def __init__(self, latent_dim: int = 20, channels: Sequence[int] = (16, 32)) -> None:
        super().__init__()
        _check_sizes(latent_dim, channels)
        self.latent_dim = latent_dim
        features = channels[1] * 7 * 7
        self.encoder = conv_encoder_trunk(channels)  # N×1×28×28 → N×1568
        self.to_mu = nn.Linear(features, latent_dim)  # N×1568 → N×latent_dim
        self.to_logvar = nn.Linear(features, latent_dim)  # N×1568 → N×latent_dim
        self.decoder = nn.Sequential(nn.Linear(latent_dim, features),  # → N×1568
                                     conv_decoder_trunk(channels))  # → N×1×28×28

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


# --------------------------------------------------------------------------- the ELBO


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL( N(mu, σ²) ‖ N(0, I) ) of each image, summed over latent dimensions: shape N.

    In closed form, per dimension: ½ (mu² + σ² − 1 − log σ²). It is zero exactly when
    mu = 0 and σ² = 1 (the posterior *is* the prior) and positive otherwise.
    """
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).flatten(1).sum(dim=1)


def reconstruction_nll(x_hat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """−log p(x | z) of each image: binary cross-entropy summed over its pixels, shape N."""
    if x_hat.shape != x.shape:
        raise ValueError(f"shapes differ: {tuple(x_hat.shape)} vs {tuple(x.shape)}")
    return F.binary_cross_entropy(x_hat, x, reduction="none").flatten(1).sum(dim=1)


def bce_floor(x: torch.Tensor) -> torch.Tensor:
    """The smallest reconstruction term each image can have, shape N.

    BCE(x̂, x) is smallest at x̂ = x, where it equals the entropy of the pixel values,
    −Σ [x log x + (1 − x) log(1 − x)]. It is zero only for pure black-and-white images;
    grey pixels keep it above zero however good the decoder is.
    """
    h = -(torch.special.xlogy(x, x) + torch.special.xlogy(1 - x, 1 - x))  # 0·log 0 = 0
    return h.flatten(1).sum(dim=1)


def elbo_terms(model: ConvVAE, inputs: torch.Tensor, targets: torch.Tensor | None = None,
               generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The two terms of −ELBO for each image, a one-sample estimate: ``(reconstruction, kl)``.

    ``inputs`` go into the encoder, ``targets`` (default: the inputs) are what the decoder
    must reproduce. Both results have shape N and are in nats per image.
    """
    targets = inputs if targets is None else targets
    mu, logvar = model.encode_distribution(inputs)  # each N×latent_dim
    z = model.reparameterize(mu, logvar, generator)  # N×latent_dim, one draw per image
    x_hat = model.decode(z)  # N×1×28×28
    return reconstruction_nll(x_hat, targets), kl_divergence(mu, logvar)


@dataclass
class EpochTerms:
    """Mean reconstruction and KL terms (nats per image) over one epoch's training and test images."""

    train_reconstruction: float
    train_kl: float
    test_reconstruction: float = math.nan
    test_kl: float = math.nan

    @property
    def train_loss(self) -> float:
        return self.train_reconstruction + self.train_kl

    @property
    def test_loss(self) -> float:
        return self.test_reconstruction + self.test_kl


class VAEObjective:
    """−ELBO per image, ``mean(reconstruction + beta · KL)``, as ``train(..., objective=...)`` wants.

    It also *records* the two terms as training runs: ``train()`` calls the objective on
    training batches (model in train mode), then on the test set (eval mode) after each
    epoch, so every run of training calls followed by a run of test calls is one epoch.
    :meth:`epochs` turns the record into one :class:`EpochTerms` per epoch.

    ``beta = 1`` is the ELBO proper; other values give the β-VAE (Higgins et al., 2017).
    """

    def __init__(self, beta: float = 1.0) -> None:
        if beta < 0:
            raise ValueError(f"beta weighs the KL term and cannot be negative, got {beta}")
        self.beta = beta
        self.__qualname__ = f"VAEObjective(beta={beta!r})"  # names it in cache keys
        self._calls: list[tuple[bool, int, float, float]] = []

    def __call__(self, model: nn.Module, inputs: torch.Tensor,
                 targets: torch.Tensor) -> torch.Tensor:
        recon, kl = elbo_terms(model, inputs, targets)  # type: ignore[arg-type]
        self._calls.append((model.training, len(inputs), float(recon.detach().sum()),
                            float(kl.detach().sum())))
        return (recon + self.beta * kl).mean()

    def epochs(self) -> list[EpochTerms]:
        """Per-epoch means of both terms, from what was recorded (empty if nothing ran)."""
        runs: list[list[Any]] = []  # [is_training, images, reconstruction sum, KL sum]
        for training, n, recon, kl in self._calls:
            if runs and runs[-1][0] == training:
                runs[-1][1:] = [runs[-1][1] + n, runs[-1][2] + recon, runs[-1][3] + kl]
            else:
                runs.append([training, n, recon, kl])
        result: list[EpochTerms] = []
        for training, n, recon, kl in runs:
            if training:
                result.append(EpochTerms(recon / n, kl / n))
            elif result:
                result[-1].test_reconstruction, result[-1].test_kl = recon / n, kl / n
        return result

    def reset(self) -> None:
        self._calls.clear()


def vae_objective(beta: float = 1.0) -> VAEObjective:
    """The VAE's training objective for :func:`course_utils.training.train` (see :class:`VAEObjective`)."""
    return VAEObjective(beta)


@torch.no_grad()
def evaluate_elbo(model: ConvVAE, images: torch.Tensor, *, batch_size: int = 500,
                  seed: int = 0) -> dict[str, float]:
    """Mean reconstruction term, KL term and −ELBO per image over ``images`` (eval mode, fixed seed).

    One sample of z per image, from a generator seeded with ``seed``, so the number is
    repeatable. Lower −ELBO is better; it bounds −log p(x) from above.
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    recon_total, kl_total = 0.0, 0.0
    try:
        for start in range(0, len(images), batch_size):
            x = images[start:start + batch_size].to(device)
            recon, kl = elbo_terms(model, x, generator=generator)
            recon_total += float(recon.sum())
            kl_total += float(kl.sum())
    finally:
        model.train(was_training)
    n = len(images)
    return {"reconstruction": recon_total / n, "kl": kl_total / n,
            "neg_elbo": (recon_total + kl_total) / n}


def train_vae(model: ConvVAE, name: str, train_set: Any, test_set: Any, *, beta: float = 1.0,
              **train_kwargs: Any) -> tuple[Any, list[EpochTerms]]:
    """Train (or load) a VAE with :func:`course_utils.training.cached_train`; keep its per-epoch terms.

    Returns ``(history, terms)``: the training history (losses are −ELBO per image) and one
    :class:`EpochTerms` per epoch. The terms are saved in a small JSON file beside the
    checkpoint, so a second run loads them too.
    """
    from ..config import checkpoint_dir
    from ..training import cache_key, cached_train

    objective = vae_objective(beta)
    folder = Path(train_kwargs.pop("directory", None) or checkpoint_dir())
    key = cache_key(name, model, train_set=train_set, test_set=test_set, objective=objective,
                    **train_kwargs)
    sidecar = folder / key.replace(".pt", ".terms.json")
    history = cached_train(model, name, train_set, test_set, objective=objective,
                           directory=folder, **train_kwargs)
    terms = objective.epochs()
    if terms:
        sidecar.write_text(json.dumps([asdict(t) for t in terms]))
    elif sidecar.is_file():
        terms = [EpochTerms(**t) for t in json.loads(sidecar.read_text())]
    return history, terms
