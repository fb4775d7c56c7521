"""The "find the settings" challenges of lesson 05 accept right answers and reject wrong ones."""

from __future__ import annotations

import pytest

from course_utils.checks.arithmetic import CHALLENGES, check_settings

RIGHT = {
    "14→28": [dict(kernel_size=3, stride=2, padding=1, output_padding=1)],
    "7→14": [dict(kernel_size=4, stride=2, padding=1),
             dict(kernel_size=3, stride=2, padding=1, output_padding=1),
             dict(kernel_size=2, stride=2)],
    "3→7": [dict(kernel_size=3, stride=2), dict(kernel_size=3, stride=2, padding=1, dilation=2)],
    "28→14": [dict(kernel_size=3, stride=2, padding=1)],
}

WRONG = {
    "14→28": [dict(kernel_size=3, stride=2), dict(kernel_size=3, stride=2, padding=1),
              dict(kernel_size=4, stride=2, padding=1),  # right size, but the kernel is fixed
              dict(kernel_size=3, stride=2, padding=1, output_padding=2)],  # refused by PyTorch
    "7→14": [dict(kernel_size=3, stride=2), dict(kernel_size=3, stride=1)],
    "3→7": [dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=5, stride=1)],
    "28→14": [dict(kernel_size=3, stride=2), dict(kernel_size=3, stride=2, padding=1,
                                                  output_padding=1)],
}


def test_every_challenge_has_right_and_wrong_examples():
    assert set(RIGHT) == set(WRONG) == set(CHALLENGES)


@pytest.mark.parametrize("name", list(RIGHT))
def test_right_answers_pass(name):
    for answer in RIGHT[name]:
        result = check_settings(name, answer)
        assert result.passed is True, (answer, result)
        assert check_settings(name, **answer).passed is True
        assert str(result).startswith("✅")


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answers_fail_with_a_hint_or_reason(name):
    for answer in WRONG[name]:
        result = check_settings(name, answer)
        assert result.passed is False, (answer, result)
        assert not result
        assert len(result.message) > 20


def test_blank_answers_are_not_attempted():
    for blank in (None, ...):
        result = check_settings("14→28", blank)
        assert result.passed is None and "Not attempted" in str(result)


def test_malformed_answers_explain_themselves():
    assert "dict" in check_settings("3→7", [3, 2]).message
    assert "unknown" in check_settings("3→7", dict(kernel_size=3, stride=2, pad=0)).message
    assert "blank" in check_settings("3→7", dict(kernel_size=3, stride=...)).message
    assert "missing" in check_settings("3→7", dict(stride=2)).message
    assert "whole number" in check_settings("3→7", dict(kernel_size=3.0, stride=2)).message
    assert check_settings("3→7", dict(kernel=3, stride=2)).passed is True  # alias
    assert "not both" in check_settings("3→7", dict(kernel_size=3), stride=2).message
    assert check_settings("3->7", kernel_size=3, stride=2).passed is True
    with pytest.raises(ValueError):
        check_settings("5→9", kernel_size=3)
