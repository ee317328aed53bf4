"""The gate's suites pass valid published tables and name the rule a broken table breaks.

Frames are built by hand (2 sectors x 1 year) with the dtypes DuckDB hands to pandas; each failing
case breaks one rule of spec sections 5-9 and checks that the report names it.
"""

import json
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from expectations.runner import ValidationReport, validate_duckdb_table, validate_frame
from expectations.suites import SUITE_BUILDERS, build_suite
from method.reference import flag_codes, sector_codes
from publication.contracts import (
    COMPONENT_SECTOR_YEAR,
    CONTEXT_SECTOR_YEAR,
    INDEX_SECTOR_YEAR,
    SENSITIVITY,
    TABLES,
    flag_values_with,
    flags_pattern,
)

DTYPES = {"text": "string", "int": "Int64", "dec1": "float64", "dec3": "float64", "plain": "float64"}
N = None  # a NULL cell
IDX, COMP, CTX = "index_sector_year", "component_sector_year", "context_sector_year"


def frame(table: str, rows: list[list]) -> pd.DataFrame:
    """A frame of ``table`` with the published columns and the dtypes DuckDB hands to pandas."""
    contract = TABLES[table]
    df = pd.DataFrame(rows, columns=list(contract), dtype=object)
    return df.astype({column: DTYPES[kind] for column, kind in contract.items()})


def index_row(sector: str, names: tuple[str, str], values: list, flags: str | None) -> list:
    """values: index, index_ci_low, index_ci_high, rank, rank_p05, rank_p95, n_components."""
    return ["demo-1", "1.0", 2025, sector, *names, *values, flags, "demonstration"]


def index_frame() -> pd.DataFrame:
    return frame(
        "index_sector_year",
        [
            index_row("SYKEHUS", ("Sykehus", "Hospitals"), [47.1, 40.0, 55.0, 2, 1, 2, 5], N),
            index_row("NAV", ("NAV", "Labour and welfare"), [71.9, 60.0, 80.0, 1, 1, 2, 4], "UNWEIGHTED"),
        ],
    )


COMPONENTS = {
    "C1": ("DOC_TIME", "% of working hours"),
    "C2": ("UNNECESSARY", "% agreeing"),
    "C3": ("DUPLICATE", "% often or very often"),
    "C4": ("AUTONOMY_DEFICIT", "0..100"),
    "C5": ("SCM_HOURS", "hours per FTE per year"),
}


def component_row(sector: str, component: str, values: list, flags: str | None) -> list:
    """values: raw_value, raw_ci_low, raw_ci_high, normalised, n, n_eff, cv, dk_share."""
    sources = "scm_register" if component == "C5" else "DEMO-2025;demo_population"
    return ["demo-1", 2025, sector, component, *COMPONENTS[component], *values, flags, sources]


def component_frame() -> pd.DataFrame:
    """NAV's C2 is suppressed (n = 8); C5 rows are register hours (> 100 is fine, no n)."""
    weighted = "SECTOR_WEIGHTED"
    return frame(
        "component_sector_year",
        [
            component_row("SYKEHUS", "C1", [27.8, 25.1, 30.2, 55.6, 296, 292.7, 0.05, 0.0], N),
            component_row("SYKEHUS", "C2", [46.9, 41.0, 52.3, 46.9, 295, 291.7, 0.06, 1.7], N),
            component_row("SYKEHUS", "C3", [45.3, 40.1, 50.0, 45.3, 295, 291.7, 0.06, 2.0], N),
            component_row("SYKEHUS", "C4", [38.0, 35.5, 40.2, 38.0, 296, 292.0, 0.03, 0.7], N),
            component_row("SYKEHUS", "C5", [150.4, N, N, 75.2, N, N, N, N], N),
            component_row("NAV", "C1", [35.0, 25.0, 46.0, 70.0, 40, 35.5, 0.2, 0.0], "LOW_PRECISION"),
            component_row("NAV", "C2", [N, N, N, N, 8, N, N, N], f"{weighted};SUPPRESSED"),
            component_row("NAV", "C3", [55.0, 50.0, 60.0, 55.0, 120, 110.5, 0.05, 2.5], weighted),
            component_row("NAV", "C4", [41.0, 38.0, 44.0, 41.0, 120, 110.5, 0.04, 0.0], weighted),
            component_row("NAV", "C5", [73.5, N, N, 36.8, N, N, N, N], "POP_LAGGED"),
        ],
    )


