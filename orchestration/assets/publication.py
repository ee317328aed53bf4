"""Publication: the gated marts -> an immutable, versioned release (orchestration/release/build.py).

Runs only after the blocking GX checks on the marts pass (orchestration/checks.py)."""

from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, MetadataValue, asset

from orchestration import build_state, published_schema, warehouse_wait
from orchestration.release.build import build_release
from orchestration.release.datapackage import ReleaseInfo
from orchestration.release.store import ReleaseConflict, current_release, publish
from orchestration.release.tables import PUBLISHED_TABLES
from orchestration.resources import PipelinePaths
from orchestration.run_guard import RunGuard

METHODOLOGY = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"


def read_relation(db_path: Path, relation: str) -> list[dict[str, Any]]:
    """All rows of a warehouse relation, through a read-only connection that is closed after."""
    with warehouse_wait.connect(db_path, read_only=True) as con:
        cursor = con.execute(f"select * from {relation}")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def release_info(row: dict[str, Any]) -> ReleaseInfo:
    created = row["created_at"]
    created_text = created.date().isoformat() if hasattr(created, "date") else str(created)
    return ReleaseInfo(str(row["release_id"]), created_text, str(row["method_version"]), str(row["data_status"]))


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
    warehouse = pipeline_paths.warehouse()
    try:
        build_state.require_complete(warehouse.parent)
    except build_state.IncompleteBuild as exc:
        raise Failure(description=str(exc)) from exc
    info = release_info(read_relation(warehouse, "marts.release_info")[0])
    rows = {table.name: read_relation(warehouse, table.mart) for table in PUBLISHED_TABLES}
    releases_root = pipeline_paths.releases()
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
