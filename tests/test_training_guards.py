"""train() and evaluate() refuse what they cannot do, with a message that names the argument
and says what to do; and an epoch never ends on a one-image batch that BatchNorm cannot train."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import training
from course_utils.config import seed_everything
from course_utils.data import ImageSet
from course_utils.training import cached_train, evaluate, train


def tiny() -> nn.Module:
    """The smallest autoencoder-shaped model: one 3×3 convolution and a Sigmoid."""
    return nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.Sigmoid())


def with_batchnorm() -> nn.Module:
    """A fully connected model with BatchNorm1d: a batch of one image cannot train it."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.BatchNorm1d(16), nn.ReLU(),
                         nn.Linear(16, 64), nn.Sigmoid(), nn.Unflatten(1, (1, 8, 8)))


@pytest.fixture
def images() -> torch.Tensor:
    return torch.rand(8, 1, 8, 8, generator=torch.Generator().manual_seed(0))


def fit(model: nn.Module, data, test=None, **settings):
    return train(model, data, test, **{"epochs": 1, "progress": False, **settings})


# --------------------------------------------------------------------------- the data


def test_an_empty_training_or_test_set_is_refused(images: torch.Tensor) -> None:
    with pytest.raises(ValueError, match="train_set is empty"):
        fit(tiny(), images[:0])
    with pytest.raises(ValueError, match="test_set is empty"):
        fit(tiny(), images, images[:0])
    with pytest.raises(ValueError, match="data is empty"):
        evaluate(tiny(), images[:0])  # was a ZeroDivisionError
    empty = ImageSet(images[:0], torch.zeros(0, dtype=torch.int64), "nothing")
    with pytest.raises(ValueError, match="train_set is empty"):
        fit(tiny(), empty)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_or_infinite_pixels_are_refused_before_training(images: torch.Tensor,
                                                            value: float) -> None:
    bad = images.clone()
    bad[5, 0, 3, 3] = value
    with pytest.raises(ValueError, match=r"train_set holds 1 NaN or infinite pixel value "
                                         r"\(the first in image 5\).*nan_to_num"):
        fit(tiny(), bad)  # was "training stopped ... try a smaller learning rate"
    with pytest.raises(ValueError, match="test_set holds 1 NaN"):
        fit(tiny(), images, bad)
    with pytest.raises(ValueError, match="data holds 1 NaN"):
        evaluate(tiny(), bad)


def test_images_in_0_to_255_are_refused_with_divide_by_255(images: torch.Tensor) -> None:
    with pytest.raises(ValueError, match=r"train_set's pixels go up to .*divide them by 255"):
        fit(tiny(), images * 255)  # was: trained to a loss in the thousands
    with pytest.raises(ValueError, match=r"data's pixels go up to .*divide them by 255"):
        evaluate(tiny(), images * 255)
    normalised = (images - 0.1307) / 0.3081  # torchvision's Normalize
    with pytest.raises(ValueError, match="undo any normalisation"):
        fit(tiny(), normalised)
    with pytest.raises(ValueError, match="go down to"):
        fit(tiny(), images - 0.5)
    fit(tiny(), images.clamp(0, 1) * (1 + 1e-4))  # rounding just above 1 is fine


def test_feature_maps_and_codes_may_leave_0_to_1(images: torch.Tensor) -> None:
    """The later stages of a stacked autoencoder train on features (16 channels) or codes
    (N×1×1×D): those are not pictures and may take any value."""
    features = torch.randn(8, 16, 4, 4) * 3
    fit(nn.Conv2d(16, 16, 1), features)
    codes = torch.randn(8, 1, 1, 12) * 3
    fit(nn.Linear(12, 12), codes)


@pytest.mark.parametrize("dtype", [torch.uint8, torch.int64, torch.int32])
def test_integer_images_are_refused_with_how_to_convert(images: torch.Tensor,
                                                        dtype: torch.dtype) -> None:
    as_integers = (images * 255).to(dtype)
    with pytest.raises(TypeError, match=r"train_set holds whole-number pixels .*"
                                        r"images\.float\(\) / 255"):
        fit(tiny(), as_integers)  # uint8 was a message about BFloat16
    with pytest.raises(TypeError, match=r"data holds whole-number pixels"):
        evaluate(tiny(), as_integers)
    with pytest.raises(TypeError, match=r"boolean pixels: convert them with images\.float\(\)"):
        fit(tiny(), images > 0.5)


