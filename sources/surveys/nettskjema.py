"""Nettskjema (University of Oslo) exports: the CSV report and the Excel report.

Format, as seen in real exports (see ``tests/fixtures/surveys/SOURCES.md``):

- CSV report (``GET /api/v3/form/{id}/csv-report``): UTF-8 (a byte-order mark is tolerated),
  ``;`` as delimiter, every field double-quoted (a quote inside a field is doubled), LF or CRLF;
- Excel report (``GET /api/v3/form/{id}/excel-report``): one sheet, same columns, with numbers
  and timestamps stored as Excel numbers and dates;
- a header row starting with ``$submission_id`` and ``$created`` and ending with
  ``$answer_time_ms``, one row per submission; checkbox questions expanded to one 0/1 column per
  option (``question.option``), radio matrix rows ``matrix.row``;
- the empty string for an unanswered question.

Every column is read as text and nothing is interpreted here: turning answers into canonical
values is the job of the survey mapping (``sources.surveys.mapping``). Structural problems raise
:class:`SurveyFormatError` naming the file, the 1-based data row and its physical line.
"""

from pathlib import Path

import pandas as pd

from sources.surveys.delimited import SurveyFormatError, read_delimited
from sources.surveys.problems import header_preview
from sources.surveys.xlsx import read_xlsx

SUBMISSION_ID = "$submission_id"
DELIMITER = ";"
# columns that identify a person or a moment finer than a date: never mapped
IDENTIFYING_COLUMNS = frozenset({"$created", "$modified", "$respondent", "$respondent_name", "$email", "$ip"})

__all__ = ["SurveyFormatError", "check_header", "read_nettskjema_csv", "read_nettskjema_xlsx"]


def check_header(header: list[str], source: str) -> None:
    if SUBMISSION_ID not in header:
        raise SurveyFormatError(
            f"{source}: header has no '{SUBMISSION_ID}' column; not a Nettskjema export ({header_preview(header)})"
        )


def read_nettskjema_csv(path: str | Path) -> pd.DataFrame:
    """Read a Nettskjema CSV report into a DataFrame of strings (empty string = unanswered).

    Columns are exactly the export's header, in order; rows keep the export's order, so the
    1-based data row of a record is its position + 1.
    """
    table = read_delimited(path, delimiter=DELIMITER)
    check_header(table.header, str(path))
    return table.frame()


def read_nettskjema_xlsx(path: str | Path) -> pd.DataFrame:
    """Read a Nettskjema Excel report (first sheet) into a DataFrame of strings."""
    table = read_xlsx(path)
    check_header(table.header, str(path))
    return table.frame()
