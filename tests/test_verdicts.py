"""Verdicts: every branch, and every sentence agrees with the numbers it prints."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils.verdicts import Verdict, compare, compare_at, number, rank, ratio_text

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


# --------------------------------------------------------------------------- regularizer


def _reg(with_train: float, with_test: float, without_train: float, without_test: float,
         **options: float) -> Verdict:
    from course_utils.verdicts import regularizer

    return regularizer("Dropout", with_train=with_train, with_test=with_test,
                       without_train=without_train, without_test=without_test, **options)


def _gaps_in(text: str) -> tuple[float, float]:
    found = re.search(r"the gap \(([+-][\d.]+) with Dropout against ([+-][\d.]+) without\)", text)
    assert found, text
    return float(found.group(1)), float(found.group(2))


@pytest.mark.parametrize("numbers, outcome, overfits, change", [
    # lesson 04 on the offline digits: barely overfits; Dropout raises both errors
    ((0.05335, 0.04958, 0.02793, 0.02882), "loses", False, "narrowed"),
    # other digits: the gap was 0.004 and Dropout widened it to 0.022
    ((0.030, 0.052, 0.026, 0.030), "loses", True, "widened"),
    # a model that overfits, cured: gap and test error both fall
    ((0.020, 0.024, 0.010, 0.030), "wins", True, "narrowed"),
    # lower test error but an even lower training error
    ((0.010, 0.025, 0.028, 0.030), "wins", False, "widened"),
    # test errors tie, the gap narrows
    ((0.0295, 0.0300, 0.0200, 0.0301), "tie", True, "narrowed"),
    # nothing moved beyond the noise
    ((0.0279, 0.0288, 0.0279, 0.0288), "tie", False, "about the same"),
])
def test_regularizer_verdict_reads_true_for_every_outcome(numbers, outcome, overfits, change):
    with_train, with_test, without_train, without_test = numbers
    verdict = _reg(*numbers, tie_within=0.05)
    text = verdict.text
    assert verdict.outcome == outcome
    assert ("the model overfits" in text) == overfits
    assert ("little overfitting" in text) == (not overfits)
    relative = (without_test - without_train) / without_test
    shown = float(re.search(r"the test MSE is (\d+)% (above|below)", text).group(1))
    assert shown == pytest.approx(100 * abs(relative), abs=0.6)
    assert (relative > 0.1) == overfits  # the clause agrees with the percentage it prints
    gap_with, gap_without = _gaps_in(text)
    assert gap_with == pytest.approx(with_test - with_train, abs=6e-5)
    assert gap_without == pytest.approx(without_test - without_train, abs=6e-5)
    if change == "narrowed":
        assert "narrowed the gap" in text and gap_with < gap_without
    elif change == "widened":
        assert "widened the gap" in text and gap_with > gap_without
    else:
        assert "about the same" in text
    if outcome == "loses":
        assert text.startswith("**The model without Dropout wins**")
        assert "fell" not in text
    if outcome == "wins":
        assert text.startswith("**The model with Dropout wins**") and "fell" in text
    if "by raising the training MSE" in text:
        assert with_train > without_train


def test_the_failing_verdict_of_the_old_lesson_cannot_come_back():
    """Dropout widened the gap from 0.004 to 0.022: the sentence never says it cured anything."""
    text = _reg(0.030, 0.052, 0.026, 0.030).text
    assert "widened the gap (+0.0220 with Dropout against +0.0040 without) and raised the test MSE" in text
    assert "narrowed" not in text


def test_regularizer_with_a_failed_run_says_so():
    verdict = _reg(math.nan, 0.05, 0.02, 0.03)
    assert verdict.outcome == "loses" and "not a number" in verdict.text


# --------------------------------------------------------------------------- overfitting, claim

from course_utils.verdicts import claim, overfitting  # noqa: E402


@pytest.mark.parametrize("train, test, outcome, head", [
    (0.0137, 0.0170, "overfits", "**The deep FC model overfits**"),
    (0.0137, 0.0140, "fits", "**No sign of overfitting in the deep FC model**"),
    (0.0140, 0.0120, "fits", "**No sign of overfitting in the deep FC model**"),
    (0.0100, 0.0300, "overfits", "**The deep FC model overfits**"),
])
def test_overfitting_every_branch_agrees_with_its_numbers(train: float, test: float,
                                                          outcome: str, head: str) -> None:
    verdict = overfitting("the deep FC model", train, test)
    assert verdict.outcome == outcome and verdict.text.startswith(head)
    shown = _numbers(verdict.text)
    assert train in [pytest.approx(v, rel=1e-2) for v in shown]
    assert test in [pytest.approx(v, rel=1e-2) for v in shown]
    assert "eval mode" in verdict.text
    gap = (test - train) / train
    if outcome == "overfits":
        if "×" in verdict.text:
            assert float(re.search(r"([\d.]+)× higher", verdict.text).group(1)) == pytest.approx(
                test / train, abs=0.05)
        else:
            assert float(re.search(r"(\d+)% higher", verdict.text).group(1)) == pytest.approx(
                100 * gap, abs=0.6)
    elif gap < -0.1:
        assert "even" in verdict.text and "lower" in verdict.text
    else:
        assert float(re.search(r"([\d.]+)% apart", verdict.text).group(1)) == pytest.approx(
            100 * abs(gap), abs=0.06)


def test_overfitting_uses_the_measured_spread_and_never_judges_a_failed_run() -> None:
    inside = overfitting("wide", 0.0100, 0.0112, spread=0.15)
    assert inside.outcome == "fits" and "a seed-to-seed spread of 15.0%" in inside.text
    assert overfitting("wide", 0.0100, 0.0112, tie_within=0.05).outcome == "overfits"
    failed = overfitting("wide", math.nan, 0.01)
    assert "failed" in failed.text and "overfit" not in failed.text.split("**")[1].lower().replace(
        "no verdict", "")


@pytest.mark.parametrize("oks, outcome, head", [
    ((True, True), "holds", "**The claim holds**"),
    ((False, False), "fails", "**The claim does not hold**"),
    ((True, False), "mixed", "**The claim holds only in part (fewer parameters, but not "
                             "better reconstruction)**"),
    ((False, True), "mixed", "**The claim holds only in part (better reconstruction, but not "
                             "fewer parameters)**"),
])
def test_claim_every_branch_names_each_part_with_its_evidence(oks: tuple[bool, bool],
                                                              outcome: str, head: str) -> None:
    parts = {"fewer parameters": (oks[0], "15× fewer, 31,885 against 477,748"),
             "better reconstruction": (oks[1], "test MSE 0.0129 against 0.0272")}
    verdict = claim("a conv autoencoder reconstructs better with 5× fewer parameters", parts)
    assert verdict.outcome == outcome and verdict.text.startswith(head)
    assert "“a conv autoencoder reconstructs better with 5× fewer parameters”" in verdict.text
    for part, (ok, evidence) in parts.items():
        assert f"{part}: {'yes' if ok else 'no'}, {evidence}".lower() in verdict.text.lower()
    with pytest.raises(ValueError):
        claim("anything", {})


def test_first_below_names_the_moment_a_curve_crosses_or_says_it_never_did() -> None:
    from course_utils.verdicts import first_below

    when = ["before training", "after epoch 1 of 3", "after epoch 2 of 3", "after epoch 3 of 3"]
    crossed = first_below("the flat code", [0.2, 0.02, 0.012, 0.008], "PCA-32", 0.0155,
                          when=when)
    assert crossed.outcome == "wins"
    assert crossed.text.startswith("**The flat code falls below PCA-32** after epoch 2 of 3")
    assert _numbers(crossed.text.split("**")[-1])[-2:] == [0.012, 0.0155]
    never = first_below("the grid code", [0.2, 0.05, 0.02], "PCA-36", 0.014, when=when[:3])
    assert never.outcome == "loses" and "stays above PCA-36" in never.text
    assert _numbers(never.text.split("**")[-1])[-2:] == [0.02, 0.014]  # its lowest, the bar
    close = first_below("the grid code", [0.01398], "PCA-36", 0.01404, when=["at the end"])
    assert close.outcome == "wins" and "0.01398 against 0.01404" in close.text
    at_once = first_below("a copy", [0.001], "PCA-32", 0.0155, when=["before training"])
    assert at_once.outcome == "wins" and "before training" in at_once.text
    broken = first_below("a failed run", [math.nan, math.nan], "PCA-32", 0.0155,
                         when=when[:2])
    assert broken.outcome == "loses" and "not a number" in broken.text
    with pytest.raises(ValueError):
        first_below("x", [0.1, 0.2], "PCA", 0.1, when=["one"])


@pytest.mark.parametrize("grid, fc, outcome", [(0.012, 0.027, "holds"), (0.027, 0.012, "mixed"),
                                               (0.0120, 0.0121, "mixed")])
def test_claim_reads_a_compare_verdict_as_a_part(grid: float, fc: float, outcome: str) -> None:
    better = compare("the grid model", grid, "the FC model", fc, spread=0.05)
    verdict = claim("conv reconstructs better with 5× fewer parameters",
                    {"5× fewer parameters": (True, "15× fewer"), "better reconstruction": better})
    assert verdict.outcome == outcome
    evidence = str(better).split(": ", 1)[1].rstrip(".")
    held = "yes" if better.outcome == "wins" else "no"
    assert f"better reconstruction: {held}, {evidence}" in verdict.text
    assert _numbers(evidence)[:2] == pytest.approx(sorted([grid, fc]) if better.outcome != "tie"
                                                   else [grid, fc], rel=1e-2)


def test_rank_says_how_many_runs_each_result_averages():
    from course_utils.verdicts import rank

    close = rank({"step": 0.0291, "one-cycle": 0.0290, "constant": 0.0256}, spread=0.076, runs=3)
    assert close.text.startswith("**Constant comes first**")
    assert "so the means of 3 runs do not settle their order" in close.text
    assert "one run does not settle" in rank({"a": 1.0, "b": 1.01}, spread=0.05).text


@pytest.mark.parametrize(("better", "worse", "lower_is_better", "text"), [
    (0.69, 1.00, True, "31% lower"),      # relative to the worse number, not 1.00/0.69 − 1
    (0.95, 1.00, True, "5% lower"),
    (0.40, 1.00, True, "2.5× lower"),
    (1.45, 1.00, False, "45% higher"),
    (3.00, 1.00, False, "3.0× higher"),
])
def test_ratio_text_says_percentages_relative_to_the_other_number(
        better: float, worse: float, lower_is_better: bool, text: str) -> None:
    assert ratio_text(better, worse, lower_is_better) == text


@given(st.floats(0.01, 100), st.floats(1.0, 1.49))
def test_a_percentage_lower_recovers_the_smaller_number(worse: float, factor: float) -> None:
    better = worse / factor
    percent = float(ratio_text(better, worse, True).split("%")[0])
    assert better == pytest.approx(worse * (1 - percent / 100), abs=0.005 * worse)  # rounding
