"""Disclosure control and the NCHS precision rules (spec section 5, method 1.2), normalisation
(6), aggregation, Korn-Graubard and bootstrap intervals with SKEWED, ranks with ties and rank
percentiles (7) and the sensitivity scenarios, as the dbt models int_component_intervals,
int_component_uncertainty, int_components_scored, int_index_draws, int_index_scenarios and
int_index_sector_year compute them from component values and bootstrap replicates written by
hand (B = 5), so every number below is worked out in the comments.

Changed for method 1.1: the cv rules are gone (NAV's cells now exercise the NCHS width rules),
HJEMMETJ's C4 has n_eff 40 (n_eff 20 is now SUPPRESSED, not LOW_PRECISION), C2 and C3 of
SYKEHUS / BARNEHAGE rest on n_eff 1000 (their Korn-Graubard interval at n_eff 100 would be
~20 wide, LOW_PRECISION), and VGS is new (a SKEWED component and index), so GRUNNSKOLE ranks 5th.

Changed for method 1.2: W / min(value, 100 - value) is infinite at a value of 0, so HJEMMETJ's C2
of 0 % rests on n_eff 80 (its Korn-Graubard width 4.5 is not above 5: published, no flag, as its
n_eff 50 and W 7.1 were under 1.1), and SYKEHJEM is new: a C2 of 0 % at n_eff 50 (W 7.1 > 5:
SUPPRESSED, 1.1 published it) and a C3 of 95 % at n_eff 120 (suppressed like 5 %); the S4 rank is
the rank of the median index."""

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import beta

from tests.method.dbt_harness import NO_REVISIONS, query, run_dbt, write_tables

MODELS = [
    "int_component_intervals",
    "int_component_uncertainty",
    "int_components_scored",
    "int_components_revised",
    "int_component_replicates_revised",
    "int_weight_perturbations",
    "int_index_draws",
    "int_index_scenarios",
    "int_index_sector_year",
]
YEAR = 2030


def kg(value: float, n_eff: float) -> tuple[float, float]:
    """The Korn-Graubard interval in per cent, straight from the spec's formula."""
    x = value / 100 * n_eff
    low = 0.0 if x == 0 else beta.ppf(0.025, x, n_eff - x + 1)
    high = 1.0 if x == n_eff else beta.ppf(0.975, x + 1, n_eff - x)
    return 100 * low, 100 * high


