"""The internal revision store of spec section 5b (method 1.2): the footprints behind published values.

For every survey component cell (year, sector_code, component_id) that a release published with a
value, the store keeps

- ``cells.parquet``: the unrounded values, bounds, n, n_eff, cv, dk_share, score, flags and
  sources last published (a held cell keeps exactly this row), and ``footprint_complete`` (false
  when the footprint of one of the cell's published versions is unknown, see *Upgrade* below);
- ``footprints.parquet``: the footprint of **every** version of the cell that a release published
  with a value, one row per distinct element: the respondent key (survey_id, respondent_id), the
  element digest (:func:`sources.pseudonyms.element_digest` of the key, the component's items in
  :data:`method.atoms.FOOTPRINT_ITEMS` order, sex and design_weight, under the installation secret)
  and ``versions``, the sorted numbers (1, 2, ...) of the cell's published versions that contain it.
  Never an answer. Erased respondents' elements stay (they protect the erased person);
- ``replicates.parquet``: the bootstrap replicates of the values last published (the index interval
  and rank percentiles of a held cell are those of the value held).

Each build computes the candidate footprints (``raw.survey_footprints``, :func:`write_survey_footprints`,
here in Python because the digest's secret must never reach dbt, its vars or its logs); the dbt
model ``int_revision_atoms`` groups the elements of the published versions and the candidate into
atoms (``method/atoms.py`` states the rule) and ``int_components_revised`` holds a cell whose
smallest atom has fewer than ``revision_atom_min`` respondent keys. A cell published afresh adds
its candidate as a new version (unless it equals one already published); a held cell's does not.

Layout (``Paths.revisions``, default ``$RBI_OUTPUT_DIR/raw/revisions``, restricted like the
rest of the raw area: folders 0o750, files 0o640)::

    CURRENT                         the name of the version in force (replaced atomically: storage/atomic.py)
    <NNNNNN>-<release_id>/          one version per published release that changed the store
        cells.parquet  footprints.parquet  replicates.parquet  manifest.json   (method 1.2 layout)
        cells.parquet  members.parquet  replicates.parquet  manifest.json      (method 1.1 layout)

A version is written into a hidden temporary folder, flushed, renamed into place, and only then
named in ``CURRENT``: a crash at any moment leaves the previous or the new version in force, never
a half-written one. Versions are never changed; older ones stay as history (they hold only keys,
digests and published numbers). The store is written only by the publication asset after the
quality gate passed and the release was published (``orchestration/publication/publication.py``),
and read by the raw assets ``raw/revision_*`` before dbt runs, so it outlives a deleted warehouse.
It is never published.

Upgrade from method 1.1. A 1.1 version holds, per cell, the (survey_id, respondent_id) set behind
the value last published (``members.parquet``) and no digests. When the version in force has the
1.1 layout, :func:`load_into_warehouse` reconstructs the footprint of every 1.1 published version
of each cell (every distinct (cell, release) of the store's history) from canonical records that
are provably those published: the release's ``sources.csv`` names each survey export by sha256 and
origin; the records of an export with the same source id, sha256 and origin are looked for in the
warehouse's ``raw.survey_responses`` and in the raw area's kept records; the reconstruction must
give exactly the published respondent set (and dk_share). Where it cannot, the cell's
``footprint_complete`` is false and the cell is held (REVISION_HELD) until the atoms rule can be
decided, i.e. for as long as its store entry lasts; the first 1.2 publication writes the 1.2 layout.

Each version's manifest records a check value of the secret (:func:`secret_check`): a build under
another secret (the key file lost and recreated) cannot compare digests, so every stored cell is
loaded as incomplete and held, instead of every element looking new.
"""

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from method.atoms import FOOTPRINT_ITEMS, footprint_fields, in_footprint, item_answers
from method.reference import CANONICAL_COLUMNS
from sources.pseudonyms import FIELD_SEPARATOR, ElementDigester, element_digest
from storage.atomic import fsync_files, move_into_place, write_atomic

