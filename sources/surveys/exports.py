"""Read a survey export in the format its mapping file declares.

| format | reader | structural check |
|---|---|---|
| ``nettskjema_csv`` | delimited (``;``; encoding detected) | header has ``$submission_id`` |
| ``nettskjema_xlsx`` | python-calamine (size guard), only visible sheet | header has ``$submission_id`` |
| ``msforms_xlsx`` | python-calamine (size guard), only visible sheet | header has ``ID``, start and completion time |
| ``msforms_csv`` | delimited (encoding and delimiter detected) | as ``msforms_xlsx`` |
| ``generic_csv`` | delimited (encoding and delimiter detected) | none |
| ``generic_xlsx`` | python-calamine (size guard), only visible sheet | none |

The mapping's optional ``export:`` section overrides detection (``encoding``, ``delimiter``) or
names the sheet (``sheet``).
"""

from dataclasses import dataclass
from pathlib import Path

from sources.surveys import generic, msforms, nettskjema
from sources.surveys.delimited import SurveyFormatError, Table, read_delimited
from sources.surveys.problems import shown_name
from sources.surveys.xlsx import read_xlsx

FORMATS = ("nettskjema_csv", "nettskjema_xlsx", "msforms_csv", "msforms_xlsx", "generic_csv", "generic_xlsx")
EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")

__all__ = [
    "FORMATS",
    "ExportOptions",
    "SurveyFormatError",
    "case_mismatch_hint",
    "is_identifying_column",
    "read_export",
    "unsupported_export_hint",
]

# files a survey tool or a spreadsheet program makes that the intake does not read, and what to do
UNSUPPORTED_EXPORTS = {
    ".xls": (
        "an Excel 97-2003 workbook (.xls), which the intake does not read: Nettskjema: download the results "
        "again as 'Excel (.xlsx)' or CSV; Microsoft Forms: 'Open in Excel' gives an .xlsx; otherwise open it in "
        "Excel and save it as 'Excel Workbook (*.xlsx)'"
    ),
    ".sav": (
        "an SPSS data file (.sav), which the intake does not read: Nettskjema: download the results as CSV or "
        "'Excel (.xlsx)' instead of SPSS; in SPSS: File > Export > CSV Data (values, not labels)"
    ),
    ".ods": "an OpenDocument spreadsheet (.ods): save it as 'Excel 2007-365 (.xlsx)' or as CSV (UTF-8)",
    ".xlsm": "a macro-enabled workbook (.xlsm): save it as 'Excel Workbook (*.xlsx)'",
    ".xlsb": "a binary workbook (.xlsb): save it as 'Excel Workbook (*.xlsx)'",
    ".numbers": "a Numbers document: File > Export To > Excel (.xlsx) or CSV (Unicode UTF-8)",
    ".zip": "a ZIP archive: unpack it and deliver the export and the mapping file themselves",
}


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


def unsupported_export_hint(path: str | Path) -> str | None:
    """What to do with a file the intake does not read (``.xls``, ``.sav``, ...), with the survey
    tool's own export instructions; None for a readable suffix or an unrelated file."""
    return UNSUPPORTED_EXPORTS.get(Path(path).suffix.lower())


def case_mismatch_hint(names: list[str]) -> str | None:
    """``Svar.csv`` + ``svar.yml``: an export and a mapping whose names differ only by upper/lower
    case are not paired (names are compared exactly); the message says which to rename."""
    exports = {Path(n).stem: n for n in names if Path(n).suffix.lower() in EXPORT_SUFFIXES}
    mappings = {Path(n).stem: n for n in names if Path(n).suffix.lower() in (".yml", ".yaml")}
    for stem, export in exports.items():
        if stem in mappings:
            continue
        twin = next((m for s, m in mappings.items() if s.casefold() == stem.casefold()), None)
        if twin is not None:
            return (
                f"{shown_name(export)} and {shown_name(twin)} differ only by upper/lower case, so they are not read "
                f"as one delivery: rename one so that the names match exactly (e.g. {shown_name(Path(export).stem)}"
                f"{Path(twin).suffix})"
            )
    return None


def read_export(
    path: str | Path, format_name: str, columns: list[str] | None = None, options: ExportOptions | None = None
) -> Table:
    """Read ``path`` as ``format_name``; keep only ``columns`` (None: all). Raises SurveyFormatError."""
    options = options or ExportOptions()
    path = Path(path)
    shown = shown_name(path)
    if format_name not in FORMATS:
        raise SurveyFormatError(f"{shown}: unknown export format {format_name!r} (known: {', '.join(FORMATS)})")
    unsupported = unsupported_export_hint(path)
    if unsupported:
        raise SurveyFormatError(f"{shown}: {unsupported}")
    if format_name.endswith("_xlsx"):
        if path.suffix.lower() != ".xlsx":
            raise SurveyFormatError(f"{shown}: format {format_name} needs an .xlsx file")
        table = read_xlsx(path, columns, options.sheet)
    else:
        if path.suffix.lower() == ".xlsx":
            raise SurveyFormatError(f"{shown}: format {format_name} is a CSV format, but the file is .xlsx")
        delimiter = options.delimiter or (nettskjema.DELIMITER if format_name == "nettskjema_csv" else None)
        table = read_delimited(path, columns, options.encoding, delimiter)
    if format_name.startswith("nettskjema"):
        nettskjema.check_header(table.header, shown)
    elif format_name.startswith("msforms"):
        msforms.check_header(table.header, shown)
    return table
