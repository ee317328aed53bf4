"""``rapporteringsbyrdeindeksen.xlsx``: the release as a real Excel workbook (XlsxWriter).

Sheet "Om tallene / About" first: data status banner, what the index is and is not, the headline of
each year, citation, licence, caveats, next release and the flag glossary, each row as tall as its
wrapped text; then one sheet per published table with Norwegian headers and units (English title
and column name in a cell note), numbers as numbers with their published decimals, and text
(release ids, version strings such as "1.0", dates) written as strings so no spreadsheet turns
them into dates or numbers. After a table's own columns, its Norwegian readable columns
(publication/norwegian.py: component names and units, flags explained, "Datastatus").

Printing: every sheet landscape A4, one page wide, the header row repeated on every page and frozen
on screen, the data status and the release id in the page header, page numbers in the footer.

Byte-reproducible: XlsxWriter stamps the zip members with a fixed 1980 date, and the document's
creation date is set to the release date (never the clock).
"""

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import xlsxwriter

from publication.analyst_db import ANALYST_DB, OPENS_WITH, OPENS_WITH_NB
from publication.calendar import next_release
from publication.datapackage import LICENCE
from publication.glossary import flags
from publication.headers import SHEETS_NB, english_header, norwegian_header
from publication.meaning import (
    CITATION_EN,
    CITATION_NB,
    RANK_INTERVAL_EN,
    RANK_INTERVAL_NB_DEFINITE,
    WHAT_EN,
    WHAT_NB,
    headline,
)
from publication.norwegian import extra_columns
from publication.release_info import ReleaseInfo

WORKBOOK_FILE = "rapporteringsbyrdeindeksen.xlsx"
ABOUT_SHEET = "Om tallene - About"
NUMBER_FORMATS = {"int": "0", "dec1": "0.0", "dec3": "0.000", "plain": "General"}
ABOUT_WIDTHS = (26, 80, 80)  # About sheet: label, Norwegian, English (characters)
LINE_HEIGHT = 15.0  # points per line of wrapped text (Calibri 11)
MAX_TEXT_WIDTH = 60  # a text column's width: its longest value, at most this many characters


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (a little pessimistic)."""
    usable = max(1, int(width * 0.95) - 2)
    return sum(max(1, -(-len(part) // usable)) for part in str(text).split("\n"))


def _print_setup(sheet: Any, name: str, info: ReleaseInfo, repeat_header: bool) -> None:
    """Landscape A4, one page wide, the header row on every page, the demonstration marker and the
    page number in the page header and footer."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    sheet.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
    if repeat_header:
        sheet.repeat_rows(0)
    marker = "DEMONSTRASJONSDATA – oppdiktede data" if info.data_status == "demonstration" else "publiserte data"
    sheet.set_header(f"&L&B{marker}&C{name}&R{info.release_id}")
    sheet.set_footer("&LRapporteringsbyrdeindeksen&Rside &P av &N")


CAVEATS = (
    (
        "Indeksen er en poengsum 0–100, ikke en prosent av arbeidstiden; se komponentene for verdiene med enhet.",
        "The index is a 0–100 score, not a percentage of working time; see the components for values with units.",
    ),
    (
        f"Sektorer med overlappende 95 %-intervaller kan ikke skilles fra hverandre; les {RANK_INTERVAL_NB_DEFINITE} "
        "(p05–p95).",
        f"Sectors whose 95 % intervals overlap cannot be told apart; read the {RANK_INTERVAL_EN} (p05–p95).",
    ),
    (
        "Tomme celler er prikket (for få svar eller for usikre) eller mangler; se Flagg.",
        "Empty cells are suppressed (too few answers or too uncertain) or missing; see Flags.",
    ),
    (
        "Tallene er avrundet halvt bort fra null; rangeringene bygger på uavrundede verdier.",
        "Numbers are rounded half away from zero; ranks come from unrounded values.",
    ),
)


def _created(info: ReleaseInfo) -> datetime:
    return datetime.fromisoformat(info.created_at[:10])


