"""Weights (spec section 3) and the survey components C1-C4 (spec section 4) and C5 (2b) as the dbt
models int_population_sector_year, int_respondent_weights, int_survey_components and
int_register_components compute them, on staging tables written by hand. Every expected number is
worked out in the comments.

Method 1.2 (10 respondents of each sex to post-stratify; 1.1 pooled the strata): `weight` is the
pooled weight w' (each survey x sector x year stratum rescaled to sum to its respondent count),
`base_weight` the weight of section 3 before the rescaling; the 1.0 expectations on `weight` now
hold for `base_weight`."""

from pathlib import Path

import pandas as pd
import pytest

from method.reference import CANONICAL_COLUMNS
from tests.method.dbt_harness import query, run_dbt, write_tables

MODELS = ["int_population_sector_year", "int_respondent_weights", "int_survey_components", "int_register_components"]

POPULATION = pd.DataFrame(
    [
        # year, sector_code, sex, employees, fte
        (2024, "SYKEHUS", None, 1000.0, 50.0),
        (2024, "SYKEHUS", "F", 600.0, 30.0),
        (2024, "SYKEHUS", "M", 400.0, 20.0),
        (2025, "NAV", None, 300.0, 250.0),
        (2025, "NAV", "F", 200.0, None),
        (2025, "NAV", "M", 100.0, None),
        (2025, "VGS", None, 500.0, 400.0),  # no split by sex
        (2025, "BARNEHAGE", None, 150.0, 100.0),
        (2025, "BARNEHAGE", "F", 100.0, None),
        (2025, "BARNEHAGE", "M", 50.0, None),
        # SYKEHJEM: F and M rows only, no total row: the total is known (1.1) and so is the fte
        (2025, "SYKEHJEM", "F", 80.0, 60.0),
        (2025, "SYKEHJEM", "M", 20.0, 15.0),
        # BARNEVERN: an F row alone (spec 2b, 1.2): not a total, neither of employees nor of fte
        (2025, "BARNEVERN", "F", 50.0, 40.0),
    ],
    columns=["year", "sector_code", "sex", "employees", "fte"],
).assign(data_status="demonstration", source_id="pop")

OBLIGATIONS = pd.DataFrame(
    [
        ("O-1", 2025, "NAV", "t", "l", "r", 30.0, 10.0, 100.0, None),
        # SYKEHJEM: fte 60 + 15 from its F and M rows
        ("O-2", 2025, "SYKEHJEM", "t", "l", "r", 45.0, 10.0, 100.0, None),
        # SYKEHUS: population of 2024 only -> no fte for 2025: NO_FTE (1.0 took the 2024 fte)
        ("O-3", 2025, "SYKEHUS", "t", "l", "r", 30.0, 10.0, 100.0, None),
        # BARNEVERN: only an F row with fte -> no total: NO_FTE
        ("O-4", 2025, "BARNEVERN", "t", "l", "r", 30.0, 10.0, 100.0, None),
    ],
    columns=[
        "obligation_id",
        "year",
        "sector_code",
        "title",
        "legal_basis",
        "recipient",
        "minutes_per_report",
        "reports_per_year_per_unit",
        "units",
        "source_url",
    ],
).assign(data_status="demonstration", source_id="obl")


def group(survey, year, sector, prefix, count, sex, answers, design_weight=None):
    """``count`` respondents with the same answers (hours_total, hours_doc, unnecessary, duplicate, a1..a3)."""
    return [
        (survey, f"{prefix}{i:02d}", year, sector, sex, *answers, design_weight, "demonstration", survey)
        for i in range(count)
    ]


