"""Row counts and column types of the dbt models, read from the warehouse after `dbt build` exits.

dagster-dbt's own `fetch_row_counts()` / `fetch_column_metadata()` query through the dbt adapter in
this process; on DuckDB that adapter keeps a read-write connection to the warehouse open after the
build, and DuckDB then refuses the gate's read-only connections in the same process ("different
configuration than existing connections"). So the same metadata is read here through one read-only
connection that is closed before the events are passed on. dbt holds the file until it exits, so
the events of the models are held until then (dagster-dbt does the same on DuckDB).
"""

import json
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetMaterialization, MetadataValue, Output, TableColumn, TableSchema

COUNTED = ("table", "incremental", "seed", "snapshot")  # views are not counted (they run their query)


@cache
def manifest_nodes(manifest_path: Path) -> dict[str, dict[str, Any]]:
    return json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"]


def _unique_id(event: Any) -> str | None:
    value = event.metadata.get("unique_id") if isinstance(event, Output | AssetMaterialization) else None
    return getattr(value, "text", None) or (value if isinstance(value, str) else None)


def table_metadata(con: duckdb.DuckDBPyConnection, node: dict[str, Any]) -> dict[str, Any]:
    schema, name = node["schema"], node.get("alias") or node["name"]
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    if not columns:
        return {}
    # the documented metadata keys the UI shows as the asset's columns and row count
    metadata: dict[str, Any] = {
        "dagster/column_schema": MetadataValue.table_schema(TableSchema([TableColumn(c, t) for c, t in columns])),
        "dagster/table_name": f"{schema}.{name}",
    }
    if node.get("config", {}).get("materialized", node["resource_type"]) in COUNTED:
        metadata["dagster/row_count"] = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
    return metadata


def with_table_metadata(events: Iterable[Any], warehouse: Path, manifest_path: Path) -> Iterator[Any]:
    """The dbt events, the materialisations of models and seeds with row count and column schema."""
    held = list(events)  # the build has finished: dbt no longer holds the warehouse
    nodes = manifest_nodes(manifest_path)
    extra: dict[str, dict[str, Any]] = {}
    ids = {uid for uid in map(_unique_id, held) if uid in nodes}
    if ids and warehouse.exists():
        with duckdb.connect(str(warehouse), read_only=True) as con:
            extra = {uid: table_metadata(con, nodes[uid]) for uid in ids}
    for event in held:
        metadata = extra.get(_unique_id(event) or "")
        yield event.with_metadata({**event.metadata, **metadata}) if metadata else event
