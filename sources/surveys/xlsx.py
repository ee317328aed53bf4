"""Reader for survey exports saved as Excel workbooks (.xlsx), with openpyxl.

DuckDB's excel extension is not available offline, so the workbook is read with openpyxl in
read-only mode, one sheet (the first, or the one named). The first row is the header; every cell
becomes text so that the mapping sees the same answers as in a CSV export:

- a whole number stored as a float (Excel stores every number as a float) loses its ``.0``:
  ``27685292.0`` -> ``"27685292"``, ``4.0`` -> ``"4"``; other numbers keep Python's shortest
  form (``4.5``, ``2.2``);
- dates and times become ISO 8601 text (they are never mapped to a canonical field);
- an empty cell is the empty string; rows that are entirely empty at the end are ignored.
"""

import datetime as dt
import warnings
from pathlib import Path

import pandas as pd

from sources.surveys.delimited import SurveyFormatError, Table, check_header


def cell_text(value: object) -> str:
    """One cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def read_xlsx(path: str | Path, columns: list[str] | None = None, sheet: str | None = None) -> Table:
    """Read one sheet of a workbook as text; ``columns`` = the columns to keep (None: all)."""
    from openpyxl import load_workbook  # imported here: only XLSX exports need it

    path = Path(path)
    source = str(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Workbook contains no default style" from tool exports
            book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException, ...
        raise SurveyFormatError(f"{source}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise SurveyFormatError(f"{source}: no sheet named {sheet!r} (sheets: {', '.join(book.sheetnames)})")
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        rows = worksheet.iter_rows(values_only=True)
        first = next(rows, None)
        header = [cell_text(v) for v in first] if first else []
        while header and header[-1] == "":
            header.pop()
        header = check_header(header, f"{source} (sheet {worksheet.title!r})")
        wanted = header if columns is None else [c for c in columns if c in header]
        index = [header.index(c) for c in wanted]
        width = len(header)
        data: list[list[str]] = [[] for _ in wanted]
        pending_blank = 0
        n_rows = 0
        for values in rows:
            cells = [cell_text(v) for v in values[:width]] + [""] * max(0, width - len(values))
            if not any(cells) and not any(cell_text(v) for v in values[width:]):
                pending_blank += 1
                continue
            if any(cell_text(v) for v in values[width:]):
                raise SurveyFormatError(
                    f"{source} (sheet {worksheet.title!r}): data row {n_rows + pending_blank + 1} "
                    f"(sheet row {n_rows + pending_blank + 2}) has cells to the right of the header"
                )
            for _ in range(pending_blank):  # blank rows inside the data are kept as unanswered rows
                for column in data:
                    column.append("")
                n_rows += 1
            pending_blank = 0
            for column, i in zip(data, index, strict=True):
                column.append(cells[i])
            n_rows += 1
        title = worksheet.title
    finally:
        book.close()
    frame = {name: pd.Series(values, dtype=object) for name, values in zip(wanted, data, strict=True)}
    return Table(header, frame, n_rows, encoding=None, delimiter=None, sheet=title)
