"""Checks behind lesson 01's tables, kept out of the lesson: what it shows agrees with other tools.

- ``trace_shapes`` (the course's shape trace) and ``torchinfo.summary`` agree on every
  layer's name, output shape and parameter count, and on the total;
- PCA's components are nested: the first k components of a full fit are PCA with k
  components (the lesson's shortcut for PCA at every size), and PCA with all 784 is
  lossless;
- the bisection that finds the fewest PCA components matching an error returns the
  smallest such k.
"""

from __future__ import annotations

import pytest
import torch

from course_utils.arithmetic import trace_shapes
from course_utils.config import seed_everything
from course_utils.metrics import mse, pca_baseline
from course_utils.models import DeepConvAutoencoder, SimpleConvAutoencoder
from course_utils.summary import count_parameters

torchinfo = pytest.importorskip("torchinfo")


@pytest.mark.parametrize("build", [SimpleConvAutoencoder, lambda: SimpleConvAutoencoder(channels=4),
                                   DeepConvAutoencoder])
def test_trace_shapes_and_torchinfo_agree_layer_by_layer(build) -> None:
    seed_everything(0)
    model = build()
    trace = trace_shapes(model, (1, 28, 28))
    info = torchinfo.summary(model, input_size=(1, 1, 28, 28),
                             col_names=("output_size", "num_params"), verbose=0)
    names = {id(module): name for name, module in model.named_modules()}
    leaves = [layer for layer in info.summary_list if layer.is_leaf_layer]  # no containers
    assert [row.name for row in trace] == [names[id(layer.module)] for layer in leaves]
    for ours, theirs in zip(trace, leaves, strict=True):
        assert tuple(ours.output_shape) == tuple(theirs.output_size[1:])  # drop the batch axis
        assert ours.parameters == theirs.num_params
    assert sum(row.parameters for row in trace) == info.total_params == count_parameters(model)


def _images(n: int, seed: int) -> torch.Tensor:
    """Digit-like images: smooth blobs with a blank border, so PCA has structure to find."""
    generator = torch.Generator().manual_seed(seed)
    base = torch.rand(n, 1, 7, 7, generator=generator)
    images = torch.nn.functional.interpolate(base, size=(20, 20), mode="bilinear")
    return torch.nn.functional.pad(images, (4, 4, 4, 4))


def _pca_reconstruct(full, images: torch.Tensor, k: int) -> torch.Tensor:
    """The lesson's shortcut: the first k components of the full fit, clipped to [0, 1]."""
    components = torch.as_tensor(full.pca.components_, dtype=torch.float32)[:k]
    mean = torch.as_tensor(full.pca.mean_, dtype=torch.float32)
    z = (images.flatten(1) - mean) @ components.T
    return (z @ components + mean).clamp(0, 1).view_as(images)


def test_the_first_k_components_of_a_full_fit_are_pca_with_k_components() -> None:
    train, test = _images(1_200, 0), _images(300, 1)
    full = pca_baseline(train, 784)
    for k in (1, 8, 64, 200):
        shortcut = mse(_pca_reconstruct(full, test, k), test)
        direct = pca_baseline(train, k).mse(test)
        assert shortcut == pytest.approx(direct, rel=0.02, abs=1e-7), k
    assert mse(_pca_reconstruct(full, test, 784), test) < 1e-8  # all 784: a rotation, lossless


def smallest_k_matching(error: float, pca_test_mse, pixels: int = 784) -> int:
    """The lesson's bisection (kept in a hidden cell there), as a function of the error curve."""
    low, high = 0, pixels
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if pca_test_mse(middle) <= error else (middle, high)
    return high


@pytest.mark.parametrize("error", [0.5, 0.1, 0.02, 0.0101, 0.01, 1e-9])
def test_the_bisection_finds_the_fewest_components_that_reach_an_error(error: float) -> None:
    curve = {k: 1.0 / (k + 1) ** 1.5 for k in range(785)}  # falling, like PCA's test error
    curve[784] = 0.0  # PCA-784 is exact
    k = smallest_k_matching(error, curve.__getitem__)
    assert curve[k] <= error
    assert k == 1 or curve[k - 1] > error
    assert k == min(j for j in range(1, 785) if curve[j] <= error)


def test_the_lesson_keeps_its_bisection_in_step_with_this_copy() -> None:
    """The hidden cell of lesson 01 holds the same loop as :func:`smallest_k_matching`."""
    from pathlib import Path

    source = (Path(__file__).resolve().parents[1] / "lessons_src" /
              "01_simple_conv_autoencoder.py").read_text(encoding="utf-8")
    for line in ("low, high = 0, pixels", "while high - low > 1:", "middle = (low + high) // 2",
                 "low, high = (low, middle) if pca_test_mse(middle) <= error else (middle, high)"):
        assert line in source, line
