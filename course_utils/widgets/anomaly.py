"""Lesson 09's explorer: an anomaly detector's threshold, and what it costs on either side.

A detector gives every test digit a score (a reconstruction error, or a distance); a
threshold turns scores into decisions: at or above it, "anomaly". Moving the threshold
trades misses for false alarms. The explorer shows, for one normal digit and one detector:

- the score histograms of the normal test digits and of the anomalies, with the threshold
  as a line (:func:`histogram_svg`; the bars are computed once, only the line moves);
- the ROC curve with the threshold's point on it (:func:`roc_svg`);
- the true and false positive rates (:func:`threshold_view`), and the false alarms and
  misses themselves, as thumbnails.

Everything is drawn as SVG or small PNGs from scores computed when the lesson ran, so a
move costs a few milliseconds. For the site, a threshold slider over eleven quantiles of
the normal digits' scores flips through precomputed frames. :func:`bench` builds the
explorer as lesson 09 does, for the widget benchmark.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .shared import (
    MUTED,
    choice,
    disable_for_site,
    float_slider,
    frames_stack,
    image_html,
    kernel_note,
    message_html,
    selection_slider,
)

#: Okabe–Ito blue and orange: told apart by colour-blind readers, on light and dark pages.
NORMAL_COLOUR = "#0072b2"
ANOMALY_COLOUR = "#e69f00"
LINE_COLOUR = "#222222"


@dataclass(frozen=True)
class ThresholdView:
    """The decisions one threshold makes: counts, rates, and which digits it gets wrong.

    An image is flagged as an anomaly when its score is at or above ``threshold``.
    ``false_alarms`` are the normal images flagged (highest score first); ``misses`` the
    anomalies not flagged (lowest score first): indices into the scores.
    """

    threshold: float
    true_positives: int
    false_positives: int
    true_negatives: int
    false_negatives: int
    false_alarms: np.ndarray
    misses: np.ndarray

    @property
    def tpr(self) -> float:
        """True positive rate: the share of anomalies flagged."""
        anomalies = self.true_positives + self.false_negatives
        return self.true_positives / anomalies if anomalies else 0.0

    @property
    def fpr(self) -> float:
        """False positive rate: the share of normal images flagged."""
        normals = self.false_positives + self.true_negatives
        return self.false_positives / normals if normals else 0.0

    def sentence(self) -> str:
        """The rates and counts in one sentence."""
        anomalies = self.true_positives + self.false_negatives
        normals = self.false_positives + self.true_negatives
        return (f"Threshold {self.threshold:.4g}: {self.true_positives:,} of {anomalies:,} "
                f"anomalies flagged (true positive rate {self.tpr:.1%}), "
                f"{self.false_positives:,} of {normals:,} normal digits flagged by mistake "
                f"(false positive rate {self.fpr:.1%}); {self.false_negatives:,} anomalies "
                f"missed.")


def threshold_view(scores: np.ndarray | torch.Tensor, is_anomaly: np.ndarray | torch.Tensor,
                   threshold: float) -> ThresholdView:
    """Flag every score at or above ``threshold``; count what that gets right and wrong."""
    scores = np.asarray(scores, dtype=np.float64)
    anomaly = np.asarray(is_anomaly).astype(bool)
    if scores.shape != anomaly.shape or scores.ndim != 1:
        raise ValueError(f"need one score per image and one label per image, got shapes "
                         f"{scores.shape} and {anomaly.shape}")
    if not np.isfinite(threshold):
        raise ValueError(f"the threshold must be a number, got {threshold}")
    flagged = scores >= threshold
    false_alarms = np.flatnonzero(flagged & ~anomaly)
    misses = np.flatnonzero(~flagged & anomaly)
    return ThresholdView(
        float(threshold), int((flagged & anomaly).sum()), len(false_alarms),
        int((~flagged & ~anomaly).sum()), len(misses),
        false_alarms[np.argsort(-scores[false_alarms], kind="stable")],
        misses[np.argsort(scores[misses], kind="stable")])


@dataclass(frozen=True)
class ScorePicture:
    """What is drawn once per normal digit and detector: histogram bars and the ROC curve."""

    edges: np.ndarray  # bin edges of the histograms (the last bin takes every larger score)
    normal: np.ndarray  # share of the normal images in each bin
    anomaly: np.ndarray  # share of the anomalies in each bin
    fpr: np.ndarray  # the ROC curve
    tpr: np.ndarray
    auroc: float


def score_picture(scores: np.ndarray | torch.Tensor, is_anomaly: np.ndarray | torch.Tensor,
                  bins: int = 40) -> ScorePicture:
    """Histograms (as shares of each group, so both show whatever their sizes) and the ROC curve."""
    from sklearn.metrics import roc_auc_score, roc_curve

    scores = np.asarray(scores, dtype=np.float64)
    anomaly = np.asarray(is_anomaly).astype(bool)
    top = float(np.quantile(scores, 0.99))
    edges = np.linspace(float(scores.min()), top if top > scores.min() else scores.max() + 1e-9,
                        bins + 1)
    clipped = np.minimum(scores, edges[-1])
    normal, _ = np.histogram(clipped[~anomaly], bins=edges)
    odd, _ = np.histogram(clipped[anomaly], bins=edges)
    fpr, tpr, _ = roc_curve(anomaly.astype(int), scores)
    return ScorePicture(edges, normal / max(normal.sum(), 1), odd / max(odd.sum(), 1), fpr, tpr,
                        float(roc_auc_score(anomaly.astype(int), scores)))


def _fit(width: int) -> str:
    """CSS that draws an SVG ``width`` pixels wide, or narrower on a narrow screen."""
    return f"width:{width}px;max-width:100%;height:auto;display:block"


def histogram_svg(picture: ScorePicture, threshold: float, *, title: str,
                  width: int = 460, height: int = 210) -> str:
    """Both histograms as SVG bars (normal blue, anomalies orange) and the threshold line."""
    left, right, top, bottom = 44, 24, 44, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = float(picture.edges[0]), float(picture.edges[-1])
    peak = float(max(picture.normal.max(), picture.anomaly.max(), 1e-12))

    def x_of(value: float) -> float:
        return left + plot_w * (min(max(value, lo), hi) - lo) / (hi - lo)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'style="{_fit(width)}" role="img" font-family="sans-serif" '
             f'font-size="11"><title>{html.escape(title)}</title>',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
             f'<text x="4" y="14" fill="#000">{html.escape(title)}</text>']
    for i, (label, colour) in enumerate((("normal digits", NORMAL_COLOUR),
                                         ("anomalies", ANOMALY_COLOUR))):
        x = left + 120 * i
        parts.append(f'<rect x="{x}" y="20" width="10" height="10" fill="{colour}" '
                     f'fill-opacity="0.55"/><text x="{x + 14}" y="29" fill="#000">{label}</text>')
    for shares, colour in ((picture.normal, NORMAL_COLOUR), (picture.anomaly, ANOMALY_COLOUR)):
        for i, share in enumerate(shares):
            if share <= 0:
                continue
            x0, x1 = x_of(picture.edges[i]), x_of(picture.edges[i + 1])
            bar = plot_h * share / peak
            parts.append(f'<rect x="{x0:.1f}" y="{top + plot_h - bar:.1f}" '
                         f'width="{max(x1 - x0 - 0.5, 0.5):.1f}" height="{bar:.1f}" '
                         f'fill="{colour}" fill-opacity="0.55"/>')
    base = top + plot_h
    parts.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#000"/>')
    for value in np.linspace(lo, hi, 5):
        parts.append(f'<text x="{x_of(value):.1f}" y="{base + 14}" text-anchor="middle" '
                     f'fill="#000">{value:.3g}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" '
                 f'fill="#000">anomaly score (the last bar holds every larger score)</text>')
    parts.append(f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" fill="#000" '
                 f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">share of group</text>')
    x = x_of(threshold)
    parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{base}" '
                 f'stroke="{LINE_COLOUR}" stroke-width="2" stroke-dasharray="5 3"/>')
    side = "end" if x > left + plot_w * 0.6 else "start"
    parts.append(f'<text x="{x + (-4 if side == "end" else 4):.1f}" y="{top + 6}" '
                 f'text-anchor="{side}" fill="#000">flag ≥ {threshold:.3g}</text>')
    parts.append("</svg>")
    return "".join(parts)


def roc_svg(picture: ScorePicture, view: ThresholdView, *, size: int = 210) -> str:
    """The ROC curve, the diagonal of guessing, and the threshold's point on the curve."""
    pad = 36
    plot = size - pad - 12

    def xy(fpr: float, tpr: float) -> tuple[float, float]:
        return pad + plot * fpr, 12 + plot * (1 - tpr)

    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(f, t) for f, t in
                                                      zip(picture.fpr, picture.tpr)))
    px, py = xy(view.fpr, view.tpr)
    title = (f"ROC curve (AUROC {picture.auroc:.3f}); the threshold sits at false positive "
             f"rate {view.fpr:.1%}, true positive rate {view.tpr:.1%}")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
            f'style="{_fit(size)}" role="img" font-family="sans-serif" font-size="11">'
            f"<title>{html.escape(title)}</title>"
            f'<rect x="0" y="0" width="{size}" height="{size}" fill="#ffffff"/>'
            f'<rect x="{pad}" y="12" width="{plot}" height="{plot}" fill="none" stroke="#000"/>'
            f'<line x1="{pad}" y1="{12 + plot}" x2="{pad + plot}" y2="12" stroke="#777" '
            f'stroke-dasharray="3 3"/>'
            f'<polyline points="{points}" fill="none" stroke="{NORMAL_COLOUR}" stroke-width="2"/>'
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{ANOMALY_COLOUR}" stroke="#000"/>'
            f'<text x="{pad + plot / 2}" y="{size - 4}" text-anchor="middle" fill="#000">'
            f"false positive rate</text>"
            f'<text x="11" y="{12 + plot / 2}" text-anchor="middle" fill="#000" '
            f'transform="rotate(-90 11 {12 + plot / 2})">true positive rate</text>'
            f'<text x="{pad + plot - 4}" y="{12 + plot - 6}" text-anchor="end" fill="#000">'
            f"AUROC {picture.auroc:.3f}</text></svg>")