def test_other_float_types_are_converted_to_the_models(images: torch.Tensor) -> None:
    for dtype in (torch.float64, torch.float16, torch.bfloat16):
        seed_everything(0)
        history = fit(tiny(), images.to(dtype))
        assert math.isfinite(history.final_train_loss)
        assert math.isfinite(evaluate(tiny(), images.to(dtype)))


def test_images_that_are_not_n_c_h_w_still_raise(images: torch.Tensor) -> None:
    with pytest.raises(ValueError, match=r"N×C×H×W .*unsqueeze\(1\)"):
        fit(tiny(), images[:, 0])
    with pytest.raises(ValueError, match="N×C×H×W"):
        fit(tiny(), images[None])
    with pytest.raises(TypeError, match=r"torch\.from_numpy"):
        fit(tiny(), images.numpy())
    with pytest.raises(TypeError, match="train_set must be an ImageSet"):
        fit(tiny(), None)
    with pytest.raises(ValueError, match="no pixels"):
        fit(tiny(), torch.rand(8, 1, 0, 8))


def test_train_and_test_images_of_different_sizes_are_refused(images: torch.Tensor) -> None:
    with pytest.raises(ValueError, match="test_set holds images of 1×6×6, train_set images of "
                                         "1×8×8"):
        fit(tiny(), images, torch.rand(4, 1, 6, 6))


def test_a_model_that_cannot_take_the_images_gets_a_clear_error(images: torch.Tensor) -> None:
    colour = torch.rand(8, 3, 8, 8)
    with pytest.raises(ValueError, match="could not run on train_set's images of 3×8×8.*"
                                         "first layer takes 3 channels"):
        fit(tiny(), colour)
    with pytest.raises(ValueError, match="could not run on data's images"):
        evaluate(tiny(), colour)


# --------------------------------------------------------------------------- the settings


@pytest.mark.parametrize("clip", [0, 0.0, -1.0, math.nan, -math.inf])
def test_clip_grad_norm_must_be_positive(images: torch.Tensor, clip: float) -> None:
    """A negative norm silently reversed the gradient, and zero stopped training."""
    with pytest.raises(ValueError, match="clip_grad_norm must be"):
        fit(tiny(), images, clip_grad_norm=clip)


def test_clip_grad_norm_may_be_infinite_or_a_numpy_number(images: torch.Tensor) -> None:
    fit(tiny(), images, clip_grad_norm=math.inf)
    fit(tiny(), images, clip_grad_norm=np.float32(0.5))
    with pytest.raises(TypeError, match="clip_grad_norm must be a number"):
        fit(tiny(), images, clip_grad_norm="1.0")


@pytest.mark.parametrize("batch_size, error", [(0, ValueError), (-4, ValueError),
                                               (2.5, TypeError), (8.0, TypeError),
                                               (True, TypeError), ("32", TypeError)])
def test_batch_size_must_be_a_whole_number_of_at_least_one(images: torch.Tensor, batch_size,
                                                           error: type) -> None:
    with pytest.raises(error, match="batch_size must be"):
        fit(tiny(), images, batch_size=batch_size)
    with pytest.raises(error, match="batch_size must be"):
        evaluate(tiny(), images, batch_size=batch_size)


@pytest.mark.parametrize("epochs, match", [(2.5, "round it, e.g. epochs=2 or 3"),
                                           (2.0, "write epochs=2"),
                                           (True, "the boolean True"),
                                           (np.float64(3.0), "write epochs=3"),
                                           ("3", "got '3'")])
def test_epochs_must_be_a_whole_number(images: torch.Tensor, epochs, match: str) -> None:
    with pytest.raises(TypeError, match=f"epochs must be a whole number.*{match}"):
        fit(tiny(), images, epochs=epochs)
    with pytest.raises(ValueError, match="epochs must be at least 0"):
        fit(tiny(), images, epochs=-1)


@pytest.mark.parametrize("make", [np.int64, np.int32, np.uint8, torch.tensor,
                                  lambda n: torch.tensor(n, dtype=torch.int32)])
