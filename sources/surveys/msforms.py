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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


# the same pattern for Arrow's RE2, exact on ASCII text: Python's \s and \d of str patterns, spelt out
_WS = r"[\t\n\x0b\x0c\r\x1c-\x1f ]"
_DATE_RE2 = (
    rf"^{_WS}*(?P<a>[0-9]{{1,4}})[./-](?P<b>[0-9]{{1,2}})[./-](?P<c>[0-9]{{1,4}})"
    rf"(?:[ T]+[0-9]{{1,2}}:[0-9]{{2}}(?::[0-9]{{2}}(?:\.[0-9]+)?)?(?:{_WS}*[AP]M)?"
    rf"(?:Z|[+-][0-9]{{2}}:?[0-9]{{2}})?)?{_WS}*$"
)


def _date_parts(text: str) -> tuple[int, int, int] | None:
    match = _DATE.match(text)
    if not match:
        return None
    a, b, c = (int(g) for g in match.groups())
    return (a, b, c)


def _parts(texts: list[str], array: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, c, matched) of ``_DATE`` over the texts: ASCII texts in one Arrow pass, others one by one."""
    ascii_ = pc.string_is_ascii(array).to_numpy(zero_copy_only=False)
    found = pc.extract_regex(array, _DATE_RE2)  # null where no match
    matched = found.is_valid().to_numpy(zero_copy_only=False) & ascii_
    a, b, c = (
        pc.cast(pc.if_else(found.is_valid(), pc.struct_field(found, [i]), "0"), pa.int64()).to_numpy(
            zero_copy_only=False
        )
        for i in range(3)
    )
    a, b, c, matched = a.copy(), b.copy(), c.copy(), matched.copy()
    for i in np.flatnonzero(~ascii_):
        parts = _date_parts(texts[i])
        matched[i] = parts is not None
        if parts is not None:
            a[i], b[i], c[i] = parts
    return a, b, c, matched


def parse_dates(texts: list[str]) -> list[dt.date | None]:
    """The date of each locale-formatted time (``11/25/2026 14:03:11``, ``25.11.2026 14:03``,
    ``2026-11-25 14:03:11``), None where a text is not a date. Day-first vs month-first in
    ``a/b/yyyy`` is decided over all texts (a first part > 12 means day-first; ``.`` is always
    day-first). Column-wise: the texts are matched in one Arrow pass, each distinct date built once."""
    if not texts:
        return []
    array = pa.array(texts, type=pa.string())
    a, b, c, matched = _parts(texts, array)
    slash = pc.match_substring(array, "/").to_numpy(zero_copy_only=False)
    dotted = pc.match_substring_regex(array, r"^[^ ]*\.").to_numpy(zero_copy_only=False)  # "." before the first space
    day_first = bool((matched & (a > 12) & slash).any())
    iso = a > 31
    dmy = ~iso & (dotted | day_first)
    year = np.where(iso, a, c)
    day = np.where(iso, c, np.where(dmy, a, b))
    month = np.where(iso | dmy, b, a)
    keys = np.where(matched, (year * 100_000 + month) * 100_000 + day, -1)
    distinct, inverse = np.unique(keys, return_inverse=True)
    dates = np.empty(len(distinct), dtype=object)
    for i, key in enumerate(distinct.tolist()):
        dates[i] = None if key < 0 else _date(key // 10**10, key // 100_000 % 100_000, key % 100_000)
    return dates[inverse.ravel()].tolist()


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def response_period(texts: Iterable[str]) -> tuple[dt.date, dt.date] | None:
    """First and last date of locale-formatted times (see :func:`parse_dates`); None if no text is a date."""
    dates = [d for d in parse_dates(list(texts)) if d is not None]
    return (min(dates), max(dates)) if dates else None
