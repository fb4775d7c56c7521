"""One training loop for every model of the course, evaluation, and a checkpoint cache.

:func:`train` is the loop the lessons use: pick a loss (``"mse"`` or ``"bce"``), an
optimizer, an optional learning-rate schedule and gradient clipping; it returns a
:class:`History` of per-epoch numbers. :func:`cached_train` wraps it: *load if present,
else train*, so a second run of a notebook is quick.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import math
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Union

import torch
from torch import nn

from .config import PRECISIONS, checkpoint_dir, is_fast, pick_device, precision_setting, show_progress
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
) -> tuple[float, list[float]]:
    """One pass over ``images`` in shuffled mini-batches; the mean loss and each step's gradient norm.

    The five steps of every training step: forward (inside ``objective``), loss,
    ``backward()``, gradient norm (clipped if asked), ``optimizer.step()``.
    ``precision`` is ``"fp32"`` or ``"bf16"`` (see :func:`autocast_for`).
    """
    model.train()
    total, count, norms = 0.0, 0, []
    for x in batches(images, batch_size, shuffle=True, generator=generator):  # x: B×C×H×W
        inputs = corrupt(x, generator) if corrupt is not None else x
        optimizer.zero_grad(set_to_none=True)
        with autocast_for(precision, x.device):
            batch_loss = objective(model, inputs, x)  # the targets are always the clean images
        batch_loss.backward()
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
    reconstruction loss for models that need more (a VAE, a sparsity penalty).

    Training stops early, with a warning, if the loss stops being a finite number.
    ``channels_last`` (default: the model's ``prefers_channels_last``) only changes how
    tensors are laid out in memory, for speed. ``precision="auto"`` trains in mixed
    bfloat16 where the hardware computes it natively and in float32 elsewhere
    (:func:`resolve_precision`); ``None`` takes ``COURSE_PRECISION`` (default ``"auto"``),
    so a whole run can be forced to one precision. The test loss is always measured in float32.
    """
    if epochs < 0:
        raise ValueError(f"epochs cannot be negative, got {epochs}")
    device = torch.device(device) if device is not None else pick_device()
    precision = resolve_precision(precision, device)
    objective = objective or reconstruction_objective(loss)
    show_bar = show_progress() if progress is None else progress
    layout = _memory_format(model, channels_last)
    images = images_of(train_set).to(device).contiguous(memory_format=layout)
    test_images = images_of(test_set).to(device) if test_set is not None else None
    model.to(device=device, memory_format=layout)
    opt = make_optimizer(optimizer, model.parameters(), lr, weight_decay)
    steps_per_epoch = math.ceil(len(images) / batch_size)
    schedule = make_scheduler(scheduler, opt, lr, epochs, steps_per_epoch)
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
            history.test_loss.append(
                evaluate(model, test_images, loss=loss, corrupt=corrupt, objective=objective,
                         device=device, seed=seed))
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


def evaluate(model: nn.Module, data: Images, *, loss: str = "mse", batch_size: int = 1000,
             corrupt: Corruption | None = None, objective: Objective | None = None,
             device: str | torch.device | None = None, seed: int = 0) -> float:
    """Mean loss over ``data`` in eval mode (per pixel, for the reconstruction losses).

    With ``corrupt``, inputs are corrupted with a fixed seed, so the number is repeatable.
    """
    objective = objective or reconstruction_objective(loss)
    device = torch.device(device) if device is not None else _model_device(model)
    images = images_of(data).to(device).contiguous(memory_format=_memory_format(model, None))
    generator = torch.Generator().manual_seed(seed + 1)
    total = 0.0
    with eval_mode(model), torch.inference_mode():
        for x in batches(images, batch_size):
            inputs = corrupt(x, generator) if corrupt is not None else x
            total += float(objective(model, inputs, x)) * len(x)
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


def save_checkpoint(model: nn.Module, path: str | Path, history: History | None = None,
                    meta: dict[str, Any] | None = None) -> Path:
    """Save the model's state dict (and history) to ``path`` atomically.

    The file is written next to its destination and renamed into place, so an
    interrupted save never leaves a half-written checkpoint behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "model": type(model).__name__,
        "history": history.to_dict() if history is not None else None,
        "meta": meta or {},
    }
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        torch.save(payload, temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


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
    return History.from_dict(history) if history else None


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
    data = tensor.detach().cpu().contiguous()
    return hashlib.blake2b(data.numpy().tobytes(), digest_size=12).hexdigest()


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


def cache_key(name: str, model: nn.Module, **settings: Any) -> str:
    """File name for a trained model: ``name`` plus a digest of everything that shapes it.

    The digest covers the architecture (:func:`architecture`), the data, every training
    setting, and FAST mode, so a changed setting never loads stale weights.
    """
    text = "\n".join([architecture(model), f"fast={is_fast()}"]
                     + [f"{k}={_describe(v)}" for k, v in sorted(settings.items())])
    if settings.get("loss") == "bce":  # BCE is computed from logits: weights trained on
        text += "\nbce=from logits"  # Sigmoid outputs (saturating gradients) are not reused
    digest = hashlib.sha1(text.encode()).hexdigest()[:10]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    return f"{safe}-{digest}.pt"


def _move_aside(path: Path) -> Path:
    """Rename an unusable checkpoint to ``<name>.unusable-<n>`` (kept for inspection, never loaded)."""
    for n in range(1, 1000):
        aside = path.with_name(f"{path.name}.unusable-{n}")
        if not aside.exists():
            os.replace(path, aside)
            return aside
    path.unlink()
    return path


def cached_train(model: nn.Module, name: str, train_set: Images, test_set: Images | None = None,
                 *, directory: str | Path | None = None, retrain: bool = False,
                 **train_kwargs: Any) -> History:
    """Load if present, else train: the first run trains and saves, later runs load.

    ``name`` describes the experiment (``"deep_conv_64"``); the file name adds a digest of
    the architecture, data and settings (see :func:`cache_key`), including the precision
    training actually uses on this machine. ``retrain=True`` ignores a saved copy. Weights
    are saved atomically; the returned history is the training run's, whether it
    happened now or earlier.

    A cache never stops a lesson: a checkpoint that cannot be read (a truncated file, a
    disk that filled up) or does not fit the model is moved aside with a one-line
    warning, and the model is trained again; a save that fails costs a warning, not the
    trained model.
    """
    folder = Path(directory) if directory is not None else checkpoint_dir()
    device = pick_device(train_kwargs.get("device"))
    settings = {**train_kwargs,
                "precision": resolve_precision(train_kwargs.get("precision"), device)}
    path = folder / cache_key(name, model, train_set=train_set, test_set=test_set, **settings)
    if path.is_file() and not retrain:
        try:
            history = load_checkpoint(model, path)
        except CheckpointMismatchError as error:
            aside = _move_aside(path)
            _warn(f"the cached weights {path.name} could not be used ({_first_sentence(error)}); "
                  f"moved them to {aside.name} and training again.")
        else:
            model.eval()
            if history is not None:
                return history
    history = train(model, train_set, test_set, **settings)
    try:
        save_checkpoint(model, path, history, meta={"name": name})
    except OSError as error:
        _warn(f"could not save the trained weights to {path.name} ({error.strerror or error}); "
              f"the model is trained, but the next run will train it again.")
    return history


def _first_sentence(error: BaseException) -> str:
    text = str(error).split(". ")[0].strip()
    return text[:200]


def _warn(message: str) -> None:
    """A one-line warning on stderr (``warnings.warn`` would print a machine path)."""
    print(f"Warning: {message}", file=sys.stderr)
