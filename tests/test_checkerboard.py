"""Overlap counts, the checkerboard share, and the upsampling stacks of lesson 05."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.checkerboard import (
    STACK_KINDS,
    FlatUpsampleConvAutoencoder,
    checkerboard_share,
    checkerboard_share_per_image,
    overlap_counts,
    overlap_counts_1d,
    super_resolution_objective,
    upsampling_stack,
    white_noise_share,
)
from course_utils.config import seed_everything
from course_utils.models import FlatConvAutoencoder
from course_utils.summary import count_parameters, macs_per_image


@pytest.mark.parametrize("k,s,n", [(3, 2, 5), (4, 2, 4), (1, 3, 3), (7, 4, 2), (2, 1, 6)])
def test_overlap_counts_equal_a_transposed_convolution_of_ones(k, s, n):
    expected = F.conv_transpose2d(torch.ones(1, 1, n, n), torch.ones(1, 1, k, k), stride=s)
    np.testing.assert_array_equal(overlap_counts(k, s, n), expected[0, 0].numpy().astype(int))


def test_k3_s2_is_uneven_and_k4_s2_is_even_inside():
    assert overlap_counts_1d(3, 2, 5).tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1]
    assert set(overlap_counts_1d(4, 2, 5)[2:-2].tolist()) == {2}
    assert set(overlap_counts(3, 2, 5)[2:-2, 2:-2].ravel().tolist()) == {1, 2, 4}
    with pytest.raises(ValueError):
        overlap_counts_1d(0, 2, 5)


def test_share_is_one_for_a_pure_checkerboard_and_zero_for_a_constant():
    y, x = torch.meshgrid(torch.arange(28), torch.arange(28), indexing="ij")
    board = 0.5 + 0.1 * (-1.0) ** (x + y)
    stripes = 0.3 + 0.2 * (-1.0) ** y
    images = torch.stack([board, stripes, torch.full((28, 28), 0.7)])[:, None]
    shares = checkerboard_share_per_image(images)
    torch.testing.assert_close(shares, torch.tensor([1.0, 1.0, 0.0]))


def test_share_of_smooth_images_is_small_and_of_noise_is_near_its_expectation():
    y, x = torch.meshgrid(torch.linspace(0, 1, 28), torch.linspace(0, 1, 28), indexing="ij")
    smooth = torch.exp(-((x - 0.5) ** 2 + (y - 0.4) ** 2) / 0.05)[None, None]
    assert checkerboard_share(smooth) < 1e-4
    noise = torch.rand(2000, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    assert math.isclose(checkerboard_share(noise), white_noise_share(28, 28), rel_tol=0.1)


def test_share_is_a_fraction_and_needs_even_sizes():
    images = torch.rand(8, 3, 16, 12, generator=torch.Generator().manual_seed(1))
    shares = checkerboard_share_per_image(images)
    assert shares.shape == (8,) and bool(((shares >= 0) & (shares <= 1)).all())
    with pytest.raises(ValueError):
        checkerboard_share(torch.rand(1, 1, 7, 8))
    with pytest.raises(ValueError):
        checkerboard_share(torch.rand(7, 8))


@pytest.mark.parametrize("kind", STACK_KINDS)
def test_every_stack_doubles_per_layer(kind):
    torch.manual_seed(0)
    stack = upsampling_stack(kind, channels=4, layers=2)
    assert stack(torch.ones(1, 1, 7, 7)).shape == (1, 1, 28, 28)
    one_layer = upsampling_stack(kind, channels=4, layers=1)
    assert one_layer(torch.ones(1, 1, 3, 3)).shape == (1, 1, 6, 6)
    with pytest.raises(ValueError):
        upsampling_stack(kind, layers=0)


def test_at_initialisation_k3_s2_paints_more_checkerboard_than_nearest_upsampling():
    shares = {}
    for kind in STACK_KINDS:
        values = []
        for seed in range(5):
            torch.manual_seed(seed)
            with torch.no_grad():
                values.append(checkerboard_share(upsampling_stack(kind)(torch.ones(1, 1, 7, 7))))
        shares[kind] = sum(values) / len(values)
    assert shares["ConvTranspose2d k=3 s=2"] > 10 * shares["nearest Upsample + Conv2d"]


def test_super_resolution_objective_trains_a_stack():
    torch.manual_seed(0)
    stack = upsampling_stack("nearest Upsample + Conv2d", channels=4)
    objective = super_resolution_objective(4)
    images = torch.rand(16, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        before = float(objective(stack, images, images))
    opt = torch.optim.Adam(stack.parameters(), lr=1e-2)
    for _ in range(30):
        opt.zero_grad()
        objective(stack, images, images).backward()
        opt.step()
    with torch.no_grad():
        assert float(objective(stack, images, images)) < before


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        upsampling_stack("pixel shuffle")


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_flat_upsample_autoencoder_is_the_compact_model_with_another_decoder(mode):
    seed_everything(0)
    model = FlatUpsampleConvAutoencoder(32, mode)
    twin = FlatConvAutoencoder(32)
    x = torch.rand(3, 1, 28, 28)
    assert model.encode(x).shape == (3, 32) and model(x).shape == (3, 1, 28, 28)
    assert count_parameters(model) == count_parameters(twin)
    assert count_parameters(model.decoder) == count_parameters(twin.decoder)
    # the same encoder layers, so the same seed gives the same initial encoder
    seed_everything(0)
    again = FlatConvAutoencoder(32)
    for a, b in zip(model.encoder.parameters(), again.encoder.parameters(), strict=True):
        assert torch.equal(a, b)
    # each convolution runs at the output size: more work than a transposed convolution
    assert macs_per_image(model.decoder, (32,)) > 3 * macs_per_image(twin.decoder, (32,))


def test_flat_upsample_autoencoder_refuses_unknown_modes():
    with pytest.raises(ValueError, match="mode"):
        FlatUpsampleConvAutoencoder(32, "bicubic")
    with pytest.raises(ValueError):
        FlatUpsampleConvAutoencoder(0)