CURRENT = "CURRENT"
CELLS = "cells.parquet"
FOOTPRINTS = "footprints.parquet"
REPLICATES = "replicates.parquet"
MANIFEST = "manifest.json"
LEGACY_MEMBERS = "members.parquet"  # the method 1.1 layout (respondent sets, no digests)
LAYOUT = "1.2-footprints"
DIR_MODE = 0o750
FILE_MODE = 0o640

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
    "footprint_complete": "boolean",
}
FOOTPRINT_COLUMNS: dict[str, str] = {
    "year": "integer",
    "sector_code": "varchar",
    "component_id": "varchar",
    "survey_id": "varchar",
    "respondent_id": "varchar",
    "element_digest": "varchar",
    "versions": "integer[]",
}
REPLICATE_COLUMNS: dict[str, str] = {
    "year": "integer",
    "sector_code": "varchar",
    "component_id": "varchar",
    "replicate": "integer",
    "raw_value": "double",
}
# the candidate footprints of a build (raw.survey_footprints, written by write_survey_footprints):
# a stored footprint before it is in any published version
SURVEY_FOOTPRINT_COLUMNS: dict[str, str] = {k: v for k, v in FOOTPRINT_COLUMNS.items() if k != "versions"}
TABLES = {
    "revision_cells": (CELLS, CELL_COLUMNS),
    "revision_footprints": (FOOTPRINTS, FOOTPRINT_COLUMNS),
    "revision_replicates": (REPLICATES, REPLICATE_COLUMNS),
}
FILES = {file_name: columns for file_name, columns in TABLES.values()}
LEGACY_FILES = (CELLS, LEGACY_MEMBERS, REPLICATES)


class RevisionStoreError(RuntimeError):
    """The store is unreadable (a version named in CURRENT is missing or incomplete)."""


@dataclass(frozen=True)
class Version:
    name: str
    folder: Path

    @property
    def release_id(self) -> str:
        return self.name.split("-", 1)[1]

    @property
    def legacy(self) -> bool:
        """Written under method 1.1 (respondent sets, no footprints)."""
        return not (self.folder / FOOTPRINTS).is_file() and (self.folder / LEGACY_MEMBERS).is_file()


def current_version(root: Path) -> Version | None:
    """The version in force, or None when no release has been published into this store yet."""
    pointer = root / CURRENT
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    version = Version(name, root / name)
    needed = LEGACY_FILES if version.legacy else tuple(FILES)
    missing = [f for f in (*needed, MANIFEST) if not (version.folder / f).is_file()]
    if missing:
        raise RevisionStoreError(
            f"{version.folder}: the revision store version named in {pointer} lacks {', '.join(missing)}"
        )
    return version


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


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


VERSION_TABLE = "raw.revision_version"  # the store version the raw tables hold ('' = none)


@dataclass(frozen=True)
class Upgrade:
    """What :func:`load_into_warehouse` needs to carry a method 1.1 store into 1.2: the secret of
    the element digests, the releases folder (each release's ``sources.csv``) and the raw area's
    kept canonical records (``Paths.survey_records``). The warehouse's ``raw.survey_responses``
    and ``raw.survey_register`` must be loaded first."""

    secret: bytes
    releases: Path
    records: Path


