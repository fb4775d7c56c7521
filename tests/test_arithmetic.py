"""course_utils.arithmetic agrees with PyTorch's own layers, setting by setting."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from course_utils.arithmetic import (
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
    pool_output_size,
    same_padding,
    trace_shapes,
    upsample_conv_output_size,
)
from course_utils.models import DeepConvAutoencoder, SimpleConvAutoencoder

SIZES = range(1, 65)
KERNELS = range(1, 8)
STRIDES = range(1, 5)
PADDINGS = range(0, 4)
OUTPUT_PADDINGS = range(0, 4)
DILATIONS = range(1, 4)


def _torch_size(call) -> int | None:
    """Height PyTorch produces for a 1-wide column input, or None if it refuses."""
    try:
        return int(call().shape[2])
    except RuntimeError:
        return None


def _ours(fn, *args, **kwargs) -> int | None:
    try:
        return fn(*args, **kwargs)
    except ValueError:
        return None


def _column(i: int) -> torch.Tensor:
    return torch.zeros(1, 1, i, 1)  # N×C×H×W with W=1: one dimension varies


def test_conv_matches_pytorch_on_the_whole_grid() -> None:
    checked = 0
    for i, k, s, p, d in itertools.product(SIZES, KERNELS, STRIDES, PADDINGS, DILATIONS):
        weight = torch.zeros(1, 1, k, 1)
        expected = _torch_size(lambda: F.conv2d(_column(i), weight, stride=(s, 1),
                                                padding=(p, 0), dilation=(d, 1)))
        assert _ours(conv_output_size, i, k, s, p, d) == expected, (i, k, s, p, d)
        checked += 1
    assert checked == 64 * 7 * 4 * 4 * 3


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_max_pool_matches_pytorch_on_the_whole_grid(ceil_mode: bool) -> None:
    for i, k, s, p, d in itertools.product(SIZES, KERNELS, STRIDES, PADDINGS, DILATIONS):
        expected = _torch_size(lambda: F.max_pool2d(_column(i), (k, 1), (s, 1), (p, 0), (d, 1),
                                                    ceil_mode=ceil_mode))
        got = _ours(pool_output_size, i, k, s, p, d, ceil_mode=ceil_mode)
        assert got == expected, (i, k, s, p, d, ceil_mode)


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_avg_pool_matches_pytorch_on_the_whole_grid(ceil_mode: bool) -> None:
    for i, k, s, p in itertools.product(SIZES, KERNELS, STRIDES, PADDINGS):
        expected = _torch_size(lambda: F.avg_pool2d(_column(i), (k, 1), (s, 1), (p, 0),
                                                    ceil_mode=ceil_mode))
        got = _ours(pool_output_size, i, k, s, p, ceil_mode=ceil_mode, pool="avg")
        assert got == expected, (i, k, s, p, ceil_mode)


def test_conv_transpose_matches_pytorch_on_the_whole_grid() -> None:
    for i, k, s, p, a, d in itertools.product(SIZES, KERNELS, STRIDES, PADDINGS,
                                              OUTPUT_PADDINGS, DILATIONS):
        weight = torch.zeros(1, 1, k, 1)
        expected = _torch_size(lambda: F.conv_transpose2d(
            _column(i), weight, stride=(s, 1), padding=(p, 0), output_padding=(a, 0),
            dilation=(d, 1)))
        assert _ours(conv_transpose_output_size, i, k, s, p, a, d) == expected, (i, k, s, p, a, d)


def test_upsample_then_conv_matches_pytorch() -> None:
    for i, scale, k, p in itertools.product(range(1, 17), STRIDES, KERNELS, PADDINGS):
        up = nn.Upsample(scale_factor=scale, mode="nearest")
        weight = torch.zeros(1, 1, k, k)
        expected = _torch_size(lambda: F.conv2d(up(torch.zeros(1, 1, i, i)), weight, padding=p))
        assert _ours(upsample_conv_output_size, i, scale, k, p) == expected


@pytest.mark.parametrize("call, words", [
    (lambda: conv_output_size(3, kernel_size=5), "padded input is only 3"),
    (lambda: conv_output_size(28, kernel_size=3, stride=0), "stride must be at least 1"),
    (lambda: conv_output_size(28, kernel_size=3, padding=-1), "cannot be negative"),
    (lambda: conv_output_size(28, kernel_size=2.5), "whole number"),
    (lambda: pool_output_size(28, kernel_size=2, padding=2), "half the kernel"),
    (lambda: pool_output_size(28, kernel_size=2, dilation=2, pool="avg"), "no dilation"),
    (lambda: conv_transpose_output_size(14, 3, stride=2, padding=1, output_padding=2),
     "smaller than the stride"),
    (lambda: conv_transpose_output_size(1, 1, padding=1), "nothing is left"),
    (lambda: same_padding(4), "no centre"),
])
def test_invalid_settings_explain_themselves(call, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        call()


def test_same_padding_keeps_the_size() -> None:
    for k, d in itertools.product((1, 3, 5, 7), DILATIONS):
        assert conv_output_size(28, k, 1, same_padding(k, d), d) == 28


@given(size=st.integers(1, 200), kernel=st.integers(1, 9), stride=st.integers(1, 5),
       padding=st.integers(0, 4))
def test_transposed_conv_with_the_right_output_padding_inverts_a_conv(size, kernel, stride,
                                                                      padding) -> None:
    """For every conv i → o there is an output_padding a < s with which the transpose gives o → i."""
    try:
        out = conv_output_size(size, kernel, stride, padding)
    except ValueError:
        return
    leftover = (size + 2 * padding - kernel) % stride
    assert conv_transpose_output_size(out, kernel, stride, padding, leftover) == size


def test_seed_example_14_to_28() -> None:
    assert conv_transpose_output_size(14, 3, stride=2, padding=1, output_padding=1) == 28
    assert conv_output_size(28, 3, stride=2, padding=1) == 14


def test_trace_shapes_of_the_deep_model() -> None:
    trace = trace_shapes(DeepConvAutoencoder(), (1, 28, 28))
    convs = [r.output_shape for r in trace if r.layer in ("MaxPool2d", "ConvTranspose2d")]
    assert convs == [(16, 14, 14), (32, 7, 7), (64, 3, 3), (64, 7, 7), (32, 14, 14), (16, 28, 28)]
    assert trace[-1].output_shape == (1, 28, 28)
    assert sum(r.parameters for r in trace) == 83_905
    assert "encoder.0" in str(trace) and "16×28×28" in str(trace)


def test_trace_shapes_restores_training_mode() -> None:
    model = SimpleConvAutoencoder().train()
    trace_shapes(model, (1, 28, 28))
    assert model.training


WHOLE_NUMBERS = [np.int64(28), np.int32(28), np.uint8(28), torch.tensor(28), np.array(28)]


@pytest.mark.parametrize("size", WHOLE_NUMBERS, ids=lambda v: type(v).__name__)
def test_numpy_and_torch_integers_are_whole_numbers(size) -> None:
    """A size read from a tensor's shape or a NumPy array is as good as a Python int."""
    assert conv_output_size(size, np.int64(3), stride=torch.tensor(2), padding=np.int8(1)) == 14
    assert pool_output_size(size, torch.tensor(2)) == 14
    assert conv_transpose_output_size(np.int64(14), 3, np.int64(2), 1, np.int64(1)) == 28
    assert upsample_conv_output_size(size, np.int64(2), 3, 1) == 56
    assert same_padding(np.int64(5)) == 2 and effective_kernel_size(np.int64(3), 2) == 5
    assert type(conv_output_size(size, 3)) is int  # results are plain Python ints


@pytest.mark.parametrize("call, words", [
    (lambda: pool_output_size(7, 2, ceil_mode="no"), "ceil_mode must be True or False"),
    (lambda: pool_output_size(7, 2, ceil_mode=1), "ceil_mode must be True or False"),
    (lambda: effective_kernel_size(-3, 2), "kernel_size must be at least 1"),
    (lambda: effective_kernel_size(3, -2), "dilation must be at least 1"),
    (lambda: effective_kernel_size(3, 0), "dilation must be at least 1"),
    (lambda: conv_output_size(True, 3), "size must be a whole number"),
    (lambda: conv_output_size(28, 3.0), "kernel_size must be a whole number"),
    (lambda: conv_output_size(28, torch.tensor(3.0)), "kernel_size must be a whole number"),
    (lambda: conv_output_size(28, torch.tensor([3, 3])), "kernel_size must be a whole number"),
    (lambda: pool_output_size(7, 2, pool=["max"]), "pool must be"),
])
def test_smaller_inputs_are_refused_with_the_argument_named(call, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        call()
