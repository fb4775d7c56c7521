"""Lesson 01's shift explorer: equivariance measured exactly, and every control driven."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
import torch

from course_utils.config import seed_everything
from course_utils.models import SimpleConvAutoencoder
from course_utils.widgets import shift as S
from course_utils.widgets.shared import png_bytes

ipywidgets = pytest.importorskip("ipywidgets")


def _model() -> SimpleConvAutoencoder:
    seed_everything(0)
    return SimpleConvAutoencoder().eval()  # untrained: equivariance holds for any weights


def _digits() -> list[tuple[str, torch.Tensor]]:
    """Two blobs that reach the very edge of the 28×28 image (the hard case for a shift)."""
    generator = torch.Generator().manual_seed(1)
    a = torch.zeros(1, 28, 28)
    a[:, 6:22, 0:12] = torch.rand(1, 16, 12, generator=generator)
    b = torch.zeros(1, 28, 28)
    b[:, 4:24, 14:28] = torch.rand(1, 20, 14, generator=generator)
    return [("left blob", a), ("right blob", b)]


@pytest.mark.parametrize("shift", S.SHIFTS)
def test_feature_maps_move_with_the_digit_exactly(shift: int) -> None:
    model = _model()
    for _, image in _digits():  # even ink at the border stays whole on the canvas
        v = S.shift_view(model, image, shift, channel=3)
        assert v.equivariance_error < 1e-6
        assert np.allclose(v.feature_map, v.predicted_map, atol=1e-6)
        if shift == 0:
            assert v.image_change == v.map_change == v.pooled_change == 0
        else:
            assert v.image_change > 0.05 and v.map_change > 0.05  # moved, not invariant


def test_pooling_follows_even_shifts_by_whole_cells_and_odd_ones_not_at_all() -> None:
    model = _model()
    _, image = _digits()[0]
    for shift in S.SHIFTS:
        v = S.shift_view(model, image, shift, channel=0)
        if shift % 2 == 0:
            assert v.pooled_moved_error is not None and v.pooled_moved_error < 1e-6
        else:
            assert v.pooled_moved_error is None
            assert 0 < v.pooled_change


def test_the_moved_image_is_the_canvas_moved() -> None:
    _, image = _digits()[1]
    v = S.shift_view(_model(), image, 3, channel=0)
    canvas = S.on_canvas(image)[0].numpy()
    assert v.image.shape == (28, 28 + 2 * S.MARGIN)
    assert np.array_equal(v.image[:, 3:], canvas[:, :-3])
    assert v.image.sum() == pytest.approx(canvas.sum())  # nothing cut off, nothing wrapped


@pytest.mark.parametrize("shift, channel, message", [
    (5, 0, "pick one from -4 to 4"), (-9, 0, "past the canvas"),
    (0, 16, "16 channels: pick one from 0 to 15"), (0, -1, "pick one from 0 to 15"),
])
def test_impossible_settings_are_plain_messages(shift: int, channel: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        S.shift_view(_model(), _digits()[0][1], shift, channel)


def test_a_model_without_a_pooling_encoder_is_refused() -> None:
    with pytest.raises(ValueError, match="pooling"):
        S.split_encoder(torch.nn.Linear(3, 3))
    no_pool = torch.nn.Module()
    no_pool.encoder = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU())
    with pytest.raises(ValueError, match="ends in ReLU, not a pooling layer"):
        S.split_encoder(no_pool)


def test_the_frame_shows_five_images_with_alt_text_and_the_numbers() -> None:
    v = S.shift_view(_model(), _digits()[0][1], -2, channel=5)
    text = S.view_html(v)
    alts = re.findall(r'alt="([^"]*)"', text)
    assert len(alts) == 5 and all("moved 2 pixels left" in a for a in alts[:2])
    assert f"{100 * v.map_change:.1f}%" in text and f"{100 * v.pooled_change:.1f}%" in text
    assert "0.0% from the unmoved maps moved by -2" in text
    assert "0.0% from the unmoved pooled maps moved by -1 cell" in text
    odd = S.view_html(S.shift_view(_model(), _digits()[0][1], 1, channel=5))
    assert "an odd shift falls between pooling cells" in odd


def test_fast_png_encoding_gives_the_same_pixels() -> None:
    from PIL import Image

    image = np.random.default_rng(0).random((28, 36))
    slow, fast = (np.asarray(Image.open(io.BytesIO(png_bytes(image, cmap="viridis", optimize=o))))
                  for o in (True, False))
    assert np.array_equal(slow, fast)


def _frame_pngs(html_text: str) -> list[bytes]:
    return [base64.b64decode(d) for d in re.findall(r'base64,([^"]+)"', html_text)]


def test_the_explorer_follows_every_control_and_matches_the_pure_function() -> None:
    model, digits = _model(), _digits()
    box = S.shift_explorer(model, digits, channel=2)
    shift, channel, digit = (box.controls[k] for k in ("shift", "channel", "test digit"))
    frames = box.displays["frames"]
    assert "course-needs-kernel" in channel._dom_classes and "course-needs-kernel" in digit._dom_classes
    assert list(shift.options) == list(S.SHIFTS) and len(frames.children) == len(S.SHIFTS)
    for position, s in enumerate(S.SHIFTS):  # the saved frames: digit 1, channel 2
        assert frames.children[position].value == S.view_html(S.shift_view(model, digits[0][1], s, 2))

    def shown() -> str:
        return frames.children[shift.index].value

    def expected(s: int, c: int, name: str) -> str:
        return S.view_html(S.shift_view(model, dict(digits)[name], s, c), optimize=False)

    seen = set()
    for c in (channel.min, 8, channel.max):  # a new channel redraws the frame on view
        channel.value = c
        assert shown() == expected(shift.value, c, digit.value)
        seen.add(shown())
    for s in (-4, 1, 4):  # moving the shift draws the frames that were stale
        shift.value = s
        assert shown() == expected(s, channel.max, digit.value)
        seen.add(shown())
    digit.value = "right blob"
    assert shown() == expected(4, channel.max, "right blob")
    seen.add(shown())
    shift.value = 0
    assert shown() == expected(0, channel.max, "right blob")
    assert len(seen) == 7 and box.displays["message"].value == ""


def test_the_explorer_starts_on_the_most_active_channel() -> None:
    model, digits = _model(), _digits()
    box = S.shift_explorer(model, digits)
    assert box.controls["channel"].value == S.most_active_channel(model, digits[0][1])


def test_saved_frames_stay_small() -> None:
    box = S.shift_explorer(_model(), _digits())
    size = sum(len(frame.value) for frame in box.displays["frames"].children)
    assert size < 200_000, size
