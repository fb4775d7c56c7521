"""Tests for course_utils.pretraining: stages of a stacked autoencoder, layer-wise training."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from course_utils.config import seed_everything
from course_utils.models import DeepAutoencoder, DeepConvAutoencoder, FCAutoencoder
from course_utils.pretraining import (
    StageAutoencoder,
    layer_stages,
    pretrain_layerwise,
    stage_codes,
)


def _images(n: int = 64, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=g)


def test_stages_of_the_default_deep_autoencoder_mirror_its_widths():
    stages = layer_stages(DeepAutoencoder())
    assert [(s.in_features, s.out_features) for s in stages] == [
        (784, 512), (512, 256), (256, 128), (128, 32)]


def test_stages_share_the_models_modules_not_copies():
    model = DeepAutoencoder()
    stages = layer_stages(model)
    assert stages[0].encoder[1] is model.encoder[1]  # the first Linear (after Flatten)
    assert stages[0].decoder[-1] is model.decoder[-1]  # the final Unflatten
    assert stages[-1].encoder[-1] is model.encoder[-1]  # the ReLU on the code
    ids = {id(p) for s in stages for part in (s.encoder, s.decoder) for p in part.parameters()}
    assert ids == {id(p) for p in model.parameters()}


def test_stages_cover_every_layer_exactly_once():
    model = DeepAutoencoder(batchnorm=False, dropout=0.0)
    stages = layer_stages(model)
    enc = [m for s in stages for m in s.encoder]
    dec = [m for s in reversed(stages) for m in s.decoder]
    assert enc == list(model.encoder)
    assert dec == list(model.decoder)


def test_stage_autoencoders_keep_shapes():
    model = DeepAutoencoder()
    stages = layer_stages(model)
    first = StageAutoencoder(stages[0], first=True).eval()
    x = _images(4)
    assert first(x).shape == x.shape
    codes = stage_codes(stages[0], x, first=True)
    assert codes.shape == (4, 1, 1, 512)
    inner = StageAutoencoder(stages[1], first=False).eval()
    assert inner(codes).shape == codes.shape
    assert inner.encode(codes).shape == (4, 256)


def test_non_mirrored_or_non_linear_models_are_refused():
    with pytest.raises(TypeError, match="Sequential"):
        bad = FCAutoencoder()
        bad.encoder = nn.ModuleList(list(bad.encoder))  # type: ignore[assignment]
        layer_stages(bad)
    with pytest.raises(ValueError, match="no nn.Linear"):
        layer_stages(DeepConvAutoencoder())
    lopsided = FCAutoencoder()
    lopsided.decoder = nn.Sequential(nn.Linear(64, 784), nn.Sigmoid(), nn.Unflatten(1, (1, 28, 28)))
    with pytest.raises(ValueError, match="mirror"):
        layer_stages(lopsided)


def test_pretraining_trains_only_the_current_stage():
    seed_everything(0)
    model = DeepAutoencoder()
    stages = layer_stages(model)
    x = _images(64)
    before_first = stages[0].encoder[1].weight.detach().clone()
    before_last = stages[-1].encoder[0].weight.detach().clone()
    # Pretrain only stage 1 by hand, as pretrain_layerwise does: the inner stages stay put.
    from course_utils.training import train

    train(StageAutoencoder(stages[0], first=True), x, epochs=1, batch_size=32, progress=False,
          device="cpu")
    assert not torch.equal(stages[0].encoder[1].weight, before_first)
    assert torch.equal(stages[-1].encoder[0].weight, before_last)


def test_pretrain_layerwise_returns_one_history_per_stage_and_changes_every_layer():
    seed_everything(0)
    model = DeepAutoencoder(hidden_sizes=(64, 32), latent_dim=8)
    before = {k: v.detach().clone() for k, v in model.state_dict().items()
              if k.endswith("weight")}
    histories = pretrain_layerwise(model, _images(96), epochs_per_stage=2, lr=3e-3,
                                   batch_size=32, progress=False, device="cpu")
    assert len(histories) == 3
    assert all(h.epochs == 2 for h in histories)
    assert all(torch.isfinite(torch.tensor(h.train_loss)).all() for h in histories)
    after = model.state_dict()
    changed = [k for k, v in before.items() if not torch.equal(v, after[k])]
    assert set(changed) == set(before)  # every Linear and BatchNorm weight was trained
    assert not model.training  # left in eval mode, ready to measure


def test_the_first_stage_learns_to_reconstruct_images():
    seed_everything(0)
    model = DeepAutoencoder(hidden_sizes=(64,), latent_dim=16, dropout=0.0)
    x = _images(128)
    histories = pretrain_layerwise(model, x, epochs_per_stage=8, lr=1e-2, batch_size=32,
                                   progress=False, device="cpu")
    first = histories[0]
    assert first.train_loss[-1] < first.train_loss[0]


def test_epochs_per_stage_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        pretrain_layerwise(DeepAutoencoder(), _images(8), epochs_per_stage=0)
