"""The code-size explorer (lesson 02): PCA at any code size beside trained autoencoders.

The pure pieces are checked against the course's own PCA (``pca_baseline``), and the
explorer is driven through its controls: every display must equal what the pure
functions compute for that setting, and an impossible setting must give a message.
"""

from __future__ import annotations

import re

import pytest
import torch

from course_utils.config import seed_everything
from course_utils.metrics import pca_baseline
from course_utils.models import FlatConvAutoencoder
from course_utils.widgets import code_size as cs

pytestmark = pytest.mark.filterwarnings("ignore:TF32 acceleration:UserWarning")


def _digits(n: int, seed: int) -> torch.Tensor:
    """Blurry strokes in [0, 1] with a blank border, so clipping and PCA both matter."""
    g = torch.Generator().manual_seed(seed)
    images = torch.zeros(n, 1, 28, 28)
    centres = torch.randint(8, 20, (n, 2), generator=g)
    rows = torch.arange(28).view(1, 28, 1)
    cols = torch.arange(28).view(1, 1, 28)
    r, c = centres[:, 0].view(n, 1, 1), centres[:, 1].view(n, 1, 1)
    width = 2 + 3 * torch.rand(n, 1, 1, generator=g)
    ring = (((rows - r) ** 2 + (cols - c) ** 2).float().sqrt() - width).abs()
    images[:, 0] = (1.5 - ring).clamp(0, 1)
    images[:, :, :3] = 0
    images[:, :, -3:] = 0
    return images


@pytest.fixture(scope="module")
def data() -> dict:
    train, test = _digits(900, 0), _digits(120, 1)
    basis = cs.PCABasis.fit(train, test)
    shown = test[:6]
    seed_everything(0)
    point = cs.autoencoder_point("tiny flat code", FlatConvAutoencoder(8), test, shown)
    fake = cs.AutoencoderPoint("made-up grid", 36, 0.02, shown.clone())
    return {"train": train, "test": test, "basis": basis, "shown": shown,
            "points": [point, fake]}


def test_the_basis_matches_the_course_pca_at_every_size_it_is_asked(data):
    basis, train, test = data["basis"], data["train"], data["test"]
    from sklearn.decomposition import PCA

    for k in (1, 8, 32, 100):
        exact = PCA(n_components=k, svd_solver="full").fit(train.flatten(1).numpy())
        rebuilt = exact.inverse_transform(exact.transform(test.flatten(1).numpy()))
        exact_mse = float(((torch.as_tensor(rebuilt).clamp(0, 1) - test.flatten(1)) ** 2).mean())
        assert basis.test_mse(k) == pytest.approx(exact_mse, rel=1e-3)
        assert basis.variance_kept(k) == pytest.approx(exact.explained_variance_ratio_.sum(),
                                                       rel=1e-4)
        # the course's pca_baseline (a randomized solver for small k) agrees closely too
        assert basis.test_mse(k) == pytest.approx(pca_baseline(train, k).mse(test), rel=1e-2)
    assert basis.variance_kept(784) == pytest.approx(1.0)
    kept = [basis.variance_kept(k) for k in range(1, 785, 50)]
    assert kept == sorted(kept)
    assert basis.components_for(0.9) == min(k for k in range(1, 785)
                                            if basis.variance_kept(k) >= 0.9)


def test_the_curve_adds_components_block_by_block_to_the_same_errors(data):
    basis = data["basis"]
    sizes = [1, 2, 5, 32, 36, 200, 784]
    assert basis.curve(sizes) == pytest.approx([basis.test_mse(k) for k in sizes], rel=1e-4,
                                               abs=1e-9)
    assert basis.curve([36, 1]) == pytest.approx([basis.test_mse(36), basis.test_mse(1)],
                                                 rel=1e-4)
    errors = basis.curve(cs.curve_sizes(784))
    assert errors[0] > errors[-1]


def test_keeping_every_component_rebuilds_the_digit(data):
    basis, test = data["basis"], data["test"]
    rebuilt = basis.reconstruct(basis.project(test[:4]), 784)
    assert torch.allclose(rebuilt, test[:4], atol=1e-4)
    assert basis.test_mse(784) < 1e-8


