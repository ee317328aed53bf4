"""Publication: the gated marts -> an immutable, versioned CSV release.

Runs only after the blocking GX checks on the marts pass (orchestration/checks.py)."""

import csv
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, MetadataValue, asset

from expectations.contracts import RELEASES
from orchestration.release.csv_writer import csv_bytes
from orchestration.release.readme import release_readme
from orchestration.release.store import ReleaseConflict, current_release, publish
from orchestration.release.tables import PUBLISHED_TABLES
from orchestration.resources import PipelinePaths


def read_relation(db_path: Path, relation: str) -> list[dict[str, Any]]:
    """All rows of a warehouse relation, through a read-only connection that is closed after."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        cursor = con.execute(f"select * from {relation}")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def previous_releases_rows(releases_root: Path) -> list[dict[str, str]]:
    """The releases table of the current release (the history so far)."""
    current = current_release(releases_root)
    if current is None:
        return []
    path = releases_root / current / "releases.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sources_changes(releases_root: Path, sources_rows: list[dict[str, Any]]) -> list[str]:
    """Which inputs were added, removed or changed since the current release."""
    current = current_release(releases_root)
    path = releases_root / current / "sources.csv" if current else None
    if path is None or not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        before = {row["source_id"]: row["sha256"] for row in csv.DictReader(handle)}
    after = {str(row["source_id"]): str(row["sha256"]) for row in sources_rows}
    notes = [f"new input {s}" for s in sorted(after.keys() - before.keys())]
    notes += [f"input {s} removed" for s in sorted(before.keys() - after.keys())]
    notes += [f"input {s} changed" for s in sorted(after.keys() & before.keys()) if after[s] != before[s]]
    return notes


def changelog_entry(release_id: str, previous: list[dict[str, str]], changes: list[str]) -> str:
    if not previous:
        return "First release."
    last = previous[-1]["release_id"]
    if not changes:
        return f"Rebuilt from the inputs of {last}; method unchanged."
    return f"Since {last}: " + "; ".join(changes) + "."


@asset(
    group_name="publication",
    deps=[AssetKey(["marts", t.name]) for t in PUBLISHED_TABLES] + [AssetKey(["marts", "release_info"])],
    description="Writes releases/<release_id>/ (CSV tables, releases.csv, README.txt) and moves `latest`.",
    kinds={"csv"},
)
def csv_release(context: AssetExecutionContext, pipeline_paths: PipelinePaths) -> MaterializeResult:
    warehouse = pipeline_paths.warehouse()
    info = read_relation(warehouse, "marts.release_info")[0]
    release_id = str(info["release_id"])
    created_at = str(info["created_at"])
    files: dict[str, bytes] = {}
    row_counts: dict[str, int] = {}
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in PUBLISHED_TABLES:
        rows = read_relation(warehouse, table.mart)
        tables[table.name] = rows
        row_counts[table.name] = len(rows)
        files[f"{table.name}.csv"] = csv_bytes(rows, table.columns)

    releases_root = pipeline_paths.releases()
    previous = [r for r in previous_releases_rows(releases_root) if r["release_id"] != release_id]
    entry = {
        "release_id": release_id,
        "created_at": created_at,
        "method_version": info["method_version"],
        "data_status": info["data_status"],
        "changelog": changelog_entry(release_id, previous, sources_changes(releases_root, tables["sources"])),
    }
    files["releases.csv"] = csv_bytes([*previous, entry], RELEASES)
    files["README.txt"] = release_readme(
        release_id,
        created_at,
        str(info["method_version"]),
        str(info["data_status"]),
        [t.name for t in PUBLISHED_TABLES],
    ).encode("utf-8")
    try:
        outcome = publish(releases_root, release_id, files)
    except ReleaseConflict as exc:
        raise Failure(description=str(exc)) from exc
    context.log.info(f"release {release_id}: {outcome.status} at {outcome.path}")
    return MaterializeResult(
        metadata={
            "release_id": release_id,
            "status": outcome.status,
            "data_status": str(info["data_status"]),
            "path": MetadataValue.path(str(outcome.path)),
            "row_counts": MetadataValue.json(row_counts),
        }
    )
