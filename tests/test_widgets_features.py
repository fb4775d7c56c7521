"""Lesson 07's feature-map explorer: precomputed maps, every control, the site's frames."""

from __future__ import annotations

import re

import pytest
import torch

pytestmark = pytest.mark.filterwarnings("ignore:TF32 acceleration:UserWarning")

from course_utils.latent import encoder_outputs
from course_utils.models import DeepConvAutoencoder
from course_utils.widgets import features as F


def _setup(count: int = 4):
    torch.manual_seed(0)
    images = torch.rand(count, 1, 28, 28)
    labels = [3, 1, 4, 1][:count]
    return DeepConvAutoencoder(latent_channels=8), images, labels


def test_stage_maps_are_the_encoder_outputs_labelled_by_shape() -> None:
    model, images, _ = _setup()
    stages = F.stage_maps(model, images)
    assert list(stages) == ["16×14×14", "32×7×7", "8×3×3"]
    for (label, maps), expected in zip(stages.items(), encoder_outputs(model, images).values()):
        assert torch.equal(maps, expected)


def test_every_map_has_alt_text_with_its_range_and_a_constant_map_says_so() -> None:
    maps = torch.zeros(3, 7, 7)
    maps[1] = torch.arange(49.0).view(7, 7)
    text = F.maps_html(maps, digit="7", stage="3×7×7")
    alts = re.findall(r'alt="([^"]*)"', text)
    assert len(alts) == 3
    assert alts[0] == "digit 7, stage 3×7×7, channel 0: constant at 0.00"
    assert alts[1] == "digit 7, stage 3×7×7, channel 1: from 0.00 (dark) to 48.00 (bright)"
    assert len(re.findall(r"<img", F.maps_html(maps, digit="7", stage="s", channels=2))) == 2


def test_the_explorer_follows_every_control_and_matches_the_pure_functions() -> None:
    model, images, labels = _setup()
    box = F.feature_explorer(model, images, labels, digit=4)
    digit, stage = box.controls["digit"], box.controls["stage"]
    frames, shown = box.displays["frames"], box.displays["stage maps"]
    assert list(digit.options) == ["3", "1 (#1)", "4", "1 (#3)"] and digit.value == "4"
    assert "course-needs-kernel" in stage._dom_classes
    stages = F.stage_maps(model, images)
    for i, frame in enumerate(frames.children):  # one precomputed frame per digit
        assert frame.value == F.digit_frame(images[i], {s: m[i] for s, m in stages.items()},
                                            box.names[i])
    assert len({frame.value for frame in frames.children}) == len(labels)
    seen = set()
    for index in (0, len(labels) // 2, len(labels) - 1):
        digit.index = index
        for label in list(stage.options)[1:]:
            stage.value = label
            assert shown.value.endswith(F.maps_html(stages[label][index], digit=box.names[index],
                                                    stage=label))
            assert f"all {stages[label].shape[1]} channels" in shown.value
            seen.add(shown.value)
    assert len(seen) == 3 * 3
    stage.value = "(none)"
    assert "Pick a stage" in shown.value


def test_bad_input_is_refused_with_a_message() -> None:
    model, images, labels = _setup()
    with pytest.raises(ValueError, match="one label per image"):
        F.feature_explorer(model, images, labels[:2])


def test_one_per_digit_picks_the_first_of_each() -> None:
    labels = torch.tensor([5, 0, 5, 1, 0])
    assert F.one_per_digit(labels) == [1, 3, 0]


def test_saved_frames_stay_small() -> None:
    """Ten digits of real-looking strokes: the frames stay well under the page's budget."""
    model = DeepConvAutoencoder()
    images = torch.zeros(10, 1, 28, 28)
    for i in range(10):
        images[i, 0, 4 + i: 20 + i // 2, 10:14] = 1.0  # a bar, a different one per digit
    box = F.feature_explorer(model, images, list(range(10)))
    size = sum(len(frame.value) for frame in box.displays["frames"].children)
    assert size < 250_000, size
