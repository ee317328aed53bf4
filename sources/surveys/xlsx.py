"""Reader for survey exports saved as Excel workbooks (.xlsx), with python-calamine.

DuckDB's excel extension is not available offline; the workbook is read with python-calamine (a
Rust reader, several times faster than openpyxl), one sheet (the first, or the one named). Before
it is parsed, :mod:`sources.surveys.xlsx_guard` checks the workbook's sizes, compression ratios,
rows and columns against documented limits, so a compression bomb is refused in seconds with
bounded memory, and finds formula cells without a cached value. The first row is the header;
every cell becomes text so that the mapping sees the same answers as in a CSV export:

- a whole number stored as a float (Excel stores every number as a float) loses its ``.0``:
  ``27685292.0`` -> ``"27685292"``, ``4.0`` -> ``"4"``; other numbers keep Python's shortest
  form (``4.5``, ``2.2``);
- dates and times become ISO 8601 text (they are never mapped to a canonical field);
- an empty cell is the empty string; rows that are entirely empty at the end are ignored;
- a formula cell without a cached value (a workbook written by a program, never opened and saved
  in Excel) would read as empty: it is listed in ``Table.cell_problems`` and its row is rejected.
"""

import datetime as dt
from pathlib import Path

import pandas as pd

from sources.surveys.delimited import SurveyFormatError, Table, check_header
from sources.surveys.xlsx_guard import WorkbookRefused, guard_workbook

FORMULA_WITHOUT_VALUE = "formula without a cached value (open and save the workbook in Excel)"


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


def _filled(value: object) -> bool:
    return value is not None and value != ""


def _column_text(values: list[object]) -> pd.Series:
    """One column's cells as text: text cells as they are, every other *distinct* cell converted once."""
    texts: dict[object, str] = {}

    def text(value: object) -> str:
        found = texts.get(value)
        if found is None:
            found = texts[value] = cell_text(value)
        return found

    return pd.Series([v if type(v) is str else text(v) for v in values], dtype=object)


def read_xlsx(path: str | Path, columns: list[str] | None = None, sheet: str | None = None) -> Table:
    """Read one sheet of a workbook as text; ``columns`` = the columns to keep (None: all)."""
    from python_calamine import CalamineError, load_workbook  # imported here: only XLSX exports need it

    path = Path(path)
    source = str(path)
    try:
        facts = guard_workbook(path, sheet)
    except WorkbookRefused as exc:
        raise SurveyFormatError(f"{source}: {exc}") from exc
    try:
        book = load_workbook(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise SurveyFormatError(f"{source}: not a readable .xlsx workbook ({type(exc).__name__})") from exc
    try:
        if sheet is not None and sheet not in book.sheet_names:
            names = ", ".join(book.sheet_names)
            raise SurveyFormatError(f"{source}: no sheet named {sheet!r} (sheets: {names})")
        title = sheet if sheet is not None else book.sheet_names[0]
        try:
            grid = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
            rows = iter(grid)
        except (CalamineError, ValueError) as exc:
            raise SurveyFormatError(f"{source} (sheet {title!r}): unreadable ({type(exc).__name__})") from exc
    finally:
        book.close()
    where = f"{source} (sheet {title!r})"
    if facts.member and facts.rows > len(grid) + 2:  # a second reading: the <row> elements of the XML
        raise SurveyFormatError(
            f"{where}: the sheet holds {facts.rows} rows but only {len(grid)} were read; the workbook is damaged"
        )
    first = next(rows, None)
    header = [cell_text(v) for v in first] if first else []
    while header and header[-1] == "":
        header.pop()
    header = check_header(header, where)
    wanted = header if columns is None else [c for c in columns if c in header]
    index = [header.index(c) for c in wanted]
    width = len(header)
    body = list(rows)
    while body and not any(_filled(v) for v in body[-1]):  # entirely empty rows at the end
        body.pop()
    for position, values in enumerate(body):
        if len(values) > width and any(_filled(v) for v in values[width:]):
            raise SurveyFormatError(
                f"{where}: data row {position + 1} (sheet row {position + 2}) has cells to the right of the header"
            )
    n_rows = len(body)
    frame = {
        name: _column_text([row[i] if i < len(row) else "" for row in body])
        for name, i in zip(wanted, index, strict=True)
    }
    problems: list[tuple[int, str, str]] = []
    for sheet_row, col in facts.formulas_without_value:
        if col < width and header[col] in wanted and 2 <= sheet_row <= n_rows + 1:
            problems.append((sheet_row - 1, header[col], FORMULA_WITHOUT_VALUE))
        elif sheet_row == 1 and col < width:
            raise SurveyFormatError(f"{where}: header cell {col + 1} is a {FORMULA_WITHOUT_VALUE}")
    return Table(header, frame, n_rows, encoding=None, delimiter=None, sheet=title, cell_problems=problems)
