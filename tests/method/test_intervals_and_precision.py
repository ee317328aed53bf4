"""The pure functions of int_component_intervals.py and ``method`` (method 1.2, spec sections 5 and 7): the
Korn-Graubard interval against Beta quantiles found independently (bisection on the regularised
incomplete Beta function, closed forms at the edges, a published Clopper-Pearson value), every
NCHS rule on its boundary, SKEWED and the percentile interval."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import betainc

from method import load_parameters
from method.precision import PrecisionRules
from tests.method.models import intervals_model as im

RULES = PrecisionRules.from_parameters(load_parameters("1.2"))


def beta_quantile_by_bisection(q: float, a: float, b: float) -> float:
    """x with I_x(a, b) = q, by bisection on SciPy's regularised incomplete Beta function (not beta.ppf)."""
    low, high = 0.0, 1.0
    for _ in range(200):
        mid = (low + high) / 2
        if betainc(a, b, mid) < q:
            low = mid
        else:
            high = mid
    return (low + high) / 2


@pytest.mark.parametrize(("share", "n_eff"), [(0.4, 8.654), (0.1, 30.0), (0.6, 60.0), (0.5, 1000.0), (0.03, 47.3)])
def test_korn_graubard_equals_independent_beta_quantiles(share: float, n_eff: float) -> None:
    low, high = im.korn_graubard(np.array([share]), np.array([n_eff]))
    x = share * n_eff  # x* = p * n_eff events, not rounded: the Beta quantiles take real parameters
    assert low[0] == pytest.approx(beta_quantile_by_bisection(0.025, x, n_eff - x + 1), abs=1e-12)
    assert high[0] == pytest.approx(beta_quantile_by_bisection(0.975, x + 1, n_eff - x), abs=1e-12)


def test_korn_graubard_matches_the_published_clopper_pearson_interval() -> None:
    # 1 event in 10 trials: the exact (Clopper-Pearson) 95 % interval is 0.0025 .. 0.4450
    low, high = im.korn_graubard(np.array([0.1]), np.array([10.0]))
    assert (round(float(low[0]), 4), round(float(high[0]), 4)) == (0.0025, 0.445)


def test_korn_graubard_edges_x_zero_and_x_equal_n() -> None:
    # x* = 0: low = 0, high = Beta^-1(0.975; 1, n) = 1 - 0.025^(1/n); x* = n*: low = 0.025^(1/n), high = 1
    low, high = im.korn_graubard(np.array([0.0, 1.0]), np.array([50.0, 40.0]))
    assert (low[0], high[1]) == (0.0, 1.0)
    assert high[0] == pytest.approx(1 - 0.025 ** (1 / 50), rel=1e-12)
    assert low[1] == pytest.approx(0.025 ** (1 / 40), rel=1e-12)


def test_korn_graubard_without_a_value_or_n_eff_is_empty() -> None:
    low, high = im.korn_graubard(np.array([np.nan, 0.5, 0.5]), np.array([30.0, np.nan, 0.0]))
    assert np.isnan(low).all() and np.isnan(high).all()


def test_disclosure_rule_n_below_10() -> None:
    assert im.precision_decision(9, 100, 50, 49, 51) == "SUPPRESSED"
    assert im.precision_decision(10, 100, 50, 49, 51) is None
    assert im.precision_decision(0, None, None, None, None) == "SUPPRESSED"  # n = 0: no value at all


def test_nchs_n_eff_below_30() -> None:
    assert im.precision_decision(100, 29.999, 50, 49, 51) == "SUPPRESSED"
    assert im.precision_decision(100, 30.0, 50, 49, 51) is None


def test_nchs_width_30_or_more() -> None:
    # value 60, W / value = 0.5: only the absolute width decides
    assert im.precision_decision(100, 100, 60, 45, 75) == "SUPPRESSED"  # W = 30
    assert im.precision_decision(100, 100, 60, 45, 74.99) == "LOW_PRECISION"  # W = 29.99 >= 20


def test_nchs_relative_width_above_1_30_on_the_smaller_of_value_and_complement() -> None:
    # method 1.2: W / min(value, 100 - value). value 20: W = 26 gives 1.30 exactly (not above):
    # LOW_PRECISION by W >= 20; value 80 (the same evidence worded the other way) alike
    for value, low in ((20, 7), (80, 67)):
        assert im.precision_decision(100, 100, value, low, low + 26) == "LOW_PRECISION"
        assert im.precision_decision(100, 100, value, low, low + 26.01) == "SUPPRESSED"  # 26.01 / 20 > 1.30
    # W must exceed 5: W = 5 with value 2 (ratio 2.5) passes, W = 5.01 does not; 98 alike
    for value in (2, 98):
        assert im.precision_decision(100, 100, value, 0, 5) is None
        assert im.precision_decision(100, 100, value, 0, 5.01) == "SUPPRESSED"
    # value 0 or 100: the minimum is 0, the ratio is infinite: any W > 5 suppresses (1.1 published it)
    for value in (0, 100):
        assert im.precision_decision(100, 100, value, 0, 5) is None
        assert im.precision_decision(100, 100, value, 0, 7.1) == "SUPPRESSED"


