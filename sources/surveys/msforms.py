"""Microsoft Forms exports ("Open in Excel" -> .xlsx, or that workbook saved as CSV).

Format conventions (Microsoft Forms "Responses" download):

- the first columns are ``ID``, ``Start time``, ``Completion time``, ``Email``, ``Name`` (newer
  exports add ``Last modified time``; a Norwegian-language form writes ``ID``, ``Starttidspunkt``,
  ``Fullføringstidspunkt``, ``E-post``, ``Navn``), then one column per question named by the
  question's full text;
- ``ID`` is a running number per response (it is the respondent id);
- a multi-select (checkbox) question gives one cell with the chosen options joined by ``;`` and
  a trailing ``;`` (``Sykehus;`` or ``Sykehus;NAV;``); a single-choice question gives the option's
  text;
- times are written in the locale of the person who downloads: ``11/25/2026 14:03:11`` (US),
  ``25.11.2026 14:03`` (Norwegian), ``2026-11-25 14:03:11`` (ISO; Excel's own date cells).

``Email``, ``Name`` and the times identify a person or a moment: they can never be mapped, and
only the first and last response *date* is kept, in the ingestion report.
"""

import datetime as dt
import re
from collections.abc import Iterable

from sources.surveys.delimited import SurveyFormatError
from sources.surveys.problems import header_preview

ID_COLUMN = "ID"
START_COLUMNS = ("Start time", "Starttidspunkt")
COMPLETION_COLUMNS = ("Completion time", "Fullføringstidspunkt")
IDENTIFYING_COLUMNS = frozenset(
    {
        "Start time",
        "Completion time",
        "Last modified time",
        "Email",
        "Name",
        "Starttidspunkt",
        "Fullføringstidspunkt",
        "Tidspunkt for siste endring",
        "E-post",
        "Navn",
    }
)
MULTI_SELECT_SEPARATOR = ";"

_DATE = re.compile(
    r"\s*(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AP]M)?(?:Z|[+-]\d{2}:?\d{2})?)?\s*$"
)


def check_header(header: list[str], source: str) -> None:
    """The header must have ``ID`` and a start and completion time column (English or Norwegian)."""
    missing = [
        names[0]
        for names in ((ID_COLUMN,), START_COLUMNS, COMPLETION_COLUMNS)
        if not any(name in header for name in names)
    ]
    if missing:
        raise SurveyFormatError(
            f"{source}: header has no {', '.join(repr(m) for m in missing)} column; not a Microsoft Forms "
            f"export ({header_preview(header)})"
        )


def single_choice(answer: str) -> tuple[str, bool]:
    """A multi-select cell as one option: ``"Sykehus;"`` -> ``("Sykehus", True)``; several -> False."""
    options = [part.strip() for part in answer.split(MULTI_SELECT_SEPARATOR) if part.strip()]
    if len(options) == 1:
        return options[0], True
    return answer, False


def _date_parts(text: str) -> tuple[int, int, int] | None:
    match = _DATE.match(text)
    if not match:
        return None
    a, b, c = (int(g) for g in match.groups())
    return (a, b, c)


def parse_dates(texts: list[str]) -> list[dt.date | None]:
    """The date of each locale-formatted time (``11/25/2026 14:03:11``, ``25.11.2026 14:03``,
    ``2026-11-25 14:03:11``), None where a text is not a date. Day-first vs month-first in
    ``a/b/yyyy`` is decided over all texts (a first part > 12 means day-first; ``.`` is always
    day-first)."""
    parts = [_date_parts(text) for text in texts]
    day_first = any(p is not None and p[0] > 12 and "/" in t for t, p in zip(texts, parts, strict=True))
    out: list[dt.date | None] = []
    for text, found in zip(texts, parts, strict=True):
        if found is None:
            out.append(None)
            continue
        a, b, c = found
        if a > 31:  # ISO year first
            year, month, day = a, b, c
        elif "." in text.split(" ")[0] or day_first:
            day, month, year = a, b, c
        else:
            month, day, year = a, b, c
        try:
            out.append(dt.date(year, month, day))
        except ValueError:
            out.append(None)
    return out


def response_period(texts: Iterable[str]) -> tuple[dt.date, dt.date] | None:
    """First and last date of locale-formatted times (see :func:`parse_dates`); None if no text is a date."""
    dates = [d for d in parse_dates(list(texts)) if d is not None]
    return (min(dates), max(dates)) if dates else None
