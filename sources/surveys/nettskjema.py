"""Reader for Nettskjema's CSV report (``GET /api/v3/form/{id}/csv-report``).

Format, as seen in real exports (see ``tests/fixtures/surveys/SOURCES.md``):

- UTF-8 (a byte-order mark is tolerated), ``;`` as delimiter, every field double-quoted
  (a quote inside a field is doubled), LF or CRLF line endings;
- a header row starting with ``$submission_id`` and ``$created`` and ending with
  ``$answer_time_ms``, one row per submission;
- the empty string for an unanswered question.

Every column is read as text and nothing is interpreted here: turning answers into canonical
values is the job of the survey mapping (``sources.surveys.mapping``). Structural problems raise
:class:`SurveyFormatError` naming the file, the 1-based data row and its physical line.
"""

import csv
import io
from pathlib import Path

import pandas as pd

SUBMISSION_ID = "$submission_id"
DELIMITER = ";"


class SurveyFormatError(ValueError):
    """A survey export is not a readable Nettskjema CSV report."""


def _decode(data: bytes, source: str) -> str:
    if not data.strip():
        raise SurveyFormatError(f"{source}: the file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SurveyFormatError(f"{source}: not UTF-8 (byte {exc.start})") from exc


def _check_header(header: list[str] | None, source: str) -> list[str]:
    if not header or header == [""]:
        raise SurveyFormatError(f"{source}: the file has no header row")
    if SUBMISSION_ID not in header:
        raise SurveyFormatError(
            f"{source}: header has no '{SUBMISSION_ID}' column; not a Nettskjema CSV report "
            f"(first columns: {', '.join(header[:3])})"
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise SurveyFormatError(f"{source}: header repeats column(s) {', '.join(duplicated)}")
    return header


def _parse_rows(text: str, source: str) -> tuple[list[str], list[list[str]]]:
    """Split the text into header and data rows, checking that every row has the header's width."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER, quotechar='"', strict=True)
    rows: list[list[str]] = []
    try:
        header = _check_header(next(reader, None), source)
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


def read_nettskjema_csv(path: str | Path) -> pd.DataFrame:
    """Read a Nettskjema CSV report into a DataFrame of strings (empty string = unanswered).

    Columns are exactly the export's header, in order; rows keep the export's order, so the
    1-based data row of a record is its position + 1.
    """
    path = Path(path)
    source = str(path)
    header, rows = _parse_rows(_decode(path.read_bytes(), source), source)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    return frame.astype(object)
