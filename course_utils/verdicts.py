"""Findings as sentences: a measured comparison turned into the Markdown a learner reads.

A lesson measures, then says what the measurement shows. When the sentence depends on the
numbers (which model won, by how much), writing it by hand is how a lesson ends up saying
"the autoencoder wins" under a table where PCA won. These functions write the sentence
*from* the numbers, for every outcome: a win, a loss, a tie within the noise, a mixed
result. Each returns a :class:`Verdict`, which Jupyter shows as Markdown::

    compare("the autoencoder", 0.0071, "PCA-32", 0.0156, measure="test MSE")

**The autoencoder wins**: test MSE 0.0071 against PCA-32's 0.0156, 2.2× lower.

What counts as noise is the caller's to say, from a measurement: ``spread`` is the
relative seed-to-seed spread (0.024 for 2.4 %); ``tie_within`` a relative gap the lesson
treats as a tie. A gap inside either is reported as a tie, never as a ranking.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """A finding in one or two sentences of Markdown, and which way it went.

    ``outcome`` is ``"wins"``, ``"loses"``, ``"tie"`` or ``"mixed"`` (from the point of view
    of the first thing compared), so a lesson or a test can act on it without parsing text.
    """

    text: str
    outcome: str

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text.replace("**", "")


def number(value: float, digits: int = 3) -> str:
    """A measured value with ``digits`` significant digits: 0.00711, 18.0, 1,234."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    if abs(value) >= 10 ** digits:
        return f"{value:,.0f}"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def ratio_text(better: float, worse: float, lower_is_better: bool) -> str:
    """How much better, in words: "2.2× lower", "12% higher", "31% lower".

    A percentage is always relative to the other number: 0.69 is 31% lower than 1.00, and
    1.00 is 45% higher than 0.69. From 1.5 times apart on, the ratio reads better ("2.2×").
    """
    if lower_is_better:
        if better <= 0:
            return "lower"
        factor, direction = worse / better, "lower"
        percent = 100 * (worse - better) / worse
    else:
        if worse <= 0:
            return "higher"
        factor, direction = better / worse, "higher"
        percent = 100 * (better - worse) / worse
    if factor >= 1.5:
        return f"{factor:.1f}× {direction}"
    return f"{percent:.0f}% {direction}"


def relative_gap(a: float, b: float) -> float:
    """|a − b| relative to the smaller of the two magnitudes (0 when both are 0)."""
    smaller = min(abs(a), abs(b))
    if smaller == 0:
        return 0.0 if a == b else math.inf
    return abs(a - b) / smaller


def _noise_band(tie_within: float, spread: float | None) -> tuple[float, str]:
    if spread is not None and spread >= tie_within:
        return spread, f"a seed-to-seed spread of {100 * spread:.1f}%"
    return tie_within, f"the {100 * tie_within:.0f}% this lesson counts as noise"


def compare(name: str, value: float, baseline: str, baseline_value: float, *,
            measure: str = "test MSE", lower_is_better: bool = True, tie_within: float = 0.0,
            spread: float | None = None, digits: int = 3) -> Verdict:
    """``name``'s ``measure`` against ``baseline``'s: who wins, by how much, or a tie.

    A relative gap at or below ``tie_within`` or ``spread`` is a tie. A value that is not
    a finite number never wins: the sentence says the run failed.
    """
    a, b = number(value, digits), number(baseline_value, digits)
    if not math.isfinite(value) or not math.isfinite(baseline_value):
        broken = name if not math.isfinite(value) else baseline
        outcome = "loses" if broken == name else "wins"
        return Verdict(f"**No comparison**: {broken}'s {measure} is {value if broken == name else baseline_value}, "
                       f"not a number; that run failed.", outcome)
    band, band_text = _noise_band(tie_within, spread)
    gap = relative_gap(value, baseline_value)
    if gap <= band:
        return Verdict(f"**A tie**: {name}'s {measure} {a} and {baseline}'s {b} differ by "
                       f"{100 * gap:.1f}%, within {band_text}.", "tie")
    first_better = value < baseline_value if lower_is_better else value > baseline_value
    if first_better:
        how = ratio_text(value, baseline_value, lower_is_better)
        return Verdict(f"**{_capital(name)} wins**: {measure} {a} against {baseline}'s {b}, "
                       f"{how}.", "wins")
    how = ratio_text(baseline_value, value, lower_is_better)
    return Verdict(f"**{_capital(baseline)} wins**: {measure} {b} against {name}'s {a}, "
                   f"{how}.", "loses")


