"""UNetAutoencoder: shapes, parameter counts, the contract, and the leaky bottleneck."""

from __future__ import annotations

import pytest
import torch

from course_utils.models import Autoencoder, UNetAutoencoder
from course_utils.summary import count_parameters


def test_shapes_through_the_unet():
    model = UNetAutoencoder().eval()
    x = torch.rand(2, 1, 28, 28)
    z, (s1, s2) = model.encode_with_skips(x)
    assert z.shape == (2, 4, 7, 7)
    assert s1.shape == (2, 16, 28, 28)
    assert s2.shape == (2, 32, 14, 14)
    assert model(x).shape == x.shape
    assert model.decode(z).shape == x.shape  # from the code alone, zero skips
    assert isinstance(model, Autoencoder)


def test_colour_and_other_sizes():
    model = UNetAutoencoder(in_channels=3, channels=(8, 16), code_channels=2).eval()
    x = torch.rand(1, 3, 32, 32)
    assert model(x).shape == x.shape
    assert model.encode(x).shape == (1, 2, 8, 8)
    with pytest.raises(ValueError, match="multiples of 4"):
        model(torch.rand(1, 3, 30, 30))


def test_parameter_counts_by_hand():
    # conv 1→16 (3×3): 160; conv 16→32: 4,640; bottleneck 32→4 (1×1): 132;
    # from_code 4→32: 160; up2 32→32 (2×2): 4,128; up1 16→16 (2×2): 1,040;
    # merge2 (64 or 32)→16 (3×3): 9,232 or 4,624; merge1 (32 or 16)→1: 289 or 145.
    shared = 160 + 4_640 + 132 + 160 + 4_128 + 1_040
    assert count_parameters(UNetAutoencoder()) == shared + 9_232 + 289
    assert count_parameters(UNetAutoencoder(skips=False)) == shared + 4_624 + 145


def test_outputs_are_in_the_unit_interval():
    out = UNetAutoencoder().eval()(torch.rand(3, 1, 28, 28))
    assert out.min() >= 0 and out.max() <= 1


def test_the_bottleneck_is_leaky_only_with_skips():
    torch.manual_seed(0)
    x = torch.rand(3, 1, 28, 28)
    for skips in (True, False):
        model = UNetAutoencoder(skips=skips).eval()
        with torch.no_grad():
            z, features = model.encode_with_skips(x)
            zeroed = model.decode(torch.zeros_like(z), features if skips else None)
        spread = float((zeroed - zeroed[:1]).abs().max())
        if skips:
            assert spread > 1e-4  # the output still depends on the input
        else:
            assert spread == 0.0  # a zero code gives one image for every input


def test_invalid_settings_raise():
    with pytest.raises(ValueError):
        UNetAutoencoder(channels=(16,))
    with pytest.raises(ValueError):
        UNetAutoencoder(code_channels=0)
