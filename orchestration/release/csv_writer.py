"""Spreadsheet-safe CSV bytes: UTF-8, comma, '.' decimal, LF, stable snake_case header."""

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from orchestration.release.rounding import format_fixed, format_plain

# OWASP CSV injection: a text cell starting with one of these is prefixed with a single quote
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def format_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "text":
        return escape_text(value)
    if kind == "int":
        return format_fixed(value, 0)
    if kind == "dec1":
        return format_fixed(value, 1)
    if kind == "dec3":
        return format_fixed(value, 3)
    if kind == "plain":
        return format_plain(value)
    raise ValueError(f"unknown column kind '{kind}'")


def csv_bytes(rows: Iterable[Mapping[str, Any]], columns: Mapping[str, str]) -> bytes:
    """The CSV of ``rows`` with exactly ``columns`` (name -> kind), in that order."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(columns))
    for row in rows:
        writer.writerow([format_cell(_clean(row.get(name)), kind) for name, kind in columns.items()])
    return buffer.getvalue().encode("utf-8")


def _clean(value: Any) -> Any:
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
