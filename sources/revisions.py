"""The internal revision store of spec section 5b: the respondent sets behind published values.

For every survey component cell (year, sector_code, component_id) that a release published with a
value, the store keeps the unrounded values, bounds, n, n_eff, dk_share, score and flags that were
published (``cells.parquet``), the (survey_id, respondent_id) set behind them (``members.parquet``)
and their bootstrap replicates (``replicates.parquet``, so that the index interval and rank
percentiles of a held cell are those of the value held). The next build compares each cell's valid
respondents with that set (dbt model ``int_revision_differences``) and holds the published value
when 0 < D < 10.

Layout (``Paths.revisions``, default ``$RBI_OUTPUT_DIR/raw/revisions``, restricted like the
rest of the raw area: folders 0o750, files 0o640)::

    CURRENT                         the name of the version in force (replaced with os.replace)
    <NNNNNN>-<release_id>/          one version per published release that changed the store
        cells.parquet  members.parquet  replicates.parquet  manifest.json

A version is written into a hidden temporary folder, flushed, renamed into place, and only then
named in ``CURRENT``: a crash at any moment leaves the previous or the new version in force, never
a half-written one. Versions are never changed; older ones stay as history (they hold only keys and
published numbers). The store is written only by the publication asset after the quality gate
passed and the release was published (``orchestration/publication/publication.py``), and read by the raw
assets ``raw/revision_*`` before dbt runs, so it outlives a deleted warehouse. It is never
published."""

import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

CURRENT = "CURRENT"
CELLS = "cells.parquet"
MEMBERS = "members.parquet"
REPLICATES = "replicates.parquet"
MANIFEST = "manifest.json"
DIR_MODE = 0o750
FILE_MODE = 0o640
HOLD_BELOW = 10  # the seed method_parameters.revision_hold_below; the dbt models read the seed

CELL_COLUMNS: dict[str, str] = {
    "year": "integer",
    "sector_code": "varchar",
    "component_id": "varchar",
    "raw_value": "double",
    "raw_ci_low": "double",
    "raw_ci_high": "double",
    "se": "double",
    "n": "bigint",
    "n_eff": "double",
    "cv": "double",
    "dk_share": "double",
    "normalised": "double",
    "flags": "varchar",
    "source_ids": "varchar",
    "release_id": "varchar",
}
MEMBER_COLUMNS: dict[str, str] = {
    "year": "integer",
    "sector_code": "varchar",
    "component_id": "varchar",
    "survey_id": "varchar",
    "respondent_id": "varchar",
}
REPLICATE_COLUMNS: dict[str, str] = {
    "year": "integer",
    "sector_code": "varchar",
    "component_id": "varchar",
    "replicate": "integer",
    "raw_value": "double",
}
TABLES = {
    "revision_cells": (CELLS, CELL_COLUMNS),
    "revision_members": (MEMBERS, MEMBER_COLUMNS),
    "revision_replicates": (REPLICATES, REPLICATE_COLUMNS),
}
FILES = {file_name: columns for file_name, columns in TABLES.values()}


class RevisionStoreError(RuntimeError):
    """The store is unreadable (a version named in CURRENT is missing or incomplete)."""


@dataclass(frozen=True)
class Version:
    name: str
    folder: Path

    @property
    def release_id(self) -> str:
        return self.name.split("-", 1)[1]


def current_version(root: Path) -> Version | None:
    """The version in force, or None when no release has been published into this store yet."""
    pointer = root / CURRENT
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    folder = root / name
    missing = [f for f in (*FILES, MANIFEST) if not (folder / f).is_file()]
    if missing:
        raise RevisionStoreError(f"{folder}: the revision store version named in {pointer} lacks {', '.join(missing)}")
    return Version(name, folder)


def versions(root: Path) -> list[Version]:
    if not root.is_dir():
        return []
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and "-" in p.name)
    return [Version(n, root / n) for n in names]


def _column_list(columns: dict[str, str]) -> str:
    return ", ".join(f"cast({name} as {kind}) as {name}" for name, kind in columns.items())


def _create_sql(table: str, columns: dict[str, str]) -> str:
    body = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    return f"create or replace table {table} ({body})"


VERSION_TABLE = "raw.revision_version"  # the store version the raw tables hold ('' = none)


