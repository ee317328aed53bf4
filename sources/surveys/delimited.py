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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sources.surveys.encoding import SAMPLE_BYTES, decodes_as, detect_delimiter, detect_encoding, first_record


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
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise SurveyFormatError(f"{source}: header repeats column(s) {', '.join(duplicated)}")
    return header


def parse_rows(text: str, source: str, delimiter: str) -> tuple[list[str], list[list[str]]]:
    """Slow, exact parse: header and data rows, every row checked against the header's width.

    Trailing blank lines are allowed; a blank line inside the data is an error.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    rows: list[list[str]] = []
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
                raise SurveyFormatError(
                    f"{source}: data row {len(rows) + 1} (line {first_line}) has {len(cells)} fields, "
                    f"the header has {len(header)}"
                )
            rows.append(cells)
    except csv.Error as exc:
        raise SurveyFormatError(
            f"{source}: data row {len(rows) + 1} (line {reader.line_num}): malformed CSV ({exc})"
        ) from exc
    return header, rows


def _slow_table(text: str, source: str, delimiter: str, encoding: str, columns: list[str] | None) -> Table:
    header, rows = parse_rows(text, source, delimiter)
    wanted = header if columns is None else [c for c in columns if c in header]
    index = {name: i for i, name in enumerate(header)}
    data = {name: pd.Series([r[index[name]] for r in rows], dtype=object) for name in wanted}
    return Table(header, data, len(rows), encoding, delimiter)


def read_delimited(
    path: str | Path,
    columns: list[str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Table:
    """Read a delimited export; ``columns`` = the columns to keep (None: all; unknown ones skipped)."""
    path = Path(path)
    source = str(path)
    data = path.read_bytes()
    if not data.strip():
        raise SurveyFormatError(f"{source}: the file is empty")
    detected = encoding is None
    encoding = encoding or detect_encoding(data)
    if not (detected and encoding == "utf-8"):  # detection already checked plain UTF-8
        try:
            bad = decodes_as(data, encoding)  # a bad byte anywhere in the file is an error
        except LookupError as exc:
            raise SurveyFormatError(f"{source}: unknown encoding {encoding!r}") from exc
        if bad is not None:
            raise SurveyFormatError(f"{source}: cannot decode as {encoding} (byte {bad})")
    sample = data[:SAMPLE_BYTES].decode(encoding, errors="ignore")  # long question texts: a big sample
    header_text = first_record(sample.lstrip("\ufeff"))
    delimiter = delimiter or detect_delimiter(header_text)
    header = check_header(next(csv.reader(io.StringIO(header_text), delimiter=delimiter), None), source)
    wanted = header if columns is None else [c for c in columns if c in header]
    read_encoding = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    skip = len(b"\xef\xbb\xbf") if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[skip:]),
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
        text = data.decode(encoding)
        return _slow_table(text.lstrip("\ufeff"), source, delimiter, encoding, columns)
    cols = {name: table.column(name) for name in wanted}
    return Table(header, cols, table.num_rows, encoding, delimiter)
