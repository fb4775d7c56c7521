"""The course's standard trained models: one recipe each, shared by every lesson that needs them.

Lessons 01–04 train these models; later lessons (06, 07, …) ask for the same recipe and
get the same weights back from the checkpoint cache in a fraction of a second, or train
them if the earlier lessons have not been run. One place sets each model's budget:

=================  ===================  ==================
                   learner mode         FAST mode
=================  ===================  ==================
training images    up to 12,000         1,500
test images        up to 2,000          300
epochs             see each recipe      2
batch size         128                  32
=================  ===================  ==================
"""

from __future__ import annotations

from torch import nn

from .config import budget, seed_everything
from .data import ImageSet, load_mnist
from .models import DeepAutoencoder, DeepConvAutoencoder, FCAutoencoder, SimpleConvAutoencoder
from .training import History, cached_train


def standard_data() -> tuple[ImageSet, ImageSet]:
    """The MNIST training and test images every standard recipe uses (a fixed subset)."""
    train_set = load_mnist("train").subset(budget(full=12_000, fast=1_500))
    test_set = load_mnist("test").subset(budget(full=2_000, fast=300))
    return train_set, test_set


def _recipe(name: str, model: nn.Module, train_set: ImageSet, test_set: ImageSet,
            epochs: int, lr: float) -> tuple[nn.Module, History]:
    history = cached_train(model, name, train_set, test_set, epochs=epochs,
                           batch_size=budget(full=128, fast=32), lr=lr, loss="mse", seed=0)
    return model, history


def simple_conv(train_set: ImageSet, test_set: ImageSet) -> tuple[SimpleConvAutoencoder, History]:
    """SimpleConvAutoencoder, Adam at lr 3e-3, MSE, 5 epochs (FAST: 2)."""
    seed_everything(0)
    return _recipe("simple_conv", SimpleConvAutoencoder(), train_set, test_set,
                   epochs=budget(full=5, fast=2), lr=3e-3)


def deep_conv(train_set: ImageSet, test_set: ImageSet,
              latent_channels: int = 64) -> tuple[DeepConvAutoencoder, History]:
    """DeepConvAutoencoder(latent_channels), Adam at lr 2e-3, MSE, 5 epochs (FAST: 2)."""
    seed_everything(0)
    return _recipe(f"deep_conv_{latent_channels}", DeepConvAutoencoder(latent_channels),
                   train_set, test_set, epochs=budget(full=5, fast=2), lr=2e-3)


def deep_fc(train_set: ImageSet, test_set: ImageSet) -> tuple[DeepAutoencoder, History]:
    """The stacked DeepAutoencoder (784→512→256→128→32), Adam at lr 1e-3, MSE, 10 epochs (FAST: 2)."""
    seed_everything(0)
    return _recipe("deep_fc", DeepAutoencoder(), train_set, test_set,
                   epochs=budget(full=10, fast=2), lr=1e-3)


def fc(train_set: ImageSet, test_set: ImageSet) -> tuple[FCAutoencoder, History]:
    """The seed's FCAutoencoder (784→256→128→64), Adam at lr 1e-3, MSE, 10 epochs (FAST: 2)."""
    seed_everything(0)
    return _recipe("fc", FCAutoencoder(), train_set, test_set,
                   epochs=budget(full=10, fast=2), lr=1e-3)
