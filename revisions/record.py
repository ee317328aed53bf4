"""Recording a published release in the revision store (spec 5b), and the check before it.

The second step of the Dagster asset ``csv_release``: only after the release files are published
(``publication/release_files.py``; a build stopped by the gate never reaches it) and before the
analysts' published schema is replaced. Plain Python: the asset turns the errors into failures.
"""

import duckdb

from publication.diff import RevisionUpgrade
from revisions import store
from sources.pseudonyms import load_or_create_secret
from storage import warehouse_wait
from storage.paths import Paths

# the revision store after this release (spec 5b): store file -> the dbt model that computes it
REVISION_STORE_MODELS = {
    store.CELLS: "int_revision_store_cells",
    store.FOOTPRINTS: "int_revision_store_footprints",
    store.REPLICATES: "int_revision_store_replicates",
}


def require_version_in_force(paths: Paths) -> None:
    """Refuse (:class:`revisions.store.RevisionStoreError`) a build whose revision hold (spec 5b) was
    computed from another store version than the one in force, e.g. a store restored or changed
    since the raw tables were loaded: its held cells could be wrong."""
    root = paths.revisions
    in_force = store.loaded_name(store.current_version(root))
    with warehouse_wait.connect(paths.warehouse, read_only=True) as con:
        loaded = store.loaded_version(con) or ""  # never loaded: as if the store were empty
    if loaded != in_force:
        raise store.RevisionStoreError(
            f"the warehouse was built from revision store version {loaded or 'none'!r} but {root} has "
            f"{in_force or 'none'!r} in force: run the whole job (make run) so that the revision rule "
            "(spec 5b) uses the store in force; nothing was published"
        )


def record_published_version(paths: Paths, release_id: str) -> str:
    """Put the footprints and values behind this release's published cells in force in the
    internal revision store (``store.py``), then load that version into the warehouse's raw tables,
    so that a run of part of the graph (e.g. the inbox sensor's) builds on it. Returns a line for
    the log (counts only)."""
    root = paths.revisions
    with warehouse_wait.connect(paths.warehouse, read_only=True) as con:
        held = con.execute("select count(*) from intermediate.int_components_revised where revision_held").fetchone()[0]
        queries = {name: f"select * from intermediate.{model}" for name, model in REVISION_STORE_MODELS.items()}
        secret = load_or_create_secret(paths.pseudonym_secret)
        version = store.write_version(root, release_id, con, queries, secret)
    store.load_into_warehouse(root, paths.warehouse)
    state = f"version {version.name} in force" if version else "unchanged"
    return f"{state}; {held} cell(s) held (REVISION_HELD)"


# the method whose store layout revisions/store.py carries over (Version.legacy)
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
    carries it into the current method): the count the changelog of the release states. Raises
    :class:`revisions.store.RevisionStoreError` for a store that cannot be read."""
    version = store.current_version(paths.revisions)
    if version is None or not version.legacy:
        return None
    with warehouse_wait.connect(paths.warehouse, read_only=True) as con:
        return RevisionUpgrade(LEGACY_STORE_METHOD, legacy_cells_held(con))
