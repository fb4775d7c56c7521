"""Lesson 00's digit picker: the pure functions, and the explorer driven through every control."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
import torch

from course_utils.widgets import digits as D

ipywidgets = pytest.importorskip("ipywidgets")


def _data(n: int = 30):
    """Small fake test set: blobs on a blank 28×28 canvas, labels 0–9, two "methods"."""
    generator = torch.Generator().manual_seed(0)
    images = torch.zeros(n, 1, 28, 28)
    images[:, :, 8:20, 10:18] = torch.rand(n, 1, 12, 8, generator=generator)
    labels = torch.arange(n) % 10
    good = (images + 0.05 * torch.randn(images.shape, generator=generator)).clamp(0, 1)
    poor = (images + 0.3 * torch.randn(images.shape, generator=generator)).clamp(0, 1)
    poor[17] = images[17]  # one digit where the second method is perfect: the first loses there
    return images, labels, {"the autoencoder": good, "PCA-32": poor}


def _pngs(html_text: str) -> list[np.ndarray]:
    from PIL import Image

    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(data))))
            for data in re.findall(r'src="data:image/png;base64,([^"]+)"', html_text)]


def test_compare_digit_measures_each_method_on_one_digit() -> None:
    images, labels, recons = _data()
    c = D.compare_digit(images, labels, recons, 3)
    assert c.index == 3 and c.label == 3
    for name, recon in recons.items():
        expected = float(((recon[3] - images[3]) ** 2).mean())
        assert c.mse[name] == pytest.approx(expected, rel=1e-6)
        assert np.allclose(c.errors[name], ((recon[3, 0] - images[3, 0]) ** 2).numpy())
    assert c.error_scale == pytest.approx(max(float(e.max()) for e in c.errors.values()))


@pytest.mark.parametrize("index", [-1, 30, 10_000])
def test_an_index_outside_the_test_set_is_a_plain_message(index: int) -> None:
    images, labels, recons = _data()
    with pytest.raises(ValueError, match="pick an index from 0 to 29"):
        D.compare_digit(images, labels, recons, index)


def test_mismatched_reconstructions_are_refused_with_both_shapes() -> None:
    images, labels, recons = _data()
    with pytest.raises(ValueError, match=r"\(30, 1, 14, 14\)"):
        D.compare_digit(images, labels, {"bad": torch.zeros(30, 1, 14, 14)}, 0)


def test_pick_examples_offers_each_digit_and_the_extremes() -> None:
    images, labels, recons = _data()
    first = D.per_image_mse(images, recons["the autoencoder"])
    second = D.per_image_mse(images, recons["PCA-32"])
    picks = D.pick_examples(labels, first, second)
    names = [name for name, _ in picks]
    assert names[:10] == [f"a {d}" for d in range(10)]
    assert [index for _, index in picks[:10]] == list(range(10))
    ratio = first / second.clamp_min(1e-12)
    extremes = dict(picks[10:])
    assert extremes.get("best case", int(ratio.argmin())) == int(ratio.argmin())
    assert extremes["worst case"] == int(ratio.argmax()) == 17
    assert len({index for _, index in picks}) == len(picks)  # no digit twice


def test_the_html_shows_every_image_with_alt_text_and_a_verdict_that_matches() -> None:
    images, labels, recons = _data()
    for index, winner in ((0, "The autoencoder wins"), (17, "PCA-32 wins")):
        c = D.compare_digit(images, labels, recons, index)
        text = D.comparison_html(c)
        alts = re.findall(r'alt="([^"]*)"', text)
        assert len(alts) == 5 and all(len(a) > 15 for a in alts)
        assert f"<b>{winner}</b>" in text
        assert f"{c.mse['the autoencoder']:.4f}" in text  # the alt text carries the MSE
        pictures = _pngs(text)
        assert [p.shape[:2] for p in pictures] == [(84, 84)] * 5


def test_fast_encoding_draws_the_same_pixels() -> None:
    images, labels, recons = _data()
    c = D.compare_digit(images, labels, recons, 2)
    slow, fast = _pngs(D.comparison_html(c)), _pngs(D.comparison_html(c, optimize=False))
    assert all(np.array_equal(a, b) for a, b in zip(slow, fast, strict=True))


def test_the_explorer_follows_every_control_and_matches_the_pure_function() -> None:
    images, labels, recons = _data()
    box = D.digit_explorer(images, labels, recons)
    example, index = box.controls["example"], box.controls["test image"]
    frames, live = box.displays["frames"], box.displays["live"]
    assert "course-needs-kernel" in index._dom_classes
    assert len(frames.children) == len(example.options) == len(box.picks)
    for position, (_, test_index) in enumerate(box.picks):  # each frame is its digit
        assert frames.children[position].value == D.comparison_html(
            D.compare_digit(images, labels, recons, test_index))
    before = [frame.value for frame in frames.children]
    for position in (0, len(example.options) // 2, len(example.options) - 1):
        example.index = position  # the browser shows frame `position` (jslink, no Python)
        assert example.value == box.picks[position][0]
    assert [frame.value for frame in frames.children] == before
    seen = set()
    for value in (index.min, (index.min + index.max) // 2, index.max):
        index.value = value
        expected = D.comparison_html(D.compare_digit(images, labels, recons, value),
                                     optimize=False)
        assert live.value == expected
        seen.add(live.value)
    assert len(seen) == 3  # the display changed with every move


def test_an_explorer_that_cannot_show_a_digit_says_so() -> None:
    images, labels, recons = _data()
    box = D.digit_explorer(images, labels, recons)
    box.controls["test image"].max = 40  # as if the slider offered more digits than exist
    box.controls["test image"].value = 35
    assert "pick an index from 0 to 29" in box.displays["live"].value
    assert "Traceback" not in box.displays["live"].value


def test_saved_frames_stay_small() -> None:
    images, labels, recons = _data()
    box = D.digit_explorer(images, labels, recons)
    size = sum(len(frame.value) for frame in box.displays["frames"].children)
    assert size < 300_000, size
