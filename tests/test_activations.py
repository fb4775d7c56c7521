"""Tests for course_utils.activations: layer activations, grids, dead units, similarity."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_utils.activations import (  # noqa: E402
    as_grid,
    class_similarity,
    dead_unit_share,
    dead_units,
    layer_activations,
    show_layer_activations,
)
from course_utils.config import seed_everything  # noqa: E402
from course_utils.models import DeepAutoencoder, SimpleConvAutoencoder  # noqa: E402


def test_layer_activations_have_the_encoder_widths_and_are_non_negative():
    seed_everything(0)
    model = DeepAutoencoder()
    model.train()
    acts = layer_activations(model, torch.rand(5, 1, 28, 28))
    assert [tuple(a.shape) for a in acts] == [(5, 512), (5, 256), (5, 128), (5, 32)]
    assert all(float(a.min()) >= 0 for a in acts)  # every one is taken after a ReLU
    assert model.training  # the mode is restored


def test_layer_activations_are_deterministic_in_eval_mode():
    seed_everything(0)
    model = DeepAutoencoder(dropout=0.5)
    x = torch.rand(3, 1, 28, 28)
    first, second = layer_activations(model, x), layer_activations(model, x)
    assert all(torch.equal(a, b) for a, b in zip(first, second))


def test_layer_activations_need_get_layer_outputs():
    with pytest.raises(TypeError, match="get_layer_outputs"):
        layer_activations(SimpleConvAutoencoder(), torch.rand(1, 1, 28, 28))


@pytest.mark.parametrize("n", [1, 2, 5, 32, 128, 256, 512, 784])
def test_as_grid_keeps_every_value_in_order_and_pads_with_nan(n):
    values = np.arange(n, dtype=float)
    grid = as_grid(values)
    rows, cols = grid.shape
    assert cols == math.ceil(math.sqrt(n)) and rows * cols >= n
    assert rows * cols - n < cols  # never a whole blank row
    np.testing.assert_array_equal(grid.ravel()[:n], values)
    assert np.isnan(grid.ravel()[n:]).all()


def test_as_grid_refuses_empty_vectors():
    with pytest.raises(ValueError, match="empty"):
        as_grid(np.array([]))


def test_dead_units_are_the_columns_that_are_always_zero():
    acts = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0], [0.0, 3.0, 0.0]])
    assert dead_units(acts).tolist() == [True, False, False]
    assert dead_unit_share(acts) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="N×D"):
        dead_units(torch.zeros(2, 3, 4))


def test_class_similarity_separates_clustered_features():
    features = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    labels = torch.tensor([0, 0, 1, 1])
    within, between = class_similarity(features, labels)
    assert within > 0.98 and between < 0.2
    assert class_similarity(features, torch.tensor([0, 1, 0, 1]))[0] < 0.2


def test_centred_class_similarity_removes_the_shared_offset():
    """Non-negative features with a large common offset: uncentred, every pair looks alike;
    centred, only the pairs of one class do, and unrelated pairs sit near or below 0."""
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(40) % 4
    signal = torch.nn.functional.one_hot(labels, 4).float()
    features = 5.0 + signal + 0.1 * torch.rand(40, 4, generator=generator)  # all ≥ 5
    within, between = class_similarity(features, labels)
    assert between > 0.95  # the offset dominates: different classes look alike
    c_within, c_between = class_similarity(features, labels, centred=True)
    assert c_within > 0.9 and c_between < 0.0
    assert c_within - c_between > within - between


def test_class_similarity_checks_its_inputs():
    with pytest.raises(ValueError, match="labels"):
        class_similarity(torch.rand(3, 2), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="two"):
        class_similarity(torch.rand(2, 2), torch.tensor([0, 1]))


def test_show_layer_activations_draws_one_row_per_image_with_labels():
    seed_everything(0)
    model = DeepAutoencoder()
    fig = show_layer_activations(model, torch.rand(3, 1, 28, 28), labels=[1, 2, 3],
                                 title="test")
    axes = fig.axes
    assert len(axes) == 3 * 6  # input, four layers, reconstruction
    assert axes[0].get_ylabel() == "digit 1"
    assert axes[1].get_title() == "layer 1: 512 units"
    assert fig._suptitle.get_text() == "test"
    plt.close(fig)
