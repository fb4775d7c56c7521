"""What training minimises: reconstruction losses, the VAE's ELBO, and the sparsity penalty.

Every *objective* has the signature ``objective(model, inputs, targets) -> loss`` (a
scalar tensor), which is what :func:`course_utils.training.train` calls for every batch:

- :func:`reconstruction_objective`: mean per-pixel MSE or BCE between ``model(inputs)``
  and ``targets`` (the default; with corrupted inputs, a denoising autoencoder); BCE is
  computed from the model's logits (its output before the final Sigmoid);
- :func:`vae_objective`: the negative ELBO of a VAE, reconstruction + KL, in nats per image;
- :func:`sparse_objective`: reconstruction + an L1 penalty on the code.

Models know nothing of these: any model with ``encode``/``decode`` can be trained with any
objective that fits it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .models.base import logits_of
# ShapeMismatchError is defined beside the models, which refuse a wrong image size themselves;
# the losses check every reconstruction too.
from .models.validation import ShapeMismatchError

Objective = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]


# --------------------------------------------------------------------------- reconstruction


def check_reconstruction_shape(x_hat: torch.Tensor, x: torch.Tensor) -> None:
    """Raise :class:`ShapeMismatchError` unless ``x_hat`` has exactly the shape of ``x``.

    PyTorch's losses would broadcast or fail with a cryptic message; a wrong decoder size
    is fixed in the architecture (see lesson 05), never by cropping the output.
    """
    if x_hat.shape != x.shape:
        got = "×".join(map(str, x_hat.shape[1:]))
        want = "×".join(map(str, x.shape[1:]))
        raise ShapeMismatchError(
            f"the decoder returned images of {got} for inputs of {want}. Check each layer's "
            f"output size (course_utils.arithmetic.trace_shapes) and fix the kernel, stride, "
            f"padding or output_padding; do not crop the output to fit."
        )


def reconstruction_loss(x_hat: torch.Tensor, x: torch.Tensor, loss: str = "mse", *,
                        logits: bool = False) -> torch.Tensor:
    """Mean per-pixel reconstruction loss: ``"mse"`` (squared error) or ``"bce"`` (cross-entropy).

    BCE treats each pixel value in [0, 1] as a probability. With ``logits=True``, ``x_hat``
    holds the model's output *before* its final Sigmoid (``model.logits(x)``), and BCE is
    ``binary_cross_entropy_with_logits``: the same value, but a gradient, σ(a) − x, that
    stays alive where the Sigmoid saturates. On Sigmoid outputs (``logits=False``), a
    float32 Sigmoid rounds to exactly 0 or 1 for large |a|, and there the gradient is
    exactly 0. The loss is always computed in float32, even when the model ran in
    bfloat16 (mixed precision).
    """
    check_reconstruction_shape(x_hat, x)
    if loss not in ("mse", "bce"):
        raise ValueError(f'loss must be "mse" or "bce", got {loss!r}')
    with torch.autocast(x_hat.device.type, enabled=False):
        x_hat, x = x_hat.float(), x.float()
        if loss == "bce":
            if logits:
                return F.binary_cross_entropy_with_logits(x_hat, x)
            return F.binary_cross_entropy(x_hat, x)
        return F.mse_loss(torch.sigmoid(x_hat) if logits else x_hat, x)


def model_logits(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """The model's output before its final Sigmoid: ``model.logits(inputs)`` where the model
    has that method (every course model does), else read before its last ``nn.Sigmoid``."""
    method = getattr(model, "logits", None)
    if callable(method):
        return method(inputs)
    return logits_of(model, lambda: model(inputs))


def decoded_logits(model: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """``model.decode(z)`` before its final Sigmoid (``model.decode_logits`` where it exists)."""
    method = getattr(model, "decode_logits", None)
    if callable(method):
        return method(z)
    return logits_of(model, lambda: model.decode(z))


def reconstruction_objective(loss: str) -> Objective:
    """The default objective: reconstruct the (clean) targets from the inputs.

    MSE compares ``model(inputs)`` with the targets; BCE is computed from the model's
    logits (:func:`model_logits`), so the model needs a final ``nn.Sigmoid``.
    """
    if loss not in ("mse", "bce"):
        raise ValueError(f'loss must be "mse" or "bce", got {loss!r}')

    def objective(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        if loss == "bce":
            return reconstruction_loss(model_logits(model, inputs), targets, "bce", logits=True)
        return reconstruction_loss(model(inputs), targets, "mse")

    objective.__qualname__ = f"reconstruction_objective({loss!r})"
    return objective


# --------------------------------------------------------------------------- the ELBO


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL( N(mu, σ²) ‖ N(0, I) ) of each image, summed over latent dimensions: shape N.

    In closed form, per dimension: ½ (mu² + σ² − 1 − log σ²). It is zero exactly when
    mu = 0 and σ² = 1 (the posterior *is* the prior) and positive otherwise.
    """
    mu, logvar = mu.float(), logvar.float()
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).flatten(1).sum(dim=1)


