"""The NumPy part of spec section 7: the stratified Rao-Wu bootstrap of C1-C4 (method 1.2, n_h - 1
draws) in dbt_project/models/intermediate/int_component_replicates.py and method/bootstrap.py, and
the S4 weight draws in int_weight_perturbations.py. Expected numbers are computed by hand in the
comments (tests/method/test_rao_wu.py has the Rao-Wu rules on their boundaries)."""

import math

import duckdb
import numpy as np
import pandas as pd
import pytest

from method import bootstrap as mb
from tests.method.models import perturbations_model as pm
from tests.method.models import replicates_model as rm

NAN = float("nan")


def respondents(rows: list[tuple], survey_id: str = "S", year: int = 2025, sector: str = "NAV") -> pd.DataFrame:
    """rows: (respondent_id, weight, hours_total, hours_doc, unnecessary, duplicate, a1, a2, a3)."""
    frame = pd.DataFrame(
        rows,
        columns=[c for c in rm.RESPONDENT_COLUMNS if c not in ("survey_id", "year", "sector_code")],
    )
    frame.insert(0, "survey_id", survey_id)
    frame.insert(2, "year", year)
    frame.insert(3, "sector_code", sector)
    return frame.astype(
        {c: "float64" for c in frame.columns if c not in ("survey_id", "respondent_id", "year", "sector_code")}
    )


def test_component_terms_and_point_values_by_hand() -> None:
    frame = respondents(
        [
            # id, w, total, doc, unnecessary, duplicate, a1, a2, a3
            ("a", 2.0, 40, 10, 4, 5, 5, 5, 5),  # agrees, duplicates often, p = 100
            ("b", 1.0, 50, 30, 2, 8, 1, 3, 8),  # duplicate "don't know"; C4 from 2 items: mean 2 -> p = 25
            ("c", 1.0, NAN, 5, 8, 1, 8, 8, 4),  # no hours_total: not valid for C1; C4: 1 valid item -> invalid
            ("d", 3.0, 40, 0, NAN, 4, NAN, 2, 2),  # unnecessary NULL; C4: mean 2 -> p = 25
        ]
    )
    terms = rm.component_terms(frame)
    # C1 num/den: w*doc, w*total over a, b, d
    assert terms[:, 0].tolist() == [20.0, 30.0, 0.0, 0.0]
    assert terms[:, 1].tolist() == [80.0, 50.0, 0.0, 120.0]
    # C2: a agrees (w 2), b disagrees (w 1); c is "don't know", d NULL
    assert terms[:, 2].tolist() == [2.0, 0.0, 0.0, 0.0]
    assert terms[:, 3].tolist() == [2.0, 1.0, 0.0, 0.0]
    # C3: a (5) and d (4) often; b don't know; c never
    assert terms[:, 4].tolist() == [2.0, 0.0, 0.0, 3.0]
    assert terms[:, 5].tolist() == [2.0, 0.0, 1.0, 3.0]
    # C4: w*p and w for a, b, d
    assert terms[:, 6].tolist() == [200.0, 25.0, 0.0, 75.0]
    assert terms[:, 7].tolist() == [2.0, 1.0, 0.0, 3.0]
    (value,) = rm.point_values(frame).values()
    # C1 = 100*50/250 = 20; C2 = 100*2/3; C3 = 100*5/6; C4 = 100 - 300/6 = 50
    assert value == pytest.approx([20.0, 200 / 3, 500 / 6, 50.0])


def test_values_from_sums_has_no_value_without_a_valid_respondent() -> None:
    values = rm.values_from_sums(np.array([[1.0, 4.0, 0.0, 0.0, 3.0, 4.0, 0.0, 0.0]]))
    assert values[0, 0] == 25.0 and values[0, 2] == 75.0
    assert math.isnan(values[0, 1]) and math.isnan(values[0, 3])


