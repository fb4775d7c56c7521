"""Parameter counts, code sizes, compression ratios, multiply-accumulates, tables."""

from __future__ import annotations

import torch
from torch import nn

import pytest

from course_utils import models
from course_utils.models import DeepConvAutoencoder, FCAutoencoder, SimpleConvAutoencoder
from course_utils.models.base import Autoencoder
from course_utils.summary import (
    compare_models,
    compression_ratio,
    count_parameters,
    latent_size,
    macs_per_image,
    parameter_table,
)


def test_parameter_table_shows_the_products_and_total() -> None:
    table = parameter_table(SimpleConvAutoencoder())
    assert table["parameter shapes"].tolist()[:2] == ["16×1×3×3 + 16", "16×1×2×2 + 1"]
    assert table["parameters"].tolist() == [160, 65, 225]


def test_latent_size_and_compression() -> None:
    assert latent_size(SimpleConvAutoencoder()) == 3136
    assert compression_ratio(SimpleConvAutoencoder()) == 784 / 3136  # overcomplete: 0.25
    assert latent_size(DeepConvAutoencoder()) == 576
    assert round(compression_ratio(FCAutoencoder()), 2) == 12.25


def test_macs_by_hand() -> None:
    class Tiny(Autoencoder):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = nn.Conv2d(1, 2, 3, padding=1)  # 2×4×4 outputs × 9 products
            self.decoder = nn.Sequential(nn.ConvTranspose2d(2, 1, 2, stride=2),  # 32 inputs × 4
                                         nn.Flatten(), nn.Linear(64, 16), nn.Unflatten(1, (1, 4, 4)))

    model = Tiny()
    assert macs_per_image(model, (1, 4, 4)) == 2 * 16 * 9 + 32 * 1 * 4 + 64 * 16


def test_macs_of_the_fc_model_equal_its_weights() -> None:
    model = FCAutoencoder()
    weights = sum(m.weight.numel() for m in model.modules() if isinstance(m, nn.Linear))
    assert macs_per_image(model) == weights


def test_compare_models_and_trainable_count() -> None:
    table = compare_models({"simple": SimpleConvAutoencoder(), "deep": DeepConvAutoencoder()})
    assert table["parameters"].tolist() == [225, 83_905]
    assert table["code size"].tolist() == [3_136, 576]
    model = SimpleConvAutoencoder()
    model.encoder[0].weight.requires_grad_(False)
    assert count_parameters(model, trainable_only=True) == 225 - 144


# Multiply-accumulates per image that the course's hand-written counter (one forward hook per
# Conv2d, ConvTranspose2d and Linear layer) gave for every model, before FlopCounterMode.
HAND_COUNTED_MACS = {
    "SimpleConvAutoencoder": 125_440,
    "DeepConvAutoencoder": 4_170_240,
    "FCAutoencoder": 483_328,
    "DeepAutoencoder": 1_138_688,
    "FlatConvAutoencoder": 570_752,
    "ConvVAE": 602_112,
    "SparseConvAutoencoder": 708_736,
    "UNetAutoencoder": 3_462_144,
    "UpsampleConvAutoencoder": 11_063_808,
}


@pytest.mark.parametrize("name", sorted(HAND_COUNTED_MACS))
def test_flop_counter_macs_equal_the_hand_counts(name: str) -> None:
    assert macs_per_image(getattr(models, name)()) == HAND_COUNTED_MACS[name]


def test_measurements_leave_training_mode_alone() -> None:
    model = DeepConvAutoencoder().train()
    latent_size(model)
    macs_per_image(model)
    assert model.training
    assert torch.is_grad_enabled()
