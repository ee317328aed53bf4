"""Spec section 7 (method 1.2): the Rao-Wu rescaled bootstrap on its boundaries, and the exact
determinism scheme of method/bootstrap.py reproduced independently from its docstring."""

import hashlib
import math

import numpy as np
import pandas as pd
import pytest

from method import bootstrap as mb
from tests.method.models import replicates_model as rm


def stratum(
    answers: list[int], survey_id: str = "S", sector: str = "NAV", ids: list[str] | None = None
) -> pd.DataFrame:
    """One stratum of respondents (weight 1) answering C2 (unnecessary) with ``answers``; C1 from the
    same answers (hours_doc = 10 * answer of 40): a respondent's C2 is 0 (1) or 100 (5)."""
    ids = ids or [f"r{i:03d}" for i in range(len(answers))]
    return pd.DataFrame(
        {
            "survey_id": survey_id,
            "respondent_id": ids,
            "year": 2025,
            "sector_code": sector,
            "weight": 1.0,
            "hours_total": 40.0,
            "hours_doc": [float(a) for a in answers],
            "unnecessary": [float(a) for a in answers],
            "duplicate": np.nan,
            "autonomy_1": np.nan,
            "autonomy_2": np.nan,
            "autonomy_3": np.nan,
        }
    )


def test_two_answers_0_and_100_give_the_rao_wu_variance_2500_not_1250() -> None:
    # y = (0, 100): Rao-Wu draws n_h - 1 = 1 respondent and weighs it 2: every replicate is exactly
    # 0 or 100, each with probability 1/2, so the replicate variance is 2500 = s^2 / n
    # (s^2 = 5000). The naive bootstrap (2 of 2) gives 0, 50, 100 with 1/4, 1/2, 1/4: 1250.
    values = rm.bootstrap_cells(stratum([1, 5]), 4000, seed=3)[(2025, "NAV")][:, 1]
    assert set(values.tolist()) == {0.0, 100.0}
    assert np.var(values) == pytest.approx(2500, rel=0.03)
    assert abs(np.var(values) - 1250) > 1000


def exact_rao_wu_variance_of_a_share(y: np.ndarray) -> float:
    """E over r ~ Multinomial(n - 1, 1/n) of (sum r_i y_i / (n - 1) - mean)^2, enumerated exactly."""
    from itertools import combinations_with_replacement

    n = y.size
    total = 0.0
    count = 0
    for draw in combinations_with_replacement(range(n), n - 1):
        counts = np.bincount(draw, minlength=n)
        ways = math.factorial(n - 1) / math.prod(math.factorial(c) for c in counts)
        total += ways * (counts @ y / (n - 1) - y.mean()) ** 2
        count += ways
    assert count == n ** (n - 1)
    return total / count


def test_the_rao_wu_variance_of_a_small_stratum_is_s2_over_n() -> None:
    # 5 respondents, 2 agree: y = (100, 100, 0, 0, 0); s^2 = 3000, s^2 / n = 600 (naive: 480)
    y = np.array([100.0, 100.0, 0.0, 0.0, 0.0])
    assert exact_rao_wu_variance_of_a_share(y) == pytest.approx(600.0, rel=1e-12)
    assert np.var(y, ddof=1) / y.size == pytest.approx(600.0)
    values = rm.bootstrap_cells(stratum([5, 5, 1, 1, 1]), 20000, seed=4)[(2025, "NAV")][:, 1]
    assert np.var(values) == pytest.approx(600.0, rel=0.03)


def test_a_stratum_of_one_keeps_its_weight_and_consumes_no_draws() -> None:
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state
    terms = np.array([[3.0, 4.0, 5.0]])
    np.testing.assert_array_equal(mb.resample_sums(terms, 7, rng), np.tile(terms, (7, 1)))
    assert rng.bit_generator.state == state
    np.testing.assert_array_equal(mb.replicate_weights(np.array([2.5]), rng, 3), [[2.5], [2.5], [2.5]])
    # pooled with a stratum of two (y = 0, 100): the lone respondent (survey T, agrees) is in
    # every replicate with weight 1, the pair contributes one respondent weighted 2:
    # C2 = 100 * (1 + 2 * [the drawn one agrees]) / 3, so 33.3 or 100 only
    cell = pd.concat([stratum([1, 5]), stratum([5], survey_id="T")], ignore_index=True)
    values = rm.bootstrap_cells(cell, 500, seed=6)[(2025, "NAV")][:, 1]
    assert set(np.round(values, 9).tolist()) == {round(100 / 3, 9), 100.0}


