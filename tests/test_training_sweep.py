"""A property-based sweep over train(), evaluate() and cached_train().

Hypothesis draws every argument from a mix of good and bad values (whole numbers as Python,
NumPy and PyTorch integers, floats, bools, strings, None; images of odd dtypes, shapes and
values). An oracle written from the documented rules says which arguments are bad. The
property: with no bad argument, the call gives the right result; with one or more, it
raises ValueError or TypeError (or a course exception subclassing them) whose message
names one of the bad arguments; nothing else ever escapes.

Each test prints how many inputs it tried and what each kind got. ``COURSE_SWEEP_EXAMPLES``
raises the number of examples (default 200 per entry point); the draws are derandomized,
so the suite is the same on every run (``COURSE_SWEEP_RANDOM=1`` draws new ones).
"""

from __future__ import annotations

import math
import os
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.config import seed_everything
from course_utils.data import ImageSet
from course_utils.training import History, cached_train, evaluate, train

EXAMPLES = int(os.environ.get("COURSE_SWEEP_EXAMPLES", "200"))
SWEEP = settings(max_examples=EXAMPLES, deadline=None, database=None,
                 derandomize=not os.environ.get("COURSE_SWEEP_RANDOM"),  # 1: new draws each run
                 suppress_health_check=list(HealthCheck))
CUDA = torch.cuda.is_available()


# --------------------------------------------------------------------------- models


def tiny() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.Sigmoid())


def tiny_batchnorm() -> nn.Module:
    """BatchNorm needs two values per channel in a batch: N×H×W ≥ 2."""
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(),
                         nn.Conv2d(2, 1, 3, padding=1), nn.Sigmoid())


class ReturnsATuple(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.sigmoid(self.conv(x)), x


@dataclass(frozen=True)
class Model:
    label: str
    build: Any  # () -> the model argument
    trainable: bool  # train() accepts it
    evaluable: bool  # evaluate() accepts it
    batchnorm: bool = False
    found_when_run: bool = False  # the fault shows only when the model runs (epochs > 0)
    any_channels: bool = False  # it takes images with any number of channels


MODELS = [
    Model("tiny", tiny, True, True),
    Model("tiny", tiny, True, True),
    Model("batchnorm", tiny_batchnorm, True, True, batchnorm=True),
    Model("class, not instance", lambda: nn.Conv2d, False, False),
    Model("None", lambda: None, False, False),
    Model("no parameters", nn.Sigmoid, False, True, any_channels=True),
    Model("returns a tuple", ReturnsATuple, False, False, found_when_run=True),
]
GOOD_MODELS = [m for m in MODELS if m.trainable]


# --------------------------------------------------------------------------- images


@dataclass
class Data:
    """An images argument, what kind it is, and whether the documented rules refuse it."""

    value: Any
    kind: str
    shape: tuple[int, ...] | None  # N×C×H×W of a 4-D tensor, else None
    bad: bool

    def __repr__(self) -> str:
        return f"Data({self.kind}, shape={self.shape}, bad={self.bad})"


GOOD_KINDS = ["good", "good", "good", "float64", "bfloat16", "imageset"]
KINDS = GOOD_KINDS + ["empty", "3-D", "5-D", "uint8", "int64", "bool", "NaN", "inf", "0-255",
                      "negative", "3 channels", "no pixels", "None", "numpy", "list"]


def make_data(kind: str, n: int, h: int, w: int, seed: int) -> Data:
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, h, w, generator=g)  # pixels in [0, 1]
    picture = h >= 2 and w >= 2  # the range rule holds for pictures, not for codes
    table: dict[str, tuple[Any, bool]] = {
        "good": (x, False),
        "float64": (x.double(), False),
        "bfloat16": (x.bfloat16(), False),
        "imageset": (ImageSet(x, torch.zeros(n, dtype=torch.int64), "sweep"), False),
        "empty": (x[:0], True),
        "3-D": (x[:, 0], True),
        "5-D": (x[None], True),
        "uint8": ((x * 255).to(torch.uint8), True),
        "int64": ((x * 255).long(), True),
        "bool": (x > 0.5, True),
        "NaN": (x.index_put((torch.tensor([n - 1]),), torch.tensor(math.nan)), True),
        "inf": (x.index_put((torch.tensor([0]),), torch.tensor(math.inf)), True),
        "0-255": ((0.5 + 0.5 * x) * 255, picture),
        "negative": (-(x + 0.1), picture),
        "3 channels": (torch.rand(n, 3, h, w, generator=g), True),  # the models take 1
        "no pixels": (torch.rand(n, 1, 0, w, generator=g), True),
        "None": (None, True),
        "numpy": (x.numpy(), True),
        "list": (x.tolist(), True),
    }
    value, bad = table[kind]
    images = value.images if isinstance(value, ImageSet) else value
    shape = tuple(images.shape) if isinstance(images, torch.Tensor) and images.ndim == 4 else None
    return Data(value, kind, shape, bad)