# sector -> component -> (raw_value, n, n_eff, replicates); C5 has no n and no replicates
CELLS: dict[str, dict[str, tuple]] = {
    # scores 40, 50, 40, 30 and C5 100 h -> 50: index 0.3*40 + 0.2*50 + 0.15*40 + 0.15*30 + 0.2*50 = 42.5
    # C1 replicates 18..22: C1 score 36..44, replicate indices 41.3, 41.9, 42.5, 43.1, 43.7
    "SYKEHUS": {
        "C1": (20.0, 100, 100.0, [18.0, 19.0, 20.0, 21.0, 22.0]),
        "C2": (50.0, 1000, 1000.0, [50.0] * 5),
        "C3": (40.0, 1000, 1000.0, [40.0] * 5),
        "C4": (30.0, 100, 100.0, [30.0] * 5),
        "C5": (100.0, None, None, None),
    },
    # the same point estimates (a tie at 42.5), replicates of C1 in reverse order
    "BARNEHAGE": {
        "C1": (20.0, 100, 100.0, [22.0, 21.0, 20.0, 19.0, 18.0]),
        "C2": (50.0, 1000, 1000.0, [50.0] * 5),
        "C3": (40.0, 1000, 1000.0, [40.0] * 5),
        "C4": (30.0, 100, 100.0, [30.0] * 5),
        "C5": (100.0, None, None, None),
    },
    # C1 60 % -> CAPPED at 100; C2 0 -> cv empty, KG interval 0 .. 100 (1 - 0.025^(1/80)) = 4.5:
    # W is not above 5, so the relative-width rule (infinite at 0) does not apply -> no flag;
    # C3 n = 9 -> SUPPRESSED; C4 replicates 40, 60, 40, 60, 50 -> interval 40 .. 60, W = 20 -> LOW_PRECISION
    # index (0.3*100 + 0.2*0 + 0.15*50) / 0.65 = 57.6923
    "HJEMMETJ": {
        "C1": (60.0, 50, 50.0, [60.0] * 5),
        "C2": (0.0, 80, 80.0, [0.0] * 5),
        "C3": (30.0, 9, 9.0, [30.0] * 5),
        "C4": (50.0, 50, 40.0, [40.0, 60.0, 40.0, 60.0, 50.0]),
    },
    # NCHS rules: C1 replicates 25, 55, 25, 55, 40 -> interval 25 .. 55, W = 30 -> SUPPRESSED (so no
    # index: C1 missing); C2 60 % at n_eff 60 -> KG interval ~47 .. 72, W ~25 >= 20 -> LOW_PRECISION;
    # C3 10 % at n_eff 30 (not < 30) -> KG 2.1 .. 26.5, W / value ~2.4 > 1.30 -> SUPPRESSED;
    # C4 replicates 22..30 around a value of 20 -> interval 22.2 .. 29.8 leaves out 20 -> SKEWED
    "NAV": {
        "C1": (40.0, 100, 100.0, [25.0, 55.0, 25.0, 55.0, 40.0]),
        "C2": (60.0, 100, 60.0, [60.0] * 5),
        "C3": (10.0, 100, 30.0, [10.0] * 5),
        "C4": (20.0, 100, 100.0, [22.0, 24.0, 26.0, 28.0, 30.0]),
        "C5": (40.0, None, None, None),
    },
    # scores 10, 10, 10 -> index 10 (rank 5, after the tie at rank 2 and VGS)
    "GRUNNSKOLE": {
        "C1": (5.0, 100, 100.0, [5.0] * 5),
        "C2": (10.0, 1000, 1000.0, [10.0] * 5),
        "C3": (10.0, 1000, 1000.0, [10.0] * 5),
    },
    # C1 20 % but every replicate 30 %: SKEWED; index (0.3*40 + 0.2*20 + 0.15*20) / 0.65 = 29.2308,
    # every replicate index (0.3*60 + 4 + 3) / 0.65 = 38.4615: the index interval leaves it out, SKEWED
    "VGS": {
        "C1": (20.0, 100, 100.0, [30.0] * 5),
        "C2": (20.0, 1000, 1000.0, [20.0] * 5),
        "C3": (20.0, 1000, 1000.0, [20.0] * 5),
    },
    # scores 20, 50, 40: index (0.3*20 + 0.2*50 + 0.15*40) / 0.65 = 22 / 0.65 = 33.846; replicate 5
    # has no C2 value (no valid respondent drawn): that replicate aggregates C1 and C3 only,
    # (6 + 6) / 0.45 = 26.667 (not a C2 score of 0, which would give 12 / 0.65 = 18.46);
    # C5 has obligations but no fte: NO_FTE, no value, no score
    "BARNEVERN": {
        "C1": (10.0, 100, 100.0, [10.0] * 5),
        "C2": (50.0, 1000, 1000.0, [50.0, 50.0, 50.0, 50.0, None]),
        "C3": (40.0, 1000, 1000.0, [40.0] * 5),
        "C5": (None, None, None, None),
    },
    # method 1.2, spec 5: C2 0 % at n_eff 50 -> KG 0 .. 7.11, W > 5 and min(0, 100) = 0: the ratio is
    # infinite -> SUPPRESSED; C3 95 % at n_eff 120 -> W ~9.4 > 5, 9.4 / min(95, 5) > 1.30 ->
    # SUPPRESSED (as 5 % would be); no index (INSUFFICIENT)
    "SYKEHJEM": {
        "C2": (0.0, 50, 50.0, [0.0] * 5),
        "C3": (95.0, 200, 120.0, [95.0] * 5),
    },
    # two components only -> INSUFFICIENT; C2 has no valid respondent (n = 0): SUPPRESSED, no value
    "POLITI": {
        "C1": (30.0, 100, 100.0, [30.0] * 5),
        "C2": (None, 0, None, [None] * 5),
        "C5": (20.0, None, None, None),
    },
}