def test_replicate_weights_are_w_times_r_times_n_over_n_minus_1() -> None:
    w = np.array([1.0, 2.0, 0.5, 4.0])
    weights = mb.replicate_weights(w, np.random.default_rng(8), 50)
    counts = mb.draw_counts(np.random.default_rng(8), 4, 50)
    assert (counts.sum(axis=1) == 3).all()  # n_h - 1 draws
    np.testing.assert_allclose(weights, w[None, :] * counts * 4 / 3, rtol=1e-15)


def independent_replicates(frame: pd.DataFrame, replicates: int, seed: int) -> np.ndarray:
    """The C2 replicates of one stratum from the words of method/bootstrap.py only."""
    survey_id, sector_code, year = frame["survey_id"].iloc[0], frame["sector_code"].iloc[0], frame["year"].iloc[0]
    text = f"{survey_id}\x1f{sector_code}\x1f{year}"
    entropy = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, entropy])))
    if "respondent_order" in frame.columns:
        ordered = frame.assign(_id=frame["respondent_id"].astype(str)).sort_values(["respondent_order", "_id"])
    else:
        ordered = frame.sort_values("respondent_id", key=lambda s: s.astype(str))
    n = len(ordered)
    agree = (ordered["unnecessary"].to_numpy() >= 4).astype(float)
    out = []
    for _ in range(replicates):  # one replicate at a time: the next n - 1 values of integers(0, n)
        r = np.bincount(rng.integers(0, n, size=n - 1), minlength=n)
        weight = r * n / (n - 1)
        out.append(100 * (weight * agree).sum() / weight.sum())
    return np.array(out)


def test_an_independent_implementation_of_the_documented_draws_agrees_digit_for_digit() -> None:
    frame = stratum([5, 1, 5, 5, 1, 2, 4, 1, 3, 5, 1, 1, 5])
    ours = rm.bootstrap_cells(frame, 300, seed=20250101)[(2025, "NAV")][:, 1]
    theirs = independent_replicates(frame, 300, 20250101)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13)
    assert np.array_equal(np.round(ours, 9), np.round(theirs, 9))


def test_respondents_are_ordered_by_respondent_order_when_present() -> None:
    answers = [5, 1, 1, 5, 1, 5, 1, 1, 5, 1, 5, 5]
    keyed = stratum(answers, ids=[f"rk_{h:032x}" for h in (9, 3, 7, 1, 11, 5, 0, 8, 2, 10, 4, 6)])
    keyed["respondent_order"] = list(range(1, 13))  # the tool's order, unrelated to the keys
    by_order = rm.bootstrap_cells(keyed, 200, seed=2)[(2025, "NAV")]
    # the same respondents under ids that sort in respondent_order, without the column: same replicates
    plain = stratum(answers, ids=[f"t{i:02d}" for i in range(1, 13)])
    np.testing.assert_array_equal(by_order, rm.bootstrap_cells(plain, 200, seed=2)[(2025, "NAV")])
    # shuffling the rows changes nothing; ordering by the keys instead would
    shuffled = keyed.sample(frac=1.0, random_state=1).reset_index(drop=True)
    np.testing.assert_array_equal(by_order, rm.bootstrap_cells(shuffled, 200, seed=2)[(2025, "NAV")])
    by_key = rm.bootstrap_cells(keyed.drop(columns="respondent_order"), 200, seed=2)[(2025, "NAV")]
    assert not np.array_equal(by_order, by_key)
    np.testing.assert_allclose(by_order[:, 1], independent_replicates(keyed, 200, 2), rtol=1e-13)
