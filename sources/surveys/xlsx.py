"""Reader for survey exports saved as Excel workbooks (.xlsx), with python-calamine.

DuckDB's excel extension is not available offline; the workbook is read with python-calamine (a
Rust reader, several times faster than openpyxl), one sheet: the one named, or else the only
visible sheet (several visible sheets are refused with their names; a hidden sheet is never read
unless named). Before
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
  in Excel), a cached Excel error (``#N/A``), a merged cell and a hidden row would read as empty
  or as data nobody sees: they are listed in ``Table.cell_problems`` with their cell address
  (``Form1!C14``) and their rows are rejected;
- number cells are exact: their texts are listed in ``Table.numeric_texts`` so that the mapping's
  number rules (``1,250`` ambiguous) apply only to numbers typed as text.
"""

import datetime as dt
from pathlib import Path

import pandas as pd

from sources.surveys.delimited import SurveyFormatError, Table, check_header
from sources.surveys.problems import shown_name
from sources.surveys.xlsx_guard import WorkbookRefused, count_value_rows, guard_workbook

FORMULA_WITHOUT_VALUE = "formula without a cached value (open and save the workbook in Excel)"
CACHED_ERROR = "a cached Excel error (#N/A, #VALUE!, #DIV/0!, ...): fix the formula or the cell"
MERGED_CELL = "merged cell (only its first cell holds the answer): unmerge the cells and fill each one"
HIDDEN_ROW = "hidden row (filtered out by an autofilter, or hidden by hand): remove the filter or delete the row"


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


def column_letters(index: int) -> str:
    """0 -> ``A``, 25 -> ``Z``, 26 -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_row_hint(rows: list[list[str]], columns: list[str], what: str) -> str | None:
    """When the first row lacks mapped columns that a later row (among the first 20) has in full:
    a message naming that row (a title row above the header). ``rows``: the first rows as text."""
    wanted = set(columns)
    for number, cells in enumerate(rows[1:20], start=2):
        present = wanted.intersection(cells)
        if len(present) == len(wanted) and wanted:
            return (
                f"the header is not in the first row: {what} {number} holds every mapped column, the rows above it "
                f"look like a title; delete the rows above {what} {number} so that the header comes first"
            )
    return None


def _cell_problems(facts, header: list[str], wanted: list[str], n_rows: int, title: str) -> list[tuple]:
    """The guard's findings as (data row, column or None, kind, cell address) for the engine."""
    width = len(header)
    mapped = {i for i, name in enumerate(header) if name in set(wanted)}
    problems: list[tuple] = []

    def add(sheet_row: int, col: int | None, kind: str) -> None:
        if 2 <= sheet_row <= n_rows + 1:
            if col is None:
                problems.append((sheet_row - 1, None, kind, f"{title}!{sheet_row}:{sheet_row}"))
            elif col in mapped:
                problems.append((sheet_row - 1, header[col], kind, f"{title}!{column_letters(col)}{sheet_row}"))

    for sheet_row, col in facts.formulas_without_value:
        if sheet_row == 1 and col < width:
            raise SurveyFormatError(f"{title}: header cell {col + 1} is a {FORMULA_WITHOUT_VALUE}")
        add(sheet_row, col, FORMULA_WITHOUT_VALUE)
    for sheet_row, col in facts.error_cells:
        add(sheet_row, col, CACHED_ERROR)
    for sheet_row in facts.hidden_rows:
        add(sheet_row, None, HIDDEN_ROW)
    for first_row, first_col, last_row, last_col in facts.merged:
        for col in sorted(mapped.intersection(range(first_col, last_col + 1))):
            for sheet_row in range(max(first_row, 2), min(last_row, n_rows + 1) + 1):
                if (sheet_row, col) != (first_row, first_col):
                    add(sheet_row, col, MERGED_CELL)
    return problems


def read_xlsx(path: str | Path, columns: list[str] | None = None, sheet: str | None = None) -> Table:
    """Read one sheet of a workbook as text; ``columns`` = the columns to keep (None: all).

    The sheet is the one named, or the only visible sheet (several visible sheets are refused with
    their names; a hidden sheet is never read unless named)."""
    from python_calamine import CalamineError, load_workbook  # imported here: only XLSX exports need it

    path = Path(path)
    source = shown_name(path)
    try:
        facts = guard_workbook(path, sheet)
    except WorkbookRefused as exc:
        raise SurveyFormatError(f"{source}: {exc}") from exc
    title = facts.title
    try:
        book = load_workbook(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise SurveyFormatError(f"{source}: not a readable .xlsx workbook ({type(exc).__name__})") from exc
    try:
        try:
            grid = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
            rows = iter(grid)
        except (CalamineError, ValueError) as exc:
            raise SurveyFormatError(f"{source} (sheet {title!r}): unreadable ({type(exc).__name__})") from exc
    finally:
        book.close()
    where = f"{source} (sheet {title!r})"
    if facts.member and facts.rows > len(grid) + 2:  # a second reading: the <row> elements of the XML
        with_values = count_value_rows(path, facts.member)
        filled = sum(1 for row in grid if any(_filled(v) for v in row))
        if with_values > filled:
            raise SurveyFormatError(
                f"{where}: the sheet holds {with_values} rows with values but only {filled} were read; "
                "the workbook is damaged (open and save it in Excel)"
            )
    first = next(rows, None)
    header = [cell_text(v) for v in first] if first else []
    while header and header[-1] == "":
        header.pop()
    if columns is not None and not set(columns) <= set(header):
        hint = header_row_hint([[cell_text(v) for v in row] for row in grid[:20]], columns, "sheet row")
        if hint:
            raise SurveyFormatError(f"{where}: {hint}")
    header = check_header(header, where)
    index_of = {name: i for i, name in enumerate(header)}  # linear, whatever the width
    wanted = header if columns is None else [c for c in columns if c in index_of]
    index = [index_of[c] for c in wanted]
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
    frame, numeric = {}, {}
    for name, i in zip(wanted, index, strict=True):
        cells = [row[i] if i < len(row) else "" for row in body]
        frame[name] = _column_text(cells)
        numeric[name] = frozenset(cell_text(v) for v in set(v for v in cells if type(v) is float))
    problems = _cell_problems(facts, header, wanted, n_rows, title)
    return Table(
        header, frame, n_rows, encoding=None, delimiter=None, sheet=title, cell_problems=problems, numeric_texts=numeric
    )