def tables() -> dict[str, pd.DataFrame]:
    survey, register, replicates = [], [], []
    for sector, cells in CELLS.items():
        for component, (value, n, n_eff, reps) in cells.items():
            row = {
                "year": YEAR,
                "sector_code": sector,
                "component_id": component,
                "raw_value": value,
                "n": n,
                "n_eff": n_eff,
                "dk_share": None if component in ("C1", "C5") else 0.0,
                "weighting_flags": ["NO_FTE"] if component == "C5" and value is None else [],
                "source_ids": ["test"],
            }
            (register if component == "C5" else survey).append(row)
            for b, rep in enumerate(reps or [], start=1):
                replicates.append(
                    {"year": YEAR, "sector_code": sector, "component_id": component, "replicate": b, "raw_value": rep}
                )
    survey_frame = pd.DataFrame(survey).astype(
        {"year": "int32", "n": "Int64", "n_eff": "float64", "dk_share": "float64"}
    )
    register_frame = pd.DataFrame(register).astype(
        {"year": "int32", "n": "Int64", "n_eff": "float64", "dk_share": "float64"}
    )
    replicate_frame = pd.DataFrame(replicates).astype({"year": "int32", "replicate": "int32"})
    return {
        "intermediate.int_survey_components": survey_frame,
        "intermediate.int_register_components": register_frame,
        "intermediate.int_component_replicates": replicate_frame,
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scoring") / "warehouse.duckdb"
    frames = tables()
    write_tables(path, frames)
    with_lists = {
        # pandas lists arrive as varchar[] only through an explicit cast
        name: f"select * replace (cast(weighting_flags as varchar[]) as weighting_flags, "
        f"cast(source_ids as varchar[]) as source_ids) from {name}"
        for name in ("intermediate.int_survey_components", "intermediate.int_register_components")
    }
    write_tables(path, with_lists | NO_REVISIONS)
    run_dbt(path, MODELS)
    return path


def scored(warehouse: Path) -> dict[tuple, dict]:
    rows = query(warehouse, "select * from intermediate.int_components_scored")
    return {(r["sector_code"], r["component_id"]): r for r in rows}


def index_rows(warehouse: Path) -> dict[str, dict]:
    return {r["sector_code"]: r for r in query(warehouse, "select * from intermediate.int_index_sector_year")}


def scenarios(warehouse: Path) -> dict[tuple, dict]:
    rows = query(warehouse, "select * from intermediate.int_index_scenarios")
    return {(r["sector_code"], r["scenario_id"]): r for r in rows}


def test_se_cv_and_percentile_interval(warehouse: Path) -> None:
    c1 = scored(warehouse)[("SYKEHUS", "C1")]
    # replicates 18..22: sample sd sqrt(10 / 4); cv = 1.5811 / 20
    assert c1["se"] == pytest.approx(math.sqrt(10 / 4))
    assert c1["cv"] == pytest.approx(math.sqrt(10 / 4) / 20)
    # 2.5th percentile, linear interpolation: h = (5 - 1) 0.025 = 0.1 -> 18 + 0.1 (19 - 18) = 18.1
    assert c1["raw_ci_low"] == pytest.approx(18.1)
    assert c1["raw_ci_high"] == pytest.approx(21.9)  # h = 3.9 -> 21 + 0.9 (22 - 21)
    assert c1["flag_list"] == []


def test_korn_graubard_intervals_for_c2_and_c3(warehouse: Path) -> None:
    s = scored(warehouse)
    # the replicates of C2 / C3 are constant: the interval is the Beta quantiles, not percentiles
    for sector, component in (("SYKEHUS", "C2"), ("SYKEHUS", "C3"), ("NAV", "C2"), ("NAV", "C3")):
        value, _, n_eff, _ = CELLS[sector][component]
        low, high = kg(value, n_eff)
        assert (s[(sector, component)]["raw_ci_low"], s[(sector, component)]["raw_ci_high"]) == (
            pytest.approx(low, rel=1e-12),
            pytest.approx(high, rel=1e-12),
        )
    # x* = 0: low = 0, high = Beta^-1(0.975; 1, 80) = 1 - 0.025^(1/80) in closed form
    hj = s[("HJEMMETJ", "C2")]
    assert hj["raw_ci_low"] == 0.0
    assert hj["raw_ci_high"] == pytest.approx(100 * (1 - 0.025 ** (1 / 80)), rel=1e-12)
    rows = query(
        warehouse, "select interval_method from intermediate.int_component_uncertainty where component_id = 'C2'"
    )
    assert {r["interval_method"] for r in rows} == {"korn_graubard"}


def test_disclosure_and_nchs_precision_rules(warehouse: Path) -> None:
    s = scored(warehouse)
    # W = 55 - 25 = 30 >= 30: SUPPRESSED (though W / value = 0.75)
    assert (s[("NAV", "C1")]["suppressed"], s[("NAV", "C1")]["flag_list"]) == (True, ["SUPPRESSED"])
    assert s[("NAV", "C1")]["normalised"] is None and not s[("NAV", "C1")]["present"]
    low, high = kg(60.0, 60.0)
    assert 20 <= high - low < 30 and (high - low) / 60 < 1.3
    assert s[("NAV", "C2")]["flag_list"] == ["LOW_PRECISION"]
    low, high = kg(10.0, 30.0)
    assert high - low < 30 and (high - low) / 10 > 1.3
    assert s[("NAV", "C3")]["flag_list"] == ["SUPPRESSED"]  # n_eff = 30 passes, the relative width does not
    assert s[("NAV", "C5")]["cv"] is None and s[("NAV", "C5")]["flag_list"] == []
    assert s[("HJEMMETJ", "C3")]["flag_list"] == ["SUPPRESSED"]  # n = 9 < 10
    assert s[("HJEMMETJ", "C4")]["flag_list"] == ["LOW_PRECISION"]  # W = 60 - 40 = 20 exactly
    # value 0: cv is empty and no rule uses it; W = 4.5 is not above 5: published without a flag
    assert s[("HJEMMETJ", "C2")]["cv"] is None and s[("HJEMMETJ", "C2")]["flag_list"] == []
    # method 1.2: value 0 with W = 7.1 > 5: W / min(value, 100 - value) is infinite -> SUPPRESSED
    assert 5 < kg(0.0, 50.0)[1] < 7.2
    assert s[("SYKEHJEM", "C2")]["flag_list"] == ["SUPPRESSED"]
    # 95 % at n_eff 120: the width of 5 % (mirror image), W / 5 > 1.30 -> SUPPRESSED like 5 %
    low, high = kg(95.0, 120.0)
    assert high - low == pytest.approx(kg(5.0, 120.0)[1] - kg(5.0, 120.0)[0], abs=1e-9)
    assert 5 < high - low < 20 and (high - low) / 5 > 1.3 and (high - low) / 95 < 1.3
    assert s[("SYKEHJEM", "C3")]["flag_list"] == ["SUPPRESSED"]
    assert (s[("HJEMMETJ", "C1")]["normalised"], s[("HJEMMETJ", "C1")]["flag_list"]) == (100.0, ["CAPPED"])
    # n = 0: the row is there, without a value, SUPPRESSED
    politi = s[("POLITI", "C2")]
    assert (politi["n"], politi["raw_value"], politi["flag_list"], politi["present"]) == (
        0,
        None,
        ["SUPPRESSED"],
        False,
    )


def test_skewed_percentile_interval_is_published_as_computed(warehouse: Path) -> None:
    s = scored(warehouse)
    nav = s[("NAV", "C4")]
    assert (nav["raw_ci_low"], nav["raw_ci_high"]) == (pytest.approx(22.2), pytest.approx(29.8))
    assert (nav["raw_value"], nav["suppressed"], nav["flag_list"]) == (20.0, False, ["SKEWED"])
    assert s[("VGS", "C1")]["flag_list"] == ["SKEWED"]
    vgs = index_rows(warehouse)["VGS"]
    assert vgs["index"] == pytest.approx(19 / 0.65)
    assert (vgs["index_ci_low"], vgs["index_ci_high"]) == (pytest.approx(25 / 0.65), pytest.approx(25 / 0.65))
    assert vgs["flag_list"] == ["SKEWED"]
    assert index_rows(warehouse)["SYKEHUS"]["flag_list"] == []


def test_index_ranks_with_ties_and_insufficient(warehouse: Path) -> None:
    rows = index_rows(warehouse)
    assert rows["SYKEHUS"]["index"] == pytest.approx(42.5)
    assert rows["BARNEHAGE"]["index"] == pytest.approx(42.5)
    assert rows["HJEMMETJ"]["index"] == pytest.approx(37.5 / 0.65)
    assert rows["GRUNNSKOLE"]["index"] == pytest.approx(10.0)
    ranks = {s: r["rank"] for s, r in rows.items()}
    # ties share the smallest rank; the next rank skips: 1, 2, 2, 4, 5, 6
    assert ranks == {
        "HJEMMETJ": 1,
        "SYKEHUS": 2,
        "BARNEHAGE": 2,
        "BARNEVERN": 4,
        "VGS": 5,
        "GRUNNSKOLE": 6,
        "NAV": None,
        "POLITI": None,
        "SYKEHJEM": None,
    }
    # NAV: C1 suppressed (W = 30) -> no index although 3 components are present (C2, C4, C5)
    assert (rows["NAV"]["n_components"], rows["NAV"]["flag_list"]) == (3, ["INSUFFICIENT"])
    assert (rows["POLITI"]["n_components"], rows["POLITI"]["flag_list"]) == (2, ["INSUFFICIENT"])
    for column in ("index_ci_low", "index_ci_high", "rank_p05", "rank_p95"):
        assert rows["NAV"][column] is None


def test_index_interval_and_rank_percentiles(warehouse: Path) -> None:
    rows = index_rows(warehouse)
    # SYKEHUS replicate indices 41.3, 41.9, 42.5, 43.1, 43.7 (C1 score 2 x replicate, weight 0.3)
    assert rows["SYKEHUS"]["index_ci_low"] == pytest.approx(41.3 + 0.1 * 0.6)
    assert rows["SYKEHUS"]["index_ci_high"] == pytest.approx(43.1 + 0.9 * 0.6)
    # replicate ranks: SYKEHUS 3, 3, 2 (tie with BARNEHAGE), 2, 2 -> 60 % at rank 2, 100 % at 3:
    # rank_p05 = 2 (smallest rank with >= 5 % of the replicates at or above it), rank_p95 = 3
    assert (rows["SYKEHUS"]["rank_p05"], rows["SYKEHUS"]["rank_p95"]) == (2, 3)
    assert (rows["BARNEHAGE"]["rank_p05"], rows["BARNEHAGE"]["rank_p95"]) == (2, 3)
    assert (rows["HJEMMETJ"]["rank_p05"], rows["HJEMMETJ"]["rank_p95"]) == (1, 1)
    assert (rows["GRUNNSKOLE"]["index_ci_low"], rows["GRUNNSKOLE"]["index_ci_high"]) == (
        pytest.approx(10.0),
        pytest.approx(10.0),
    )
    draws = query(
        warehouse,
        "select draw, rank from intermediate.int_index_draws "
        "where scenario_id = 'S0' and sector_code = 'SYKEHUS' order by draw",
    )
    assert [d["rank"] for d in draws] == [2, 3, 3, 2, 2, 2]  # draw 0 is the point estimate


def test_sensitivity_scenarios(warehouse: Path) -> None:
    sc = scenarios(warehouse)
    assert sc[("SYKEHUS", "S0")]["index"] == pytest.approx(42.5)
    # S1 equal weights: (40 + 50 + 40 + 30 + 50) / 5 = 42
    assert sc[("SYKEHUS", "S1")]["index"] == pytest.approx(42.0)
    # S2 survey components only: (0.3*40 + 0.2*50 + 0.15*40 + 0.15*30) / 0.8 = 40.625
    assert sc[("SYKEHUS", "S2")]["index"] == pytest.approx(40.625)
    # S3: (exp(sum w ln(1 + 0.99 I)) - 1) / 0.99 with the default weights (sum 1)
    terms = [(0.3, 40), (0.2, 50), (0.15, 40), (0.15, 30), (0.2, 50)]
    geometric = math.exp(sum(w * math.log(1 + 0.99 * i) for w, i in terms))
    assert sc[("SYKEHUS", "S3")]["index"] == pytest.approx((geometric - 1) / 0.99)
    # equal scores give the score back: GRUNNSKOLE 10, 10, 10 -> 10 in every scenario
    for scenario in ("S0", "S1", "S2", "S3", "S4"):
        assert sc[("GRUNNSKOLE", scenario)]["index"] == pytest.approx(10.0)
    # POLITI has C1 and C5: no index in any scenario; S2 drops C5 of the others (HJEMMETJ keeps 3)
    for scenario in ("S0", "S1", "S2", "S3", "S4"):
        assert sc[("POLITI", scenario)]["index"] is None and sc[("POLITI", scenario)]["rank"] is None
    assert sc[("HJEMMETJ", "S2")]["index"] == pytest.approx(37.5 / 0.65)
    # S4: HJEMMETJ's index is >= 48.1 under any factors in [0.75, 1.25], SYKEHUS's <= 44.1: rank 1 always
    s4 = sc[("HJEMMETJ", "S4")]
    assert (s4["rank"], s4["rank_p05"], s4["rank_p95"]) == (1, 1, 1)
    assert 48.1 <= s4["index"] <= 67.0
    s4_draws = query(
        warehouse,
        "select count(*) as draws, min(index) as low, max(index) as high from intermediate.int_index_draws "
        "where scenario_id = 'S4' and sector_code = 'SYKEHUS'",
    )[0]
    assert s4_draws["draws"] == 1000
    assert 30.0 <= s4_draws["low"] <= 42.5 <= s4_draws["high"] <= 50.0


def test_s4_rank_is_the_rank_of_the_median_index(warehouse: Path) -> None:
    """Method 1.2: the S4 rank is the rank of a sector's median index among the sectors' median
    indices of the year (1 = most burden, ties share the smallest rank), so rank follows index."""
    sc = scenarios(warehouse)
    s4 = {sector: row for (sector, scenario), row in sc.items() if scenario == "S4" and row["index"] is not None}
    medians = sorted({row["index"] for row in s4.values()}, reverse=True)
    for sector, row in s4.items():
        by_hand = 1 + sum(1 for other in s4.values() if other["index"] > row["index"])
        assert row["rank"] == by_hand, sector
    for a in s4.values():
        for b in s4.values():
            if a["index"] > b["index"]:
                assert a["rank"] < b["rank"]
    # SYKEHUS and BARNEHAGE have the same components: the same draws, the same median, one rank
    assert s4["SYKEHUS"]["index"] == s4["BARNEHAGE"]["index"] and s4["SYKEHUS"]["rank"] == s4["BARNEHAGE"]["rank"]
    assert len(medians) == len(s4) - 1
    for sector in ("NAV", "POLITI", "SYKEHJEM"):
        assert sc[(sector, "S4")]["rank"] is None


def test_suppressed_cells_reach_no_index_draw(warehouse: Path) -> None:
    """NAV's suppressed C1 enters neither an index nor a rank; HJEMMETJ's suppressed C3 is in no draw."""
    nav = query(warehouse, "select count(*) as n from intermediate.int_index_draws where sector_code = 'NAV'")
    assert nav[0]["n"] == 0
    hj = query(
        warehouse,
        "select distinct n_components from intermediate.int_index_draws "
        "where sector_code = 'HJEMMETJ' and scenario_id = 'S0'",
    )
    assert [r["n_components"] for r in hj] == [3]


def test_a_cell_or_replicate_without_a_value_has_no_score(warehouse: Path) -> None:
    s = scored(warehouse)
    c5 = s[("BARNEVERN", "C5")]
    assert (c5["raw_value"], c5["normalised"], c5["present"], c5["flag_list"]) == (None, None, False, ["NO_FTE"])
    row = index_rows(warehouse)["BARNEVERN"]
    assert (row["index"], row["n_components"]) == (pytest.approx(22 / 0.65), 3)
    # replicate indices 33.846 x 4 and 26.667: 2.5th percentile 26.667 + 0.1 (33.846 - 26.667)
    assert row["index_ci_low"] == pytest.approx(12 / 0.45 + 0.1 * (22 / 0.65 - 12 / 0.45))
    assert row["index_ci_high"] == pytest.approx(22 / 0.65)
