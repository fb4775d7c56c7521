"""Every exercise check rejects the wrong answers a learner writes, each with a hint that names
the mistake, accepts the reference solutions (and harmless variants of them), and leaves the
learner's own model as it was.

One table per check: each row is a wrong answer (a small module or factory) and the words the
hint must contain. ``WRONG_ANSWER_ROWS`` counts them.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_checks_exercises import (
    build_colour_ae,
    build_conv_ae,
    build_deep,
    build_wide,
    decode_from_zero_code,
    downsample_block,
)
from torch import nn

from course_utils.checks.base import CheckResult
from course_utils.checks.exercises import (
    EncoderDecoder,
    SweepRow,
    check_architecture,
    check_best_mode,
    check_colour,
    check_depth_vs_width,
    check_downsampling,
    check_sweep,
    check_unet,
    check_zero_code,
)
from course_utils.models import FCAutoencoder, UNetAutoencoder

# --------------------------------------------------------------------------- small pieces


class Scale(nn.Module):
    """Multiply by a constant (0 turns a layer's output off)."""

    def __init__(self, factor: float) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x):
        return x * self.factor


class Returns(nn.Module):
    """A model whose forward returns ``make(x)``: odd outputs of every kind."""

    def __init__(self, make, *, with_weights: bool = True) -> None:
        super().__init__()
        self.make = make
        self.conv = nn.Conv2d(1, 1, 1) if with_weights else None

    def forward(self, x):
        return self.make(x)


def raises(error: Exception):
    def fail(*args, **kwargs):
        raise error

    return fail


# --------------------------------------------------------------------------- exercise 1


