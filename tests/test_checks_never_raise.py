"""The checks never raise: arbitrary junk in place of an answer gets a CheckResult, never an
exception, and never a pass it did not earn.

Hypothesis feeds every check None, strings, numbers, lists, dicts, NumPy arrays, tensors,
classes, functions that raise, functions that damage the model they are given, and modules
whose forward, encode, decode, encode_with_skips or bottleneck return odd things (tuples,
float64, integers, wrong shapes, NaN, …) or raise. A failing result always carries a message,
and no message is the checks' own last net ("could not finish"), which would mean a check
failed where it should have named the mistake. ``EXAMPLES`` is how many inputs each test tries.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.checks.arithmetic import CHALLENGES, SETTING_NAMES, check_settings
from course_utils.checks.base import CheckResult
from course_utils.checks.exercises import (
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

EXAMPLES = 150
JUNK = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no message for you")


ERRORS = [
    ValueError("bad value"), RuntimeError("mat1 and mat2 shapes cannot be multiplied "
                                          "(8x784 and 512x16)"),
    RuntimeError("Given groups=1, weight of size [16, 1, 3, 3], expected input[2, 3, 32, 32] to "
                 "have 1 channels, but got 3 channels instead"),
    RuntimeError("Input type (double) and bias type (float) should be the same"),
    TypeError("'ellipsis' object is not callable"), KeyError("x"), ZeroDivisionError(),
    RecursionError("maximum recursion depth exceeded"), StopIteration(), NotImplementedError(),
    AssertionError(), IndexError("list index out of range"), AttributeError("no merge3"),
    MemoryError(), Unprintable(), RuntimeError(""),
]


def _raise(error):
    def fail(*args, **kwargs):
        raise error

    return fail


# What a forward, encode, decode or answer function may give back, from the input tensor.
ODD = {
    "None": lambda x: None,
    "Ellipsis": lambda x: ...,
    "tuple": lambda x: (x, x),
    "list": lambda x: [x],
    "dict": lambda x: {"x": x},
    "int": lambda x: 3,
    "str": lambda x: "image",
    "ndarray": lambda x: x.detach().numpy(),
    "float64": lambda x: torch.sigmoid(x).double(),
    "float16": lambda x: torch.sigmoid(x).half(),
    "long": lambda x: (x > 0.5).long(),
    "bool": lambda x: x > 0.5,
    "complex": lambda x: torch.complex(x, x),
    "scalar": lambda x: x.sum(),
    "empty": lambda x: x[:0],
    "flat": lambda x: torch.sigmoid(x.flatten(1)),
    "cropped": lambda x: torch.sigmoid(x[..., :-1, :-1]),
    "doubled channels": lambda x: torch.sigmoid(torch.cat([x, x], 1)),
    "5-d": lambda x: torch.sigmoid(x[None]),
    "nan": lambda x: x * float("nan"),
    "inf": lambda x: x / 0,
    "huge": lambda x: x * 1e30,
    "negative": lambda x: -x,
    "identity": lambda x: x,
    "clamped": lambda x: x.clamp(0, 1),
    "constant": lambda x: torch.full_like(x, 0.5),
    "sigmoid": torch.sigmoid,
    "in place": lambda x: x.mul_(0),
    "transposed": lambda x: torch.sigmoid(x.transpose(-1, -2)),
    "one image": lambda x: torch.sigmoid(x[:1]),
    "pooled": lambda x: torch.sigmoid(nn.functional.avg_pool2d(x, 2)) if x.ndim == 4 else x,
    "random": lambda x: torch.rand_like(x),
    "the images": lambda x: torch.rand(4, 1, 28, 28),
    **{f"raises {type(e).__name__} {i}": _raise(e) for i, e in enumerate(ERRORS)},
}
# Half of the draws come from the outputs that get past the first checks (the right shape,
# values in [0, 1] or nearly), so that the deeper checks see junk too.
NEAR = ["sigmoid", "clamped", "constant", "random", "float64", "float16", "long", "bool",
        "in place", "identity", "the images", "transposed", "nan", "pooled"]
odd_kinds = st.one_of(st.sampled_from(NEAR), st.sampled_from(sorted(ODD)))


class OddModel(nn.Module):
    """A module whose every method returns something odd (or raises), chosen by name."""

    def __init__(self, forward: str, encode: str | None, decode: str | None,
                 skips: str | None, bottleneck: str, weights: str) -> None:
        super().__init__()
        if weights != "none":
            self.scale = nn.Parameter(torch.ones(1, dtype=getattr(torch, weights)))
        if bottleneck == "conv":
            self.bottleneck = nn.Conv2d(1, 4, 1)
        elif bottleneck == "junk":
            self.bottleneck = 5
        self.kinds = (forward, encode, decode, skips)
        if encode is not None:
            self.encode = lambda x: ODD[encode](self._scaled(x))
        if decode is not None:
            self.decode = lambda z, *skips: ODD[decode](z)
        if skips is not None:
            self.encode_with_skips = lambda x: (ODD[skips](x), [ODD[skips](x), x])

    def _scaled(self, x):
        scale = getattr(self, "scale", None)
        return x * scale if isinstance(scale, torch.Tensor) else x

    def forward(self, x):
        if isinstance(getattr(self, "bottleneck", None), nn.Module) and x.ndim == 4 \
                and x.shape[1] == 1:
            self.bottleneck(x)
        return ODD[self.kinds[0]](self._scaled(x))


odd_models = st.builds(
    OddModel, forward=odd_kinds, encode=st.none() | odd_kinds, decode=st.none() | odd_kinds,
    skips=st.none() | odd_kinds, bottleneck=st.sampled_from(["none", "conv", "junk"]),
    weights=st.sampled_from(["none", "float32", "float64", "float16", "float64"]))


def _factory(model: OddModel):
    """A function that builds the odd model, with whatever arguments the check passes."""
    return lambda *args, **kwargs: model


tensors = st.builds(lambda shape, fill: torch.full(shape, fill),
                    st.lists(st.integers(0, 4), max_size=4).map(tuple),
                    st.floats(allow_nan=True, allow_infinity=True, width=32))
plain_junk = st.one_of(
    st.none(), st.just(...), st.text(max_size=8), st.integers(), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(), st.binary(max_size=4),
    st.lists(st.integers(), max_size=3), st.tuples(st.integers(), st.text(max_size=2)),
    st.dictionaries(st.text(max_size=3), st.floats(), max_size=3), tensors,
    st.builds(np.array, st.lists(st.integers(-5, 5), max_size=4)),
    st.sampled_from([nn.Module, nn.Identity, nn.Conv2d, OddModel, int, str, type, print, len]),
    st.sampled_from(ERRORS).map(_raise),
)
answers = st.one_of(plain_junk, odd_models, odd_models.map(_factory),
                    odd_kinds.map(lambda kind: (lambda *a, **k: ODD[kind](
                        torch.rand(4, 1, 28, 28)))))


def assert_no_unearned_pass(result) -> None:
    assert isinstance(result, CheckResult), type(result)
    assert result.passed in (False, None), str(result)
    assert isinstance(result.message, str) and len(result.message) > 10, result
    assert "could not finish" not in result.message, str(result)
    assert str(result)


@JUNK
@given(answers)
def test_check_architecture_never_raises(answer):
    assert_no_unearned_pass(check_architecture(answer))


@JUNK
@given(answers)
def test_check_downsampling_never_raises(answer):
    assert_no_unearned_pass(check_downsampling(answer))


@JUNK
@given(answers)
def test_check_colour_never_raises(answer):
    assert_no_unearned_pass(check_colour(answer))


@JUNK
@given(answers)
def test_check_unet_never_raises(answer):
    assert_no_unearned_pass(check_unet(answer))


@JUNK
@given(answers, answers)
def test_check_depth_vs_width_never_raises(wide, deep):
    assert_no_unearned_pass(check_depth_vs_width(wide, deep))


# What an answer to check_zero_code may do to the model and images it is given first.
SIDE_EFFECTS = {
    "nothing": lambda m, x: None,
    "zero the weights": lambda m, x: [p.data.zero_() for p in m.parameters()],
    "leave a hook": lambda m, x: m.bottleneck.register_forward_hook(lambda *a: None),
    "replace a layer": lambda m, x: setattr(m, "bottleneck", nn.Identity()),
    "delete a layer": lambda m, x: delattr(m, "pool"),
    "junk as a layer": lambda m, x: setattr(m, "pool", None),
    "train mode": lambda m, x: m.train(),
    "zero the images": lambda m, x: x.zero_(),
    "add a buffer": lambda m, x: m.register_buffer("extra", torch.ones(1)),
    "raise": lambda m, x: (_ for _ in ()).throw(ValueError("nope")),
}


def _zero_code_answer(effect: str, kind: str, through: str):
    def answer(model, images):
        SIDE_EFFECTS[effect](model, images)
        source = {"images": images, "model": model(images),
                  "code": model.encode(images)}[through]
        return ODD[kind](source)

    return answer


zero_code_answers = st.one_of(
    plain_junk, odd_models,
    st.builds(_zero_code_answer, st.sampled_from(sorted(SIDE_EFFECTS)), odd_kinds,
              st.sampled_from(["images", "model", "code"])))


@JUNK
@given(zero_code_answers)
def test_check_zero_code_never_raises(answer):
    assert_no_unearned_pass(check_zero_code(answer))


numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(),
                    st.floats(0, 1).map(np.float32), st.floats(0, 1).map(torch.tensor),
                    st.none(), st.text(max_size=3), st.booleans(), tensors)
modes = st.sampled_from(["max", "avg", "stride", " Max", "MAX", "pooling", ""])
results = st.one_of(plain_junk, st.dictionaries(st.one_of(modes, st.integers(), st.none()),
                                                numbers, max_size=4))


def _as_float(value):
    if isinstance(value, bool):
        return None
    try:
        return float(value.item() if isinstance(value, torch.Tensor) else value)
    except Exception:
        return None


@JUNK
@given(st.one_of(modes, plain_junk), results)
def test_check_best_mode_never_raises_and_passes_only_the_best(answer, measured):
    result = check_best_mode(answer, measured)
    assert isinstance(result, CheckResult) and result.message
    assert "could not finish" not in result.message
    if result.passed:
        scores = {k: _as_float(v) for k, v in measured.items()}
        finite = [v for v in scores.values() if v is not None and math.isfinite(v)]
        chosen = next(k for k in scores if str(k).strip().lower() == answer.strip().lower())
        assert scores[chosen] == min(finite), (answer, measured)


rows = st.builds(SweepRow, st.lists(st.integers(1, 64), max_size=3).map(tuple),
                 st.one_of(st.integers(1, 7), st.text(max_size=2)), st.integers(0, 8),
                 st.integers(0, 10**6), st.sampled_from([196, 784, 0]),
                 st.floats(allow_nan=True, allow_infinity=True), st.floats())


@JUNK
@given(st.one_of(plain_junk, st.lists(rows, max_size=5), st.lists(plain_junk, max_size=4)))
def test_check_sweep_never_raises_and_passes_only_a_fair_sweep(answer):
    result = check_sweep(answer)
    assert isinstance(result, CheckResult) and result.message
    assert "could not finish" not in result.message
    if result.passed:
        assert len(answer) >= 3 and len({r.code_size for r in answer}) == 1
        assert all(math.isfinite(r.test_mse) for r in answer)
        assert len({r.depth for r in answer}) > 1 and len({r.kernel_size for r in answer}) > 1


setting_values = st.one_of(st.integers(-3, 40), st.integers(), st.sampled_from(
    [np.int64(2), np.int32(1), torch.tensor(3), torch.tensor(2.0), np.float64(1.0), True]),
    plain_junk)
setting_dicts = st.dictionaries(st.one_of(st.sampled_from([*SETTING_NAMES, "kernel"]),
                                          st.text(max_size=3), st.integers()),
                                setting_values, max_size=5)


def _real_size(layer: str, size: int, settings: dict) -> int:
    s = {("kernel_size" if k == "kernel" else k): int(v) for k, v in settings.items()}
    if layer == "Conv2d":
        s.pop("output_padding", None)
        return nn.Conv2d(1, 1, **s)(torch.zeros(1, 1, size, size)).shape[-1]
    return nn.ConvTranspose2d(1, 1, **s)(torch.zeros(1, 1, size, size)).shape[-1]


@JUNK
@given(st.sampled_from(sorted(CHALLENGES)), st.one_of(plain_junk, setting_dicts))
def test_check_settings_never_raises_and_passes_only_a_right_answer(name, answer):
    result = check_settings(name, answer)
    assert isinstance(result, CheckResult) and result.message
    if result.passed:
        challenge = CHALLENGES[name]
        if "real layer" in result.message:
            assert _real_size(challenge.layer, challenge.size_in, answer) == challenge.size_out
        for key, value in challenge.fixed.items():
            assert int(answer.get(key, answer.get("kernel"))) == value
    if isinstance(answer, dict) and answer and all(isinstance(k, str) for k in answer):
        keyword = check_settings(name, **answer)
        assert isinstance(keyword, CheckResult) and keyword.passed == result.passed


@pytest.mark.parametrize("check, arity", [
    (check_architecture, 1), (check_downsampling, 1), (check_colour, 1), (check_unet, 1),
    (check_zero_code, 1), (check_depth_vs_width, 2)])
def test_a_keyboard_interrupt_still_stops_a_check(check, arity):
    """The checks catch the learner's errors, not a learner pressing stop."""
    with pytest.raises(KeyboardInterrupt):
        check(*[_raise(KeyboardInterrupt())] * arity)


