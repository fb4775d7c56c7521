"""The unit explorer (lesson 03): what one hidden unit of a stacked autoencoder responds to.

Small untrained models on made-up digits: the pure functions are checked against direct
computations (the linear path through the layers, the strongest digits, the purity), and
the explorer is driven through every control, each display equal to what the pure
function computes; a unit that does not exist gives a message, never a traceback.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from course_utils.config import seed_everything
from course_utils.models import DeepAutoencoder
from course_utils.widgets import units as U

pytestmark = pytest.mark.filterwarnings("ignore:TF32 acceleration:UserWarning")


def _data(n: int = 200) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    labels = torch.arange(n) % 10
    images = 0.3 * torch.rand(n, 1, 28, 28, generator=g)
    for d in range(10):  # each digit inks its own rows, so some units can prefer one digit
        images[labels == d, 0, 2 * d + 3:2 * d + 6, 5:23] += 0.7
    return images.clamp(0, 1), labels


@pytest.fixture(scope="module")
def model() -> DeepAutoencoder:
    seed_everything(0)
    model = DeepAutoencoder(hidden_sizes=(24, 12), latent_dim=6, dropout=0.0)
    images, _ = _data()
    model.train()
    with torch.no_grad():  # give BatchNorm running statistics that are not 0 and 1
        for _ in range(3):
            model(images)
    return model.eval()


@pytest.fixture(scope="module")
def atlas(model) -> U.UnitAtlas:
    images, labels = _data()
    return U.UnitAtlas.measure(model, images, labels)


def test_the_linear_paths_are_the_network_without_its_relus(model):
    """paths[l] @ x equals the encoder with every ReLU removed and every shift set to 0."""
    paths = U.linear_paths(model.encoder)
    assert [p.shape for p in paths] == [(24, 784), (12, 784), (6, 784)]
    x = torch.rand(5, 784, generator=torch.Generator().manual_seed(3))
    h, found = x, []
    for layer in model.encoder:
        if isinstance(layer, nn.Linear):
            h = h @ layer.weight.T
        elif isinstance(layer, nn.BatchNorm1d):
            h = h * layer.weight / torch.sqrt(layer.running_var + layer.eps)
        elif isinstance(layer, nn.ReLU):
            found.append(h)
    for path, expected in zip(paths, found):
        assert torch.allclose(x @ path.T, expected.detach(), atol=1e-5)
    assert torch.equal(paths[0], model.encoder[1].weight.detach())


def test_a_unit_view_lists_its_strongest_digits_in_order(atlas):
    for layer, unit in [(1, 0), (2, 5), (3, 5)]:
        view = U.unit_view(atlas, layer, unit)
        acts = atlas.activations[layer - 1][:, unit]
        if view.mean_top is None:
            assert (acts == 0).all()
            continue
        assert view.top_values == sorted(view.top_values, reverse=True)
        assert view.top_values[0] == pytest.approx(float(acts.max()))
        assert len(view.top_images) <= U.SHOWN
        assert f"{100 * view.purity:.0f}% are {view.favourite}s" in view.sentence
        strongest = atlas.strongest(layer, unit, U.strongest_count(len(acts)))
        counts = torch.bincount(atlas.labels[strongest], minlength=10)
        assert view.purity == pytest.approx(float(counts.max()) / len(strongest))
        assert view.weights.shape == (28, 28)


def test_a_dead_unit_says_it_responds_to_nothing(model):
    images, labels = _data()
    dead = DeepAutoencoder(hidden_sizes=(24, 12), latent_dim=6, dropout=0.0)
    dead.load_state_dict(model.state_dict())
    with torch.no_grad():
        dead.encoder[1].weight[3] = -1.0  # unit 3 of layer 1 never fires on images ≥ 0
        dead.encoder[1].bias[3] = -1.0
    atlas = U.UnitAtlas.measure(dead.eval(), images, labels)
    view = U.unit_view(atlas, 1, 3)
    assert view.mean_top is None and "responds to nothing" in view.sentence
    assert 3 not in U.frame_units(atlas, 1)
    assert U.digit_selectivity(atlas)[0]["dead"] >= 1
    assert "responds to nothing" in U.view_html(view)


def test_selectivity_is_one_for_a_unit_that_answers_one_digit():
    labels = torch.arange(100) % 10
    acts = torch.stack([(labels == 7).float() * torch.linspace(1, 2, 100),
                        torch.rand(100, generator=torch.Generator().manual_seed(0))], dim=1)
    order = [torch.argsort(acts.T, dim=1, descending=True, stable=True)]
    atlas = U.UnitAtlas(torch.zeros(100, 1, 28, 28), labels, [acts], order,
                        [torch.zeros(2, 784)])
    view = U.unit_view(atlas, 1, 0)
    assert view.purity == 1.0 and view.favourite == 7
    row = U.digit_selectivity(atlas)[0]
    assert row["dead"] == 0 and 0.5 < row["purity"] < 1.0
    yardstick = U.pixel_selectivity(*_data())
    assert 0.0 < yardstick <= 1.0


@pytest.fixture(scope="module")
def explorer(atlas):
    return U.unit_explorer(atlas, frame_layers=(1, 3), frames_per_layer=4)


def test_every_control_shows_what_the_pure_function_computes(atlas, explorer):
    layer_menu, unit_slider = explorer.controls["layer"], explorer.controls["unit"]
    live = explorer.displays["view"]
    seen = set()
    for layer, width in enumerate(atlas.widths, start=1):
        layer_menu.value = layer
        assert unit_slider.max == width - 1
        for unit in (0, width // 2, width - 1):
            unit_slider.value = unit
            assert live.value == explorer.render(layer, unit)
            assert live.value == U.view_html(U.unit_view(atlas, layer, unit))
            seen.add(live.value)
    assert len(seen) > 5


def test_the_site_sliders_have_one_precomputed_frame_per_unit(atlas, explorer):
    for layer in (1, 3):
        slider = explorer.controls[f"layer {layer} unit"]
        stack = explorer.displays[f"layer {layer} frames"]
        assert list(slider.options) == U.frame_units(atlas, layer, 4)
        for unit, frame in zip(slider.options, stack.children):
            assert frame.value == explorer.render(layer, unit)
            assert 'alt="' in frame.value
    for name in ("layer", "unit"):
        assert "course-needs-kernel" in explorer.controls[name]._dom_classes
    note = explorer.children[0].value
    assert "<b>layer 1 unit</b>" in note and "need a running kernel" in note


def test_a_unit_that_does_not_exist_gives_a_message(explorer):
    for layer, unit in [(1, 24), (3, 6), (0, 0), (4, 0), (2, -1)]:
        message = explorer.render(layer, unit)
        assert 'role="status"' in message and "Traceback" not in message
    assert "layer 3 has 6 units, numbered 0 to 5" in explorer.render(3, 6)
    with pytest.raises(ValueError, match="no layer 9"):
        U.unit_explorer(explorer.atlas, frame_layers=(9,))
