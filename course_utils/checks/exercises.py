"""Checks for lesson 11's five exercises, and the small helpers the exercises share.

Every ``check_*`` function *runs* the learner's code on a few small images, and answers
with a :class:`~course_utils.checks.base.CheckResult`: right, wrong with a hint that names
the problem (a wrong output shape, a wrong parameter count, a loss that does not go down,
a missing skip connection, ...), or "not attempted yet" while the answer is still blank
(``None`` or ``...``). A check never raises: an exception in the learner's code becomes
a hint.

The exercises and what is checked:

1. :func:`check_architecture` (a conv autoencoder built from ``channels``, ``kernel_size``,
   ``code_channels``) and :func:`check_sweep` (a table of parameters vs error);
2. :func:`check_downsampling` (max pooling, average pooling or a strided convolution) and
   :func:`check_best_mode` (which one reconstructed best in your run);
3. :func:`check_colour` (an autoencoder for 3×32×32 colour images);
4. :func:`check_unet` (skip connections) and :func:`check_zero_code` (decoding a zeroed code);
5. :func:`check_depth_vs_width` (wide-and-shallow vs narrow-and-deep at equal parameters).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from ..config import seed_everything
from ..data import ImageSet
from ..metrics import pca_baseline
from ..models.base import Autoencoder
from ..models.unet import UNetAutoencoder
from ..summary import count_parameters
from ..tables import table
from ..training import cached_train, evaluate
from .base import CheckResult, attempted_or_result, not_attempted

# --------------------------------------------------------------------------- helpers for answers


class EncoderDecoder(Autoencoder):
    """Wrap an encoder and a decoder (any modules) into a course autoencoder.

    >>> model = EncoderDecoder(nn.Sequential(nn.Flatten(), nn.Linear(784, 16)),
    ...                        nn.Sequential(nn.Linear(16, 784), nn.Unflatten(1, (1, 28, 28))))
    """

    def __init__(self, encoder: nn.Module, decoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder


def toy_images(count: int = 16, channels: int = 1, size: int = 28, *, seed: int = 0) -> torch.Tensor:
    """``count`` smooth random images (N×C×size×size in [0, 1]): a few soft blobs each.

    The checks run the learner's models on these, so a check takes a fraction of a
    second and needs no data set.
    """
    g = torch.Generator().manual_seed(seed)
    coords = torch.linspace(-1, 1, size)
    yy, xx = torch.meshgrid(coords, coords, indexing="ij")
    images = torch.zeros(count, channels, size, size)
    for _ in range(3):
        centre = torch.rand(count, channels, 2, generator=g) * 1.4 - 0.7
        width = torch.rand(count, channels, 1, 1, generator=g) * 0.25 + 0.15
        d2 = (xx - centre[..., 0, None, None]) ** 2 + (yy - centre[..., 1, None, None]) ** 2
        images += torch.exp(-d2 / (2 * width**2))
    return images.clamp_(0.0, 1.0)


BUDGET: dict[str, Any] = {"lr": 5e-3, "batch_size": 32, "scheduler": "cosine", "loss": "bce"}
"""What every exercise model shares, apart from the number of epochs: Adam at ``lr`` on
batches of ``batch_size``; a cosine schedule that anneals the learning rate to zero by the
last step (in a short run, that slow landing is worth more than extra epochs); and binary
cross-entropy as the training loss. BCE suits a Sigmoid output: its gradient does not
vanish when the Sigmoid saturates, where MSE's does, which can leave a model stuck drawing
the same dark image for every input. Models are *scored* with MSE per pixel, the
criterion PCA minimises, so that every error can stand beside PCA's."""


def train_and_score(model: nn.Module, name: str, train_set: ImageSet, test_set: ImageSet, *,
                    epochs: int, lr: float = BUDGET["lr"], batch_size: int = BUDGET["batch_size"],
                    scheduler: str | None = BUDGET["scheduler"],
                    loss: str = BUDGET["loss"]) -> float:
    """Train ``model`` (or load it from the checkpoint cache); return its test MSE per pixel.

    Every model of an exercise gets the same images, epochs, batch size, learning rate,
    schedule and loss: the same *budget*, so their errors can be compared.
    """
    cached_train(model, name, train_set, test_set, epochs=epochs, batch_size=batch_size, lr=lr,
                 scheduler=scheduler, loss=loss, seed=0)
    return evaluate(model, test_set, loss="mse")