def load_into_warehouse(root: Path, db_path: Path, upgrade: Upgrade | None = None) -> dict[str, int]:
    """Replace ``raw.revision_cells``, ``_footprints`` and ``_replicates`` with the store's version
    in force (empty, typed tables when there is none), and record its name in
    ``raw.revision_version``. A version in the 1.1 layout is carried into 1.2 (module docstring;
    without ``upgrade`` no footprint is reconstructed and every stored cell is held). Returns the
    row count per table, and ``legacy_versions_reconstructed`` / ``legacy_cells_unknown`` after an
    upgrade."""
    version = current_version(root)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(db_path)) as con:
        con.execute("create schema if not exists raw")
        legacy = None
        if version is not None and version.legacy:
            legacy = _legacy_footprints(root, con, upgrade)
            con.register("legacy_footprints", legacy.footprints)
            con.register("legacy_unknown", pd.DataFrame({"cell": sorted(legacy.unknown)}, dtype="string"))
        foreign_secret = version is not None and not version.legacy and not _same_secret(version, upgrade)
        con.execute("begin transaction")
        for table, (file_name, columns) in TABLES.items():
            target = f"raw.{table}"
            if version is None:
                con.execute(_create_sql(target, columns))
            elif legacy is not None and file_name == FOOTPRINTS:
                con.execute(
                    f"create or replace table {target} as select {_column_list(columns)} from legacy_footprints"
                )
            elif file_name == CELLS and foreign_secret:
                path = _quoted(version.folder / file_name)
                con.execute(
                    f"create or replace table {target} as select {_column_list(columns)} from (select * "
                    f"replace (false as footprint_complete) from read_parquet('{path}'))"
                )
            elif legacy is not None and file_name == CELLS:
                path = _quoted(version.folder / file_name)
                con.execute(
                    f"create or replace table {target} as select {_column_list(columns)} from (select *, "
                    "(year || '|' || sector_code || '|' || component_id) not in (select cell from legacy_unknown) "
                    f"as footprint_complete from read_parquet('{path}'))"
                )
            else:
                path = _quoted(version.folder / file_name)
                con.execute(
                    f"create or replace table {target} as select {_column_list(columns)} from read_parquet('{path}')"
                )
            counts[table] = con.execute(f"select count(*) from {target}").fetchone()[0]
        con.execute(f"create or replace table {VERSION_TABLE} as select ? as version", [loaded_name(version)])
        con.execute("commit")
    counts["cells_unknown_secret"] = counts["revision_cells"] if foreign_secret else 0
    if legacy is not None:
        counts["legacy_versions_reconstructed"] = legacy.reconstructed
        counts["legacy_cells_unknown"] = len(legacy.unknown)
    return counts


SECRET_CHECK_FIELDS = ("rbi-revision-store-secret-check",)


def secret_check(secret: bytes) -> str:
    """A value that tells whether two secrets are the same without revealing either: the element
    digest of a fixed text. Stored in each version's manifest."""
    return element_digest(secret, SECRET_CHECK_FIELDS)


def _same_secret(version: Version, upgrade: "Upgrade | None") -> bool:
    """False when the version's digests were made under another secret than ``upgrade.secret``
    (e.g. the key file was lost and a new one created): then no stored digest can match a new one,
    the atoms rule cannot be decided and every stored cell is held. True when unknown."""
    if upgrade is None:
        return True
    recorded = json.loads((version.folder / MANIFEST).read_text(encoding="utf-8")).get("secret_check")
    return recorded is None or recorded == secret_check(upgrade.secret)


def loaded_name(version: "Version | None") -> str:
    return version.name if version else ""


def loaded_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The store version the warehouse's raw tables were loaded from (None: never loaded)."""
    try:
        row = con.execute(f"select version from {VERSION_TABLE}").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


# --- the candidate footprints of a build ------------------------------------------------------------
RESPONSE_COLUMNS = CANONICAL_COLUMNS  # the canonical record (method/reference.py), in the warehouse's order
_RESPONSE_TYPES = {
    "year": "integer",
    "hours_total": "double",
    "hours_doc": "double",
    "unnecessary": "integer",
    "duplicate": "integer",
    "autonomy_1": "integer",
    "autonomy_2": "integer",
    "autonomy_3": "integer",
    "design_weight": "double",
}


def _typed_select(relation: str, where: str = "") -> str:
    """The canonical columns of ``relation``, typed as ``stg_surveys__respondents`` types them (so a
    digest does not depend on how the raw table happened to store a number)."""
    columns = ", ".join(
        f"cast({c} as {_RESPONSE_TYPES[c]}) as {c}" if c in _RESPONSE_TYPES else f"cast({c} as varchar) as {c}"
        for c in RESPONSE_COLUMNS
    )
    return f"select {columns} from {relation} {where}"