def test_numpy_and_torch_integers_are_whole_numbers(images: torch.Tensor, make) -> None:
    seed_everything(0)
    plain = fit(tiny(), images, epochs=2, batch_size=4, seed=3)
    seed_everything(0)
    other = fit(tiny(), images, epochs=make(2), batch_size=make(4), seed=make(3))
    assert other.train_loss == plain.train_loss
    model = tiny()
    assert evaluate(model, images, batch_size=make(4), seed=make(1)) == pytest.approx(
        evaluate(model, images, batch_size=4, seed=1))


def test_numpy_numbers_give_the_same_cache_key(tmp_path, images: torch.Tensor,
                                               monkeypatch) -> None:
    seed_everything(0)
    cached_train(tiny(), "n", images, directory=tmp_path, epochs=1, batch_size=4, lr=1e-2,
                 progress=False)
    monkeypatch.setattr(training, "train", lambda *a, **k: pytest.fail("should load"))
    seed_everything(0)
    cached_train(tiny(), "n", images, directory=tmp_path, epochs=np.int64(1),
                 batch_size=torch.tensor(4), lr=np.float64(1e-2), progress=False)


@pytest.mark.parametrize("lr", [0, -1e-3, math.nan, math.inf])
def test_lr_must_be_a_positive_number(images: torch.Tensor, lr: float) -> None:
    with pytest.raises(ValueError, match="lr must be"):
        fit(tiny(), images, lr=lr)


@pytest.mark.parametrize("setting, value, error, match", [
    ("loss", "l1", ValueError, 'loss must be "mse" or "bce"'),
    ("loss", None, TypeError, 'loss must be "mse" or "bce"'),
    ("optimizer", "rmsprop", ValueError, "optimizer must be"),
    ("optimizer", 3, TypeError, "optimizer must be"),
    ("scheduler", "warp", ValueError, "scheduler must be"),
    ("weight_decay", -0.1, ValueError, "weight_decay must be"),
    ("corrupt", "gaussian", TypeError, "corrupt must be None or a function"),
    ("objective", 1.0, TypeError, "objective must be None or a function"),
    ("precision", "fp16", ValueError, "precision must be one of"),
    ("precision", 16, TypeError, "precision must be one of"),
    ("device", "gpu", ValueError, "device='gpu' is not a device PyTorch knows"),
    ("device", 3.5, TypeError, "device must be None"),
    ("seed", 1.5, TypeError, "seed must be a whole number"),
    ("seed", 2**64, ValueError, "seed must be at most"),
    ("progress", "yes", TypeError, "progress must be True, False or None"),
    ("channels_last", 1, TypeError, "channels_last must be True, False or None"),
])
def test_each_setting_is_checked_by_name(images: torch.Tensor, setting: str, value, error: type,
                                         match: str) -> None:
    with pytest.raises(error, match=match):
        fit(tiny(), images, **{setting: value})


def test_a_device_this_machine_lacks_is_named(images: torch.Tensor, monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="device='cuda', but PyTorch sees no such CUDA GPU"):
        fit(tiny(), images, device="cuda")
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    with pytest.raises(ValueError, match="COURSE_DEVICE='cuda'"):
        fit(tiny(), images)
    monkeypatch.setenv("COURSE_DEVICE", "tpu9")
    with pytest.raises(ValueError, match="COURSE_DEVICE='tpu9' is not a device"):
        fit(tiny(), images)


def test_precision_names_ignore_case(images: torch.Tensor, monkeypatch) -> None:
    monkeypatch.setattr(training, "native_bf16", lambda device: False)
    assert fit(tiny(), images, precision="FP32").precision == "fp32"


# --------------------------------------------------------------------------- the model