# --------------------------------------------------------------------------- every odd output, in turn

MODEL_CHECKS = {"check_architecture": check_architecture, "check_downsampling": check_downsampling,
                "check_colour": check_colour, "check_unet": check_unet,
                "check_depth_vs_width": lambda f: check_depth_vs_width(f, f)}
SWEPT: dict[str, int] = {}


@pytest.mark.parametrize("name", sorted(MODEL_CHECKS))
def test_every_odd_forward_gets_a_hint(name):
    """Every odd output of forward; the near-valid ones with float64 and float16 weights too,
    and as the output of encode, decode or encode_with_skips beside a forward that looks right."""
    check = MODEL_CHECKS[name]
    models = [OddModel(kind, None, None, None, "conv", "none") for kind in sorted(ODD)]
    models += [OddModel(kind, None, None, None, "conv", weights)
               for kind in NEAR for weights in ("float64", "float16")]
    models += [OddModel("sigmoid", *[kind if m == method else None for m in range(3)], "conv",
                        "float32") for kind in NEAR for method in range(3)]
    for model in models:
        assert_no_unearned_pass(check(_factory(model)))
    SWEPT[name] = len(models)


def test_every_odd_zero_code_answer_gets_a_hint():
    """Every odd output, made from the images, the model's output or the code; and every side
    effect on the model or the images."""
    answers = [_zero_code_answer("nothing", kind, through)
               for kind in sorted(ODD) for through in ("images", "model", "code")]
    answers += [_zero_code_answer(effect, kind, "model")
                for effect in sorted(SIDE_EFFECTS) for kind in ("sigmoid", "identity", "tuple")]
    for answer in answers:
        assert_no_unearned_pass(check_zero_code(answer))
    SWEPT["check_zero_code"] = len(answers)
