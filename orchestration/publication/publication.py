"""Publication: the gated marts -> an immutable, versioned release (publication/build.py).

Runs only after the blocking GX checks on the marts pass (orchestration/publication/checks.py)."""

from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, MetadataValue, asset

from orchestration.publication import published_schema
from orchestration.resources import PipelinePaths
from orchestration.runs.run_guard import RunGuard
from orchestration.warehouse import build_state
from publication.build import build_release
from publication.contracts import PUBLISHED_TABLES
from publication.marts import read_relation, release_info
from publication.store import ReleaseConflict, current_release, publish
from sources.paths import METHODOLOGY


@asset(
    group_name="publication",
    deps=[AssetKey(["marts", t.name]) for t in PUBLISHED_TABLES] + [AssetKey(["marts", "release_info"])],
    description=(
        "Writes releases/<release_id>/ (CSV + Parquet tables, Norwegian-Excel CSV, releases.csv, changes.json, "
        "datapackage.json, report.html, methodology.md, README.txt, SHA256SUMS, rbi.duckdb) and moves `latest`."
    ),
    kinds={"csv", "parquet", "duckdb"},
)
def csv_release(
    context: AssetExecutionContext, pipeline_paths: PipelinePaths, run_guard: RunGuard
) -> MaterializeResult:
    paths = pipeline_paths.paths()
    warehouse = paths.warehouse
    try:
        build_state.require_complete(paths.build_state)
    except build_state.IncompleteBuild as exc:
        raise Failure(description=str(exc)) from exc
    info = release_info(read_relation(warehouse, "marts.release_info")[0])
    rows = {table.name: read_relation(warehouse, table.mart) for table in PUBLISHED_TABLES}
    releases_root = pipeline_paths.paths().releases
    current = current_release(releases_root)
    content = build_release(
        info,
        [(t.name, t.columns) for t in PUBLISHED_TABLES],
        rows,
        releases_root / current if current else None,
        METHODOLOGY.read_bytes(),
    )
    try:
        outcome = publish(releases_root, info.release_id, content.files, content.writers)
    except ReleaseConflict as exc:
        raise Failure(description=str(exc)) from exc
    context.log.info(f"release {info.release_id}: {outcome.status} at {outcome.path}; {content.changelog}")
    marts = [t.mart for t in PUBLISHED_TABLES] + ["marts.release_info"]
    published_schema.promote(warehouse, marts, info.release_id, context.log.warning)
    return MaterializeResult(
        metadata={
            "release_id": info.release_id,
            "status": outcome.status,
            "data_status": info.data_status,
            "path": MetadataValue.path(str(outcome.path)),
            "report": MetadataValue.path(str(outcome.path / "report.html")),
            "row_counts": MetadataValue.json(content.row_counts),
            "changelog": content.changelog,
        }
    )
