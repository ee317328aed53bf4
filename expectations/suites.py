"""Great Expectations suites, one per published table (GX Core 1.x, validated on pandas frames).

Build functions import GX lazily: ``import great_expectations`` costs seconds."""

import re
from typing import Any

from expectations.contracts import (
    COMPONENT_IDS,
    COMPONENT_SECTOR_YEAR,
    CONTEXT_SECTOR_YEAR,
    DATA_STATUSES,
    FLAGS,
    INDEX_SECTOR_YEAR,
    KEYS,
)

SECTOR_CODE_PATTERN = r"^[A-Z][A-Z0-9_]*$"
ROW_COUNT_TOLERANCE = 0.5


def flags_sorted_pattern() -> str:
    """Regex accepting only known flags, sorted, distinct, ';'-separated (FLAGS is alphabetical)."""
    return "^(?!.*;$)(?=.)" + "".join(f"(?:{re.escape(flag)}(?:;|$))?" for flag in FLAGS) + "$"


def _common(gxe: Any, table: str, columns: list[str], previous_row_count: int | None) -> list:
    expectations = [
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=columns),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=KEYS[table]),
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
    ]
    expectations += [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in KEYS[table]]
    if previous_row_count:
        expectations.append(
            gxe.ExpectTableRowCountToBeBetween(
                min_value=int(previous_row_count * (1 - ROW_COUNT_TOLERANCE)),
                max_value=int(previous_row_count * (1 + ROW_COUNT_TOLERANCE)) + 1,
                meta={
                    "rule": f"row count within {ROW_COUNT_TOLERANCE:.0%} of the previous release ({previous_row_count})"
                },
            )
        )
    if "release_id" in columns:
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(column="release_id"))
    if "data_status" in columns:
        expectations.append(gxe.ExpectColumnValuesToBeInSet(column="data_status", value_set=list(DATA_STATUSES)))
    if "year" in columns:
        expectations.append(gxe.ExpectColumnValuesToBeBetween(column="year", min_value=2000, max_value=2100))
    if "sector_code" in columns:
        expectations.append(gxe.ExpectColumnValuesToMatchRegex(column="sector_code", regex=SECTOR_CODE_PATTERN))
    if "flags" in columns:
        expectations.append(gxe.ExpectColumnValuesToMatchRegex(column="flags", regex=flags_sorted_pattern()))
    return expectations


def _between(gxe: Any, column: str, low: float | None, high: float | None, **kwargs: Any) -> Any:
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high, **kwargs)


def _contains(gxe: Any, low: str, value: str, high: str) -> list:
    """low <= value <= high wherever both are present."""
    return [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=value, column_B=low, or_equal=True, ignore_row_if="either_value_is_missing"
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=high, column_B=value, or_equal=True, ignore_row_if="either_value_is_missing"
        ),
    ]


def index_expectations(gxe: Any, previous_row_count: int | None = None) -> list:
    table = "index_sector_year"
    return [
        *_common(gxe, table, list(INDEX_SECTOR_YEAR), previous_row_count),
        _between(gxe, "index", 0, 100),
        _between(gxe, "index_ci_low", 0, 100),
        _between(gxe, "index_ci_high", 0, 100),
        *_contains(gxe, "index_ci_low", "index", "index_ci_high"),
        _between(gxe, "rank", 1, None),
        _between(gxe, "rank_p05", 1, None),
        _between(gxe, "rank_p95", 1, None),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rank_p95", column_B="rank_p05", or_equal=True, ignore_row_if="either_value_is_missing"
        ),
        _between(gxe, "n_components", 0, 5),
        gxe.ExpectColumnValuesToNotBeNull(column="n_components"),
        gxe.ExpectColumnValuesToNotBeNull(column="method_version"),
        # an index exists exactly when it is not INSUFFICIENT, and a rank exactly when an index does
        gxe.ExpectColumnValuesToBeNull(
            column="index", row_condition='flags.str.contains("INSUFFICIENT", na=False)', condition_parser="pandas"
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="index", row_condition='~flags.str.contains("INSUFFICIENT", na=False)', condition_parser="pandas"
        ),
        gxe.ExpectColumnValuesToBeNull(column="rank", row_condition="index.isna()", condition_parser="pandas"),
        gxe.ExpectColumnValuesToNotBeNull(column="rank", row_condition="index.notna()", condition_parser="pandas"),
    ]


def component_expectations(gxe: Any, previous_row_count: int | None = None) -> list:
    table = "component_sector_year"
    suppressed = 'flags.str.contains("SUPPRESSED", na=False)'
    expectations = [
        *_common(gxe, table, list(COMPONENT_SECTOR_YEAR), previous_row_count),
        gxe.ExpectColumnValuesToBeInSet(column="component_id", value_set=list(COMPONENT_IDS)),
        _between(gxe, "normalised", 0, 100),
        _between(gxe, "raw_value", 0, None),
        _between(gxe, "raw_value", 0, 100, row_condition='component_id != "C5"', condition_parser="pandas"),
        *_contains(gxe, "raw_ci_low", "raw_value", "raw_ci_high"),
        _between(gxe, "cv", 0, None),
        _between(gxe, "dk_share", 0, 100),
        _between(gxe, "n_eff", 0, None),
        # disclosure control: a published survey value rests on at least 10 respondents
        _between(
            gxe,
            "n",
            10,
            None,
            row_condition='component_id != "C5" and raw_value.notna()',
            condition_parser="pandas",
        ),
    ]
    # nothing of a suppressed cell is published but its identity, n and flags
    for column in ("raw_value", "raw_ci_low", "raw_ci_high", "normalised", "n_eff", "cv", "dk_share"):
        expectations.append(
            gxe.ExpectColumnValuesToBeNull(column=column, row_condition=suppressed, condition_parser="pandas")
        )
    return expectations


def context_expectations(gxe: Any, previous_row_count: int | None = None) -> list:
    table = "context_sector_year"
    return [
        *_common(gxe, table, list(CONTEXT_SECTOR_YEAR), previous_row_count),
        _between(gxe, "value", 0, None),
        _between(gxe, "value", 0, 100, row_condition='unit.str.startswith("%", na=False)', condition_parser="pandas"),
        gxe.ExpectColumnValuesToMatchRegex(column="period", regex=r"^\d{4}(?:K[1-4])?$"),
        gxe.ExpectColumnValuesToNotBeNull(column="source_id"),
        # a figure is either a number or an SSB status symbol
        gxe.ExpectColumnValuesToNotBeNull(column="value", row_condition="status.isna()", condition_parser="pandas"),
    ]


BUILDERS = {
    "index_sector_year": index_expectations,
    "component_sector_year": component_expectations,
    "context_sector_year": context_expectations,
}


def build_suite(table: str, previous_row_count: int | None = None) -> Any:
    """The GX ExpectationSuite of a published table."""
    import great_expectations as gx

    if table not in BUILDERS:
        raise KeyError(f"no expectation suite for table '{table}'; known: {', '.join(BUILDERS)}")
    suite = gx.ExpectationSuite(name=table)
    for expectation in BUILDERS[table](gx.expectations, previous_row_count):
        suite.add_expectation(expectation)
    return suite