# --------------------------------------------------------------------------- the explorer


@dataclass
class AnomalyData:
    """Scores the lesson computed: ``scores[digit][detector]`` per test image, with its labels."""

    images: torch.Tensor  # the test images, N×1×28×28
    labels: torch.Tensor  # their digits
    scores: dict[int, dict[str, np.ndarray]]

    def is_anomaly(self, digit: int) -> np.ndarray:
        return (self.labels.numpy() != digit)

    @classmethod
    def from_results(cls, results: Mapping[int, Any], images: torch.Tensor,
                     labels: torch.Tensor) -> AnomalyData:
        """From the lesson's ``{digit: OneClassResult}``."""
        return cls(images, labels, {d: {name: np.asarray(s, dtype=np.float64)
                                        for name, s in r.scores.items()}
                                    for d, r in results.items()})


def thumbnails_html(data: AnomalyData, view: ThresholdView, digit: int, scores: np.ndarray, *,
                    count: int = 8, cache: dict[int, str] | None = None) -> str:
    """The first ``count`` false alarms and misses, each with its digit and score."""
    cache = {} if cache is None else cache

    def thumb(i: int, kind: str) -> str:
        if i not in cache:
            label = int(data.labels[i])
            cache[i] = image_html(data.images[i], f"test digit {label}, {kind}, score "
                                  f"{scores[i]:.3g}", scale=2,
                                  caption=f"{label} · {scores[i]:.3g}")
        return cache[i]

    def group(indices: np.ndarray, title: str, kind: str, which: str) -> str:
        shown = "".join(thumb(int(i), kind) for i in indices[:count])
        more = (f' <span style="color:{MUTED}">({min(count, len(indices))} of '
                f"{len(indices):,}, {which} first)</span>" if len(indices) else "")
        body = shown if shown else f'<span style="color:{MUTED}">none at this threshold</span>'
        return (f'<div style="margin:4px 0"><b>{title}</b>{more}'
                f'<div style="display:flex;flex-wrap:wrap;gap:2px">{body}</div></div>')

    return (group(view.false_alarms, f"False alarms: digit-{digit} images flagged",
                  "a false alarm", "highest score")
            + group(view.misses, "Misses: anomalies not flagged", "a miss", "lowest score"))


