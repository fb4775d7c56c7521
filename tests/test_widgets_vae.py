"""Lesson 10's explorers: a point of a 2-D VAE's code space, and a traversal of one dimension."""

from __future__ import annotations

import math
import re

import pytest
import torch

pytestmark = pytest.mark.filterwarnings("ignore:TF32 acceleration:UserWarning")

from course_utils.models import ConvVAE
from course_utils.widgets import vae as V


def _codes(n: int = 40) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Codes in four clusters (digits 0–3), their labels and some images."""
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(n) % 4
    centres = torch.tensor([[-2.0, 0.0], [2.0, 0.0], [0.0, 1.5], [0.0, -1.0]])
    codes = centres[labels] + 0.2 * torch.randn(n, 2, generator=generator)
    return codes, labels, torch.rand(n, 1, 28, 28, generator=generator)


def _model(latent: int = 2) -> ConvVAE:
    torch.manual_seed(0)
    return ConvVAE(latent, channels=(4, 8)).eval()


# --------------------------------------------------------------------------- pure functions


def test_the_map_is_drawn_once_as_a_small_png_covering_exactly_its_range() -> None:
    codes, labels, _ = _codes()
    data = V.latent_map(codes, labels, limit=3.0, size=120)
    assert data.limit == 3.0 and data.size == 120
    assert 0 < len(data.png) < 20_000
    svg = V.map_svg(data, (0.0, 0.0), title="a map")
    assert svg.count("data:image/png;base64,") == 1 and "<title>a map</title>" in svg
    with pytest.raises(ValueError, match="N×2"):
        V.latent_map(torch.zeros(5, 3), [0] * 5)
    with pytest.raises(ValueError, match="one label per code"):
        V.latent_map(codes, labels[:-1])


def _ring(svg: str) -> tuple[float, float]:
    x, y = re.findall(r'<circle cx="([-\d.]+)" cy="([-\d.]+)" r="7"', svg)[-1]
    return float(x), float(y)


def test_the_ring_sits_where_the_code_is_and_stays_on_the_map_when_outside() -> None:
    codes, labels, _ = _codes()
    data = V.latent_map(codes, labels, limit=4.0, size=200)
    centre, right, top = (_ring(V.map_svg(data, z, title="t"))
                          for z in ((0, 0), (4, 0), (0, 4)))
    assert right[0] - centre[0] == pytest.approx(100) and right[1] == centre[1]
    assert centre[1] - top[1] == pytest.approx(100) and top[0] == centre[0]
    outside = V.map_svg(data, (9.0, 0.0), title="t")
    assert _ring(outside) == right and 'stroke-dasharray="3 2"' in outside
    assert 'stroke-dasharray="3 2"' not in V.map_svg(data, (1.0, 0.0), title="t")


def test_prior_mass_is_the_two_dimensional_chi_square() -> None:
    assert V.prior_mass_within(0.0) == 0.0
    assert V.prior_mass_within(1.0) == pytest.approx(0.3935, abs=1e-4)
    assert V.prior_mass_within(3.0) == pytest.approx(0.9889, abs=1e-4)
    sample = torch.randn(200_000, 2, generator=torch.Generator().manual_seed(0))
    assert float((sample.norm(dim=1) < 2).float().mean()) == pytest.approx(
        V.prior_mass_within(2.0), abs=0.005)


def test_a_point_decodes_like_the_model_and_finds_the_nearest_code() -> None:
    codes, labels, _ = _codes()
    model = _model()
    data = V.latent_map(codes, labels)
    view = V.point_view(model, data, (codes[5, 0].item(), codes[5, 1].item()))
    assert view.nearest == 5 and view.nearest_label == int(labels[5]) and view.distance < 1e-6
    with torch.no_grad():
        assert torch.allclose(view.image, model.decode(codes[5:6])[0], atol=1e-6)
    assert "No test code" not in view.sentence()
    far = V.point_view(model, data, (3.9, 3.9))
    assert far.distance > 0.5 and "No test code lies within 0.5" in far.sentence()
    assert far.prior_mass == pytest.approx(1 - math.exp(-(2 * 3.9 ** 2) / 2))
    for bad in ((1.0,), (math.nan, 0.0)):
        with pytest.raises(ValueError, match="two finite numbers"):
            V.point_view(model, data, bad)


def test_the_site_path_joins_the_two_farthest_digit_means() -> None:
    codes, labels, _ = _codes()
    data = V.latent_map(codes, labels)
    assert V.farthest_classes(data) == (0, 1)  # the clusters at −2 and +2 on z[0]
    means = V.class_means(data)
    path = V.straight_path(means[0], means[1], 11)
    assert path.shape == (11, 2)
    assert torch.allclose(path[0], means[0]) and torch.allclose(path[-1], means[1])
    assert torch.allclose(path[5], (means[0] + means[1]) / 2, atol=1e-6)
    with pytest.raises(ValueError, match="at least two points"):
        V.straight_path(means[0], means[1], 1)


def test_a_traversal_changes_one_dimension_and_measures_the_change() -> None:
    model = _model(6)
    base = torch.randn(6, generator=torch.Generator().manual_seed(1))
    kl = torch.tensor([0.5, 2.0, 0.1, 1.0, 0.0, 3.0])
    view = V.traversal_view(model, base, kl, 1, 2.5)
    changed = base.clone()
    changed[1] = 2.5
    with torch.no_grad():
        assert torch.allclose(view.image, model.decode(changed[None])[0], atol=1e-6)
        assert torch.allclose(view.start, model.decode(base[None])[0], atol=1e-6)
    assert view.change == pytest.approx(float((view.image - view.start).pow(2).mean()))
    assert view.kl == 2.0 and "z[1] (mean KL 2.00 nats) set to +2.50" in view.sentence()
    assert V.traversal_view(model, base, kl, 1, float(base[1])).change == pytest.approx(0.0,
                                                                                        abs=1e-9)
    grid = V.traversal_grid(model, base, [5, 1], (-1.0, 0.0, 1.0))
    assert grid.shape == (2, 3, 1, 28, 28)
    assert torch.allclose(grid[1, 2], V.traversal_view(model, base, kl, 1, 1.0).image,
                          atol=1e-6)
    for dim, value, match in ((6, 0.0, "dimensions 0 to 5"), (0, math.inf, "a number")):
        with pytest.raises(ValueError, match=match):
            V.traversal_view(model, base, kl, dim, value)


# --------------------------------------------------------------------------- the explorers


def test_the_2d_explorer_follows_both_sliders_and_matches_the_pure_functions() -> None:
    codes, labels, images = _codes()
    model = _model()
    box = V.latent_2d_explorer(model, codes, labels, images)
    z0, z1, site = box.controls["z[0]"], box.controls["z[1]"], box.controls["path (site)"]
    assert {"course-needs-kernel"} <= set(z0._dom_classes) & set(z1._dom_classes)
    assert "course-needs-kernel" not in site._dom_classes
    seen = set()
    for a, b in ((-4.0, -4.0), (0.0, 0.0), (4.0, 4.0), (-4.0, 4.0), (1.5, -0.5)):
        z0.value, z1.value = a, b
        view = V.point_view(model, box.data, (a, b))
        assert box.displays["decoded"].value == V.point_html(view, images)
        assert box.displays["map"].value == V.map_svg(
            box.data, (a, b), title=f"The test images' codes, coloured by digit, with a ring "
                                    f"at z = ({a:+.2f}, {b:+.2f})")
        seen.add(box.displays["decoded"].value)
    assert len(seen) == 5
    frames = box.displays["frames"]
    assert len(frames.children) == len(site.options) == 11
    assert len({frame.value for frame in frames.children}) == 11
    for index in (0, 5, 10):
        site.index = index
        assert frames.selected_index == index
    first = frames.children[0].value
    assert f"the mean code of the {box.ends[0]}s" in first and "<polyline" in first
    assert all('alt="' in frame.value for frame in frames.children)


def test_the_traversal_explorer_follows_every_control() -> None:
    model = _model(6)
    mu = torch.randn(3, 6, generator=torch.Generator().manual_seed(2))
    kl = torch.tensor([0.5, 2.0, 0.1, 1.0, 0.0, 3.0])
    box = V.traversal_explorer(model, mu, [7, 2, 7], kl, site_dims=3)
    start, dim, value = (box.controls[k] for k in ("start digit", "dimension", "value"))
    assert box.order == [5, 1, 3, 0, 2, 4] and dim.value == 5
    assert [label for label, _ in start.options] == ["a 7 (#0)", "a 2", "a 7 (#2)"]
    seen = set()
    for control, values in ((value, (-4.0, 0.0, 4.0)), (dim, (5, 2, 4)), (start, (0, 1, 2))):
        for v in values:
            control.value = v
            view = V.traversal_view(model, mu[start.value], kl, dim.value, value.value)
            assert box.displays["traversal"].value == V.traversal_html(view)
            seen.add(box.displays["traversal"].value)
    assert len(seen) >= 7
    frames, site = box.displays["frames"], box.controls["value (site)"]
    assert len(frames.children) == len(V.TRAVERSAL_VALUES) == len(site.options)
    assert frames.children[0].value.count("<img") == 3  # the three dimensions of largest KL
    for index in (0, 4, 8):
        site.index = index
        assert frames.selected_index == index
    assert "z[5] · KL 3.00" in frames.children[0].value


def test_bad_settings_give_a_message_not_a_traceback() -> None:
    model = _model(6)
    mu = torch.randn(3, 6)
    kl = torch.ones(6)
    box = V.traversal_explorer(model, mu, [1, 2, 3], kl)
    box.controls["dimension"].options = [("z[9]", 9)]  # a dimension the code does not have
    box.controls["dimension"].value = 9
    text = box.displays["traversal"].value
    assert "cannot be shown" in text and "dimensions 0 to 5" in text and "Traceback" not in text
    with pytest.raises(ValueError, match="one KL per dimension"):
        V.traversal_explorer(model, mu, [1, 2, 3], torch.ones(4))
    codes, labels, images = _codes()
    with pytest.raises(ValueError, match="one image per code"):
        V.latent_2d_explorer(_model(), codes, labels, images[:3])


def test_saved_frames_stay_small() -> None:
    codes, labels, images = _codes()
    box = V.latent_2d_explorer(_model(), codes, labels, images)
    assert sum(len(f.value) for f in box.displays["frames"].children) < 250_000
    box = V.traversal_explorer(_model(6), torch.randn(2, 6), [1, 2], torch.ones(6))
    assert sum(len(f.value) for f in box.displays["frames"].children) < 100_000
