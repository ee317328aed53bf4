"""The internal revision store (spec section 5b, ``revisions/store.py``) -> the warehouse raw
schema, and the candidate footprints of this build.

``raw/revision_cells``, ``raw/revision_footprints`` and ``raw/revision_replicates`` load the store's
version in force (the rows last published, the footprints of every published version as element
digests, and the bootstrap replicates) into the tables of the same names in the ``raw`` schema
before dbt runs; with no store yet they are empty. A store written under method 1.1 is carried into
1.2 here (its footprints reconstructed where the records published are still at hand, otherwise its
cells are held). ``raw/survey_footprints`` computes the candidate footprint of every survey
component cell from ``raw.survey_responses``: the element digests need the installation secret
(``Paths.pseudonym_secret``), which never reaches dbt, its vars or a log. The store itself lives in
the restricted raw area and is written only by the publication asset, after the gate passed.
Nothing of it is published, logged or put in metadata beyond row counts and the version name."""

from dagster import AssetExecutionContext, AssetKey, AssetSpec, Failure, MaterializeResult, multi_asset

from orchestration.resources import WAREHOUSE_POOL, PipelinePaths
from revisions import store as revisions
from sources.pseudonyms import load_or_create_secret

CELLS_KEY = AssetKey(["raw", "revision_cells"])
FOOTPRINTS_KEY = AssetKey(["raw", "revision_footprints"])
REPLICATES_KEY = AssetKey(["raw", "revision_replicates"])
SURVEY_FOOTPRINTS_KEY = AssetKey(["raw", "survey_footprints"])
SURVEY_RESPONSES_KEY = AssetKey(["raw", "survey_responses"])


def _raw_spec(key: AssetKey, kinds: set[str], description: str) -> AssetSpec:
    """A raw table of the revision rule, loaded after ``raw/survey_responses``."""
    return AssetSpec(key, group_name="raw", kinds=kinds, description=description, deps=[SURVEY_RESPONSES_KEY])


@multi_asset(
    specs=[
        _raw_spec(
            CELLS_KEY,
            {"duckdb", "parquet"},
            "The survey component cells published with a value and the rows last published (spec 5b).",
        ),
        _raw_spec(
            FOOTPRINTS_KEY,
            {"duckdb", "parquet"},
            "The footprint of every published version of each cell, as element digests (spec 5b).",
        ),
        _raw_spec(
            REPLICATES_KEY,
            {"duckdb", "parquet"},
            "The bootstrap replicates behind each value last published (spec 5b and 7).",
        ),
        _raw_spec(
            SURVEY_FOOTPRINTS_KEY,
            {"duckdb", "python"},
            "This build's candidate footprint of each survey component cell, as element digests (5b).",
        ),
    ],
    pool=WAREHOUSE_POOL,
)
def revision_store(context: AssetExecutionContext, pipeline_paths: PipelinePaths):
    paths = pipeline_paths.paths()
    root = paths.revisions
    secret = load_or_create_secret(paths.pseudonym_secret)
    try:
        version = revisions.current_version(root)
        elements = revisions.write_survey_footprints(paths.warehouse, secret)
        upgrade = revisions.Upgrade(secret=secret, releases=paths.releases, records=paths.survey_records)
        counts = revisions.load_into_warehouse(root, paths.warehouse, upgrade)
    except revisions.RevisionStoreError as exc:
        raise Failure(description=str(exc)) from exc
    where = version.name if version else "none yet (no release published into this output directory)"
    context.log.info(f"revision store: version {where}; {counts['revision_cells']} cells")
    if version is not None and version.legacy:
        context.log.warning(
            f"revision store version {version.name} has the method 1.1 layout: carried into 1.2 with "
            f"{counts['legacy_versions_reconstructed']} published version(s) reconstructed; "
            f"{counts['legacy_cells_unknown']} cell(s) whose published footprint is unknown are held (REVISION_HELD)"
        )
    if counts["cells_unknown_secret"]:
        context.log.warning(
            f"revision store version {version.name if version else ''} was written under another pseudonym secret "
            f"(restore raw/keys/pseudonym.key from the backup): its {counts['cells_unknown_secret']} cell(s) are held "
            "(REVISION_HELD) because no stored footprint can be compared"
        )
    yield MaterializeResult(
        asset_key=CELLS_KEY,
        metadata={
            "rows": counts["revision_cells"],
            "version": version.name if version else "",
            "legacy_cells_unknown": counts.get("legacy_cells_unknown", 0),
            "cells_unknown_secret": counts["cells_unknown_secret"],
        },
    )
    yield MaterializeResult(
        asset_key=FOOTPRINTS_KEY,
        metadata={
            "rows": counts["revision_footprints"],
            "legacy_versions_reconstructed": counts.get("legacy_versions_reconstructed", 0),
        },
    )
    yield MaterializeResult(asset_key=REPLICATES_KEY, metadata={"rows": counts["revision_replicates"]})
    yield MaterializeResult(asset_key=SURVEY_FOOTPRINTS_KEY, metadata={"rows": elements})