def compare_at(name: str, baseline: str, results: Mapping[str, tuple[float, float]], *,
               measure: str = "test MSE", lower_is_better: bool = True,
               tie_within: float = 0.0, spread: float | None = None) -> Verdict:
    """One comparison under several conditions ("at equal steps", "at equal time").

    ``results`` maps each condition to ``(name's value, baseline's value)``. When every
    condition goes the same way, one sentence says so; otherwise the verdict is
    ``"mixed"`` and names the conditions on each side.
    """
    if not results:
        raise ValueError("compare_at needs at least one condition")
    parts = {condition: compare(name, a, baseline, b, measure=measure,
                                lower_is_better=lower_is_better, tie_within=tie_within,
                                spread=spread)
             for condition, (a, b) in results.items()}
    details = "; ".join(f"{condition}: {number(results[condition][0])} against "
                        f"{number(results[condition][1])}" for condition in results)
    outcomes = {verdict.outcome for verdict in parts.values()}
    if len(outcomes) == 1:
        outcome = outcomes.pop()
        conditions = _join(list(results))
        head = {"wins": f"**{_capital(name)} wins {conditions}**",
                "loses": f"**{_capital(baseline)} wins {conditions}**",
                "tie": f"**A tie {conditions}**"}[outcome]
        return Verdict(f"{head} ({measure}, {name} against {baseline}: {details}).", outcome)
    sides = []
    for outcome, phrase in (("wins", f"{name} wins"), ("loses", f"{baseline} wins"),
                            ("tie", "they tie")):
        where = [c for c, v in parts.items() if v.outcome == outcome]
        if where:
            sides.append(f"{phrase} {_join(where)}")
    return Verdict(f"**Mixed**: {', but '.join(sides)} ({measure}, {name} against "
                   f"{baseline}: {details}).", "mixed")


def rank(results: Mapping[str, float], *, measure: str = "test MSE",
         lower_is_better: bool = True, spread: float | None = None,
         tie_within: float = 0.0, runs: int = 1) -> Verdict:
    """Order several results, and say where neighbours are too close to order.

    The outcome is ``"wins"`` when the first place is clear of the second by more than
    the noise band, else ``"tie"``. ``runs`` says how many runs (seeds) each result is
    the mean of; the sentence about an unsettled order names it.
    """
    if len(results) < 2:
        raise ValueError("rank needs at least two results")
    order = sorted(results.items(), key=lambda item: item[1], reverse=not lower_is_better)
    band, band_text = _noise_band(tie_within, spread)
    listing = ", ".join(f"{name} {number(value)}" for name, value in order)
    close = [(a, b) for (a, va), (b, vb) in zip(order, order[1:]) if relative_gap(va, vb) <= band]
    text = f"By {measure}, {'lowest' if lower_is_better else 'highest'} first: {listing}."
    if not close:
        return Verdict(f"**{_capital(order[0][0])} comes first**. {text} Every gap is larger "
                       f"than {band_text}.", "wins")
    pairs = _join([f"{a} and {b}" for a, b in close])
    first_clear = close[0][0] != order[0][0]
    head = (f"**{_capital(order[0][0])} comes first**" if first_clear
            else f"**No clear winner between {order[0][0]} and {order[1][0]}**")
    runs_text = "one run does" if runs == 1 else f"the means of {runs} runs do"
    return Verdict(f"{head}. {text} The gap between {pairs} is within {band_text}, so "
                   f"{runs_text} not settle their order.", "wins" if first_clear else "tie")


