"""One training loop for every model of the course, evaluation, and a checkpoint cache.

:func:`train` is the loop the lessons use: pick a loss (``"mse"`` or ``"bce"``), an
optimizer, an optional learning-rate schedule and gradient clipping; it returns a
:class:`History` of per-epoch numbers. :func:`cached_train` wraps it: *load if present,
else train*, so a second run of a notebook is quick.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import inspect
import math
import numbers
import operator
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Union

import numpy as np
import torch
from torch import nn

from .config import (
    PRECISIONS,
    checkpoint_dir,
    is_fast,
    pick_device,
    precision_setting,
    shared_checkpoint_dir,
    show_progress,
)
from .data import ImageSet, batches
from .losses import (  # noqa: F401  (re-exported: lessons import them from training too)
    Objective,
    ShapeMismatchError,
    check_reconstruction_shape,
    reconstruction_loss,
    reconstruction_objective,
)
from .summary import eval_mode

Corruption = Callable[[torch.Tensor, torch.Generator], torch.Tensor]
Images = Union[ImageSet, torch.Tensor]
OptimizerSpec = Union[str, Callable[..., torch.optim.Optimizer]]
SchedulerSpec = Union[str, None, Callable[..., Any]]


class CheckpointMismatchError(RuntimeError):
    """A saved checkpoint does not fit the model it is loaded into."""


# --------------------------------------------------------------------------- history


@dataclass
class History:
    """Per-epoch numbers from :func:`train`.

    ``grad_norm`` is the mean over the epoch's steps of the gradient's total L2 norm
    *before* clipping; ``grad_norm_max`` its largest value. ``seconds`` is each epoch's
    wall time. ``stopped_early`` says why training ended before ``epochs``, if it did.
    ``precision`` is the arithmetic the forward and backward passes ran in: ``"fp32"``,
    or ``"bf16"`` for bfloat16 autocast (see :func:`resolve_precision`).
    """

    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    grad_norm_max: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    stopped_early: str = ""
    precision: str = "fp32"

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    @property
    def total_seconds(self) -> float:
        return float(sum(self.seconds))

    @property
    def final_train_loss(self) -> float:
        return self.train_loss[-1] if self.train_loss else math.nan

    @property
    def final_test_loss(self) -> float:
        return self.test_loss[-1] if self.test_loss else math.nan

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> History:
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def __str__(self) -> str:
        test = f", test {self.final_test_loss:.5f}" if self.test_loss else ""
        epochs = f"{self.epochs} epoch{'' if self.epochs == 1 else 's'}"
        return (f"{epochs} in {self.total_seconds:.1f} s: "
                f"train loss {self.final_train_loss:.5f}{test}")


# --------------------------------------------------------------------------- optimizers


def make_optimizer(spec: OptimizerSpec, params: Iterator[nn.Parameter], lr: float,
                   weight_decay: float = 0.0) -> torch.optim.Optimizer:
    """``"adam"``, ``"adamw"``, ``"sgd"`` (momentum 0.9), or a callable ``f(params, lr=...)``."""
    if callable(spec):
        return spec(params, lr=lr)
    if spec == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if spec == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if spec == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    raise ValueError(f'optimizer must be "adam", "adamw", "sgd" or a callable, got {spec!r}')


@dataclass
class _Schedule:
    scheduler: Any
    per_batch: bool  # step after every batch (one-cycle, cosine) or once per epoch


def make_scheduler(spec: SchedulerSpec, optimizer: torch.optim.Optimizer, lr: float,
                   epochs: int, steps_per_epoch: int) -> _Schedule | None:
    """Learning-rate schedules by name.

    - ``None`` or ``"constant"``: no schedule;
    - ``"step"``: multiply by 0.3 every third of the epochs;
    - ``"cosine"``: cosine decay to zero over all steps;
    - ``"onecycle"``: warm up to ``lr`` then anneal (Smith's one-cycle policy);
    - ``"plateau"``: multiply by 0.3 when the monitored loss stops improving;
    - a callable ``f(optimizer, epochs, steps_per_epoch)``: stepped once per epoch.
    """
    total = max(1, epochs * steps_per_epoch)
    sched = torch.optim.lr_scheduler
    if spec is None or spec == "constant":
        return None
    if callable(spec):
        return _Schedule(spec(optimizer, epochs, steps_per_epoch), per_batch=False)
    if spec == "step":
        third = max(1, math.ceil(epochs / 3))
        return _Schedule(sched.StepLR(optimizer, step_size=third, gamma=0.3), False)
    if spec == "cosine":
        return _Schedule(sched.CosineAnnealingLR(optimizer, T_max=total), True)
    if spec == "onecycle":
        return _Schedule(sched.OneCycleLR(optimizer, max_lr=lr, total_steps=total), True)
    if spec == "plateau":
        return _Schedule(sched.ReduceLROnPlateau(optimizer, factor=0.3, patience=1), False)
    raise ValueError(
        f'scheduler must be None, "constant", "step", "cosine", "onecycle", "plateau" or a '
        f"callable, got {spec!r}"
    )


# --------------------------------------------------------------------------- precision

def native_bf16(device: torch.device) -> bool:
    """True when ``device`` computes in bfloat16 in hardware.

    On a CPU that means AVX512-BF16 or AMX instructions, which PyTorch's CPU capability
    checks report; without them PyTorch *emulates* bfloat16, which is slower than float32.
    On CUDA, GPUs from the Ampere generation on have it.
    """
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    if device.type == "cpu":
        checks = [getattr(torch.cpu, name, None)
                  for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
        return any(bool(check()) for check in checks if check is not None)
    return False


def resolve_precision(precision: str | None, device: torch.device) -> str:
    """``"fp32"`` or ``"bf16"``: what ``precision`` means on ``device``.

    ``None`` means the course-wide setting (``COURSE_PRECISION``, default ``"auto"``);
    ``"auto"`` picks bf16 only where the hardware has it (:func:`native_bf16`), fp32
    everywhere else; ``"fp32"`` and ``"bf16"`` are taken as asked.
    """
    if precision is None:
        precision = precision_setting()
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(map(repr, PRECISIONS))}, "
                         f"got {precision!r}")
    if precision == "auto":
        return "bf16" if native_bf16(device) else "fp32"
    return precision


def autocast_for(precision: str, device: torch.device) -> torch.autocast:
    """The context the forward pass runs in: bfloat16 autocast for ``"bf16"``, else a no-op.

    Under autocast, convolutions and matrix products run in bfloat16, while the weights,
    the gradients, the optimizer's state and the loss stay in float32 (mixed precision).
    """
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16")


# --------------------------------------------------------------------------- argument checks
#
# train(), evaluate() and cached_train() refuse what they cannot do, with a message that
# names the argument and says what to do, before any work starts. Whole numbers may be
# Python, NumPy or PyTorch integers; they are turned into plain ``int``s (and NumPy or
# PyTorch floats into ``float``s), so a setting means the same, and gives the same cache
# key, whichever library produced it.

_PIXEL_TOLERANCE = 1e-3  # how far outside [0, 1] an image's pixels may stray (rounding)
_OPTIMIZERS = ("adam", "adamw", "sgd")
_SCHEDULERS = ("constant", "step", "cosine", "onecycle", "plateau")
_DEVICE_TYPES = ("cpu", "cuda", "mps")


def _is_flag(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_)) or (
        isinstance(value, torch.Tensor) and value.dtype == torch.bool)


def _whole_number(value: Any, name: str, *, minimum: int, maximum: int | None = None,
                  what: str) -> int:
    """``value`` as an ``int``: Python, NumPy and PyTorch integers pass, floats and bools do not.

    ``what`` says what the number is for, with an example, for the message.
    """
    if _is_flag(value):
        raise TypeError(f"{name} must be a whole number ({what}), got the boolean {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        hint = ""
        if isinstance(value, (float, np.floating)) and math.isfinite(value):
            hint = (f": write {name}={int(value)}" if float(value).is_integer()
                    else f": round it, e.g. {name}={math.floor(value)} or {math.ceil(value)}")
        raise TypeError(f"{name} must be a whole number ({what}), got {value!r}{hint}") from None
    if number < minimum:
        raise ValueError(f"{name} must be at least {minimum} ({what}), got {number}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be at most {maximum} ({what}), got {number}")
    return int(number) if type(value) is not int else value


def _real_number(value: Any, name: str, *, positive: bool, what: str,
                 allow_inf: bool = False) -> float:
    """``value`` as a finite real number, greater than 0 (``positive``) or at least 0.

    ``what`` says what the number is for, with an example, for the message.
    """
    bound = "greater than 0" if positive else "0 or more"
    if _is_flag(value) or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number {bound} ({what}), got {value!r}")
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 or value.is_complex():
            raise TypeError(f"{name} must be one number {bound} ({what}), got a tensor of "
                            f"shape {tuple(value.shape)}")
        value = value.item()
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number {bound} ({what}), got "
                        f"{type(value).__name__} {value!r}")
    number = value if type(value) in (int, float) else float(value)
    if math.isnan(number):
        raise ValueError(f"{name} must be a number {bound} ({what}), got NaN")
    if math.isinf(number) and not (allow_inf and number > 0):
        raise ValueError(f"{name} must be a finite number {bound} ({what}), got {number}")
    if number < 0 or (positive and number == 0):
        raise ValueError(f"{name} must be {bound} ({what}), got {number}")
    return number


def _choice(value: Any, name: str, choices: tuple[str, ...], *, allow_callable: bool,
            what: str, allow_none: bool = False) -> Any:
    """``value`` if it is one of the named ``choices`` (or None, or a callable, if allowed)."""
    if value is None and allow_none:
        return None
    if allow_callable and callable(value) and not isinstance(value, str):
        return value
    names = (["None"] if allow_none else []) + [f'"{c}"' for c in choices] + (
        ["a callable"] if allow_callable else [])
    options = ", ".join(names[:-1]) + " or " + names[-1]
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {options} ({what}), got {type(value).__name__} "
                        f"{value!r}")
    if value not in choices:
        case = " (names are lower case)" if value.lower() in choices else ""
        raise ValueError(f"{name} must be {options} ({what}), got {value!r}{case}")
    return value


def _callable_or_none(value: Any, name: str, shape: str) -> Any:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be None or a function {shape}, got "
                        f"{type(value).__name__} {value!r}")
    return value


def _flag_or_none(value: Any, name: str) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True, False or None, got {type(value).__name__} "
                        f"{value!r}")
    return bool(value)


def _precision_name(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"precision must be one of {', '.join(map(repr, PRECISIONS))} or None "
                        f"(COURSE_PRECISION), got {type(value).__name__} {value!r}")
    name = value.strip().lower()
    if name not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(map(repr, PRECISIONS))}, "
                         f"got {value!r}")
    return name


def _device_spec(value: Any) -> Any:
    """``None``, or a device name / ``torch.device`` that this machine has."""
    if value is None:
        return None
    if not isinstance(value, (str, torch.device)) or _is_flag(value):
        raise TypeError(f"device must be None (the best one here), a name such as 'cpu' or "
                        f"'cuda', or a torch.device, got {type(value).__name__} {value!r}")
    _available_device(value, "device")
    return value


def _available_device(value: str | torch.device, name: str) -> torch.device:
    try:
        device = torch.device(value)
    except (RuntimeError, ValueError, TypeError):
        raise ValueError(f"{name}={str(value)!r} is not a device PyTorch knows: use 'cpu', "
                         f"'cuda' or 'mps', or leave it unset to use the best one here") from None
    if device.type not in _DEVICE_TYPES:
        raise ValueError(f"{name}={str(value)!r}: the course trains on 'cpu', 'cuda' or 'mps'")
    if device.type == "cuda" and not (torch.cuda.is_available() and (
            device.index is None or device.index < torch.cuda.device_count())):
        raise ValueError(f"{name}={str(value)!r}, but PyTorch sees no such CUDA GPU here: use "
                         f"'cpu', or leave it unset to use the best device there is")
    if device.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(f"{name}={str(value)!r}, but Apple's MPS is not available here: "
                             f"use 'cpu', or leave it unset to use the best device there is")
    return device


def _device_for(device: Any) -> torch.device:
    """The device a run uses: ``device``, else ``COURSE_DEVICE``, else the best one here."""
    if device is not None:
        return _available_device(device, "device")
    if os.environ.get("COURSE_DEVICE"):
        return _available_device(os.environ["COURSE_DEVICE"], "COURSE_DEVICE")
    return pick_device()


_SETTING_CHECKS: dict[str, Callable[[Any], Any]] = {
    "epochs": lambda v: _whole_number(v, "epochs", minimum=0,
                                      what="the number of passes over train_set, e.g. 5"),
    "batch_size": lambda v: _whole_number(v, "batch_size", minimum=1,
                                          what="images per training step, e.g. 32"),
    "lr": lambda v: _real_number(v, "lr", positive=True, what="the learning rate, e.g. 1e-3"),
    "loss": lambda v: _choice(v, "loss", ("mse", "bce"), allow_callable=False,
                              what="squared error or binary cross-entropy per pixel"),
    "optimizer": lambda v: _choice(v, "optimizer", _OPTIMIZERS, allow_callable=True,
                                   what="a callable takes (params, lr=...)"),
    "scheduler": lambda v: _choice(v, "scheduler", _SCHEDULERS, allow_callable=True,
                                   allow_none=True, what="the learning-rate schedule; a "
                                   "callable takes (optimizer, epochs, steps_per_epoch)"),
    "clip_grad_norm": lambda v: None if v is None else _real_number(
        v, "clip_grad_norm", positive=True, allow_inf=True,
        what="the largest gradient norm a step may have, e.g. 1.0, or None not to clip"),
    "weight_decay": lambda v: _real_number(v, "weight_decay", positive=False,
                                           what="e.g. 0.0 for none, or 1e-4"),
    "corrupt": lambda v: _callable_or_none(v, "corrupt", "corrupt(images, generator) -> images"),
    "objective": lambda v: _callable_or_none(
        v, "objective", "objective(model, inputs, targets) -> loss"),
    "device": _device_spec,
    "seed": lambda v: _whole_number(v, "seed", minimum=-(2**63), maximum=2**64 - 1,
                                    what="the random seed, e.g. 0"),
    "progress": lambda v: _flag_or_none(v, "progress"),
    "channels_last": lambda v: _flag_or_none(v, "channels_last"),
    "precision": _precision_name,
}


def _checked_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Every setting checked (a clear error naming it) and normalised (plain Python numbers)."""
    return {key: _SETTING_CHECKS[key](value) if key in _SETTING_CHECKS else value
            for key, value in settings.items()}


def _check_model(model: Any, *, trainable: bool) -> None:
    if isinstance(model, type) and issubclass(model, nn.Module):
        raise TypeError(f"model must be a model, got the class {model.__name__}: build one "
                        f"first, e.g. model = {model.__name__}(...)")
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module (an autoencoder), got "
                        f"{type(model).__name__}")
    if trainable and not any(p.requires_grad for p in model.parameters()):
        raise ValueError(f"model ({type(model).__name__}) has no trainable parameters, so "
                         f"there is nothing to train: give it layers with weights, or unfreeze "
                         f"them (requires_grad_(True))")


