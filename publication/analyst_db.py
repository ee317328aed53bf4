"""The analyst DuckDB file of a release: schema ``publish`` equal to the published CSVs.

Same rows and columns as the CSVs, typed (VARCHAR / BIGINT / DOUBLE of the rounded values), every
table and column commented (``COMMENT ON``, from publication/metadata.py), plus the table
``publish.release_metadata`` (release, method, data status, licence, sources). Nothing else: no
respondent-level rows, no suppressed values (it is written from the same published rows as the CSVs).

DuckDB files are not byte-deterministic (block layout and headers vary between runs), so the file is
left out of ``SHA256SUMS`` and of the byte-identity of releases; its content is deterministic.
"""

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from publication.datapackage import LICENCE, ReleaseInfo
from publication.metadata import table_metadata
from publication.parquet import arrow_table

SCHEMA = "publish"
DUCKDB_TYPES = {"text": "VARCHAR", "int": "BIGINT", "dec1": "DOUBLE", "dec3": "DOUBLE", "plain": "DOUBLE"}
METADATA_TABLE = "release_metadata"


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
    with duckdb.connect(str(tmp)) as con:
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
            f"CREATE TABLE {SCHEMA}.{METADATA_TABLE} (release_id VARCHAR, created_at VARCHAR, method_version VARCHAR,"
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
        con.execute("CHECKPOINT")
    os.replace(tmp, path)
