"""Runs a table's GX suite on a pandas frame, or on a table read through a read-only DuckDB connection.

GX 1.x has no DuckDB engine, so the quality gate validates data frames. One ephemeral GX context
per process (in-memory stores, no files, no analytics, no progress bars); GX is imported on first
use only.
"""

import json
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from expectations.suites import RANK_GROUPS, RANK_ORDER_SUFFIX, ROW_COUNT_SUFFIX, build_suite, rank_order_frame

MAX_EXAMPLES = 5  # offending values quoted per failed expectation
MAX_DETAIL_CHARS = 60  # longer expectation arguments (regexes, value sets) are left to result_json
DATASOURCE = "rbi_published_tables"


@dataclass
class ValidationReport:
    """Outcome of validating one published table."""

    table: str
    success: bool
    evaluated: int  # expectations evaluated
    failed: list[str] = field(default_factory=list)  # one readable line per failed expectation
    result_json: dict[str, Any] = field(default_factory=dict)  # GX ExpectationSuiteValidationResult

    def write_json(self, path: Path | str) -> None:
        """Write the report (summary and the full GX result) as JSON, creating parent folders."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "table": self.table,
            "success": self.success,
            "evaluated": self.evaluated,
            "failed": self.failed,
            "result": self.result_json,
        }
        text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
        path.write_text(text + "\n", encoding="utf-8")

    def markdown(self, release_id: str | None = None) -> str:
        """A readable summary: outcome, counts, one bullet per failed rule."""
        verdict = "passed" if self.success else "FAILED — nothing was published"
        lines = [f"# Quality gate: `{self.table}` {verdict}", ""]
        if release_id:
            lines += [f"Release attempt: `{release_id}`", ""]
        lines += [f"{self.evaluated} expectations evaluated, {len(self.failed)} failed.", ""]
        if self.failed:
            lines += ["## Failed expectations", ""]
            lines += ["- " + line.replace("|", "\\|") for line in self.failed]
            lines += ["", "The full Great Expectations result is in the `.validation.json` file beside this one."]
        return "\n".join(lines) + "\n"


@cache
def _context() -> Any:
    """The process's ephemeral GX context, with one pandas data source."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.data_sources.add_pandas(DATASOURCE)
    return context


@cache
def _batch_definition(table: str) -> Any:
    """A whole-dataframe batch definition per table (the frame is passed at validation time)."""
    source = _context().data_sources.get(DATASOURCE)
    return source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("whole_table")


@cache
def _suite(table: str, previous_row_count: int | None, flags_seen: frozenset[str] | None) -> Any:
    _context()  # suites are built with an active context
    return build_suite(table, previous_row_count, flags_seen)


def _flags_seen(df: pd.DataFrame) -> frozenset[str] | None:
    """The distinct text values of the frame's ``flags`` column (None without one)."""
    if "flags" not in df.columns:
        return None
    return frozenset(v for v in df["flags"].dropna().unique() if isinstance(v, str))


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 3] + "..."


def _plain(value: Any) -> Any:
    """numpy scalars as plain Python values, so examples read 5 rather than np.int64(5)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def _exception_message(exception_info: Any) -> str | None:
    """The first exception message of a result (GX nests them per metric when a metric fails)."""
    if not isinstance(exception_info, dict):
        return None
    if exception_info.get("raised_exception") and exception_info.get("exception_message"):
        return str(exception_info["exception_message"])
    for value in exception_info.values():
        if isinstance(value, dict) and value.get("raised_exception") and value.get("exception_message"):
            return str(value["exception_message"])
    return None


def _columns_mismatch(expected: list[str], observed: list[str]) -> str:
    missing = [c for c in expected if c not in observed]
    extra = [c for c in observed if c not in expected]
    parts = []
    if missing:
        parts.append(f"missing {missing}")
    if extra:
        parts.append(f"unexpected {extra}")
    if not parts:
        parts.append(f"order differs: {observed}")
    return "; ".join(parts)


def describe_failure(result: Any) -> str:
    """One readable line for a failed expectation: its type, column(s), condition, offending values, rule."""
    config = result.expectation_config
    kwargs = {
        k: v
        for k, v in config.kwargs.items()
        if v is not None and k not in ("batch_id", "row_condition", "condition_parser")
    }
    if "column" in kwargs:
        target = str(kwargs.pop("column"))
    elif "column_A" in kwargs:
        target = f"{kwargs.pop('column_A')}, {kwargs.pop('column_B')}"
    elif "column_list" in kwargs and config.type != "expect_table_columns_to_match_ordered_list":
        target = ", ".join(kwargs.pop("column_list"))
    else:
        kwargs.pop("column_list", None)
        target = ""
    details = [f"{k}={_short(v)}" for k, v in kwargs.items() if len(_short(v)) < MAX_DETAIL_CHARS]
    meta = config.meta or {}
    if meta.get("where"):
        details.append(f"where {meta['where']}")
    arguments = "; ".join(part for part in [target, ", ".join(details)] if part)
    line = f"{config.type}({arguments})" if arguments else config.type

    outcome = result.result or {}
    exception = _exception_message(result.exception_info)
    if exception:
        line += f": error: {exception.splitlines()[0][:200]}"
    elif config.type == "expect_table_columns_to_match_ordered_list" and "observed_value" in outcome:
        line += f": {_columns_mismatch(list(config.kwargs['column_list']), list(outcome['observed_value']))}"
    elif outcome.get("partial_unexpected_list"):
        examples = _plain(outcome["partial_unexpected_list"][:MAX_EXAMPLES])
        line += f": {outcome.get('unexpected_count', len(examples))} unexpected, e.g. {examples}"
    elif "observed_value" in outcome:
        line += f": observed {outcome['observed_value']}"
    if meta.get("rule"):
        line += f" [rule: {meta['rule']}]"
    return line


def _text_as_object(df: pd.DataFrame) -> pd.DataFrame:
    """pandas' string dtypes as ``object``: GX's type check cannot name pandas 3's ``str`` dtype."""
    text = [c for c in df.columns if pd.api.types.is_string_dtype(df[c].dtype) and df[c].dtype != object]
    return df.astype({c: object for c in text}) if text else df