def _footprint_rows(rows: Iterable[Sequence[object]], columns: Sequence[str], secret: bytes) -> pd.DataFrame:
    """The footprint elements of canonical records given as tuples in ``columns`` order."""
    at = {name: i for i, name in enumerate(columns)}
    digest = ElementDigester(secret)
    items = {c: [at[i] for i in FOOTPRINT_ITEMS[c]] for c in FOOTPRINT_ITEMS}
    survey, respondent, sex, weight = at["survey_id"], at["respondent_id"], at["sex"], at["design_weight"]
    year, sector = at["year"], at["sector_code"]
    text, sep = digest.text, FIELD_SEPARATOR
    out = []
    for row in rows:
        # the fields of method.atoms.footprint_fields: (survey_id, respondent_id, *items, sex, design_weight)
        head = text(row[survey]) + sep + text(row[respondent]) + sep
        tail = sep + text(row[sex]) + sep + text(row[weight])
        for component, positions in items.items():
            answers = [row[i] for i in positions]
            if in_footprint(component, answers):
                element = digest.of_text(head + sep.join([text(a) for a in answers]) + tail)
                out.append((row[year], row[sector], component, row[survey], row[respondent], element))
    frame = pd.DataFrame(out, columns=list(SURVEY_FOOTPRINT_COLUMNS))
    return frame.astype({"year": "int32"} | {c: "string" for c in SURVEY_FOOTPRINT_COLUMNS if c != "year"})


def footprint_frame(records: list[dict], secret: bytes) -> pd.DataFrame:
    """The footprint elements of canonical records (dicts with :data:`RESPONSE_COLUMNS`): one row per
    (record, survey component) whose items make it an element (:func:`method.atoms.in_footprint`),
    with the element digest of :func:`method.atoms.footprint_fields`."""
    return _footprint_rows(([r.get(c) for c in RESPONSE_COLUMNS] for r in records), RESPONSE_COLUMNS, secret)


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def write_survey_footprints(db_path: Path, secret: bytes) -> int:
    """Replace ``raw.survey_footprints`` with the candidate footprint elements of every canonical
    record in ``raw.survey_responses`` (digests and keys only). Returns the number of elements."""
    with duckdb.connect(str(db_path)) as con:
        cursor = con.execute(_typed_select("raw.survey_responses"))
        frame = _footprint_rows(cursor.fetchall(), [d[0] for d in cursor.description], secret)
        con.execute("create schema if not exists raw")
        con.register("incoming", frame)
        con.execute(
            "create or replace table raw.survey_footprints as select "
            f"{_column_list(SURVEY_FOOTPRINT_COLUMNS)} from incoming"
        )
        con.unregister("incoming")
    return len(frame)


# --- carrying a method 1.1 store into 1.2 ------------------------------------------------------------
@dataclass
class _Legacy:
    footprints: pd.DataFrame  # FOOTPRINT_COLUMNS
    unknown: set[str]  # "year|sector|component" of cells with a published version not reconstructed
    reconstructed: int


def _valid_11(component: str, r: dict) -> bool:
    """Method 1.1's valid respondents (the sets ``members.parquet`` holds)."""
    if component == "C1":
        return r["hours_total"] is not None and r["hours_doc"] is not None
    items = [r[i] for i in FOOTPRINT_ITEMS[component]]
    in_range = sum(1 for v in items if v is not None and 1 <= v <= 5)
    return in_range >= (2 if component == "C4" else 1)


def _dk_share(component: str, records: list[dict]) -> float | None:
    if component == "C1":
        return None
    answers = [r[i] for r in records for i in FOOTPRINT_ITEMS[component] if r[i] is not None]
    return 100 * sum(1 for a in answers if a == 8) / len(answers) if answers else None


def _release_sources(releases: Path, release_id: str) -> dict[str, tuple[str, str]] | None:
    """source_id -> (sha256, origin) of the survey exports a release (numbers id) names, or None."""
    from publication.identity import numbers_id

    if not releases.is_dir():
        return None
    for folder in sorted(p for p in releases.iterdir() if p.is_dir() and not p.is_symlink()):
        if numbers_id(folder.name) == release_id and (folder / "sources.csv").is_file():
            rows = csv.DictReader(io.StringIO((folder / "sources.csv").read_text(encoding="utf-8")))
            return {r["source_id"]: (r["sha256"], r["origin"]) for r in rows if r["origin"].startswith("survey export")}
    return None