def regularizer(name: str, *, with_train: float, with_test: float, without_train: float,
                without_test: float, measure: str = "MSE", overfit_above: float = 0.1,
                tie_within: float = 0.0, spread: float | None = None) -> Verdict:
    """What a regulariser (Dropout, weight decay) did: to the test error, and to the gap.

    Overfitting is a test error well above the training error, both measured the same way
    (eval mode). The verdict compares the test errors with and without ``name``
    (:func:`compare`), says whether the model without it overfits (its gap above
    ``overfit_above`` of its test error), and whether ``name`` narrowed or widened the
    gap, and how: every clause is read from the four numbers, so it holds for any outcome.
    The outcome is :func:`compare`'s, from the point of view of the model with ``name``.
    """
    values = (with_train, with_test, without_train, without_test)
    if not all(math.isfinite(v) for v in values):
        return Verdict(f"**No verdict on {name}**: a training or test {measure} is not a "
                       f"number; that run failed.", "loses")
    test = compare(f"the model with {name}", with_test, f"the model without {name}",
                   without_test, measure=f"test {measure}", tie_within=tie_within,
                   spread=spread)
    gap_without, gap_with = without_test - without_train, with_test - with_train
    relative = gap_without / without_test if without_test > 0 else 0.0
    side = "above" if gap_without >= 0 else "below"
    overfits = relative > overfit_above
    first = (f"Without {name}, the test {measure} is {100 * abs(relative):.0f}% {side} the "
             f"training {measure} ({number(without_test)} against {number(without_train)}, "
             f"both in eval mode): "
             + (f"the model overfits, which is what {name} is meant to reduce."
                if overfits else f"little overfitting for {name} to cure."))
    band, _ = _noise_band(tie_within, spread)
    change = gap_with - gap_without
    gaps = f"the gap ({gap_with:+.4f} with {name} against {gap_without:+.4f} without)"
    if abs(change) <= band * abs(without_test):
        second = f"{_capital(name)} left {gaps} about the same."
    elif change < 0:
        how = {"loses": (f", by raising the training {measure} ({number(with_train)} against "
                         f"{number(without_train)}), not by lowering the test {measure}"),
               "wins": f", and the test {measure} fell with it",
               "tie": f", while the test {measure} stayed within the noise"}[test.outcome]
        second = f"{_capital(name)} narrowed {gaps}{how}."
    else:
        how = {"loses": f" and raised the test {measure}",
               "wins": (f"; the test {measure} fell all the same, because {name} lowered "
                        f"the training {measure} even more"),
               "tie": f", while the test {measure} stayed within the noise"}[test.outcome]
        second = f"{_capital(name)} widened {gaps}{how}."
    return Verdict(f"{test.text} {first} {second}", test.outcome)


def overfitting(name: str, train_error: float, test_error: float, *, measure: str = "MSE",
                tie_within: float = 0.1, spread: float | None = None) -> Verdict:
    """Does ``name`` overfit? Its error on its own training images against new test images.

    Overfitting is a test error well above the *same model's* training error, both measured
    in eval mode (``evaluate(model, train_set)``, never the loss averaged over a training
    epoch). A relative gap, (test − train) / train, at or below ``tie_within`` or
    ``spread`` is no sign of it. The outcome is ``"overfits"`` or ``"fits"`` (no sign of
    overfitting, including a test error below the training error).
    """
    if not math.isfinite(train_error) or not math.isfinite(test_error):
        return Verdict(f"**No verdict on {name}**: its training or test {measure} is not a "
                       f"number; that run failed.", "fits")
    band, band_text = _noise_band(tie_within, spread)
    train, test = number(train_error), number(test_error)
    gap = (test_error - train_error) / train_error if train_error > 0 else math.inf
    if gap > band:
        how = ratio_text(test_error, train_error, lower_is_better=False)
        return Verdict(f"**{_capital(name)} overfits**: its {measure} on new test images, "
                       f"{test}, is {how} than on its own training images, {train} (both in "
                       f"eval mode), beyond {band_text}.", "overfits")
    if gap < -band:
        how = ratio_text(test_error, train_error, lower_is_better=True)
        return Verdict(f"**No sign of overfitting in {name}**: its {measure} on new test images, "
                       f"{test}, is even {how} than on its own training images, {train} (both "
                       f"in eval mode).", "fits")
    return Verdict(f"**No sign of overfitting in {name}**: its {measure} is {train} on its own "
                   f"training images and {test} on new test images (both in eval mode), "
                   f"{100 * abs(gap):.1f}% apart, within {band_text}.", "fits")