def _decoder_layers(channels: Sequence[int], code_channels: int,
                    out_channels: int = 1) -> list[nn.Module]:
    """The decoder of exercises 1 and 2: 1×1 conv from the code, then one 2× upsampling per stage.

    code C×h×w → Conv 1×1 → c_last×h×w → ConvTranspose(2, stride 2) per stage, mirrored,
    ReLU between, Sigmoid at the end: → out_channels×(h·2^depth)×(w·2^depth).
    """
    back = list(reversed(channels))
    layers: list[nn.Module] = [nn.Conv2d(code_channels, back[0], kernel_size=1), nn.ReLU()]
    targets = back[1:] + [out_channels]
    for i, (a, b) in enumerate(zip(back, targets)):
        layers.append(nn.ConvTranspose2d(a, b, kernel_size=2, stride=2))  # h×w → 2h×2w
        layers.append(nn.Sigmoid() if i == len(back) - 1 else nn.ReLU())
    return layers


def _reference_conv_ae(channels: Sequence[int], kernel_size: int,
                       code_channels: int) -> EncoderDecoder:
    """The architecture exercise 1 asks for (used to check parameter counts)."""
    layers: list[nn.Module] = []
    previous = 1
    for c in channels:
        layers += [nn.Conv2d(previous, c, kernel_size, padding=kernel_size // 2), nn.ReLU(),
                   nn.MaxPool2d(2)]
        previous = c
    layers.append(nn.Conv2d(previous, code_channels, kernel_size=1))
    return EncoderDecoder(nn.Sequential(*layers),
                          nn.Sequential(*_decoder_layers(channels, code_channels)))


def downsampling_autoencoder(downsample_block: Callable[[int, int, str], nn.Module], mode: str,
                             channels: tuple[int, int] = (16, 32),
                             code_channels: int = 4) -> EncoderDecoder:
    """Exercise 2's autoencoder: two of *your* downsampling blocks, then the shared decoder.

    1×28×28 → block(1, c1) → c1×14×14 → block(c1, c2) → c2×7×7 → Conv 1×1 → code C×7×7,
    and the decoder of exercise 1 back to 1×28×28. Only ``mode`` changes between models.
    """
    c1, c2 = channels
    encoder = nn.Sequential(downsample_block(1, c1, mode), downsample_block(c1, c2, mode),
                            nn.Conv2d(c2, code_channels, kernel_size=1))
    return EncoderDecoder(encoder, nn.Sequential(*_decoder_layers(channels, code_channels)))


# --------------------------------------------------------------------------- running answers safely

_CHANNELS = re.compile(r"expected input\[?([^\]]*)\]? to have (\d+) channels, but got (\d+)")
_MATMUL = re.compile(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)")


def explain_error(error: BaseException) -> CheckResult:
    """Turn an exception raised by the learner's code into a verdict with a hint."""
    text = str(error)
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    if "ellipsis" in text.lower():
        return CheckResult(None, "some `...` are still to be filled in; finish the cell and "
                                 "run it again.")
    match = _CHANNELS.search(text)
    if match:
        want, got = match.group(2), match.group(3)
        return CheckResult(False, f"shape mismatch: a convolution expects {want} input channels "
                                  f"but receives {got}. Set its in_channels to {got} (after "
                                  f"torch.cat the channels of both tensors add up; colour "
                                  f"images have 3).")
    match = _MATMUL.search(text)
    if match:
        return CheckResult(False, f"shape mismatch: a Linear layer receives {match.group(2)} "
                                  f"features per image but expects {match.group(3)}. Set its "
                                  f"in_features to {match.group(2)}.")
    if "Sizes of tensors must match except in dimension 1" in text:
        return CheckResult(False, "shape mismatch in torch.cat: the tensors you concatenate "
                                  "must have the same height and width. Concatenate each "
                                  "upsampled decoder tensor with the encoder features of the "
                                  "same resolution (28×28 with 28×28, 14×14 with 14×14).")
    if "does not require grad" in text:
        return CheckResult(False, "the loss cannot be backpropagated: the output is not "
                                  "connected to any parameter. Remove torch.no_grad() or "
                                  ".detach() from forward.")
    if "too small" in text or "can't be greater than actual input size" in text:
        return CheckResult(False, f"the feature maps became too small for a layer ({first}). "
                                  f"Too many poolings or stride-2 layers for this image size?")
    return CheckResult(False, f"your code raised {type(error).__name__}: {first}")


def _build(factory: Any, what: str, *args: Any, **kwargs: Any) -> nn.Module | CheckResult:
    """Call the learner's factory (a function or a class); a model, or a verdict."""
    blank = attempted_or_result(factory, what)
    if blank is not None:
        return blank
    try:
        model = factory(*args, **kwargs)
    except Exception as error:  # the learner's code: any error becomes a hint
        return explain_error(error)
    blank = attempted_or_result(model, f"{what} (it returned {model!r})")
    if blank is not None:
        return blank
    if not isinstance(model, nn.Module):
        return CheckResult(False, f"{what} should give an nn.Module, got {type(model).__name__}.")
    return model


def _run(fn: Callable[..., Any], *args: Any, what: str) -> torch.Tensor | CheckResult:
    """Call ``fn(*args)`` (a model's forward or encode) in eval mode without gradients."""
    try:
        with torch.no_grad():
            out = fn(*args)
    except Exception as error:  # the learner's code
        return explain_error(error)
    blank = attempted_or_result(out, f"the missing code ({what} returned {out!r})")
    if blank is not None:
        return blank
    if isinstance(out, tuple):
        return CheckResult(False, f"{what} returned a tuple; return only the tensor "
                                  f"(the course's models return the reconstruction alone).")
    if not isinstance(out, torch.Tensor):
        return CheckResult(False, f"{what} should return a tensor, got {type(out).__name__}.")
    return out


def _shape_text(shape: Sequence[int]) -> str:
    return "×".join(str(int(s)) for s in shape)


def _check_reconstruction(model: nn.Module, x: torch.Tensor, context: str) -> CheckResult | None:
    """Output shape, channels, range and "not a copy" for one batch; None when all is well."""
    model.eval()
    out = _run(model, x, what=f"the model's forward{context}")
    if isinstance(out, CheckResult):
        return out
    if out.ndim != 4:
        return CheckResult(False, f"wrong output shape{context}: got {tuple(out.shape)}, "
                                  f"expected images N×{_shape_text(x.shape[1:])}. Restore the "
                                  f"image shape at the end of the decoder (nn.Unflatten).")
    if out.shape[1] != x.shape[1]:
        colour = " Colour images need 3 output channels (red, green, blue)." if x.shape[1] == 3 \
            else ""
        return CheckResult(False, f"channels wrong{context}: the reconstruction has "
                                  f"{out.shape[1]} channel(s), the input {x.shape[1]}. The "
                                  f"last layer must output {x.shape[1]}.{colour}")
    if out.shape != x.shape:
        return CheckResult(False, f"wrong output shape{context}: the reconstruction is "
                                  f"{_shape_text(out.shape[1:])} for inputs of "
                                  f"{_shape_text(x.shape[1:])}. Check every layer's output "
                                  f"size (course_utils.arithmetic.trace_shapes): with kernel k "
                                  f"use padding k // 2 to keep a size; never crop to fit.")
    if not torch.isfinite(out).all() or out.min() < 0 or out.max() > 1:
        return CheckResult(False, f"the reconstruction{context} has values outside [0, 1] "
                                  f"(from {float(out.min()):.3g} to {float(out.max()):.3g}). "
                                  f"End the decoder with a Sigmoid.")
    # An untrained decoder without a Sigmoid can stay inside [0, 1] on images by chance;
    # inputs far outside the pixel range show whether the output is bounded at all.
    far = _run(model, (x - 0.5) * 100, what=f"the model's forward{context}")
    if isinstance(far, CheckResult):
        return far
    if not torch.isfinite(far).all() or far.min() < 0 or far.max() > 1:
        return CheckResult(False, f"the reconstruction{context} is not bounded: for inputs "
                                  f"far outside the pixel range it has values outside [0, 1] "
                                  f"(from {float(far.min()):.3g} to {float(far.max()):.3g}). "
                                  f"End the decoder with a Sigmoid.")
    if torch.allclose(out, x):
        return CheckResult(False, f"the model returns its input unchanged{context}: an "
                                  f"autoencoder must rebuild it from the code.")
    return None


def _code_of(model: nn.Module, x: torch.Tensor, context: str) -> torch.Tensor | CheckResult:
    if not callable(getattr(model, "encode", None)):
        return CheckResult(False, "the model has no encode method: return "
                                  "EncoderDecoder(encoder, decoder) (or subclass Autoencoder) "
                                  "so the check can look at the code.")
    return _run(model.encode, x, what=f"the model's encode{context}")


def _losses(model: nn.Module, images: torch.Tensor, steps: int, lr: float) -> list[float]:
    """Adam on a copy of ``model`` for ``steps`` steps; the loss before each step."""
    trial = copy.deepcopy(model).train()
    losses = []
    with torch.random.fork_rng():
        torch.manual_seed(0)
        optimizer = torch.optim.Adam([p for p in trial.parameters() if p.requires_grad], lr=lr)
        for _ in range(steps):
            optimizer.zero_grad()
            loss = F.mse_loss(trial(images), images)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def loss_decreases(model: nn.Module, images: torch.Tensor, *, steps: int = 30,
                   learning_rates: Sequence[float] = (1e-2, 3e-3),
                   required_drop: float = 0.25) -> CheckResult | None:
    """Train a *copy* of ``model`` for a few Adam steps on ``images``; None if the loss fell.

    The loss must fall by ``required_drop`` (25 %) of its starting value, at one of the
    ``learning_rates`` (tried in turn). The learner's model itself is left untouched.
    """
    if not any(p.requires_grad for p in model.parameters()):
        return CheckResult(False, "the model has no trainable parameters. Layers kept in a "
                                  "plain Python list are not registered: use nn.Sequential "
                                  "or nn.ModuleList.")
    first = last = float("nan")
    for lr in learning_rates:
        try:
            losses = _losses(model, images, steps, lr)
        except Exception as error:  # the learner's code
            return explain_error(error)
        first, last = losses[0], min(losses[-5:])
        if math.isfinite(last) and last <= (1 - required_drop) * first:
            return None
    return CheckResult(False, f"the loss is not decreasing: {first:.4f} at the start, "
                              f"{last:.4f} after {steps} Adam steps. Common causes: a ReLU "
                              f"as the last layer (outputs stuck at 0; use a Sigmoid), "
                              f".detach() in forward, or layers that are never used.")


# --------------------------------------------------------------------------- exercise 1


def check_architecture(build_conv_ae: Any) -> CheckResult:
    """Exercise 1: ``build_conv_ae(channels, kernel_size, code_channels)`` builds the asked model.

    Tried with channels (8,) and (16, 32), kernel sizes 3 and 5: the output shape, the code
    shape (code_channels × 28/2^depth × 28/2^depth), the parameter count of the specified
    architecture, and a loss that goes down in a few training steps.
    """
    x = toy_images(4)
    configs = [((8,), 3, 1), ((16, 32), 5, 4), ((8, 16), 3, 2)]
    counts = []
    for channels, k, code in configs:
        context = f" for channels={channels}, kernel_size={k}, code_channels={code}"
        model = _build(build_conv_ae, "build_conv_ae", channels, k, code)
        if isinstance(model, CheckResult):
            return model
        problem = _check_reconstruction(model, x, context)
        if problem is not None:
            return problem
        z = _code_of(model, x, context)
        if isinstance(z, CheckResult):
            return z
        side = 28 // 2 ** len(channels)
        want = (code, side, side)
        if tuple(z.shape[1:]) != want:
            return CheckResult(False, f"code shape wrong{context}: got {_shape_text(z.shape[1:])},"
                                      f" expected {_shape_text(want)}. Each of the "
                                      f"{len(channels)} stage(s) pools once (28 → 14 → 7), and "
                                      f"the encoder ends with a 1×1 conv to code_channels.")
        got = count_parameters(model)
        expected = count_parameters(_reference_conv_ae(channels, k, code))
        if got != expected:
            hint = ""
            if k != 3 and got == count_parameters(_reference_conv_ae(channels, 3, code)):
                hint = " It matches kernel size 3: is kernel_size passed to every Conv2d?"
            return CheckResult(False, f"wrong parameter count{context}: {got:,}, the specified "
                                      f"architecture has {expected:,} ({got - expected:+,})."
                                      f"{hint} Compare your layers with the list in the "
                                      f"exercise (print(model)).")
        counts.append(got)
    model = _build(build_conv_ae, "build_conv_ae", (8, 16), 3, 2)
    problem = model if isinstance(model, CheckResult) else loss_decreases(model, x)
    if problem is not None:
        return problem
    return CheckResult(True, f"right shapes and parameter counts ({counts[0]:,}, {counts[1]:,} "
                             f"and {counts[2]:,} for the three settings tried), and the loss "
                             f"goes down.")


@dataclass(frozen=True)
class SweepRow:
    """One trained configuration of exercise 1's sweep."""

    channels: tuple[int, ...]
    kernel_size: int
    code_channels: int
    parameters: int
    code_size: int
    test_mse: float
    pca_mse: float

    @property
    def depth(self) -> int:
        return len(self.channels)

    @property
    def label(self) -> str:
        return f"channels={self.channels}, k={self.kernel_size}"


def run_sweep(build_conv_ae: Any, configs: Any, train_set: ImageSet, test_set: ImageSet, *,
              epochs: int, lr: float = BUDGET["lr"], batch_size: int = BUDGET["batch_size"],
              scheduler: str | None = BUDGET["scheduler"], loss: str = BUDGET["loss"],
              seed: int = 0) -> list[SweepRow] | None:
    """Train one model per config (same budget each) and measure it beside PCA.

    ``configs`` is a list of ``dict(channels=..., kernel_size=..., code_channels=...)``;
    ``seed`` sets every model's initial weights. Returns None while ``configs`` or
    ``build_conv_ae`` is still blank.
    """
    if not_attempted(configs) or not_attempted(build_conv_ae):
        print("Sweep not run yet: fill in build_conv_ae and sweep_configs first.")
        return None
    rows, pca_cache = [], {}
    for config in configs:
        seed_everything(seed)
        model = build_conv_ae(**config)
        if not_attempted(model):
            print("Sweep not run yet: build_conv_ae still returns nothing.")
            return None
        with torch.no_grad():
            code_size = math.prod(model.encode(test_set.images[:1]).shape[1:])
        test_mse = train_and_score(model, "11_sweep", train_set, test_set, epochs=epochs, lr=lr,
                                   batch_size=batch_size, scheduler=scheduler, loss=loss)
        if code_size not in pca_cache:
            n = min(code_size, len(train_set), train_set.images[0].numel())
            pca_cache[code_size] = pca_baseline(train_set.images, n).mse(test_set.images)
        rows.append(SweepRow(tuple(config["channels"]), int(config["kernel_size"]),
                             int(config["code_channels"]), count_parameters(model), code_size,
                             test_mse, pca_cache[code_size]))
    return rows


def sweep_table(rows: Sequence[SweepRow]) -> pd.DataFrame:
    """Parameters vs test MSE, one row per configuration, PCA at the same code size beside it."""
    return table(["channels", "depth", "kernel", "parameters", "code size", "test MSE",
                  "PCA MSE (same code size)"],
                 [[str(r.channels), r.depth, r.kernel_size, r.parameters, r.code_size,
                   r.test_mse, r.pca_mse] for r in rows])


def check_sweep(rows: Any) -> CheckResult:
    """Exercise 1, part 2: at least three configurations that vary width, depth and kernel."""
    blank = attempted_or_result(rows, "sweep_configs")
    if blank is not None:
        return blank
    if not isinstance(rows, Sequence) or not all(isinstance(r, SweepRow) for r in rows):
        return CheckResult(False, "pass the list that run_sweep returns.")
    if len(rows) < 3:
        return CheckResult(False, f"a sweep needs at least three configurations; yours has "
                                  f"{len(rows)}.")
    varied = {"channel counts": len({r.channels[0] for r in rows}) > 1,
              "depths": len({r.depth for r in rows}) > 1,
              "kernel sizes": len({r.kernel_size for r in rows}) > 1}
    missing = [name for name, ok in varied.items() if not ok]
    if missing:
        return CheckResult(False, f"your sweep never changes the {' or the '.join(missing)}. "
                                  f"Add configurations that do, so the table can show their "
                                  f"effect.")
    if len({r.code_size for r in rows}) > 1:
        return CheckResult(False, "the configurations have different code sizes ("
                                  + ", ".join(str(r.code_size) for r in rows) + "), so their "
                                  "errors are not comparable. Pick code_channels so that every "
                                  "code has the same size (depth 1: 14×14 per channel, depth "
                                  "2: 7×7 per channel).")
    best = min(rows, key=lambda r: r.test_mse)
    return CheckResult(True, f"{len(rows)} configurations at code size {best.code_size}; the "
                             f"best is {best.label} ({best.parameters:,} parameters, test MSE "
                             f"{best.test_mse:.5f}; PCA {best.pca_mse:.5f}).")


# --------------------------------------------------------------------------- exercise 2

_POOLS = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}


