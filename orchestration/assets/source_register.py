"""raw.source_register: the provenance of exactly the snapshots and exports the raw tables hold."""

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, asset

from orchestration.assets.raw_inputs import WAREHOUSE_POOL
from orchestration.assets.raw_surveys import locate_survey, survey_register_row
from orchestration.resources import PipelinePaths, Warehouse
from orchestration.run_guard import RunGuard
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
    db = pipeline_paths.warehouse()
    rows = []
    try:
        for entry in load_catalogue():
            for (snapshot_id,) in warehouse.distinct_values(db, entry.source_id, ["_snapshot_id"]):
                snapshot = snapshot_by_id(pipeline_paths.snapshots(), entry.source_id, snapshot_id)
                rows.append(provenance_row(entry.kind, snapshot))
        for folder_name, sha in warehouse.distinct_values(db, "survey_responses", ["_snapshot_id", "_sha256"]):
            rows.append(survey_register_row(locate_survey(pipeline_paths, folder_name), sha))
    except (SnapshotError, ValueError) as exc:
        raise Failure(description=str(exc)) from exc
    frame = pd.DataFrame.from_records(rows, columns=list(REGISTER_COLUMNS)).astype("string")
    count = warehouse.write_raw(db, "source_register", frame)
    context.log.info(f"raw.source_register: {count} inputs")
    return MaterializeResult(metadata={"rows": count, "sources": ", ".join(frame["source_id"])})
