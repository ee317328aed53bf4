"""The quality gate: blocking Great Expectations checks on the published marts.

A failing check stops the run before `csv_release`, so nothing is published and the previous
release stays current; the validation result is saved under failed-attempts/ for a person to read.
GX is imported inside the check (it costs seconds to import)."""

import csv
import json
import shutil
from collections.abc import Sequence
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from expectations import coverage
from orchestration import build_state
from orchestration.assets.publication import read_relation
from orchestration.release.store import current_release
from orchestration.release.tables import PUBLISHED_TABLES, PublishedTable
from orchestration.resources import PipelinePaths
from orchestration.run_guard import RunGuard

COVERAGE_TABLE = "index_sector_year"  # where a lost sector or year is looked for


def previous_release_rows(pipeline_paths: PipelinePaths, table: str) -> tuple[int, frozenset[int] | None] | None:
    """Rows of ``table`` in the current (previous) release and the years they cover (None when the
    table has no year column); None before the first release or when the table is new."""
    current = current_release(pipeline_paths.releases())
    if current is None:
        return None
    path = pipeline_paths.releases() / current / f"{table}.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "year" in rows[0]:
        return len(rows), frozenset(int(row["year"]) for row in rows if row["year"])
    return len(rows), None


def previous_release_table(pipeline_paths: PipelinePaths, table: str) -> list[dict[str, str]]:
    """The rows of ``table`` in the current (previous) release ([] before the first one)."""
    current = current_release(pipeline_paths.releases())
    path = pipeline_paths.releases() / current / f"{table}.csv" if current else None
    if path is None or not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def add_coverage(report: Any, pipeline_paths: PipelinePaths, table: PublishedTable) -> None:
    """The coverage rule (expectations/coverage.py) on top of the GX suite: a lost sector or year
    fails the check with one readable line each."""
    previous = previous_release_table(pipeline_paths, table.name)
    if not previous:
        return
    current = read_relation(pipeline_paths.warehouse(), table.mart)
    lines = coverage.failure_lines(previous, current)
    report.evaluated += 1
    if lines:
        report.failed.extend(lines)
        report.success = False


def build_gate_check(table: PublishedTable) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(["marts", table.name]),
        name=f"gx_{table.name}",
        blocking=True,
        description=f"Great Expectations suite '{table.name}' (expectations/); blocks publication on failure.",
    )
    def _gate(
        context: AssetCheckExecutionContext, pipeline_paths: PipelinePaths, run_guard: RunGuard
    ) -> AssetCheckResult:
        from expectations.runner import validate_duckdb_table

        build_state.require_complete(pipeline_paths.warehouse().parent)
        previous = previous_release_rows(pipeline_paths, table.name)
        report = validate_duckdb_table(
            pipeline_paths.warehouse(),
            table.mart,
            table.name,
            previous_row_count=previous[0] if previous else None,
            previous_years=previous[1] if previous else None,
        )
        if table.name == COVERAGE_TABLE:
            add_coverage(report, pipeline_paths, table)
        result_path = pipeline_paths.validation() / f"{table.name}.json"
        result_path.parent.mkdir(parents=True, exist_ok=True)
        report.write_json(result_path)
        metadata = {
            "expectations": report.evaluated,
            "failed": MetadataValue.json(report.failed),
            "validation_result": MetadataValue.path(str(result_path)),
        }
        if not report.success:
            release_id = read_relation(pipeline_paths.warehouse(), "marts.release_info")[0]["release_id"]
            attempt = pipeline_paths.failed_attempts() / str(release_id)
            attempt.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(result_path, attempt / f"{table.name}.validation.json")
            (attempt / f"{table.name}.failures.json").write_text(
                json.dumps(report.failed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            (attempt / f"{table.name}.failures.md").write_text(report.markdown(str(release_id)), encoding="utf-8")
            metadata["failed_attempt"] = MetadataValue.path(str(attempt))
            for line in report.failed:
                context.log.error(f"{table.name}: {line}")
        return AssetCheckResult(passed=report.success, severity=AssetCheckSeverity.ERROR, metadata=metadata)

    return _gate


def build_gate_checks() -> Sequence[AssetChecksDefinition]:
    return [build_gate_check(table) for table in PUBLISHED_TABLES if table.gated]
