"""The quality gate: blocking Great Expectations checks on the published marts.

A failing check stops the run before `csv_release`, so nothing is published and the previous
release stays current; the validation result is saved under failed-attempts/ for a person to read.
GX is imported inside the check (it costs seconds to import)."""

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
from expectations.validation_page import render_validation_page
from orchestration.publication.alerts import notify_gate_failure
from orchestration.resources import PipelinePaths
from orchestration.runs.run_guard import RunGuard
from orchestration.warehouse import build_state
from publication.contracts import PUBLISHED_TABLES, PublishedTable
from publication.marts import read_relation
from publication.store import previous_release_rows, previous_release_table
from storage.paths import Paths

COVERAGE_TABLE = "index_sector_year"  # where a lost sector or year is looked for


def add_coverage(report: Any, paths: Paths, table: PublishedTable) -> None:
    """The coverage rule (expectations/coverage.py) on top of the GX suite: a lost sector or year
    fails the check with one readable line each."""
    previous = previous_release_table(paths.releases, table.name)
    if not previous:
        return
    current = read_relation(paths.warehouse, table.mart)
    lines = coverage.failure_lines(previous, current)
    report.evaluated += 1
    if lines:
        report.failed.extend(lines)
        report.success = False


def gate_check_name(table: str) -> str:
    """`gate_<table>`: the checks that decide publication, apart from the dbt tests' names."""
    return f"gate_{table}"


def gate_description(table: str) -> str:
    return (
        f"QUALITY GATE for the published table `{table}`: the Great Expectations suite `{table}` "
        "(expectations/suites.py: contract columns and types, ranges, keys, row count against the previous "
        "release). BLOCKS publication when it fails: the previous release stays current, the result is saved "
        f"in failed-attempts/, readable in output/validation/{table}.html, and an alert is sent."
    )


def build_gate_check(table: PublishedTable) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(["marts", table.name]),
        name=gate_check_name(table.name),
        blocking=True,
        description=gate_description(table.name),
        metadata={"quality_gate": True, "suite": f"expectations/suites.py: {table.name}"},
    )
    def _gate(
        context: AssetCheckExecutionContext, pipeline_paths: PipelinePaths, run_guard: RunGuard
    ) -> AssetCheckResult:
        from expectations.runner import validate_duckdb_table

        paths = pipeline_paths.paths()
        build_state.require_complete(paths.build_state)
        previous = previous_release_rows(paths.releases, table.name)
        report = validate_duckdb_table(
            paths.warehouse,
            table.mart,
            table.name,
            previous_row_count=previous[0] if previous else None,
            previous_years=previous[1] if previous else None,
        )
        if table.name == COVERAGE_TABLE:
            add_coverage(report, paths, table)
        result_path = paths.validation / f"{table.name}.json"
        result_path.parent.mkdir(parents=True, exist_ok=True)
        report.write_json(result_path)
        release = read_relation(paths.warehouse, "marts.release_info")[0]
        release_id = release["release_id"]
        page_path = result_path.with_suffix(".html")
        page = render_validation_page(
            table.name,
            report.success,
            report.evaluated,
            report.failed,
            report.result_json,
            str(release_id),
            str(release["data_status"]),
        )
        page_path.write_text(page, encoding="utf-8")
        metadata = {
            "expectations": report.evaluated,
            "failed": MetadataValue.json(report.failed),
            "validation_result": MetadataValue.path(str(result_path)),
            "validation_page": MetadataValue.path(str(page_path)),
        }
        if not report.success:
            attempt = paths.failed_attempts / str(release_id)
            attempt.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(result_path, attempt / f"{table.name}.validation.json")
            shutil.copyfile(page_path, attempt / f"{table.name}.validation.html")
            (attempt / f"{table.name}.failures.json").write_text(
                json.dumps(report.failed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            (attempt / f"{table.name}.failures.md").write_text(report.markdown(str(release_id)), encoding="utf-8")
            metadata["failed_attempt"] = MetadataValue.path(str(attempt))
            for line in report.failed:
                context.log.error(f"{table.name}: {line}")
            notify_gate_failure(
                context.run.run_id,
                context.run.job_name,
                gate_check_name(table.name),
                len(report.failed),
                paths.releases,
                context.log,
            )
        return AssetCheckResult(passed=report.success, severity=AssetCheckSeverity.ERROR, metadata=metadata)

    return _gate


def build_gate_checks() -> Sequence[AssetChecksDefinition]:
    return [build_gate_check(table) for table in PUBLISHED_TABLES if table.gated]
