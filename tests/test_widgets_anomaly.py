"""Lesson 09's threshold explorer: the pure functions, and the widget wired to them."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score, roc_curve

from course_utils.widgets import anomaly as A


def _data(n: int = 120, seed: int = 0) -> A.AnomalyData:
    """Three 'digits' of blobs; scores that rank the other digits higher, with overlap."""
    g = torch.Generator().manual_seed(seed)
    images = torch.rand(n, 1, 28, 28, generator=g) ** 4
    labels = torch.arange(n) % 3
    rng = np.random.default_rng(seed)
    scores = {d: {"autoencoder": rng.random(n) + 0.6 * (labels.numpy() != d),
                  "PCA (36)": rng.random(n) + 0.3 * (labels.numpy() != d)} for d in range(3)}
    return A.AnomalyData(images, labels, scores)


def _text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", value))


def test_threshold_view_counts_every_decision() -> None:
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    anomaly = np.array([0, 1, 0, 1, 0, 1])
    view = A.threshold_view(scores, anomaly, 0.3)
    assert (view.true_positives, view.false_positives, view.true_negatives,
            view.false_negatives) == (2, 2, 1, 1)  # flagged: 0.3 0.4 0.5 0.6
    assert view.tpr == pytest.approx(2 / 3) and view.fpr == pytest.approx(2 / 3)
    assert view.false_alarms.tolist() == [4, 2]  # highest score first
    assert view.misses.tolist() == [1]
    assert "2 of 3 anomalies flagged" in view.sentence()
    everything = A.threshold_view(scores, anomaly, -1.0)
    assert everything.tpr == everything.fpr == 1.0 and len(everything.misses) == 0
    nothing = A.threshold_view(scores, anomaly, 9.0)
    assert nothing.tpr == nothing.fpr == 0.0 and len(nothing.false_alarms) == 0


def test_every_threshold_is_a_point_of_the_roc_curve() -> None:
    data = _data()
    scores, anomaly = data.scores[1]["autoencoder"], data.is_anomaly(1)
    fpr, tpr, thresholds = roc_curve(anomaly.astype(int), scores)
    for i in range(1, len(thresholds)):
        view = A.threshold_view(scores, anomaly, thresholds[i])
        assert (view.fpr, view.tpr) == pytest.approx((fpr[i], tpr[i]))
    picture = A.score_picture(scores, anomaly)
    assert picture.auroc == pytest.approx(roc_auc_score(anomaly.astype(int), scores))
    assert picture.normal.sum() == pytest.approx(1) and picture.anomaly.sum() == pytest.approx(1)


@pytest.mark.parametrize("scores, labels, threshold", [
    (np.zeros(3), np.zeros(4), 0.5),
    (np.zeros((2, 2)), np.zeros((2, 2)), 0.5),
    (np.zeros(3), np.zeros(3), float("nan")),
])
def test_impossible_inputs_raise_a_plain_value_error(scores, labels, threshold) -> None:
    with pytest.raises(ValueError):
        A.threshold_view(scores, labels, threshold)


def test_the_svgs_draw_the_threshold_and_the_point() -> None:
    data = _data()
    scores, anomaly = data.scores[0]["PCA (36)"], data.is_anomaly(0)
    picture = A.score_picture(scores, anomaly)
    low = A.histogram_svg(picture, float(picture.edges[2]), title="t")
    high = A.histogram_svg(picture, float(picture.edges[-3]), title="t")
    line = re.compile(r'<line x1="([\d.]+)" y1="[\d.]+" x2="\1" y2="[\d.]+" stroke="#222222"')
    assert float(line.search(low).group(1)) < float(line.search(high).group(1))
    view = A.threshold_view(scores, anomaly, float(np.median(scores)))
    svg = A.roc_svg(picture, view)
    assert svg.count("<circle") == 1 and f"AUROC {picture.auroc:.3f}" in svg
    assert "<title>" in svg and "<title>" in low  # a name for screen readers


def test_every_control_reaches_the_display() -> None:
    data = _data()
    box = A.anomaly_explorer(data, site_digit=1, site_detector="autoencoder")
    c, d = box.controls, box.displays
    assert set(c) == {"threshold (site)", "normal digit", "detector", "threshold"}
    seen = set()
    for digit in (0, 1, 2):
        c["normal digit"].value = digit
        for detector in ("autoencoder", "PCA (36)"):
            c["detector"].value = detector
            t = c["threshold"]
            for value in (t.min, (t.min + t.max) / 2, t.max):
                t.value = value
                view = A.threshold_view(data.scores[digit][detector], data.is_anomaly(digit),
                                        t.value)
                assert _text(d["rates"].value) == view.sentence()
                assert f"digit-{digit} {detector}" in d["histogram"].value
                shown = d["thumbnails"].value.count("<img")
                assert shown == min(8, len(view.false_alarms)) + min(8, len(view.misses))
                seen.add(d["histogram"].value + d["roc"].value + d["thumbnails"].value)
    assert len(seen) == 18  # every setting changed the picture


def test_a_bad_setting_shows_a_message_not_a_traceback() -> None:
    data = _data()
    box = A.anomaly_explorer(data, site_digit=1, site_detector="autoencoder")
    del data.scores[2]["PCA (36)"]  # as if a detector had not been scored on digit 2
    box.controls["detector"].value = "PCA (36)"
    box.controls["normal digit"].value = 2
    assert 'role="status"' in box.displays["rates"].value
    assert box.displays["histogram"].value == ""


def test_the_site_frames_step_through_eleven_thresholds() -> None:
    data = _data()
    box = A.anomaly_explorer(data, site_digit=1, site_detector="autoencoder")
    slider, stack = box.controls["threshold (site)"], box.displays["frames"]
    assert len(slider.options) == len(stack.children) == 11
    rates = [float(re.search(r"false positive rate ([\d.]+)%", f.value).group(1))
             for f in stack.children]
    assert rates[0] == 100.0 and rates == sorted(rates, reverse=True)
    assert stack.selected_index == slider.index
    assert "course-needs-kernel" in box.controls["threshold"]._dom_classes
    assert "course-needs-kernel" not in slider._dom_classes


def test_moving_the_threshold_on_a_missing_setting_keeps_the_message() -> None:
    data = _data()
    box = A.anomaly_explorer(data, site_digit=1, site_detector="autoencoder")
    del data.scores[0]["autoencoder"]
    box.controls["normal digit"].value = 0
    box.controls["threshold"].value = box.controls["threshold"].max
    assert "no scores of the autoencoder for normal digit 0" in box.displays["rates"].value
