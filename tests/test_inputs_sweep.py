"""A property-based sweep of the course's entry points with ordinary and odd inputs.

Each example is a valid setting (its whole numbers as Python, NumPy or PyTorch integers),
and half the time one argument replaced by something odd: 0, a negative or huge number, a
float (NaN, ±∞, 2.5, 3.0), a bool, a PyTorch float or bool, a string, None, a list, an
object. Every input must give the right result or a ``ValueError``/``TypeError`` (or a
course exception subclassing one) whose message names the argument: the replaced one when
it is not a whole number at all. Nothing else escapes. Where the output-size arithmetic
answers, PyTorch's own layers must agree; where a model builds, it must reconstruct images
of its input's shape; where a loader loads, it must give images in [0, 1] and labels 0–9.

Run with ``-s`` to see how many inputs each entry point got and what they got back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils import arithmetic, data
from course_utils.data import DatasetUnavailableError, ImageSet
from course_utils.models import (
    ConvVAE,
    DeepAutoencoder,
    DeepConvAutoencoder,
    FCAutoencoder,
    FlatConvAutoencoder,
    SimpleConvAutoencoder,
    SparseConvAutoencoder,
    UNetAutoencoder,
    UpsampleConvAutoencoder,
)
from course_utils.models.validation import as_int

SWEEP = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                 suppress_health_check=list(HealthCheck))
MODEL_SWEEP = settings(SWEEP, max_examples=150)  # each valid model is built and run once
LOADER_SWEEP = settings(SWEEP, max_examples=60)  # each valid split loads a data set

OUTCOMES: dict[str, Counter[str]] = {}
"""Entry point → what its inputs got: a result, or the exception's type."""


def teardown_module() -> None:
    total = sum(c[k] for c in OUTCOMES.values() for k in c if not k.startswith("checked"))
    print(f"\n{total:,} inputs tried")
    for name, counts in sorted(OUTCOMES.items()):
        print(f"  {name:34} " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))


# --------------------------------------------------------------------------- inputs

HUGE = st.one_of(st.sampled_from([2**31, 2**63, 2**64, 10**18, -(2**63)]),
                 st.integers(min_value=10**4, max_value=2**80),
                 st.integers(min_value=-(2**80), max_value=-(10**4)))
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from([2.5, 3.0, 0.0, -1.0, float("nan"), float("inf")]))
ODD_OBJECTS = st.sampled_from([
    None, "3", "", "max", b"3", [3], (3,), {3: 3}, np.bool_(True), np.float64(3.0),
    np.array(3), np.array([3, 3]), torch.tensor(3.0), torch.tensor(True), torch.tensor([3, 3]),
    object()])
ODD = st.one_of(st.integers(-3, 0), st.integers(-3, 0).map(np.int64), HUGE, FLOATS,
                st.booleans(), ODD_OBJECTS)
"""What replaces one argument: numbers out of range, and things that are not whole numbers."""

INTEGER_KINDS = (int, np.int64, np.int32, torch.tensor)


def integers(low: int, high: int) -> st.SearchStrategy[Any]:
    """Whole numbers in [low, high], as a Python int, a NumPy integer or a 0-d PyTorch tensor."""
    return st.tuples(st.integers(low, high), st.sampled_from(INTEGER_KINDS)).map(
        lambda t: t[1](t[0]))


@st.composite
def one_replaced(draw, valid: dict[str, st.SearchStrategy[Any]],
                 odd: dict[str, st.SearchStrategy[Any]] | None = None):
    """(kwargs, name of the replaced argument or None): valid settings, half the time with
    one argument replaced by an odd value (``odd[name]`` if given, else ``ODD``)."""
    kwargs = draw(st.fixed_dictionaries(valid))
    replaced = draw(st.one_of(st.none(), st.sampled_from(sorted(valid))))
    if replaced is not None:
        kwargs[replaced] = draw((odd or {}).get(replaced, ODD))
    return kwargs, replaced


def _record(entry: str, outcome: str) -> None:
    OUTCOMES.setdefault(entry, Counter())[outcome] += 1


def _names(message: str, names: tuple[str, ...]) -> bool:
    text = message.lower()
    return any(n.lower() in text or n.lower().replace("_", " ") in text for n in names)


def _call(entry: str, call: Callable[[], Any], names: tuple[str, ...],
          replaced: str | None = None, value: Any = None) -> Any:
    """``call()``'s result, or None after checking that it refused with a clear error.

    Only ValueError and TypeError (and their subclasses, as the course's own exceptions
    are) may escape. The message must name an argument; the replaced one when its value
    is not a whole number at all.
    """
    try:
        result = call()
    except (ValueError, TypeError) as error:
        _record(entry, type(error).__name__)
        message = str(error)
        must = (replaced,) if replaced is not None and as_int(value) is None else names
        assert _names(message, must), f"{entry}: the message names none of {must}: {message}"
        return None
    _record(entry, "result")
    return result