def conv_ae(channels, kernel_size, code_channels, *, pool="max", encoder_relu=True,
            decoder_relu=True, order=("conv", "relu", "pool"), sigmoid=True):
    """Exercise 1's model, with one thing changed at a time (the defaults build it right)."""
    layers, previous = [], 1
    for c in channels:
        conv_stride = 2 if pool == "stride" else 1
        parts = {"conv": nn.Conv2d(previous, c, kernel_size, stride=conv_stride,
                                   padding=kernel_size // 2),
                 "relu": nn.ReLU() if encoder_relu else None,
                 "pool": {"max": nn.MaxPool2d(2), "avg": nn.AvgPool2d(2), "stride": None,
                          "max3": nn.MaxPool2d(3, stride=2, padding=1)}[pool]}
        layers += [parts[name] for name in order if parts[name] is not None]
        previous = c
    layers.append(nn.Conv2d(previous, code_channels, kernel_size=1))
    decoder = [nn.Conv2d(code_channels, channels[-1], kernel_size=1)]
    decoder += [nn.ReLU()] if decoder_relu else []
    back = list(reversed(channels))
    for i, (a, b) in enumerate(zip(back, back[1:] + [1])):
        decoder.append(nn.ConvTranspose2d(a, b, kernel_size=2, stride=2))
        if i == len(back) - 1:
            decoder.append(nn.Sigmoid() if sigmoid else nn.Identity())
        elif decoder_relu:
            decoder.append(nn.ReLU())
    return EncoderDecoder(nn.Sequential(*layers), nn.Sequential(*decoder))


def variant(**changes):
    return lambda channels, kernel_size, code_channels: conv_ae(
        channels, kernel_size, code_channels, **changes)


class AroundTheCode(EncoderDecoder):
    """forward mixes the image itself into the output: not everything passes the code."""

    def forward(self, x):
        return 0.5 * self.decode(self.encode(x)) + 0.5 * torch.sigmoid(4 * x - 2)


class RemembersTheInput(EncoderDecoder):
    """encode saves the images; decode draws on them as well as on the code."""

    def encode(self, x):
        self.last_images = x
        return self.encoder(x)

    def decode(self, z):
        return 0.5 * self.decoder(z) + 0.5 * torch.sigmoid(4 * self.last_images - 2)


class IgnoresTheCode(EncoderDecoder):
    """decode never reads z: every image gets the decoder's one favourite output."""

    def decode(self, z):
        return self.decoder(torch.zeros_like(z))


def wrap(cls, build=conv_ae):
    def factory(*args):
        model = build(*args)
        return cls(model.encoder, model.decoder)

    return factory


class ChangesItsWeights(EncoderDecoder):
    def forward(self, x):
        with torch.no_grad():
            self.encoder[0].weight.mul_(0.5)
        return super().forward(x)


class PlainList(nn.Module):
    """Layers kept in a Python list: PyTorch never sees their parameters."""

    def __init__(self, channels, kernel_size, code_channels):
        super().__init__()
        model = conv_ae(channels, kernel_size, code_channels)
        self.layers = [model.encoder, model.decoder]

    def encode(self, x):
        return self.layers[0](x)

    def decode(self, z):
        return self.layers[1](z)

    def forward(self, x):
        return self.decode(self.encode(x))


def tuple_out(channels, kernel_size, code_channels):
    class Pair(EncoderDecoder):
        def forward(self, x):
            z = self.encode(x)
            return self.decode(z), z

    model = conv_ae(channels, kernel_size, code_channels)
    return Pair(model.encoder, model.decoder)


def cast(cls_name, dtype):
    class Cast(EncoderDecoder):
        def forward(self, x):
            return super().forward(x).to(dtype)

    Cast.__name__ = cls_name
    return wrap(Cast)


ARCHITECTURE_WRONG = [
    ("no padding", lambda ch, k, c: _no_padding(ch, k, c), ["wrong output shape", "padding"]),
    ("kernel_size ignored", lambda ch, k, c: conv_ae(ch, 3, c),
     ["wrong parameter count", "kernel_size"]),
    ("code_channels ignored", lambda ch, k, c: conv_ae(ch, k, ch[-1]), ["code shape wrong"]),
    ("no Sigmoid", variant(sigmoid=False), ["Sigmoid"]),
    ("average pooling", variant(pool="avg"), ["average pooling", "MaxPool2d"]),
    ("strided conv instead of pooling", variant(pool="stride"), ["stride", "MaxPool2d"]),
    ("3×3 max pooling", variant(pool="max3"), ["MaxPool2d(2)"]),
    ("no ReLU in the encoder", variant(encoder_relu=False), ["ReLU is missing", "encoder"]),
    ("no ReLU in the decoder", variant(decoder_relu=False), ["ReLU is missing", "decoder"]),
    ("pool before the conv", variant(order=("pool", "conv", "relu")),
     ["pools before the convolution"]),
    ("ReLU before the conv", variant(order=("relu", "conv", "pool")), ["encoder runs"]),
    ("forward goes around the code", wrap(AroundTheCode), ["goes around the code"]),
    ("decode reads the saved input", wrap(RemembersTheInput), ["not only the code"]),
    ("decode ignores the code", wrap(IgnoresTheCode), ["ignores the code"]),
    ("forward changes the weights", wrap(ChangesItsWeights), ["changed its weights"]),
    ("layers in a plain list", PlainList, ["no parameters", "plain Python list"]),
    ("returns (x_hat, z)", tuple_out, ["tuple"]),
    ("float64 output", cast("Double", torch.float64), ["float64"]),
    ("float16 output", cast("Half", torch.float16), ["float16"]),
    ("long output", cast("Long", torch.int64), ["int64", "not float32"]),
    ("forward raises", lambda ch, k, c: Returns(raises(KeyError("oops"))), ["KeyError", "oops"]),
    ("constructor raises", raises(ZeroDivisionError("division by zero")),
     ["ZeroDivisionError"]),
    ("wrong signature", lambda: conv_ae((8,), 3, 1), ["TypeError"]),
    ("not a module", lambda ch, k, c: "a model", ["nn.Module", "str"]),
    ("not callable", "build_conv_ae", ["function"]),
    ("returns the input", lambda ch, k, c: Returns(lambda x: x.clamp(0, 1)),
     ["input unchanged"]),
    ("NaN output", lambda ch, k, c: Returns(lambda x: x * float("nan")), ["NaN"]),
    ("mutates its input", lambda ch, k, c: Returns(lambda x: torch.sigmoid(x.mul_(2))),
     ["changed the images"]),
    ("flat output", lambda ch, k, c: Returns(lambda x: torch.sigmoid(x.flatten(1))),
     ["wrong output shape", "nn.Unflatten"]),
]


def _no_padding(channels, kernel_size, code_channels):
    model = conv_ae(channels, kernel_size, code_channels)
    for m in model.encoder:
        if isinstance(m, nn.Conv2d):
            m.padding = (0, 0)
    return model


ARCHITECTURE_RIGHT = [
    ("the solution", build_conv_ae),
    ("ReLU after the pooling (the same function for max pooling)",
     variant(order=("conv", "pool", "relu"))),
    ("in-place ReLUs", lambda ch, k, c: _inplace(conv_ae(ch, k, c))),
]


def _inplace(model):
    for m in model.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = True
    return model


# --------------------------------------------------------------------------- exercise 2


def block(*, order=("conv", "relu", "pool"), pools=None, kernel=3, extra_conv=False,
          stride_order=("conv", "relu")):
    """Exercise 2's block with one thing changed; ``pools`` maps a mode to its pooling layer."""
    pools = pools or {"max": lambda: nn.MaxPool2d(2), "avg": lambda: nn.AvgPool2d(2)}

    def build(in_channels, out_channels, mode):
        if mode == "stride":
            parts = {"conv": nn.Conv2d(in_channels, out_channels, kernel, stride=2,
                                       padding=kernel // 2), "relu": nn.ReLU()}
            layers = [parts[p] for p in stride_order]
        else:
            parts = {"conv": nn.Conv2d(in_channels, out_channels, kernel, padding=kernel // 2),
                     "relu": nn.ReLU(), "pool": pools[mode]()}
            layers = [parts[p] for p in order]
        if extra_conv:
            layers.append(nn.Conv2d(out_channels, out_channels, 1))
        return nn.Sequential(*layers)

    return build


def modes(**per_mode):
    """A block that builds ``per_mode[mode](in, out)`` where given, the solution elsewhere."""

    def build(in_channels, out_channels, mode):
        if mode in per_mode:
            return per_mode[mode](in_channels, out_channels)
        return downsample_block(in_channels, out_channels, mode)

    return build


DOWNSAMPLING_WRONG = [
    ("stride without padding", modes(stride=lambda i, o: nn.Sequential(
        nn.Conv2d(i, o, 3, stride=2), nn.ReLU())), ["wrong output shape", "padding=1"]),
    ("max pooling for every mode", lambda i, o, mode: downsample_block(i, o, "max"),
     ['"avg"', "AvgPool2d"]),
    ("max pooling in the avg mode", modes(avg=lambda i, o: downsample_block(i, o, "max")),
     ['"avg"', "AvgPool2d"]),
    ("pooling in the stride mode", modes(stride=lambda i, o: nn.Sequential(
        nn.Conv2d(i, o, 3, stride=2, padding=1), nn.MaxPool2d(1))), ["no pooling"]),
    ("pooling instead of a stride", modes(stride=lambda i, o: downsample_block(i, o, "max")),
     ["no pooling", "stride=2"]),
    ("a 4×4 strided kernel", modes(stride=lambda i, o: nn.Sequential(
        nn.Conv2d(i, o, 4, stride=2, padding=1), nn.ReLU())), ["wrong parameter count"]),
    ("no ReLU anywhere", block(order=("conv", "pool"), stride_order=("conv",)), ["no ReLU"]),
    ("no ReLU in the stride mode", block(stride_order=("conv",)), ['"stride"', "no ReLU"]),
    ("pooling before the conv", block(order=("pool", "conv", "relu")),
     ["pools before the convolution"]),
    ("ReLU before the conv", block(order=("relu", "conv", "pool")),
     ["ReLU comes after the convolution"]),
    ("5×5 kernels everywhere", block(kernel=5), ["one 3×3 convolution"]),
    ("two convolutions per block", block(extra_conv=True), ["one 3×3 convolution"]),
    ("halves twice", modes(max=lambda i, o: nn.Sequential(
        nn.Conv2d(i, o, 3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))), ["halved twice"]),
    ("never halves", modes(max=lambda i, o: nn.Sequential(
        nn.Conv2d(i, o, 3, padding=1), nn.ReLU())), ["Nothing halved"]),
    ("output ignores the input", modes(max=lambda i, o: nn.Sequential(
        nn.Conv2d(i, o, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), Scale(0.0))),
     ["same output for every input"]),
    ("returns a tuple", modes(max=lambda i, o: Returns(lambda x: (x, x))), ["tuple"]),
    ("block raises", raises(RuntimeError("boom")), ["RuntimeError", "boom"]),
    ("not a module", lambda i, o, mode: [nn.Conv2d(i, o, 3)], ["nn.Module", "list"]),
]

DOWNSAMPLING_RIGHT = [
    ("the solution", downsample_block),
    ("ReLU after the pooling", block(order=("conv", "pool", "relu"))),
]

RESULTS = {"max": 0.010, "avg": 0.012, "stride": 0.011}
NAN_RESULTS = {"max": float("nan"), "avg": 0.012, "stride": 0.011}

BEST_MODE_WRONG = [
    ("not the best", ("stride", RESULTS), ["read the table"]),
    ("no such mode", ("pooling", RESULTS), ["one of"]),
    ("a diverged run", ("max", NAN_RESULTS), ["nan", "diverged"]),
    ("an infinite error", ("max", {**RESULTS, "max": float("inf")}), ["inf", "diverged"]),
    ("a list", (["max"], RESULTS), ["one mode", "list"]),
    ("an index", (0, RESULTS), ["one mode", "int"]),
    ("results as a list", ("max", [0.01, 0.012]), ["dict", "list"]),
    ("results not numbers", ("max", {"max": "low", "avg": 0.012}), ["number", "'max'"]),
    ("results as a string", ("max", "max"), ["dict", "str"]),
]

BEST_MODE_RIGHT = [
    ("the best", ("max", RESULTS)),
    ("the best beside a diverged run", ("stride", NAN_RESULTS)),
    ("numpy and torch numbers", ("max", {"max": np.float32(0.01), "avg": torch.tensor(0.02)})),
    ("spaces and capitals", (" Max", RESULTS)),
    ("a tie", ("avg", {"max": 0.01, "avg": 0.01})),
]

# --------------------------------------------------------------------------- exercise 3


class Colour(EncoderDecoder):
    """The solution's layers, with ``forward`` or ``decode`` replaced below."""

    def __init__(self):
        model = build_colour_ae()
        super().__init__(model.encoder, model.decoder)
        self.shortcut = nn.Conv2d(3, 3, 3, padding=1)


class ColourSkipsTheCode(Colour):
    def forward(self, x):
        return torch.sigmoid(self.shortcut(x))


class ColourInputToTheLastLayer(Colour):
    def forward(self, x):
        h = self.decoder[:-1](self.encoder(x))
        return torch.sigmoid(h + self.shortcut(x))


class ColourRemembersTheInput(Colour):
    def encode(self, x):
        self.last_images = x
        return self.encoder(x)

    def decode(self, z):
        return torch.sigmoid(self.decoder[:-1](z) + self.shortcut(self.last_images))


class ColourIgnoresTheCode(Colour):
    def decode(self, z):
        return self.decoder(torch.zeros_like(z))


class ColourConstantCode(Colour):
    def encode(self, x):
        return self.encoder(torch.zeros_like(x))


class ColourDetached(Colour):
    def decode(self, z):
        return self.decoder(z).detach()


class ColourFunctionalSigmoid(EncoderDecoder):
    """torch.sigmoid in decode instead of an nn.Sigmoid layer: no logits for BCE to read."""

    def __init__(self):
        model = build_colour_ae()
        super().__init__(model.encoder, model.decoder[:-1])

    def decode(self, z):
        return torch.sigmoid(self.decoder(z))


class ColourSigmoidNotLast(EncoderDecoder):
    """An nn.Sigmoid, then one more operation after it."""

    def decode(self, z):
        return self.decoder(z).clamp(0.0, 1.0) ** 1.0 * 0.999


def colour(**replace):
    def factory():
        model = build_colour_ae()
        for where, index, layer in replace.get("layers", []):
            getattr(model, where)[index] = layer
        return model

    return factory


COLOUR_WRONG = [
    ("grey input layer", colour(layers=[("encoder", 0, nn.Conv2d(1, 32, 3, padding=1))]),
     ["channels wrong for colour", "in_channels=3"]),
    ("grey output", colour(layers=[("decoder", 4, nn.ConvTranspose2d(32, 1, 2, stride=2))]),
     ["channels wrong", "3 output channels"]),
    ("code as big as the image", colour(layers=[("encoder", 6, nn.Conv2d(64, 192, 1)),
                                                ("decoder", 0, nn.Conv2d(192, 64, 1))]),
     ["nothing is compressed"]),
    ("sigmoid(conv(x))", ColourSkipsTheCode, ["goes around the code"]),
    ("the input fed to the last layer", ColourInputToTheLastLayer, ["goes around the code"]),
    ("decode reads the saved input", ColourRemembersTheInput, ["not only the code"]),
    ("decode ignores the code", ColourIgnoresTheCode, ["ignores the code"]),
    ("the code ignores the image", ColourConstantCode, ["same for every image"]),
    ("no Sigmoid", colour(layers=[("decoder", 5, nn.Identity())]), ["Sigmoid"]),
    ("too big an output", colour(layers=[("decoder", 4, nn.ConvTranspose2d(32, 3, 4, stride=4))]),
     ["wrong output shape", "64"]),
    ("detached output", ColourDetached, ["backpropagated"]),
    ("no encode method", lambda: nn.Sequential(*build_colour_ae().encoder,
                                               *build_colour_ae().decoder), ["encode method"]),
    ("float16 output", lambda: _cast_colour(torch.float16), ["float16"]),
    ("constructor raises", raises(ValueError("bad channels")), ["ValueError", "bad channels"]),
    ("takes an argument", lambda channels: build_colour_ae(), ["TypeError"]),
    ("torch.sigmoid instead of nn.Sigmoid", ColourFunctionalSigmoid, ["nn.Sigmoid() layer"]),
    ("work after the Sigmoid", lambda: ColourSigmoidNotLast(build_colour_ae().encoder,
                                                            build_colour_ae().decoder),
     ["not the last thing"]),
]


def _cast_colour(dtype):
    class Cast(Colour):
        def forward(self, x):
            return super().forward(x).to(dtype)

    return Cast()


# --------------------------------------------------------------------------- exercise 4


class Added(UNetAutoencoder):
    """Adds the encoder features (a residual) instead of concatenating them."""

    def __init__(self):
        super().__init__(skips=False)

    def forward(self, x):
        s1 = self.down1(x)
        s2 = self.down2(self.pool(s1))
        h = self.up2(self.from_code(self.bottleneck(self.pool(s2)))) + s2
        h = self.up1(self.merge2(h)) + s1
        return self.merge1(h)


class NeverUsesS1(UNetAutoencoder):
    def decode(self, z, skips=None):
        s1, s2 = skips
        h = torch.cat([self.up2(self.from_code(z)), s2], dim=1)
        h = self.up1(self.merge2(h))
        return self.merge1(torch.cat([h, h], dim=1))


class NeverUsesS2(UNetAutoencoder):
    def decode(self, z, skips=None):
        s1, s2 = skips
        h = self.up2(self.from_code(z))
        h = self.up1(self.merge2(torch.cat([h, h], dim=1)))
        return self.merge1(torch.cat([h, s1], dim=1))


class CodeUnused(UNetAutoencoder):
    """The bottleneck is computed, but the decoder never reads it."""

    def decode(self, z, skips=None):
        return super().decode(torch.zeros_like(z), skips)


class BottleneckBypassed(UNetAutoencoder):
    """The decoder reads the pooled features straight from the encoder, not the code."""

    def encode_with_skips(self, x):
        s1 = self.down1(x)
        s2 = self.down2(self.pool(s1))
        self.bottleneck(self.pool(s2))
        return self.pool(s2)[:, :4], [s1, s2]


class Mismatched(UNetAutoencoder):
    def decode(self, z, skips=None):
        s1, s2 = skips
        h = torch.cat([self.up2(self.from_code(z)), s1], dim=1)  # 14×14 with 28×28
        return self.merge1(self.up1(self.merge2(h)))


class Anonymous(nn.Module):
    def forward(self, x):
        return x


class ForwardAroundDecode(UNetAutoencoder):
    def forward(self, x):
        z, skips = self.encode_with_skips(x)
        return 0.5 * self.decode(z, skips) + 0.5 * torch.sigmoid(4 * x - 2)


class NoEncodeWithSkips(nn.Module):
    """A working U-Net without the scaffold's encode_with_skips."""

    def __init__(self):
        super().__init__()
        self.net = UNetAutoencoder()
        self.bottleneck = self.net.bottleneck

    def forward(self, x):
        return self.net(x)


class UNetTuple(UNetAutoencoder):
    def forward(self, x):
        z, skips = self.encode_with_skips(x)
        return self.decode(z, skips), z


class UNetChangesItsWeights(UNetAutoencoder):
    def forward(self, x):
        with torch.no_grad():
            self.merge1[0].bias.add_(1.0)
        return super().forward(x)


UNET_WRONG = [
    ("the plain autoencoder", lambda: UNetAutoencoder(skips=False), ["skip connection missing"]),
    ("a residual sum", Added, ["wrong parameter count", "instead of concatenating"]),
    ("14×14 with 28×28", Mismatched, ["shape mismatch", "torch.cat"]),
    ("no bottleneck name", Anonymous, ["self.bottleneck"]),
    ("s1 never used", NeverUsesS1, ["never uses s1"]),
    ("s2 never used", NeverUsesS2, ["never uses s2"]),
    ("the code never read", CodeUnused, ["bypassed"]),
    ("the bottleneck bypassed", BottleneckBypassed, ["bypassed"]),
    ("forward around decode", ForwardAroundDecode, ["decode(z, skips)"]),
    ("no encode_with_skips", NoEncodeWithSkips, ["encode_with_skips"]),
    ("returns a tuple", UNetTuple, ["tuple"]),
    ("forward changes its weights", UNetChangesItsWeights, ["changed its weights"]),
    ("torch.sigmoid instead of nn.Sigmoid", lambda: _functional_sigmoid_unet(),
     ["nn.Sigmoid() layer"]),
    ("constructor raises", raises(AttributeError("no attribute 'merge3'")), ["merge3"]),
    ("an instance, not the class", UNetAutoencoder(), ["not a model you built"]),
]


def _functional_sigmoid_unet():
    class Functional(UNetAutoencoder):
        def decode(self, z, skips=None):
            return torch.sigmoid(super().decode(z, skips))

    model = Functional()
    model.merge1[1] = nn.Identity()
    return model


def zero_weights(model, images):
    with torch.no_grad():
        model.bottleneck.weight.zero_()
        model.bottleneck.bias.zero_()
    return model(images)


def zero_every_parameter(model, images):
    for p in model.parameters():
        p.data.zero_()
    return model(images)


def leave_a_hook(model, images):
    model.bottleneck.register_forward_hook(lambda m, i, out: torch.zeros_like(out))
    return model(images)


class ZeroConv(nn.Module):
    def forward(self, x):
        return x[:, :4] * 0


def replace_the_bottleneck(model, images):
    model.bottleneck = ZeroConv()
    return model(images)


def zero_the_images_in_place(model, images):
    z, skips = model.encode_with_skips(images.zero_())
    return model.decode(z, skips)


def switch_to_training(model, images):
    model.train()
    return decode_from_zero_code(model, images)


def ones_code(model, images):
    z, skips = model.encode_with_skips(images)
    return model.decode(torch.ones_like(z), skips)


ZERO_CODE_WRONG = [
    ("the skips zeroed too", lambda m, x: m.decode(torch.zeros_like(m.encode(x))),
     ["skip features too"]),
    ("the input zeroed", lambda m, x: m(torch.zeros_like(x)), ["zeroed the input"]),
    ("the normal reconstruction", lambda m, x: m(x), ["not replaced"]),
    ("the code set to ones", ones_code, ["zeros_like"]),
    ("the bottleneck's weights zeroed in place", zero_weights,
     ["changed the model", "bottleneck.weight"]),
    ("every weight zeroed in place", zero_every_parameter, ["changed the model"]),
    ("a hook left on the model", leave_a_hook, ["changed the model", "hook"]),
    ("the bottleneck replaced", replace_the_bottleneck, ["changed the model", "bottleneck"]),
    ("the model switched to training", switch_to_training, ["changed the model", "train"]),
    ("the images zeroed in place", zero_the_images_in_place, ["changed the images"]),
    ("returns (x_hat, z)", lambda m, x: (m(x), m.encode(x)), ["tuple"]),
    ("returns the code", lambda m, x: torch.zeros_like(m.encode(x)), ["wrong output shape"]),
    ("float64 output", lambda m, x: decode_from_zero_code(m, x).double(), ["float64"]),
    ("a numpy array", lambda m, x: decode_from_zero_code(m, x).detach().numpy(),
     ["tensor", "ndarray"]),
    ("a list", lambda m, x: [decode_from_zero_code(m, x)], ["tensor", "list"]),
    ("raises", raises(IndexError("list index out of range")), ["IndexError"]),
    ("not callable", 42, ["function"]),
]

# --------------------------------------------------------------------------- exercise 5


def linear_stack(widths, *, activation=True, code_activation=True):
    """784 → widths… mirrored, Sigmoid at the end; ``activation`` after each hidden layer."""
    def half(sizes, last):
        layers = []
        for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
            layers.append(nn.Linear(a, b))
            is_last = i == len(sizes) - 2
            if is_last:
                layers += last
            elif activation:
                layers.append(nn.ReLU())
        return layers

    widths = [784, *widths]
    encoder = [nn.Flatten(), *half(widths, [nn.ReLU()] if code_activation else [])]
    decoder = [*half(widths[::-1], [nn.Sigmoid()]), nn.Unflatten(1, (1, 28, 28))]
    return EncoderDecoder(nn.Sequential(*encoder), nn.Sequential(*decoder))


class WideAroundTheCode(FCAutoencoder):
    def __init__(self):
        super().__init__((512, 16))

    def forward(self, x):
        return 0.5 * super().forward(x) + 0.5 * torch.sigmoid(4 * x - 2)


DEPTH_WRONG = [
    ("deep too small", (build_wide, lambda: FCAutoencoder((256, 128, 64, 16))),
     ["wrong parameter count", "widen"]),
    ("deep too big", (build_wide, lambda: FCAutoencoder((480, 300, 200, 16))),
     ["wrong parameter count", "narrow its layers"]),
    ("deep too shallow", (build_wide, lambda: FCAutoencoder((600, 16))), ["three hidden layers"]),
    ("deep not narrow", (build_wide, lambda: FCAutoencoder((512, 128, 64, 16))), ["narrower"]),
    ("wide too wide", (lambda: FCAutoencoder((1024, 16)), build_deep), ["784 → 512 → 16"]),
    ("code 32", (build_wide, lambda: FCAutoencoder((384, 256, 128, 32))), ["wrong code size"]),
    ("wide without ReLU", (lambda: linear_stack((512, 16), activation=False), build_deep),
     ["build_wide", "no activation"]),
    ("deep without ReLU", (build_wide, lambda: linear_stack((384, 256, 128, 16),
                                                            activation=False)),
     ["build_deep", "no activation"]),
    ("wide goes around the code", (WideAroundTheCode, build_deep), ["goes around the code"]),
    ("wide returns a tuple", (lambda: _fc_tuple(), build_deep), ["tuple"]),
    ("deep returns integers", (build_wide, lambda: _fc_cast(torch.int64)), ["int64"]),
    ("wide needs an argument", (lambda hidden: FCAutoencoder(hidden), build_deep),
     ["TypeError"]),
    ("torch.sigmoid instead of nn.Sigmoid", (lambda: _fc_functional_sigmoid(), build_deep),
     ["build_wide", "nn.Sigmoid() layer"]),
    ("the same function twice, not a model", (build_wide, build_wide),
     ["three hidden layers"]),
]


def _fc_tuple():
    class Pair(FCAutoencoder):
        def forward(self, x):
            return super().forward(x), self.encode(x)

    return Pair((512, 16))


def _fc_functional_sigmoid():
    class Functional(FCAutoencoder):
        def decode(self, z):
            return torch.sigmoid(self.decoder(z))

    model = Functional((512, 16))
    model.decoder[3] = nn.Identity()  # Linear, ReLU, Linear, [Sigmoid], Unflatten
    return model


def _fc_cast(dtype):
    class Cast(FCAutoencoder):
        def forward(self, x):
            return super().forward(x).to(dtype)

    return Cast((384, 256, 128, 16))


DEPTH_RIGHT = [
    ("the solution", (build_wide, build_deep)),
    ("no ReLU on the code (going further 3)",
     (lambda: linear_stack((512, 16), code_activation=False),
      lambda: linear_stack((384, 256, 128, 16), code_activation=False))),
]

# --------------------------------------------------------------------------- the sweep


def _row(channels, kernel, mse=0.01, code=196):
    return SweepRow(channels, kernel, 4 if len(channels) == 2 else 1, 1000, code, mse, 0.02)


GOOD_SWEEP = [_row((8,), 3), _row((16, 32), 3, 0.005), _row((16, 32), 5)]

SWEEP_WRONG = [
    ("two rows", GOOD_SWEEP[:2], ["at least three"]),
    ("only the kernel varies", [_row((16, 32), 3), _row((16, 32), 5), _row((16, 32), 7)],
     ["channel counts", "depths"]),
    ("unequal code sizes", GOOD_SWEEP[:2] + [_row((8,), 5, code=784)], ["code sizes"]),
    ("the configs, not the rows", [dict(channels=(8,), kernel_size=3, code_channels=1)] * 3,
     ["run_sweep returns"]),
    ("a dict", {"rows": GOOD_SWEEP}, ["run_sweep returns"]),
    ("a string", "sweep", ["run_sweep returns"]),
    ("a diverged row", GOOD_SWEEP[:2] + [_row((16, 32), 5, mse=float("nan"))], ["nan"]),
]

# --------------------------------------------------------------------------- the tables


def _call(check, answer):
    return check(*answer) if isinstance(answer, tuple) else check(answer)


TABLES = {
    "check_architecture": (check_architecture, ARCHITECTURE_WRONG),
    "check_downsampling": (check_downsampling, DOWNSAMPLING_WRONG),
    "check_best_mode": (check_best_mode, BEST_MODE_WRONG),
    "check_colour": (check_colour, COLOUR_WRONG),
    "check_unet": (check_unet, UNET_WRONG),
    "check_zero_code": (check_zero_code, ZERO_CODE_WRONG),
    "check_depth_vs_width": (check_depth_vs_width, DEPTH_WRONG),
    "check_sweep": (check_sweep, SWEEP_WRONG),
}
WRONG_ANSWER_ROWS = sum(len(rows) for _, rows in TABLES.values())

RIGHT = [
    *[pytest.param(check_architecture, answer, id=f"check_architecture: {name}")
      for name, answer in ARCHITECTURE_RIGHT],
    *[pytest.param(check_downsampling, answer, id=f"check_downsampling: {name}")
      for name, answer in DOWNSAMPLING_RIGHT],
    *[pytest.param(check_best_mode, answer, id=f"check_best_mode: {name}")
      for name, answer in BEST_MODE_RIGHT],
    pytest.param(check_colour, build_colour_ae, id="check_colour: the solution"),
    pytest.param(check_unet, UNetAutoencoder, id="check_unet: the course's U-Net"),
    pytest.param(check_zero_code, decode_from_zero_code, id="check_zero_code: the solution"),
    *[pytest.param(check_depth_vs_width, answer, id=f"check_depth_vs_width: {name}")
      for name, answer in DEPTH_RIGHT],
    pytest.param(check_sweep, GOOD_SWEEP, id="check_sweep: three varied rows"),
]


@pytest.mark.parametrize("check, answer, words", [
    pytest.param(check, answer, words, id=f"{name}: {row}")
    for name, (check, rows) in TABLES.items() for row, answer, words in rows])
def test_a_wrong_answer_fails_with_a_hint_that_names_the_mistake(check, answer, words):
    result = _call(check, answer)
    assert isinstance(result, CheckResult)
    assert result.passed is False, str(result)
    for word in words:
        assert word.lower() in result.message.lower(), (word, str(result))
    assert "could not finish" not in result.message, str(result)


@pytest.mark.parametrize("check, answer", RIGHT)
def test_a_right_answer_passes(check, answer):
    result = _call(check, answer)
    assert result.passed is True, str(result)


def test_every_table_has_rows_and_the_count_is_known():
    assert all(len(rows) >= 7 for _, rows in TABLES.values())
    assert WRONG_ANSWER_ROWS >= 120


# --------------------------------------------------------------------------- the learner's model


def _state(model):
    return {k: v.clone() for k, v in model.state_dict().items()}, model.training


def _same(model, state):
    tensors, training = state
    now = model.state_dict()
    return (training == model.training and now.keys() == tensors.keys()
            and all(torch.equal(now[k], tensors[k]) for k in now))


def test_a_check_never_changes_the_learners_model():
    """A factory may hand back the learner's own (trained) model: the check uses a copy."""
    models = {"conv": build_conv_ae((8,), 3, 1), "colour": build_colour_ae(),
              "unet": UNetAutoencoder(), "wide": build_wide(), "deep": build_deep(),
              "block": downsample_block(1, 8, "max")}
    for model in models.values():
        model.train()
    states = {name: _state(m) for name, m in models.items()}
    assert_all = [
        check_architecture(lambda *a: models["conv"]),
        check_colour(lambda: models["colour"]),
        check_unet(lambda: models["unet"]),
        check_depth_vs_width(lambda: models["wide"], lambda: models["deep"]),
        check_downsampling(lambda *a: models["block"]),
    ]
    assert all(isinstance(r, CheckResult) for r in assert_all)
    for name, model in models.items():
        assert _same(model, states[name]), name


def test_zeroing_the_weights_in_place_fails_and_the_learners_unet_survives():
    learners_unet = UNetAutoencoder().eval()
    before = _state(learners_unet)

    def zero_mine_too(model, images):  # as a learner's later cell would call it
        return zero_weights(model, images)

    result = check_zero_code(zero_mine_too)
    assert result.passed is False and "changed the model" in result.message
    assert _same(learners_unet, before)


def test_a_check_leaves_the_random_number_generators_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    assert check_zero_code(decode_from_zero_code).passed
    assert check_unet(UNetAutoencoder).passed
    assert torch.equal(torch.rand(3), expected)


def test_a_model_that_cannot_be_copied_gets_a_hint():
    class Uncopyable(EncoderDecoder):
        def __deepcopy__(self, memo):
            raise RuntimeError("Only Tensors created explicitly by the user support the "
                               "deepcopy protocol")

    result = check_colour(lambda: Uncopyable(build_colour_ae().encoder,
                                            build_colour_ae().decoder))
    assert result.passed is False and "copy" in result.message
    assert "register_buffer" in result.message


def test_the_tables_cover_the_reported_wrong_answers():
    """The wrong answers found passing or raising before these checks were rewritten."""
    names = {row for _, rows in TABLES.values() for row, _, _ in rows}
    for reported in ("the bottleneck's weights zeroed in place", "sigmoid(conv(x))",
                     "the input fed to the last layer", "average pooling",
                     "strided conv instead of pooling", "no ReLU in the encoder",
                     "no ReLU anywhere", "pooling before the conv", "wide without ReLU",
                     "s1 never used", "the bottleneck bypassed", "a diverged run",
                     "float64 output", "float16 output", "long output", "a list",
                     "results as a list"):
        assert reported in names, reported


def test_a_model_built_for_another_device_is_checked_on_the_cpu():
    """A factory may move its model to a GPU; the check's copy runs on the CPU."""
    moved = []

    def build_on_meta():
        model = build_colour_ae()
        moved.append(model)
        return model.to("meta")  # stands for .cuda(): a device the check's images are not on

    result = check_colour(build_on_meta)
    assert isinstance(result, CheckResult) and result.passed is False
    assert "could not finish" not in result.message


def test_a_device_mismatch_in_forward_gets_a_hint():
    class MakesTensorsElsewhere(EncoderDecoder):
        def forward(self, x):
            return self.decode(self.encode(x)) + torch.zeros(1, device="meta")

    result = check_colour(lambda: MakesTensorsElsewhere(build_colour_ae().encoder,
                                                        build_colour_ae().decoder))
    assert result.passed is False and "device mismatch" in result.message, result