RESPONDENTS = pd.DataFrame(
    # NAV 2025 (survey W, no design weights): 12 women, 10 men (exactly the 10 per sex of method
    # 1.2), 2 without sex; N_F 200, N_M 100
    group("W", 2025, "NAV", "nf", 12, "F", (40.0, 10.0, 4, 8, 5, 4, 8))
    + group("W", 2025, "NAV", "nm", 10, "M", (50.0, 25.0, 2, 5, 1, 8, 8))
    + group("W", 2025, "NAV", "nn", 2, None, (None, None, 8, None, 3, 3, 3))
    # SYKEHUS 2025: 10 and 10, population of 2024 only (POP_LAGGED)
    + group("W", 2025, "SYKEHUS", "sf", 10, "F", (40.0, 10.0, 4, 5, 5, 5, 5))
    + group("W", 2025, "SYKEHUS", "sm", 10, "M", (40.0, 20.0, 2, 1, 1, 1, 1))
    # VGS: total known, no split by sex -> SECTOR_WEIGHTED
    + group("W", 2025, "VGS", "v", 10, "F", (40.0, 8.0, 1, 1, 1, 1, 1))
    # POLITI: no population at all -> UNWEIGHTED
    + group("W", 2025, "POLITI", "p", 10, "M", (40.0, 8.0, 1, 1, 1, 1, 1))
    # BARNEHAGE: split known but only 9 men answered (< 10, method 1.2) -> SECTOR_WEIGHTED
    + group("W", 2025, "BARNEHAGE", "bf", 10, "F", (40.0, 8.0, 1, 1, 1, 1, 1))
    + group("W", 2025, "BARNEHAGE", "bm", 9, "M", (40.0, 8.0, 1, 1, 1, 1, 1))
    # survey D (2026): every respondent has a design weight -> DESIGN
    + group("D", 2026, "NAV", "d2", 1, "F", (40.0, 10.0, 4, 4, 5, 5, 5), 2.0)
    + group("D", 2026, "NAV", "d3", 1, "M", (40.0, 20.0, 1, 1, 1, 1, 1), 3.0)
    + group("D", 2026, "NAV", "d5", 1, None, (40.0, 0.0, 5, 8, 3, 3, 3), 5.0)
    # SYKEHJEM: only women answered (no post-stratification); the total comes from F + M -> SECTOR_WEIGHTED
    + group("W", 2025, "SYKEHJEM", "h", 10, "F", (40.0, 8.0, 1, 1, 1, 1, 1))
    # BARNEVERN: nobody gave hours -> C1 has n = 0 but keeps its row
    + group("W", 2025, "BARNEVERN", "bv", 3, "F", (None, None, 4, 4, 3, 3, 3))
    # pooling, GRUNNSKOLE 2027: survey A with design weights 50, 100, 150, 300 (all agree, 10 of
    # 40 hours), survey B without design weights and no population (w = 1; all disagree, 20 of 40)
    + group("A", 2027, "GRUNNSKOLE", "a050", 1, "F", (40.0, 10.0, 4, 4, 5, 5, 5), 50.0)
    + group("A", 2027, "GRUNNSKOLE", "a100", 1, "F", (40.0, 10.0, 4, 4, 5, 5, 5), 100.0)
    + group("A", 2027, "GRUNNSKOLE", "a150", 1, "M", (40.0, 10.0, 4, 4, 5, 5, 5), 150.0)
    + group("A", 2027, "GRUNNSKOLE", "a300", 1, "M", (40.0, 10.0, 4, 4, 5, 5, 5), 300.0)
    + group("B", 2027, "GRUNNSKOLE", "b", 6, "F", (40.0, 20.0, 1, 1, 1, 1, 1)),
    columns=[*CANONICAL_COLUMNS, "data_status", "source_id"],
).astype({"year": "int32", "unnecessary": "Int32", "duplicate": "Int32"})
for _c in ("autonomy_1", "autonomy_2", "autonomy_3"):
    RESPONDENTS[_c] = RESPONDENTS[_c].astype("Int32")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("weights") / "warehouse.duckdb"
    write_tables(
        path,
        {
            "staging.stg_surveys__respondents": RESPONDENTS,
            "staging.stg_registers__population": POPULATION,
            "staging.stg_registers__obligations": OBLIGATIONS,
        },
    )
    run_dbt(path, MODELS)
    return path


def weights(warehouse: Path) -> dict[str, dict]:
    rows = query(warehouse, "select * from intermediate.int_respondent_weights")
    return {r["respondent_id"]: r for r in rows}