def context_row(sector: str, names: tuple[str, str], indicator: str, value: float | None, status: str | None) -> list:
    nace = "86-88" if sector == "SYKEHUS" else "84"
    if indicator == "EMPLOYED_PERSONS":
        unit, source, table = "persons", "ssb_employment", "t13470"
    else:
        unit, source, table = "% of contracted man-days", "ssb_sickness_absence", "t12440"
    return [
        "demo-1", 2016, "2016K4", sector, *names, indicator, "nb", "en", unit, value, status, nace,
        "Statlig forvaltning", source, table, "demonstration",
    ]  # fmt: skip


def context_frame() -> pd.DataFrame:
    """Sickness absence (%) and employment (persons); one figure withheld by SSB (status ':')."""
    hospitals, nav = ("Sykehus", "Hospitals"), ("NAV", "NAV")
    return frame(
        "context_sector_year",
        [
            context_row("SYKEHUS", hospitals, "SICKNESS_ABSENCE_PCT", 7.9, N),
            context_row("NAV", nav, "SICKNESS_ABSENCE_PCT", 5.1, N),
            context_row("SYKEHUS", hospitals, "EMPLOYED_PERSONS", 118000.0, N),
            context_row("NAV", nav, "EMPLOYED_PERSONS", N, ":"),
        ],
    )


def sensitivity_frame() -> pd.DataFrame:
    r = "demo-1"
    return frame(
        "sensitivity",
        [
            [r, 2025, "SYKEHUS", "S0", 47.1, 2, 1, 2],
            [r, 2025, "NAV", "S0", 71.9, 1, 1, 2],
            [r, 2025, "SYKEHUS", "S1", 49.0, 2, 2, 2],
            [r, 2025, "NAV", "S1", 70.2, 1, 1, 1],
        ],
    )


FRAMES: dict[str, Callable[[], pd.DataFrame]] = {
    "index_sector_year": index_frame,
    "component_sector_year": component_frame,
    "context_sector_year": context_frame,
    "sensitivity": sensitivity_frame,
}


def assert_fails(table: str, df: pd.DataFrame, *needles: str, previous_row_count: int | None = None) -> str:
    """Validate, expect failure, and expect every needle in some failed line; returns the lines."""
    report = validate_frame(table, df, previous_row_count)
    assert not report.success, f"{table} passed but should fail on {needles}"
    assert report.result_json["success"] is False
    message = "\n".join(report.failed)
    for needle in needles:
        assert needle in message, f"{needle!r} not in:\n{message}"
    return message


# --- valid tables ---------------------------------------------------------------------------------


@pytest.mark.parametrize("table", list(FRAMES))
def test_valid_tables_pass(table: str) -> None:
    report = validate_frame(table, FRAMES[table]())
    assert isinstance(report, ValidationReport)
    assert report.success, report.failed
    assert report.failed == []
    assert report.table == table
    assert report.evaluated >= 15
    assert report.result_json["success"] is True
    assert len(report.result_json["results"]) == report.evaluated


def test_insufficient_row_passes() -> None:
    """A sector without an index: no index, no rank, no interval, flagged INSUFFICIENT."""
    df = index_frame()
    df.loc[len(df)] = ["demo-1", "1.0", 2025, "POLITI", "Politi", "Police", N, N, N, N, N, N, 2,
                       "INSUFFICIENT;UNWEIGHTED", "demonstration"]  # fmt: skip
    report = validate_frame(IDX, df)
    assert report.success, report.failed


def test_empty_flags_and_published_status_pass() -> None:
    df = index_frame()
    df.loc[0, "flags"] = ""
    df["data_status"] = "published"
    assert validate_frame(IDX, df).success


def test_suites_are_named_after_their_tables() -> None:
    for table in FRAMES:
        suite = build_suite(table)
        assert suite.name == table
        assert len(suite.expectations) >= 15
    with pytest.raises(KeyError, match="no expectation suite"):
        build_suite("sources")


# --- shared rules -------------------------------------------------------------------------------


