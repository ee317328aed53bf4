"""Fast, checked reader for delimited survey exports (CSV with ``;`` or ``,``, or TSV).

The encoding and the delimiter are detected (``sources.surveys.encoding``) unless given. Every
cell is read as text (the empty string for an unanswered question); nothing is interpreted here.
Only the requested columns are parsed into memory, so the columns a mapping does not use (free
text, e-mail addresses, names, timestamps) never leave the file.

The fast path is ``pyarrow.csv`` (quoted fields, doubled quotes, line breaks inside quotes). When
it refuses a file, the file is read again with Python's ``csv`` module, which finds the exact data
row and physical line of the problem, e.g. ``data row 2 (line 3) has 3 fields, the header has 2``.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sources.surveys.encoding import (
    OTHER_DELIMITERS,
    SAMPLE_BYTES,
    UTF8_BOM,
    decodes_as,
    delimiter_name,
    detect_delimiter,
    detect_encoding,
    excel_separator_line,
    first_record,
    mixed_up_encoding,
    sniff_problem,
)
from sources.surveys.problems import header_name, header_preview, shown_name
from sources.surveys.xlsx_guard import MAX_COLUMNS


class SurveyFormatError(ValueError):
    """A survey export cannot be read as its declared format; the message names file, row, line."""


@dataclass
class Table:
    """The cells of an export, as text: its header and the requested columns."""

    header: list[str]
    columns: dict[str, pa.ChunkedArray | pd.Series]
    n_rows: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    # cells that cannot be read as they look: (1-based data row, column or None for the whole row,
    # kind of problem, cell address such as "Sheet1!C14" or None)
    cell_problems: list[tuple] = field(default_factory=list)
    # per column, the distinct texts that were typed numbers (workbook number cells): read exactly
    numeric_texts: dict[str, frozenset[str]] = field(default_factory=dict)

    def coded(self, name: str) -> tuple[np.ndarray, list[str]]:
        """One column as (integer code per row, distinct texts): a dictionary encoding."""
        column = self.columns[name]
        if isinstance(column, pd.Series):
            codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
            return codes.astype(np.int64, copy=False), [str(u) for u in uniques]
        encoded = pc.dictionary_encode(column).combine_chunks()
        return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary.to_pylist()  # int32 codes

    def arrow(self, name: str) -> pa.Array:
        """One column as an Arrow string array."""
        column = self.columns[name]
        if isinstance(column, pd.Series):
            return pa.array(column.to_numpy(dtype=object), type=pa.string())
        return column.combine_chunks()

    def frame(self) -> pd.DataFrame:
        """The requested columns as a DataFrame of Python strings (object dtype)."""
        data = {}
        for name, column in self.columns.items():
            values = column.to_numpy(dtype=object) if isinstance(column, pd.Series) else column.to_pylist()
            data[name] = pd.Series(values, dtype=object)
        return pd.DataFrame(data, columns=list(self.columns)).astype(object)


def check_header(header: list[str] | None, source: str) -> list[str]:
    if not header or header == [""]:
        raise SurveyFormatError(f"{source}: the file has no header row")
    duplicated: list[str] = []
    if len(set(header)) != len(header):  # linear: one set, then one pass
        seen: set[str] = set()
        duplicated = sorted({name for name in header if name in seen or seen.add(name)})
    if duplicated and "the first row holds data" in header_preview(header):
        raise SurveyFormatError(f"{source}: {header_preview(header)}")
    if duplicated:
        shown = ", ".join(header_name(name) for name in duplicated[:10])
        shown += f", ... ({len(duplicated)} names)" if len(duplicated) > 10 else ""
        raise SurveyFormatError(f"{source}: header repeats column(s) {shown}")
    return header


def describe_reading(encoding: str | None, delimiter: str | None) -> str:
    """``read as cp1252, delimiter ';'`` and the ``export:`` keys that override it."""
    return (
        f"read as {encoding or '?'}, delimiter {delimiter_name(delimiter or ';')}, quote '\"'; "
        "override with `export: {encoding: ..., delimiter: ...}` in the mapping"
    )


def parse_rows(text: str, source: str, delimiter: str, reading: str = "") -> tuple[list[str], list[list[str]]]:
    """Slow, exact parse: header and data rows, every row checked against the header's width.

    Trailing blank lines are allowed; a blank line inside the data is an error. The parse is strict:
    a file that ends inside a quoted field (cut off, or a quote never closed) is an error naming the
    line where that field starts, and the whole text must have been consumed.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    rows: list[list[str]] = []
    where = f" ({reading})" if reading else ""
    line_before = 0
    try:
        header = check_header(next(reader, None), source)
        blank_lines: list[int] = []
        line_before = reader.line_num
        for cells in reader:
            first_line, line_before = line_before + 1, reader.line_num
            if not cells:
                blank_lines.append(first_line)
                continue
            if blank_lines:
                raise SurveyFormatError(
                    f"{source}: data row {len(rows) + 1} (line {blank_lines[0]}) is blank, inside the data"
                )
            if len(cells) != len(header):
                hint = ""
                if len(header) == 1 or len(cells) == 1:
                    hint = "; is the delimiter right?"
                raise SurveyFormatError(
                    f"{source}: data row {len(rows) + 1} (line {first_line}) has {len(cells)} fields, "
                    f"the header has {len(header)}{hint}{where}"
                )
            rows.append(cells)
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise SurveyFormatError(
                f"{source}: data row {len(rows) + 1} (line {line_before + 1}): the file ends inside a quoted "
                f"field that starts there (quote state: open at end of file); the file is cut off or a quote "
                f"is not closed{where}"
            ) from exc
        raise SurveyFormatError(
            f"{source}: data row {len(rows) + 1} (line {reader.line_num}): malformed CSV ({exc}){where}"
        ) from exc
    return header, rows


