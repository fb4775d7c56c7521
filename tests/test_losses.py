"""Binary cross-entropy from logits: every model's ``logits(x)``, and a gradient that survives
a saturated Sigmoid (course_utils.losses, course_utils.models.base)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checkerboard import FlatUpsampleConvAutoencoder
from course_utils.data import ImageSet
from course_utils.losses import (
    elbo_terms,
    reconstruction_loss,
    reconstruction_nll,
    reconstruction_objective,
    sparse_objective,
)
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
from course_utils.models.base import NoLogitsError, logits_of
from course_utils.training import evaluate, train

MODELS = {
    "SimpleConvAutoencoder": SimpleConvAutoencoder,
    "DeepConvAutoencoder": DeepConvAutoencoder,
    "DeepAutoencoder": DeepAutoencoder,
    "FCAutoencoder": FCAutoencoder,
    "FlatConvAutoencoder": FlatConvAutoencoder,
    "FlatUpsampleConvAutoencoder": FlatUpsampleConvAutoencoder,
    "SparseConvAutoencoder": SparseConvAutoencoder,
    "UNetAutoencoder": UNetAutoencoder,
    "UNetAutoencoder (no skips)": lambda: UNetAutoencoder(skips=False),
    "UpsampleConvAutoencoder": UpsampleConvAutoencoder,
    "ConvVAE": ConvVAE,
}


def _images(n: int = 4, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("name", MODELS)
def test_every_model_returns_logits_whose_sigmoid_is_its_output(name: str) -> None:
    torch.manual_seed(0)
    model = MODELS[name]().eval()
    x = _images()
    with torch.no_grad():
        out, logits = model(x), model.logits(x)
        z = model.encode(x)
        decoded, decoded_logits = model.decode(z), model.decode_logits(z)
    assert logits.shape == out.shape == x.shape
    assert torch.allclose(torch.sigmoid(logits), out, atol=1e-6)
    assert torch.allclose(torch.sigmoid(decoded_logits), decoded, atol=1e-6)
    assert not torch.allclose(logits, out, atol=1e-3)  # logits, not probabilities
    # forward is unchanged afterwards: the hook that reads the logits is gone
    assert torch.equal(model(x), out)


def test_logits_keep_the_gradient_path() -> None:
    torch.manual_seed(0)
    model = SimpleConvAutoencoder()
    model.logits(_images()).sum().backward()
    assert all(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in model.parameters())


def _saturated_model() -> SimpleConvAutoencoder:
    """A model whose output Sigmoid is rounded to exactly 1.0 in float32 for every pixel."""
    torch.manual_seed(0)
    model = SimpleConvAutoencoder()
    with torch.no_grad():
        model.decoder[0].bias.fill_(40.0)  # σ(40) = 1 − 4e-18 rounds to 1.0
    return model


def test_bce_gradient_survives_a_saturated_sigmoid() -> None:
    """Confidently wrong pixels (output 1.0, target 0): BCE on the Sigmoid's output has a
    gradient of exactly zero, BCE from logits a gradient of σ(a) − x = 1 per pixel."""
    model = _saturated_model()
    x = torch.zeros(4, 1, 28, 28)  # black images: every pixel is wrong
    assert bool((model(x) == 1.0).all())

    old = F.binary_cross_entropy(model(x), x)
    old_grad = torch.autograd.grad(old, model.decoder[0].bias)[0]
    assert float(old_grad.abs().max()) == 0.0  # what the Sigmoid-output form gives

    loss = reconstruction_objective("bce")(model, x, x)
    grad = torch.autograd.grad(loss, model.decoder[0].bias)[0]
    assert float(grad.abs().max()) == pytest.approx(1.0, rel=1e-4)  # mean of σ(a) − x = 1
    assert float(loss.detach()) == pytest.approx(40.0, rel=0.01)  # softplus(a) − 0·a ≈ a


def test_bce_from_logits_equals_bce_on_the_sigmoid_where_it_does_not_saturate() -> None:
    g = torch.Generator().manual_seed(0)
    logits = torch.rand(8, 1, 28, 28, generator=g) * 16 - 8  # σ within [3e-4, 1 − 3e-4]
    x = torch.rand(8, 1, 28, 28, generator=g)
    on_sigmoid = reconstruction_loss(torch.sigmoid(logits), x, "bce")
    from_logits = reconstruction_loss(logits, x, "bce", logits=True)
    assert float(from_logits) == pytest.approx(float(on_sigmoid), rel=1e-5)
    assert torch.allclose(reconstruction_nll(logits, x, logits=True),
                          reconstruction_nll(torch.sigmoid(logits), x), rtol=1e-5)
    mse = reconstruction_loss(logits, x, "mse", logits=True)
    assert float(mse) == pytest.approx(float(F.mse_loss(torch.sigmoid(logits), x)), rel=1e-6)


def test_training_and_evaluating_with_bce_use_the_logits() -> None:
    torch.manual_seed(0)
    model = SimpleConvAutoencoder().eval()
    x = _images(6)
    expected = float(F.binary_cross_entropy_with_logits(model.logits(x), x))
    assert evaluate(model, x, loss="bce") == pytest.approx(expected, rel=1e-5)
    history = train(model, ImageSet(x, torch.zeros(6, dtype=torch.long), "test"), epochs=1,
                    loss="bce", progress=False)
    assert history.epochs == 1


def test_a_learners_model_with_a_final_sigmoid_gets_logits_too() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 784),
                          nn.Sigmoid(), nn.Unflatten(1, (1, 28, 28)))
    x = _images()
    logits = logits_of(model, lambda: model(x))
    assert torch.allclose(torch.sigmoid(logits), model(x), atol=1e-6)
    assert evaluate(model, x, loss="bce") == pytest.approx(
        float(F.binary_cross_entropy(model(x), x)), rel=1e-5)


class _NoSigmoid(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 784), nn.Unflatten(1, (1, 28, 28)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(x))  # a Sigmoid, but not a module the course can find


class _SigmoidInTheMiddle(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 784), nn.Sigmoid(),
                                 nn.Linear(784, 784), nn.Unflatten(1, (1, 28, 28)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).clamp(0, 1)


@pytest.mark.parametrize("model_class", [_NoSigmoid, _SigmoidInTheMiddle])
def test_bce_without_logits_says_what_to_do(model_class: type[nn.Module]) -> None:
    model = model_class()
    x = _images()
    data = ImageSet(x, torch.zeros(len(x), dtype=torch.long), "test")
    with pytest.raises(NoLogitsError) as caught:
        train(model, data, epochs=1, loss="bce", progress=False)
    message = str(caught.value)
    assert "nn.Sigmoid()" in message and 'loss="mse"' in message
    assert isinstance(caught.value, ValueError)
    train(model, data, epochs=1, loss="mse", progress=False)  # MSE needs no logits


def test_an_autoencoder_without_a_sigmoid_gets_the_same_message() -> None:
    from course_utils.checks.exercises import EncoderDecoder

    model = EncoderDecoder(nn.Sequential(nn.Flatten(), nn.Linear(784, 8)),
                           nn.Sequential(nn.Linear(8, 784), nn.Unflatten(1, (1, 28, 28))))
    with pytest.raises(NoLogitsError, match="has no nn.Sigmoid"):
        model.logits(_images())


def test_sparse_objective_with_bce_uses_the_logits() -> None:
    torch.manual_seed(0)
    model = SparseConvAutoencoder(16).eval()
    x = _images()
    loss = sparse_objective(0.0, "bce")(model, x, x)
    expected = F.binary_cross_entropy_with_logits(model.decode_logits(model.encode(x)), x)
    assert float(loss) == pytest.approx(float(expected), rel=1e-5)


def test_the_elbo_reconstruction_term_keeps_its_gradient_when_the_decoder_saturates() -> None:
    torch.manual_seed(0)
    model = ConvVAE(4).eval()
    last = [m for m in model.decoder.modules() if isinstance(m, nn.ConvTranspose2d)][-1]
    with torch.no_grad():
        last.bias.fill_(40.0)  # every pixel's probability rounds to 1.0
    x = torch.zeros(2, 1, 28, 28)
    recon, _ = elbo_terms(model, x, generator=torch.Generator().manual_seed(0))
    assert float(recon.mean()) == pytest.approx(784 * 40.0, rel=1e-2)  # nats, not log clamped
    grad = torch.autograd.grad(recon.mean(), last.bias)[0]
    assert float(grad.abs().max()) > 100  # 784 pixels × σ(a) − x = 1 each


def test_a_model_that_returns_a_tuple_gets_a_clear_error_with_bce() -> None:
    class Pair(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.Sigmoid())

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            return self.net(x), x

    x = _images()
    data = ImageSet(x, torch.zeros(len(x), dtype=torch.long), "test")
    with pytest.raises(TypeError, match="reconstruction alone"):
        train(Pair(), data, epochs=1, loss="bce", progress=False)