def test_duplicate_key() -> None:
    df = index_frame()
    df.loc[1, "sector_code"] = "SYKEHUS"
    assert_fails(IDX, df, "expect_compound_columns_to_be_unique(year, sector_code)")
    df = component_frame()
    df.loc[1, "component_id"] = "C1"
    assert_fails(COMP, df, "expect_compound_columns_to_be_unique(year, sector_code, component_id)")


def test_wrong_column_order_missing_and_extra_columns() -> None:
    df = index_frame()
    swapped = df[["method_version", "release_id", *list(df.columns[2:])]]
    assert_fails(IDX, swapped, "expect_table_columns_to_match_ordered_list", "order differs")
    missing = df.drop(columns=["rank_p05"])
    assert_fails(IDX, missing, "expect_table_columns_to_match_ordered_list", "missing ['rank_p05']")
    extra = component_frame().assign(se=1.0)
    assert_fails(COMP, extra, "unexpected ['se']")


@pytest.mark.parametrize("status", ["maybe", None])
def test_data_status(status: str | None) -> None:
    df = index_frame()
    df.loc[0, "data_status"] = status
    needle = "data_status" if status is None else "expect_column_values_to_be_in_set(data_status"
    message = assert_fails(IDX, df, needle)
    if status:
        assert "'maybe'" in message


def test_keys_and_release_id_not_null() -> None:
    df = context_frame()
    df.loc[0, "release_id"] = None
    assert_fails(CTX, df, "expect_column_values_to_not_be_null(release_id")
    df = component_frame()
    df.loc[0, "component_id"] = None
    assert_fails(COMP, df, "expect_column_values_to_not_be_null(component_id")


def test_year_and_sector_domains() -> None:
    df = index_frame()
    df.loc[0, "year"] = 1999
    assert_fails(IDX, df, "expect_column_values_to_be_between(year")
    df = index_frame()
    df.loc[0, "sector_code"] = "SKOLE"
    assert_fails(IDX, df, "expect_column_values_to_be_in_set(sector_code", "'SKOLE'")


@pytest.mark.parametrize(
    "flags",
    ["SUPPRESSED;CAPPED", "FOO", "SECTOR_WEIGHTED;", "CAPPED;CAPPED", "capped", "CAPPED,SUPPRESSED", ";"],
)
def test_flags_are_known_sorted_distinct_tokens(flags: str) -> None:
    df = index_frame()
    df.loc[1, "flags"] = flags
    assert_fails(IDX, df, "expect_column_values_to_match_regex(flags", repr(flags))


def test_row_count_against_previous_release() -> None:
    message = assert_fails(CTX, context_frame(), previous_row_count=40)
    assert "row count of the previous release's years within 50% of its 40 rows" in message
    assert "observed 4" in message
    assert validate_frame(CTX, context_frame(), previous_row_count=3).success
    assert validate_frame(CTX, context_frame(), previous_row_count=6).success
    assert not validate_frame(CTX, context_frame(), previous_row_count=10).success
    assert validate_frame(CTX, context_frame(), previous_row_count=None).success


def test_a_new_year_is_an_addition_but_a_lost_year_fails_the_row_count() -> None:
    one_year = index_frame()
    assert set(one_year["year"]) == {2025}
    n = len(one_year)
    two_years = pd.concat([one_year, one_year.assign(year=2026)], ignore_index=True)
    # previous release: 2025 only; now 2025 and 2026 (twice the rows): only the 2025 rows are compared
    assert not validate_frame(IDX, two_years, previous_row_count=n).success  # years unknown: +100 %
    assert validate_frame(IDX, two_years, previous_row_count=n, previous_years={2025}).success
    # previous release: 2024, 2025 and 2026 (3n rows); now 2026 only: two lost years are caught
    report = validate_frame(
        IDX, one_year.assign(year=2026), previous_row_count=3 * n, previous_years={2024, 2025, 2026}
    )
    assert not report.success
    assert any(f"within 50% of its {3 * n} rows" in line and f"observed {n}" in line for line in report.failed)


# --- index_sector_year --------------------------------------------------------------------------


@pytest.mark.parametrize("column", ["index", "index_ci_high"])
def test_index_on_0_100(column: str) -> None:
    df = index_frame()
    df.loc[0, column] = 120.0
    assert_fails(IDX, df, f"expect_column_values_to_be_between({column}", "120.0")