def components(warehouse: Path) -> dict[tuple, dict]:
    rows = query(warehouse, "select * from intermediate.int_survey_components")
    return {(r["year"], r["sector_code"], r["component_id"]): r for r in rows}


def test_post_stratification_by_sex_with_null_sex_mean_weight(warehouse: Path) -> None:
    w = weights(warehouse)
    assert w["nf00"]["weighting"] == "POSTSTRAT_SEX"
    # 10 men answered: exactly the minimum of method 1.2 (BARNEHAGE's 9 are one short)
    assert w["nm00"]["weighting"] == "POSTSTRAT_SEX"
    assert w["nf00"]["base_weight"] == pytest.approx(200 / 12)  # N_F / n_F
    assert w["nm00"]["base_weight"] == pytest.approx(100 / 10)  # N_M / n_M
    # NULL sex: the mean of the 22 known-sex weights = (12 * 200/12 + 10 * 10) / 22 = 300 / 22
    assert w["nn00"]["base_weight"] == pytest.approx(300 / 22)
    assert w["nn00"]["weighting_flag"] is None and not w["nn00"]["pop_lagged"]
    # pooled weight: rescaled to sum to the stratum's 24 respondents, sum w = 300 + 2 * 300/22
    scale = 24 / (300 + 600 / 22)
    assert w["nf00"]["weight"] == pytest.approx(200 / 12 * scale)
    assert w["nn00"]["weight"] == pytest.approx(300 / 22 * scale)
    stratum = [r["weight"] for r in w.values() if r["survey_id"] == "W" and r["sector_code"] == "NAV"]
    assert sum(stratum) == pytest.approx(24.0)


def test_population_of_an_earlier_year_is_flagged_pop_lagged(warehouse: Path) -> None:
    w = weights(warehouse)
    assert (w["sf00"]["base_weight"], w["sm00"]["base_weight"]) == (pytest.approx(60.0), pytest.approx(40.0))
    # rescaled to the stratum's 20 respondents: 60 * 20 / 1000, 40 * 20 / 1000
    assert (w["sf00"]["weight"], w["sm00"]["weight"]) == (pytest.approx(1.2), pytest.approx(0.8))
    assert w["sf00"]["pop_lagged"] is True
    flags = components(warehouse)[(2025, "SYKEHUS", "C1")]["weighting_flags"]
    assert flags == ["POP_LAGGED"]


def test_sector_weighted_and_unweighted(warehouse: Path) -> None:
    w = weights(warehouse)
    assert (w["v00"]["weighting"], w["v00"]["weight"], w["v00"]["weighting_flag"]) == (
        "SECTOR_WEIGHTED",
        1.0,
        "SECTOR_WEIGHTED",
    )
    # 9 men answered (fewer than 10, method 1.2): no post-stratification although N_F and N_M are known
    assert (w["bm00"]["weighting"], w["bm00"]["weight"]) == ("SECTOR_WEIGHTED", 1.0)
    assert (w["p00"]["weighting"], w["p00"]["weight"], w["p00"]["weighting_flag"]) == ("UNWEIGHTED", 1.0, "UNWEIGHTED")
    c = components(warehouse)
    assert c[(2025, "POLITI", "C1")]["weighting_flags"] == ["UNWEIGHTED"]
    assert c[(2025, "VGS", "C1")]["weighting_flags"] == ["SECTOR_WEIGHTED"]