def check_downsampling(downsample_block: Any) -> CheckResult:
    """Exercise 2: ``downsample_block(in_channels, out_channels, mode)`` halves H and W.

    ``mode`` is ``"max"`` (3×3 conv, ReLU, MaxPool2d(2)), ``"avg"`` (same with
    AvgPool2d(2)) or ``"stride"`` (3×3 conv with stride 2, ReLU). All three must map
    1×28×28 → C×14×14 and C×14×14 → C'×7×7, and have the same number of parameters.
    """
    counts = {}
    for mode in ("max", "avg", "stride"):
        blocks = []
        for c_in, c_out in ((1, 8), (8, 16)):
            block = _build(downsample_block, f'downsample_block(..., mode="{mode}")', c_in,
                           c_out, mode)
            if isinstance(block, CheckResult):
                return block
            blocks.append(block)
        x = toy_images(2)
        for block, size, c_out in ((blocks[0], 14, 8), (blocks[1], 7, 16)):
            out = _run(block, x, what=f'the "{mode}" block')
            if isinstance(out, CheckResult):
                return out
            want = (x.shape[0], c_out, size, size)
            if tuple(out.shape) != want:
                hint = ""
                if mode == "stride" and out.shape[-1] == size - 1:
                    hint = (" With kernel 3 and stride 2, padding 0 gives "
                            "floor((28 − 3)/2) + 1 = 13: use padding=1.")
                elif out.shape[-1] == 2 * size:
                    hint = " Nothing halved the size: add the pooling, or stride=2."
                elif out.shape[-1] < size:
                    hint = " The size was halved twice: use either pooling or stride 2."
                return CheckResult(False, f'wrong output shape for mode "{mode}": '
                                          f"{_shape_text(x.shape[1:])} → "
                                          f"{_shape_text(out.shape[1:])}, expected "
                                          f"{_shape_text(want[1:])}.{hint}")
            x = out
        modules = list(blocks[0].modules())
        has_pool = {name: any(isinstance(m, cls) for m in modules) for name, cls in _POOLS.items()}
        strided = any(isinstance(m, nn.Conv2d) and m.stride != (1, 1) for m in modules)
        if mode in _POOLS:
            other = "avg" if mode == "max" else "max"
            if not has_pool[mode] or has_pool[other]:
                return CheckResult(False, f'mode "{mode}" should downsample with '
                                          f"{_POOLS[mode].__name__}(2) after the convolution.")
            if strided:
                return CheckResult(False, f'mode "{mode}": keep the convolution at stride 1 '
                                          f"and let the pooling halve the size.")
        elif any(has_pool.values()) or not strided:
            return CheckResult(False, 'mode "stride" downsamples with the convolution itself '
                                      "(stride=2, padding=1): no pooling layer.")
        counts[mode] = count_parameters(blocks[0]) + count_parameters(blocks[1])
    if len(set(counts.values())) > 1:
        listed = ", ".join(f"{m}: {n:,}" for m, n in counts.items())
        return CheckResult(False, f"wrong parameter count: the three blocks should cost the "
                                  f"same (one 3×3 convolution each; pooling has no "
                                  f"parameters), but yours have {listed}.")
    return CheckResult(True, f"all three modes halve the size with the same parameters "
                             f"({counts['max']:,} for the two blocks tried).")


