"""Method 1.2 section 5 and the Korn-Graubard interval of section 7, on hand-worked cases, through
the kit's adapter ``kit.rules`` (the rules themselves are in the package ``method``).

1.2 changed the relative-width rule to W / min(value, 100 - value) (infinite at 0 and 100): the
value-0 case that 1.1 published is now SUPPRESSED, and 95 % is decided like 5 %."""

import math

import numpy as np
import pytest

from kit import rules


def test_korn_graubard_is_clopper_pearson_at_n_eff() -> None:
    # 15 of 30: the textbook Clopper-Pearson interval (0.3130, 0.6870)
    low, high = rules.korn_graubard(50.0, 30.0)
    assert (round(low, 2), round(high, 2)) == (31.30, 68.70)
    # x* = 0: low = 0, high = 1 - 0.025^(1/n) (the Beta(1, n) quantile, closed form)
    low, high = rules.korn_graubard(0.0, 30.0)
    assert low == 0.0 and high == pytest.approx(100 * (1 - 0.025 ** (1 / 30)), abs=1e-9)
    # x* = n*: the mirror image
    low, high = rules.korn_graubard(100.0, 30.0)
    assert high == 100.0 and low == pytest.approx(100 * 0.025 ** (1 / 30), abs=1e-9)
    # a fractional effective size: 12 "events" of n_eff = 40 (p = 30 %) -- the Beta quantiles
    # Beta^-1(0.025; 12, 29) and Beta^-1(0.975; 13, 28), as published by the method
    from scipy.stats import beta

    low, high = rules.korn_graubard(30.0, 40.0)
    assert low == pytest.approx(100 * beta.ppf(0.025, 12, 29)) and high == pytest.approx(100 * beta.ppf(0.975, 13, 28))
    widths = rules.korn_graubard_widths(np.array([0.0, 30.0, 50.0, 100.0]), 40.0)
    expected = [np.subtract(*reversed(rules.korn_graubard(v, 40.0))) for v in (0.0, 30.0, 50.0, 100.0)]
    assert widths == pytest.approx(expected)


def test_effective_n_is_kish() -> None:
    assert rules.effective_n([1, 1, 1, 1]) == 4
    assert rules.effective_n([1, 3]) == pytest.approx(16 / 10)
    assert rules.effective_n([2.0] * 7) == pytest.approx(7)
    assert rules.effective_n([]) == 0


@pytest.mark.parametrize(
    ("n", "n_eff", "value", "width", "status", "reason"),
    [
        (9, 9.0, 50.0, 10.0, "SUPPRESSED", "n = 9 < 10"),
        (60, 29.9, 50.0, 10.0, "SUPPRESSED", "n_eff = 29.9 < 30"),  # n_eff first, before W
        (60, 30.0, 50.0, 30.0, "SUPPRESSED", "W = 30.00 >= 30"),
        (60, 30.0, 5.0, 6.6, "SUPPRESSED", "W / min(value, 100 - value) = 1.32 > 1.3"),
        (60, 30.0, 95.0, 6.6, "SUPPRESSED", "W / min(value, 100 - value) = 1.32 > 1.3"),  # 1.2: as 5 %
        (60, 30.0, 5.0, 6.5, "published", "all rules pass"),  # 6.5 / 5 = 1.30 is not > 1.30
        (60, 30.0, 95.0, 6.5, "published", "all rules pass"),
        (60, 30.0, 1.0, 5.0, "published", "all rules pass"),  # W = 5 is not > 5
        (60, 30.0, 0.0, 5.0, "published", "all rules pass"),  # W = 5 is not > 5, even at value 0
        (60, 30.0, 0.0, 11.6, "SUPPRESSED", "W / min(value, 100 - value) = inf > 1.3"),  # 1.2: infinite
        (60, 30.0, 100.0, 11.6, "SUPPRESSED", "W / min(value, 100 - value) = inf > 1.3"),
        (60, 30.0, 50.0, 20.0, "LOW_PRECISION", "W = 20.00 >= 20"),
        (60, 30.0, 50.0, 29.99, "LOW_PRECISION", "W = 29.99 >= 20"),  # spec 5: 40.03 - 10.04
        (60, 30.0, 50.0, 19.9, "published", "all rules pass"),
    ],
)
def test_decide_follows_section_5_in_order(n, n_eff, value, width, status, reason) -> None:
    decision = rules.decide(n, n_eff, value, width)
    assert (decision.status, decision.reason.split(" (")[0]) == (status, reason)
    assert decision.publishes == (status != "SUPPRESSED")
    assert rules.publishes(n, n_eff, value, width, clean=True) == (status == "published")


def test_a_share_of_50_percent_at_n_eff_30_is_suppressed_by_width() -> None:
    low, high = rules.korn_graubard(50.0, 30.0)
    assert rules.decide(30, 30.0, 50.0, high - low).reason == f"W = {high - low:.2f} >= 30"
    assert math.isclose(high - low, 37.406, abs_tol=1e-3)