@st.composite
def datasets(draw: Any, like: Data | None = None, good: bool = False) -> Data:
    """Images of any kind (``good``: of the kinds always accepted); with ``like``, usually
    the same image size (a test set)."""
    kind = draw(st.sampled_from(GOOD_KINDS if good else KINDS))
    if like is not None and like.shape is not None and (
            good or draw(st.booleans()) | draw(st.booleans())):
        h, w = like.shape[2], like.shape[3]
    else:
        h, w = draw(st.sampled_from([1, 2, 5, 8])), draw(st.sampled_from([1, 2, 5, 8]))
    return make_data(kind, draw(st.integers(1, 9)), h, w, draw(st.integers(0, 2**16)))


# --------------------------------------------------------------------------- settings: (value, good?)


def options(*pairs: tuple[Any, bool]) -> tuple[tuple[Any, bool], ...]:
    return pairs


def pick(draw: Any, pairs: tuple[tuple[Any, bool], ...], mode: str) -> tuple[Any, bool]:
    """A (value, good?) pair: any (``"any"``), a good one (``"good"``) or a bad one."""
    pool = [p for p in pairs if mode == "any" or p[1] == (mode == "good")]
    return draw(st.sampled_from(pool or list(pairs)))


@st.composite
def argument_sets(draw: Any, table: dict[str, Any]) -> dict[str, tuple[Any, bool]]:
    """One value per argument of ``table``: all good (40 %), exactly one bad (40 %), or
    anything (20 %), so that good calls, each bad value alone, and mixes are all tried."""
    mode = draw(st.sampled_from(["good", "good", "one bad", "one bad", "any"]))
    culprit = draw(st.sampled_from(sorted(table))) if mode == "one bad" else None
    chosen = {}
    for name, pairs in table.items():
        which = "any" if mode == "any" else "bad" if name == culprit else "good"
        chosen[name] = pick(draw, pairs, which)
    return chosen


EPOCHS = options((0, True), (1, True), (2, True), (np.int64(1), True), (torch.tensor(2), True),
                 (np.uint8(1), True), (-1, False), (2.5, False), (1.0, False), (True, False),
                 ("1", False), (None, False))
BATCH_SIZES = options((1, True), (2, True), (3, True), (4, True), (8, True), (np.int32(3), True),
                      (torch.tensor(4), True), (0, False), (-2, False), (2.5, False),
                      (4.0, False), (False, False), (None, False), ("8", False))
LRS = options((1e-3, True), (1e-2, True), (0.1, True), (1, True), (1e6, True),
              (np.float32(0.01), True), (torch.tensor(0.01), True), (0, False), (-0.1, False),
              (math.nan, False), (math.inf, False), ("0.1", False), (None, False),
              (True, False))
CLIPS = options((None, True), (0.5, True), (math.inf, True), (np.float64(1.0), True),
                (1e-9, True), (0, False), (-1, False), (math.nan, False), ("1", False),
                (True, False))
LOSSES = options(("mse", True), ("mse", True), ("bce", True), ("MSE", False), ("l1", False),
                 (None, False), (1, False))
