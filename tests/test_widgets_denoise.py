"""Lesson 08's explorers: the pure functions, and the widgets wired to them.

Small data and untrained models: what is tested is that every control reaches the display,
that the display equals what the pure function computes, and that an impossible setting
gives a message instead of a traceback.
"""

from __future__ import annotations

import html
import re

import pytest
import torch

pytestmark = pytest.mark.filterwarnings("ignore:TF32 acceleration:UserWarning")

from course_utils.applications import box_mask_at, fixed_noise, masked_mse_per_image
from course_utils.filters import median_filter
from course_utils.metrics import pca_baseline, psnr_per_image, ssim_per_image
from course_utils.models import DeepConvAutoencoder
from course_utils.widgets import denoise as D

LEVELS = {"Gaussian": [0.1, 0.3, 0.5], "salt & pepper": [0.05, 0.3]}


def _digits(n: int, seed: int = 0) -> torch.Tensor:
    """Blobs of ink on a black background, digit-like enough for the pictures."""
    g = torch.Generator().manual_seed(seed)
    images = (torch.rand(n, 1, 28, 28, generator=g) > 0.8).float()
    return torch.nn.functional.avg_pool2d(images, 3, 1, 1).clamp(0, 1)


@pytest.fixture(scope="module")
def noise_data() -> D.NoiseData:
    torch.manual_seed(0)
    model = DeepConvAutoencoder(latent_channels=8).eval()
    pca = pca_baseline(_digits(300, seed=1), 256)
    tuned = {(kind, level): {"blur": 0.75, "median": 3, "PCA": 64}
             for kind, levels in LEVELS.items() for level in levels}
    return D.prepare_noise(_digits(12), {"Gaussian": model, "salt & pepper": model}, LEVELS,
                           pca, tuned)


@pytest.fixture(scope="module")
def hole_model() -> torch.nn.Module:
    torch.manual_seed(0)
    return DeepConvAutoencoder(latent_channels=8).eval()


def _text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", value))


# --------------------------------------------------------------------------- pure functions


def test_noise_view_scores_the_method_output_against_the_clean_digits(noise_data) -> None:
    view = D.noise_view(noise_data, "salt & pepper", 0.3, "median filter", 5)
    noisy = fixed_noise("salt & pepper", noise_data.clean, 0.3)
    expected = median_filter(noisy, 5)
    assert torch.equal(view.noisy, noisy) and torch.allclose(view.output, expected)
    assert view.psnr_output == pytest.approx(float(psnr_per_image(expected,
                                                                  noise_data.clean).mean()))
    assert view.ssim_output == pytest.approx(float(ssim_per_image(expected,
                                                                  noise_data.clean).mean()))
    assert view.gain == pytest.approx(view.psnr_output - view.psnr_noisy)
    assert view.tuned == 3 and "Tuned on training images at this level: median 3×3" in \
        view.sentence()


def test_the_autoencoder_output_is_the_precomputed_one(noise_data) -> None:
    view = D.noise_view(noise_data, "Gaussian", 0.5, D.AUTOENCODER, "trained")
    assert view.output is noise_data.model_out["Gaussian", 0.5]
    assert view.tuned is None and "Tuned" not in view.sentence()


@pytest.mark.parametrize("kind, level, method, strength, words", [
    ("speckle", 0.1, "median filter", 3, "unknown noise kind"),
    ("Gaussian", 0.7, "median filter", 3, "precomputed at"),
    ("Gaussian", 0.1, "bilateral filter", 3, "unknown method"),
    ("Gaussian", 0.1, "median filter", 4, "has no strength"),
    ("Gaussian", 0.1, "PCA projection", 1000, "has no strength"),
])
def test_impossible_settings_raise_a_plain_value_error(noise_data, kind, level, method,
                                                       strength, words) -> None:
    with pytest.raises(ValueError, match=words):
        D.noise_view(noise_data, kind, level, method, strength)


def test_hole_view_fills_only_the_hole_and_scores_inside_it(hole_model) -> None:
    clean = _digits(6)
    view = D.hole_view(clean, hole_model, 4, 7)
    masked, mask = box_mask_at(clean, 4, 7)
    assert view.box == (4, 7, 10, 10)
    assert torch.equal(view.masked, masked)
    outside = ~mask.bool()
    assert torch.equal(view.model_fill[outside], clean[outside])
    assert torch.equal(view.diffusion_fill[outside], clean[outside])
    assert view.mse_model == pytest.approx(float(masked_mse_per_image(view.model_fill, clean,
                                                                      mask).mean()))
    assert 0 <= view.ink_hidden <= 1
    with pytest.raises(ValueError, match="does not fit"):
        D.hole_view(clean, hole_model, 19, 0)


