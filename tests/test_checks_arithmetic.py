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


def test_numpy_and_torch_integers_are_whole_numbers():
    import numpy as np
    import torch

    for three, two in ((np.int64(3), np.int64(2)), (np.int32(3), np.uint8(2)),
                       (torch.tensor(3), torch.tensor(2)), (np.array(3), torch.tensor([2]))):
        result = check_settings("3→7", {"kernel_size": three, "stride": two})
        assert result.passed is True, (three, two, result)
        assert "kernel_size=3, stride=2" in result.message
        assert check_settings("3→7", kernel_size=three, stride=two).passed is True
    for not_whole in (np.float64(3.0), torch.tensor(3.0), torch.tensor([3, 3]), np.True_,
                      torch.tensor(True), True, "3", 3.5):
        result = check_settings("3→7", {"kernel_size": not_whole, "stride": 2})
        assert result.passed is False and "whole number" in result.message, (not_whole, result)


def test_odd_forms_of_an_answer_get_a_reason_not_an_exception():
    from collections import OrderedDict
    from types import MappingProxyType

    assert check_settings("3→7", MappingProxyType({"kernel_size": 3, "stride": 2})).passed
    assert check_settings("3→7", OrderedDict(kernel_size=3, stride=2)).passed
    mixed_keys = check_settings("3→7", {1: 2, "a": 3, None: 4})
    assert mixed_keys.passed is False and "unknown" in mixed_keys.message
    negative = check_settings("7→14", kernel_size=3, stride=2, padding=-1)
    assert negative.passed is False and "refuse" in negative.message
    with pytest.raises(TypeError):
        check_settings(5, kernel_size=3)


def test_a_huge_kernel_that_fits_the_formula_is_not_built():
    """k = 2·10⁹ + 2 with padding 10⁹ takes 7 to 14 by the formula; a real layer would need
    16 EB of weights, so the check trusts the formula there and says so."""
    result = check_settings("7→14", kernel_size=2 * 10**9 + 2, stride=2, padding=10**9)
    assert result.passed is True and "by the formula" in result.message
    assert "real layer" in check_settings("7→14", kernel_size=4, stride=2, padding=1).message