def test_spec_example_bounds_10_04_and_40_03_give_low_precision() -> None:
    # spec 5: W = 29.99 on the unrounded bounds (not 30.0 from the rounded 10.0 and 40.0)
    assert 40.03 - 10.04 < 30
    assert im.precision_decision(200, 150, 25.0, 10.04, 40.03) == "LOW_PRECISION"
    assert im.precision_decision(200, 150, 25.0, 10.0, 40.0) == "SUPPRESSED"


def test_a_5_percent_share_and_a_95_percent_share_are_decided_alike() -> None:
    # the Korn-Graubard interval of 5 % mirrors that of 95 %: same W, same decision under 1.2
    for n_eff in (30.0, 60.0, 120.0, 400.0, 1500.0):
        low5, high5 = im.korn_graubard(np.array([0.05]), np.array([n_eff]))
        low95, high95 = im.korn_graubard(np.array([0.95]), np.array([n_eff]))
        assert 100 * (high5[0] - low5[0]) == pytest.approx(100 * (high95[0] - low95[0]), abs=1e-9)
        five = im.precision_decision(1000, n_eff, 5.0, 100 * low5[0], 100 * high5[0], RULES)
        ninety_five = im.precision_decision(1000, n_eff, 95.0, 100 * low95[0], 100 * high95[0], RULES)
        assert five == ninety_five
    # at n_eff 120: W = 9.4 > 5 and 9.4 / 5 > 1.30: both SUPPRESSED (1.1 published 95 %)
    low, high = im.korn_graubard(np.array([0.95]), np.array([120.0]))
    assert im.precision_decision(1000, 120.0, 95.0, 100 * low[0], 100 * high[0], RULES) == "SUPPRESSED"


def test_nchs_low_precision_at_width_20() -> None:
    assert im.precision_decision(100, 100, 50, 40, 60) == "LOW_PRECISION"  # W = 20
    assert im.precision_decision(100, 100, 50, 40, 59.99) is None


def test_the_first_rule_that_applies_decides() -> None:
    # n < 10 suppresses before any interval is looked at, also a narrow one
    assert im.precision_decision(5, 5, 50, 50, 50) == "SUPPRESSED"
    # no interval at all: cannot show precision
    assert im.precision_decision(100, 100, 50, math.nan, math.nan) == "SUPPRESSED"


def test_rules_come_from_the_seed() -> None:
    seed = Path(im.__file__).parents[2] / "seeds" / "method_parameters.csv"
    parameters = pd.read_csv(seed, dtype=str)
    from method import parameters_from_frame

    assert PrecisionRules.from_parameters(parameters_from_frame(parameters, "1.2")) == RULES


def test_skewed_and_percentile_interval() -> None:
    low, high = im.percentile_interval(np.array([22.0, 24.0, 26.0, 28.0, 30.0, np.nan]))
    assert (low, high) == (pytest.approx(22.2), pytest.approx(29.8))
    assert im.is_skewed(20.0, low, high) and not im.is_skewed(25.0, low, high)
    assert not im.is_skewed(22.2, 22.2, 22.2)
    assert np.isnan(im.percentile_interval(np.array([np.nan]))[0])
    assert im.standard_error(np.array([18.0, 19.0, 20.0, 21.0, 22.0])) == pytest.approx(math.sqrt(2.5))


def test_cell_intervals_pick_the_method_by_component() -> None:
    components = pd.DataFrame(
        {
            "year": [2030] * 3,
            "sector_code": ["NAV"] * 3,
            "component_id": ["C1", "C2", "C4"],
            "raw_value": [20.0, 50.0, np.nan],
            "n": [100, 100, 0],
            "n_eff": [100.0, 100.0, np.nan],
        }
    )
    replicates = pd.DataFrame(
        {
            "year": [2030] * 15,
            "sector_code": ["NAV"] * 15,
            "component_id": ["C1"] * 5 + ["C2"] * 5 + ["C4"] * 5,
            "replicate": list(range(1, 6)) * 3,
            "raw_value": [30.0] * 5 + [50.0] * 5 + [np.nan] * 5,
        }
    )
    out = im.cell_intervals(components, replicates, RULES).set_index("component_id")
    assert (out.loc["C1", "interval_method"], bool(out.loc["C1", "skewed"])) == ("percentile", True)
    assert out.loc["C1", "raw_ci_low"] == 30.0 and pd.isna(out.loc["C1", "precision"])
    low, high = im.korn_graubard(np.array([0.5]), np.array([100.0]))
    assert out.loc["C2", "interval_method"] == "korn_graubard"
    assert (out.loc["C2", "raw_ci_low"], out.loc["C2", "raw_ci_high"]) == (100 * low[0], 100 * high[0])
    assert out.loc["C2", "precision"] == "LOW_PRECISION"  # KG at 50 % and n_eff 100: W = 20.3 >= 20
    assert out.loc["C4", "precision"] == "SUPPRESSED" and out.loc["C4", "replicates_valid"] == 0