def claim(statement: str, parts: Mapping[str, tuple[bool, str] | Verdict]) -> Verdict:
    """Does a claim hold? Each of its parts against a measurement.

    ``parts`` maps each part of the claim ("about 5× fewer parameters") to ``(held,
    evidence)``: whether the measurement supports it, and the measurement in words
    ("15× fewer: 31,885 against 477,748"). A part may also be a :class:`Verdict` from
    :func:`compare`, read from the claim's side: it held if the verdict ``"wins"`` (a tie
    within the noise does not support a claim of "better"), and its sentence is the
    evidence. The outcome is ``"holds"`` when every part held, ``"fails"`` when none did,
    and ``"mixed"`` otherwise.
    """
    if not parts:
        raise ValueError("claim needs at least one part to check")
    parts = {part: ((value.outcome in ("wins", "holds"), str(value).split(": ", 1)[-1].rstrip("."))
                    if isinstance(value, Verdict) else value)
             for part, value in parts.items()}
    held = [part for part, (ok, _) in parts.items() if ok]
    failed = [part for part, (ok, _) in parts.items() if not ok]
    evidence = "; ".join(f"{part}: {'yes' if ok else 'no'}, {text}"
                         for part, (ok, text) in parts.items())
    if not failed:
        head, outcome = "The claim holds", "holds"
    elif not held:
        head, outcome = "The claim does not hold", "fails"
    else:
        head = (f"The claim holds only in part ({_join(held)}, but not "
                f"{_join(failed)})")
        outcome = "mixed"
    return Verdict(f"**{head}**: “{statement}”. {_capital(evidence)}.", outcome)


def first_below(name: str, values: Sequence[float], baseline: str, baseline_value: float, *,
                when: Sequence[str], measure: str = "test MSE") -> Verdict:
    """When a curve first falls below a baseline, or that it never did.

    ``values[i]`` is ``name``'s ``measure`` at the moment ``when[i]`` describes ("after
    epoch 2 of 10, 4 s into training"); lower is better. The outcome is ``"wins"`` when
    some value is below ``baseline_value``, ``"loses"`` when none is.
    """
    if not values or len(values) != len(when):
        raise ValueError(f"first_below needs one description per value, got {len(values)} "
                         f"values and {len(when)} descriptions")
    base = number(baseline_value)
    for value, moment in zip(values, when):
        if math.isfinite(value) and value < baseline_value:
            digits = 3
            while number(value, digits) == number(baseline_value, digits) and digits < 8:
                digits += 1  # show enough digits to see the difference
            return Verdict(f"**{_capital(name)} falls below {baseline}** {moment}: {measure} "
                           f"{number(value, digits)} against {number(baseline_value, digits)}.",
                           "wins")
    finite = [v for v in values if math.isfinite(v)]
    lowest = number(min(finite)) if finite else "not a number"
    return Verdict(f"**{_capital(name)} stays above {baseline}** throughout: its lowest "
                   f"{measure} is {lowest}, against {base}.", "loses")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
