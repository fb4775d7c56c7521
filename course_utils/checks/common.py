"""What the exercise checks share: run the learner's code safely, on a copy, and name what is wrong.

A check judges behaviour, not looks: it *runs* the learner's model on a few small images
(:func:`toy_images`) and asks what the exercise teaches. Does the output have the input's
shape, dtype and range (:func:`check_reconstruction`)? Is every image made from its code and
nothing else, and does the code carry the image (:func:`code_flow_problem`)? Which layers run,
in which order (:func:`layers_run`)? Does the loss go down (:func:`loss_decreases`)?

Three rules hold for every check:

- it works on a *copy* of the learner's model (:func:`build`, :func:`private_copy`), and
  notices when running the learner's code changes a model (:func:`ModelState`), so no check
  can damage a trained model, and no answer can pass by damaging one;
- an exception in the learner's code becomes a hint (:func:`explain_error`);
- it never raises (:func:`never_raises`), and leaves the random number generators as they were.
"""

from __future__ import annotations

import copy
import functools
import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..losses import model_logits
from ..models.base import NoLogitsError
from .base import CheckResult, attempted_or_result

# --------------------------------------------------------------------------- images to try


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


# --------------------------------------------------------------------------- a check never raises

Check = TypeVar("Check", bound=Callable[..., CheckResult])


def first_line(error: BaseException) -> str:
    """The first line of an exception's message (its type's name if it has none)."""
    try:
        text = str(error).strip()
    except Exception:  # a learner's exception whose __str__ fails
        text = ""
    return text.splitlines()[0] if text else type(error).__name__


def never_raises(check: Check) -> Check:
    """Make ``check`` return a failing result instead of raising, with the RNGs left alone.

    Checks catch the learner's exceptions where they call the learner's code; this is the
    last net, for anything else (its message asks for a report, and the tests look for it).
    The random number generators of Python, NumPy and PyTorch are restored afterwards, so a
    check cell never changes what a later cell draws.
    """

    @functools.wraps(check)
    def checked(*args: Any, **kwargs: Any) -> CheckResult:
        python_state, numpy_state = random.getstate(), np.random.get_state()
        try:
            with torch.random.fork_rng(devices=[]):
                result = check(*args, **kwargs)
        except Exception as error:  # the last net: a check never raises
            return CheckResult(False, f"the check could not finish with this answer "
                                      f"({type(error).__name__}: {first_line(error)}). Look for "
                                      f"something unusual in it; if it looks right to you, "
                                      f"please report this.")
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)
        if not isinstance(result, CheckResult):  # a check bug, never the learner's
            return CheckResult(False, "the check could not finish with this answer; please "
                                      "report this.")
        return result

    return checked  # type: ignore[return-value]


# --------------------------------------------------------------------------- errors as hints

_CHANNELS = re.compile(r"expected input\[?([^\]]*)\]? to have (\d+) channels, but got (\d+)")
_MATMUL = re.compile(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)")
_DTYPES = ("did not match", "should be the same", "expected scalar type", "expected m1 and m2 "
           "to have the same dtype", "found dtype")


def explain_error(error: BaseException) -> CheckResult:
    """Turn an exception raised by the learner's code into a verdict with a hint."""
    try:
        text = str(error)
    except Exception:  # a learner's exception whose __str__ fails
        text = ""
    first = first_line(error)
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
    lower = text.lower()
    if "same device" in lower or ("device" in lower and "expected" in lower) or \
            ("cuda" in lower and "cpu" in lower):
        return CheckResult(False, f"device mismatch ({first}): the check runs your model on "
                                  f"the CPU. Build it without .to(device) or .cuda(), and "
                                  f"create tensors in forward with the input's device "
                                  f"(torch.zeros_like(x), x.new_zeros(...)).")
    if isinstance(error, RuntimeError) and any(words in text for words in _DTYPES):
        return CheckResult(False, f"dtype mismatch ({first}): the images are float32, and so "
                                  f"must every layer be. Remove .double(), .half() or "
                                  f".to(dtype) from the model.")
    return CheckResult(False, f"your code raised {type(error).__name__}: {first}")


# --------------------------------------------------------------------------- the learner's model, copied


