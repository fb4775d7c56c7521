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


# --------------------------------------------------------------------------- smaller inputs

import numpy as np  # noqa: E402

from course_utils.losses import ShapeMismatchError  # noqa: E402
from course_utils.models import (  # noqa: E402
    ConvVAE,
    FlatConvAutoencoder,
    SparseConvAutoencoder,
    UNetAutoencoder,
    UpsampleConvAutoencoder,
)


@pytest.mark.parametrize("build, attribute, value", [
    (lambda n: DeepConvAutoencoder(n), "latent_channels", 4),
    (lambda n: UpsampleConvAutoencoder(n), "latent_channels", 4),
    (lambda n: FlatConvAutoencoder(n), "latent_dim", 4),
    (lambda n: ConvVAE(n), "latent_dim", 4),
    (lambda n: SparseConvAutoencoder(n), "code_size", 4),
    (lambda n: DeepAutoencoder(latent_dim=n), "latent_dim", 4),
    (lambda n: FCAutoencoder((32, n)), "latent_dim", 4),
    (lambda n: UNetAutoencoder(code_channels=n), "code_channels", 4),
])
@pytest.mark.parametrize("number", [np.int64(4), np.int32(4), torch.tensor(4)],
                         ids=["np.int64", "np.int32", "torch"])
def test_numpy_and_torch_integers_build_models(build, attribute: str, value: int,
                                               number) -> None:
    model = build(number)
    stored = getattr(model, attribute)
    assert stored == value and type(stored) is int  # kept as a plain int


def test_widths_may_come_from_numpy() -> None:
    assert FCAutoencoder(hidden_sizes=np.array([256, 64])).latent_dim == 64
    assert UNetAutoencoder(channels=np.array([8, 16])).code_channels == 4


@pytest.mark.parametrize("build, error, words", [
    (lambda: DeepConvAutoencoder(2.5), TypeError, "latent_channels must be a whole number"),
    (lambda: DeepConvAutoencoder(64.0), TypeError, "latent_channels must be a whole number"),
    (lambda: DeepConvAutoencoder(True), TypeError, "latent_channels must be a whole number"),
    (lambda: DeepConvAutoencoder("64"), TypeError, "latent_channels must be a whole number"),
    (lambda: DeepConvAutoencoder(10**9), ValueError, "latent_channels must be at most 4,096"),
    (lambda: DeepAutoencoder(latent_dim=0), ValueError, "latent_dim must be at least 1"),
    (lambda: DeepAutoencoder(latent_dim=-3), ValueError, "latent_dim must be at least 1"),
    (lambda: DeepAutoencoder(hidden_sizes=(512, 0)), ValueError, r"hidden_sizes\[1\]"),
    (lambda: DeepAutoencoder(dropout="0.2"), TypeError, "dropout"),
    (lambda: DeepAutoencoder(dropout=float("nan")), ValueError, "dropout"),
    (lambda: DeepAutoencoder(batchnorm="no"), TypeError, "batchnorm must be True or False"),
    (lambda: DeepAutoencoder(image_shape=(1, 28)), ValueError, "image_shape must have 3"),
    (lambda: DeepAutoencoder(image_shape=(3, 4096, 4096)), ValueError,
     "image_shape, hidden_sizes and latent_dim give layers of widths 50,331,648"),
    (lambda: FCAutoencoder(batchnorm="no"), TypeError, "batchnorm must be True or False"),
    (lambda: FCAutoencoder(hidden_sizes=64), TypeError, "hidden_sizes must be a sequence"),
    (lambda: FCAutoencoder(hidden_sizes="64"), TypeError, "hidden_sizes must be a sequence"),
    (lambda: FCAutoencoder(hidden_sizes=(256, 2.5)), TypeError, r"hidden_sizes\[1\]"),
    (lambda: SimpleConvAutoencoder(0), ValueError, "channels must be at least 1"),
    (lambda: FlatConvAutoencoder(2.5), TypeError, "latent_dim must be a whole number"),
    (lambda: FlatConvAutoencoder(8, channels=(16,)), ValueError, "channels must have 2"),
    (lambda: ConvVAE(0), ValueError, "latent_dim must be at least 1"),
    (lambda: SparseConvAutoencoder(16, channels=(16, 0)), ValueError, r"channels\[1\]"),
    (lambda: UNetAutoencoder(skips="no"), TypeError, "skips must be True or False"),
    (lambda: UNetAutoencoder(in_channels=1.5), TypeError, "in_channels"),
    (lambda: UpsampleConvAutoencoder(4, mode=["nearest"]), TypeError, "mode must be one of"),
    (lambda: UpsampleConvAutoencoder(4, align_corners="yes"), TypeError, "align_corners"),
])
def test_bad_constructor_arguments_are_named(build, error, words: str) -> None:
    with pytest.raises(error, match=words):
        build()


@pytest.mark.parametrize("model_class, returned", [
    (DeepConvAutoencoder, "1×36×36"), (UpsampleConvAutoencoder, "1×40×40")])
def test_other_image_sizes_are_refused_not_resized(model_class, returned: str) -> None:
    """32×32 images through a model sized for 28×28 used to come back 36×36 or 40×40."""
    model = model_class(4).eval()
    with torch.no_grad(), pytest.raises(ShapeMismatchError) as error:
        model(torch.rand(2, 1, 32, 32))
    message = str(error.value)
    assert returned in message and "1×32×32" in message and "28×28" in message
    with torch.no_grad():
        assert model(torch.rand(2, 1, 28, 28)).shape == (2, 1, 28, 28)  # the size it is for