def anomaly_panel(data: AnomalyData, digit: int, detector: str, threshold: float,
                  picture: ScorePicture, cache: dict[int, str] | None = None) -> dict[str, str]:
    """The explorer's HTML for one setting: histogram, ROC, rates, thumbnails."""
    scores = data.scores[digit][detector]
    view = threshold_view(scores, data.is_anomaly(digit), threshold)
    title = f"Scores of the digit-{digit} {detector} (test digits)"
    return {"histogram": histogram_svg(picture, threshold, title=title),
            "roc": roc_svg(picture, view),
            "rates": f"<div>{html.escape(view.sentence())}</div>",
            "thumbnails": thumbnails_html(data, view, digit, scores, cache=cache)}


def site_thresholds(scores: np.ndarray, is_anomaly: np.ndarray,
                    quantiles: Sequence[float] = tuple(np.linspace(0, 1, 11))) -> list[float]:
    """Thresholds at quantiles of the *normal* digits' scores: at the q quantile about
    1 − q of the normal digits are flagged (the false alarm rate one chooses to accept)."""
    normal = np.asarray(scores)[~np.asarray(is_anomaly).astype(bool)]
    return [float(np.quantile(normal, q)) for q in quantiles]


def anomaly_explorer(data: AnomalyData, *, site_digit: int, site_detector: str,
                     detectors: Sequence[str] | None = None) -> Any:
    """Normal digit, detector and threshold → histograms, ROC point, rates and thumbnails.

    The site frames use ``site_digit`` and ``site_detector`` with eleven thresholds.
    Returns an ``ipywidgets.VBox`` with ``controls`` and ``displays``.
    """
    import ipywidgets as widgets

    detectors = list(detectors or next(iter(data.scores.values())).keys())
    digits = sorted(data.scores)
    pictures: dict[tuple[int, str], ScorePicture] = {}
    thumbs: dict[tuple[int, str], dict[int, str]] = {}

    def picture_for(digit: int, detector: str) -> ScorePicture:
        if (digit, detector) not in pictures:
            pictures[digit, detector] = score_picture(data.scores[digit][detector],
                                                      data.is_anomaly(digit))
        return pictures[digit, detector]

    def panel_html(digit: int, detector: str, threshold: float) -> dict[str, str]:
        return anomaly_panel(data, digit, detector, threshold, picture_for(digit, detector),
                             thumbs.setdefault((digit, detector), {}))

    # the site: eleven thresholds for one digit and detector
    site_scores = data.scores[site_digit][site_detector]
    levels = site_thresholds(site_scores, data.is_anomaly(site_digit))
    options = [(f"{100 - 10 * i}% of normal flagged", i) for i in range(len(levels))]
    frame_slider = selection_slider("threshold (site)", options, 5)
    frames = []
    for i, level in enumerate(levels):
        panel = panel_html(site_digit, site_detector, level)
        frames.append(f'<div style="display:flex;flex-wrap:wrap;gap:8px">{panel["histogram"]}'
                      f'{panel["roc"]}</div>{panel["rates"]}{panel["thumbnails"]}')
    stack = frames_stack(frame_slider, frames)

    # a running kernel: any digit, any detector, any threshold
    digit = choice("normal digit", digits, site_digit)
    detector = choice("detector", detectors, site_detector)
    threshold = float_slider("threshold", levels[5], 0.0, 1.0, 0.001, readout_format=".4f")
    histogram, roc, rates, thumbnails = (widgets.HTML() for _ in range(4))
    disable_for_site(digit, detector, threshold)
    busy = {"now": False}

    def set_range() -> None:
        scores = data.scores[digit.value][detector.value]
        low, high = float(scores.min()), float(np.quantile(scores, 0.995))
        busy["now"] = True
        threshold.min, threshold.max = 0.0, 1e9  # widen first, so no bound is crossed
        threshold.max = high
        threshold.min = low
        threshold.step = (high - low) / 200
        threshold.value = float(np.quantile(scores[~data.is_anomaly(digit.value)], 0.95))
        busy["now"] = False

    def missing() -> bool:
        if detector.value in data.scores.get(digit.value, {}):
            return False
        histogram.value = roc.value = thumbnails.value = ""
        rates.value = message_html(f"There are no scores of the {detector.value} for normal "
                                   f"digit {digit.value}.")
        return True

    def update(_change: object = None) -> None:
        if busy["now"] or missing():
            return
        try:
            panel = panel_html(digit.value, detector.value, threshold.value)
        except ValueError as error:
            histogram.value = roc.value = thumbnails.value = ""
            rates.value = message_html(str(error))
            return
        histogram.value, roc.value = panel["histogram"], panel["roc"]
        rates.value, thumbnails.value = panel["rates"], panel["thumbnails"]

    def on_choice(_change: object) -> None:
        if missing():
            return
        set_range()
        update()

    digit.observe(on_choice, names="value")
    detector.observe(on_choice, names="value")
    threshold.observe(update, names="value")
    set_range()
    update()
    note = widgets.HTML(kernel_note(["threshold (site)"],
                                    ["normal digit", "detector", "threshold"]))
    box = widgets.VBox([
        note, widgets.HTML(f"<b>Normal digit {site_digit}, {html.escape(site_detector)}:</b> "
                           f"the threshold at eleven quantiles of the normal digits' scores"),
        frame_slider, stack,
        widgets.HTML("<b>With a running kernel:</b> any digit, detector and threshold"),
        digit, detector, threshold,
        widgets.HBox([histogram, roc], layout=widgets.Layout(flex_flow="row wrap")), rates,
        thumbnails])
    box.controls = {"threshold (site)": frame_slider, "normal digit": digit,
                    "detector": detector, "threshold": threshold}
    box.displays = {"frames": stack, "histogram": histogram, "roc": roc, "rates": rates,
                    "thumbnails": thumbnails}
    return box


