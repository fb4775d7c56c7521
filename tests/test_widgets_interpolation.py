"""Lesson 07's interpolation explorer: blends in pixels and in code space, every control."""

from __future__ import annotations

import re

import pytest
import torch

pytestmark = pytest.mark.filterwarnings("ignore:TF32 acceleration:UserWarning")

from course_utils.latent import interpolate
from course_utils.models import FCAutoencoder, FlatConvAutoencoder
from course_utils.widgets import interpolation as I


def _setup():
    torch.manual_seed(0)
    models = {"FC": FCAutoencoder(hidden_sizes=(32, 8)).eval(),
              "compact code": FlatConvAutoencoder(4, channels=(4, 8)).eval()}
    images = torch.rand(4, 1, 28, 28)
    return models, images, [1, 7, 3, 9]


def test_blends_are_the_pixel_crossfade_and_the_decoded_code_line() -> None:
    models, images, _ = _setup()
    codes = I.codes_of(models, images)
    rows = I.blend_images(models, codes, images, 0, 1, I.T_VALUES)
    assert list(rows) == ["pixel blend", "FC", "compact code"]
    assert torch.allclose(rows["pixel blend"], interpolate(images[0], images[1], 9))
    for name, model in models.items():
        with torch.no_grad():
            expected = model.decode(interpolate(codes[name][0], codes[name][1], 9))
        assert torch.allclose(rows[name], expected.clamp(0, 1), atol=1e-6)
        assert rows[name].shape == (9, 1, 28, 28)
    assert torch.equal(rows["pixel blend"][0], images[0])  # t = 0 is digit a itself


def test_a_frame_names_t_the_pair_and_every_row_in_its_alt_text() -> None:
    models, images, _ = _setup()
    rows = I.blend_images(models, I.codes_of(models, images), images, 0, 1, (0.0, 0.5, 1.0))
    text = I.blend_html(rows, 1, 0.5, "1", "7")
    alts = re.findall(r'alt="([^"]*)"', text)
    assert alts == ["from 1 to 7 at t = 0.5: the two images cross-faded pixel by pixel",
                    "from 1 to 7 at t = 0.5: FC: the blended code decoded",
                    "from 1 to 7 at t = 0.5: compact code: the blended code decoded"]


def test_the_explorer_follows_every_control_and_matches_the_pure_functions() -> None:
    models, images, labels = _setup()
    box = I.interpolation_explorer(models, images, labels, start=1, end=7)
    t, a, b = box.controls["t"], box.controls["from"], box.controls["to"]
    frames = box.displays["frames"]
    assert list(t.options) == list(I.T_VALUES) and (a.value, b.value) == ("1", "7")
    assert "course-needs-kernel" in a._dom_classes and "course-needs-kernel" in b._dom_classes
    codes = I.codes_of(models, images)

    def expected(i: int, j: int) -> list[str]:
        rows = I.blend_images(models, codes, images, i, j, I.T_VALUES)
        return [I.blend_html(rows, k, v, box.names[i], box.names[j])
                for k, v in enumerate(I.T_VALUES)]

    assert [frame.value for frame in frames.children] == expected(0, 1)
    for index in (0, len(I.T_VALUES) // 2, len(I.T_VALUES) - 1):
        t.index = index
        assert frames.selected_index == index
    seen = set()
    for control, values in ((a, ["1", "3", "9"]), (b, ["1", "3", "9"])):
        for value in values:
            control.value = value
            i, j = box.names.index(a.value), box.names.index(b.value)
            assert [frame.value for frame in frames.children] == expected(i, j)
            seen.add(frames.children[4].value)
    assert len(seen) >= 4


def test_the_same_digit_at_both_ends_gives_a_message_not_a_traceback() -> None:
    models, images, labels = _setup()
    box = I.interpolation_explorer(models, images, labels)
    box.controls["to"].value = box.controls["from"].value
    assert "Pick two different digits" in box.displays["status"].value
    assert "Traceback" not in box.displays["status"].value
    with pytest.raises(ValueError, match="at least two images"):
        I.interpolation_explorer(models, images[:1], labels[:1])


def test_saved_frames_stay_small() -> None:
    models, images, labels = _setup()
    box = I.interpolation_explorer(models, images, labels)
    assert sum(len(frame.value) for frame in box.displays["frames"].children) < 150_000