# --------------------------------------------------------------------------- arithmetic


def _torch_height(call: Callable[[], torch.Tensor]) -> int | None:
    """The height PyTorch's layer produces for a one-pixel-wide column, or None if it refuses."""
    try:
        return int(call().shape[2])
    except RuntimeError:
        return None


def _column(i: int) -> torch.Tensor:
    return torch.zeros(1, 1, i, 1)


def _ints(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: (as_int(v) if as_int(v) is not None else v) for k, v in kwargs.items()}


NAMES = ("size", "kernel_size", "stride", "padding", "dilation", "output_padding",
         "scale_factor", "ceil_mode", "pool")

CONV = {"size": integers(1, 40), "kernel_size": integers(1, 9), "stride": integers(1, 5),
        "padding": integers(0, 4), "dilation": integers(1, 3)}


@SWEEP
@given(drawn=one_replaced(CONV))
def test_conv_output_size(drawn) -> None:
    kw, replaced = drawn
    out = _call("conv_output_size", lambda: arithmetic.conv_output_size(**kw), NAMES,
                replaced, kw.get(replaced))
    if out is not None:
        assert type(out) is int and out >= 1
    if replaced is None:
        i, k, s, p, d = (_ints(kw)[n] for n in CONV)
        assert out == _torch_height(lambda: F.conv2d(
            _column(i), torch.zeros(1, 1, k, 1), stride=(s, 1), padding=(p, 0),
            dilation=(d, 1))), kw
        _record("conv_output_size", "checked against PyTorch")


POOL = dict(CONV, stride=st.one_of(st.none(), integers(1, 5)),
            ceil_mode=st.sampled_from([False, True, np.bool_(True)]),
            pool=st.sampled_from(["max", "avg"]))
POOL_ODD = {"ceil_mode": st.sampled_from(["no", "yes", 0, 1, None, torch.tensor(True), [True]]),
            "pool": st.sampled_from(["min", "MAX", "", None, 1, ["max"], np.array(["max"])])}


@SWEEP
@given(drawn=one_replaced(POOL, POOL_ODD))
def test_pool_output_size(drawn) -> None:
    kw, replaced = drawn
    out = _call("pool_output_size", lambda: arithmetic.pool_output_size(**kw), NAMES,
                replaced, kw.get(replaced))
    if out is not None:
        assert type(out) is int and out >= 1
    if replaced is None:
        i, k, s, p, d, ceil, pool = (_ints(kw)[n] for n in POOL)
        s = k if s is None else s
        if pool == "max":
            expected = _torch_height(lambda: F.max_pool2d(_column(i), (k, 1), (s, 1), (p, 0),
                                                          (d, 1), ceil_mode=bool(ceil)))
        elif d == 1:
            expected = _torch_height(lambda: F.avg_pool2d(_column(i), (k, 1), (s, 1), (p, 0),
                                                          ceil_mode=bool(ceil)))
        else:
            expected = None  # AvgPool2d has no dilation: the course refuses it
        assert out == expected, kw
        _record("pool_output_size", "checked against PyTorch")


TRANSPOSE = dict(CONV, output_padding=integers(0, 4))


@SWEEP
@given(drawn=one_replaced(TRANSPOSE))
def test_conv_transpose_output_size(drawn) -> None:
    kw, replaced = drawn
    out = _call("conv_transpose_output_size",
                lambda: arithmetic.conv_transpose_output_size(**kw), NAMES,
                replaced, kw.get(replaced))
    if out is not None:
        assert type(out) is int and out >= 1
    if replaced is None:
        i, k, s, p, d, a = (_ints(kw)[n] for n in TRANSPOSE)
        assert out == _torch_height(lambda: F.conv_transpose2d(
            _column(i), torch.zeros(1, 1, k, 1), stride=(s, 1), padding=(p, 0),
            output_padding=(a, 0), dilation=(d, 1))), kw
        _record("conv_transpose_output_size", "checked against PyTorch")


UPSAMPLE = {"size": integers(1, 16), "scale_factor": integers(1, 4),
            "kernel_size": integers(1, 9), "padding": integers(0, 4), "dilation": integers(1, 3)}