def tiny_hospital() -> pd.DataFrame:
    """A stratum of 5 women (w 120) and 5 men (w 80) (the SYKEHUS stratum of the e2e inputs under method 1.0)."""
    women = [(f"f{i}", 120.0, 40, 10, 4, 5, 5, 5, 5) for i in range(5)]
    men = [(f"m{i}", 80.0, 40, 20, 2, 8, 1, 1, 8) for i in range(5)]
    return respondents(women + men, sector="SYKEHUS")


def test_replicates_are_the_exact_rao_wu_bootstrap_distribution() -> None:
    """Rao-Wu draws 9 of the 10 respondents; the factor 10/9 is common to the stratum, so a replicate
    with k women drawn (k ~ Binomial(9, 1/2)) has C2 = 100*120k / (120k + 80(9-k)) and
    C1 = 100 (10k + 20(9-k)) 40-weighted: 100 * (1200k + 1600(9-k)) / (4800k + 3200(9-k)).
    The exact sd of C2 over that distribution is 16.27 (the naive bootstrap of 10 draws: 15.41)."""
    from scipy.stats import binom

    cells = rm.bootstrap_cells(tiny_hospital(), 1000, seed=1)
    values = cells[(2025, "SYKEHUS")]
    assert values.shape == (1000, 4)
    possible_c2 = {round(100 * 120 * k / (120 * k + 80 * (9 - k)), 9) for k in range(10)}
    assert {round(v, 9) for v in values[:, 1]} <= possible_c2
    possible_c1 = {round(100 * (1200 * k + 1600 * (9 - k)) / (4800 * k + 3200 * (9 - k)), 9) for k in range(10)}
    assert {round(v, 9) for v in values[:, 0]} <= possible_c1
    np.testing.assert_allclose(values[:, 3], 100 - values[:, 1])
    k = np.arange(10)
    c2 = 100 * 120 * k / (120 * k + 80 * (9 - k))
    pmf = binom.pmf(k, 9, 0.5)
    exact_sd = math.sqrt((pmf * (c2 - (pmf * c2).sum()) ** 2).sum())
    assert exact_sd == pytest.approx(16.27, abs=0.01)
    se = values.std(axis=0, ddof=1)
    assert se[1] == pytest.approx(exact_sd, rel=0.05)  # Monte Carlo error of B = 1000: ~2 % of se
    # the point estimate (60) lies inside the interval
    assert np.quantile(values[:, 1], 0.025) <= 60.0 <= np.quantile(values[:, 1], 0.975)


def test_each_replicate_draws_n_minus_1_respondents_rescaled_by_n_over_n_minus_1() -> None:
    rng = np.random.default_rng(7)
    terms = np.ones((37, 8))
    sums = mb.resample_sums(terms, 50, rng)
    np.testing.assert_allclose(sums, 37.0, rtol=1e-14)  # 36 draws x 37/36
    # with a distinct value per respondent, a replicate's sum is 37/36 x the sum of 36 draws of them
    terms = np.tile(np.arange(37, dtype=float)[:, None], (1, 8))
    sums = mb.resample_sums(terms, 200, np.random.default_rng(7))
    assert len(set(sums[:, 0].tolist())) > 100  # draws differ between replicates
    assert sums[:, 0].mean() == pytest.approx(37 * 18, rel=0.03)


def test_results_do_not_depend_on_the_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = tiny_hospital()
    whole = rm.bootstrap_cells(frame, 300, seed=5)[(2025, "SYKEHUS")]
    monkeypatch.setattr(mb, "CHUNK_ELEMENTS", 25)  # 2 replicates per chunk
    chunked = rm.bootstrap_cells(frame, 300, seed=5)[(2025, "SYKEHUS")]
    np.testing.assert_array_equal(whole, chunked)


def test_results_do_not_depend_on_the_number_of_threads() -> None:
    frame = pd.concat([tiny_hospital(), mixed_frame()], ignore_index=True)
    serial = rm.bootstrap_cells(frame, 200, seed=5, workers=1)
    threaded = rm.bootstrap_cells(frame, 200, seed=5, workers=3)
    assert serial.keys() == threaded.keys()
    for cell in serial:
        np.testing.assert_array_equal(serial[cell], threaded[cell])


