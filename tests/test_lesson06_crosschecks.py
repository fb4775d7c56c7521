"""Checks behind lesson 06's tables, kept out of the lesson: its counts agree with other tools.

- ``trace_shapes`` (the course's shape trace) and ``torchinfo.summary`` agree on every
  layer's name, output shape and parameter count, and on the total, for the models of the
  parameter comparison (and ``count_parameters`` gives the same total);
- ``macs_per_image`` (PyTorch's ``FlopCounterMode``) equals the by-hand formula of every
  Linear, Conv2d and ConvTranspose2d layer; torchinfo's mult-adds differ from it by the
  biases for ordinary layers and are several times too high for stride-2 transposed ones;
- shuffling the pixels with one permutation, and permuting a fully connected model's
  first and last layers the same way, leaves its output exactly the same (up to the
  permutation): the lesson's claim that an FC model does not care about pixel order.
"""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from course_utils.arithmetic import trace_shapes
from course_utils.config import seed_everything
from course_utils.models import (
    DeepAutoencoder,
    DeepConvAutoencoder,
    FCAutoencoder,
    FlatConvAutoencoder,
    SimpleConvAutoencoder,
)
from course_utils.summary import count_parameters, macs_per_image

torchinfo = pytest.importorskip("torchinfo")

MODELS = {
    "FCAutoencoder": FCAutoencoder,
    "FCAutoencoder 36": lambda: FCAutoencoder(hidden_sizes=(256, 128, 36)),
    "FCAutoencoder 36 + BatchNorm": lambda: FCAutoencoder(hidden_sizes=(256, 128, 36),
                                                          batchnorm=True),
    "wide FCAutoencoder": lambda: FCAutoencoder(hidden_sizes=(290, 36)),
    "DeepConvAutoencoder": DeepConvAutoencoder,
    "DeepConvAutoencoder 4": lambda: DeepConvAutoencoder(latent_channels=4),
    "FlatConvAutoencoder 36": lambda: FlatConvAutoencoder(36),
    "SimpleConvAutoencoder": SimpleConvAutoencoder,
    "DeepAutoencoder": DeepAutoencoder,
}


@pytest.mark.parametrize("build", list(MODELS.values()), ids=list(MODELS))
def test_trace_shapes_and_torchinfo_agree_layer_by_layer(build) -> None:
    seed_everything(0)
    model = build().eval()
    trace = trace_shapes(model, (1, 28, 28))
    info = torchinfo.summary(model, input_size=(1, 1, 28, 28), verbose=0)
    names = {id(module): name for name, module in model.named_modules()}
    leaves = [layer for layer in info.summary_list if layer.is_leaf_layer]  # no containers
    assert len(trace) == len(leaves)
    for ours, theirs in zip(trace, leaves):
        assert ours.name == names[id(theirs.module)]
        assert ours.output_shape == tuple(theirs.output_size[1:])  # torchinfo keeps the batch axis
        assert ours.parameters == theirs.num_params
    assert sum(row.parameters for row in trace) == info.total_params == count_parameters(model)


def _by_hand(layer: nn.Module, input_shape: tuple[int, ...], output_shape: tuple[int, ...]) -> int:
    if isinstance(layer, nn.Linear):
        return layer.in_features * layer.out_features
    k = layer.kernel_size[0] * layer.kernel_size[1]
    if isinstance(layer, nn.ConvTranspose2d):  # every input value is spread over C_out·k·k outputs
        return input_shape[0] * input_shape[1] * input_shape[2] * layer.out_channels * k
    # Conv2d: every output value sums C_in·k·k products
    return output_shape[0] * output_shape[1] * output_shape[2] * layer.in_channels * k


@pytest.mark.parametrize("build", [FCAutoencoder, DeepConvAutoencoder,
                                   lambda: FlatConvAutoencoder(36)])
def test_flop_counter_macs_equal_the_formulas_layer_by_layer(build) -> None:
    model = build().eval()
    shapes: dict[nn.Module, tuple[tuple[int, ...], tuple[int, ...]]] = {}
    hooks = [m.register_forward_hook(lambda m, i, o: shapes.__setitem__(
        m, (tuple(i[0].shape[1:]), tuple(o.shape[1:]))))
        for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d))]
    with torch.no_grad():
        model(torch.zeros(1, 1, 28, 28))
    for hook in hooks:
        hook.remove()
    total = 0
    for layer, (inp, out) in shapes.items():
        ours = macs_per_image(nn.Sequential(layer).eval(), input_shape=inp)
        assert ours == _by_hand(layer, inp, out), layer
        total += ours
    assert total == macs_per_image(model)


def test_torchinfo_mult_adds_add_biases_and_overcount_transposed_convolutions() -> None:
    model = DeepConvAutoencoder().eval()
    info = torchinfo.summary(model, input_size=(1, 1, 28, 28), verbose=0)
    for layer in info.summary_list:
        module = layer.module
        if not layer.is_leaf_layer or not isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
            continue
        ours = macs_per_image(nn.Sequential(module).eval(), input_shape=tuple(layer.input_size[1:]))
        if isinstance(module, nn.ConvTranspose2d) and module.stride[0] == 2:
            assert layer.macs > 3 * ours  # every weight counted once per output position
        elif isinstance(module, nn.Conv2d):
            positions = layer.output_size[2] * layer.output_size[3]
            assert layer.macs == ours + module.out_channels * positions  # plus the biases


@pytest.mark.parametrize("batchnorm", [False, True])
def test_a_fully_connected_model_does_not_care_about_pixel_order(batchnorm: bool) -> None:
    seed_everything(0)
    model = FCAutoencoder(hidden_sizes=(64, 16), batchnorm=batchnorm)
    if batchnorm:  # give BatchNorm running statistics that are not the defaults
        model.train()
        with torch.no_grad():
            model(torch.rand(64, 1, 28, 28))
    model.eval()
    order = torch.randperm(784, generator=seed_everything(1))
    x = torch.rand(8, 1, 28, 28)
    shuffled = copy.deepcopy(model)
    first, last = shuffled.encoder[1], shuffled.decoder[-3]
    assert (first.in_features, last.out_features) == (784, 784)
    with torch.no_grad():
        first.weight.copy_(first.weight[:, order])
        last.weight.copy_(last.weight[order])
        last.bias.copy_(last.bias[order])
        expected = model(x).flatten(1)[:, order]
        got = shuffled(x.flatten(1)[:, order].view_as(x)).flatten(1)
    assert torch.allclose(got, expected, atol=1e-6)