def load_into_warehouse(root: Path, db_path: Path) -> dict[str, int]:
    """Replace ``raw.revision_cells``, ``_members`` and ``_replicates`` with the store's version in
    force (empty, typed tables when there is none), and record its name in ``raw.revision_version``.
    Returns the row count per table."""
    version = current_version(root)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    counts = {}
    with duckdb.connect(str(db_path)) as con:
        con.execute("create schema if not exists raw")
        con.execute("begin transaction")
        for table, (file_name, columns) in TABLES.items():
            if version is None:
                con.execute(_create_sql(f"raw.{table}", columns))
            else:
                path = str(version.folder / file_name).replace("'", "''")
                con.execute(
                    f"create or replace table raw.{table} as select {_column_list(columns)} from read_parquet('{path}')"
                )
            counts[table] = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
        con.execute(f"create or replace table {VERSION_TABLE} as select ? as version", [loaded_name(version)])
        con.execute("commit")
    return counts


def loaded_name(version: "Version | None") -> str:
    return version.name if version else ""


def loaded_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The store version the warehouse's raw tables were loaded from (None: never loaded)."""
    try:
        row = con.execute(f"select version from {VERSION_TABLE}").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _restricted_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(DIR_MODE)


def write_version(
    root: Path, release_id: str, con: duckdb.DuckDBPyConnection, queries: dict[str, str]
) -> Version | None:
    """Write the result of one query on ``con`` per store file (``queries``: file name -> SQL, for
    every file of ``FILES``) as the store's new version and put it in force.

    Returns None (writes nothing) when the result equals the version in force, e.g. when the same
    release is published again."""
    _restricted_dir(root.parent)
    _restricted_dir(root)
    previous = current_version(root)
    tmp = root / f".tmp-{release_id}-{os.getpid()}"
    if tmp.exists():
        for leftover in tmp.iterdir():
            leftover.unlink()
        tmp.rmdir()
    tmp.mkdir(mode=DIR_MODE)
    try:
        for file_name, columns in FILES.items():
            sql = queries[file_name]
            target = str(tmp / file_name).replace("'", "''")
            con.execute(
                f"copy (select {_column_list(columns)} from ({sql}) order by all) to '{target}' (format parquet)"
            )
        counts = {
            name: con.execute(f"select count(*) from read_parquet('{tmp / name}')").fetchone()[0] for name in FILES
        }
        if previous is not None and _same_content(con, previous.folder, tmp):
            return None
        manifest = {"release_id": release_id, "rows": counts, "previous": previous.name if previous else None}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        for path in tmp.iterdir():
            path.chmod(FILE_MODE)
            _fsync(path)
        number = len(versions(root)) + 1
        name = f"{number:06d}-{release_id}"
        while (root / name).exists():
            number += 1
            name = f"{number:06d}-{release_id}"
        tmp.rename(root / name)
        _fsync(root)
        pointer_tmp = root / f".{CURRENT}.tmp-{os.getpid()}"
        pointer_tmp.write_text(name + "\n", encoding="utf-8")
        pointer_tmp.chmod(FILE_MODE)
        _fsync(pointer_tmp)
        os.replace(pointer_tmp, root / CURRENT)
        _fsync(root)
        return Version(name, root / name)
    finally:
        if tmp.exists():
            for leftover in tmp.iterdir():
                leftover.unlink()
            tmp.rmdir()


def _same_content(con: duckdb.DuckDBPyConnection, old: Path, new: Path) -> bool:
    for file_name in FILES:
        a, b = (str(p / file_name).replace("'", "''") for p in (old, new))
        diff = con.execute(
            f"select count(*) from ((select * from read_parquet('{a}') except all select * from read_parquet('{b}')) "
            f"union all (select * from read_parquet('{b}') except all select * from read_parquet('{a}')))"
        ).fetchone()[0]
        if diff:
            return False
    return True


# --- the rule itself, in plain Python (the dbt models implement the same; tests compare them) -----
Member = tuple[str, str]  # (survey_id, respondent_id)


def difference(published: set[Member], now: set[Member]) -> int:
    """D of spec section 5b: respondents added or removed since the value last published."""
    return len(published ^ now)


def decide(
    published: set[Member] | None, now: set[Member], fresh_suppressed: bool, hold_below: int = HOLD_BELOW
) -> str:
    """What a build publishes for a cell: 'suppressed', 'held' or 'fresh' (spec section 5b)."""
    if fresh_suppressed:
        return "suppressed"
    if published is not None and 0 < difference(published, now) < hold_below:
        return "held"
    return "fresh"