def private_copy(model: nn.Module, what: str) -> nn.Module | CheckResult:
    """A deep copy of ``model`` for the check to run, train and probe (the original is untouched)."""
    try:
        return copy.deepcopy(model)
    except Exception as error:  # the learner's model
        return CheckResult(False, f"the check works on a copy of {what}'s model, and "
                                  f"copy.deepcopy failed ({type(error).__name__}: "
                                  f"{first_line(error)}). Keep layers and plain settings as "
                                  f"attributes; a tensor made in __init__ belongs in "
                                  f"self.register_buffer(name, tensor).")


def build(factory: Any, what: str, *args: Any, **kwargs: Any) -> nn.Module | CheckResult:
    """Call the learner's factory (a function or a class): a private copy of its model, or a verdict."""
    blank = attempted_or_result(factory, what)
    if blank is not None:
        return blank
    if isinstance(factory, nn.Module):
        return CheckResult(False, f"pass the class or function that builds the model "
                                  f"({what}), not a model you built: the check builds its own.")
    if not callable(factory):
        return CheckResult(False, f"{what} should be a function (or a class) that builds the "
                                  f"model; got {type(factory).__name__}.")
    try:
        model = factory(*args, **kwargs)
    except Exception as error:  # the learner's code: any error becomes a hint
        return explain_error(error)
    if model is None or model is Ellipsis:
        return CheckResult(None, f"fill in {what} (it returned {model!r}) and run the cell "
                                 f"again.")
    if not isinstance(model, nn.Module):
        return CheckResult(False, f"{what} should give an nn.Module, got "
                                  f"{type(model).__name__}.")
    copied = private_copy(model, what)
    if isinstance(copied, nn.Module):
        try:
            copied.cpu()  # the check's images are on the CPU, wherever the learner trains
        except Exception as error:  # the learner's module
            return explain_error(error)
    return copied


@dataclass(frozen=True)
class ModelState:
    """What running a model must leave as it was: weights, buffers, layers, hooks, train/eval mode."""

    tensors: dict[str, torch.Tensor]
    layers: tuple[tuple[str, int], ...]
    hooks: int
    training: tuple[bool, ...]

    @classmethod
    def of(cls, model: nn.Module) -> ModelState:
        tensors = {}
        for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
            if isinstance(tensor, nn.parameter.UninitializedTensorMixin):
                continue  # a lazy layer before its first call
            tensors[name] = tensor.detach().clone()
        modules = list(model.named_modules())
        return cls(tensors, tuple((name, id(m)) for name, m in modules),
                   sum(_hook_count(m) for _, m in modules),
                   tuple(m.training for _, m in modules))

    def changes(self, model: nn.Module) -> str | None:
        """What differs in ``model`` now, in words; None when nothing does."""
        now = ModelState.of(model)
        if now.layers != self.layers:
            before, after = dict(self.layers), dict(now.layers)
            names = [n for n in before if after.get(n) != before[n]] or \
                    [n for n in after if n not in before]
            return f"its layer {', '.join(names[:3]) or 'list'} was replaced"
        if now.hooks != self.hooks:
            return "a hook was left on it (register_forward_hook without handle.remove())"
        if now.training != self.training:
            mode = "training" if model.training else "eval"
            return f"it was switched to {mode} mode (model.train() / model.eval())"
        changed = [name for name, t in self.tensors.items()
                   if name not in now.tensors or now.tensors[name].shape != t.shape
                   or not torch.equal(now.tensors[name], t)]
        if changed:
            shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more"
                                               if len(changed) > 3 else "")
            return f"its weights {shown} changed"
        return None


