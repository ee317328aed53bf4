"""Read a survey export in the format its mapping file declares.

| format | reader | structural check |
|---|---|---|
| ``nettskjema_csv`` | delimited (``;``; encoding detected) | header has ``$submission_id`` |
| ``nettskjema_xlsx`` | python-calamine (behind a size guard), first sheet | header has ``$submission_id`` |
| ``msforms_xlsx`` | python-calamine (behind a size guard), first sheet | header has ``ID``, start and completion time |
| ``msforms_csv`` | delimited (encoding and delimiter detected) | as ``msforms_xlsx`` |
| ``generic_csv`` | delimited (encoding and delimiter detected) | none |
| ``generic_xlsx`` | python-calamine (behind a size guard), first sheet | none |

The mapping's optional ``export:`` section overrides detection (``encoding``, ``delimiter``) or
names the sheet (``sheet``).
"""

from dataclasses import dataclass
from pathlib import Path

from sources.surveys import generic, msforms, nettskjema
from sources.surveys.delimited import SurveyFormatError, Table, read_delimited
from sources.surveys.xlsx import read_xlsx

FORMATS = ("nettskjema_csv", "nettskjema_xlsx", "msforms_csv", "msforms_xlsx", "generic_csv", "generic_xlsx")
EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")

__all__ = ["FORMATS", "ExportOptions", "SurveyFormatError", "is_identifying_column", "read_export"]


@dataclass(frozen=True)
class ExportOptions:
    """The mapping's ``export:`` section: overrides of what is otherwise detected."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


# the column with each response's submission time, per tool: read only to report the first and
# last response *date* (never mapped, never stored per respondent)
TIME_COLUMNS = {
    "nettskjema": ("$created",),
    "msforms": msforms.COMPLETION_COLUMNS,
}


def time_columns(format_name: str) -> tuple[str, ...]:
    return TIME_COLUMNS.get(format_name.split("_")[0], ())


def tool_id_column(format_name: str) -> str | None:
    """The survey tool's own respondent id column (None for generic exports)."""
    return {"nettskjema": nettskjema.SUBMISSION_ID, "msforms": msforms.ID_COLUMN}.get(format_name.split("_")[0])


def is_identifying_column(format_name: str, column: str) -> bool:
    """True for columns that identify a person or an exact time (never mapped, whatever the format)."""
    return (
        column in nettskjema.IDENTIFYING_COLUMNS
        or column in msforms.IDENTIFYING_COLUMNS
        or generic.is_identifying(column)
    )


def read_export(
    path: str | Path, format_name: str, columns: list[str] | None = None, options: ExportOptions | None = None
) -> Table:
    """Read ``path`` as ``format_name``; keep only ``columns`` (None: all). Raises SurveyFormatError."""
    options = options or ExportOptions()
    path = Path(path)
    if format_name not in FORMATS:
        raise SurveyFormatError(f"{path}: unknown export format {format_name!r} (known: {', '.join(FORMATS)})")
    if format_name.endswith("_xlsx"):
        if path.suffix.lower() != ".xlsx":
            raise SurveyFormatError(f"{path}: format {format_name} needs an .xlsx file")
        table = read_xlsx(path, columns, options.sheet)
    else:
        if path.suffix.lower() == ".xlsx":
            raise SurveyFormatError(f"{path}: format {format_name} is a CSV format, but the file is .xlsx")
        delimiter = options.delimiter or (nettskjema.DELIMITER if format_name == "nettskjema_csv" else None)
        table = read_delimited(path, columns, options.encoding, delimiter)
    if format_name.startswith("nettskjema"):
        nettskjema.check_header(table.header, str(path))
    elif format_name.startswith("msforms"):
        msforms.check_header(table.header, str(path))
    return table
