"""Spreadsheet-safe CSV bytes: UTF-8, comma, '.' decimal, LF, stable snake_case header; and the
Norwegian-Excel variant (UTF-8 BOM, ';', decimal comma, CRLF).

CSV injection (OWASP): a text cell that begins with '=', '+', '-', '@', a tab or a carriage return is
prefixed with a single quote, so no spreadsheet reads it as a formula. Numbers are written by the
column kind, never as text, so a negative number stays a number.
"""

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from publication.norwegian import text_for_spreadsheet
from publication.rounding import format_fixed, format_plain
from publication.values import clean

# OWASP CSV injection: a text cell starting with one of these is prefixed with a single quote
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMERIC_KINDS = ("int", "dec1", "dec3", "plain")


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


def _row_text(cells: list[str], delimiter: str, line_end: str) -> str:
    """One CSV record. The writer's terminator is CRLF so that a CR or LF inside a cell is quoted
    (Python quotes only the terminator's characters); the record then ends with ``line_end``."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()[:-2] + line_end


def _table_text(
    rows: Iterable[Mapping[str, Any]],
    columns: Mapping[str, str],
    delimiter: str,
    decimal: str,
    header: list[str] | None = None,
    keep_as_text: bool = False,
    extras: Sequence[tuple[str, Callable[[Mapping[str, Any]], str]]] = (),
) -> str:
    line_end = "\r\n" if delimiter == ";" else "\n"
    lines = [_row_text([*(header or list(columns)), *(h for h, _ in extras)], delimiter, line_end)]
    for row in rows:
        cells = []
        for name, kind in columns.items():
            cell = format_cell(clean(row.get(name)), kind)
            if kind in NUMERIC_KINDS:
                cell = cell.replace(".", decimal)
            elif keep_as_text:
                cell = text_for_spreadsheet(name, cell)
            cells.append(cell)
        cells += [escape_text(compute(row) or "") for _, compute in extras]
        lines.append(_row_text(cells, delimiter, line_end))
    return "".join(lines)


def csv_bytes(rows: Iterable[Mapping[str, Any]], columns: Mapping[str, str]) -> bytes:
    """The CSV of ``rows`` with exactly ``columns`` (name -> kind), in that order."""
    return _table_text(rows, columns, ",", ".").encode("utf-8")


def excel_no_csv_bytes(
    rows: Iterable[Mapping[str, Any]],
    columns: Mapping[str, str],
    header: list[str] | None = None,
    extras: Sequence[tuple[str, Callable[[Mapping[str, Any]], str]]] = (),
) -> bytes:
    """The same table for Excel and LibreOffice with Norwegian settings: UTF-8 with BOM, ';'
    separator, decimal comma, CRLF line ends (opened with a double click, 47,1 is a number). A text
    cell either would read as a number or a date (a method version "1.1", a table id "05300") gets a
    word in front ("v1.1", "tabell 05300": publication/norwegian.py), which both keep as text.
    ``header``: the column titles to write instead of the column names (Norwegian titles with
    units); ``extras``: readable columns after the table's own (publication/norwegian.py)."""
    text = _table_text(rows, columns, ";", ",", header, keep_as_text=True, extras=extras)
    return b"\xef\xbb\xbf" + text.encode("utf-8")