def test_design_weights_when_every_respondent_has_one(warehouse: Path) -> None:
    w = weights(warehouse)
    assert [w[r]["weighting"] for r in ("d200", "d300", "d500")] == ["DESIGN"] * 3
    assert [w[r]["base_weight"] for r in ("d200", "d300", "d500")] == [2.0, 3.0, 5.0]
    # pooled: 3 respondents, sum 10 -> w' = w * 3 / 10; the ratios below do not change
    assert [w[r]["weight"] for r in ("d200", "d300", "d500")] == [pytest.approx(x) for x in (0.6, 0.9, 1.5)]
    c = components(warehouse)
    # C1 = 100 (2*10 + 3*20 + 5*0) / (10 * 40) = 20; C2 = 100 (2 + 5) / 10 = 70
    assert c[(2026, "NAV", "C1")]["raw_value"] == pytest.approx(20.0)
    assert c[(2026, "NAV", "C2")]["raw_value"] == pytest.approx(70.0)
    # C3: the weight-5 respondent answered "don't know": 100 * 2 / 5 = 40, dk_share 1/3
    assert c[(2026, "NAV", "C3")]["raw_value"] == pytest.approx(40.0)
    assert c[(2026, "NAV", "C3")]["dk_share"] == pytest.approx(100 / 3)
    # n_eff = (2 + 3 + 5)^2 / (4 + 9 + 25) = 100 / 38
    assert c[(2026, "NAV", "C1")]["n_eff"] == pytest.approx(100 / 38)


def test_components_with_dont_know_and_missing_answers(warehouse: Path) -> None:
    c = components(warehouse)
    wf, wm, wn = 200 / 12, 10.0, 300 / 22
    # C1 over women and men (NULL-sex respondents have no hours):
    #   100 * (12 wf 10 + 10 wm 25) / (12 wf 40 + 10 wm 50) = 100 * 4500 / 13000
    c1 = c[(2025, "NAV", "C1")]
    assert c1["raw_value"] == pytest.approx(100 * 4500 / 13000)
    assert c1["n"] == 22
    assert c1["n_eff"] == pytest.approx(300**2 / (12 * wf**2 + 10 * wm**2))
    assert c1["dk_share"] is None
    # C2: women agree (4), men disagree (2), NULL-sex "don't know" (8) is left out
    c2 = c[(2025, "NAV", "C2")]
    assert c2["raw_value"] == pytest.approx(100 * 200 / 300)
    assert c2["n"] == 22
    assert c2["dk_share"] == pytest.approx(100 * 2 / 24)
    # C3: only the men answered 1..5 (5 = very often); women "don't know", NULL-sex no answer
    c3 = c[(2025, "NAV", "C3")]
    assert (c3["raw_value"], c3["n"]) == (pytest.approx(100.0), 10)
    assert c3["dk_share"] == pytest.approx(100 * 12 / 22)
    # C4: women (5, 4, 8) -> 2 valid items, mean 4.5, p = 87.5; men (1, 8, 8) -> 1 valid item: left
    # out; NULL-sex (3, 3, 3) -> p = 50. C4 = 100 - (12 wf 87.5 + 2 wn 50) / (12 wf + 2 wn)
    c4 = c[(2025, "NAV", "C4")]
    assert c4["raw_value"] == pytest.approx(100 - (12 * wf * 87.5 + 2 * wn * 50) / (12 * wf + 2 * wn))
    assert c4["n"] == 14
    # dk_share of C4: code 8 among all answers to the three items: women 12 of 36, men 20 of 30,
    # NULL-sex 0 of 6 -> 32 of 72
    assert c4["dk_share"] == pytest.approx(100 * 32 / 72)


def test_register_component_c5(warehouse: Path) -> None:
    rows = {r["sector_code"]: r for r in query(warehouse, "select * from intermediate.int_register_components")}
    assert set(rows) == {"NAV", "SYKEHJEM", "SYKEHUS", "BARNEVERN"}
    # 30 min * 10 reports * 100 units / 60 / 250 FTE = 2.0 hours per FTE
    assert rows["NAV"]["raw_value"] == pytest.approx(2.0)
    assert rows["NAV"]["weighting_flags"] == []
    assert rows["NAV"]["source_ids"] == ["obl", "pop"]


def test_c5_sector_fte_from_female_and_male_rows(warehouse: Path) -> None:
    row = query(warehouse, "select * from intermediate.int_register_components where sector_code = 'SYKEHJEM'")[0]
    # 45 min * 10 reports * 100 units / 60 = 750 hours, / (60 + 15) fte = 10.0
    assert row["raw_value"] == pytest.approx(10.0)
    assert row["weighting_flags"] == []


