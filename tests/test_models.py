"""Every model keeps the course contract, and has exactly the parameters the lessons state."""

from __future__ import annotations

import pytest
import torch

from course_utils.models import (
    DeepAutoencoder,
    DeepConvAutoencoder,
    FCAutoencoder,
    SimpleConvAutoencoder,
)
from course_utils.summary import count_parameters

MODELS = [SimpleConvAutoencoder, DeepConvAutoencoder, FCAutoencoder, DeepAutoencoder]


@pytest.mark.parametrize("model_class, parameters", [
    (SimpleConvAutoencoder, 225),
    (DeepConvAutoencoder, 83_905),
    (FCAutoencoder, 484_944),
    (DeepAutoencoder, 1_144_880),
])
def test_exact_parameter_counts(model_class, parameters: int) -> None:
    assert count_parameters(model_class()) == parameters


@pytest.mark.parametrize("model_class, code_shape", [
    (SimpleConvAutoencoder, (16, 14, 14)),
    (DeepConvAutoencoder, (64, 3, 3)),
    (FCAutoencoder, (64,)),
    (DeepAutoencoder, (32,)),
])
def test_contract_encode_decode_forward(model_class, code_shape) -> None:
    model = model_class().eval()
    x = torch.rand(5, 1, 28, 28)
    with torch.no_grad():
        z = model.encode(x)
        x_hat = model.decode(z)
        assert torch.equal(model(x), x_hat)  # forward returns only the reconstruction
    assert tuple(z.shape) == (5, *code_shape)
    assert x_hat.shape == x.shape
    assert 0 <= float(x_hat.min()) and float(x_hat.max()) <= 1  # Sigmoid output


@pytest.mark.parametrize("latent_channels", [1, 4, 16, 64])
def test_deep_conv_latent_channels_set_the_code(latent_channels: int) -> None:
    model = DeepConvAutoencoder(latent_channels).eval()
    assert model.encode(torch.zeros(2, 1, 28, 28)).shape == (2, latent_channels, 3, 3)


def test_deep_autoencoder_layer_outputs_form_the_hierarchy() -> None:
    model = DeepAutoencoder().eval()
    widths = [a.shape[1] for a in model.get_layer_outputs(torch.rand(3, 1, 28, 28))]
    assert widths == [512, 256, 128, 32]


def test_deep_autoencoder_switches() -> None:
    plain = DeepAutoencoder(batchnorm=False, dropout=0.0)
    names = {type(m).__name__ for m in plain.modules()}
    assert "BatchNorm1d" not in names and "Dropout" not in names
    assert count_parameters(plain) == count_parameters(DeepAutoencoder()) - 2 * 2 * (512 + 256 + 128)


def test_fc_autoencoder_other_code_sizes() -> None:
    model = FCAutoencoder(hidden_sizes=(256, 128, 36))
    assert model.latent_dim == 36
    assert model.encode(torch.zeros(1, 1, 28, 28)).shape == (1, 36)


@pytest.mark.parametrize("build", [
    lambda: DeepConvAutoencoder(latent_channels=0),
    lambda: FCAutoencoder(hidden_sizes=()),
    lambda: DeepAutoencoder(dropout=1.5),
])
def test_bad_settings_raise_value_error(build) -> None:
    with pytest.raises(ValueError):
        build()


def test_models_know_no_training_loop_and_no_data() -> None:
    """course_utils/models/ imports nothing of the course outside models/ itself."""
    import ast
    from pathlib import Path

    import course_utils.models

    folder = Path(course_utils.models.__file__).parent
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                assert node.level == 1, f"{path.name} imports from outside models/: {node.module}"
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert not node.module.startswith("course_utils"), \
                    f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("course_utils") for a in node.names), path.name
