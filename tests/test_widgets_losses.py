"""Lesson 04's explorers: one pixel under three losses, and the recorded training curves."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

from course_utils.losses import reconstruction_loss
from course_utils.widgets import losses as L
from course_utils.widgets.shared import kernel_note


def _text(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", markup)


def test_bce_from_logits_equals_bce_on_the_output_until_float32_saturates():
    logits = np.arange(-10, 10.5, 0.5)
    for target in (0.0, 0.3, 1.0):
        curves = L.loss_curves(logits, target)
        on_output, from_logits = curves["BCE on σ(a)"], curves["BCE from logits"]
        assert np.allclose(on_output[0], from_logits[0], rtol=1e-4, atol=1e-6)
        assert np.allclose(on_output[1], from_logits[1], rtol=1e-3, atol=1e-6)
        p = 1 / (1 + np.exp(-logits))
        assert np.allclose(from_logits[1], p - target, atol=1e-6)
        assert np.allclose(curves["MSE on σ(a)"][1], 2 * (p - target) * p * (1 - p), atol=1e-6)


def test_a_saturated_output_has_no_bce_gradient_but_the_logits_do():
    for logit in (17, 20, 30):
        point = L.loss_point(logit, 0.0)
        assert point.probability == 1.0 and point.saturated
        assert point.gradients["BCE on σ(a)"] == 0.0
        assert point.gradients["MSE on σ(a)"] == 0.0
        assert point.gradients["BCE from logits"] == pytest.approx(1.0)
        assert point.values["BCE on σ(a)"] == pytest.approx(100.0)  # PyTorch's bound on −log
        assert point.values["BCE from logits"] == pytest.approx(logit, rel=1e-6)
    bounded = L.loss_point(-30, 1.0)  # σ(a) ≈ 9e-14, below PyTorch's 1e-12 bound
    assert not bounded.saturated
    assert abs(bounded.gradients["BCE on σ(a)"]) < 0.2
    assert bounded.gradients["BCE from logits"] == pytest.approx(-1.0)
    assert "within 1e-12 of 0" in bounded.sentence()


def test_a_point_is_what_the_course_losses_compute():
    for logit, target in [(-3.0, 1.0), (0.5, 0.25), (6.0, 0.0)]:
        point = L.loss_point(logit, target)
        a = torch.full((1, 1, 1, 1), logit)
        x = torch.full((1, 1, 1, 1), target)
        assert point.values["BCE from logits"] == pytest.approx(
            float(reconstruction_loss(a, x, "bce", logits=True)), rel=1e-6)
        assert point.values["BCE on σ(a)"] == pytest.approx(
            float(reconstruction_loss(torch.sigmoid(a), x, "bce")), rel=1e-6)
        assert point.values["MSE on σ(a)"] == pytest.approx(
            float(reconstruction_loss(a, x, "mse", logits=True)), rel=1e-6)


@pytest.mark.parametrize("logit, target", [(20, 0.0), (-30, 1.0), (-5, 1.0), (0, 0.5), (5, 0.5),
                                           (17, 1.0), (np.int64(10), np.float32(0.0)),
                                           (torch.tensor(-15), 1)])
def test_every_sentence_agrees_with_its_numbers(logit, target):
    point = L.loss_point(logit, target)
    sentence = point.sentence()
    assert f"σ({float(logit):g})" in sentence
    if point.saturated and abs(point.probability - point.target) >= 1e-3:
        assert "rounds to exactly" in sentence and "cannot move it" in sentence
    if "agree" in sentence:
        assert point.gradients["BCE on σ(a)"] == pytest.approx(
            point.gradients["BCE from logits"], rel=0.01)
    if "shrinks it" in sentence:
        assert abs(point.gradients["MSE on σ(a)"]) < 0.1 * abs(point.gradients["BCE from logits"])
    if "the pixel is right" in sentence:
        assert abs(point.probability - point.target) < 1e-3


@pytest.mark.parametrize("logit, target", [(0, 1.5), (0, -0.1), (math.nan, 0), (0, "ink"),
                                           (True, 0), (torch.zeros(2), 0), (math.inf, 1)])
def test_bad_inputs_get_a_value_error_that_names_them(logit, target):
    with pytest.raises(ValueError, match="target|logit"):
        L.loss_point(logit, target)


def test_loss_explorer_frames_equal_the_pure_function_at_every_end_and_the_middle():
    box = L.loss_explorer()
    assert set(box.controls) == {"logit a", "target pixel x"}
    logit, target = box.controls["logit a"], box.controls["target pixel x"]
    assert len(logit.options) == 13 and len(target.options) == 3
    assert "course-kernel-note" in box.children[0].value
    seen = set()
    for t_index in (0, 1, len(target.options) - 1):
        target.index = t_index
        for l_index in (0, len(logit.options) // 2, len(logit.options) - 1):
            logit.index = l_index
            shown = L.shown_frame(box)
            assert shown == box.frame(logit.value, target.value)
            assert f"a = {logit.value:g}," in _text(shown)
            assert 'alt="' in shown
            seen.add(shown)
    assert len(seen) == 9  # every setting shows something different


def test_loss_explorer_saved_state_stays_small():
    box = L.loss_explorer()
    total = sum(len(frame.value) for stack in box.displays["by target"].values()
                for frame in stack.children)
    assert total < 400_000, total


CURVES = {"Adam": [0.05, 0.035, 0.03], "BatchNorm off": [0.066, 0.06, 0.056],
          "Dropout": [0.07, 0.055, 0.05]}


def test_training_curves_toggle_each_curve():
    box = L.training_curves_explorer(CURVES, baselines={"PCA-32": 0.0155})
    assert set(box.controls) == {"compare", *CURVES}
    display = box.displays["curves"]
    everything = display.value
    assert everything == box.render(CURVES)
    assert everything.count("%3Cpolyline") == 3
    box.controls["Dropout"].value = False
    assert display.value != everything and display.value == box.render(["Adam", "BatchNorm off"])
    assert display.value.count("%3Cpolyline") == 2
    for name in CURVES:
        box.controls[name].value = False
    assert "No training curve is selected" in display.value
    box.controls["Adam"].value = True
    assert display.value == box.render(["Adam"])
    assert all("course-needs-kernel" in box.controls[n]._dom_classes for n in CURVES)


def test_training_curves_presets_are_frames_that_work_on_the_site():
    groups = {"every run": list(CURVES), "BatchNorm": ["Adam", "BatchNorm off"],
              "Dropout": ["Adam", "Dropout"]}
    box = L.training_curves_explorer(CURVES, groups=groups)
    view, frames = box.controls["compare"], box.displays["frames"]
    assert list(view.options) == list(groups)
    seen = set()
    for index in (0, 1, len(groups) - 1):  # both ends and the middle
        view.index = index
        shown = frames.children[index].value
        assert shown == box.render(groups[view.value])
        assert shown.count("%3Cpolyline") == len(groups[view.value])
        seen.add(shown)
    assert len(seen) == 3
    assert "course-needs-kernel" not in view._dom_classes
    with pytest.raises(ValueError, match="unknown curves"):
        L.training_curves_explorer(CURVES, groups={"odd": ["Adam", "SGD"]})


def test_curves_svg_refuses_what_it_cannot_draw():
    with pytest.raises(ValueError, match="no curve named"):
        L.curves_svg(CURVES, ["SGD"])
    with pytest.raises(ValueError, match="positive"):
        L.curves_svg({"broken": [math.nan, 0.0]})
    with pytest.raises(ValueError, match="at least one curve"):
        L.training_curves_explorer({})
    svg = L.curves_svg({"diverged": [0.05, math.nan, 0.04]})
    assert svg.startswith("<svg") and "nan" not in svg


def test_the_site_notes_read_as_sentences():
    """Each note names the controls and agrees with them: one control "works", several "work"."""
    assert "<b>compare</b> works as you read" in kernel_note(["compare"])
    assert "<b>a</b> and <b>b</b> work as you read" in kernel_note(["a", "b"])
    assert "<b>a</b> and <b>b</b> need a running kernel" in kernel_note(["x"], ["a", "b"])
    note = re.sub("<[^>]+>", "", L.training_curves_explorer(CURVES).children[0].value)
    assert "compare works as you read; each curve&#x27;s checkbox needs a running kernel" in note
    with pytest.raises(ValueError, match="at least one control"):
        kernel_note([])
