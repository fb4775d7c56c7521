"""The course's standard trained models: one recipe each, shared by every lesson that needs them.

A *recipe* is everything that decides how well a model ends up, apart from its
architecture: optimizer, learning rate and schedule, batch size, and how long to train.
Lessons that compare models give each one its recipe, so that a comparison measures the
models and not a budget that suits one of them. Lessons 01–04 train these models; later
lessons ask for the same recipe and get the same weights back from the checkpoint cache
(:func:`course_utils.training.cached_train`) in a fraction of a second.

How long to train is set in **optimizer steps**, not epochs: a recipe takes the same
number of steps whether the training set holds 4,000 images (the offline subset of
MNIST) or 12,000 (the subset of full MNIST that :func:`standard_data` takes), so the
learner's wait is the same and only the number of passes over the data changes.

=================  ===================  ==================
                   learner mode         FAST mode
=================  ===================  ==================
training images    up to 12,000         1,500
test images        up to 2,000          300
steps              see each recipe      about a tenth
=================  ===================  ==================
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from torch import nn

from .config import budget, seed_everything
from .data import ImageSet, load_mnist
from .losses import EpochTerms, vae_objective
from .models import (
    ConvVAE,
    DeepAutoencoder,
    DeepConvAutoencoder,
    FCAutoencoder,
    FlatConvAutoencoder,
    SimpleConvAutoencoder,
)
from .training import (
    History,
    SchedulerSpec,
    _warn,
    cached_train,
    checkpoint_path,
    write_atomically,
)


def standard_data() -> tuple[ImageSet, ImageSet]:
    """The MNIST training and test images every standard recipe uses (a fixed subset).

    Up to 12,000 training and 2,000 test images; offline that is all of the subset's
    4,000 and 1,000.
    """
    train_set = load_mnist("train").subset(budget(full=12_000, fast=1_500))
    test_set = load_mnist("test").subset(budget(full=2_000, fast=300))
    return train_set, test_set


@dataclass(frozen=True)
class Recipe:
    """How to train one model: Adam at ``lr`` with a ``scheduler``, for about ``steps`` steps.

    ``steps`` is rounded to the nearest whole number of epochs (every image is seen the
    same number of times, and the run takes about as long whatever the training-set
    size); ``fast_steps`` replaces it in FAST mode.
    """

    lr: float
    steps: int
    fast_steps: int
    batch_size: int = 32
    scheduler: SchedulerSpec = "cosine"
    loss: str = "mse"

    def epochs(self, train_images: int) -> int:
        """Whole passes over ``train_images`` images that come nearest the recipe's steps."""
        steps = budget(full=self.steps, fast=self.fast_steps)
        steps_per_epoch = math.ceil(train_images / self.batch_size)
        return max(1, round(steps / steps_per_epoch))

    def settings(self, train_images: int) -> dict[str, Any]:
        """The keyword arguments of :func:`course_utils.training.train` for this recipe."""
        return {"epochs": self.epochs(train_images), "batch_size": self.batch_size,
                "lr": self.lr, "scheduler": self.scheduler, "loss": self.loss, "seed": 0}

    def train(self, model: nn.Module, name: str, train_set: ImageSet,
              test_set: ImageSet | None) -> History:
        """Train ``model`` with this recipe, or load it if this exact run is cached."""
        return cached_train(model, name, train_set, test_set, **self.settings(len(train_set)))


SIMPLE_CONV = Recipe(lr=1e-2, steps=600, fast_steps=80, batch_size=64)
"""SimpleConvAutoencoder: 225 parameters take a high learning rate; 600 steps of 64 images."""

DEEP_CONV = Recipe(lr=3e-3, steps=1_250, fast_steps=120)
"""DeepConvAutoencoder: 1,250 steps of 32 images (10 passes over the offline subset)."""

FC = Recipe(lr=1e-3, steps=1_250, fast_steps=120, batch_size=64)
"""The fully connected models: a lower learning rate suits their wide Linear layers."""

COMPACT_CODE = Recipe(lr=5e-3, steps=1_250, fast_steps=120)
"""The compact-code model: a high learning rate, annealed to zero by the cosine schedule."""


def simple_conv(train_set: ImageSet, test_set: ImageSet) -> tuple[SimpleConvAutoencoder, History]:
    """SimpleConvAutoencoder with the ``SIMPLE_CONV`` recipe."""
    seed_everything(0)
    model = SimpleConvAutoencoder()
    return model, SIMPLE_CONV.train(model, "simple_conv", train_set, test_set)


def deep_conv(train_set: ImageSet, test_set: ImageSet,
              latent_channels: int = 64) -> tuple[DeepConvAutoencoder, History]:
    """DeepConvAutoencoder(latent_channels), a code of latent_channels×3×3, ``DEEP_CONV`` recipe."""
    seed_everything(0)
    model = DeepConvAutoencoder(latent_channels)
    return model, DEEP_CONV.train(model, f"deep_conv_{latent_channels}", train_set, test_set)


def deep_fc(train_set: ImageSet, test_set: ImageSet,
            dropout: float = 0.0) -> tuple[DeepAutoencoder, History]:
    """The stacked DeepAutoencoder (784→512→256→128→32), ``FC`` recipe.

    Without Dropout by default: an autoencoder that must squeeze every image through 32
    numbers has no spare capacity to regularise (lesson 03 measures Dropout 0.2 against none).
    """
    seed_everything(0)
    model = DeepAutoencoder(dropout=dropout)
    return model, FC.train(model, f"deep_fc_dropout{dropout:g}", train_set, test_set)


