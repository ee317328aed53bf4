"""raw.source_register: the provenance of exactly the snapshots and exports the raw tables hold.

Snapshots: the sidecar of each snapshot id a raw table was loaded from. Surveys: the rows
raw/survey_responses wrote to raw.survey_register with the records (no mapping is parsed again)."""

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, asset

from orchestration.resources import WAREHOUSE_POOL, PipelinePaths, Warehouse
from orchestration.runs.run_guard import RunGuard
from sources.catalogue import load_catalogue
from sources.raw_tables import REGISTER_COLUMNS, provenance_row
from sources.snapshots import SnapshotError, snapshot_by_id


@asset(
    key_prefix="raw",
    group_name="raw",
    deps=[AssetKey(["raw", e.source_id]) for e in load_catalogue()] + [AssetKey(["raw", "survey_responses"])],
    description="One row per input the raw tables were loaded from: its sidecar (or survey mapping) provenance.",
    kinds={"duckdb", "python"},
    pool=WAREHOUSE_POOL,
)
def source_register(
    context: AssetExecutionContext, pipeline_paths: PipelinePaths, warehouse: Warehouse, run_guard: RunGuard
) -> MaterializeResult:
    db = pipeline_paths.paths().warehouse
    rows = []
    try:
        for entry in load_catalogue():
            for (snapshot_id,) in warehouse.distinct_values(db, entry.source_id, ["_snapshot_id"]):
                snapshot = snapshot_by_id(
                    pipeline_paths.paths().snapshots, entry.source_id, snapshot_id, pipeline_paths.paths()
                )
                rows.append(provenance_row(entry.kind, snapshot))
        # the surveys' provenance, as raw/survey_responses recorded it beside their records
        rows.extend(warehouse.read_rows(db, "survey_register", ["snapshot_id", "sha256"]))
    except (SnapshotError, ValueError) as exc:
        raise Failure(description=str(exc)) from exc
    frame = pd.DataFrame.from_records(rows, columns=list(REGISTER_COLUMNS)).astype("string")
    count = warehouse.write_raw(db, "source_register", frame)
    context.log.info(f"raw.source_register: {count} inputs")
    return MaterializeResult(metadata={"rows": count, "sources": ", ".join(frame["source_id"])})
