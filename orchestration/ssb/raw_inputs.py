"""One raw asset per catalogue entry: a snapshot -> checked rows -> raw.<source_id>.

By default an asset replays the newest stored snapshot of its entry (embedded inputs and the
writable store of live fetches; newest wins). Live mode (env ``RBI_LIVE=1``, or the run config
``ops: {raw__<source_id>: {config: {live: true}}}``) first fetches entries with ``provider: ssb``
from StatBank and stores the answer as a new snapshot in the writable store; if that fails the
asset uses the last stored snapshot and says so in its log and metadata (``fetch``,
``fetch_error``). Entries marked ``enabled_offline: false`` that have no snapshot yet load an empty
table with their declared columns, so the default offline run does not depend on them.
"""

from collections.abc import Sequence

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from method.reference import sector_codes
from orchestration.publication.alerts import AlertSettings, notify, stale_snapshot_alert
from orchestration.resources import WAREHOUSE_POOL, PipelinePaths, Warehouse
from orchestration.runs.run_guard import RunGuard
from sources.catalogue import CatalogueEntry, load_catalogue
from sources.http import HttpClient
from sources.raw_tables import raw_frame
from sources.snapshots import SnapshotError, newest_snapshot, writable_store
from sources.ssb import SsbClient, SsbError, fetch_and_store
from sources.tables import TableError
from storage.paths import Paths

PROVENANCE_COLUMNS = ("_source_id", "_snapshot_id", "_sha256", "_data_status")


class RawInputConfig(Config):
    """Run config of a raw asset. ``live`` unset = the environment decides (``RBI_LIVE=1``)."""

    live: bool | None = None


def live_requested(config: RawInputConfig, paths: Paths) -> bool:
    return config.live if config.live is not None else paths.live


def empty_frame(entry: CatalogueEntry) -> pd.DataFrame:
    """The raw table of an entry that has no snapshot yet: its declared columns, no rows."""
    columns: dict[str, str] = {}
    for dimension in entry.expected_dimensions:
        columns[dimension] = "string"
        columns[f"{dimension}_label"] = "string"
    columns.update({"value": "float64", "status": "string"})
    columns.update({c: "string" for c in PROVENANCE_COLUMNS})
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def build_raw_asset(entry: CatalogueEntry) -> AssetsDefinition:
    @asset(
        name=entry.source_id,
        key_prefix="raw",
        group_name="raw",
        description=entry.description,
        kinds={"duckdb", "python"},
        pool=WAREHOUSE_POOL,
        tags={"rbi/kind": entry.kind, "rbi/provider": entry.provider},
    )
    def _raw_asset(
        context: AssetExecutionContext,
        config: RawInputConfig,
        pipeline_paths: PipelinePaths,
        warehouse: Warehouse,
        run_guard: RunGuard,  # holds the output directory for the whole run
    ) -> MaterializeResult:
        fetch, fetch_error, live_snapshot = "replay", "", None
        try:
            paths = pipeline_paths.paths()
            roots = [paths.snapshots, writable_store(paths)]
        except SnapshotError as exc:
            raise Failure(description=str(exc), metadata={"source_id": entry.source_id}) from exc
        if live_requested(config, paths) and entry.is_live:
            try:
                client = SsbClient(http=HttpClient(log=context.log.warning))
                live_snapshot = fetch_and_store(entry, roots[1], client)
                fetch = "live"
            except (SsbError, SnapshotError, OSError) as exc:
                fetch, fetch_error = "live fetch failed: replayed the last snapshot", str(exc)
                context.log.warning(
                    f"raw.{entry.source_id}: live fetch of SSB table {entry.table_id} failed; "
                    f"using the last stored snapshot instead. Reason: {exc}"
                )
                settings = AlertSettings.from_env()
                alert = stale_snapshot_alert(context.run_id, context.job_name or "", [entry.table_id], settings)
                notify(alert, settings, context.log)
        try:
            snapshot = live_snapshot or newest_snapshot(roots, entry.source_id)
            if snapshot is None and not entry.enabled_offline:
                rows = warehouse.write_raw(pipeline_paths.paths().warehouse, entry.source_id, empty_frame(entry))
                message = f"raw.{entry.source_id}: no snapshot yet (enabled_offline: false); loaded an empty table" + (
                    f" - {fetch_error}" if fetch_error else ""
                )
                context.log.warning(message)
                return MaterializeResult(
                    metadata={"rows": rows, "snapshot_id": "none", "fetch": fetch, "fetch_error": fetch_error}
                )
            if snapshot is None:
                raise SnapshotError(
                    f"no snapshot of source '{entry.source_id}' under {', '.join(str(r) for r in roots)}"
                )
            frame = raw_frame(entry, snapshot, set(sector_codes()))
        except (SnapshotError, TableError) as exc:
            context.log.error(str(exc))
            raise Failure(description=str(exc), metadata={"source_id": entry.source_id}) from exc
        rows = warehouse.write_raw(pipeline_paths.paths().warehouse, entry.source_id, frame)
        context.log.info(
            f"raw.{entry.source_id}: {rows} rows from snapshot {snapshot.snapshot_id} ({snapshot.data_status}; {fetch})"
        )
        return MaterializeResult(
            metadata={
                "rows": rows,
                "snapshot_id": snapshot.snapshot_id,
                "sha256": snapshot.sha256,
                "data_status": snapshot.data_status,
                "fetch": fetch,
                "fetch_error": fetch_error,
                "payload": MetadataValue.path(str(snapshot.payload_path)),
                "origin_url": MetadataValue.url(str(snapshot.sidecar["origin_url"])),
            }
        )

    return _raw_asset


def build_raw_assets() -> Sequence[AssetsDefinition]:
    return [build_raw_asset(entry) for entry in load_catalogue()]