def test_bootstrap_is_reproducible_and_prefix_stable() -> None:
    frame = tiny_hospital()
    first = rm.bootstrap_cells(frame, 200, seed=11)[(2025, "SYKEHUS")]
    again = rm.bootstrap_cells(frame, 200, seed=11)[(2025, "SYKEHUS")]
    np.testing.assert_array_equal(first, again)
    # the first 50 replicates of B = 200 are the replicates of B = 50
    np.testing.assert_array_equal(rm.bootstrap_cells(frame, 50, seed=11)[(2025, "SYKEHUS")], first[:50])
    other_seed = rm.bootstrap_cells(frame, 200, seed=12)[(2025, "SYKEHUS")]
    assert not np.array_equal(first, other_seed)


def mixed_frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    parts = []
    for sector, n in (("NAV", 40), ("POLITI", 25), ("VGS", 8)):
        rows = [
            (
                f"{sector}-{i:03d}",
                float(rng.uniform(0.5, 3)),
                40.0,
                float(rng.integers(0, 30)),
                float(rng.choice([1, 2, 3, 4, 5, 8])),
                float(rng.choice([1, 2, 3, 4, 5, 8])),
                float(rng.choice([1, 2, 3, 4, 5, 8])),
                float(rng.choice([1, 2, 3, 4, 5])),
                float(rng.choice([1, 2, 3, 4, 5])),
            )
            for i in range(n)
        ]
        parts.append(respondents(rows, sector=sector))
    return pd.concat(parts, ignore_index=True)


def test_reordering_respondents_changes_nothing() -> None:
    frame = mixed_frame()
    shuffled = frame.sample(frac=1.0, random_state=4).reset_index(drop=True)
    a = rm.bootstrap_cells(frame, 100, seed=2)
    b = rm.bootstrap_cells(shuffled, 100, seed=2)
    assert a.keys() == b.keys()
    for cell in a:
        np.testing.assert_array_equal(a[cell], b[cell])


def test_a_stratum_does_not_depend_on_the_other_strata() -> None:
    """Removing a (suppressed, n = 8) sector's respondents changes no other sector's replicates."""
    frame = mixed_frame()
    with_vgs = rm.bootstrap_cells(frame, 100, seed=2)
    without_vgs = rm.bootstrap_cells(frame[frame["sector_code"] != "VGS"], 100, seed=2)
    assert set(without_vgs) == {(2025, "NAV"), (2025, "POLITI")}
    for cell in without_vgs:
        np.testing.assert_array_equal(with_vgs[cell], without_vgs[cell])


def test_scaling_the_weights_of_a_sector_changes_nothing() -> None:
    frame = mixed_frame()
    scaled = frame.copy()
    nav = scaled["sector_code"] == "NAV"
    scaled.loc[nav, "weight"] *= 2.0  # a power of two: exact in binary floating point
    a = rm.bootstrap_cells(frame, 100, seed=2)
    b = rm.bootstrap_cells(scaled, 100, seed=2)
    for cell in a:
        np.testing.assert_array_equal(a[cell], b[cell])
    scaled.loc[nav, "weight"] *= 3.7
    c = rm.bootstrap_cells(scaled, 100, seed=2)
    np.testing.assert_allclose(c[(2025, "NAV")], a[(2025, "NAV")], rtol=1e-12)


def test_surveys_of_one_year_are_separate_strata_pooled_into_one_cell() -> None:
    first = respondents([(f"a{i}", 1.0, 40, 10, 4, 1, 1, 1, 1) for i in range(12)], survey_id="S1")
    second = respondents([(f"b{i}", 1.0, 40, 30, 2, 1, 5, 5, 5) for i in range(12)], survey_id="S2")
    cells = rm.bootstrap_cells(pd.concat([first, second], ignore_index=True), 200, seed=9)
    assert set(cells) == {(2025, "NAV")}
    # each survey's stratum keeps its 12 respondents in every replicate: C1 is always
    # 100 * (12*10 + 12*30) / (24*40) = 50 and C2 always 50 (only the first survey agrees)
    np.testing.assert_allclose(cells[(2025, "NAV")][:, 0], 50.0)
    np.testing.assert_allclose(cells[(2025, "NAV")][:, 1], 50.0)