def _model_dtype(model: nn.Module) -> torch.dtype:
    """The floating-point type of the model's weights (float32 unless it was converted)."""
    return next((p.dtype for p in model.parameters() if p.is_floating_point()), torch.float32)


def _looks_like_pictures(images: torch.Tensor) -> bool:
    """Grey or colour pictures (1 or 3 channels, at least 2×2), not feature maps or codes.

    Only pictures are held to pixels in [0, 1]: a stacked autoencoder's later stages train
    on features (lesson 10's 16×14×14) or codes (N×1×1×D), which may take any value.
    """
    return images.shape[1] in (1, 3) and images.shape[2] >= 2 and images.shape[3] >= 2


def checked_images(data: Any, name: str, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The images of ``data`` (an :class:`ImageSet` or an N×C×H×W tensor), checked, as ``dtype``.

    Refused, each with what to do: anything but an ImageSet or a 4-D tensor; no images or
    no pixels; integer or boolean pixels (8-bit images hold 0–255: convert them with
    ``.float() / 255``); NaN or infinite pixels; pictures (1 or 3 channels) whose pixels
    leave [0, 1] (0–255 images: divide by 255). ``name`` is the argument's name, for the
    message. Floating-point pixels are converted to ``dtype`` (the model's).
    """
    if isinstance(data, ImageSet):
        images = data.images
    elif isinstance(data, torch.Tensor):
        images = data
    else:
        hint = ""
        if isinstance(data, np.ndarray):
            hint = ": convert a NumPy array with torch.from_numpy(array).float()"
        elif data is None:
            hint = ": pass the images, e.g. course_utils.data.load_mnist('train')"
        raise TypeError(f"{name} must be an ImageSet or an N×C×H×W tensor of images, got "
                        f"{type(data).__name__}{hint}")
    shape = "×".join(map(str, images.shape))
    if images.ndim != 4:
        hint = (": add the channel dimension with images.unsqueeze(1)" if images.ndim == 3
                else "")
        raise ValueError(f"{name} must be an N×C×H×W tensor of images (4 dimensions), got "
                         f"shape {shape or '()'}{hint}")
    if images.dtype == torch.bool:
        raise TypeError(f"{name} holds boolean pixels: convert them with images.float()")
    if images.is_complex():
        raise TypeError(f"{name} holds complex numbers ({images.dtype}): pass real pixel values "
                        f"in [0, 1]")
    if not images.is_floating_point():
        raise TypeError(f"{name} holds whole-number pixels ({str(images.dtype).split('.')[-1]}, "
                        f"0–255 for 8-bit images), but the models compute on pixels in [0, 1]: "
                        f"convert them with images.float() / 255")
    if len(images) == 0:
        raise ValueError(f"{name} is empty (0 images): pass at least one image (check the "
                         f"subset or filter that made it)")
    if images[0].numel() == 0:
        raise ValueError(f"{name} holds images of {shape[shape.index('×') + 1:]}, with no "
                         f"pixels: each image needs at least one channel, row and column")
    images = images.detach().to(dtype)
    finite = torch.isfinite(images)
    if not bool(finite.all()):
        bad = int((~finite).sum())
        first = int((~finite).flatten(1).any(dim=1).nonzero()[0])
        raise ValueError(f"{name} holds {bad:,} NaN or infinite pixel value{'' if bad == 1 else 's'} (the first in "
                         f"image {first}); every loss would be NaN. Drop those images or "
                         f"replace the values, e.g. torch.nan_to_num(images, nan=0.0)")
    if _looks_like_pictures(images):
        low, high = (float(v) for v in torch.aminmax(images))
        if high > 1 + _PIXEL_TOLERANCE:
            hint = ("divide them by 255 (images / 255)" if high > 10 else
                    "rescale them to [0, 1] (undo any normalisation, such as torchvision's "
                    "Normalize)")
            raise ValueError(f"{name}'s pixels go up to {high:g}, but the course's models "
                             f"learn pixels in [0, 1] (they end in a Sigmoid): {hint}")
        if low < -_PIXEL_TOLERANCE:
            raise ValueError(f"{name}'s pixels go down to {low:g}, but the course's models "
                             f"learn pixels in [0, 1] (they end in a Sigmoid): rescale them "
                             f"to [0, 1] (undo any normalisation)")
    return images


def _check_bce_targets(images: torch.Tensor | None, name: str) -> None:
    """``loss="bce"`` treats every target value as a probability: it must lie in [0, 1]
    (features and codes included, which the picture rule of :func:`checked_images` spares)."""
    if images is None:
        return
    low, high = (float(v) for v in torch.aminmax(images))
    if low < -_PIXEL_TOLERANCE or high > 1 + _PIXEL_TOLERANCE:
        raise ValueError(f'loss="bce" treats each value of {name} as a probability, but they '
                         f'range from {low:g} to {high:g}: use loss="mse", or rescale {name} '
                         f"to [0, 1]")


def _check_same_image_size(images: torch.Tensor, test_images: torch.Tensor | None) -> None:
    if test_images is not None and test_images.shape[1:] != images.shape[1:]:
        size = "×".join(map(str, images.shape[1:]))
        test_size = "×".join(map(str, test_images.shape[1:]))
        raise ValueError(f"test_set holds images of {test_size}, train_set images of {size}: "
                         f"both must be the same size (the same data set's train and test "
                         f"splits)")


def _loss_value(value: Any) -> torch.Tensor:
    """What an objective returned, checked: one number in a tensor."""
    if not isinstance(value, torch.Tensor) or value.numel() != 1:
        got = (f"a tensor of shape {tuple(value.shape)}" if isinstance(value, torch.Tensor)
               else type(value).__name__)
        raise TypeError(f"objective must return the loss as a tensor holding one number "
                        f"(e.g. F.mse_loss(model(inputs), targets)), got {got}")
    return value


def _explain_failure(error: Exception, data_name: str, images: torch.Tensor) -> Exception | None:
    """A clear ValueError for a model or objective that failed on ``data_name``'s images,
    or None to let ``error`` through unchanged (the course's own errors, out of memory)."""
    out_of_memory = getattr(torch, "OutOfMemoryError", ())
    if isinstance(error, out_of_memory) or isinstance(error, (ShapeMismatchError, TypeError)):
        return None
    text = (str(error).strip().splitlines() or [""])[0][:300]
    if "Expected more than 1 value per channel" in text:
        return ValueError(
            f"a batch of a single image cannot train a model with BatchNorm (it computes each "
            f"feature's mean and spread over the batch): {data_name} needs at least 2 images "
            f"and batch_size at least 2")
    if not isinstance(error, RuntimeError):  # NotImplementedError is a RuntimeError
        return None
    if "should be between 0 and 1" in text:  # binary_cross_entropy on outputs outside [0, 1]
        return ValueError(
            f'loss="bce" needs the model\'s outputs in [0, 1] (one probability per pixel), '
            f"and they left it ({text}): end the decoder with nn.Sigmoid(), or use "
            f'loss="mse"; NaN outputs mean training diverged (try a smaller lr)')
    size = "×".join(map(str, images.shape[1:]))
    return ValueError(
        f"the model could not run on {data_name}'s images of {size} ({type(error).__name__}: "
        f"{text}). Check that its first layer takes {images.shape[1]} channel"
        f"{'' if images.shape[1] == 1 else 's'} and that every layer fits images of this size "
        f"(course_utils.arithmetic.trace_shapes lists each layer's output shape)")


def _returns_a_tensor(module: nn.Module, args: Any, output: Any) -> None:
    """A forward hook: a model whose forward returns a tuple gets a clear error."""
    if not isinstance(output, torch.Tensor):
        raise TypeError(
            f"the model's forward returned a {type(output).__name__}, not an image tensor: "
            f"train() and evaluate() compare forward(x) with x, so forward must return the "
            f"reconstruction alone. A model that needs more (a VAE's mu and logvar) keeps "
            f"forward(x) -> x_hat and trains with the course's objective= argument "
            f"(objective=course_utils.losses.vae_objective() for the VAE)")


def _reconstruction(loss: str) -> Objective:
    """The default objective, :func:`reconstruction_objective`, checking what the model
    returns: one image tensor (a model whose forward returns a tuple gets a clear error)."""
    base = reconstruction_objective(loss)

    def objective(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        hook = model.register_forward_hook(_returns_a_tensor)
        try:
            return base(model, inputs, targets)
        finally:
            hook.remove()

    objective.__qualname__ = base.__qualname__
    return objective


def _batch_bounds(count: int, batch_size: int) -> list[tuple[int, int]]:
    """(start, stop) of each training batch; a last batch of one image joins the one before.

    A batch of one image cannot train a model with BatchNorm (the batch has no spread) and
    gives one noisy step to any model, so when ``count % batch_size == 1`` (and there is
    more than one batch, and ``batch_size > 1``) the last image is *merged* into the
    previous batch, which then holds ``batch_size + 1`` images. Every image is still seen
    once per epoch.
    """
    bounds = [(start, min(start + batch_size, count)) for start in range(0, count, batch_size)]
    if batch_size > 1 and len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], count)]
    return bounds


def _training_batches(images: torch.Tensor, batch_size: int,
                      generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Shuffled mini-batches, as :func:`course_utils.data.batches` makes them (the same
    permutation), with a last batch of one image merged (:func:`_batch_bounds`)."""
    order = torch.randperm(len(images), generator=generator)
    for start, stop in _batch_bounds(len(images), batch_size):
        yield images[order[start:stop]]


# --------------------------------------------------------------------------- the loop


def images_of(data: Images) -> torch.Tensor:
    """The image tensor of an :class:`ImageSet`, or the tensor itself."""
    images = data.images if isinstance(data, ImageSet) else data
    if not isinstance(images, torch.Tensor) or images.ndim != 4:
        raise ValueError("expected an ImageSet or an N×C×H×W tensor of images")
    return images


def _memory_format(model: nn.Module, channels_last: bool | None) -> torch.memory_format:
    """channels_last when asked, or by default when the model prefers it."""
    wanted = getattr(model, "prefers_channels_last", False) if channels_last is None \
        else channels_last
    return torch.channels_last if wanted else torch.contiguous_format


def gradient_norm(model: nn.Module, clip: float | None) -> float:
    """The total L2 norm of all gradients, as it was *before* any clipping.

    With ``clip``, the gradients are then rescaled together so that their total norm is
    at most ``clip`` (``clip_grad_norm_`` returns the norm it found, before rescaling).
    """
    params = [p for p in model.parameters() if p.grad is not None]
    if not params:
        return 0.0
    if clip is not None:
        return float(torch.nn.utils.clip_grad_norm_(params, max_norm=clip))
    return float(torch.linalg.vector_norm(
        torch.stack([torch.linalg.vector_norm(p.grad) for p in params])))


def train_one_epoch(
    model: nn.Module,
    images: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    objective: Objective,
    *,
    batch_size: int,
    generator: torch.Generator,
    corrupt: Corruption | None = None,
    clip_grad_norm: float | None = None,
    per_batch_scheduler: Any = None,
    on_batch: Callable[[], Any] | None = None,
    precision: str = "fp32",
    data_name: str = "train_set",
) -> tuple[float, list[float]]:
    """One pass over ``images`` in shuffled mini-batches; the mean loss and each step's gradient norm.

    The five steps of every training step: forward (inside ``objective``), loss,
    ``backward()``, gradient norm (clipped if asked), ``optimizer.step()``.
    ``precision`` is ``"fp32"`` or ``"bf16"`` (see :func:`autocast_for`). A last batch of
    a single image is merged into the batch before it (:func:`_batch_bounds`), so an
    epoch never ends on a one-image batch that BatchNorm cannot train on.
    """
    model.train()
    total, count, norms = 0.0, 0, []
    for x in _training_batches(images, batch_size, generator):  # x: B×C×H×W
        inputs = corrupt(x, generator) if corrupt is not None else x
        optimizer.zero_grad(set_to_none=True)
        try:
            with autocast_for(precision, x.device):
                batch_loss = _loss_value(objective(model, inputs, x))  # targets: the clean images
        except Exception as error:
            clear = _explain_failure(error, data_name, images)
            if clear is None:
                raise
            raise clear from error
        try:
            batch_loss.backward()
        except RuntimeError as error:
            if isinstance(error, getattr(torch, "OutOfMemoryError", ())):
                raise
            raise ValueError(
                f"the loss could not be backpropagated ({str(error).splitlines()[0][:200]}): "
                f"the objective must compute its loss from the model's output, and the "
                f"model's output must depend on its trainable parameters (no detach() or "
                f"torch.no_grad() inside forward)") from error
        norms.append(gradient_norm(model, clip_grad_norm))
        optimizer.step()
        if per_batch_scheduler is not None:
            per_batch_scheduler.step()
        total += batch_loss.item() * len(x)
        count += len(x)
        if on_batch is not None:
            on_batch()
    return total / max(count, 1), norms


def train(
    model: nn.Module,
    train_set: Images,
    test_set: Images | None = None,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    loss: str = "mse",
    optimizer: OptimizerSpec = "adam",
    scheduler: SchedulerSpec = None,
    clip_grad_norm: float | None = None,
    weight_decay: float = 0.0,
    corrupt: Corruption | None = None,
    objective: Objective | None = None,
    device: str | torch.device | None = None,
    seed: int = 0,
    progress: bool | None = None,
    channels_last: bool | None = None,
    precision: str | None = None,
) -> History:
    """Train ``model`` to reconstruct ``train_set``; return a :class:`History`.

    Each epoch shuffles the images (with ``seed``), and for every batch: corrupt the
    inputs if ``corrupt(images, generator)`` is given (the targets stay clean: that is a
    denoising autoencoder), compute the loss, backpropagate, measure (and optionally clip)
    the gradient norm, and step the optimizer. After each epoch the test loss is measured
    in eval mode. ``objective(model, inputs, targets) -> loss`` replaces the default
    reconstruction loss for models that need more (a VAE, a sparsity penalty); without
    it, the model's ``forward(x)`` must return the reconstruction alone.

    When ``len(train_set) % batch_size == 1``, the last image joins the epoch's
    second-to-last batch instead of forming a batch of its own (a single image cannot train
    BatchNorm); every image is still seen once per epoch.

    Settings that cannot train are refused before any work, with a ``ValueError`` or
    ``TypeError`` that names the argument and says what to do: empty data, integer
    (0–255) or NaN pixels, pictures outside [0, 1], non-integer epochs or batch sizes
    (NumPy and PyTorch integers are fine), ``batch_size < 1``, ``lr`` or
    ``clip_grad_norm`` that is not a positive number, an unknown loss, optimizer,
    scheduler, precision or device (see :func:`checked_images`).

    Training stops early, with a warning, if the loss stops being a finite number.
    ``channels_last`` (default: the model's ``prefers_channels_last``) only changes how
    tensors are laid out in memory, for speed. ``precision="auto"`` trains in mixed
    bfloat16 where the hardware computes it natively and in float32 elsewhere
    (:func:`resolve_precision`); ``None`` takes ``COURSE_PRECISION`` (default ``"auto"``),
    so a whole run can be forced to one precision. The test loss is always measured in float32.
    """
    _check_model(model, trainable=True)
    settings = _checked_settings(dict(
        epochs=epochs, batch_size=batch_size, lr=lr, loss=loss, optimizer=optimizer,
        scheduler=scheduler, clip_grad_norm=clip_grad_norm, weight_decay=weight_decay,
        corrupt=corrupt, objective=objective, device=device, seed=seed, progress=progress,
        channels_last=channels_last, precision=precision))
    epochs, batch_size, seed = settings["epochs"], settings["batch_size"], settings["seed"]
    lr, loss, clip_grad_norm = settings["lr"], settings["loss"], settings["clip_grad_norm"]
    corrupt, objective = settings["corrupt"], settings["objective"]
    dtype = _model_dtype(model)
    images = checked_images(train_set, "train_set", dtype)
    test_images = checked_images(test_set, "test_set", dtype) if test_set is not None else None
    _check_same_image_size(images, test_images)
    if objective is None and loss == "bce":
        _check_bce_targets(images, "train_set")
        _check_bce_targets(test_images, "test_set")
    device = _device_for(settings["device"])
    precision = resolve_precision(settings["precision"], device)
    objective = objective or _reconstruction(loss)
    show_bar = show_progress() if settings["progress"] is None else settings["progress"]
    layout = _memory_format(model, settings["channels_last"])
    images = images.to(device).contiguous(memory_format=layout)
    if test_images is not None:  # in the layout evaluate() gives them
        test_images = test_images.to(device).contiguous(
            memory_format=_memory_format(model, None))
    model.to(device=device, memory_format=layout)
    opt = make_optimizer(settings["optimizer"], model.parameters(), lr,
                         settings["weight_decay"])
    steps_per_epoch = len(_batch_bounds(len(images), batch_size))
    schedule = make_scheduler(settings["scheduler"], opt, lr, epochs, steps_per_epoch)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)  # dropout masks
    history = History(precision=precision)

    bar: Any = None
    if show_bar:  # one bar over every batch of every epoch
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs * steps_per_epoch, desc=f"training {type(model).__name__}",
                   unit="batch")
    for epoch in range(epochs):
        start = time.perf_counter()
        mean_loss, norms = train_one_epoch(
            model, images, opt, objective, batch_size=batch_size, generator=generator,
            corrupt=corrupt, clip_grad_norm=clip_grad_norm,
            per_batch_scheduler=schedule.scheduler if schedule and schedule.per_batch else None,
            on_batch=bar.update if bar is not None else None, precision=precision)
        history.train_loss.append(mean_loss)
        history.lr.append(opt.param_groups[0]["lr"])
        history.grad_norm.append(sum(norms) / max(len(norms), 1))
        history.grad_norm_max.append(max(norms, default=0.0))
        if test_images is not None:
            history.test_loss.append(_evaluate(
                model, test_images, objective, batch_size=1000, corrupt=corrupt, seed=seed,
                data_name="test_set"))
        history.seconds.append(time.perf_counter() - start)
        if schedule is not None and not schedule.per_batch:
            if isinstance(schedule.scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                monitored = history.test_loss or history.train_loss
                schedule.scheduler.step(monitored[-1])
            else:
                schedule.scheduler.step()
        if bar is not None:
            bar.set_postfix(epoch=epoch + 1, train=f"{history.train_loss[-1]:.4f}",
                            **({"test": f"{history.test_loss[-1]:.4f}"} if history.test_loss else {}))
        if not math.isfinite(history.train_loss[-1]):
            history.stopped_early = f"the loss became {history.train_loss[-1]} in epoch {epoch + 1}"
            warnings.warn(f"training stopped: {history.stopped_early} (try a smaller learning "
                          f"rate or gradient clipping)", RuntimeWarning, stacklevel=2)
            break
    if bar is not None:
        bar.close()
    model.eval()
    return history


TRAIN_SETTINGS = tuple(p.name for p in inspect.signature(train).parameters.values()
                       if p.kind is inspect.Parameter.KEYWORD_ONLY)
"""The keyword arguments of :func:`train` (what :func:`cached_train` passes on)."""


def evaluate(model: nn.Module, data: Images, *, loss: str = "mse", batch_size: int = 1000,
             corrupt: Corruption | None = None, objective: Objective | None = None,
             device: str | torch.device | None = None, seed: int = 0) -> float:
    """Mean loss over ``data`` in eval mode (per pixel, for the reconstruction losses).

    With ``corrupt``, inputs are corrupted with a fixed seed, so the number is repeatable.
    ``data`` is checked as :func:`train` checks its images (:func:`checked_images`), and
    every setting gets a clear error when it cannot work.
    """
    _check_model(model, trainable=False)
    settings = _checked_settings(dict(loss=loss, batch_size=batch_size, corrupt=corrupt,
                                      objective=objective, device=device, seed=seed))
    images = checked_images(data, "data", _model_dtype(model))
    if settings["objective"] is None and settings["loss"] == "bce":
        _check_bce_targets(images, "data")
    device = (_device_for(settings["device"]) if settings["device"] is not None
              else _model_device(model))
    images = images.to(device).contiguous(memory_format=_memory_format(model, None))
    return _evaluate(model, images, settings["objective"] or _reconstruction(settings["loss"]),
                     batch_size=settings["batch_size"], corrupt=settings["corrupt"],
                     seed=settings["seed"], data_name="data")


def _evaluate(model: nn.Module, images: torch.Tensor, objective: Objective, *, batch_size: int,
              corrupt: Corruption | None, seed: int, data_name: str) -> float:
    """:func:`evaluate` on images already checked and on the model's device."""
    generator = torch.Generator().manual_seed((seed + 1) % 2**64)
    total = 0.0
    with eval_mode(model), torch.inference_mode():
        for x in batches(images, batch_size):
            inputs = corrupt(x, generator) if corrupt is not None else x
            try:
                total += float(_loss_value(objective(model, inputs, x))) * len(x)
            except Exception as error:
                clear = _explain_failure(error, data_name, images)
                if clear is None:
                    raise
                raise clear from error
    return total / len(images)


def reconstruct(model: nn.Module, data: Images, *, batch_size: int = 1000) -> torch.Tensor:
    """``model(x)`` for every image, in eval mode, returned on the CPU."""
    return _map_batches(model, data, model.__call__, batch_size)


def encode_all(model: nn.Module, data: Images, *, batch_size: int = 1000) -> torch.Tensor:
    """``model.encode(x)`` for every image, in eval mode, returned on the CPU."""
    return _map_batches(model, data, model.encode, batch_size)


def _map_batches(model: nn.Module, data: Images, fn: Callable[[torch.Tensor], torch.Tensor],
                 batch_size: int) -> torch.Tensor:
    device = _model_device(model)
    outputs = []
    with eval_mode(model), torch.inference_mode():
        for x in batches(images_of(data), batch_size):
            outputs.append(fn(x.to(device)).cpu())
    return torch.cat(outputs)


def _model_device(model: nn.Module) -> torch.device:
    param = next(model.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


# --------------------------------------------------------------------------- checkpoints


_STALE_TEMPORARY_SECONDS = 600  # a save takes seconds; older temporary files were left by a killed one


def _umask() -> int:
    """The process's umask (the permission bits new files must not get)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # read it by setting it, then put it back
    os.umask(mask)
    return mask


def remove_stale_temporaries(folder: Path, older_than: float = _STALE_TEMPORARY_SECONDS) -> int:
    """Delete temporary files (``.<name>.<random>.tmp``) that a killed save left in ``folder``.

    Only files older than ``older_than`` seconds go, so a save running in another process
    keeps its file. Returns how many were removed; a file that cannot be removed is left.
    """
    removed, now = 0, time.time()
    try:
        leftovers = list(Path(folder).glob(".*.tmp"))
    except OSError:
        return 0
    for leftover in leftovers:
        try:
            if now - leftover.stat().st_mtime > older_than:
                leftover.unlink()
                removed += 1
        except OSError:  # gone already, or not ours to remove
            pass
    return removed


def write_atomically(path: str | Path, write: Callable[[str], Any]) -> Path:
    """Create ``path`` all at once: ``write(temporary)`` fills a file beside it, which is renamed.

    An interrupted or failed write never leaves a half-written ``path`` (the temporary file
    is removed; one left by a killed process is removed by a later save, see
    :func:`remove_stale_temporaries`). The file gets the permissions the umask allows
    (``0o666 & ~umask``), like any file the user creates, so a class can share a folder.
    Errors propagate (``OSError``, or ``RuntimeError`` from ``torch.save`` on a full disk).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp made it private (0600)
        os.replace(temporary, path)
    finally:
        try:
            os.remove(temporary)
        except FileNotFoundError:
            pass  # renamed into place
        except OSError:
            pass  # cannot remove it now: a later save cleans it up
    return path


def save_checkpoint(model: nn.Module, path: str | Path, history: History | None = None,
                    meta: dict[str, Any] | None = None) -> Path:
    """Save the model's state dict (and history) to ``path`` atomically.

    The file is written next to its destination and renamed into place
    (:func:`write_atomically`), so an interrupted save never leaves a half-written
    checkpoint behind; it gets the umask's permissions, so a shared folder stays shared.
    """
    payload = {
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "model": type(model).__name__,
        "history": history.to_dict() if history is not None else None,
        "meta": meta or {},
    }
    return write_atomically(path, lambda temporary: torch.save(payload, temporary))


def load_checkpoint(model: nn.Module, path: str | Path) -> History | None:
    """Load weights saved by :func:`save_checkpoint` into ``model``; return the saved history.

    Loads with ``weights_only=True`` (no code runs from the file). Raises
    :class:`CheckpointMismatchError` naming the missing, unexpected and mis-shaped
    weights when the checkpoint was saved from a different architecture.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # unreadable, truncated, or not a checkpoint
        raise CheckpointMismatchError(
            f"{path.name} could not be read as a checkpoint ({type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''}). Delete it and train again."
        ) from error
    if not isinstance(payload, dict) or "state_dict" not in payload:
        raise CheckpointMismatchError(f"{path.name} is not a course checkpoint (no state_dict)")
    state = payload["state_dict"]
    if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise CheckpointMismatchError(f"{path.name} is not a course checkpoint (its state_dict "
                                      f"is not a dictionary of tensors)")
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    reshaped = [f"{k}: saved {tuple(state[k].shape)}, model has {tuple(expected[k].shape)}"
                for k in expected if k in state and state[k].shape != expected[k].shape]
    if missing or unexpected or reshaped:
        problems = []
        if missing:
            problems.append(f"missing from the file: {', '.join(missing[:5])}")
        if unexpected:
            problems.append(f"not in the model: {', '.join(unexpected[:5])}")
        if reshaped:
            problems.append("different shapes: " + "; ".join(reshaped[:5]))
        raise CheckpointMismatchError(
            f"the checkpoint {path.name} was saved from a {payload.get('model', 'different')} "
            f"that does not match this {type(model).__name__}: " + " | ".join(problems)
            + ". Build the model with the same settings, or delete the file to retrain."
        )
    model.load_state_dict(state)
    history = payload.get("history")
    if not history:
        return None
    if not isinstance(history, dict):
        raise CheckpointMismatchError(f"{path.name} is not a course checkpoint (its history is "
                                      f"not a dictionary)")
    return History.from_dict(history)


def _describe(value: Any) -> str:
    """A stable text for a training setting: functions by name *and* the values they close
    over, so two lambdas that add different noise never share a checkpoint."""
    if isinstance(value, functools.partial):
        return f"{_describe(value.func)}(*{_describe(value.args)}, **{_describe(value.keywords)})"
    if inspect.isfunction(value) or inspect.ismethod(value):
        parts = [f"{value.__module__}.{value.__qualname__}"]
        function = getattr(value, "__func__", value)
        if function.__defaults__:
            parts.append(_describe(function.__defaults__))
        for cell in function.__closure__ or ():
            parts.append(_describe(cell.cell_contents))
        return "<" + "|".join(parts) + ">"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_describe(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_describe(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, ImageSet):
        return f"{value.source}|{len(value)}|{_digest(value.images)}|{_digest(value.labels)}"
    if isinstance(value, torch.Tensor):
        return f"tensor{tuple(value.shape)}|{_digest(value)}"
    if isinstance(value, nn.Module):
        return repr(value)
    if callable(value) and hasattr(value, "__dict__") and not isinstance(value, type):
        return f"{type(value).__qualname__}({_describe(vars(value))})"  # a callable object
    return repr(value)


def _digest(tensor: torch.Tensor) -> str:
    """A digest of a tensor's exact values, in order (any change of one pixel or of the
    order of the images changes it)."""
    data = tensor.detach().cpu().contiguous().flatten().view(torch.uint8)  # the raw bytes, any dtype
    return hashlib.blake2b(data.numpy().tobytes(), digest_size=12).hexdigest()


def weights_digest(model: nn.Module) -> str:
    """A digest of every weight and buffer of ``model``, by name, dtype, shape and value.

    :func:`cache_key` includes it, so a model built with other initial weights (another
    seed) never loads the weights trained from these.
    """
    digest = hashlib.blake2b(digest_size=12)
    for name, value in model.state_dict().items():
        digest.update(f"{name}|{value.dtype}|{tuple(value.shape)}|".encode())
        digest.update(_digest(value).encode() if value.numel() else b"")
    return digest.hexdigest()


def architecture(model: nn.Module) -> str:
    """The model's ``repr`` plus every plain setting of every layer.

    A layer's ``repr`` can leave settings out (``nn.Upsample`` does not show
    ``align_corners``), so the settings stored on each layer (numbers, strings, booleans,
    tuples) are listed too.
    """
    plain = (bool, int, float, str, tuple, type(None))
    lines = [repr(model)]
    for name, module in model.named_modules():
        settings = {k: v for k, v in sorted(vars(module).items())
                    if not k.startswith("_") and k != "training" and isinstance(v, plain)}
        lines.append(f"{name or type(module).__name__}: {settings}")
    return "\n".join(lines)


#: Settings that change how a run is shown, not what it learns: left out of the key.
_NOT_IN_KEY = frozenset({"progress"})


def cache_key(name: str, model: nn.Module, **settings: Any) -> str:
    """File name for a trained model: ``name`` plus a digest of everything that shapes it.

    The digest covers the architecture (:func:`architecture`), the model's initial weights
    (:func:`weights_digest`: call it *before* training), the data, every training setting,
    and FAST mode, so a changed setting or other initial weights (another seed) never loads
    stale weights. Lessons seed before building a model (``seed_everything``), so their
    initial weights, and the keys, are the same on every run.
    """
    text = "\n".join([architecture(model), f"initial weights={weights_digest(model)}",
                      f"fast={is_fast()}"]
                     + [f"{k}={_describe(v)}" for k, v in sorted(settings.items())
                        if k not in _NOT_IN_KEY])
    if settings.get("loss") == "bce":  # BCE is computed from logits: weights trained on
        text += "\nbce=from logits"  # Sigmoid outputs (saturating gradients) are not reused
    digest = hashlib.sha1(text.encode()).hexdigest()[:10]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    return f"{safe}-{digest}.pt"


def _same_file(path: Path, seen: os.stat_result | None) -> bool:
    try:
        now = path.stat()
    except OSError:
        return False
    return seen is None or (now.st_ino, now.st_size, now.st_mtime_ns) == (
        seen.st_ino, seen.st_size, seen.st_mtime_ns)


def _move_aside(path: Path, seen: os.stat_result | None = None) -> Path | None:
    """Rename an unusable checkpoint to ``<name>.unusable-1``, kept for inspection, never loaded.

    Only the latest unusable copy of each checkpoint is kept (it replaces the one before).
    Returns where it went, or None when it was gone already (another process moved it)
    or could not be moved (a read-only folder). ``seen`` is the file's ``stat`` when it
    was found unusable: a file replaced since (another process saved a good one) stays.
    """
    aside = path.with_name(f"{path.name}.unusable-1")
    if not _same_file(path, seen):
        return None
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return None  # another process moved it first
    except OSError:
        return None
    for older in path.parent.glob(f"{glob.escape(path.name)}.unusable-*"):
        if older != aside:
            try:
                older.unlink()
            except OSError:
                pass
    return aside


def _finite_weights(model: nn.Module) -> bool:
    return all(bool(torch.isfinite(v).all()) for v in model.state_dict().values()
               if v.is_floating_point() or v.is_complex())


def _diverged(model: nn.Module, history: History) -> str:
    """Why a finished run should not be cached ("" when it may be)."""
    if history.stopped_early:
        return history.stopped_early
    last = history.train_loss[-1:] + history.test_loss[-1:]
    if not all(math.isfinite(v) for v in last):
        return f"its last loss is {', '.join(map(str, last))}"
    if not _finite_weights(model):
        return "its weights hold NaN or infinite values"
    return ""


def _checked_cache_call(model: Any, name: Any, train_set: Any, test_set: Any, directory: Any,
                        retrain: Any, train_kwargs: dict[str, Any]) -> dict[str, Any]:
    """cached_train's arguments checked as train() checks them, before any key is computed."""
    _check_model(model, trainable=True)
    if not isinstance(name, str):
        raise TypeError(f'name must be a string that describes the run, such as "deep_conv_64", '
                        f"got {type(name).__name__} {name!r}")
    if not name.strip():
        raise ValueError('name must not be empty: describe the run, such as "deep_conv_64"')
    if directory is not None and not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"directory must be None (the course's checkpoints/ folder) or a path, "
                        f"got {type(directory).__name__} {directory!r}")
    if not isinstance(retrain, (bool, np.bool_)):
        raise TypeError(f"retrain must be True or False, got {type(retrain).__name__} "
                        f"{retrain!r}")
    unknown = sorted(set(train_kwargs) - set(TRAIN_SETTINGS))
    if unknown:
        raise TypeError(f"cached_train got an unknown setting {unknown[0]!r}: it takes "
                        f"train()'s settings ({', '.join(TRAIN_SETTINGS)}), plus directory and "
                        f"retrain")
    if "epochs" not in train_kwargs:
        raise TypeError("cached_train needs epochs=..., the number of passes over train_set")
    settings = _checked_settings(train_kwargs)
    dtype = _model_dtype(model)
    images = checked_images(train_set, "train_set", dtype)
    test_images = checked_images(test_set, "test_set", dtype) if test_set is not None else None
    _check_same_image_size(images, test_images)
    if settings.get("objective") is None and settings.get("loss", "mse") == "bce":
        _check_bce_targets(images, "train_set")
        _check_bce_targets(test_images, "test_set")
    return settings


def checkpoint_path(model: nn.Module, name: str, train_set: Images, test_set: Images | None = None,
                    *, directory: str | Path | None = None, **train_kwargs: Any) -> Path:
    """Where :func:`cached_train` keeps this run: the folder plus :func:`cache_key`.

    Call it before training (the key includes the model's initial weights). Settings
    are checked and normalised as :func:`train` does, and the precision is the one
    training resolves to on this machine.
    """
    settings = _checked_cache_call(model, name, train_set, test_set, directory, False,
                                   train_kwargs)
    return _cache_path(model, name, train_set, test_set, directory, settings)


def _cache_path(model: nn.Module, name: str, train_set: Images, test_set: Images | None,
                directory: str | Path | None, settings: dict[str, Any]) -> Path:
    folder = Path(directory) if directory is not None else checkpoint_dir()
    settings = dict(settings)
    device = _device_for(settings.get("device"))
    settings["precision"] = resolve_precision(settings.get("precision"), device)
    return folder / cache_key(name, model, train_set=train_set, test_set=test_set, **settings)


def _shared_copy(path: Path, directory: str | Path | None) -> Path | None:
    """The same checkpoint in the class's prepared folder (``COURSE_SHARED_DIR``), if any."""
    shared = shared_checkpoint_dir()
    if directory is not None or shared is None:
        return None
    copy = shared / path.name
    return copy if copy.is_file() else None


def _load_cached(model: nn.Module, path: Path, *, read_only: bool = False) -> History | None:
    """The cached run at ``path`` loaded into ``model``, or None (absent or unusable: then
    moved aside with a one-line warning, and ``model`` keeps its initial weights). A
    ``read_only`` copy (the class's shared folder) is never moved: it is only skipped."""
    try:
        seen = path.stat()
    except OSError:
        return None
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        history = load_checkpoint(model, path)
        if not _finite_weights(model):
            raise CheckpointMismatchError(f"{path.name} holds NaN or infinite weights")
    except FileNotFoundError:
        return None  # another process moved it aside a moment ago
    except Exception as error:
        model.load_state_dict(initial)
        if read_only:
            _warn(f"the shared copy of {path.name} could not be used "
                  f"({_first_sentence(error)}); training into your own cache instead.")
            return None
        aside = _move_aside(path, seen)
        where = (f"moved them to {aside.name}" if aside is not None
                 else "left them where they are")
        _warn(f"the cached weights {path.name} could not be used ({_first_sentence(error)}); "
              f"{where} and training again.")
        return None
    if history is None:
        model.load_state_dict(initial)
    return history


def _save_cached(model: nn.Module, path: Path, history: History, name: str) -> None:
    """Save a finished run; never raises (a failure costs a warning and a retrain next time)."""
    reason = _diverged(model, history)
    if reason:
        _warn(f"the run did not converge ({reason}), so its weights are not cached: the next "
              f"run trains again (try a smaller learning rate or gradient clipping).")
        return
    try:
        save_checkpoint(model, path, history, meta={"name": name})
    except Exception as error:  # a full disk, a read-only or missing folder, ...
        reason = getattr(error, "strerror", None) or (str(error).splitlines() or [""])[0][:200]
        _warn(f"could not save the trained weights to {path.name} ({type(error).__name__}: "
              f"{reason}); the model is trained, but the next run will train it again.")


def cached_train(model: nn.Module, name: str, train_set: Images, test_set: Images | None = None,
                 *, directory: str | Path | None = None, retrain: bool = False,
                 **train_kwargs: Any) -> History:
    """Load if present, else train: the first run trains and saves, later runs load.

    ``name`` describes the experiment (``"deep_conv_64"``); the file name adds a digest of
    the architecture, the model's initial weights, the data and the settings (see
    :func:`cache_key`), including the precision training actually uses on this machine:
    build the model after ``seed_everything(...)`` and the same run finds its weights
    again. ``retrain=True`` ignores a saved copy. Weights are saved atomically; the
    returned history is the training run's, whether it happened now or earlier.

    With a class's prepared folder (``COURSE_SHARED_DIR``, see ``course_utils.prepare``),
    its ``checkpoints/`` are read first and never written: what it lacks is trained into
    the learner's own cache.

    A cache never stops a lesson, and never loads the wrong model: a checkpoint that
    cannot be read (a truncated file, a disk that filled up), does not fit the model or
    holds NaN weights is moved aside with a one-line warning (only the latest such copy is
    kept), and the model is trained again; a save that fails (a full disk, a read-only or
    missing folder) costs a warning, not the trained model; a run whose loss became NaN
    is not cached. Arguments are checked as :func:`train` checks them, before any work.
    """
    settings = _checked_cache_call(model, name, train_set, test_set, directory, retrain,
                                   train_kwargs)
    path = _cache_path(model, name, train_set, test_set, directory, settings)
    if not retrain:
        shared = _shared_copy(path, directory)
        history = _load_cached(model, shared, read_only=True) if shared is not None else None
        if history is None:
            history = _load_cached(model, path)
        if history is not None:
            model.eval()
            return history
    settings["precision"] = resolve_precision(settings.get("precision"),
                                              _device_for(settings.get("device")))
    history = train(model, train_set, test_set, **settings)
    _save_cached(model, path, history, name)
    return history


def _first_sentence(error: BaseException) -> str:
    text = str(error).split(". ")[0].strip()
    return text[:200]


def _warn(message: str) -> None:
    """A one-line warning on stderr (``warnings.warn`` would print a machine path)."""
    print(f"Warning: {message}", file=sys.stderr)