PRECISIONS = options((None, True), ("auto", True), ("fp32", True), ("bf16", True),
                     ("BF16", True), ("fp16", False), ("", False), (16, False))
OPTIMIZERS = options(("adam", True), ("adamw", True), ("sgd", True), ("rmsprop", False),
                     (None, False))
SCHEDULERS = options((None, True), ("constant", True), ("step", True), ("cosine", True),
                     ("onecycle", True), ("plateau", True), ("warp", False), (3, False))
WEIGHT_DECAYS = options((0.0, True), (1e-4, True), (-1.0, False), (math.nan, False))
SEEDS = options((0, True), (5, True), (-1, True), (np.int64(3), True), (2**63, True),
                (1.5, False), (2**64, False), (None, False))
DEVICES = options((None, True), ("cpu", True), (torch.device("cpu"), True), ("cuda", CUDA),
                  ("gpu", False), (3.5, False))
PROGRESS = options((False, True), (None, True), ("no", False))


def size(data: Data) -> tuple[int, ...] | None:
    return data.shape[1:] if data.shape is not None else None


def batchnorm_starved(model: Model, data: Data, batch_size: tuple[Any, bool],
                      epochs: tuple[Any, bool]) -> bool:
    """BatchNorm in training needs N×H×W ≥ 2 per batch. A last batch of one image joins the
    one before, so only a data set of one image, or batch_size 1, leaves a batch of one
    (and only a run that takes a step meets it)."""
    if not (model.batchnorm and data.shape is not None and batch_size[1] and epochs[1]
            and int(epochs[0]) > 0):
        return False
    batch_size = batch_size[0]
    n, _, h, w = data.shape
    return h * w == 1 and (n == 1 or int(batch_size) == 1)


# --------------------------------------------------------------------------- the property


def outcome(call: Any, bad: set[str]) -> tuple[str, Any]:
    """Run ``call``; check the property's error half; return (what happened, the result)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # "training stopped": a result
            result = call()
    except (ValueError, TypeError) as error:
        message = str(error)
        assert bad, f"good arguments were refused: {type(error).__name__}: {message}"
        assert any(name in message for name in bad), (
            f"the message does not name any bad argument ({sorted(bad)}): {message}")
        assert len(message) > 40, f"the message says nothing about what to do: {message}"
        named = sorted(name for name in bad if name in message)
        return f"{type(error).__name__} naming {named[0]}", None
    assert not bad, f"bad arguments {sorted(bad)} were accepted"
    return "ok", result


def report(capsys: Any, title: str, tally: Counter) -> None:
    with capsys.disabled():
        print(f"\n{title}: {sum(tally.values())} inputs")
        for kind, count in tally.most_common():
            print(f"  {count:4d}  {kind}")


def check_history(history: History, epochs: int, test: Data | None, precision: Any,
                  model: nn.Module) -> str:
    assert isinstance(history, History)
    assert not model.training
    if history.stopped_early:  # the loss became NaN or infinite: reported, not hidden
        assert history.epochs <= epochs and not math.isfinite(history.train_loss[-1])
        return "ok (stopped early: diverged)"
    assert history.epochs == epochs
    assert all(math.isfinite(v) and v >= 0 for v in history.train_loss)
    if test is not None and test.value is not None:
        assert len(history.test_loss) == epochs
        assert all(math.isfinite(v) and v >= 0 for v in history.test_loss)
    if isinstance(precision, str) and precision.lower() in ("fp32", "bf16"):
        assert history.precision == precision.lower()
    return "ok"


TRAIN_SETTINGS = {"epochs": EPOCHS, "batch_size": BATCH_SIZES, "lr": LRS,
                  "clip_grad_norm": CLIPS, "loss": LOSSES, "precision": PRECISIONS,
                  "optimizer": OPTIMIZERS, "scheduler": SCHEDULERS,
                  "weight_decay": WEIGHT_DECAYS, "seed": SEEDS, "device": DEVICES,
                  "progress": PROGRESS}


@st.composite
def train_arguments(draw: Any) -> dict[str, Any]:
    """The model, the data, and every setting; a third of the time, model and data are good."""
    good = draw(st.integers(0, 2)) == 0
    train_data = draw(datasets(good=good))
    test_data = draw(st.one_of(st.none(), datasets(like=train_data, good=good)))
    model = draw(st.sampled_from(GOOD_MODELS if good else MODELS))
    return {"model": model, "train_set": train_data, "test_set": test_data,
            **draw(argument_sets(TRAIN_SETTINGS))}


def split(arguments: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The keyword arguments of the call, and the names the oracle finds bad."""
    settings_, bad = {}, set()
    for name, (value, ok) in arguments.items():
        settings_[name] = value
        if not ok:
            bad.add(name)
    return settings_, bad