# --------------------------------------------------------------------------- the benchmark


def _lesson_data() -> tuple[AnomalyData, int]:
    from ..applications import nearest_neighbour_distance, one_class_scores, train_one_class
    from ..config import budget
    from ..metrics import pca_baseline
    from ..recipes import standard_data

    train_set, test_set = standard_data()  # as lesson 09 takes them
    eval_set = test_set.subset(budget(full=2_000, fast=300))
    per_digit = budget(full=1_000, fast=150)
    normal_sets = {d: train_set.where(lambda y, d=d: y == d).subset(per_digit)
                   for d in range(10)}
    models, _ = train_one_class(normal_sets, 36)
    results = {}
    for d, normal in normal_sets.items():
        detectors = {"autoencoder": models[d], "PCA (36)": pca_baseline(normal.images, 36),
                     "raw pixels (nearest neighbour)":
                         lambda x, n=normal: nearest_neighbour_distance(n.images, x)}
        results[d] = one_class_scores(d, detectors, eval_set.images, eval_set.labels)
    focus = max(results, key=lambda d: results[d].auroc["PCA (36)"]
                - results[d].auroc["autoencoder"])  # where the lesson looks closer
    return AnomalyData.from_results(results, eval_set.images, eval_set.labels), focus


def bench() -> Any:
    """The explorer, built as lesson 09 builds it (one-class models from the checkpoint
    cache, trained into it when it is cold)."""
    data, digit = _lesson_data()
    return anomaly_explorer(data, site_digit=digit, site_detector="autoencoder")
