"""The analyst DuckDB file of a release.

- schema ``publish``: the published tables, same rows and columns as the CSVs, typed (VARCHAR /
  BIGINT / DOUBLE of the rounded values), every table and column commented (``COMMENT ON``, from
  publication/metadata.py), and ``publish.release_metadata`` (release, typed date,
  method, data status, licence, sources);
- schema ``method``: the method as tables (weights, goalposts, flags with meanings, scenarios,
  sectors, components), publication/method_tables.py;
- the default schema: a view of every table above (no prefix needed; ``created_at`` and
  ``retrieved_at`` typed TIMESTAMP), and ``results``: one wide row per year and sector (index,
  interval, 90 % rank interval, flags, then each component's value, unit and score), sorted by year and rank.
Nothing else: no respondent-level rows, no suppressed values (it is written from the same published
rows as the CSVs).

DuckDB files are not byte-deterministic (block layout and headers vary between runs), so the file is
left out of ``SHA256SUMS`` and of the byte-identity of releases; its content is deterministic.

Storage format: the file is written in the OLDEST DuckDB storage version that holds its contents
(:data:`STORAGE_VERSION`, ``v1.0.0``: tables, views, comments and lists), not in the format of the
DuckDB that writes it, so every DuckDB 1.x reader (the CLI, R, Julia, DBeaver's driver, notebooks
pinned to 1.x) opens it; tests/publication/test_older_readers.py opens it with DuckDB 1.1 and 1.5.
A newer format is chosen here only when the file needs a feature the old one lacks, and then the
documentation of the versions that open it changes with it (docs/analysts.md, the release README,
the workbook's About sheet all read :data:`OPENS_WITH`).
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from method.ranks import rank_interval_label
from method.reference import component_ids
from publication.datapackage import LICENCE
from publication.metadata import table_metadata
from publication.method_tables import method_tables, rows_as_columns
from publication.parquet import arrow_table
from publication.release_info import ReleaseInfo
from storage.atomic import replace_file

ANALYST_DB = "rbi.duckdb"  # the file name in every release
SCHEMA = "publish"
METHOD_SCHEMA = "method"
TIMESTAMP_COLUMNS = ("created_at", "retrieved_at")
RESULTS_VIEW = "results"
DUCKDB_TYPES = {"text": "VARCHAR", "int": "BIGINT", "dec1": "DOUBLE", "dec3": "DOUBLE", "plain": "DOUBLE"}
METADATA_TABLE = "release_metadata"
# the oldest storage version that holds the file's contents; DuckDB 1.0.0 and every later release read it
STORAGE_VERSION = "v1.0.0"
OPENS_WITH = "DuckDB 1.0 or newer (1.x and 2.x)"
OPENS_WITH_NB = "DuckDB 1.0 eller nyere (1.x og 2.x)"
_ALIAS = "release_file"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _comment(described: Any) -> str:
    text = f"{described.title_en}: {described.description_en} / {described.title_nb}: {described.description_nb}"
    return text + (f" [unit: {described.unit}]" if described.unit else "")


def write_analyst_db(
    path: Path,
    info: ReleaseInfo,
    tables: Sequence[tuple[str, Mapping[str, str], list[dict[str, Any]]]],
    sources: Sequence[Mapping[str, Any]],
) -> None:
    """Write the file at ``path`` (written aside as ``.<name>.tmp`` and renamed into place)."""
    tmp = path.with_name(f".{path.name}.tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        if leftover.exists():
            leftover.unlink()
    with duckdb.connect() as con:
        # written through ATTACH with an explicit storage version: a plain connect() would write the
        # newest format, which DuckDB 1.x refuses ("version number 69 ... can only read 64 to 68")
        con.execute(f"ATTACH {_quote(str(tmp))} AS {_ALIAS} (STORAGE_VERSION {_quote(STORAGE_VERSION)})")
        con.execute(f"USE {_ALIAS}")
        _fill(con, info, tables, sources)
        con.execute("CHECKPOINT")
        con.execute("USE memory")
        con.execute(f"DETACH {_ALIAS}")
    replace_file(tmp, path)


def storage_version(path: Path) -> str:
    """The storage version tag of a DuckDB file (e.g. ``v1.0.0+``), read without writing to it."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH {_quote(str(path))} AS probe (READ_ONLY)")
        (tags,) = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'probe'").fetchone()
        return str(dict(tags).get("storage_version", ""))


