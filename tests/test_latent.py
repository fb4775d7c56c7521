"""Tests for course_utils.latent: encoder outputs, 2-D embeddings, neighbours, interpolation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.config import seed_everything
from course_utils.latent import (
    embed_2d,
    encoder_outputs,
    filter_change,
    input_resemblance,
    interpolate,
    nearest_neighbours,
    neighbour_label_agreement,
)
from course_utils.models import DeepConvAutoencoder, FCAutoencoder


def test_encoder_outputs_gives_one_output_per_conv_stage():
    seed_everything(0)
    model = DeepConvAutoencoder(latent_channels=8)
    outputs = encoder_outputs(model, torch.rand(2, 1, 28, 28))
    assert [tuple(v.shape) for v in outputs.values()] == [(2, 16, 14, 14), (2, 32, 7, 7),
                                                          (2, 8, 3, 3)]
    assert list(outputs)[0] == "layer 3 (MaxPool2d): 16×14×14"


def test_last_stage_is_the_code_and_training_mode_is_restored():
    seed_everything(0)
    model = DeepConvAutoencoder(latent_channels=4)
    model.train()
    x = torch.rand(3, 1, 28, 28)
    last = list(encoder_outputs(model, x).values())[-1]
    assert model.training, "encoder_outputs must restore training mode"
    model.eval()
    with torch.no_grad():
        assert torch.allclose(last, model.encode(x))


def test_encoder_outputs_after_relu_gives_fc_activations():
    seed_everything(0)
    model = FCAutoencoder(hidden_sizes=(64, 32, 8))
    outputs = encoder_outputs(model, torch.rand(5, 1, 28, 28), after=(nn.ReLU,))
    assert [v.shape[1] for v in outputs.values()] == [64, 32, 8]
    assert all((v >= 0).all() for v in outputs.values())


def test_encoder_outputs_rejects_models_it_cannot_read():
    class NoSequential(nn.Module):
        encoder = None

    with pytest.raises(TypeError):
        encoder_outputs(NoSequential(), torch.rand(1, 1, 28, 28))
    with pytest.raises(ValueError, match="no MaxPool2d"):
        encoder_outputs(FCAutoencoder(), torch.rand(1, 1, 28, 28))


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_embed_2d_gives_two_numbers_per_code(method):
    codes = torch.randn(40, 4, 3, 3)
    points = embed_2d(codes, method, seed=0)
    assert points.shape == (40, 2)
    assert np.isfinite(points).all()


def test_embed_2d_pca_finds_the_direction_of_largest_variance():
    g = torch.Generator().manual_seed(0)
    codes = torch.randn(200, 5, generator=g) * torch.tensor([0.1, 0.1, 10.0, 0.1, 0.1])
    points = embed_2d(codes, "pca")
    first = np.abs(np.corrcoef(points[:, 0], codes[:, 2].numpy())[0, 1])
    assert first > 0.99


def test_embed_2d_rejects_bad_input():
    with pytest.raises(ValueError, match="method"):
        embed_2d(torch.randn(10, 3), "umap")
    with pytest.raises(ValueError, match="at least 3"):
        embed_2d(torch.randn(2, 3))


def test_nearest_neighbour_of_a_bank_member_is_itself():
    bank = torch.randn(30, 6)
    found = nearest_neighbours(bank[[4, 17]], bank, k=3)
    assert found.shape == (2, 3)
    assert found[:, 0].tolist() == [4, 17]


def test_nearest_neighbours_are_sorted_by_distance():
    bank = torch.tensor([[0.0], [10.0], [1.0], [3.0]])
    assert nearest_neighbours(torch.tensor([[0.2]]), bank, k=4).tolist() == [[0, 2, 3, 1]]
    with pytest.raises(ValueError):
        nearest_neighbours(bank, bank, k=5)


def test_neighbour_label_agreement_extremes():
    clusters = torch.cat([torch.zeros(5, 2), torch.full((5, 2), 100.0)]) + torch.rand(10, 2)
    labels = torch.tensor([0] * 5 + [1] * 5)
    assert neighbour_label_agreement(clusters, labels) == 1.0
    line = torch.arange(6, dtype=torch.float32)[:, None] * torch.tensor([[1.0, 0.0]])
    line[1::2] += 0.01  # pairs (0,1), (2,3), (4,5) are closest, and always differ in label
    assert neighbour_label_agreement(line, torch.tensor([0, 1, 0, 1, 0, 1])) == 0.0


def test_interpolate_ends_and_middle():
    a, b = torch.zeros(4, 3, 3), torch.ones(4, 3, 3)
    path = interpolate(a, b, steps=5)
    assert path.shape == (5, 4, 3, 3)
    assert torch.equal(path[0], a) and torch.equal(path[-1], b)
    assert torch.allclose(path[2], torch.full((4, 3, 3), 0.5))


def test_interpolate_rejects_bad_input():
    with pytest.raises(ValueError, match="shape"):
        interpolate(torch.zeros(3), torch.zeros(4))
    with pytest.raises(ValueError, match="steps"):
        interpolate(torch.zeros(3), torch.ones(3), steps=1)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 12), st.integers(0, 10_000))
def test_interpolated_codes_lie_on_the_segment(steps, seed):
    g = torch.Generator().manual_seed(seed)
    a, b = torch.randn(6, generator=g, dtype=torch.float64), torch.randn(6, generator=g,
                                                                        dtype=torch.float64)
    path = interpolate(a, b, steps)
    total = torch.dist(a, b)
    for point in path:
        assert torch.isclose(torch.dist(a, point) + torch.dist(point, b), total)
    gaps = torch.stack([torch.dist(p, q) for p, q in zip(path[:-1], path[1:])])
    assert torch.allclose(gaps, gaps[0].expand_as(gaps))  # evenly spaced


def test_input_resemblance_is_one_for_the_image_and_minus_one_for_its_negative():
    images = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    pooled = torch.nn.functional.avg_pool2d(images, 2)  # 4×1×14×14
    maps = torch.cat([pooled, 1 - pooled, torch.full_like(pooled, 0.3)], dim=1)  # 4×3×14×14
    torch.testing.assert_close(input_resemblance(maps, images), torch.tensor([1.0, -1.0, 0.0]))
    with pytest.raises(ValueError):
        input_resemblance(maps[:2], images)


def test_filter_change_is_relative_to_the_initial_size():
    initial = torch.ones(3, 1, 3, 3)
    trained = initial.clone()
    trained[1] *= 2  # moved by its own size
    trained[2] = 0  # moved to zero: also its own size
    torch.testing.assert_close(filter_change(trained, initial), torch.tensor([0.0, 1.0, 1.0]))
    with pytest.raises(ValueError):
        filter_change(trained[:2], initial)