def fc(train_set: ImageSet, test_set: ImageSet) -> tuple[FCAutoencoder, History]:
    """The FCAutoencoder of the parameter comparison (784→256→128→64), ``FC`` recipe."""
    seed_everything(0)
    model = FCAutoencoder()
    return model, FC.train(model, "fc", train_set, test_set)


def compact_code(train_set: ImageSet, test_set: ImageSet,
                 code_size: int = 32) -> tuple[FlatConvAutoencoder, History]:
    """The course's recommended small-code conv autoencoder: it beats PCA at the same code size.

    Two stride-2 convolutions (1×28×28 → 16×14×14 → 32×7×7), then one Linear layer down to
    ``code_size`` numbers; the decoder mirrors it. Every code number is computed from the
    whole image and feeds the whole image back, unlike a spatial code of C×3×3 numbers
    where each number sees one region. Trained with the ``COMPACT_CODE`` recipe.
    """
    seed_everything(0)
    model = FlatConvAutoencoder(code_size)
    return model, COMPACT_CODE.train(model, f"compact_code_{code_size}", train_set, test_set)


# --------------------------------------------------------------------------- the VAE


def train_vae(model: ConvVAE, name: str, train_set: ImageSet, test_set: ImageSet | None, *,
              beta: float = 1.0, **train_kwargs: Any) -> tuple[History, list[EpochTerms]]:
    """Train (or load) a VAE with :func:`course_utils.training.cached_train`; keep its per-epoch terms.

    Returns ``(history, terms)``: the training history (losses are −ELBO per image) and one
    :class:`~course_utils.losses.EpochTerms` per epoch. The terms are saved in a small JSON
    file beside the checkpoint (written atomically, like the checkpoint), so a second run
    loads them too. Like the checkpoint cache, the terms file never stops a lesson: when
    it cannot be written the run is still returned, with a one-line warning; when the
    weights are cached but their terms cannot be read, the VAE is trained again.
    """
    objective = vae_objective(beta)
    directory = train_kwargs.pop("directory", None)
    retrain = bool(train_kwargs.pop("retrain", False))
    path = checkpoint_path(model, name, train_set, test_set, directory=directory,
                           objective=objective, **train_kwargs)
    sidecar = path.with_suffix(".terms.json")
    saved = _read_terms(sidecar)
    if saved is None and path.is_file():
        retrain = True  # the weights without their terms: train again to have both
    history = cached_train(model, name, train_set, test_set, objective=objective,
                           directory=directory, retrain=retrain, **train_kwargs)
    terms = objective.epochs()
    if not terms:
        return history, saved or []
    if path.is_file():  # cached (a run that diverged, or a save that failed, is not)
        text = json.dumps([asdict(t) for t in terms])
        try:
            write_atomically(sidecar, lambda temporary: Path(temporary).write_text(text))
        except Exception as error:  # a full disk, a read-only folder, ...
            reason = getattr(error, "strerror", None) or str(error)[:200]
            _warn(f"could not save the VAE's terms to {sidecar.name} ({type(error).__name__}: "
                  f"{reason}); the next run will train it again.")
    return history, terms


def _read_terms(sidecar: Path) -> list[EpochTerms] | None:
    """The saved per-epoch terms, or None when absent or unreadable (a warning then)."""
    try:
        text = sidecar.read_text()
    except FileNotFoundError:
        return None
    except OSError as error:
        _warn(f"could not read {sidecar.name} ({error.strerror or error}); training again.")
        return None
    try:
        return [EpochTerms(**t) for t in json.loads(text)]
    except (ValueError, TypeError) as error:
        _warn(f"{sidecar.name} is not a terms file ({type(error).__name__}); training again.")
        return None


# --------------------------------------------------------------------------- lesson 10's variants


def variants_data() -> tuple[ImageSet, ImageSet]:
    """The images lesson 10 trains and tests every variant on: 4,000 and 1,000 (FAST: 1,500 and 300)."""
    train_set = load_mnist("train").subset(budget(full=4_000, fast=1_500))
    test_set = load_mnist("test").subset(budget(full=1_000, fast=300))
    return train_set, test_set


VARIANTS = Recipe(lr=5e-3, steps=750, fast_steps=141, loss="bce")
"""Every model of lesson 10 (VAE, its plain twin, sparse, denoising, stacked): 750 steps of
32 images, Adam at 5e-3 annealed to zero by the cosine schedule."""

VAE_2D = Recipe(lr=3e-3, steps=3_000, fast_steps=282, loss="bce")
"""The 2-D VAE: four times the variants' steps, at a slightly lower rate. With two numbers
per image the decoder does all the work of drawing a digit: ``ConvVAE(2)`` without a
hidden layer ends near the same test −ELBO after 750 and after 3,000 steps, while with
one (``VAE_2D_HIDDEN``) it keeps improving through the longer run."""

#: Width of the 2-D VAE's hidden layer on each side of its code (``ConvVAE(hidden=...)``).
VAE_2D_HIDDEN = 64


def vae_2d(train_set: ImageSet, test_set: ImageSet | None
           ) -> tuple[ConvVAE, History, list[EpochTerms]]:
    """Lesson 10's 2-D VAE, ``ConvVAE(2, hidden=64)``, trained (or loaded) with ``VAE_2D``.

    Returns ``(model, history, terms)`` as :func:`train_vae` does.
    """
    seed_everything(0)
    model = ConvVAE(2, hidden=VAE_2D_HIDDEN)
    history, terms = train_vae(model, "10_vae_2d", train_set, test_set,
                               **VAE_2D.settings(len(train_set)))
    return model, history, terms
