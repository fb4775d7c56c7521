"""A transposed convolution is the transpose of a convolution: the matrix view.

A convolution is linear, so for a fixed input size it is a matrix ``C``: flatten the
input image into a vector ``x`` and ``conv2d(x)`` is ``C @ x``. Each row of ``C`` is one
output pixel and holds the kernel's weights at the columns of the input pixels the
kernel covers there (zeros elsewhere; padding pixels have no column, they are zero).

``ConvTranspose2d`` with the same weight, stride, padding and dilation computes ``Cᵀ @ y``:
it sends every output pixel's value back along the same weights to the input pixels that
produced it. That is where its name comes from, and why it is *not* an inverse.
"""

from __future__ import annotations

import torch

from .arithmetic import conv_output_size


def conv_matrix(weight: torch.Tensor, input_size: int, stride: int = 1, padding: int = 0,
                dilation: int = 1) -> torch.Tensor:
    """The matrix ``C`` of a one-channel ``conv2d`` on an ``input_size``×``input_size`` image.

    ``weight`` is the k×k kernel. ``C`` has one row per output pixel (o·o rows, in
    row-major order) and one column per input pixel (i·i columns), so that
    ``conv2d(x, weight[None, None], stride=stride, padding=padding, dilation=dilation)``
    flattened equals ``C @ x.flatten()``.
    """
    if weight.ndim != 2 or weight.shape[0] != weight.shape[1]:
        raise ValueError(f"weight must be a square k×k kernel, got shape {tuple(weight.shape)}")
    k = weight.shape[0]
    i = input_size
    o = conv_output_size(i, k, stride, padding, dilation)  # o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1
    matrix = torch.zeros(o * o, i * i, dtype=weight.dtype)
    for out_row in range(o):
        for out_col in range(o):
            for u in range(k):  # kernel row
                for v in range(k):  # kernel column
                    in_row = out_row * stride - padding + u * dilation
                    in_col = out_col * stride - padding + v * dilation
                    if 0 <= in_row < i and 0 <= in_col < i:  # outside: a padding zero
                        matrix[out_row * o + out_col, in_row * i + in_col] += weight[u, v]
    return matrix


def transpose_output_padding(input_size: int, kernel_size: int, stride: int = 1,
                             padding: int = 0, dilation: int = 1) -> int:
    """The ``output_padding`` that makes ``ConvTranspose2d`` return exactly ``input_size``.

    A strided convolution drops the last (i + 2p − d(k−1) − 1) mod s rows it cannot reach,
    so several input sizes give the same output size; ``output_padding`` says which one
    the transposed convolution should rebuild.

    >>> transpose_output_padding(28, kernel_size=3, stride=2, padding=1)
    1
    """
    conv_output_size(input_size, kernel_size, stride, padding, dilation)  # validates
    return (input_size + 2 * padding - dilation * (kernel_size - 1) - 1) % stride
