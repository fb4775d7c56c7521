"""Verdicts: every branch, and every sentence agrees with the numbers it prints."""

from __future__ import annotations

import math
import re

import pytest

from course_utils.verdicts import Verdict, compare, compare_at, number, rank

NUMBER = re.compile(r"\d[\d,]*\.?\d*")


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in NUMBER.findall(text)]


@pytest.mark.parametrize("value, baseline, lower, outcome, winner", [
    (0.0071, 0.0156, True, "wins", "The autoencoder"),
    (0.0156, 0.0071, True, "loses", "PCA-32"),
    (18.0, 15.1, False, "wins", "The autoencoder"),
    (15.1, 18.0, False, "loses", "PCA-32"),
])
def test_compare_names_the_winner_and_the_sentence_agrees_with_its_numbers(
        value: float, baseline: float, lower: bool, outcome: str, winner: str) -> None:
    verdict = compare("the autoencoder", value, "PCA-32", baseline, lower_is_better=lower)
    assert verdict.outcome == outcome
    assert verdict.text.startswith(f"**{winner} wins**")
    shown = _numbers(verdict.text.split("**")[-1].replace("PCA-32", "PCA"))
    best, worst = (min if lower else max)(value, baseline), (max if lower else min)(value, baseline)
    assert shown[0] == pytest.approx(best, rel=1e-2)  # the winner's number first
    assert shown[1] == pytest.approx(worst, rel=1e-2)
    factor = (worst / best) if lower else (best / worst)
    if "×" in verdict.text:
        assert float(re.search(r"([\d.]+)×", verdict.text).group(1)) == pytest.approx(factor, abs=0.05)
    else:
        assert float(re.search(r"(\d+)%", verdict.text).group(1)) == pytest.approx(
            100 * (factor - 1), abs=0.6)
    assert ("lower" in verdict.text) == lower


def test_a_gap_inside_the_noise_is_a_tie_and_says_which_noise() -> None:
    tie = compare("wide", 0.0100, "deep", 0.0102, tie_within=0.10)
    assert tie.outcome == "tie" and "10% this lesson counts as noise" in tie.text
    assert "2.0%" in tie.text
    seeded = compare("wide", 0.0100, "deep", 0.0103, spread=0.05, tie_within=0.01)
    assert seeded.outcome == "tie" and "a seed-to-seed spread of 5.0%" in seeded.text
    clear = compare("wide", 0.0100, "deep", 0.0200, spread=0.05)
    assert clear.outcome == "wins"


def test_a_failed_run_never_wins() -> None:
    verdict = compare("bf16", math.nan, "fp32", 0.03)
    assert verdict.outcome == "loses" and "failed" in verdict.text
    assert compare("bf16", 0.03, "fp32", math.inf).outcome == "wins"


def test_compare_at_reports_mixed_results_with_both_sides() -> None:
    mixed = compare_at("layer-wise pretraining", "end to end",
                       {"at equal passes": (0.020, 0.025), "at equal time": (0.030, 0.022)})
    assert mixed.outcome == "mixed"
    assert "layer-wise pretraining wins at equal passes" in mixed.text
    assert "end to end wins at equal time" in mixed.text
    same = compare_at("end to end", "layer-wise", {"at equal passes": (0.017, 0.023),
                                                   "at equal time": (0.019, 0.023)})
    assert same.outcome == "wins"
    assert same.text.startswith("**End to end wins at equal passes and at equal time**")
    assert _numbers(same.text)[:2] == [0.017, 0.023]
    with pytest.raises(ValueError):
        compare_at("a", "b", {})


def test_rank_orders_and_refuses_to_order_inside_the_spread() -> None:
    clear = rank({"cosine": 0.010, "step": 0.013, "constant": 0.020}, spread=0.024)
    assert clear.outcome == "wins" and clear.text.startswith("**Cosine comes first**")
    assert clear.text.index("cosine") < clear.text.index("step") < clear.text.index("constant")
    close = rank({"cosine": 0.0100, "one-cycle": 0.0102, "constant": 0.020}, spread=0.024)
    assert close.outcome == "tie"
    assert "No clear winner between cosine and one-cycle" in close.text
    assert "a seed-to-seed spread of 2.4%" in close.text
    higher = rank({"a": 0.80, "b": 0.90}, lower_is_better=False)
    assert higher.text.startswith("**B comes first**") and "highest first" in higher.text
    with pytest.raises(ValueError):
        rank({"a": 1.0})


def test_verdict_shows_as_markdown_in_jupyter_and_plain_in_print() -> None:
    verdict = Verdict("**A wins**: x.", "wins")
    assert verdict._repr_markdown_() == "**A wins**: x."
    assert str(verdict) == "A wins: x."


@pytest.mark.parametrize("value, text", [(0.0071123, "0.00711"), (18.004, "18.0"),
                                         (1234.5, "1,234"), (0.0, "0"), (math.nan, "nan")])
def test_number_keeps_three_significant_digits(value: float, text: str) -> None:
    assert number(value) == text
