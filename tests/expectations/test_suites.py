"""The gate's suites pass valid tables and name the rule a broken table breaks."""

import math

import pandas as pd
import pytest

from expectations.contracts import COMPONENT_SECTOR_YEAR, CONTEXT_SECTOR_YEAR, INDEX_SECTOR_YEAR
from expectations.runner import validate_frame

NAN = math.nan


def index_frame() -> pd.DataFrame:
    rows = [
        ["r1", "1.0", 2025, "NAV", "NAV", "Labour", 71.9, 60.0, 80.0, 1, 1, 2, 4, "SECTOR_WEIGHTED", "demonstration"],
        ["r1", "1.0", 2025, "SYKEHUS", "Sykehus", "Hospitals", 47.1, 40.0, 55.0, 2, 1, 2, 4, None, "demonstration"],
        [
            "r1",
            "1.0",
            2025,
            "POLITI",
            "Politi",
            "Police",
            None,
            None,
            None,
            None,
            None,
            None,
            0,
            "INSUFFICIENT;UNWEIGHTED",
            "demonstration",
        ],
    ]
    return pd.DataFrame(rows, columns=list(INDEX_SECTOR_YEAR))


def component_frame() -> pd.DataFrame:
    rows = [
        ["r1", 2025, "NAV", "C1", "DOC_TIME", "%", 35.0, 30.0, 40.0, 70.0, 120, 110.5, 0.05, None, None, "S"],
        ["r1", 2025, "NAV", "C2", "UNNECESSARY", "%", None, None, None, None, 8, None, None, None, "SUPPRESSED", "S"],
        ["r1", 2025, "NAV", "C5", "SCM_HOURS", "h", 73.5, None, None, 36.8, None, None, None, None, None, "O"],
    ]
    return pd.DataFrame(rows, columns=list(COMPONENT_SECTOR_YEAR))


def context_frame() -> pd.DataFrame:
    rows = [
        [
            "r1",
            2016,
            "2016K2",
            "NAV",
            "NAV",
            "NAV",
            "SICKNESS_ABSENCE_PCT",
            "nb",
            "en",
            "% of man-days",
            5.1,
            None,
            "84",
            "Statlig forvaltning",
            "ssb_sickness_absence",
            "t1",
            "demonstration",
        ],
        [
            "r1",
            2016,
            "2016K4",
            "NAV",
            "NAV",
            "NAV",
            "EMPLOYED_PERSONS",
            "nb",
            "en",
            "persons",
            None,
            ":",
            "84",
            "Statlig forvaltning",
            "ssb_employment",
            "t2",
            "demonstration",
        ],
    ]
    return pd.DataFrame(rows, columns=list(CONTEXT_SECTOR_YEAR))


@pytest.mark.parametrize(
    ("table", "frame"),
    [
        ("index_sector_year", index_frame),
        ("component_sector_year", component_frame),
        ("context_sector_year", context_frame),
    ],
)
def test_valid_tables_pass(table: str, frame) -> None:
    report = validate_frame(table, frame())
    assert report.success, report.failed
    assert report.evaluated >= 15
    assert report.result_json["success"] is True


def failed_rules(table: str, df: pd.DataFrame, **kwargs) -> str:
    report = validate_frame(table, df, **kwargs)
    assert not report.success
    return "\n".join(report.failed)


def test_index_rules() -> None:
    df = index_frame()
    df.loc[1, "sector_code"] = "NAV"
    assert "expect_compound_columns_to_be_unique" in failed_rules("index_sector_year", df)
    df = index_frame()
    df.loc[0, "index"] = 120.0
    assert "expect_column_values_to_be_between(index" in failed_rules("index_sector_year", df)
    df = index_frame()
    df.loc[1, "index_ci_high"] = 45.0  # interval no longer contains 47.1
    assert "expect_column_pair_values_a_to_be_greater_than_b" in failed_rules("index_sector_year", df)
    df = index_frame()
    df.loc[2, "rank"] = 3  # a rank without an index
    assert "expect_column_values_to_be_null(rank" in failed_rules("index_sector_year", df)
    df = index_frame()
    df.loc[0, "data_status"] = "maybe"
    assert "expect_column_values_to_be_in_set(data_status" in failed_rules("index_sector_year", df)


@pytest.mark.parametrize("flags", ["UNWEIGHTED;INSUFFICIENT", "FOO", "INSUFFICIENT;", "INSUFFICIENT;INSUFFICIENT"])
def test_flags_must_be_known_sorted_and_distinct(flags: str) -> None:
    df = index_frame()
    df.loc[2, "flags"] = flags
    assert "expect_column_values_to_match_regex(flags" in failed_rules("index_sector_year", df)


def test_columns_are_a_contract() -> None:
    df = index_frame()
    df = df[[*list(df.columns[1:]), df.columns[0]]]
    assert "expect_table_columns_to_match_ordered_list" in failed_rules("index_sector_year", df)
    assert "expect_table_columns_to_match_ordered_list" in failed_rules(
        "index_sector_year", index_frame().drop(columns=["rank_p05"])
    )


def test_disclosure_control_rules() -> None:
    df = component_frame()
    df.loc[1, "raw_value"] = 42.0  # a suppressed cell with its value
    assert "expect_column_values_to_be_null(raw_value" in failed_rules("component_sector_year", df)
    df = component_frame()
    df.loc[0, "n"] = 5  # a published value resting on 5 respondents
    assert "expect_column_values_to_be_between(n" in failed_rules("component_sector_year", df)
    df = component_frame()
    df.loc[0, "raw_ci_low"] = 36.0
    assert "expect_column_pair_values_a_to_be_greater_than_b" in failed_rules("component_sector_year", df)


def test_context_percentages_and_row_count_against_previous_release() -> None:
    df = context_frame()
    df.loc[0, "value"] = 150.0
    assert "150.0" in failed_rules("context_sector_year", df)
    message = failed_rules("context_sector_year", context_frame(), previous_row_count=40)
    assert "row count within 50% of the previous release (40)" in message
    assert validate_frame("context_sector_year", context_frame(), previous_row_count=3).success
