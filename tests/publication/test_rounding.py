from decimal import Decimal

import pytest

from publication.rounding import format_fixed, format_plain, round_half_away


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (2.675, 2, "2.68"),  # binary rounding would give 2.67
        (0.05, 1, "0.1"),
        (-1.25, 1, "-1.3"),
        (0.15, 1, "0.2"),
        (1.45, 1, "1.5"),
        (2.5, 0, "3"),
        (-2.5, 0, "-3"),
        (71.875, 1, "71.9"),
        (0.0005, 3, "0.001"),
        (47.05882352941177, 1, "47.1"),
        (-0.04, 1, "0.0"),  # no negative zero
    ],
)
def test_round_half_away_from_zero_on_repr(value: float, decimals: int, expected: str) -> None:
    assert format_fixed(value, decimals) == expected
    assert round_half_away(value, decimals) == Decimal(expected)


def test_plain_round_would_be_wrong_here() -> None:
    # the reason for the helper: Python's round() works on the binary double
    assert round(2.675, 2) == 2.67
    assert format_fixed(2.675, 2) == "2.68"


def test_missing_and_non_finite() -> None:
    assert format_fixed(None, 1) == ""
    assert format_fixed(float("nan"), 1) == ""
    with pytest.raises(ValueError, match="non-finite"):
        round_half_away(float("inf"), 1)


def test_plain_numbers_keep_their_published_form() -> None:
    assert format_plain(6.9) == "6.9"
    assert format_plain(2587704.0) == "2587704"
    assert format_plain(None) == ""
