"""Weights (spec section 3) and the survey components C1-C4 (spec section 4) as the dbt models
int_population_sector_year, int_respondent_weights and int_survey_components compute them, on
staging tables written by hand. Every expected number is worked out in the comments."""

from pathlib import Path

import pandas as pd
import pytest

from sources.reference import CANONICAL_COLUMNS
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
    ],
    columns=["year", "sector_code", "sex", "employees", "fte"],
).assign(data_status="demonstration", source_id="pop")

OBLIGATIONS = pd.DataFrame(
    [("O-1", 2025, "NAV", "t", "l", "r", 30.0, 10.0, 100.0, None)],
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
    # NAV 2025 (survey W, no design weights): 6 women, 5 men, 2 without sex; N_F 200, N_M 100
    group("W", 2025, "NAV", "nf", 6, "F", (40.0, 10.0, 4, 8, 5, 4, 8))
    + group("W", 2025, "NAV", "nm", 5, "M", (50.0, 25.0, 2, 5, 1, 8, 8))
    + group("W", 2025, "NAV", "nn", 2, None, (None, None, 8, None, 3, 3, 3))
    # SYKEHUS 2025: 5 and 5, population of 2024 only (POP_LAGGED)
    + group("W", 2025, "SYKEHUS", "sf", 5, "F", (40.0, 10.0, 4, 5, 5, 5, 5))
    + group("W", 2025, "SYKEHUS", "sm", 5, "M", (40.0, 20.0, 2, 1, 1, 1, 1))
    # VGS: total known, no split by sex -> SECTOR_WEIGHTED
    + group("W", 2025, "VGS", "v", 10, "F", (40.0, 8.0, 1, 1, 1, 1, 1))
    # POLITI: no population at all -> UNWEIGHTED
    + group("W", 2025, "POLITI", "p", 10, "M", (40.0, 8.0, 1, 1, 1, 1, 1))
    # BARNEHAGE: split known but only 4 men answered (< 5) -> SECTOR_WEIGHTED
    + group("W", 2025, "BARNEHAGE", "bf", 6, "F", (40.0, 8.0, 1, 1, 1, 1, 1))
    + group("W", 2025, "BARNEHAGE", "bm", 4, "M", (40.0, 8.0, 1, 1, 1, 1, 1))
    # survey D (2026): every respondent has a design weight -> DESIGN
    + group("D", 2026, "NAV", "d2", 1, "F", (40.0, 10.0, 4, 4, 5, 5, 5), 2.0)
    + group("D", 2026, "NAV", "d3", 1, "M", (40.0, 20.0, 1, 1, 1, 1, 1), 3.0)
    + group("D", 2026, "NAV", "d5", 1, None, (40.0, 0.0, 5, 8, 3, 3, 3), 5.0),
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
    assert w["nf00"]["weight"] == pytest.approx(200 / 6)  # N_F / n_F
    assert w["nm00"]["weight"] == pytest.approx(100 / 5)  # N_M / n_M
    # NULL sex: the mean of the 11 known-sex weights = (6 * 200/6 + 5 * 20) / 11 = 300 / 11
    assert w["nn00"]["weight"] == pytest.approx(300 / 11)
    assert w["nn00"]["weighting_flag"] is None and not w["nn00"]["pop_lagged"]


def test_population_of_an_earlier_year_is_flagged_pop_lagged(warehouse: Path) -> None:
    w = weights(warehouse)
    assert (w["sf00"]["weight"], w["sm00"]["weight"]) == (pytest.approx(120.0), pytest.approx(80.0))
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
    # fewer than 5 men answered: no post-stratification although N_F and N_M are known
    assert (w["bm00"]["weighting"], w["bm00"]["weight"]) == ("SECTOR_WEIGHTED", 1.0)
    assert (w["p00"]["weighting"], w["p00"]["weight"], w["p00"]["weighting_flag"]) == ("UNWEIGHTED", 1.0, "UNWEIGHTED")
    c = components(warehouse)
    assert c[(2025, "POLITI", "C1")]["weighting_flags"] == ["UNWEIGHTED"]
    assert c[(2025, "VGS", "C1")]["weighting_flags"] == ["SECTOR_WEIGHTED"]


def test_design_weights_when_every_respondent_has_one(warehouse: Path) -> None:
    w = weights(warehouse)
    assert [w[r]["weighting"] for r in ("d200", "d300", "d500")] == ["DESIGN"] * 3
    assert [w[r]["weight"] for r in ("d200", "d300", "d500")] == [2.0, 3.0, 5.0]
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
    wf, wm, wn = 200 / 6, 20.0, 300 / 11
    # C1 over women and men (NULL-sex respondents have no hours):
    #   100 * (6 wf 10 + 5 wm 25) / (6 wf 40 + 5 wm 50) = 100 * 4500 / 13000
    c1 = c[(2025, "NAV", "C1")]
    assert c1["raw_value"] == pytest.approx(100 * 4500 / 13000)
    assert c1["n"] == 11
    assert c1["n_eff"] == pytest.approx(300**2 / (6 * wf**2 + 5 * wm**2))
    assert c1["dk_share"] is None
    # C2: women agree (4), men disagree (2), NULL-sex "don't know" (8) is left out
    c2 = c[(2025, "NAV", "C2")]
    assert c2["raw_value"] == pytest.approx(100 * 200 / 300)
    assert c2["n"] == 11
    assert c2["dk_share"] == pytest.approx(100 * 2 / 13)
    # C3: only the men answered 1..5 (5 = very often); women "don't know", NULL-sex no answer
    c3 = c[(2025, "NAV", "C3")]
    assert (c3["raw_value"], c3["n"]) == (pytest.approx(100.0), 5)
    assert c3["dk_share"] == pytest.approx(100 * 6 / 11)
    # C4: women (5, 4, 8) -> 2 valid items, mean 4.5, p = 87.5; men (1, 8, 8) -> 1 valid item: left
    # out; NULL-sex (3, 3, 3) -> p = 50. C4 = 100 - (6 wf 87.5 + 2 wn 50) / (6 wf + 2 wn)
    c4 = c[(2025, "NAV", "C4")]
    assert c4["raw_value"] == pytest.approx(100 - (6 * wf * 87.5 + 2 * wn * 50) / (6 * wf + 2 * wn))
    assert c4["n"] == 8
    # dk_share of C4: code 8 among all answers to the three items: women 6 of 18, men 10 of 15,
    # NULL-sex 0 of 6 -> 16 of 39
    assert c4["dk_share"] == pytest.approx(100 * 16 / 39)


def test_register_component_c5(warehouse: Path) -> None:
    rows = query(warehouse, "select * from intermediate.int_register_components")
    assert len(rows) == 1
    # 30 min * 10 reports * 100 units / 60 / 250 FTE = 2.0 hours per FTE
    assert rows[0]["raw_value"] == pytest.approx(2.0)
    assert rows[0]["weighting_flags"] == []
