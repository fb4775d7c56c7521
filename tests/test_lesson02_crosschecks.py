"""Lesson 02's arithmetic, checked against PyTorch's own layers.

The lesson shows the shapes and the formulas (output sizes layer by layer, the settings
one might try for each transposed convolution, the receptive field of one code number);
these tests check every one of those numbers against what PyTorch's layers and autograd
actually do, so the lesson can show the arithmetic without the plumbing.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from course_utils import arithmetic
from course_utils.config import seed_everything
from course_utils.models import DeepConvAutoencoder, SimpleConvAutoencoder

pytestmark = pytest.mark.filterwarnings("ignore:TF32 acceleration:UserWarning")


def _size_by_formula(layer: nn.Module, size: int) -> int | None:
    if isinstance(layer, nn.ConvTranspose2d):
        return arithmetic.conv_transpose_output_size(size, layer.kernel_size[0], layer.stride[0],
                                                     layer.padding[0], layer.output_padding[0])
    if isinstance(layer, nn.Conv2d):
        return arithmetic.conv_output_size(size, layer.kernel_size[0], layer.stride[0],
                                           layer.padding[0])
    if isinstance(layer, nn.MaxPool2d):
        return arithmetic.pool_output_size(size, layer.kernel_size, layer.stride)
    return None  # ReLU, BatchNorm, Sigmoid keep the size


@pytest.mark.parametrize("latent_channels", [4, 64])
def test_every_layer_of_the_deep_model_has_the_size_the_formulas_give(latent_channels: int):
    """The lesson's encoder and decoder tables: course_utils.arithmetic against PyTorch."""
    seed_everything(0)
    model = DeepConvAutoencoder(latent_channels).eval()
    x, size, checked = torch.zeros(1, 1, 28, 28), 28, 0
    with torch.no_grad():
        for layer in [*model.encoder, *model.decoder]:
            expected = _size_by_formula(layer, size)
            x = layer(x)
            if expected is not None:
                assert tuple(x.shape[-2:]) == (expected, expected), (layer, size)
                checked += 1
            size = x.shape[-1]
    assert checked == 6 + 4 and size == 28


@pytest.mark.parametrize("i, k, s, p, a, target", [
    (3, 3, 2, 1, 0, 7), (3, 3, 2, 0, 0, 7), (7, 3, 2, 0, 0, 14), (7, 3, 2, 1, 0, 14),
    (7, 3, 2, 1, 1, 14), (14, 3, 2, 1, 0, 28), (14, 3, 2, 1, 1, 28),
])
def test_the_transposed_settings_the_lesson_tries(i, k, s, p, a, target):
    """Every row of the lesson's output_padding table: the formula equals PyTorch's size."""
    layer = nn.ConvTranspose2d(1, 1, k, s, p, a)
    with torch.no_grad():
        out = layer(torch.zeros(1, 1, i, i)).shape[-1]
    assert arithmetic.conv_transpose_output_size(i, k, s, p, a) == out
    assert (out == target) == ((i, p, a) in {(3, 0, 0), (7, 1, 1), (14, 1, 1)})


def test_pooling_seven_drops_the_last_row_and_column():
    maps = torch.rand(1, 64, 7, 7, generator=torch.Generator().manual_seed(0))
    pool = nn.MaxPool2d(2)
    assert torch.equal(pool(maps), pool(maps[..., :6, :6]))


def _field(encoder: nn.Sequential) -> tuple[int, int, int]:
    """(receptive field, jump, start): r += (k − 1)·j, start −= p·j, j ·= s, layer by layer."""
    field, jump, start = 1, 1, 0
    for layer in encoder:
        if isinstance(layer, nn.Conv2d):
            k, s, p = layer.kernel_size[0], layer.stride[0], layer.padding[0]
        elif isinstance(layer, nn.MaxPool2d):
            k, s, p = layer.kernel_size, layer.stride, layer.padding
        else:
            continue
        field, start, jump = field + (k - 1) * jump, start - p * jump, jump * s
    return field, jump, start


def _gradient_support(model: nn.Module, row: int, col: int) -> torch.Tensor:
    x = torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(1)).requires_grad_(True)
    code = model.eval().encode(x)
    grad, = torch.autograd.grad(code[:, :, row, col].sum(), x)
    return (grad != 0).any(dim=0)[0]


@pytest.mark.parametrize("model_class, field, jump, start, cells", [
    (DeepConvAutoencoder, 22, 8, -7, [(0, 0), (1, 1), (2, 2), (0, 2)]),
    (SimpleConvAutoencoder, 4, 2, -1, [(0, 0), (6, 6), (13, 13)]),
])
def test_the_receptive_field_arithmetic_matches_the_gradient(model_class, field, jump, start,
                                                             cells):
    """The lesson's receptive fields (22×22 deep, 4×4 simple): the gradient of a code cell
    is zero outside the predicted box and, on random inputs, non-zero on all of it."""
    seed_everything(0)
    model = model_class()
    assert _field(model.encoder) == (field, jump, start)
    for row, col in cells:
        support = _gradient_support(model, row, col)
        box = torch.zeros(28, 28, dtype=torch.bool)
        top, left = start + row * jump, start + col * jump
        box[max(top, 0):max(top + field, 0), max(left, 0):max(left + field, 0)] = True
        assert not (support & ~box).any(), (row, col)
        assert support.sum() >= 0.95 * box.sum(), (row, col, int(support.sum()), int(box.sum()))
