"""The internal revision store (spec section 5b, ``sources/revisions.py``) -> the warehouse raw
schema.

``raw/revision_cells``, ``raw/revision_members`` and ``raw/revision_replicates`` load the store's
version in force (the values, respondent sets and bootstrap replicates behind the values last
published) into the tables of the same names in the ``raw`` schema before dbt runs; with no store
yet they are empty. The store itself lives in the restricted raw area and is written only by the
publication asset, after the gate passed. Nothing of it is published, logged or put in metadata
beyond row counts and the version name."""

from dagster import AssetExecutionContext, AssetKey, AssetSpec, Failure, MaterializeResult, multi_asset

from orchestration.resources import WAREHOUSE_POOL, PipelinePaths
from sources import revisions

CELLS_KEY = AssetKey(["raw", "revision_cells"])
MEMBERS_KEY = AssetKey(["raw", "revision_members"])
REPLICATES_KEY = AssetKey(["raw", "revision_replicates"])


@multi_asset(
    specs=[
        AssetSpec(
            CELLS_KEY,
            group_name="raw",
            kinds={"duckdb", "parquet"},
            description="The survey component cells published with a value and the values last published (spec 5b).",
        ),
        AssetSpec(
            MEMBERS_KEY,
            group_name="raw",
            kinds={"duckdb", "parquet"},
            description="The (survey_id, respondent_id) set behind each value last published (spec 5b).",
        ),
        AssetSpec(
            REPLICATES_KEY,
            group_name="raw",
            kinds={"duckdb", "parquet"},
            description="The bootstrap replicates behind each value last published (spec 5b and 7).",
        ),
    ],
    pool=WAREHOUSE_POOL,
)
def revision_store(context: AssetExecutionContext, pipeline_paths: PipelinePaths):
    paths = pipeline_paths.paths()
    root = paths.revisions
    try:
        version = revisions.current_version(root)
        counts = revisions.load_into_warehouse(root, paths.warehouse)
    except revisions.RevisionStoreError as exc:
        raise Failure(description=str(exc)) from exc
    where = version.name if version else "none yet (no release published into this output directory)"
    context.log.info(f"revision store: version {where}; {counts['revision_cells']} cells")
    yield MaterializeResult(
        asset_key=CELLS_KEY, metadata={"rows": counts["revision_cells"], "version": version.name if version else ""}
    )
    yield MaterializeResult(asset_key=MEMBERS_KEY, metadata={"rows": counts["revision_members"]})
    yield MaterializeResult(asset_key=REPLICATES_KEY, metadata={"rows": counts["revision_replicates"]})
