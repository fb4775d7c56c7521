"""What the exercises build and train with: the wrapper, the shared budget, the shared decoder.

Every model of lesson 11 is trained by :func:`train_and_score` on one budget (:data:`BUDGET`),
so that their errors can be compared; :class:`EncoderDecoder` turns any encoder and decoder
into a course autoencoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import nn

from ..data import ImageSet
from ..models.base import Autoencoder
from ..training import cached_train, evaluate


class EncoderDecoder(Autoencoder):
    """Wrap an encoder and a decoder (any modules) into a course autoencoder.

    >>> model = EncoderDecoder(nn.Sequential(nn.Flatten(), nn.Linear(784, 16)),
    ...                        nn.Sequential(nn.Linear(16, 784), nn.Unflatten(1, (1, 28, 28))))
    """

    def __init__(self, encoder: nn.Module, decoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder


BUDGET: dict[str, Any] = {"lr": 5e-3, "batch_size": 32, "scheduler": "cosine", "loss": "bce"}
"""What every exercise model shares, apart from the number of epochs: Adam at ``lr`` on
batches of ``batch_size``; a cosine schedule that anneals the learning rate to zero by the
last step (in a short run, that slow landing is worth more than extra epochs); and binary
cross-entropy as the training loss. BCE suits a Sigmoid output: its gradient does not
vanish when the Sigmoid saturates, where MSE's does, which can leave a model stuck drawing
the same dark image for every input. Models are *scored* with MSE per pixel, the
criterion PCA minimises, so that every error can stand beside PCA's."""


def train_and_score(model: nn.Module, name: str, train_set: ImageSet, test_set: ImageSet, *,
                    epochs: int, lr: float = BUDGET["lr"], batch_size: int = BUDGET["batch_size"],
                    scheduler: str | None = BUDGET["scheduler"],
                    loss: str = BUDGET["loss"]) -> float:
    """Train ``model`` (or load it from the checkpoint cache); return its test MSE per pixel.

    Every model of an exercise gets the same images, epochs, batch size, learning rate,
    schedule and loss: the same *budget*, so their errors can be compared.
    """
    cached_train(model, name, train_set, test_set, epochs=epochs, batch_size=batch_size, lr=lr,
                 scheduler=scheduler, loss=loss, seed=0)
    return evaluate(model, test_set, loss="mse")


def _decoder_layers(channels: Sequence[int], code_channels: int,
                    out_channels: int = 1) -> list[nn.Module]:
    """The decoder of exercises 1 and 2: 1×1 conv from the code, then one 2× upsampling per stage.

    code C×h×w → Conv 1×1 → c_last×h×w → ConvTranspose(2, stride 2) per stage, mirrored,
    ReLU between, Sigmoid at the end: → out_channels×(h·2^depth)×(w·2^depth).
    """
    back = list(reversed(channels))
    layers: list[nn.Module] = [nn.Conv2d(code_channels, back[0], kernel_size=1), nn.ReLU()]
    targets = back[1:] + [out_channels]
    for i, (a, b) in enumerate(zip(back, targets)):
        layers.append(nn.ConvTranspose2d(a, b, kernel_size=2, stride=2))  # h×w → 2h×2w
        layers.append(nn.Sigmoid() if i == len(back) - 1 else nn.ReLU())
    return layers