def check_best_mode(answer: Any, results: Mapping[str, float]) -> CheckResult:
    """Exercise 2, part 2: ``answer`` names the mode with the lowest test MSE in ``results``."""
    blank = attempted_or_result(answer, "best_mode")
    if blank is not None:
        return blank
    if not results:
        return CheckResult(None, "train the three models first (the cell above), then answer.")
    best = min(results, key=results.get)
    if answer not in results:
        return CheckResult(False, f"answer with one of {', '.join(map(repr, results))}.")
    if answer != best:
        return CheckResult(False, f'in your run "{answer}" reached {results[answer]:.5f}, but '
                                  f'"{best}" reached {results[best]:.5f}: read the table again.')
    return CheckResult(True, f'"{best}" reconstructs best in this run (test MSE '
                             f"{results[best]:.5f}).")


# --------------------------------------------------------------------------- exercise 3


def check_colour(build_colour_ae: Any) -> CheckResult:
    """Exercise 3: ``build_colour_ae()`` reconstructs 3×32×32 images through a smaller code."""
    x = toy_images(4, channels=3, size=32)
    model = _build(build_colour_ae, "build_colour_ae")
    if isinstance(model, CheckResult):
        return model
    model.eval()
    out = _run(model, x, what="the model's forward")
    if isinstance(out, CheckResult):
        if re.search(r"expects 1 input channels but receives 3", out.message):
            return CheckResult(False, "channels wrong for colour: the first convolution takes 1 "
                                      "channel, but CIFAR-10 images have 3 (red, green, blue). "
                                      "Use in_channels=3.")
        return out
    problem = _check_reconstruction(model, x, " on 3×32×32 images")
    if problem is not None:
        return problem
    z = _code_of(model, x, "")
    if isinstance(z, CheckResult):
        return z
    code = math.prod(z.shape[1:])
    if code >= 3 * 32 * 32:
        return CheckResult(False, f"the code has {code:,} numbers, not fewer than the "
                                  f"3×32×32 = 3,072 of the image: nothing is compressed. Use "
                                  f"fewer channels at the bottleneck.")
    problem = loss_decreases(model, x)
    if problem is not None:
        return problem
    return CheckResult(True, f"3×32×32 in, 3×32×32 out in [0, 1], through a code of {code:,} "
                             f"numbers ({3072 / code:.1f}× smaller), "
                             f"{count_parameters(model):,} parameters; the loss goes down.")