def never_runs(arguments: dict[str, tuple[Any, bool]]) -> bool:
    """epochs=0: no step and no test loss, so the model never sees the images."""
    epochs, ok = arguments["epochs"]
    return ok and int(epochs) == 0


def outside_0_1(data: Data | None) -> bool:
    return data is not None and data.kind in ("0-255", "negative")


def data_badness(model: Model, train_data: Data, test_data: Data | None,
                 arguments: dict[str, tuple[Any, bool]]) -> set[str]:
    bce = arguments["loss"] == ("bce", True)  # BCE takes every target value as a probability
    bad = set()
    wrong_for_model = train_data.kind == "3 channels"  # bad only when the model runs on it
    if (train_data.bad and not (wrong_for_model and never_runs(arguments))) or (
            bce and outside_0_1(train_data)):
        bad.add("train_set")
    if test_data is not None and test_data.value is not None and (
            (test_data.bad and not (test_data.kind == "3 channels" and never_runs(arguments)))
            or (bce and outside_0_1(test_data)) or (
            size(train_data) is not None and size(test_data) is not None
            and size(test_data) != size(train_data))):
        bad.add("test_set")
    if batchnorm_starved(model, train_data, arguments["batch_size"], arguments["epochs"]):
        bad |= {"train_set", "batch_size"}
    return bad


def test_train_sweep(capsys: Any) -> None:
    tally: Counter = Counter()

    @SWEEP
    @given(train_arguments())
    def check(arguments: dict[str, Any]) -> None:
        model_spec, train_data, test_data = (arguments.pop(k) for k in
                                             ("model", "train_set", "test_set"))
        kwargs, bad = split(arguments)
        if not model_spec.trainable and not (model_spec.found_when_run and never_runs(arguments)):
            bad.add("model")
        bad |= data_badness(model_spec, train_data, test_data, arguments)
        seed_everything(0)
        model = model_spec.build()
        test_value = test_data.value if test_data is not None else None
        kind, history = outcome(lambda: train(model, train_data.value, test_value, **kwargs), bad)
        if history is not None:
            kind = check_history(history, int(kwargs["epochs"]), test_data,
                                 kwargs["precision"], model)
        tally[kind] += 1

    check()
    report(capsys, "train() sweep", tally)
    assert tally["ok"] > EXAMPLES // 20, tally  # good inputs were tried too


# --------------------------------------------------------------------------- evaluate


def reference_loss(model: nn.Module, data: Any, loss: str) -> float:
    images = data.images if isinstance(data, ImageSet) else data
    x = images.float()
    with torch.no_grad():
        model.eval()
        x_hat = model(x)
    if loss == "bce":
        return float(F.binary_cross_entropy(x_hat, x))
    return float(F.mse_loss(x_hat, x))


