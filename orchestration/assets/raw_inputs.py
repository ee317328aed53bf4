"""One raw asset per catalogue entry: newest snapshot -> checked rows -> raw.<source_id>."""

import csv
from collections.abc import Sequence

from dagster import AssetExecutionContext, AssetsDefinition, Failure, MaterializeResult, MetadataValue, asset

from orchestration.project import DBT_PROJECT_DIR
from orchestration.resources import PipelinePaths, Warehouse
from sources.catalogue import CatalogueEntry, load_catalogue
from sources.raw_tables import raw_frame
from sources.snapshots import SnapshotError, latest_snapshot
from sources.tables import TableError

WAREHOUSE_POOL = "duckdb_warehouse"


def known_sectors() -> set[str]:
    """Sector codes of the method (the dbt seed), used to check registers at the raw layer."""
    with (DBT_PROJECT_DIR / "seeds" / "sectors.csv").open(encoding="utf-8") as handle:
        return {row["sector_code"] for row in csv.DictReader(handle)}


def build_raw_asset(entry: CatalogueEntry) -> AssetsDefinition:
    @asset(
        name=entry.source_id,
        key_prefix="raw",
        group_name="raw",
        description=entry.description,
        kinds={"duckdb", "python"},
        pool=WAREHOUSE_POOL,
        tags={"rbi/kind": entry.kind},
    )
    def _raw_asset(
        context: AssetExecutionContext, pipeline_paths: PipelinePaths, warehouse: Warehouse
    ) -> MaterializeResult:
        try:
            snapshot = latest_snapshot(pipeline_paths.snapshots(), entry.source_id)
            frame = raw_frame(entry, snapshot, known_sectors())
        except (SnapshotError, TableError) as exc:
            context.log.error(str(exc))
            raise Failure(description=str(exc), metadata={"source_id": entry.source_id}) from exc
        rows = warehouse.write_raw(pipeline_paths.warehouse(), entry.source_id, frame)
        context.log.info(
            f"raw.{entry.source_id}: {rows} rows from snapshot {snapshot.snapshot_id} ({snapshot.data_status})"
        )
        return MaterializeResult(
            metadata={
                "rows": rows,
                "snapshot_id": snapshot.snapshot_id,
                "sha256": snapshot.sha256,
                "data_status": snapshot.data_status,
                "payload": MetadataValue.path(str(snapshot.payload_path)),
                "origin_url": MetadataValue.url(str(snapshot.sidecar["origin_url"])),
            }
        )

    return _raw_asset


def build_raw_assets() -> Sequence[AssetsDefinition]:
    return [build_raw_asset(entry) for entry in load_catalogue()]
