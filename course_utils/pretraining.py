"""Greedy layer-wise pretraining of a stacked autoencoder, as in Hinton & Salakhutdinov (2006).

Before ReLU, BatchNorm and Adam, deep autoencoders were trained one layer at a time:

1. train a shallow autoencoder ``x → h1 → x`` (the first encoder layer and the last
   decoder layer of the deep model);
2. freeze it, compute ``h1`` for every image, and train ``h1 → h2 → h1`` on those codes;
3. continue inwards until the bottleneck;
4. the layers already sit in the deep model: fine-tune it end to end.

:func:`layer_stages` cuts a stacked model (such as :class:`~course_utils.models.DeepAutoencoder`)
into these pairs of layers; :func:`pretrain_layerwise` runs steps 1 to 3 with the course's
own :func:`~course_utils.training.train`, so every stage returns an ordinary ``History``.
The layers are shared with the deep model: pretraining a stage changes the deep model's
weights in place, and step 4 is a plain ``train(model, ...)`` afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .models.base import Autoencoder
from .summary import device_of, eval_mode
from .training import History, Images, images_of, train


@dataclass
class Stage:
    """One shallow autoencoder inside a stacked one: an encoder layer and its mirror.

    ``encoder`` maps the previous layer's code (or the image) to this layer's code;
    ``decoder`` maps it back. Both hold the deep model's own modules, not copies.
    """

    encoder: nn.Sequential
    decoder: nn.Sequential
    in_features: int
    out_features: int


def _split_at_linear(layers: nn.Sequential) -> list[list[nn.Module]]:
    """Cut a Sequential into groups that each start with an ``nn.Linear``.

    Modules before the first Linear (a Flatten) join the first group; modules after the
    last Linear (its activation, an Unflatten) stay in the last group.
    """
    groups: list[list[nn.Module]] = []
    leading: list[nn.Module] = []
    for module in layers:
        if isinstance(module, nn.Linear):
            groups.append([*leading, module])
            leading = []
        elif groups:
            groups[-1].append(module)
        else:
            leading.append(module)
    if not groups:
        raise ValueError("the model has no nn.Linear layers to pretrain one by one")
    return groups


def _first_linear(group: list[nn.Module]) -> nn.Linear:
    return next(m for m in group if isinstance(m, nn.Linear))


def layer_stages(model: Autoencoder) -> list[Stage]:
    """The model's shallow autoencoders, outermost first.

    For the default DeepAutoencoder (784 → 512 → 256 → 128 → 32): four stages,
    784→512→784, 512→256→512, 256→128→256 and 128→32→128. Stage ``k`` pairs encoder
    layer ``k`` with decoder layer ``n − 1 − k``; their widths must mirror each other.
    """
    if not isinstance(model.encoder, nn.Sequential) or not isinstance(model.decoder,
                                                                      nn.Sequential):
        raise TypeError("layer-wise pretraining needs a model whose encoder and decoder are "
                        "nn.Sequential stacks of Linear layers")
    enc_groups = _split_at_linear(model.encoder)
    dec_groups = _split_at_linear(model.decoder)
    if len(enc_groups) != len(dec_groups):
        raise ValueError(f"the encoder has {len(enc_groups)} Linear layers and the decoder "
                         f"{len(dec_groups)}: they must mirror each other")
    stages = []
    for enc, dec in zip(enc_groups, reversed(dec_groups)):
        down, up = _first_linear(enc), _first_linear(dec)
        if (down.in_features, down.out_features) != (up.out_features, up.in_features):
            raise ValueError(
                f"encoder layer {down.in_features}→{down.out_features} is not mirrored by "
                f"decoder layer {up.in_features}→{up.out_features}")
        stages.append(Stage(nn.Sequential(*enc), nn.Sequential(*dec),
                            down.in_features, down.out_features))
    return stages


class StageAutoencoder(Autoencoder):
    """A stage as a small autoencoder that :func:`~course_utils.training.train` accepts.

    Inner stages see codes, not images. ``train`` expects N×C×H×W tensors, so codes of
    width D are stored as N×1×1×D and flattened/unflattened around the stage's layers.
    The first stage already flattens and unflattens the image itself.
    """

    def __init__(self, stage: Stage, first: bool) -> None:
        super().__init__()
        if first:
            self.encoder, self.decoder = stage.encoder, stage.decoder
        else:
            self.encoder = nn.Sequential(nn.Flatten(), stage.encoder)  # N×1×1×D → N×D → N×d
            self.decoder = nn.Sequential(stage.decoder,
                                         nn.Unflatten(1, (1, 1, stage.in_features)))


@torch.no_grad()
def stage_codes(stage: Stage, inputs: torch.Tensor, first: bool,
                batch_size: int = 1000) -> torch.Tensor:
    """Run a trained (frozen) stage's encoder over ``inputs``, in eval mode: N×1×1×d codes."""
    shallow = StageAutoencoder(stage, first)
    device = device_of(shallow)
    outputs = []
    with eval_mode(shallow):
        for start in range(0, len(inputs), batch_size):
            outputs.append(shallow.encode(inputs[start:start + batch_size].to(device)).cpu())
    codes = torch.cat(outputs)  # N×d
    return codes.reshape(len(codes), 1, 1, -1)


def pretrain_layerwise(model: Autoencoder, train_set: Images, *, epochs_per_stage: int,
                       lr: float = 1e-3, batch_size: int = 128, seed: int = 0,
                       progress: bool | None = None, **train_kwargs) -> list[History]:
    """Greedy layer-wise pretraining of ``model`` in place; one ``History`` per stage.

    Stage 1 learns to reconstruct the images; each later stage learns to reconstruct the
    codes of the frozen stages before it (computed once, in eval mode, so Dropout is off
    and BatchNorm uses its running statistics). Only the current stage's parameters are
    trained. Afterwards, fine-tune the whole model with ``train(model, ...)``.

    Each stage makes ``epochs_per_stage`` passes over the training images, so the whole
    pretraining costs ``len(stages) × epochs_per_stage`` image-passes per image.
    """
    if epochs_per_stage < 1:
        raise ValueError(f"epochs_per_stage must be at least 1, got {epochs_per_stage}")
    inputs = images_of(train_set)
    histories = []
    for k, stage in enumerate(layer_stages(model)):
        shallow = StageAutoencoder(stage, first=(k == 0))
        histories.append(train(shallow, inputs, epochs=epochs_per_stage, lr=lr,
                               batch_size=batch_size, seed=seed + k, progress=progress,
                               **train_kwargs))
        inputs = stage_codes(stage, inputs, first=(k == 0))  # the frozen stage's codes
    model.eval()
    return histories
