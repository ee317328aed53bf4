"""Published values: warehouse rows -> typed, rounded values, the one form every output is written from.

text -> str, int -> int, dec1/dec3 -> float of the value rounded half away from zero (spec 8),
plain -> float as the source published it; missing (and empty text) -> None. Rounding happens here once, so the CSV,
Parquet, the analyst DuckDB file and the report show the same numbers.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from publication.rounding import round_half_away

DECIMALS = {"int": 0, "dec1": 1, "dec3": 3}


def clean(value: Any) -> Any:
    """pandas / numpy scalars and missing markers to plain Python values."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def published_value(value: Any, kind: str) -> Any:
    value = clean(value)
    if value is None:
        return None
    if kind == "text":
        return str(value) or None  # '' and NULL read the same in a CSV: published as NULL everywhere
    if kind == "int":
        return int(round_half_away(value, 0))
    if kind in DECIMALS:
        return float(round_half_away(value, DECIMALS[kind]))
    if kind == "plain":
        return float(value)
    raise ValueError(f"unknown column kind '{kind}'")


def published_rows(rows: Iterable[Mapping[str, Any]], columns: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each row restricted to ``columns`` (in order), typed and rounded as published."""
    return [{name: published_value(row.get(name), kind) for name, kind in columns.items()} for row in rows]