def reconstruction_nll(x_hat: torch.Tensor, x: torch.Tensor, *,
                       logits: bool = False) -> torch.Tensor:
    """−log p(x | z) of each image: binary cross-entropy summed over its pixels, shape N (float32).

    ``logits=True``: ``x_hat`` is the decoder's output before its Sigmoid (what training
    uses, see :func:`reconstruction_loss`); otherwise pixel probabilities in [0, 1].
    """
    if x_hat.shape != x.shape:
        raise ValueError(f"shapes differ: {tuple(x_hat.shape)} vs {tuple(x.shape)}")
    with torch.autocast(x_hat.device.type, enabled=False):
        bce = (F.binary_cross_entropy_with_logits if logits else F.binary_cross_entropy)(
            x_hat.float(), x.float(), reduction="none")
    return bce.flatten(1).sum(dim=1)


def bce_floor(x: torch.Tensor) -> torch.Tensor:
    """The smallest reconstruction term each image can have, shape N.

    BCE(x̂, x) is smallest at x̂ = x, where it equals the entropy of the pixel values,
    −Σ [x log x + (1 − x) log(1 − x)]. It is zero only for pure black-and-white images;
    grey pixels keep it above zero however good the decoder is.
    """
    h = -(torch.special.xlogy(x, x) + torch.special.xlogy(1 - x, 1 - x))  # 0·log 0 = 0
    return h.flatten(1).sum(dim=1)


def elbo_terms(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor | None = None,
               generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The two terms of −ELBO for each image, a one-sample estimate: ``(reconstruction, kl)``.

    ``inputs`` go into the encoder, ``targets`` (default: the inputs) are what the decoder
    must reproduce. Both results have shape N and are in nats per image.
    """
    targets = inputs if targets is None else targets
    mu, logvar = model.encode_distribution(inputs)  # each N×latent_dim
    z = model.reparameterize(mu, logvar, generator)  # N×latent_dim, one draw per image
    logits = decoded_logits(model, z)  # N×1×28×28, before the decoder's Sigmoid
    return reconstruction_nll(logits, targets, logits=True), kl_divergence(mu, logvar)


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
        self.reconstruction = "bce from logits"  # in cache keys too: older weights differ
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
def evaluate_elbo(model: nn.Module, images: torch.Tensor, *, batch_size: int = 500,
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



# --------------------------------------------------------------------------- sparsity


def l1_penalty(z: torch.Tensor) -> torch.Tensor:
    """Mean absolute value of the code (over images and units): a scalar ≥ 0."""
    return z.abs().mean()


def sparse_objective(l1_weight: float, loss: str = "mse") -> Objective:
    """``reconstruction loss + l1_weight · mean |z|``, for ``train(..., objective=...)``.

    ``inputs`` are encoded and ``targets`` reconstructed, so it also works with ``corrupt=``.
    """
    if l1_weight < 0:
        raise ValueError(f"l1_weight cannot be negative, got {l1_weight}")

    def objective(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        z = model.encode(inputs)  # N×code_size
        if loss == "bce":  # from the logits, as in reconstruction_objective
            recon = reconstruction_loss(decoded_logits(model, z), targets, "bce", logits=True)
        else:
            recon = reconstruction_loss(model.decode(z), targets, loss)  # N×1×28×28 vs targets
        return recon + l1_weight * l1_penalty(z)

    objective.__qualname__ = f"sparse_objective({l1_weight!r}, {loss!r})"
    return objective