@SWEEP
@given(drawn=one_replaced(UPSAMPLE))
def test_upsample_conv_output_size(drawn) -> None:
    kw, replaced = drawn
    out = _call("upsample_conv_output_size",
                lambda: arithmetic.upsample_conv_output_size(**kw), NAMES,
                replaced, kw.get(replaced))
    if out is not None:
        assert type(out) is int and out >= 1
    if replaced is None:
        i, sc, k, p, d = (_ints(kw)[n] for n in UPSAMPLE)
        up = nn.Upsample(scale_factor=sc, mode="nearest")
        assert out == _torch_height(lambda: F.conv2d(up(_column(i)), torch.zeros(1, 1, k, 1),
                                                     padding=(p, 0), dilation=(d, 1))), kw
        _record("upsample_conv_output_size", "checked against PyTorch")


KERNEL = {"kernel_size": integers(1, 9), "dilation": integers(1, 3)}


@SWEEP
@given(drawn=one_replaced(KERNEL))
def test_same_padding_and_effective_kernel_size(drawn) -> None:
    kw, replaced = drawn
    value = kw.get(replaced)
    span = _call("effective_kernel_size", lambda: arithmetic.effective_kernel_size(**kw),
                 NAMES, replaced, value)
    padding = _call("same_padding", lambda: arithmetic.same_padding(**kw), NAMES,
                    replaced, value)
    if replaced is None:
        k, d = (_ints(kw)[n] for n in KERNEL)
        assert span == d * (k - 1) + 1
        if padding is not None:
            assert _torch_height(lambda: F.conv2d(_column(28), torch.zeros(1, 1, k, 1),
                                                  padding=(padding, 0), dilation=(d, 1))) == 28
        else:
            assert span % 2 == 0  # refused only for kernels with no centre
        _record("same_padding", "checked against PyTorch")


# --------------------------------------------------------------------------- models

WIDTH = integers(1, 24)
PAIR = st.one_of(st.tuples(WIDTH, WIDTH), st.lists(WIDTH, min_size=2, max_size=2),
                 st.tuples(st.integers(1, 24), st.integers(1, 24)).map(np.array),
                 st.tuples(st.integers(1, 24), st.integers(1, 24)).map(torch.tensor))
PAIR_ODD = st.one_of(ODD, st.lists(st.one_of(WIDTH, ODD), max_size=3),
                     st.tuples(WIDTH, ODD), st.sampled_from(["8,16", np.array([[8, 16]])]))
FLAG_ODD = st.sampled_from(["no", "yes", 0, 1, None, torch.tensor(True), [True]])
MODE_ODD = st.sampled_from(["bicubic", "NEAREST", "", None, 2, ["nearest"]])
SHAPE = st.one_of(st.just((1, 28, 28)), st.tuples(integers(1, 3), integers(1, 12),
                                                  integers(1, 12)))
SHAPE_ODD = st.one_of(PAIR_ODD, st.tuples(WIDTH, WIDTH, ODD),
                      st.sampled_from([(3, 4096, 4096), (1, 10**6, 10**6), "1x28x28"]))
DROPOUT_ODD = st.one_of(st.floats(-1, 2), FLOATS, st.sampled_from(["0.2", None, 1, True]))


def _builds(entry: str, build: Callable[[], nn.Module], kw: dict[str, Any],
            replaced: str | None, image_shape: tuple[int, ...] = (1, 28, 28)) -> None:
    """``build()`` gives a model that reconstructs ``image_shape`` images, or a clear error."""
    model = _call(entry, build, tuple(kw), replaced, kw.get(replaced))
    if model is None:
        assert replaced is not None, f"{entry} refused valid settings {kw}"
        return
    x = torch.rand(2, *image_shape)
    with torch.no_grad():
        assert model.eval()(x).shape == x.shape


SIMPLE = {"channels": WIDTH}


@MODEL_SWEEP
@given(drawn=one_replaced(SIMPLE))
def test_simple_conv_autoencoder(drawn) -> None:
    kw, replaced = drawn
    _builds("SimpleConvAutoencoder", lambda: SimpleConvAutoencoder(**kw), kw, replaced)


DEEP = {"latent_channels": WIDTH}
UPSAMPLED = {"latent_channels": WIDTH, "mode": st.sampled_from(["nearest", "bilinear"]),
             "align_corners": st.booleans()}
UPSAMPLED_ODD = {"mode": MODE_ODD, "align_corners": FLAG_ODD}


