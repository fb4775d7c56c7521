"""Tests for the drawing functions lesson 07 appended to course_utils.viz."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_utils.viz import (  # noqa: E402
    plot_latent_map,
    show_activations,
    show_feature_maps,
    show_filters,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


def _row_labels(fig):
    return [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]


def test_feature_maps_one_row_per_entry_with_labels():
    rows = {"input": torch.rand(1, 28, 28), "stage 1": torch.rand(16, 14, 14),
            "stage 2": torch.rand(4, 7, 7)}
    fig = show_feature_maps(rows, title="maps", max_maps=8)
    assert fig._suptitle.get_text() == "maps"
    assert _row_labels(fig) == ["input", "stage 1", "stage 2"]
    assert len(_image_axes(fig)) == 1 + 8 + 4  # capped at max_maps, short rows stay short


def test_filters_shows_every_kernel_on_one_shared_scale():
    weight = torch.randn(12, 3, 3, 3)
    fig = show_filters(weight, title="filters", columns=8)
    images = _image_axes(fig)
    assert len(images) == 12
    limits = {tuple(ax.images[0].get_clim()) for ax in images}
    assert len(limits) == 1
    low, high = limits.pop()
    assert low == -high == pytest.approx(-float(weight[:, 0].abs().max()))
    assert _row_labels(fig) == ["filters 0–7", "filters 8–11", "weight"]  # last: colour bar


def test_activations_rows_are_images_and_columns_are_layers():
    images = torch.rand(2, 1, 28, 28)
    acts = {"layer A: 10": torch.rand(2, 10), "layer B: 4": torch.rand(2, 4)}
    fig = show_activations(images, acts, torch.rand(2, 1, 28, 28), title="acts",
                           row_labels=["digit 3", "digit 5"])
    assert len(_image_axes(fig)) == 2 * 4
    titles = [ax.get_title() for ax in fig.axes[:4]]
    assert titles == ["input", "layer A: 10", "layer B: 4", "reconstruction"]
    assert _row_labels(fig) == ["digit 3", "digit 5"]
    square = fig.axes[1].images[0].get_array()
    assert square.shape == (4, 4)  # 10 values on the smallest square that holds them
    assert np.allclose(np.asarray(square).ravel()[10:], 0)


def test_latent_map_colours_by_label_with_a_legend():
    points = np.random.default_rng(0).normal(size=(50, 2))
    labels = np.arange(50) % 5
    fig = plot_latent_map(points, labels, title="codes", xlabel="PC1", ylabel="PC2")
    ax = fig.axes[0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("codes", "PC1", "PC2")
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["0", "1", "2", "3", "4"]
    assert len(ax.collections) == 5


def test_interpolation_strip_titles_columns_with_t_and_labels_rows():
    from course_utils.viz import show_interpolation

    rows = {"pixel blend": torch.rand(5, 1, 28, 28), "code": torch.rand(5, 1, 28, 28)}
    fig = show_interpolation(rows, title="A to B")
    assert fig._suptitle.get_text() == "A to B"
    assert [ax.get_title() for ax in fig.axes[:5]] == ["t = 0.00", "t = 0.25", "t = 0.50",
                                                      "t = 0.75", "t = 1.00"]
    assert _row_labels(fig) == ["pixel blend", "code"]
    with pytest.raises(ValueError):
        show_interpolation({"one": torch.rand(1, 1, 28, 28)}, title="x")