def test_index_interval_contains_estimate() -> None:
    df = index_frame()
    df.loc[0, "index_ci_high"] = 45.0  # below the index 47.1
    assert_fails(IDX, df, "expect_column_pair_values_a_to_be_greater_than_b(index_ci_high, index")
    df = index_frame()
    df.loc[0, "index_ci_low"] = 50.0
    assert_fails(IDX, df, "(index, index_ci_low", "unless SKEWED")


def test_skewed_index_interval_may_leave_out_the_estimate() -> None:
    """Spec 7 (method 1.1): a percentile interval that leaves out its estimate is published with flag
    SKEWED, and no check treats that as an error."""
    df = index_frame()
    df.loc[0, ["index_ci_low", "flags"]] = [50.0, "SKEWED"]
    assert validate_frame(IDX, df).success
    df.loc[0, ["index_ci_low", "index_ci_high"]] = [56.0, 55.0]  # still an interval: low <= high
    assert_fails(IDX, df, "(index_ci_high, index_ci_low")


def test_rank_null_exactly_when_index_null() -> None:
    df = index_frame()
    df.loc[0, "rank"] = None
    assert_fails(IDX, df, "expect_column_values_to_not_be_null(rank; where index is not null")
    df = index_frame()
    df.loc[0, ["index", "index_ci_low", "index_ci_high", "flags"]] = [None, None, None, "INSUFFICIENT"]
    assert_fails(IDX, df, "expect_column_values_to_be_null(rank; where index is null")
    df = index_frame()
    df.loc[0, "rank"] = 0
    assert_fails(IDX, df, "expect_column_values_to_be_between(rank")


def test_insufficient_exactly_when_index_null() -> None:
    df = index_frame()
    df.loc[0, "flags"] = "INSUFFICIENT"
    assert_fails(IDX, df, "expect_column_values_to_be_null(index; where flags has INSUFFICIENT")
    df = index_frame()
    df.loc[0, ["index", "index_ci_low", "index_ci_high", "rank", "rank_p05", "rank_p95"]] = [None] * 6
    assert_fails(IDX, df, "expect_column_values_to_not_be_null(index; where flags lacks INSUFFICIENT")


def test_n_components() -> None:
    df = index_frame()
    df.loc[0, "n_components"] = 6
    assert_fails(IDX, df, "expect_column_values_to_be_between(n_components")
    df = index_frame()
    df.loc[0, "n_components"] = 2
    assert_fails(IDX, df, "n_components", "where index is not null")


# --- component_sector_year ----------------------------------------------------------------------


def test_suppressed_cell_publishes_no_value() -> None:
    for column in ("raw_value", "raw_ci_low", "raw_ci_high", "normalised"):
        df = component_frame()
        df.loc[6, column] = 42.0
        assert_fails(COMP, df, f"expect_column_values_to_be_null({column}; where flags has SUPPRESSED")


def test_n_at_least_10_behind_a_published_value() -> None:
    df = component_frame()
    df.loc[0, "n"] = 5
    assert_fails(COMP, df, "expect_column_values_to_be_between(n; min_value=10", "[5]")
    df = component_frame()
    df.loc[6, "n"] = 5  # a suppressed cell may rest on 5 respondents
    assert validate_frame(COMP, df).success


def test_raw_value_ranges() -> None:
    df = component_frame()
    df.loc[0, "raw_value"] = 120.0  # C1 is a share of hours
    assert_fails(COMP, df, "expect_column_values_to_be_between(raw_value", "component_id in C1..C4")
    df = component_frame()
    df.loc[4, "raw_value"] = -1.0  # C5 hours
    assert_fails(COMP, df, "raw_value", "where component_id = C5")
    df = component_frame()
    df.loc[0, "normalised"] = 100.5
    assert_fails(COMP, df, "expect_column_values_to_be_between(normalised")


def test_raw_interval_contains_estimate() -> None:
    df = component_frame()
    df.loc[0, "raw_ci_low"] = 28.0  # above the value 27.8
    assert_fails(COMP, df, "(raw_value, raw_ci_low", "unless SKEWED")
    df.loc[0, "flags"] = "SKEWED"  # spec 7 (1.1): published as computed, not an error
    assert validate_frame(COMP, df).success