def test_c5_needs_the_fte_of_its_own_year(warehouse: Path) -> None:
    """SYKEHUS has population rows for 2024 only: 1.0 divided by the 2024 fte (POP_LAGGED); 1.1
    publishes the row with an empty value and flag NO_FTE."""
    row = query(warehouse, "select * from intermediate.int_register_components where sector_code = 'SYKEHUS'")[0]
    assert (row["year"], row["raw_value"], row["weighting_flags"]) == (2025, None, ["NO_FTE"])
    assert row["source_ids"] == ["obl"]


def test_c5_fte_of_one_sex_row_alone_is_not_a_total(warehouse: Path) -> None:
    """Spec 2b (1.2): the fte total from sex rows needs both the F and the M row; BARNEVERN has an
    F row only (fte 40): its C5 row is published empty with NO_FTE, and its weights are UNWEIGHTED
    (the sector's employee total is not known either)."""
    row = query(warehouse, "select * from intermediate.int_register_components where sector_code = 'BARNEVERN'")[0]
    assert (row["raw_value"], row["weighting_flags"]) == (None, ["NO_FTE"])
    assert weights(warehouse)["bv00"]["weighting"] == "UNWEIGHTED"


def test_sector_total_known_from_female_and_male_rows(warehouse: Path) -> None:
    w = weights(warehouse)
    assert (w["h00"]["weighting"], w["h00"]["weighting_flag"]) == ("SECTOR_WEIGHTED", "SECTOR_WEIGHTED")
    pop = query(warehouse, "select * from intermediate.int_population_sector_year where sector_code = 'SYKEHJEM'")
    assert pop[0]["employees_total"] == pytest.approx(100.0)  # 80 + 20


def test_every_sector_with_respondents_has_c1_to_c4_rows(warehouse: Path) -> None:
    c = components(warehouse)
    for component in ("C1", "C2", "C3", "C4"):
        assert (2025, "BARNEVERN", component) in c
    c1 = c[(2025, "BARNEVERN", "C1")]
    assert (c1["n"], c1["raw_value"], c1["n_eff"]) == (0, None, None)
    assert c[(2025, "BARNEVERN", "C2")]["raw_value"] == pytest.approx(100.0)
    keys = [(y, s) for (y, s, _) in c]
    assert all(keys.count(k) == 4 for k in set(keys))


def test_pooling_two_surveys_rescales_each_stratum_to_its_respondents(warehouse: Path) -> None:
    """Survey A: design weights 50, 100, 150, 300 (sum 600, 4 respondents) -> w' = 1/3, 2/3, 1, 2;
    survey B: 6 respondents with w = 1 -> w' = 1. Without the rescaling survey A would be 600 / 606
    of the cell (C2 = 99.0 %); with it, A counts 4 and B 6."""
    w = weights(warehouse)
    assert [w[r]["weight"] for r in ("a05000", "a10000", "a15000", "a30000")] == [
        pytest.approx(x) for x in (1 / 3, 2 / 3, 1.0, 2.0)
    ]
    assert w["b00"]["weight"] == pytest.approx(1.0) and w["b00"]["weighting"] == "UNWEIGHTED"
    c = components(warehouse)
    # C2: A agrees (w' sum 4), B disagrees (6): 100 * 4 / 10 = 40
    assert c[(2027, "GRUNNSKOLE", "C2")]["raw_value"] == pytest.approx(40.0)
    # C1: 100 * (4 * 10 + 6 * 20) / (10 * 40) = 40
    assert c[(2027, "GRUNNSKOLE", "C1")]["raw_value"] == pytest.approx(40.0)
    # n_eff on w': 10^2 / (1/9 + 4/9 + 1 + 4 + 6 * 1) = 100 / (104 / 9) = 8.654
    for component in ("C1", "C2", "C3", "C4"):
        assert c[(2027, "GRUNNSKOLE", component)]["n"] == 10
        assert c[(2027, "GRUNNSKOLE", component)]["n_eff"] == pytest.approx(900 / 104)
    assert c[(2027, "GRUNNSKOLE", "C2")]["weighting_flags"] == ["UNWEIGHTED"]
    assert c[(2027, "GRUNNSKOLE", "C2")]["source_ids"] == ["A", "B"]