def test_evaluate_sweep(capsys: Any) -> None:
    tally: Counter = Counter()

    @SWEEP
    @given(st.sampled_from(MODELS + GOOD_MODELS + GOOD_MODELS),
           st.booleans().flatmap(lambda good: datasets(good=good)),
           argument_sets({"loss": LOSSES, "batch_size": BATCH_SIZES, "seed": SEEDS,
                          "device": DEVICES}))
    def check(model_spec: Model, data: Data, arguments: dict[str, tuple[Any, bool]]) -> None:
        loss = arguments["loss"]
        kwargs, bad = split(arguments)
        if not model_spec.evaluable:
            bad.add("model")
        if (data.bad and not (data.kind == "3 channels" and model_spec.any_channels)) or (
                loss == ("bce", True) and outside_0_1(data)):
            bad.add("data")
        seed_everything(0)
        model = model_spec.build()
        kind, value = outcome(lambda: evaluate(model, data.value, **kwargs), bad)
        if kind == "ok":
            assert isinstance(value, float) and math.isfinite(value) and value >= 0
            assert value == pytest.approx(reference_loss(model, data.value, kwargs["loss"]),
                                          rel=1e-4, abs=1e-6)
        tally[kind] += 1

    check()
    report(capsys, "evaluate() sweep", tally)
    assert tally["ok"] > EXAMPLES // 20, tally


# --------------------------------------------------------------------------- cached_train


NAMES = options(("tiny", True), ("deep conv / 64", True), ("", False), (None, False), (3, False))
RETRAIN = options((False, True), (True, True), (np.bool_(True), True), ("yes", False))
EXTRA = options(({}, True), ({}, True), ({"epoch": 1}, False), ({"directory_": "x"}, False))


@st.composite
def cached_arguments(draw: Any) -> dict[str, Any]:
    arguments = draw(train_arguments())
    clean = all(arguments[key][1] for key in TRAIN_SETTINGS)
    mode = "good" if clean else "any"
    arguments.update(name=pick(draw, NAMES, mode), retrain=pick(draw, RETRAIN, mode),
                     extra=pick(draw, EXTRA, mode),
                     directory_ok=clean or draw(st.sampled_from([True, True, True, False])),
                     epochs_given=clean or draw(st.sampled_from([True, True, True, False])))
    return arguments


def test_cached_train_sweep(capsys: Any) -> None:
    tally: Counter = Counter()

    @SWEEP
    @given(cached_arguments())
    def check(arguments: dict[str, Any]) -> None:
        model_spec, train_data, test_data = (arguments.pop(k) for k in
                                             ("model", "train_set", "test_set"))
        extra, extra_ok = arguments.pop("extra")
        directory_ok = arguments.pop("directory_ok")
        if not arguments.pop("epochs_given"):
            arguments["epochs"] = (arguments["epochs"][0], False)
            epochs_missing = True
        else:
            epochs_missing = False
        kwargs, bad = split(arguments)
        if epochs_missing:
            del kwargs["epochs"]
        if not extra_ok:
            bad.add(next(iter(extra)))
        if not model_spec.trainable and not (model_spec.found_when_run and never_runs(arguments)):
            bad.add("model")
        bad |= data_badness(model_spec, train_data, test_data, arguments)
        name, retrain = kwargs.pop("name"), kwargs.pop("retrain")
        with tempfile.TemporaryDirectory() as folder:
            directory: Any = folder if directory_ok else 3.5
            if not directory_ok:
                bad.add("directory")
            seed_everything(0)
            model = model_spec.build()
            test_value = test_data.value if test_data is not None else None
            kind, history = outcome(lambda: cached_train(
                model, name, train_data.value, test_value, directory=directory,
                retrain=retrain, **kwargs, **extra), bad)
            if history is not None:
                kind = check_history(history, int(kwargs["epochs"]), test_data,
                                     kwargs["precision"], model)
                if kind == "ok":  # cached: a second run loads the same weights
                    seed_everything(0)
                    again = model_spec.build()
                    loaded = cached_train(again, name, train_data.value, test_value,
                                          directory=directory, **kwargs)
                    assert loaded.train_loss == history.train_loss
                    for a, b in zip(model.state_dict().values(), again.state_dict().values()):
                        assert torch.equal(a, b)
        tally[kind] += 1

    check()
    report(capsys, "cached_train() sweep", tally)
    assert tally["ok"] > EXAMPLES // 40, tally