def _first_rows(text: str, delimiter: str, n: int) -> list[list[str]]:
    """The first ``n`` records of a text, leniently (only to find where the header is)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    out = []
    try:
        for cells in reader:
            out.append(cells)
            if len(out) >= n:
                break
    except csv.Error:
        pass
    return out


def _slow_table(text: str, source: str, delimiter: str, encoding: str, columns: list[str] | None) -> Table:
    header, rows = parse_rows(text, source, delimiter, describe_reading(encoding, delimiter))
    wanted = header if columns is None else [c for c in columns if c in header]
    index = {name: i for i, name in enumerate(header)}
    data = {name: pd.Series([r[index[name]] for r in rows], dtype=object) for name in wanted}
    return Table(header, data, len(rows), encoding, delimiter)


def records_outside_quotes(data: bytes, block: int = 1 << 24) -> tuple[int, bool]:
    """A second, independent reading of an ASCII-compatible delimited file: the number of records
    (line ends outside double quotes, trailing line ends ignored) and whether the file ends inside
    quotes. Vectorised, block by block; a doubled quote flips the state twice, as it should."""
    body = memoryview(data)
    end = len(data.rstrip(b"\r\n"))
    newline = 10 if b"\n" in data[:end] or b"\r" not in data[:end] else 13
    inside, terminators = 0, 0
    for start in range(0, end, block):
        chunk = np.frombuffer(body[start : min(end, start + block)], dtype=np.uint8)
        parity = (np.cumsum(chunk == 34, dtype=np.uint8) + inside) & 1
        terminators += int(np.count_nonzero((chunk == newline) & (parity == 0)))
        inside = int(parity[-1]) if len(parity) else inside
    return terminators + 1, bool(inside)


def _ascii_compatible(encoding: str) -> bool:
    if encoding.lower().replace("_", "-") in ("utf-8-sig", "utf8-sig"):
        return True
    try:
        return 'a;,"\t|\n'.encode(encoding) == b'a;,"\t|\n'
    except (LookupError, UnicodeError):
        return False


def read_delimited(
    path: str | Path,
    columns: list[str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Table:
    """Read a delimited export; ``columns`` = the columns to keep (None: all; unknown ones skipped).

    A parse is accepted only when the whole file was consumed with every quote closed and the fast
    reader's row count agrees with a second, independent count of records outside quotes;
    otherwise the strict reader decides, and names the row, line and what it found.
    """
    path = Path(path)
    source = shown_name(path)
    data = path.read_bytes()
    if not data.strip():
        raise SurveyFormatError(f"{source}: the file is empty")
    problem = sniff_problem(data, encoding)
    if problem:
        raise SurveyFormatError(f"{source}: {problem}")
    detected = encoding is None
    encoding = encoding or detect_encoding(data)
    skip = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0  # a UTF-8 BOM is dropped, whatever the override
    if not (detected and encoding in ("utf-8", "utf-8-sig")):  # detection already checked plain UTF-8
        try:
            bad = decodes_as(data[skip:], encoding)  # a bad byte anywhere in the file is an error
        except LookupError as exc:
            raise SurveyFormatError(f"{source}: unknown encoding {encoding!r}") from exc
        if bad is not None:
            raise SurveyFormatError(
                f"{source}: cannot decode as {encoding} (byte {bad + skip}); set `export: {{encoding: ...}}` "
                "in the mapping (e.g. cp1252 for Excel's plain CSV on Windows, utf-8 for CSV UTF-8)"
            )
    body = data[skip:]
    if not _ascii_compatible(encoding):  # UTF-16: read as UTF-8 from here on
        body = body.decode(encoding).lstrip("\ufeff").encode("utf-8")
        skip = 0
    declared, sep_bytes = excel_separator_line(body)
    if declared is not None:  # Excel's `sep=;` line: it declares the delimiter, and is not the header
        body = body[sep_bytes:]
        delimiter = delimiter or declared
    size = SAMPLE_BYTES
    sample = body[:size].decode(encoding if _ascii_compatible(encoding) else "utf-8", errors="ignore")
    while len(body) > size and len(first_record(sample.lstrip("\ufeff"))) == len(sample.lstrip("\ufeff")):
        size *= 4  # the header is longer than the sample: read on until it ends (each step linear)
        sample = body[:size].decode(encoding if _ascii_compatible(encoding) else "utf-8", errors="ignore")
    if detected:
        mixed = mixed_up_encoding(sample, encoding)
        if mixed:
            raise SurveyFormatError(f"{source}: {mixed}")
    header_text = first_record(sample.lstrip("\ufeff"))
    delimiter = delimiter or detect_delimiter(header_text)
    csv.field_size_limit(max(csv.field_size_limit(), len(header_text) + 1))
    first = next(csv.reader(io.StringIO(header_text), delimiter=delimiter), None)
    reading = describe_reading(encoding, delimiter)
    if first is not None and len(first) > MAX_COLUMNS:
        raise SurveyFormatError(
            f"{source}: the header has {len(first):,} columns (limit {MAX_COLUMNS:,}, as for workbooks); "
            f"is this a survey export? ({reading})"
        )
    header = check_header(first, source)
    if columns is not None and not set(columns) <= set(header):
        from sources.surveys.xlsx import header_row_hint

        first_rows = list(_first_rows(sample.lstrip("\ufeff"), delimiter, 20))
        hint = header_row_hint(first_rows, columns, "line")
        if hint:
            raise SurveyFormatError(f"{source}: {hint} ({reading})")
    wanted = header if columns is None else [c for c in columns if c in header]
    if len(header) == 1 and columns is not None and len(set(columns)) > 1 and len(wanted) < len(set(columns)):
        others = [d for d in OTHER_DELIMITERS if d in header_text]
        guess = f"; it holds {delimiter_name(others[0])}: set `export: {{delimiter: '{others[0]}'}}`" if others else ""
        raise SurveyFormatError(f"{source}: the header was read as a single column{guess} ({reading})")
    read_encoding = "utf8" if not _ascii_compatible(encoding) or encoding.startswith("utf") else encoding
    records, open_quote = records_outside_quotes(body)
    table = None
    if not open_quote:
        try:
            table = pacsv.read_csv(
                pa.BufferReader(pa.py_buffer(body)),
                read_options=pacsv.ReadOptions(encoding=read_encoding, use_threads=True, block_size=1 << 24),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    quote_char='"',
                    double_quote=True,
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.string() for name in header},
                    include_columns=wanted,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    null_values=[],
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowKeyError):
            table = None
    if table is None or table.num_rows != records - 1:  # two readings disagree: the strict reader decides
        text = body.decode(read_encoding if read_encoding != "utf8" else "utf-8")
        return _slow_table(text.lstrip("\ufeff"), source, delimiter, encoding, columns)
    cols = {name: table.column(name) for name in wanted}
    return Table(header, cols, table.num_rows, encoding, delimiter)