def _fill(
    con: duckdb.DuckDBPyConnection,
    info: ReleaseInfo,
    tables: Sequence[tuple[str, Mapping[str, str], list[dict[str, Any]]]],
    sources: Sequence[Mapping[str, Any]],
) -> None:
    con.execute(f"CREATE SCHEMA {SCHEMA}")
    for name, columns, rows in tables:
        meta = table_metadata(name, list(columns))
        ddl = ", ".join(f'"{c}" {DUCKDB_TYPES[k]}' for c, k in columns.items())
        con.execute(f'CREATE TABLE {SCHEMA}."{name}" ({ddl})')
        incoming = arrow_table(rows, columns)  # noqa: F841  (read by name by DuckDB)
        con.execute(f'INSERT INTO {SCHEMA}."{name}" SELECT * FROM incoming')
        con.execute(f'COMMENT ON TABLE {SCHEMA}."{name}" IS {_quote(_comment(meta.table))}')
        for column in columns:
            comment = _quote(_comment(meta.columns[column]))
            con.execute(f'COMMENT ON COLUMN {SCHEMA}."{name}"."{column}" IS {comment}')
    con.execute(
        f"CREATE TABLE {SCHEMA}.{METADATA_TABLE} (release_id VARCHAR, created_at TIMESTAMP, method_version VARCHAR,"
        " data_status VARCHAR, licence VARCHAR, licence_url VARCHAR, source_ids VARCHAR[], tables VARCHAR[])"
    )
    con.execute(
        f"INSERT INTO {SCHEMA}.{METADATA_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            info.release_id,
            info.created_at,
            info.method_version,
            info.data_status,
            LICENCE["name"],
            LICENCE["path"],
            sorted(str(s["source_id"]) for s in sources),
            [name for name, _, _ in tables],
        ],
    )
    con.execute(
        f"COMMENT ON TABLE {SCHEMA}.{METADATA_TABLE} IS "
        + _quote(
            "The release this file belongs to: method version, data status ('demonstration' = invented data), "
            "licence and input sources (see table sources) / Utgivelsen filen hører til."
        )
    )
    _method_schema(con, info.method_version)
    _default_views(con, [name for name, _, _ in tables])


def _method_schema(con: duckdb.DuckDBPyConnection, method_version: str) -> None:
    con.execute(f"CREATE SCHEMA {METHOD_SCHEMA}")
    for name, (columns, rows, comment) in method_tables(method_version).items():
        ddl = ", ".join(f'"{c}" {t}' for c, t in columns.items())
        con.execute(f'CREATE TABLE {METHOD_SCHEMA}."{name}" ({ddl})')
        if rows:
            incoming = rows_as_columns(columns, rows)  # noqa: F841  (read by name by DuckDB)
            names = ", ".join(f'"{c}"' for c in columns)
            con.execute(f'INSERT INTO {METHOD_SCHEMA}."{name}" SELECT {names} FROM incoming')
        con.execute(f'COMMENT ON TABLE {METHOD_SCHEMA}."{name}" IS {_quote(comment)}')


def _default_views(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> None:
    """A view in the default schema of every table, timestamps typed, and the wide ``results`` view."""
    for schema, table in [(SCHEMA, n) for n in [*names, METADATA_TABLE]] + [
        (METHOD_SCHEMA, n)
        for (n,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? "
            "ORDER BY table_name",
            [METHOD_SCHEMA],
        ).fetchall()
    ]:
        commented = con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, table],
        ).fetchall()
        columns = [c for c, _ in commented]
        select = ", ".join(
            f'TRY_CAST("{c}" AS TIMESTAMP) AS "{c}"' if c in TIMESTAMP_COLUMNS else f'"{c}"' for c in columns
        )
        con.execute(f'CREATE VIEW main."{table}" AS SELECT {select} FROM {schema}."{table}"')
        con.execute(f'COMMENT ON VIEW main."{table}" IS {_quote(f"= {schema}.{table}, timestamps typed")}')
        for column, comment in commented:
            if comment:
                con.execute(f'COMMENT ON COLUMN main."{table}"."{column}" IS {_quote(comment)}')
    if "index_sector_year" not in names or "component_sector_year" not in names:
        return
    per_component = ", ".join(
        f"max(c.raw_value) FILTER (WHERE c.component_id = '{cid}') AS {cid.lower()}_value, "
        f"max(c.unit) FILTER (WHERE c.component_id = '{cid}') AS {cid.lower()}_unit, "
        f"max(c.normalised) FILTER (WHERE c.component_id = '{cid}') AS {cid.lower()}_score, "
        f"max(c.flags) FILTER (WHERE c.component_id = '{cid}') AS {cid.lower()}_flags"
        for cid in component_ids()
    )
    con.execute(
        f"""CREATE VIEW main.{RESULTS_VIEW} AS
        SELECT i.year, i.rank, i.rank_p05, i.rank_p95, i.sector_code, i.sector_nb, i.sector_en, i.index,
               i.index_ci_low, i.index_ci_high, i.n_components, i.flags, {per_component}
        FROM {SCHEMA}.index_sector_year i
        LEFT JOIN {SCHEMA}.component_sector_year c ON c.year = i.year AND c.sector_code = i.sector_code
        GROUP BY ALL
        ORDER BY i.year DESC, i.rank NULLS LAST, i.sector_code"""
    )
    con.execute(
        f"COMMENT ON VIEW main.{RESULTS_VIEW} IS "
        + _quote(
            "One row per year and sector, sorted by year (newest first) and rank: index, 95 % interval, "
            f"{rank_interval_label('en')} (rank_p05-rank_p95), flags, and per component C1-C5 the value with its unit "
            "and the 0-100 score "
            "(see method.weights and method.goalposts) / Én rad per år og sektor, sortert etter rang."
        )
    )
