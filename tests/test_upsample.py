"""UpsampleConvAutoencoder: shapes, the shared encoder, parameter parity."""

from __future__ import annotations

import pytest
import torch

from course_utils.arithmetic import upsample_conv_output_size
from course_utils.models import DeepConvAutoencoder, UpsampleConvAutoencoder
from course_utils.summary import count_parameters


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_shapes_and_contract(mode):
    torch.manual_seed(0)
    model = UpsampleConvAutoencoder(latent_channels=8, mode=mode).eval()
    x = torch.rand(2, 1, 28, 28)
    z = model.encode(x)
    assert z.shape == (2, 8, 3, 3)
    x_hat = model.decode(z)
    assert x_hat.shape == x.shape
    assert bool(((x_hat >= 0) & (x_hat <= 1)).all())
    torch.testing.assert_close(model(x), x_hat)


def test_same_encoder_and_parameter_count_as_the_transposed_decoder():
    for c in (4, 64):
        up, tr = UpsampleConvAutoencoder(c), DeepConvAutoencoder(c)
        assert repr(up.encoder) == repr(tr.encoder)
        assert count_parameters(up) == count_parameters(tr)
        assert count_parameters(up.decoder) == count_parameters(tr.decoder)


def test_first_stage_arithmetic():
    assert upsample_conv_output_size(3, scale_factor=3, kernel_size=3, padding=0) == 7
    assert upsample_conv_output_size(7, scale_factor=2, kernel_size=3, padding=1) == 14


def test_bilinear_align_corners_is_passed_on():
    model = UpsampleConvAutoencoder(4, "bilinear", align_corners=True)
    assert model.decoder[0].align_corners is True
    assert UpsampleConvAutoencoder(4, "bilinear").decoder[0].align_corners is False


def test_bad_arguments():
    with pytest.raises(ValueError):
        UpsampleConvAutoencoder(0)
    with pytest.raises(ValueError):
        UpsampleConvAutoencoder(4, mode="bicubic")
