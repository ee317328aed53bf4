"""Deterministic Parquet bytes of a published table (pyarrow).

The schema is fixed by the column kinds (text -> string, int -> int64, numbers -> float64 of the
published, rounded value), rows keep the CSV's order, and nothing varies between runs: no pandas
metadata, no timestamps; ``created_by`` names the pinned pyarrow version. The same rows give the
same bytes.
"""

import io
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

ARROW_TYPES = {
    "text": pa.string(),
    "int": pa.int64(),
    "dec1": pa.float64(),
    "dec3": pa.float64(),
    "plain": pa.float64(),
}


def arrow_schema(columns: Mapping[str, str]) -> pa.Schema:
    return pa.schema([pa.field(name, ARROW_TYPES[kind], nullable=True) for name, kind in columns.items()])


def arrow_table(rows: list[dict[str, Any]], columns: Mapping[str, str]) -> pa.Table:
    """Published (typed) rows as an Arrow table with the fixed schema."""
    schema = arrow_schema(columns)
    return pa.table({name: pa.array([row[name] for row in rows], type=schema.field(name).type) for name in columns})


def parquet_bytes(rows: list[dict[str, Any]], columns: Mapping[str, str]) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(
        arrow_table(rows, columns),
        buffer,
        compression="zstd",
        compression_level=3,
        use_dictionary=False,
        write_statistics=True,
        store_schema=True,
        write_page_index=False,
    )
    return buffer.getvalue()