def _about(
    book: Any, info: ReleaseInfo, index_rows: Sequence[Mapping[str, Any]], component_rows: Sequence[Mapping[str, Any]]
) -> None:
    sheet = book.add_worksheet(ABOUT_SHEET)
    for col, width in enumerate(ABOUT_WIDTHS):
        sheet.set_column(col, col, width)
    _print_setup(sheet, ABOUT_SHEET, info, repeat_header=False)

    def fit(r: int, *texts: str) -> None:  # a row tall enough for its wrapped text
        lines = max(_lines(t, w) for t, w in zip(texts, ABOUT_WIDTHS, strict=False))
        sheet.set_row(r, LINE_HEIGHT * lines + 3)

    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    title = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    banner = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#B00020", "text_wrap": True})
    row = 0
    sheet.write_string(row, 0, "Rapporteringsbyrdeindeksen / Reporting Burden Index", title)
    row += 2
    if info.data_status == "demonstration":
        fit(row, "DATASTATUS", "DEMONSTRASJONSDATA: bygger på oppdiktede data, IKKE reelle målinger.")
        sheet.write_string(row, 0, "DATASTATUS", banner)
        sheet.write_string(row, 1, "DEMONSTRASJONSDATA: bygger på oppdiktede data, IKKE reelle målinger.", banner)
        sheet.write_string(row, 2, "DEMONSTRATION DATA: built from invented data, NOT real measurements.", banner)
    else:
        sheet.write_string(row, 0, "Datastatus / data status", bold)
        sheet.write_string(row, 1, "publisert (reelle data)")
        sheet.write_string(row, 2, "published (real data)")
    row += 2
    sheet.write_string(row, 1, "Norsk", bold)
    sheet.write_string(row, 2, "English", bold)
    row += 1
    citation = {"release_id": info.release_id, "date": info.created_at, "method": info.method_version}
    next_nb, next_en = next_release([r["year"] for r in index_rows])
    facts = [
        ("Hva indeksen er / what it is", WHAT_NB, WHAT_EN),
        ("Utgivelse / release", info.release_id, info.release_id),
        ("Dato / date", info.created_at, info.created_at),
        ("Metodeversjon / method", info.method_version, info.method_version),
        ("Sitering / citation", CITATION_NB.format(**citation), CITATION_EN.format(**citation)),
        ("Lisens / licence", f"{LICENCE['title']} ({LICENCE['path']})", f"{LICENCE['title']} ({LICENCE['path']})"),
        ("Neste utgivelse / next", next_nb, next_en),
        (
            "Analysefil / analyst file",
            f"{ANALYST_DB} åpnes med {OPENS_WITH_NB}; Parquet-filene med pyarrow 14 eller nyere",
            f"{ANALYST_DB} opens with {OPENS_WITH}; the Parquet files with pyarrow 14 or newer",
        ),
    ]
    for year in sorted({r["year"] for r in index_rows}, reverse=True):
        facts.append(
            (
                f"Hovedfunn / headline {year}",
                headline(year, index_rows, component_rows, "nb"),
                headline(year, index_rows, component_rows, "en"),
            )
        )
    facts += [("Forbehold / caveat", nb, en) for nb, en in CAVEATS]
    for label, nb, en in facts:
        fit(row, label, nb, en)
        sheet.write_string(row, 0, label, bold)
        sheet.write_string(row, 1, nb, wrap)
        sheet.write_string(row, 2, en, wrap)
        row += 1
    row += 1
    sheet.write_string(row, 0, "Flagg / flags", title)
    row += 1
    for col, text in enumerate(("Kode / code", "Betydning (norsk)", "Meaning (English)")):
        sheet.write_string(row, col, text, bold)
    row += 1
    for flag in flags():
        fit(row, flag.flag, f"{flag.label_nb}: {flag.meaning_nb}", f"{flag.label_en}: {flag.meaning_en}")
        sheet.write_string(row, 0, flag.flag)
        sheet.write_string(row, 1, f"{flag.label_nb}: {flag.meaning_nb}", wrap)
        sheet.write_string(row, 2, f"{flag.label_en}: {flag.meaning_en}", wrap)
        row += 1
    row += 1
    sheet.write_string(row, 0, "Ark / sheets", title)
    row += 1
    for name, sheet_name in SHEETS_NB.items():
        sheet.write_string(row, 0, sheet_name, bold)
        sheet.write_string(row, 1, f"tabellen {name} (samme rader som {name}.csv)")
        sheet.write_string(row, 2, f"table {name} (same rows as {name}.csv)")
        row += 1


def _table_sheet(
    book: Any, info: ReleaseInfo, name: str, columns: Mapping[str, str], rows: Sequence[Mapping[str, Any]]
) -> None:
    sheet_name = SHEETS_NB.get(name, name)[:31]
    sheet = book.add_worksheet(sheet_name)
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEEEEE", "border": 1})
    formats = {kind: book.add_format({"num_format": fmt}) for kind, fmt in NUMBER_FORMATS.items()}
    extras = extra_columns(name, columns, info.data_status)
    headers = [norwegian_header(name, column) for column in columns] + [header for header, _ in extras]
    extra_values = [[str(compute(row) or "") for _, compute in extras] for row in rows]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, head)
        if col < len(columns):
            column = list(columns)[col]
            sheet.write_comment(0, col, f"{english_header(name, column)}\nkolonne / column: {column}")
            kind = columns[column]
            longest = max((len(str(r.get(column) or "")) for r in rows), default=0) if kind == "text" else 8
        else:
            longest = max((len(v[col - len(columns)]) for v in extra_values), default=0)
        words = max((len(w) for w in header.split()), default=8)
        sheet.set_column(col, col, min(max(longest, words, 8) + 2, MAX_TEXT_WIDTH))
    for r, row in enumerate(rows, start=1):
        for col, (column, kind) in enumerate(columns.items()):
            value = row.get(column)
            if value is None:
                sheet.write_blank(r, col, None)
            elif kind == "text":
                sheet.write_string(r, col, str(value))
            else:
                sheet.write_number(r, col, value, formats[kind])
        for offset, value in enumerate(extra_values[r - 1]):
            sheet.write_string(r, len(columns) + offset, value)
    sheet.set_row(0, 60)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    _print_setup(sheet, sheet_name, info, repeat_header=True)


def workbook_bytes(
    info: ReleaseInfo,
    tables: Sequence[tuple[str, Mapping[str, str]]],
    typed: Mapping[str, Sequence[Mapping[str, Any]]],
) -> bytes:
    """The workbook of the published (typed, rounded) rows of ``tables`` (name, columns)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    book.set_properties(
        {
            "title": f"Rapporteringsbyrdeindeksen {info.release_id}",
            "author": "Rapporteringsbyrdeindeksen",
            "comments": "DEMONSTRASJONSDATA / DEMONSTRATION DATA" if info.data_status == "demonstration" else "",
            "created": _created(info),
        }
    )
    _about(book, info, typed.get("index_sector_year", []), typed.get("component_sector_year", []))
    for name, columns in tables:
        _table_sheet(book, info, name, columns, typed.get(name, []))
    book.close()
    return buffer.getvalue()
