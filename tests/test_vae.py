"""Tests for the convolutional VAE (course_utils.models.vae), its ELBO terms
(course_utils.losses), its plain twin and the recipe that trains it."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from course_utils.models import ConvVAE, FlatConvAutoencoder
from course_utils.losses import (
    VAEObjective,
    bce_floor,
    elbo_terms,
    evaluate_elbo,
    kl_divergence,
    reconstruction_nll,
    vae_objective,
)
from course_utils.models.flat import conv_encoder_trunk
from course_utils.recipes import train_vae
from course_utils.training import train


def _images(n: int = 6, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("latent_dim", [2, 20])
def test_vae_shapes_follow_the_contract(latent_dim: int) -> None:
    torch.manual_seed(0)
    model = ConvVAE(latent_dim).eval()
    x = _images()
    mu, logvar = model.encode_distribution(x)
    assert mu.shape == logvar.shape == (6, latent_dim)
    assert torch.equal(model.encode(x), mu)  # encode is the posterior mean
    assert model.decode(mu).shape == x.shape
    assert model(x).shape == x.shape
    assert torch.equal(model(x), model(x))  # forward is deterministic
    assert model.sample(5).shape == (5, 1, 28, 28)
    out = model(x).detach()
    assert float(out.min()) > 0 and float(out.max()) < 1  # Sigmoid output


def test_plain_twin_has_the_same_code_size_and_shapes() -> None:
    model = FlatConvAutoencoder(20).eval()
    x = _images()
    assert model.encode(x).shape == (6, 20)
    assert model(x).shape == x.shape


def test_invalid_sizes_raise() -> None:
    with pytest.raises(ValueError, match="latent_dim"):
        ConvVAE(0)
    with pytest.raises(ValueError, match="channels"):
        FlatConvAutoencoder(4, channels=(8,))
    with pytest.raises(ValueError, match="final"):
        conv_encoder_trunk(final="tanh")
    with pytest.raises(ValueError, match="beta"):
        VAEObjective(beta=-1.0)


def test_kl_is_zero_when_posterior_equals_prior() -> None:
    mu = torch.zeros(4, 20)
    logvar = torch.zeros(4, 20)  # σ² = 1
    kl = kl_divergence(mu, logvar)
    assert kl.shape == (4,)
    assert torch.allclose(kl, torch.zeros(4), atol=1e-7)


def test_kl_matches_torch_distributions_and_is_positive() -> None:
    g = torch.Generator().manual_seed(1)
    mu = torch.randn(5, 3, generator=g)
    logvar = torch.randn(5, 3, generator=g)
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    expected = torch.distributions.kl_divergence(q, p).sum(dim=1)
    assert torch.allclose(kl_divergence(mu, logvar), expected, atol=1e-5)
    assert bool((kl_divergence(mu, logvar) > 0).all())


def test_reconstruction_term_is_bce_summed_over_pixels() -> None:
    x = _images(3)
    x_hat = _images(3, seed=1).clamp(0.01, 0.99)
    per_image = reconstruction_nll(x_hat, x)
    assert per_image.shape == (3,)
    assert math.isclose(float(per_image.sum()),
                        float(F.binary_cross_entropy(x_hat, x, reduction="sum")), rel_tol=1e-5)
    with pytest.raises(ValueError, match="shapes differ"):
        reconstruction_nll(x_hat[:, :, :27], x)


def test_bce_floor_is_the_minimum_of_the_reconstruction_term() -> None:
    x = _images(3)
    floor = bce_floor(x)
    assert torch.allclose(reconstruction_nll(x.clamp(1e-6, 1 - 1e-6), x), floor, rtol=1e-3)
    assert bool((reconstruction_nll(x.clamp(0.2, 0.8), x) > floor).all())
    binary = (x > 0.5).float()
    assert torch.allclose(bce_floor(binary), torch.zeros(3), atol=1e-6)


def test_elbo_terms_are_finite_and_non_negative() -> None:
    torch.manual_seed(0)
    model = ConvVAE(8)
    recon, kl = elbo_terms(model, _images())
    assert recon.shape == kl.shape == (6,)
    assert bool(torch.isfinite(recon).all()) and bool(torch.isfinite(kl).all())
    assert bool((recon > 0).all()) and bool((kl >= 0).all())


def test_reparameterize_uses_mu_and_sigma() -> None:
    mu = torch.full((20000, 1), 3.0)
    logvar = torch.full((20000, 1), math.log(4.0))  # σ = 2
    z = ConvVAE.reparameterize(mu, logvar, torch.Generator().manual_seed(0))
    assert abs(float(z.mean()) - 3.0) < 0.05
    assert abs(float(z.std()) - 2.0) < 0.05
    # gradients flow to mu and logvar through the sample
    mu_g = torch.zeros(2, 3, requires_grad=True)
    lv_g = torch.zeros(2, 3, requires_grad=True)
    ConvVAE.reparameterize(mu_g, lv_g).sum().backward()
    assert mu_g.grad is not None and lv_g.grad is not None


def test_objective_records_terms_per_epoch_and_training_lowers_the_loss() -> None:
    torch.manual_seed(0)
    model = ConvVAE(4)
    data = _images(64)
    objective = vae_objective()
    assert objective.__qualname__ == "VAEObjective(beta=1.0)"
    before = evaluate_elbo(model, data)
    history = train(model, data, data[:16], epochs=3, batch_size=16, lr=3e-3,
                    objective=objective, device="cpu", progress=False)
    terms = objective.epochs()
    assert len(terms) == 3
    for epoch, t in enumerate(terms):
        assert math.isclose(t.train_loss, history.train_loss[epoch], rel_tol=1e-4)
        assert math.isclose(t.test_loss, history.test_loss[epoch], rel_tol=1e-4)
        assert t.train_kl >= 0 and t.test_kl >= 0
    after = evaluate_elbo(model, data)
    assert after["neg_elbo"] < before["neg_elbo"]
    assert math.isclose(after["neg_elbo"], after["reconstruction"] + after["kl"], rel_tol=1e-6)
    assert evaluate_elbo(model, data, seed=3) == evaluate_elbo(model, data, seed=3)


def test_train_vae_saves_and_reloads_the_terms(tmp_path) -> None:
    data = _images(32)
    torch.manual_seed(0)
    first = ConvVAE(2)
    history, terms = train_vae(first, "tiny_vae", data, data[:8], epochs=2, batch_size=16,
                               device="cpu", progress=False, directory=tmp_path)
    assert len(terms) == 2 and len(list(tmp_path.glob("*.terms.json"))) == 1
    torch.manual_seed(0)  # the same initial weights: the same run, loaded
    second = ConvVAE(2)
    history2, terms2 = train_vae(second, "tiny_vae", data, data[:8], epochs=2, batch_size=16,
                                 device="cpu", progress=False, directory=tmp_path)
    assert terms2 == terms
    assert history2.train_loss == history.train_loss
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)


def test_a_hidden_layer_on_each_side_of_the_code_keeps_the_contract() -> None:
    torch.manual_seed(0)
    model = ConvVAE(2, hidden=16).eval()
    x = _images()
    mu, logvar = model.encode_distribution(x)
    assert mu.shape == logvar.shape == (6, 2)
    assert model(x).shape == x.shape and model.decode(mu).shape == x.shape
    assert torch.allclose(torch.sigmoid(model.decode_logits(mu)), model.decode(mu), atol=1e-6)
    layers = [type(m).__name__ for m in model.decoder[:3]]
    assert layers == ["Linear", "ReLU", "Linear"] and model.decoder[0].out_features == 16
    assert model.to_mu.in_features == model.to_logvar.in_features == 16
    # without ``hidden`` the model and its state-dict keys are what they always were
    plain_keys = set(ConvVAE(2).state_dict())
    assert {"to_mu.weight", "decoder.0.weight", "decoder.1.1.weight"} <= plain_keys
    assert ConvVAE(2).hidden is None and ConvVAE(2).to_mu.in_features == 32 * 49
    with pytest.raises(ValueError, match="hidden"):
        ConvVAE(2, hidden=0)
