"""Runs a table's GX suite on a pandas frame read through a read-only DuckDB connection.

GX 1.x has no DuckDB engine, so the quality gate validates data frames. One ephemeral GX context
per process (no files, no analytics, no progress bars)."""

import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from expectations.suites import build_suite

MAX_EXAMPLES = 5


@dataclass
class ValidationReport:
    table: str
    success: bool
    evaluated: int
    failed: list[str] = field(default_factory=list)
    result_json: dict[str, Any] = field(default_factory=dict)

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {"table": self.table, "success": self.success, "failed": self.failed, "result": self.result_json}
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


@cache
def _context() -> Any:
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas("rbi_marts")
    return context


@cache
def _batch_definition(table: str) -> Any:
    source = _context().data_sources.get("rbi_marts")
    return source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("whole_table")


def describe_failure(result: Any) -> str:
    """One readable line: which expectation, on what, and a few offending values."""
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",) and v is not None}
    target = kwargs.pop("column", None) or kwargs.pop("column_list", None) or ""
    details = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    line = f"{config.type}({target}{'; ' if target and details else ''}{details})"
    outcome = result.result or {}
    examples = outcome.get("partial_unexpected_list")
    if examples:
        line += f": {outcome.get('unexpected_count', len(examples))} unexpected, e.g. {examples[:MAX_EXAMPLES]}"
    elif "observed_value" in outcome:
        line += f": observed {outcome['observed_value']}"
    if config.meta and config.meta.get("rule"):
        line += f" [{config.meta['rule']}]"
    return line


def validate_frame(table: str, df: pd.DataFrame, previous_row_count: int | None = None) -> ValidationReport:
    """Validate a frame against its table's suite."""
    _context()  # GX needs an active context before a suite is built
    suite = build_suite(table, previous_row_count)
    batch = _batch_definition(table).get_batch(batch_parameters={"dataframe": df})
    result = batch.validate(suite)
    failed = [describe_failure(r) for r in result.results if not r.success]
    return ValidationReport(
        table=table,
        success=bool(result.success),
        evaluated=len(result.results),
        failed=failed,
        result_json=result.to_json_dict(),
    )


def read_table(db_path: Path, relation: str) -> pd.DataFrame:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(f"select * from {relation}").df()


def validate_duckdb_table(
    db_path: Path, relation: str, table: str, previous_row_count: int | None = None
) -> ValidationReport:
    """Read ``relation`` read-only from the warehouse and validate it as published table ``table``."""
    return validate_frame(table, read_table(db_path, relation), previous_row_count)