class ReturnsATuple(nn.Module):
    """The textbook VAE's habit: forward returns (reconstruction, code)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.sigmoid(self.conv(x)), x.mean()


def test_a_model_that_returns_a_tuple_is_told_about_objective(images: torch.Tensor) -> None:
    with pytest.raises(TypeError, match=r"forward returned a tuple, not an image tensor.*"
                                        r"objective=.*vae_objective"):
        fit(ReturnsATuple(), images)
    with pytest.raises(TypeError, match="forward returned a tuple"):
        evaluate(ReturnsATuple(), images)

    def objective(model, inputs, targets):  # what objective= is for
        x_hat, _ = model(inputs)
        return nn.functional.mse_loss(x_hat, targets)

    assert math.isfinite(fit(ReturnsATuple(), images, objective=objective).final_train_loss)


def test_models_that_cannot_train_are_refused(images: torch.Tensor) -> None:
    with pytest.raises(TypeError, match=r"got the class Conv2d: build one first"):
        fit(nn.Conv2d, images)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        fit("SimpleConvAutoencoder", images)
    with pytest.raises(ValueError, match="no trainable parameters"):
        fit(nn.Sigmoid(), images)
    frozen = tiny().requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameters"):
        fit(frozen, images)
    assert evaluate(nn.Identity(), images) == 0.0  # evaluating needs no parameters


def test_an_objective_must_return_one_number(images: torch.Tensor) -> None:
    with pytest.raises(TypeError, match="objective must return the loss as a tensor holding "
                                        "one number"):
        fit(tiny(), images, objective=lambda m, x, y: (m(x) - y) ** 2)
    with pytest.raises(TypeError, match="objective must return"):
        fit(tiny(), images, objective=lambda m, x, y: 0.5)
    with pytest.raises(ValueError, match="could not be backpropagated"):
        fit(tiny(), images, objective=lambda m, x, y: ((m(x) - y) ** 2).mean().detach())


# --------------------------------------------------------------------------- batches


def test_a_last_batch_of_one_image_joins_the_one_before() -> None:
    bounds = training._batch_bounds
    assert bounds(33, 32) == [(0, 33)]
    assert bounds(65, 32) == [(0, 32), (32, 65)]
    assert bounds(64, 32) == [(0, 32), (32, 64)]
    assert bounds(66, 32) == [(0, 32), (32, 64), (64, 66)]
    assert bounds(1, 32) == [(0, 1)]
    assert bounds(5, 1) == [(i, i + 1) for i in range(5)]  # batch_size 1: every batch is one


@pytest.mark.parametrize("batch_size", [4, 7, 32])
def test_batchnorm_trains_when_one_image_is_left_over(batch_size: int) -> None:
    """N = batch_size + 1 used to stop the first epoch on its last batch (BatchNorm cannot
    normalise one value per feature)."""
    seed_everything(0)
    data = torch.rand(batch_size + 1, 1, 8, 8)
    history = train(with_batchnorm(), data, data, epochs=2, batch_size=batch_size,
                    progress=False, scheduler="onecycle")
    assert history.epochs == 2 and all(math.isfinite(v) for v in history.train_loss)


def test_every_image_is_still_seen_once_per_epoch() -> None:
    seen: list[torch.Tensor] = []

    def objective(model, inputs, targets):
        seen.append(targets[:, 0, 0, 0].clone())
        return nn.functional.mse_loss(model(inputs), targets)

    data = torch.arange(9, dtype=torch.float32).view(9, 1, 1, 1).expand(9, 1, 8, 8) / 10
    train(tiny(), data.contiguous(), epochs=1, batch_size=4, objective=objective,
          progress=False)
    assert [len(batch) for batch in seen] == [4, 5]
    assert sorted(torch.cat(seen).tolist()) == sorted((torch.arange(9) / 10).tolist())


def test_batches_are_unchanged_when_nothing_is_left_over(images: torch.Tensor) -> None:
    """The same shuffled batches as course_utils.data.batches, so earlier results stand."""
    from course_utils.data import batches

    for count, size in ((8, 4), (8, 3), (8, 8)):
        ours = list(training._training_batches(images[:count], size,
                                               torch.Generator().manual_seed(1)))
        theirs = list(batches(images[:count], size, shuffle=True,
                              generator=torch.Generator().manual_seed(1)))
        assert len(ours) == len(theirs)
        assert all(torch.equal(a, b) for a, b in zip(ours, theirs))


def test_a_single_image_with_batchnorm_says_what_to_do() -> None:
    with pytest.raises(ValueError, match="batch of a single image cannot train a model with "
                                         "BatchNorm.*at least 2 images and batch_size"):
        train(with_batchnorm(), torch.rand(1, 1, 8, 8), epochs=1, progress=False)
    with pytest.raises(ValueError, match="BatchNorm"):
        train(with_batchnorm(), torch.rand(4, 1, 8, 8), epochs=1, batch_size=1, progress=False)
