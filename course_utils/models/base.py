"""The contract every autoencoder in the course follows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
from torch import nn


class NoLogitsError(ValueError):
    """A model has no output Sigmoid whose input could serve as logits (see :func:`logits_of`)."""


def final_sigmoid(model: nn.Module) -> tuple[str, nn.Sigmoid]:
    """The model's last ``nn.Sigmoid`` module (in the order its layers were built), by name."""
    found = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Sigmoid)]
    if not found:
        raise NoLogitsError(
            f"{type(model).__name__} has no nn.Sigmoid module, so the course cannot read its "
            f"logits (the values before the final Sigmoid), which loss=\"bce\" needs. End the "
            f"decoder with nn.Sigmoid() (a module, not torch.sigmoid in forward), as every "
            f"course model does, or train with loss=\"mse\".")
    return found[-1]


@contextmanager
def sigmoid_bypassed(model: nn.Module) -> Iterator[list[torch.Tensor]]:
    """Inside the block, the model's last ``nn.Sigmoid`` passes its input through unchanged.

    A *forward hook* (PyTorch calls it after the module runs) replaces the Sigmoid's
    output by its input. The list it yields collects that input once per call.
    """
    _, sigmoid = final_sigmoid(model)
    seen: list[torch.Tensor] = []

    def skip(_module: nn.Module, inputs: tuple[torch.Tensor, ...], _output: torch.Tensor):
        seen.append(inputs[0])
        return inputs[0]

    handle = sigmoid.register_forward_hook(skip)
    try:
        yield seen
    finally:
        handle.remove()


def logits_of(model: nn.Module, compute: Callable[[], torch.Tensor]) -> torch.Tensor:
    """What ``compute()`` returns with the model's final Sigmoid left out: the logits ``a``.

    ``compute`` runs the model (``lambda: model(x)``, ``lambda: model.decode(z)``). The
    result satisfies ``torch.sigmoid(a) == compute()``; losses such as
    ``binary_cross_entropy_with_logits`` take ``a``, because in float32 the Sigmoid rounds
    to exactly 0 or 1 for large ``|a|``, where its own gradient is exactly 0. The check
    below makes sure the Sigmoid really is the last thing the model computes (reshapes
    after it are fine), so a Sigmoid used inside the network is never mistaken for it.
    """
    name, _ = final_sigmoid(model)
    with sigmoid_bypassed(model) as seen:
        out = compute()
    if not isinstance(out, torch.Tensor):
        raise TypeError(
            f"{type(model).__name__} returned a {type(out).__name__}, not an image tensor: "
            f"forward(x) must return the reconstruction alone (a model that needs more, such "
            f"as a VAE, trains with the objective= argument of train())")
    last_is_sigmoid = (len(seen) == 1 and out.numel() == seen[0].numel()
                       and (out.data_ptr() == seen[0].data_ptr()
                            or torch.equal(out.reshape(-1), seen[0].reshape(-1))))
    if not last_is_sigmoid:
        raise NoLogitsError(
            f"the last nn.Sigmoid of {type(model).__name__} ({name}) is not the last thing "
            f"its forward computes, so its input is not the logits that loss=\"bce\" needs. "
            f"Make nn.Sigmoid() the decoder's last layer, give the model a logits(x) method "
            f"that returns the values before it, or train with loss=\"mse\".")
    return out


class Autoencoder(nn.Module):
    """An ``encoder`` and a ``decoder``, and the three methods the course relies on.

    Subclasses build ``self.encoder`` and ``self.decoder`` (usually ``nn.Sequential``).

    - ``encode(x)`` maps images N×C×H×W to codes ``z``;
    - ``decode(z)`` maps codes back to images;
    - ``forward(x)`` is ``decode(encode(x))`` and returns only the reconstruction, in [0, 1];
    - ``logits(x)`` (and ``decode_logits(z)``) return the same before the final Sigmoid.

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

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """``forward(x)`` before the final Sigmoid: ``forward(x) == torch.sigmoid(logits(x))``.

        Binary cross-entropy is computed from these (see :func:`logits_of` for why).
        """
        return logits_of(self, lambda: self.forward(x))

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """``decode(z)`` before the final Sigmoid (the VAE's reconstruction term uses it)."""
        return logits_of(self, lambda: self.decode(z))