def test_precision_columns() -> None:
    df = component_frame()
    df.loc[0, "cv"] = -0.1
    assert_fails(COMP, df, "expect_column_values_to_be_between(cv")
    df = component_frame()
    df.loc[0, "cv"] = 0.5  # suppressed under method 1.0; since 1.1 no rule uses cv
    assert validate_frame(COMP, df).success
    df = component_frame()
    df.loc[0, "n_eff"] = 29.9  # spec 5 (1.1, NCHS): n_eff < 30 is suppressed
    assert_fails(COMP, df, "expect_column_values_to_be_between(n_eff; min_value=30")
    df = component_frame()
    df.loc[0, "dk_share"] = 150.0
    assert_fails(COMP, df, "expect_column_values_to_be_between(dk_share")


def test_unknown_component() -> None:
    df = component_frame()
    df.loc[0, "component_id"] = "C6"
    assert_fails(COMP, df, "expect_column_values_to_be_in_set(component_id", "'C6'")


# --- context_sector_year and sensitivity -------------------------------------------------------


def test_context_rules() -> None:
    df = context_frame()
    df.loc[0, "value"] = 150.0
    assert_fails(CTX, df, "expect_column_values_to_be_between(value", "150.0", "unit is a %")
    df = context_frame()
    df.loc[3, "status"] = None  # neither a number nor a status symbol
    assert_fails(CTX, df, "expect_column_values_to_not_be_null(value; where status is null")
    df = context_frame()
    df.loc[0, "period"] = "2016Q4"
    assert_fails(CTX, df, "expect_column_values_to_match_regex(period")


def test_sensitivity_rules() -> None:
    df = sensitivity_frame()
    df.loc[0, "scenario_id"] = "S9"
    assert_fails("sensitivity", df, "expect_column_values_to_be_in_set(scenario_id")
    df = sensitivity_frame()
    df.loc[0, ["rank_p05", "rank_p95"]] = [3, 1]
    assert_fails("sensitivity", df, "(rank_p95, rank_p05")
    df = sensitivity_frame()
    df.loc[0, ["index", "rank"]] = [None, None]  # no index in the scenario, but a rank interval
    assert_fails("sensitivity", df, "expect_column_values_to_be_null(rank_p05; where index is null")
    df = sensitivity_frame()
    df.loc[1, "rank_p95"] = None
    assert_fails("sensitivity", df, "expect_column_values_to_not_be_null(rank_p95; where index is not null")


# --- runner and contracts -----------------------------------------------------------------------


