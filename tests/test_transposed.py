"""A transposed convolution is the transpose of the convolution's matrix."""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F

from course_utils.arithmetic import conv_transpose_output_size
from course_utils.transposed import conv_matrix, transpose_output_padding

SETTINGS = [  # (input size, kernel, stride, padding, dilation)
    (4, 3, 2, 1, 1), (5, 3, 1, 1, 1), (6, 2, 2, 0, 1), (7, 3, 2, 0, 1), (6, 4, 2, 1, 1),
    (8, 3, 3, 2, 1), (7, 3, 1, 2, 2), (9, 2, 3, 1, 2),
]


@pytest.mark.parametrize("i,k,s,p,d", SETTINGS)
def test_matrix_times_vector_is_the_convolution(i, k, s, p, d):
    g = torch.Generator().manual_seed(i * 100 + k * 10 + s)
    weight = torch.randn(k, k, generator=g, dtype=torch.float64)
    x = torch.randn(i, i, generator=g, dtype=torch.float64)
    C = conv_matrix(weight, i, s, p, d)
    direct = F.conv2d(x[None, None], weight[None, None], stride=s, padding=p, dilation=d)
    assert C.shape == (direct.numel(), i * i)
    torch.testing.assert_close(C @ x.flatten(), direct.flatten())


@pytest.mark.parametrize("i,k,s,p,d", SETTINGS)
def test_transpose_is_conv_transpose2d(i, k, s, p, d):
    g = torch.Generator().manual_seed(7 + i + k + s)
    weight = torch.randn(k, k, generator=g, dtype=torch.float64)
    C = conv_matrix(weight, i, s, p, d)
    o = int(round(C.shape[0] ** 0.5))
    y = torch.randn(o, o, generator=g, dtype=torch.float64)
    a = transpose_output_padding(i, k, s, p, d)
    assert conv_transpose_output_size(o, k, s, p, a, d) == i
    transposed = F.conv_transpose2d(y[None, None], weight[None, None], stride=s, padding=p,
                                    output_padding=a, dilation=d)
    assert transposed.shape[-1] == i
    torch.testing.assert_close(C.T @ y.flatten(), transposed.flatten())


def test_transpose_is_not_an_inverse():
    weight = torch.full((3, 3), 1 / 9, dtype=torch.float64)
    C = conv_matrix(weight, 4, 2, 1)
    x = torch.arange(16, dtype=torch.float64)
    assert not torch.allclose(C.T @ (C @ x), x)


def test_output_padding_picks_the_input_size():
    assert transpose_output_padding(28, 3, 2, 1) == 1
    assert transpose_output_padding(27, 3, 2, 1) == 0
    assert transpose_output_padding(7, 3, 2, 0) == 0
    for i, k, s, p in itertools.product(range(3, 12), range(1, 5), range(1, 4), range(0, 2)):
        if k > i + 2 * p:
            continue
        o = (i + 2 * p - k) // s + 1
        assert conv_transpose_output_size(o, k, s, p, transpose_output_padding(i, k, s, p)) == i


def test_bad_weight_is_refused():
    with pytest.raises(ValueError):
        conv_matrix(torch.ones(2, 3), 5)
    with pytest.raises(ValueError):
        conv_matrix(torch.ones(5, 5), 3)  # the kernel does not fit