def _record_sets(con: duckdb.DuckDBPyConnection, records_root: Path) -> dict[tuple[str, str, str], str]:
    """(source_id, sha256, origin) -> a SQL relation of that export's canonical records: the
    warehouse's current ones and the raw area's kept ones."""
    found: dict[tuple[str, str, str], str] = {}
    try:
        register = con.execute("select source_id, sha256, origin from raw.survey_register").fetchall()
    except duckdb.CatalogException:
        register = []
    for source_id, sha, origin in register:
        found[(source_id, sha, origin)] = (
            f"(select * from raw.survey_responses where survey_id = '{source_id.replace(chr(39), chr(39) * 2)}')"
        )
    for sidecar in sorted(records_root.glob("*/*.provenance.json")) if records_root.is_dir() else []:
        parquet = sidecar.with_name(sidecar.name.replace(".provenance.json", ".parquet"))
        if not parquet.is_file():
            continue
        register_row = json.loads(sidecar.read_text(encoding="utf-8")).get("register", {})
        key = (register_row.get("source_id"), register_row.get("sha256"), register_row.get("origin"))
        found.setdefault(key, f"read_parquet('{_quoted(parquet)}')")
    return found


def _legacy_footprints(root: Path, con: duckdb.DuckDBPyConnection, upgrade: Upgrade | None) -> _Legacy:
    """The footprints of every method 1.1 published version of each stored cell that can be
    reconstructed exactly (module docstring), numbered per cell in publication order."""
    published: dict[tuple[str, str], dict] = {}  # (cell, release_id) -> cell row and members
    order: list[tuple[str, str]] = []
    for version in versions(root):
        if not version.legacy:
            continue
        cells = _records(con, f"select * from read_parquet('{_quoted(version.folder / CELLS)}')")
        members = _records(con, f"select * from read_parquet('{_quoted(version.folder / LEGACY_MEMBERS)}')")
        by_cell: dict[str, set[tuple[str, str]]] = {}
        for m in members:
            by_cell.setdefault(f"{m['year']}|{m['sector_code']}|{m['component_id']}", set()).add(
                (str(m["survey_id"]), str(m["respondent_id"]))
            )
        for cell in cells:
            name = f"{cell['year']}|{cell['sector_code']}|{cell['component_id']}"
            key = (name, str(cell["release_id"]))
            if key not in published:
                published[key] = {"cell": cell, "members": by_cell.get(name, set())}
                order.append(key)
    in_force = current_version(root)
    assert in_force is not None
    stored_cells = {
        f"{c['year']}|{c['sector_code']}|{c['component_id']}"
        for c in _records(
            con, f"select year, sector_code, component_id from read_parquet('{_quoted(in_force.folder / CELLS)}')"
        )
    }
    record_sets = _record_sets(con, upgrade.records) if upgrade else {}
    elements: dict[tuple[str, str, str, str], list[int]] = {}  # (cell, survey, respondent, digest) -> versions
    numbers: dict[str, int] = {}
    unknown: set[str] = set()
    reconstructed = 0
    for name, release_id in order:
        if name not in stored_cells:
            continue
        entry = published[(name, release_id)]
        footprint = _reconstruct(entry, release_id, upgrade, record_sets, con) if upgrade else None
        if footprint is None:
            unknown.add(name)
            continue
        numbers[name] = numbers.get(name, 0) + 1
        reconstructed += 1
        for survey_id, respondent_id, digest in footprint:
            elements.setdefault((name, survey_id, respondent_id, digest), []).append(numbers[name])
    rows = []
    for (name, survey_id, respondent_id, digest), numbered in sorted(elements.items()):
        year, sector, component = name.split("|")
        rows.append((int(year), sector, component, survey_id, respondent_id, digest, numbered))
    frame = pd.DataFrame(rows, columns=list(FOOTPRINT_COLUMNS))
    return _Legacy(frame, unknown | (stored_cells - {n for n, _ in order}), reconstructed)