def _hook_count(module: nn.Module) -> int:
    return sum(len(getattr(module, name, {})) for name in
               ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks"))


# --------------------------------------------------------------------------- running the learner's code


def call(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` without gradients; an exception becomes a :class:`CheckResult`."""
    try:
        with torch.no_grad():
            return fn(*args)
    except Exception as error:  # the learner's code
        return explain_error(error)


def run(fn: Callable[..., Any], *args: Any, what: str) -> torch.Tensor | CheckResult:
    """Call ``fn(*args)`` (a model's forward or encode) without gradients: one tensor, or a verdict."""
    out = call(fn, *args)
    if isinstance(out, CheckResult):
        return out
    blank = attempted_or_result(out, f"the missing code ({what} returned {out!r})")
    if blank is not None:
        return blank
    if isinstance(out, tuple):
        alone = "the code" if "encode" in what else "the reconstruction"
        return CheckResult(False, f"{what} returned a tuple; return only the tensor "
                                  f"(the course's models return {alone} alone).")
    if not isinstance(out, torch.Tensor):
        return CheckResult(False, f"{what} should return a tensor, got {type(out).__name__}.")
    return out


def dtype_problem(out: torch.Tensor, what: str) -> CheckResult | None:
    """None for float32; else a verdict naming the dtype (the course's images are float32)."""
    if out.dtype == torch.float32:
        return None
    name = str(out.dtype).replace("torch.", "")
    if out.dtype.is_floating_point:
        return CheckResult(False, f"{what} returns {name} tensors, but the images are float32: "
                                  f"remove the .double(), .half() or .to({name}) so it returns "
                                  f"float32, as the course's models and losses expect.")
    return CheckResult(False, f"{what} returns {name} values, not float32 brightnesses in "
                              f"[0, 1]: remove the .long(), .int(), .round() or comparison at "
                              f"the end, and let the Sigmoid's output through as it is.")


def shape_text(shape: Sequence[int]) -> str:
    """'1×28×28' for a shape."""
    return "×".join(str(int(s)) for s in shape)


def close(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Same shape and dtype, and equal up to float32 rounding."""
    return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.shape == b.shape
            and a.dtype == b.dtype and bool(torch.allclose(a, b, rtol=1e-4, atol=1e-5,
                                                           equal_nan=True)))


def _bounded(out: torch.Tensor) -> bool:
    return bool(torch.isfinite(out).all()) and float(out.min()) >= 0 and float(out.max()) <= 1


def check_reconstruction(model: nn.Module, x: torch.Tensor, context: str) -> CheckResult | None:
    """Output shape, dtype, range and "not a copy" for one batch; None when all is well.

    ``model`` is the check's private copy; it is put in eval mode. Running it must change
    neither the images nor the model.
    """
    model.eval()
    state = ModelState.of(model)
    given = x.clone()
    out = run(model, given, what=f"the model's forward{context}")
    if isinstance(out, CheckResult):
        return out
    if not torch.equal(given, x):
        return CheckResult(False, f"the model changed the images it was given{context} (an "
                                  f"in-place operation such as x.mul_(), x.clamp_() or "
                                  f"ReLU(inplace=True) on the input): in training that would "
                                  f"alter your data set. Work on a new tensor.")
    changed = state.changes(model)
    if changed is not None:
        return CheckResult(False, f"running the model changed its weights or layers{context} "
                                  f"({changed}): forward must only compute, never modify the "
                                  f"model. Remove the in-place update from forward.")
    problem = dtype_problem(out, f"the model's forward{context}")
    if problem is not None:
        return problem
    if out.ndim != 4:
        return CheckResult(False, f"wrong output shape{context}: got {tuple(out.shape)}, "
                                  f"expected images N×{shape_text(x.shape[1:])}. Restore the "
                                  f"image shape at the end of the decoder (nn.Unflatten).")
    if out.shape[1] != x.shape[1]:
        colour = " Colour images need 3 output channels (red, green, blue)." if x.shape[1] == 3 \
            else ""
        return CheckResult(False, f"channels wrong{context}: the reconstruction has "
                                  f"{out.shape[1]} channel(s), the input {x.shape[1]}. The "
                                  f"last layer must output {x.shape[1]}.{colour}")
    if out.shape != x.shape:
        return CheckResult(False, f"wrong output shape{context}: the reconstruction is "
                                  f"{shape_text(out.shape[1:])} for inputs of "
                                  f"{shape_text(x.shape[1:])}. Check every layer's output "
                                  f"size (course_utils.arithmetic.trace_shapes): with kernel k "
                                  f"use padding k // 2 to keep a size; never crop to fit.")
    if not bool(torch.isfinite(out).all()):
        return CheckResult(False, f"the reconstruction{context} contains NaN or infinite "
                                  f"values: look for a division, a log or an exp in forward, "
                                  f"and end the decoder with a Sigmoid.")
    if not _bounded(out):
        return CheckResult(False, f"the reconstruction{context} has values outside [0, 1] "
                                  f"(from {float(out.min()):.3g} to {float(out.max()):.3g}). "
                                  f"End the decoder with a Sigmoid.")
    # An untrained decoder without a Sigmoid can stay inside [0, 1] on images by chance;
    # inputs far outside the pixel range show whether the output is bounded at all.
    far = run(model, (x - 0.5) * 100, what=f"the model's forward{context}")
    if isinstance(far, CheckResult):
        return far
    if far.shape != out.shape or far.dtype != out.dtype or not _bounded(far):
        low, high = (float(far.min()), float(far.max())) if far.numel() else (0.0, 0.0)
        return CheckResult(False, f"the reconstruction{context} is not bounded: for inputs "
                                  f"far outside the pixel range it has values outside [0, 1] "
                                  f"(from {low:.3g} to {high:.3g}). End the decoder with a "
                                  f"Sigmoid.")
    if torch.allclose(out, x):
        return CheckResult(False, f"the model returns its input unchanged{context}: an "
                                  f"autoencoder must rebuild it from the code.")
    return None


# --------------------------------------------------------------------------- where the code is


def code_of(model: nn.Module, x: torch.Tensor, context: str) -> torch.Tensor | CheckResult:
    """``model.encode(x)``: one float32 code per image, or a verdict."""
    if not callable(getattr(model, "encode", None)):
        return CheckResult(False, "the model has no encode method: return "
                                  "EncoderDecoder(encoder, decoder) (or subclass Autoencoder) "
                                  "so the check can look at the code.")
    z = run(model.encode, x.clone(), what=f"the model's encode{context}")
    if isinstance(z, CheckResult):
        return z
    problem = dtype_problem(z, f"the model's encode{context}")
    if problem is not None:
        return problem
    if z.ndim < 2 or z.shape[0] != x.shape[0] or z[0].numel() == 0:
        return CheckResult(False, f"encode{context} should give one code per image, a tensor "
                                  f"of N×… with at least one number per image; for "
                                  f"{x.shape[0]} images it gave {tuple(z.shape)}.")
    return z


def perturbed(t: torch.Tensor) -> torch.Tensor:
    """``t`` plus noise on the scale of its values (a fixed draw: the check is repeatable)."""
    g = torch.Generator().manual_seed(1)
    scale = float(t.abs().mean()) + 0.1
    return t + torch.randn(t.shape, generator=g) * scale


def code_flow_problem(model: nn.Module, x: torch.Tensor, out: torch.Tensor, z: torch.Tensor,
                      context: str) -> CheckResult | None:
    """Is every image made from its code alone, and does the code carry the image?

    ``out = model(x)`` and ``z = model.encode(x)`` (both checked already). Four probes:
    ``model(x)`` is ``model.decode(z)`` (the forward pass goes through the code); decode gives
    the same image for the same code after other images were encoded (it keeps nothing from
    encode); different images get different codes; changing the code changes the image.
    """
    again = run(model, x.clone(), what=f"the model's forward{context}")
    if isinstance(again, CheckResult):
        return again
    if not close(again, out):
        return CheckResult(False, f"the model gives different outputs for the same images"
                                  f"{context} (randomness in eval mode?): a reconstruction "
                                  f"must depend on the image only.")
    if not callable(getattr(model, "decode", None)):
        return CheckResult(False, "the model has no decode method: return "
                                  "EncoderDecoder(encoder, decoder) (or subclass Autoencoder).")
    rebuilt = run(model.decode, z.clone(), what=f"the model's decode{context}")
    if isinstance(rebuilt, CheckResult):
        return rebuilt
    if not close(rebuilt, out):
        return CheckResult(False, f"model(x) is not model.decode(model.encode(x)){context}: the "
                                  f"forward pass goes around the code (for example "
                                  f"sigmoid(conv(x)) straight from the image, or the image fed "
                                  f"to a late layer). Every image must go through encode, then "
                                  f"decode, so that the code is all the decoder sees.")
    other = code_of(model, x.flip(0), context)  # the same images in the reverse order
    if isinstance(other, CheckResult):
        return other
    if other.shape == z.shape and close(other, z):
        return CheckResult(False, f"the code is the same for every image{context}: the encoder "
                                  f"ignores its input (is the image multiplied by zero, or "
                                  f"replaced?).")
    again = run(model.decode, z.clone(), what=f"the model's decode{context}")
    if isinstance(again, CheckResult):
        return again
    if not close(again, rebuilt):
        return CheckResult(False, f"decode gives a different image for the same code once "
                                  f"other images were encoded{context}: it uses something "
                                  f"saved during encode (the input or its features), not only "
                                  f"the code. The decoder must rebuild the image from z alone.")
    moved = run(model.decode, perturbed(z), what=f"the model's decode{context}")
    if isinstance(moved, CheckResult):
        return moved
    if moved.shape == rebuilt.shape and float((moved - rebuilt).abs().max()) < 1e-6:
        return CheckResult(False, f"changing the code does not change the reconstruction"
                                  f"{context}: the decoder ignores the code (is z replaced, "
                                  f"multiplied by zero, or never passed on?).")
    return None


def logits_problem(model: nn.Module, x: torch.Tensor, out: torch.Tensor,
                   context: str) -> CheckResult | None:
    """The exercises train with binary cross-entropy from the *logits*, the values just before
    the final ``nn.Sigmoid`` (see :mod:`course_utils.losses`): they must be there to read, and
    ``sigmoid(logits)`` must be the output."""
    try:
        with torch.no_grad():
            logits = model_logits(model, x.clone())
    except NoLogitsError:
        if not any(isinstance(m, nn.Sigmoid) for m in model.modules()):
            return CheckResult(False, f"end the decoder with an nn.Sigmoid() layer{context} (a "
                                      f"module, not torch.sigmoid in forward): the exercises "
                                      f"train with binary cross-entropy computed from the "
                                      f"logits, the values just before that layer.")
        return CheckResult(False, f"the last nn.Sigmoid is not the last thing forward "
                                  f"computes{context}: make nn.Sigmoid() the decoder's last "
                                  f"layer. The exercises train with binary cross-entropy "
                                  f"computed from the values just before it.")
    except Exception as error:  # the learner's code (a logits method of its own)
        return explain_error(error)
    if not isinstance(logits, torch.Tensor) or logits.shape != out.shape or \
            not close(torch.sigmoid(logits.float()), out):
        return CheckResult(False, f"model.logits(x) does not match the model's output"
                                  f"{context}: torch.sigmoid(model.logits(x)) must equal "
                                  f"model(x), since training reads the logits.")
    return None


# --------------------------------------------------------------------------- which layers run


def layers_run(model: nn.Module, fn: Callable[..., Any], *args: Any) -> list[nn.Module] | CheckResult:
    """The layers (modules without children) that ``fn(*args)`` runs, in the order they run.

    ``nn.Identity`` is left out: it does nothing.
    """
    calls: list[nn.Module] = []
    handles = [m.register_forward_hook(lambda module, inputs, output: calls.append(module))
               for m in model.modules() if not any(True for _ in m.children())]
    try:
        out = call(fn, *args)
    finally:
        for handle in handles:
            handle.remove()
    if isinstance(out, CheckResult):
        return out
    return [m for m in calls if not isinstance(m, nn.Identity)]


def names(layers: Sequence[nn.Module]) -> str:
    """'Conv2d → ReLU → MaxPool2d' for a list of layers."""
    return " → ".join(type(m).__name__ for m in layers) or "(no layers)"


ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.PReLU, nn.ReLU6, nn.ELU, nn.SELU, nn.CELU, nn.GELU,
               nn.SiLU, nn.Mish, nn.Tanh, nn.Sigmoid, nn.Softplus, nn.Hardtanh, nn.Hardswish,
               nn.Hardsigmoid, nn.LogSigmoid, nn.Tanhshrink, nn.Softsign)
"""The layers that make a network nonlinear (the ones a check accepts between Linear layers)."""


# --------------------------------------------------------------------------- does it learn?


def _losses(model: nn.Module, images: torch.Tensor, steps: int, lr: float) -> list[float]:
    """Adam on a copy of ``model`` for ``steps`` steps; the loss before each step."""
    trial = copy.deepcopy(model).train()
    losses = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        optimizer = torch.optim.Adam([p for p in trial.parameters() if p.requires_grad], lr=lr)
        for _ in range(steps):
            optimizer.zero_grad()
            loss = F.mse_loss(trial(images), images)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def forward_problem(model: nn.Module, x: torch.Tensor, z: torch.Tensor,
                    context: str) -> CheckResult | None:
    """The forward pass, run and judged: it must run, go through the code ``z`` (see
    :func:`code_flow_problem`) and end in a Sigmoid whose input serves as logits
    (:func:`logits_problem`). None when all is well, else the first problem found."""
    out = run(model, x.clone(), what=f"the model's forward{context}")
    if isinstance(out, CheckResult):
        return out
    problem = code_flow_problem(model, x, out, z, context)  # (a failing CheckResult is falsy)
    return problem if problem is not None else logits_problem(model, x, out, context)


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