def _run_suite(name: str, df: pd.DataFrame, previous_row_count: int | None) -> Any:
    suite = _suite(name, previous_row_count, _flags_seen(df))
    batch = _batch_definition(name).get_batch(batch_parameters={"dataframe": df})
    return batch.validate(suite, result_format="BASIC")  # values and counts; SUMMARY costs ~2x


def _merge(main: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """One GX result document of two validations (results appended, statistics recomputed)."""
    merged = dict(main)
    merged["results"] = [*main["results"], *extra["results"]]
    evaluated = len(merged["results"])
    successful = sum(1 for r in merged["results"] if r["success"])
    merged["success"] = bool(main["success"] and extra["success"])
    merged["statistics"] = {
        **main.get("statistics", {}),
        "evaluated_expectations": evaluated,
        "successful_expectations": successful,
        "unsuccessful_expectations": evaluated - successful,
        "success_percent": 100.0 * successful / evaluated if evaluated else None,
    }
    return merged


def previous_years_rows(df: pd.DataFrame, previous_years: Collection[int] | None) -> pd.DataFrame:
    """The rows of ``df`` whose year the previous release had (all rows when unknown or no year)."""
    if previous_years is None or "year" not in df.columns:
        return df
    return df[df["year"].isin(list(previous_years))]


def validate_frame(
    table: str,
    df: pd.DataFrame,
    previous_row_count: int | None = None,
    previous_years: Collection[int] | None = None,
) -> ValidationReport:
    """Validate a frame as published table ``table`` against its suite (see expectations/suites.py);
    for tables with ranks, the ranks against the index (suite ``<table>__rank_order``); and, given
    the previous release's row count (and years), the rows of those years against that count
    (suite ``<table>__row_count``)."""
    df = _text_as_object(df)
    results = [_run_suite(table, df, None)]
    if previous_row_count:
        shared = previous_years_rows(df, previous_years)
        results.append(_run_suite(table + ROW_COUNT_SUFFIX, shared, previous_row_count))
    if table in RANK_GROUPS and {"index", "rank", *RANK_GROUPS[table]} <= set(df.columns):
        results.append(_run_suite(table + RANK_ORDER_SUFFIX, rank_order_frame(table, df), None))
    document = results[0].to_json_dict()
    for extra in results[1:]:
        document = _merge(document, extra.to_json_dict())
    failed = [describe_failure(r) for result in results for r in result.results if not r.success]
    return ValidationReport(
        table=table,
        success=all(bool(r.success) for r in results),
        evaluated=sum(len(r.results) for r in results),
        failed=failed,
        result_json=document,
    )


def read_table(db_path: Path | str, table_fqn: str) -> pd.DataFrame:
    """``SELECT * FROM table_fqn`` through a read-only DuckDB connection, closed before returning."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(f"SELECT * FROM {table_fqn}").df()


def validate_duckdb_table(
    db_path: Path | str,
    table_fqn: str,
    table_name: str,
    previous_row_count: int | None = None,
    previous_years: Collection[int] | None = None,
) -> ValidationReport:
    """Read ``table_fqn`` (e.g. ``marts.index_sector_year``) read-only from the warehouse and validate
    it as published table ``table_name``."""
    return validate_frame(table_name, read_table(db_path, table_fqn), previous_row_count, previous_years)