def test_validate_duckdb_table_and_write_json(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts")
        con.register("frame", component_frame())
        con.execute("create table marts.component_sector_year as select * from frame")
    report = validate_duckdb_table(db, "marts.component_sector_year", "component_sector_year")
    assert report.success, report.failed
    bad = component_frame()
    bad.loc[1, "component_id"] = "C1"
    with duckdb.connect(str(db)) as con:
        con.register("bad", bad)
        con.execute("create table marts.bad as select * from bad")
    report = validate_duckdb_table(db, "marts.bad", "component_sector_year", previous_row_count=10)
    assert not report.success
    out = tmp_path / "validation" / "component_sector_year.json"
    report.write_json(out)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["success"] is False
    assert document["failed"] == report.failed
    assert document["result"]["statistics"]["evaluated_expectations"] == report.evaluated


def test_contracts_match_spec_section_9() -> None:
    assert list(INDEX_SECTOR_YEAR) == [
        "release_id", "method_version", "year", "sector_code", "sector_nb", "sector_en", "index",
        "index_ci_low", "index_ci_high", "rank", "rank_p05", "rank_p95", "n_components", "flags",
        "data_status",
    ]  # fmt: skip
    assert list(COMPONENT_SECTOR_YEAR) == [
        "release_id", "year", "sector_code", "component_id", "component_name", "unit", "raw_value",
        "raw_ci_low", "raw_ci_high", "normalised", "n", "n_eff", "cv", "dk_share", "flags", "source_ids",
    ]  # fmt: skip
    assert list(SENSITIVITY) == [
        "release_id", "year", "sector_code", "scenario_id", "index", "rank", "rank_p05", "rank_p95"
    ]  # fmt: skip
    assert list(CONTEXT_SECTOR_YEAR) == [
        "release_id", "year", "period", "sector_code", "sector_nb", "sector_en", "indicator_id",
        "indicator_nb", "indicator_en", "unit", "value", "status", "nace_code", "ssb_sector", "source_id",
        "source_table", "data_status",
    ]  # fmt: skip
    assert sector_codes() == (
        "SYKEHUS", "SYKEHJEM", "HJEMMETJ", "BARNEHAGE", "GRUNNSKOLE", "VGS", "NAV", "BARNEVERN", "POLITI"
    )  # fmt: skip
    assert list(flag_codes()) == sorted(flag_codes())
    assert len(flag_values_with("SUPPRESSED")) == 2 ** (len(flag_codes()) - 1)
    assert "SECTOR_WEIGHTED;SUPPRESSED" in flag_values_with("SUPPRESSED")
    pattern = re.compile(flags_pattern())
    assert all(pattern.match(value) for value in flag_values_with("CAPPED"))
    assert pattern.match("")
    assert not pattern.match("SUPPRESSED;CAPPED")


# --- types, ranks against the index, intervals still empty (added by the publication issue) -------


def test_column_types() -> None:
    df = index_frame()
    df["index"] = df["index"].astype(str)  # a number column arriving as text
    assert_fails(IDX, df, "expect_column_values_to_be_in_type_list(index", "index is dec1")
    df = index_frame()
    df["sector_code"] = pd.Series([1, 2], dtype="int64")
    assert_fails(IDX, df, "expect_column_values_to_be_in_type_list(sector_code")


def test_duckdb_dtypes_pass() -> None:
    """The dtypes DuckDB really hands over (pandas 'str', int32 years, Int64 ranks) pass the type rules."""
    with duckdb.connect() as con:
        con.register("frame", index_frame())
        df = con.execute(
            "select * replace (cast(year as integer) as year, cast(n_components as bigint) as n_components) from frame"
        ).df()
    assert validate_frame(IDX, df).success


def test_higher_index_never_has_a_worse_rank() -> None:
    df = index_frame()
    df.loc[:, "rank"] = [1, 2]  # SYKEHUS 47.1 ranked above NAV 71.9
    message = assert_fails(IDX, df, "expect_column_pair_values_to_be_equal(rank, rank_from_index", "ranks follow")
    assert "[2, 1]" in message or "(2, 1)" in message or "2 unexpected" in message
    df = index_frame()
    df.loc[:, "rank"] = [2, 2]  # no sector ranked 1
    assert_fails(IDX, df, "rank_from_index")


def test_ties_share_the_smallest_rank_and_years_rank_apart() -> None:
    df = index_frame()
    df.loc[:, "index"] = [60.0, 60.0]
    df.loc[:, ["index_ci_low", "index_ci_high"]] = [[50.0, 70.0], [50.0, 70.0]]
    df.loc[:, "rank"] = [1, 1]
    assert validate_frame(IDX, df).success
    df.loc[:, "rank"] = [1, 2]
    assert_fails(IDX, df, "rank_from_index")
    two_years = pd.concat([index_frame(), index_frame().assign(year=2026, index=[80.0, 10.0], rank=[1, 2])])
    two_years["index_ci_low"], two_years["index_ci_high"] = float("nan"), float("nan")
    two_years = two_years.reset_index(drop=True)
    report = validate_frame(IDX, two_years)
    assert report.success, report.failed


def test_sensitivity_ranks_follow_the_index_within_scenario() -> None:
    df = sensitivity_frame()
    df.loc[2, "rank"] = 1  # S1: SYKEHUS 49.0 ranked with NAV 70.2
    assert_fails("sensitivity", df, "rank_from_index")


def test_sensitivity_s4_median_rank_may_differ_from_the_order_of_median_indices() -> None:
    """S4 publishes two separate medians over the weight draws (spec 7); nearly tied sectors can have
    median ranks in the other order than their median indices (seen in the 2023 demonstration data)."""
    df = sensitivity_frame()
    s4 = pd.DataFrame(
        [["demo-1", 2025, "SYKEHUS", "S4", 31.15, 1, 1, 2], ["demo-1", 2025, "NAV", "S4", 31.21, 2, 1, 2]],
        columns=df.columns,
    )
    both = pd.concat([df, s4]).reset_index(drop=True).astype(df.dtypes.to_dict())
    report = validate_frame("sensitivity", both)
    assert report.success, report.failed


def test_empty_intervals_pass_until_the_bootstrap_fills_them() -> None:
    """Today the marts publish index_ci_* and rank_p* as NULL: accepted, with the estimate present."""
    df = index_frame()
    df["index_ci_low"], df["index_ci_high"] = float("nan"), float("nan")
    df["rank_p05"], df["rank_p95"] = pd.NA, pd.NA
    report = validate_frame(IDX, df.astype({"rank_p05": "Int64", "rank_p95": "Int64"}))
    assert report.success, report.failed
    assert report.result_json["statistics"]["evaluated_expectations"] == report.evaluated
    assert len(report.result_json["results"]) == report.evaluated


def test_markdown_summary_of_a_failed_validation() -> None:
    df = index_frame()
    df.loc[:, "rank"] = [1, 2]
    report = validate_frame(IDX, df)
    text = report.markdown("demo-rbi-1.0-x")
    assert text.startswith("# Quality gate: `index_sector_year` FAILED — nothing was published")
    assert "Release attempt: `demo-rbi-1.0-x`" in text
    assert f"{report.evaluated} expectations evaluated, {len(report.failed)} failed." in text
    assert "- expect_column_pair_values_to_be_equal(rank, rank_from_index" in text
    assert ValidationReport("t", True, 3).markdown().startswith("# Quality gate: `t` passed")


# --- how the suites are built (the gate's time per run) --------------------------------------------


def _identity(expectation: object) -> tuple:
    """What GX's ``add_expectation`` compares to drop a repeated expectation (not the meta)."""
    config = expectation.dict(exclude={"id", "rendered_content", "notes", "meta"})  # type: ignore[attr-defined]
    return expectation.expectation_type, json.dumps(config, sort_keys=True, default=str)  # type: ignore[attr-defined]


@pytest.mark.parametrize("table", sorted(SUITE_BUILDERS))
def test_no_suite_repeats_an_expectation(table: str) -> None:
    """Suites are built by their constructor, which keeps repeats that ``add_expectation`` drops:
    so the builders must never repeat one (the evaluated count would change)."""
    identities = [_identity(e) for e in build_suite(table).expectations]
    assert len(identities) == len(set(identities))


FLAG_POOL = [
    None,
    "",
    "SUPPRESSED",
    "SECTOR_WEIGHTED;SUPPRESSED",
    "SKEWED",
    "INSUFFICIENT;SKEWED",
    "CAPPED;LOW_PRECISION;SKEWED;SUPPRESSED",
    "SUPPRESSED;CAPPED",  # unsorted: fails the flags regex, holds SUPPRESSED all the same
    "XSUPPRESSED",  # not a flag: holds no flag
    "UNWEIGHTED",
]


@pytest.mark.parametrize("seed", [20261207])
@pytest.mark.parametrize("table", [IDX, COMP])
def test_suite_of_the_flags_seen_gives_the_verdicts_of_the_suite_of_any_frame(table: str, seed: int) -> None:
    """A row condition on a flag lists the flags values seen in the frame instead of all 512 valid
    values that hold it: every expectation succeeds or fails as with the general suite."""
    import random

    from expectations.runner import _batch_definition, _context

    rng = random.Random(seed)
    df = FRAMES[table]()
    flags = [rng.choice(FLAG_POOL) for _ in range(len(df))]
    flags[0] = "INSUFFICIENT;SKEWED" if table == IDX else "CAPPED;LOW_PRECISION;SKEWED;SUPPRESSED"  # a value: fails
    df["flags"] = pd.array(flags, dtype="string").astype(object)
    _context()
    seen = frozenset(v for v in df["flags"].dropna().unique())
    verdicts = []
    for flags_seen in (None, seen):
        suite = build_suite(table, None, flags_seen)
        batch = _batch_definition(table).get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(suite, result_format="BASIC")
        verdicts.append([(r.expectation_config.type, r.expectation_config.meta, r.success) for r in result.results])
    general, specific = verdicts
    assert general == specific
    assert any(not ok for *_, ok in general) and any(ok for *_, ok in general)  # both kinds compared
    conditions = [
        e for e in build_suite(table, None, seen).expectations if "flags" in str(getattr(e, "row_condition", ""))
    ]
    assert conditions and all(len(str(e.row_condition)) < 2000 for e in conditions)
