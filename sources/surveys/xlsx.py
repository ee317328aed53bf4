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

import numpy as np
import pandas as pd
import pyarrow as pa

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


def _float_texts(values: np.ndarray) -> np.ndarray:
    """:func:`cell_text` of float64 values, as an object array: whole numbers in one vectorised step."""
    texts = np.empty(len(values), dtype=object)
    whole = (values == np.trunc(values)) & (np.abs(values) < 2.0**62)  # exact in int64; nan and inf are not
    if whole.any():
        texts[whole] = pa.array(values[whole].astype(np.int64)).cast(pa.string()).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(~whole):
        texts[i] = cell_text(float(values[i]))  # fractions, huge whole numbers, inf
    return texts


def _column(cells: np.ndarray) -> tuple[pa.ChunkedArray, frozenset[str]]:
    """One column's cells (an object array) as text, and the texts of its number cells.

    A column of text cells passes as it is; a column of number cells is converted once per distinct
    value; any other column is dictionary-encoded first (as the CSV path is), each *distinct* value
    converted once and spread back to the rows with integer indexing."""
    empty = cells == None  # noqa: E711 (elementwise): an empty cell is the empty text
    if empty.any():
        cells = np.where(empty, "", cells)
    kind = pd.api.types.infer_dtype(cells, skipna=False)
    if kind == "string":  # every cell text: most answers
        return pa.chunked_array([pa.array(cells, type=pa.string())]), frozenset()
    if kind == "floating":  # every cell a number (Excel stores numbers as floats)
        distinct, codes = np.unique(cells.astype(np.float64), return_inverse=True)
        texts = _float_texts(distinct)
        column = pa.array(texts, type=pa.string()).take(pa.array(codes.ravel()))
        return pa.chunked_array([column]), frozenset(texts)
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    uniques = np.asarray(uniques, dtype=object)
    is_float = np.fromiter((type(u) is float for u in uniques), dtype=bool, count=len(uniques))
    is_other = ~is_float & np.fromiter((type(u) is not str for u in uniques), dtype=bool, count=len(uniques))
    texts = uniques.copy()
    floats = np.flatnonzero(is_float)
    if len(floats):
        texts[floats] = _float_texts(uniques[floats].astype(np.float64))
    for i in np.flatnonzero(is_other):
        texts[i] = cell_text(uniques[i])
    if is_other.any():
        # True == 1.0 == 1: a bool or int cell may stand for equal float cells, so read the floats one by one
        numeric = frozenset(cell_text(v) for v in {v for v in cells if type(v) is float})
    else:
        numeric = frozenset(texts[floats])
    final, distinct = pd.factorize(texts, use_na_sentinel=False)  # "4" typed and 4.0 stored: one text
    column = pa.array(np.asarray(distinct, dtype=object), type=pa.string()).take(pa.array(final[codes]))
    return pa.chunked_array([column]), numeric


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


def _grid(body: list[list[object]], width: int) -> np.ndarray:
    """The data rows as a 2-D object array, at least ``width`` wide (short rows padded with empty cells)."""
    longest = max(width, max(map(len, body), default=0))
    if any(len(row) != longest for row in body):
        body = [row if len(row) == longest else [*row, *[""] * (longest - len(row))] for row in body]
    if not body:
        return np.empty((0, longest), dtype=object)
    return np.array(body, dtype=object)  # rectangular: one row of the array per row


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
    n_rows = len(body)
    cells = _grid(body, width)
    if cells.shape[1] > width:
        extra = cells[:, width:]
        right = np.flatnonzero(((extra != "") & (extra != None)).any(axis=1))  # noqa: E711 (elementwise)
        if len(right):
            position = int(right[0])
            raise SurveyFormatError(
                f"{where}: data row {position + 1} (sheet row {position + 2}) has cells to the right of the header"
            )
    frame, numeric = {}, {}
    for name, i in zip(wanted, index, strict=True):
        frame[name], numeric[name] = _column(cells[:, i])
    problems = _cell_problems(facts, header, wanted, n_rows, title)
    return Table(
        header, frame, n_rows, encoding=None, delimiter=None, sheet=title, cell_problems=problems, numeric_texts=numeric
    )
