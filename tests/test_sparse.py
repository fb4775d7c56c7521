"""Tests for the sparse conv autoencoder (course_utils.models.sparse), its L1 objective
(course_utils.losses) and how sparse its codes are."""

from __future__ import annotations

import pytest
import torch

from course_utils.models import SparseConvAutoencoder
from course_utils.losses import l1_penalty, reconstruction_loss, sparse_objective
from course_utils.models.sparse import UnitNormLinear, active_units_per_image, near_zero_share
from course_utils.training import train


def _images(n: int = 6, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


def test_shapes_and_non_negative_code() -> None:
    torch.manual_seed(0)
    model = SparseConvAutoencoder(code_size=32).eval()
    x = _images()
    z = model.encode(x)
    assert z.shape == (6, 32)
    assert float(z.detach().min()) >= 0  # ReLU code: "off" is an exact zero
    assert model.decode(z).shape == x.shape
    assert model(x).shape == x.shape
    assert model.decode_units(2.0).shape == (32, 1, 28, 28)
    assert model.decode_units(torch.ones(32)).shape == (32, 1, 28, 28)
    with pytest.raises(ValueError, match="code_size"):
        SparseConvAutoencoder(code_size=0)


def test_unit_norm_linear_ignores_the_weight_scale() -> None:
    torch.manual_seed(0)
    layer = UnitNormLinear(4, 3)
    z = torch.rand(5, 4)
    before = layer(z)
    with torch.no_grad():
        layer.weight.mul_(10.0)  # a bigger decoder weight cannot make up for a smaller code
    assert torch.allclose(layer(z), before, atol=1e-6)
    normalised = layer.weight / layer.weight.norm(dim=0, keepdim=True)
    assert torch.allclose(normalised.norm(dim=0), torch.ones(4))


def test_objective_is_reconstruction_plus_weighted_l1() -> None:
    torch.manual_seed(0)
    model = SparseConvAutoencoder(code_size=16).eval()
    x = _images()
    with torch.no_grad():
        z = model.encode(x)
        recon = reconstruction_loss(model.decode(z), x, "mse")
        assert torch.isclose(sparse_objective(0.0)(model, x, x), recon)
        penalised = sparse_objective(0.5)(model, x, x)
    assert torch.isclose(penalised, recon + 0.5 * z.abs().mean())
    assert float(penalised) >= float(recon)  # the penalty is never negative
    assert float(l1_penalty(torch.tensor([[-1.0, 1.0, 0.0, 2.0]]))) == 1.0
    assert sparse_objective(0.01).__qualname__ == "sparse_objective(0.01, 'mse')"
    with pytest.raises(ValueError, match="l1_weight"):
        sparse_objective(-1.0)


def test_near_zero_share_is_relative_and_counts_correctly() -> None:
    codes = torch.tensor([[10.0, 0.05, 0.0, 5.0],   # 0.05 ≤ 1% of 10 → near zero
                          [1.0, 0.02, 0.0, 0.0]])   # 0.02 > 1% of 1 → active
    assert near_zero_share(codes) == pytest.approx(4 / 8)
    assert near_zero_share(codes * 1000) == pytest.approx(4 / 8)  # scale-free
    assert active_units_per_image(codes) == pytest.approx(2.0)
    assert near_zero_share(torch.zeros(2, 3)) == 1.0
    with pytest.raises(ValueError, match="threshold"):
        near_zero_share(codes, threshold=1.5)


def test_a_strong_l1_penalty_makes_the_code_sparser() -> None:
    data = _images(64)
    shares = []
    for weight in (0.0, 1.0):
        torch.manual_seed(0)
        model = SparseConvAutoencoder(code_size=16)
        train(model, data, epochs=4, batch_size=16, lr=3e-3, objective=sparse_objective(weight),
              device="cpu", progress=False)
        with torch.no_grad():
            shares.append(near_zero_share(model.eval().encode(data)))
    assert shares[1] > shares[0]