def test_outlines_sit_over_every_digit_in_percent() -> None:
    page = D.strip_html(_digits(4), 4, "four digits", box=(2, 3, 10, 10))
    assert page.count("outline:2px solid #e69f00") == 4
    assert 'alt="four digits"' in page
    lefts = [float(x) for x in re.findall(r"left:([\d.]+)%", page)]
    assert lefts == sorted(lefts) and 0 < lefts[0] < lefts[-1] < 100


# --------------------------------------------------------------------------- the noise explorer


def test_every_control_of_the_noise_explorer_reaches_the_display(noise_data) -> None:
    box = D.noise_explorer(noise_data, count=4)
    c, d = box.controls, box.displays
    assert set(c) == {"noise (site)", "noise kind", "noise level", "method", "strength"}

    def shown_view() -> D.NoiseView:
        return D.noise_view(noise_data, c["noise kind"].value, c["noise level"].value,
                            c["method"].value, c["strength"].value)

    seen = set()
    for kind in LEVELS:
        c["noise kind"].value = kind
        for method in D.METHODS:
            c["method"].value = method
            strengths = list(c["strength"].options)
            values = [v[1] if isinstance(v, tuple) else v for v in strengths]
            for strength in (values[0], values[len(values) // 2], values[-1]):
                c["strength"].value = strength
                for level in (LEVELS[kind][0], LEVELS[kind][-1]):
                    c["noise level"].value = level
                    assert _text(d["scores"].value) == shown_view().sentence()
                    seen.add(d["scores"].value + d["pictures"].value)
    assert len(seen) > 20  # the display changed with the controls
    assert d["pictures"].value.count("<img") == 3


def test_choosing_a_method_starts_at_its_tuned_strength(noise_data) -> None:
    box = D.noise_explorer(noise_data, count=4)
    box.controls["method"].value = "PCA projection"
    assert box.controls["strength"].value == 64
    box.controls["method"].value = "Gaussian blur"
    assert box.controls["strength"].value == 0.75


def test_an_impossible_setting_shows_a_message_not_a_traceback(noise_data) -> None:
    box = D.noise_explorer(noise_data, count=4)
    levels = noise_data.levels["Gaussian"]
    noise_data.levels["Gaussian"] = levels[:1]  # as if 0.5 had never been precomputed
    try:
        box.controls["noise level"].value = levels[-1]
        assert "precomputed at" in box.displays["scores"].value
        assert 'role="status"' in box.displays["scores"].value
        assert box.displays["pictures"].value == ""
    finally:
        noise_data.levels["Gaussian"] = levels


def test_the_site_frames_follow_their_slider_one_per_level(noise_data) -> None:
    box = D.noise_explorer(noise_data, count=4)
    slider, stack = box.controls["noise (site)"], box.displays["frames"]
    assert len(slider.options) == len(stack.children) == sum(map(len, LEVELS.values()))
    for frame in stack.children:
        assert frame.value.count("✓ best PSNR") == 1
        assert frame.value.count("<img") == 6 and 'alt=""' not in frame.value
    assert stack.selected_index == slider.index  # jslink keeps them together in the browser
    assert "course-needs-kernel" in box.controls["method"]._dom_classes
    assert "course-needs-kernel" not in slider._dom_classes


# --------------------------------------------------------------------------- the hole explorer


def test_every_control_of_the_hole_explorer_reaches_the_display(hole_model) -> None:
    clean = _digits(6)
    box = D.inpaint_explorer(clean, hole_model, count=3)
    top, left = box.controls["hole top row"], box.controls["hole left column"]
    seen = set()
    for t in (top.min, (top.min + top.max) // 2, top.max):
        for l in (left.min, (left.min + left.max) // 2, left.max):
            top.value, left.value = t, l
            expected = D.hole_view(clean, hole_model, t, l)
            assert _text(box.displays["scores"].value) == expected.sentence()
            assert f"row {t}, column {l}" in box.displays["pictures"].value
            seen.add(box.displays["pictures"].value)
    assert len(seen) == 9
    frames = box.displays["frames"].children
    assert len(frames) == len(box.controls["hole (site)"].options) == len(D.HOLE_POSITIONS)
    assert all(f.value.count("outline:2px solid") == 4 * 6 for f in frames)
