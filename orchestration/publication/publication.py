"""Publication: the gated marts -> an immutable, versioned release, in three steps named for what
they produce, in this order (a crash between two leaves a state the next run completes):

1. the release files, ``releases/<release_id>/`` and ``latest`` (publication/release_files.py);
2. the published version recorded in the internal revision store (revisions/record.py, spec 5b);
3. the analysts' ``published`` schema in the warehouse (orchestration/publication/published_schema.py).

Runs only after the blocking GX checks on the marts pass (orchestration/publication/checks.py)."""

from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, MetadataValue, asset

from orchestration.publication import published_schema
from orchestration.publication.alerts import warehouse_wait_notifier
from orchestration.resources import PipelinePaths
from orchestration.runs.run_guard import RunGuard
from orchestration.warehouse import build_state
from publication.contracts import PUBLISHED_TABLES
from publication.release_files import write_release_files
from publication.store import ReleaseConflict
from revisions.record import (
    REVISION_STORE_MODELS,
    record_published_version,
    require_version_in_force,
    revision_upgrade,
)
from revisions.store import RevisionStoreError
from storage.paths import Paths


def check_revision_store(paths: Paths) -> None:
    """Refuse to publish a build whose revision hold was computed from another store version than
    the one in force (revisions/record.py)."""
    try:
        require_version_in_force(paths)
    except RevisionStoreError as exc:
        raise Failure(description=str(exc)) from exc


@asset(
    group_name="publication",
    deps=[AssetKey(["marts", t.name]) for t in PUBLISHED_TABLES]
    + [AssetKey(["marts", "release_info"])]
    + [AssetKey(["intermediate", m]) for m in REVISION_STORE_MODELS.values()],
    description=(
        "Writes releases/<release_id>/ (CSV + Parquet tables, Norwegian-Excel CSVs, workbook, releases.csv, "
        "changes.json, datapackage.json, report.html, charts, methodology, README.txt, SHA256SUMS, rbi.duckdb) "
        "and moves `latest`. The release id is the warehouse's numbers id plus a presentation revision."
    ),
    kinds={"csv", "parquet", "duckdb"},
)
def csv_release(
    context: AssetExecutionContext, pipeline_paths: PipelinePaths, run_guard: RunGuard
) -> MaterializeResult:
    paths = pipeline_paths.paths()
    try:
        build_state.require_complete(paths.build_state)
    except build_state.IncompleteBuild as exc:
        raise Failure(description=str(exc)) from exc
    check_revision_store(paths)
    try:
        upgrade = revision_upgrade(paths)  # a 1.1 store carried into 1.2: the changelog says what it holds
    except RevisionStoreError as exc:
        raise Failure(description=str(exc)) from exc
    try:
        release = write_release_files(paths, upgrade)  # 1. the release files
    except ReleaseConflict as exc:
        raise Failure(description=str(exc)) from exc
    info, content, outcome = release.info, release.content, release.outcome
    context.log.info(f"release {info.release_id}: {outcome.status} at {outcome.path}; {content.changelog}")
    revision = record_published_version(paths, info.release_id)  # 2. the revision store
    context.log.info(f"revision store (spec 5b): {revision}")
    marts = [t.mart for t in PUBLISHED_TABLES] + ["marts.release_info"]  # 3. the analysts' published schema
    on_long_wait = warehouse_wait_notifier(context.run_id, context.job_name or "", context.log)
    published_schema.promote(paths.warehouse, marts, info.release_id, context.log.warning, on_long_wait)
    return MaterializeResult(
        metadata={
            "release_id": info.release_id,
            "status": outcome.status,
            "data_status": info.data_status,
            "path": MetadataValue.path(str(outcome.path)),
            "report": MetadataValue.path(str(outcome.path / "report.html")),
            "row_counts": MetadataValue.json(content.row_counts),
            "changelog": content.changelog,
            "revision_store": revision,
        }
    )