def _reconstruct(
    entry: dict, release_id: str, upgrade: Upgrade, record_sets: dict, con: duckdb.DuckDBPyConnection
) -> list[tuple[str, str, str]] | None:
    """The footprint of one 1.1 published version as (survey_id, respondent_id, digest), or None
    when the records behind it are not provably those published."""
    cell, members = entry["cell"], entry["members"]
    component = cell["component_id"]
    sources = _release_sources(upgrade.releases, release_id)
    if sources is None:
        return None
    named = [s for s in str(cell["source_ids"] or "").split(";") if s in sources]
    relations = []
    for source_id in named:
        relation = record_sets.get((source_id, *sources[source_id]))
        if relation is None:
            return None
        relations.append(relation)
    if not relations:
        return None
    union = " union all ".join(
        _typed_select(r, "where cast(year as integer) = ? and cast(sector_code as varchar) = ?") for r in relations
    )
    records = _records(con, union, [cell["year"], cell["sector_code"]] * len(relations))
    elements = [r for r in records if in_footprint(component, item_answers(component, r))]
    valid = {(str(r["survey_id"]), str(r["respondent_id"])) for r in elements if _valid_11(component, r)}
    if valid != members:
        return None
    published_dk, dk = cell["dk_share"], _dk_share(component, elements)
    if (published_dk is None) != (dk is None) or (dk is not None and abs(dk - published_dk) > 1e-9):
        return None
    return [
        (str(r["survey_id"]), str(r["respondent_id"]), element_digest(upgrade.secret, footprint_fields(component, r)))
        for r in elements
    ]


# --- writing a version -------------------------------------------------------------------------------
def _restricted_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(DIR_MODE)


def write_version(
    root: Path,
    release_id: str,
    con: duckdb.DuckDBPyConnection,
    queries: dict[str, str],
    secret: bytes | None = None,
) -> Version | None:
    """Write the result of one query on ``con`` per store file (``queries``: file name -> SQL, for
    every file of ``FILES``) as the store's new version and put it in force. With the digests'
    ``secret``, the manifest records its check value (:func:`secret_check`), so that a build under
    another secret can tell that it cannot compare its digests with these.

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
            target = _quoted(tmp / file_name)
            con.execute(
                f"copy (select {_column_list(columns)} from ({sql}) order by all) to '{target}' (format parquet)"
            )
        counts = {
            name: con.execute(f"select count(*) from read_parquet('{_quoted(tmp / name)}')").fetchone()[0]
            for name in FILES
        }
        if previous is not None and not previous.legacy and _same_content(con, previous.folder, tmp):
            return None
        manifest = {
            "layout": LAYOUT,
            "release_id": release_id,
            "rows": counts,
            "previous": previous.name if previous else None,
            "secret_check": secret_check(secret) if secret is not None else None,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        for path in tmp.iterdir():
            path.chmod(FILE_MODE)
        fsync_files(tmp)
        number = len(versions(root)) + 1
        name = f"{number:06d}-{release_id}"
        while (root / name).exists():
            number += 1
            name = f"{number:06d}-{release_id}"
        move_into_place(tmp, root / name)  # storage/atomic.py: synced, renamed, the folder synced
        write_atomic(root / CURRENT, (name + "\n").encode("utf-8"), mode=FILE_MODE)
        return Version(name, root / name)
    finally:
        if tmp.exists():
            for leftover in tmp.iterdir():
                leftover.unlink()
            tmp.rmdir()


def _same_content(con: duckdb.DuckDBPyConnection, old: Path, new: Path) -> bool:
    for file_name in FILES:
        a, b = (_quoted(p / file_name) for p in (old, new))
        diff = con.execute(
            f"select count(*) from ((select * from read_parquet('{a}') except all select * from read_parquet('{b}')) "
            f"union all (select * from read_parquet('{b}') except all select * from read_parquet('{a}')))"
        ).fetchone()[0]
        if diff:
            return False
    return True