def test_stratum_streams_depend_on_the_key_only() -> None:
    assert mb.stratum_entropy("S", "NAV", 2025) == mb.stratum_entropy("S", "NAV", 2025)
    assert mb.stratum_entropy("S", "NAV", 2025) != mb.stratum_entropy("S", "NAV", 2024)
    a = mb.stratum_generator(1, "S", "NAV", 2025).integers(0, 1000, 5)
    b = mb.stratum_generator(1, "S", "NAV", 2025).integers(0, 1000, 5)
    assert a.tolist() == b.tolist()


def test_replicates_table_is_long_with_nulls() -> None:
    cells = {(2025, "NAV"): np.array([[1.0, NAN, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])}
    table = rm.replicates_table(cells)
    assert len(table) == 8
    assert table.iloc[1][["year", "sector_code", "component_id", "replicate"]].tolist() == [2025, "NAV", "C2", 1]
    assert table["raw_value"].isna().tolist() == [False, True] + [False] * 6
    assert table.iloc[7][["component_id", "replicate", "raw_value"]].tolist() == ["C4", 2, 8.0]
    empty = rm.replicates_table({})
    assert len(empty) == 0
    with duckdb.connect() as con:  # typed columns even without rows (no survey in a run)
        con.register("empty", empty)
        types = dict(con.execute("select column_name, column_type from (describe empty)").fetchall())
    assert types == {
        "year": "INTEGER",
        "sector_code": "VARCHAR",
        "component_id": "VARCHAR",
        "replicate": "INTEGER",
        "raw_value": "DOUBLE",
    }
    assert list(rm.replicates_table({}).columns) == ["year", "sector_code", "component_id", "replicate", "raw_value"]


def test_replicate_count_override_and_seed_value() -> None:
    parameters = pd.DataFrame(
        {
            "method_version": ["1.0", "1.0"],
            "parameter": ["bootstrap_replicates", "bootstrap_seed"],
            "value": ["1000", "7"],
        }
    )
    assert rm.replicate_count("", parameters, "1.0") == 1000
    assert rm.replicate_count(None, parameters, "1.0") == 1000
    assert rm.replicate_count("25", parameters, "1.0") == 25
    with pytest.raises(ValueError, match="bootstrap_replicates must be >= 1"):
        rm.replicate_count("0", parameters, "1.0")
    with pytest.raises(ValueError, match=r"no rows for method version '2\.0'"):
        rm.replicate_count("", parameters, "2.0")


def test_perturbed_weights_are_rescaled_uniform_factors() -> None:
    ids = ["C1", "C2", "C3", "C4", "C5"]
    base = np.array([0.30, 0.20, 0.15, 0.15, 0.20])
    draws = pm.perturbed_weights(ids, base, 1000, 0.75, 1.25, seed=3)
    assert draws.shape == (1000, 5)
    np.testing.assert_allclose(draws.sum(axis=1), 1.0)
    # undo the rescaling with C1's factor: the ratios w_dk / w_d1 = (w_k u_k) / (w_1 u_1)
    ratios = (draws / base) / (draws[:, :1] / base[0])
    assert ratios.min() >= 0.75 / 1.25 - 1e-12 and ratios.max() <= 1.25 / 0.75 + 1e-12
    np.testing.assert_array_equal(draws, pm.perturbed_weights(ids, base, 1000, 0.75, 1.25, seed=3))
    table = pm.perturbations_table(ids, draws[:2])
    assert table.iloc[5][["draw", "component_id"]].tolist() == [2, "C1"]
    assert table["weight"].tolist() == draws[:2].reshape(-1).tolist()
    with pytest.raises(ValueError, match="draws must be >= 1"):
        pm.perturbed_weights(ids, base, 0, 0.75, 1.25, seed=3)


def test_intervals_contain_the_point_estimate() -> None:
    frame = mixed_frame()
    frame = frame[frame["sector_code"] != "VGS"]  # n = 8: suppressed anyway
    points = rm.point_values(frame)
    cells = rm.bootstrap_cells(frame, 1000, seed=20250101)
    for cell, point in points.items():
        low = np.nanquantile(cells[cell], 0.025, axis=0)
        high = np.nanquantile(cells[cell], 0.975, axis=0)
        assert (low <= point).all() and (point <= high).all(), (cell, low, point, high)
        assert (low < high).all()


def _in_order(frame: pd.DataFrame, replicates: int, seed: int) -> dict:
    """What the dbt model does: DuckDB sorts the respondents (ordered_sql), bootstrap_in_order reads them."""
    with duckdb.connect() as con:
        relation = con.from_df(frame)
        ordered = relation.query("respondents", rm.ordered_sql("respondents", rm.ORDER_COLUMN in frame.columns)).df()
        strata = relation.query("respondents", rm.strata_sql("respondents")).fetchall()
    assert not set(ordered.columns) & {"survey_id", "respondent_id", "sector_code"}  # numbers only
    return rm.bootstrap_in_order(ordered, strata, replicates, seed)


def test_the_models_sql_order_gives_the_replicates_of_bootstrap_cells_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    # ids whose Python order is by code point: capitals before small letters, "r10" before "r9",
    # letters beyond ASCII (UTF-8 bytes sort as code points), a key that is a prefix of another
    ids = ["r9", "r10", "Z", "a", "Å", "é", "ø", "r1", "r", "ab", "A", "å", "Ø", "r100", "z", "B"]
    frames = []
    for survey, sector, year in (
        ("S2", "NAV", 2025),
        ("S1", "NAV", 2025),
        ("S1", "SYKEHUS", 2025),
        ("S1", "NAV", 2024),
    ):
        n = len(ids)
        frame = respondents(
            [
                (f"{survey}:{i}", float(rng.uniform(0.5, 2)), 37.5, float(rng.integers(0, 30)), *rng.integers(1, 6, 5))
                for i in ids
            ],
            survey,
            year,
            sector,
        )
        frame.loc[rng.random(n) < 0.2, "duplicate"] = 8.0  # don't know
        frame.loc[rng.random(n) < 0.1, "autonomy_2"] = NAN
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    plain = frame.sample(frac=1.0, random_state=3).reset_index(drop=True)
    expected = rm.bootstrap_cells(plain, 60, seed=11)
    got = _in_order(plain, 60, seed=11)
    assert list(got) == list(expected) == [(2024, "NAV"), (2025, "NAV"), (2025, "SYKEHUS")]
    for cell in expected:
        np.testing.assert_array_equal(got[cell], expected[cell])  # NaN where NaN, every bit equal elsewhere
    # with respondent_order (ties broken by the id); one stratum lacks an order: it falls back to the ids
    ordered = plain.assign(respondent_order=rng.integers(1, 6, len(plain)).astype(float))
    unordered = (ordered["survey_id"] == "S1") & (ordered["sector_code"] == "SYKEHUS") & (ordered.index % 5 == 0)
    assert unordered.any()
    ordered.loc[unordered, "respondent_order"] = NAN
    ordered["respondent_order"] = ordered["respondent_order"].astype("Int64")
    expected = rm.bootstrap_cells(ordered, 60, seed=11)
    got = _in_order(ordered, 60, seed=11)
    for cell in expected:
        np.testing.assert_array_equal(got[cell], expected[cell])
    assert not np.array_equal(got[(2025, "NAV")], _in_order(plain, 60, seed=11)[(2025, "NAV")])
    # a mismatch of strata and rows is refused, not read shifted
    with pytest.raises(ValueError, match="the strata count"):
        rm.bootstrap_in_order(plain.iloc[:-1], [("S1", "NAV", 2024, 16)], 5, seed=1)
