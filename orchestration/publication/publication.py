"""Publication: the gated marts -> an immutable, versioned release (publication/build.py).

Runs only after the blocking GX checks on the marts pass (orchestration/publication/checks.py)."""

import duckdb
from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, MetadataValue, asset

from orchestration.publication import published_schema
from orchestration.publication.alerts import warehouse_wait_notifier
from orchestration.resources import PipelinePaths
from orchestration.runs.run_guard import RunGuard
from orchestration.warehouse import build_state
from publication.build import build_release
from publication.contracts import PUBLISHED_TABLES
from publication.diff import RevisionUpgrade
from publication.identity import with_presentation
from publication.marts import read_relation, release_info
from publication.store import ReleaseConflict, current_release, publish
from sources import revisions, warehouse_wait
from sources.paths import METHODOLOGY, Paths
from sources.pseudonyms import load_or_create_secret

# the revision store after this release (spec 5b), written once the release is published
REVISION_STORE_MODELS = {
    revisions.CELLS: "int_revision_store_cells",
    revisions.FOOTPRINTS: "int_revision_store_footprints",
    revisions.REPLICATES: "int_revision_store_replicates",
}


def check_revision_store(paths: Paths) -> None:
    """Refuse to publish a build whose revision hold (spec 5b) was computed from another store
    version than the one in force, e.g. a store restored or changed since the raw tables were
    loaded: its held cells could be wrong."""
    root = paths.revisions
    try:
        in_force = revisions.loaded_name(revisions.current_version(root))
    except revisions.RevisionStoreError as exc:
        raise Failure(description=str(exc)) from exc
    with warehouse_wait.connect(paths.warehouse, read_only=True) as con:
        loaded = revisions.loaded_version(con) or ""  # never loaded: as if the store were empty
    if loaded != in_force:
        raise Failure(
            description=(
                f"the warehouse was built from revision store version {loaded or 'none'!r} but {root} has "
                f"{in_force or 'none'!r} in force: run the whole job (make run) so that the revision rule "
                "(spec 5b) uses the store in force; nothing was published"
            )
        )


# the method whose store layout sources/revisions.py carries over (Version.legacy)
LEGACY_STORE_METHOD = "1.1"


def legacy_cells_held(con: duckdb.DuckDBPyConnection) -> int:
    """How many cells this build holds (REVISION_HELD) because the footprint of their published
    version could not be rebuilt when the store was carried over (``footprint_complete`` false)."""
    return con.execute(
        "select count(*) from intermediate.int_components_revised as revised "
        "join intermediate.int_revision_atoms as atoms using (year, sector_code, component_id) "
        "where revised.revision_held and not atoms.footprint_complete"
    ).fetchone()[0]


def revision_upgrade(paths: Paths) -> RevisionUpgrade | None:
    """When the store in force was written under method 1.1 (so this is the first build that
    carries it into the current method): the count the changelog of the release states."""
    try:
        version = revisions.current_version(paths.revisions)
    except revisions.RevisionStoreError as exc:
        raise Failure(description=str(exc)) from exc
    if version is None or not version.legacy:
        return None
    with warehouse_wait.connect(paths.warehouse, read_only=True) as con:
        return RevisionUpgrade(LEGACY_STORE_METHOD, legacy_cells_held(con))


def update_revision_store(paths: Paths, release_id: str) -> str:
    """Put the footprints and values behind this release's published cells in force in the
    internal revision store (sources/revisions.py), then load that version into the warehouse's
    raw tables, so that a run of part of the graph (e.g. the inbox sensor's) builds on it. Called
    only after the release was published: a build stopped by the gate never reaches it. Returns a
    line for the log (counts only)."""
    root = paths.revisions
    with warehouse_wait.connect(paths.warehouse, read_only=True) as con:
        held = con.execute("select count(*) from intermediate.int_components_revised where revision_held").fetchone()[0]
        queries = {name: f"select * from intermediate.{model}" for name, model in REVISION_STORE_MODELS.items()}
        secret = load_or_create_secret(paths.pseudonym_secret)
        version = revisions.write_version(root, release_id, con, queries, secret)
    revisions.load_into_warehouse(root, paths.warehouse)
    state = f"version {version.name} in force" if version else "unchanged"
    return f"{state}; {held} cell(s) held (REVISION_HELD)"


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
    warehouse = paths.warehouse
    try:
        build_state.require_complete(paths.build_state)
    except build_state.IncompleteBuild as exc:
        raise Failure(description=str(exc)) from exc
    check_revision_store(paths)
    upgrade = revision_upgrade(paths)
    info = with_presentation(release_info(read_relation(warehouse, "marts.release_info")[0]))
    rows = {table.name: read_relation(warehouse, table.mart) for table in PUBLISHED_TABLES}
    releases_root = paths.releases
    current = current_release(releases_root)
    content = build_release(
        info,
        [(t.name, t.columns) for t in PUBLISHED_TABLES],
        rows,
        releases_root / current if current else None,
        METHODOLOGY.read_bytes(),
        upgrade,
    )
    try:
        outcome = publish(releases_root, info.release_id, content.files, content.writers)
    except ReleaseConflict as exc:
        raise Failure(description=str(exc)) from exc
    context.log.info(f"release {info.release_id}: {outcome.status} at {outcome.path}; {content.changelog}")
    revision = update_revision_store(paths, info.release_id)
    context.log.info(f"revision store (spec 5b): {revision}")
    marts = [t.mart for t in PUBLISHED_TABLES] + ["marts.release_info"]
    on_long_wait = warehouse_wait_notifier(context.run_id, context.job_name or "", context.log)
    published_schema.promote(warehouse, marts, info.release_id, context.log.warning, on_long_wait)
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