def test_the_view_says_what_it_shows_with_its_numbers(data):
    basis, shown, points = data["basis"], data["shown"], data["points"]
    view = cs.code_size_view(basis, 10, basis.project(shown), points)
    assert view.k == 10 and view.nearest.name == "tiny flat code"  # 8 is nearest to 10
    assert f"{100 * basis.variance_kept(10):.1f}%" in view.sentence
    view = cs.code_size_view(basis, 32, basis.project(shown), points)
    assert f"{100 * basis.variance_kept(32):.1f}%" in view.sentence
    assert view.reconstructions.shape == shown.shape
    near_36 = cs.code_size_view(basis, 40, basis.project(shown), points)
    assert near_36.nearest.name == "made-up grid" and "36 numbers" in near_36.sentence
    factor = max(0.02, basis.test_mse(36)) / min(0.02, basis.test_mse(36))
    assert f"{factor:,.1f}×" in near_36.sentence
    with pytest.raises(ValueError, match="between 1 and 784"):
        cs.code_size_view(basis, 0, basis.project(shown), points)


def test_the_curve_marks_the_current_point_and_names_every_autoencoder(data):
    basis, points = data["basis"], data["points"]
    sizes = cs.curve_sizes(784, [p.code_size for p in points])
    svg = cs.curve_svg(sizes, basis.curve(sizes), (32, basis.test_mse(32)), points)
    assert svg.count("<circle") == 2 and svg.count("<rect x=") == len(points)
    for p in points:
        assert f"{p.name} ({p.code_size})" in svg
    low = cs.curve_svg(sizes, basis.curve(sizes), (784, basis.test_mse(784)), points)
    assert "<circle" in low  # an error of 0 is drawn at the floor, not lost


@pytest.fixture(scope="module")
def explorer(data):
    return cs.code_size_explorer(data["basis"], data["shown"], data["points"])


def test_the_live_slider_shows_exactly_what_the_pure_function_computes(data, explorer):
    basis, shown, points = data["basis"], data["shown"], data["points"]
    slider, view = explorer.controls["components"], explorer.displays["view"]
    seen = set()
    for k in (1, 392, 784, 32):
        slider.value = k
        assert view.value == explorer.render(k)
        expected = cs.code_size_view(basis, k, basis.project(shown), points)
        assert expected.sentence.replace("'", "&#x27;") in view.value
        assert re.search(rf"alt=\"[^\"]*{k} component", view.value)
        seen.add(view.value)
    assert len(seen) == 4  # every setting shows something different


def test_the_site_slider_has_one_precomputed_frame_per_code_size(explorer):
    preset, stack = explorer.controls["code size"], explorer.displays["frames"]
    assert list(preset.options) == list(cs.FRAME_SIZES)
    assert len(stack.children) == len(cs.FRAME_SIZES)
    for k, frame in zip(cs.FRAME_SIZES, stack.children):
        assert frame.value == explorer.render(k)
    assert stack.selected_index == preset.index
    assert "course-needs-kernel" in explorer.controls["components"]._dom_classes
    note = explorer.children[0].value
    assert "<b>code size</b> works" in note and "<b>components</b> needs" in note


def test_an_impossible_size_gives_a_message_not_a_traceback(explorer):
    for k in (0, 785, -3):
        message = explorer.render(k)
        assert 'role="status"' in message and "between 1 and 784" in message
        assert "Traceback" not in message


def test_frame_sizes_beyond_the_pixels_are_left_out():
    small = cs.PCABasis.fit(_digits(50, 2)[:, :, :8, :8], _digits(10, 3)[:, :, :8, :8])
    box = cs.code_size_explorer(small, _digits(3, 4)[:, :, :8, :8], [], frame_sizes=(1, 8, 64, 128))
    assert list(box.controls["code size"].options) == [1, 8, 64]
    assert box.controls["components"].max == 64
    with pytest.raises(ValueError, match="no frame size"):
        cs.code_size_explorer(small, _digits(3, 4)[:, :, :8, :8], [], frame_sizes=(100,))