@MODEL_SWEEP
@given(drawn=one_replaced(UPSAMPLED, UPSAMPLED_ODD))
def test_deep_conv_and_upsample_autoencoders(drawn) -> None:
    kw, replaced = drawn
    deep = {"latent_channels": kw["latent_channels"]}
    _builds("DeepConvAutoencoder", lambda: DeepConvAutoencoder(**deep), deep,
            replaced if replaced == "latent_channels" else None)
    _builds("UpsampleConvAutoencoder", lambda: UpsampleConvAutoencoder(**kw), kw, replaced)


FC = {"hidden_sizes": st.lists(WIDTH, min_size=1, max_size=3), "image_shape": SHAPE,
      "batchnorm": st.booleans()}
FC_ODD = {"hidden_sizes": st.one_of(PAIR_ODD, st.just(())), "image_shape": SHAPE_ODD,
          "batchnorm": FLAG_ODD}
DEEP_FC = dict(FC, hidden_sizes=st.lists(WIDTH, max_size=3), latent_dim=WIDTH,
               dropout=st.floats(0, 0.99))
DEEP_FC_ODD = dict(FC_ODD, hidden_sizes=PAIR_ODD, dropout=DROPOUT_ODD)


@MODEL_SWEEP
@given(drawn=one_replaced(FC, FC_ODD))
def test_fc_autoencoder(drawn) -> None:
    kw, replaced = drawn
    shape = tuple(map(as_int, kw["image_shape"])) if replaced != "image_shape" else None
    _builds("FCAutoencoder", lambda: FCAutoencoder(**kw), kw, replaced, shape or (1, 28, 28))


@MODEL_SWEEP
@given(drawn=one_replaced(DEEP_FC, DEEP_FC_ODD))
def test_deep_autoencoder(drawn) -> None:
    kw, replaced = drawn
    shape = tuple(map(as_int, kw["image_shape"])) if replaced != "image_shape" else None
    _builds("DeepAutoencoder", lambda: DeepAutoencoder(**kw), kw, replaced,
            shape or (1, 28, 28))


FLAT = {"latent_dim": WIDTH, "channels": PAIR}
FLAT_ODD = {"channels": PAIR_ODD}


@MODEL_SWEEP
@given(drawn=one_replaced(FLAT, FLAT_ODD))
def test_flat_code_autoencoders(drawn) -> None:
    kw, replaced = drawn
    _builds("FlatConvAutoencoder", lambda: FlatConvAutoencoder(**kw), kw, replaced)
    _builds("ConvVAE", lambda: ConvVAE(**kw), kw, replaced)
    sparse = {"code_size": kw["latent_dim"], "channels": kw["channels"]}
    _builds("SparseConvAutoencoder", lambda: SparseConvAutoencoder(**sparse), sparse,
            {"latent_dim": "code_size"}.get(replaced, replaced))


UNET = {"in_channels": integers(1, 3), "channels": PAIR, "code_channels": WIDTH,
        "skips": st.booleans()}
UNET_ODD = {"channels": PAIR_ODD, "skips": FLAG_ODD}


@MODEL_SWEEP
@given(drawn=one_replaced(UNET, UNET_ODD))
def test_unet_autoencoder(drawn) -> None:
    kw, replaced = drawn
    c = as_int(kw["in_channels"])
    _builds("UNetAutoencoder", lambda: UNetAutoencoder(**kw), kw, replaced,
            (c, 28, 28) if c is not None and 1 <= c <= 3 else (1, 28, 28))


# --------------------------------------------------------------------------- loaders

SPLITS = st.one_of(st.sampled_from(["train", "test", np.str_("test")]),
                   st.sampled_from(["train", "test"]),
                   st.sampled_from(["Train", "TEST", "validation", " train", "train\n", ""]),
                   st.text(max_size=6), st.integers(-2, 2), st.none(), st.booleans(),
                   st.binary(max_size=3), st.sampled_from([["train"], ("test",), {"train"}]))
SIZES = {"train": 4000, "test": 1000}


def _valid_split(split: Any) -> bool:
    return isinstance(split, str) and split in SIZES


def _check_images(result: Any, channels: int, size: int) -> None:
    assert isinstance(result, ImageSet) and len(result) > 0
    assert result.images.shape[1:] == (channels, size, size)
    assert result.labels.dtype == torch.int64
    assert 0 <= int(result.labels.min()) and int(result.labels.max()) <= 9
    assert 0.0 <= float(result.images.min()) and float(result.images.max()) <= 1.0