# --------------------------------------------------------------------------- exercise 4


def _outputs_with_zero_code(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """``model(images)`` with the output of ``model.bottleneck`` replaced by zeros."""
    handle = model.bottleneck.register_forward_hook(lambda m, i, out: torch.zeros_like(out))
    try:
        with torch.no_grad():
            return model(images)
    finally:
        handle.remove()


def check_unet(unet_class: Any) -> CheckResult:
    """Exercise 4: a U-Net style autoencoder whose decoder concatenates encoder features.

    ``unet_class()`` must build the model; its layer that makes the code must be called
    ``bottleneck``. Checked: the output shape, that the output still depends on the input
    when the code is zeroed (the skips exist), the parameter count of the specified
    architecture, and a loss that goes down.
    """
    model = _build(unet_class, "MyUNet")
    if isinstance(model, CheckResult):
        return model
    if not isinstance(getattr(model, "bottleneck", None), nn.Module):
        return CheckResult(False, "name the layer that makes the code self.bottleneck (the 1×1 "
                                  "convolution), so the check can find the code.")
    x = toy_images(4)
    problem = _check_reconstruction(model, x, "")
    if problem is not None:
        return problem
    try:
        zeroed = _outputs_with_zero_code(model, x)
    except Exception as error:  # the learner's code
        return explain_error(error)
    if float((zeroed - zeroed[:1]).abs().max()) < 1e-6:
        return CheckResult(False, "skip connection missing: with the code zeroed, your model "
                                  "gives the same output for every input, so everything goes "
                                  "through the bottleneck. Concatenate the encoder features "
                                  "into the decoder: torch.cat([upsampled, skip], dim=1).")
    reference = UNetAutoencoder(1, (16, 32), 4)
    plain = UNetAutoencoder(1, (16, 32), 4, skips=False)
    got, want = count_parameters(model), count_parameters(reference)
    if got != want:
        hint = ""
        if got == count_parameters(plain):
            hint = (" That is the count without concatenation: did you add the features "
                    "(a residual) instead of concatenating them?")
        return CheckResult(False, f"wrong parameter count: {got:,}, the specified U-Net has "
                                  f"{want:,} ({got - want:+,}).{hint} The convolution after "
                                  f"each concatenation reads both tensors' channels (32 + 32 "
                                  f"at 14×14, 16 + 16 at 28×28).")
    problem = loss_decreases(model, x)
    if problem is not None:
        return problem
    return CheckResult(True, f"skip connections work: with the code zeroed the output still "
                             f"follows the input; {got:,} parameters, as specified; the loss "
                             f"goes down.")


def check_zero_code(decode_from_zero_code: Any) -> CheckResult:
    """Exercise 4, part 2: ``decode_from_zero_code(model, images)`` zeroes only the code.

    Checked against the reference :class:`UNetAutoencoder` with and without skips: the
    encoder features must be kept, the code replaced by zeros.
    """
    blank = attempted_or_result(decode_from_zero_code, "decode_from_zero_code")
    if blank is not None:
        return blank
    x = toy_images(4)
    for skips in (True, False):
        seed_everything(0)
        model = UNetAutoencoder(1, (16, 32), 4, skips=skips).eval()
        expected = _outputs_with_zero_code(model, x)
        out = _run(decode_from_zero_code, model, x, what="decode_from_zero_code")
        if isinstance(out, CheckResult):
            return out
        if out.shape != x.shape:
            return CheckResult(False, f"wrong output shape: {tuple(out.shape)} for images of "
                                      f"{tuple(x.shape)}.")
        if torch.allclose(out, expected, atol=1e-5):
            continue
        with torch.no_grad():
            normal = model(x)
            zero_input = model(torch.zeros_like(x))
            all_zero = model.decode(torch.zeros_like(model.encode(x)))
        name = "U-Net" if skips else "plain autoencoder"
        if torch.allclose(out, normal, atol=1e-5):
            hint = "that is the normal reconstruction: the code was not replaced"
        elif torch.allclose(out, zero_input, atol=1e-5):
            hint = "you zeroed the input images; keep the input, zero only the code"
        elif skips and torch.allclose(out, all_zero, atol=1e-5):
            hint = ("you zeroed the skip features too (decode without skips); keep the "
                    "encoder features from encode_with_skips and zero only the code")
        else:
            hint = "compare with model.decode(torch.zeros_like(z), skips)"
        return CheckResult(False, f"on the {name}, {hint}.")
    return CheckResult(True, "the code is replaced by zeros and the encoder features are kept, "
                             "for the U-Net and for the plain autoencoder.")


# --------------------------------------------------------------------------- exercise 5

WIDE_PARAMETERS = 821_024  # 784 → 512 → 16 → 512 → 784, weights and biases
CODE_SIZE_5 = 16


def _linear_layers(model: nn.Module) -> list[nn.Linear]:
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def check_depth_vs_width(build_wide: Any, build_deep: Any, *, tolerance: float = 0.10) -> CheckResult:
    """Exercise 5: a wide-and-shallow and a narrow-and-deep FC autoencoder, code 16, equal size.

    Wide: 784 → 512 → 16 → 512 → 784 (821,024 parameters). Deep: at least three hidden
    layers per side, every one narrower than 512, and a parameter count within
    ``tolerance`` (10 %) of the wide model's.
    """
    x = toy_images(8)
    models = {}
    for name, factory in (("build_wide", build_wide), ("build_deep", build_deep)):
        model = _build(factory, name)
        if isinstance(model, CheckResult):
            return model
        context = f" ({name})"
        problem = _check_reconstruction(model, x, context)
        if problem is not None:
            return problem
        z = _code_of(model, x, context)
        if isinstance(z, CheckResult):
            return z
        if math.prod(z.shape[1:]) != CODE_SIZE_5:
            return CheckResult(False, f"wrong code size{context}: {math.prod(z.shape[1:])} "
                                      f"numbers, the exercise asks for {CODE_SIZE_5}.")
        models[name] = model
    wide, deep = models["build_wide"], models["build_deep"]
    wide_linears = _linear_layers(wide)
    wide_count = count_parameters(wide)
    if len(wide_linears) != 4 or wide_count != WIDE_PARAMETERS:
        return CheckResult(False, f"the wide model should be 784 → 512 → 16 → 512 → 784: 4 "
                                  f"Linear layers and {WIDE_PARAMETERS:,} parameters; yours has "
                                  f"{len(wide_linears)} Linear layers and {wide_count:,} "
                                  f"parameters.")
    deep_linears = _linear_layers(deep)
    hidden = [m.out_features for m in deep_linears[:-1] if m.out_features != CODE_SIZE_5]
    if len(deep_linears) < 8:
        return CheckResult(False, f"narrow-and-deep needs at least three hidden layers per "
                                  f"side (8 Linear layers in all); yours has "
                                  f"{len(deep_linears)}.")
    if max(hidden, default=0) >= 512:
        return CheckResult(False, f"narrow means every hidden layer narrower than the wide "
                                  f"model's 512; yours has a layer of {max(hidden)}.")
    deep_count = count_parameters(deep)
    off = deep_count / wide_count - 1
    if abs(off) > tolerance:
        advice = "narrow its layers" if off > 0 else "widen its layers"
        return CheckResult(False, f"wrong parameter count: the deep model has {deep_count:,}, "
                                  f"the wide one {wide_count:,} ({off:+.0%}); a fair comparison "
                                  f"needs them within {tolerance:.0%}: {advice}.")
    for name, model in models.items():
        problem = loss_decreases(model, x)
        if problem is not None:
            return CheckResult(False, f"{name}: {problem.message}")
    return CheckResult(True, f"wide {wide_count:,} and deep {deep_count:,} parameters "
                             f"({off:+.1%}), code size {CODE_SIZE_5} each, "
                             f"{len(deep_linears)} Linear layers in the deep one; both train.")