@LOADER_SWEEP
@given(split=SPLITS)
def test_mnist_loaders(split) -> None:
    for name, load in (("load_mnist", data.load_mnist),
                       ("mnist_offline_subset", data.mnist_offline_subset)):
        result = _call(f"{name}(split)", lambda load=load: load(split), ("split",), "split",
                       None)
        assert (result is not None) == _valid_split(split)
        if result is not None:
            _check_images(result, 1, 28)
            assert len(result) == SIZES[split]
    labels = np.repeat(np.arange(10), 500)
    index = _call("mnist_subset_split(split)", lambda: data.mnist_subset_split(labels, split),
                  ("split",), "split", None)
    assert (index is not None) == _valid_split(split)
    if index is not None:
        assert len(index) == SIZES[split]


@LOADER_SWEEP
@given(split=SPLITS)
def test_fashion_mnist_and_cifar_loaders(split) -> None:
    try:
        refused = _call("load_fashion_mnist(split)", lambda: data.load_fashion_mnist(split),
                        ("split",), "split", None)
    except DatasetUnavailableError as error:  # the right answer offline, for a valid split
        assert _valid_split(split) and "FashionMNIST" in str(error)
        _record("load_fashion_mnist(split)", "DatasetUnavailableError (offline, no stand-in)")
    else:
        assert refused is None and not _valid_split(split)
    for name, load in (("load_cifar10", data.load_cifar10),
                       ("photo_patches_stand_in", data.photo_patches_stand_in)):
        result = _call(f"{name}(split)", lambda load=load: load(split), ("split",), "split",
                       None)
        assert (result is not None) == _valid_split(split)
        if result is not None:
            _check_images(result, 3, 32)


DIGITS = ImageSet(torch.rand(50, 1, 8, 8), torch.arange(50) % 10, "made up")
SUBSET = {"count": st.one_of(st.none(), integers(1, 80)), "seed": integers(0, 2**31 - 1)}


@SWEEP
@given(drawn=one_replaced(SUBSET))
def test_imageset_subset(drawn) -> None:
    kw, replaced = drawn
    result = _call("ImageSet.subset(count, seed)", lambda: DIGITS.subset(**kw),
                   ("count", "seed"), replaced, kw.get(replaced))
    if result is not None:
        count = as_int(kw["count"])
        assert len(result) == (50 if count is None else min(count, 50))
        assert len(torch.unique(result.images.flatten(1), dim=0)) == len(result)  # no repeats
    else:
        assert replaced is not None


BATCHES = {"batch_size": integers(1, 80)}


@SWEEP
@given(drawn=one_replaced(BATCHES))
def test_batches(drawn) -> None:
    kw, replaced = drawn
    result = _call("batches(batch_size)",
                   lambda: list(data.batches(DIGITS.images, **kw, shuffle=True)),
                   ("batch_size",), replaced, kw.get(replaced))
    if result is not None:
        assert sum(len(b) for b in result) == 50
        assert max(len(b) for b in result) == min(as_int(kw["batch_size"]), 50)
    else:
        assert replaced == "batch_size"


CORRUPTIONS = {"std": st.floats(0, 3), "amount": st.floats(0, 1), "box_size": integers(1, 8)}
CORRUPTIONS_ODD = {"std": st.one_of(st.floats(-3, -1e-9), FLOATS, ODD),
                   "amount": st.one_of(st.floats(1.0001, 5), st.floats(-5, -1e-9), FLOATS, ODD),
                   "box_size": st.one_of(st.integers(9, 100), ODD)}


@SWEEP
@given(drawn=one_replaced(CORRUPTIONS, CORRUPTIONS_ODD))
def test_corruptions(drawn) -> None:
    kw, replaced = drawn
    x = DIGITS.images[:4]
    for name, call, argument in (
            ("gaussian_noise(std)", lambda: data.gaussian_noise(x, kw["std"]), "std"),
            ("salt_and_pepper(amount)", lambda: data.salt_and_pepper(x, kw["amount"]),
             "amount"),
            ("random_box_mask(box_size)", lambda: data.random_box_mask(x, kw["box_size"])[0],
             "box_size")):
        mine = replaced if replaced == argument else None
        result = _call(name, call, (argument,), mine, kw.get(argument) if mine else None)
        if result is not None:
            assert result.shape == x.shape
            assert bool(((result >= 0) & (result <= 1)).all()), f"{name}: pixels left [0, 1]"


def test_the_sweep_reached_both_outcomes() -> None:
    """Runs last in this file: each entry point both answered and refused some inputs."""
    if len(OUTCOMES) < 20:
        pytest.skip("run the whole file to see the counts")
    never_refused = [n for n, c in OUTCOMES.items() if c["ValueError"] + c["TypeError"] == 0]
    never_answered = [n for n, c in OUTCOMES.items()
                      if c["result"] == 0 and not n.startswith("load_fashion_mnist")]
    assert never_refused == [] and never_answered == [], (never_refused, never_answered)
