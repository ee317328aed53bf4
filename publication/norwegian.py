"""The Norwegian presentation of a published table: the readable columns the workbook's sheets and
the ``*.excel-nb.csv`` files add after the table's own (whose values stay those of the CSV).

- every table with ``flags``: the flags explained in Norwegian ("Flagg forklart");
- components: the Norwegian name and unit (seed ``components.csv``: ``name_nb``, ``unit_nb``);
- context: the Norwegian unit (seed ``context_indicators.csv``: ``unit_nb``);
- sources: a Norwegian title for the kinds of source the index reads;
- every table without a ``data_status`` column: "Datastatus", so that demonstration data says so
  on every row of every sheet and file a person opens.

Text the spreadsheets would turn into a number or a date on their default import (a method version
"1.1" is 1 January in LibreOffice with Norwegian settings, a table id "05300" loses its zero) is
written with a word in front (:func:`text_for_spreadsheet`): "v1.1", "tabell 05300". LibreOffice
does not evaluate formulas on import, so Excel's ``="1.1"`` is not used.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

from method.reference import seed_rows
from publication.glossary import readable_flags
from publication.labels import components

Extra = tuple[str, Callable[[Mapping[str, Any]], str]]
DEMONSTRATION_NB = "DEMONSTRASJONSDATA (oppdiktede data, ikke reelle målinger)"
PUBLISHED_NB = "publisert (reelle data)"
# a text cell a spreadsheet reads as a number or a date: digits first, then digits and . , / : - space
NUMBER_LIKE = re.compile(r"[0-9][0-9.,/: -]*")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # read as a date by both: a date it is
YEAR = re.compile(r"\d{4}")  # a year read as the number 2024 shows as 2024
TEXT_PREFIX = {"method_version": "v", "source_table": "tabell ", "nace_code": "næring ", "period": "periode "}
SOURCE_TITLES_NB = (  # English phrases of the source titles the index reads, in Norwegian (applied in order)
    ("DEMONSTRATION - invented data, not a real survey", "DEMONSTRASJON – oppdiktede data, ikke en reell undersøkelse"),
    ("working time and reporting, public employees", "arbeidstid og rapportering, offentlig ansatte"),
    (
        "DEMONSTRATION obligations register (Standard Cost Model)",
        "DEMONSTRASJON: pliktregister (standardkostnadsmodellen)",
    ),
    (
        "DEMONSTRATION population table (employees and FTE by sector and sex",
        "DEMONSTRASJON: befolkningstabell (ansatte og årsverk etter sektor og kjønn",
    ),
    ("invented obligations and numbers", "oppdiktede plikter og tall"),
    ("invented numbers", "oppdiktede tall"),
    ("transcribed figures", "avskrevne tall"),
    ("JSON-stat 2.0 response (reader demonstration)", "JSON-stat 2.0-svar (lesertest)"),
    (" (employed persons by industry and sector)", ""),
    (" (sickness absence by industry and institutional sector)", ""),
    ("DEMONSTRATION", "DEMONSTRASJON"),
)


def text_for_spreadsheet(column: str, text: str) -> str:
    """``text`` as both Excel and LibreOffice keep it as text on their default CSV import."""
    if not NUMBER_LIKE.fullmatch(text) or ISO_DATE.fullmatch(text) or (YEAR.fullmatch(text) and column != "period"):
        return text
    return TEXT_PREFIX.get(column, "kode ") + text


def _component(attribute: str) -> Callable[[Mapping[str, Any]], str]:
    def value(row: Mapping[str, Any]) -> str:
        comp = components().get(str(row.get("component_id")))
        return getattr(comp, attribute) if comp else ""

    return value


def _context_unit(row: Mapping[str, Any]) -> str:
    units = {r["indicator_id"]: r.get("unit_nb") or r["unit"] for r in seed_rows("context_indicators.csv")}
    return units.get(str(row.get("indicator_id")), str(row.get("unit") or ""))


def source_title_nb(title: str) -> str:
    """A source title with the English phrases the index's sources use put in Norwegian."""
    for english, norwegian in SOURCE_TITLES_NB:
        title = title.replace(english, norwegian)
    return " ".join(title.split())


def extra_columns(table: str, columns: Mapping[str, str], data_status: str) -> list[Extra]:
    """The Norwegian columns added after ``table``'s own, each (header, value of a row)."""
    extras: list[Extra] = []
    if table == "component_sector_year":
        extras += [("Komponent (norsk)", _component("short_nb")), ("Enhet (norsk)", _component("unit_nb"))]
    if table == "context_sector_year":
        extras.append(("Enhet (norsk)", _context_unit))
    if table == "sources":
        extras.append(("Tittel (norsk)", lambda r: source_title_nb(str(r.get("title") or ""))))
    if "flags" in columns:
        extras.append(("Flagg forklart", lambda r: readable_flags(r.get("flags"))))
    if "data_status" not in columns:
        status = DEMONSTRATION_NB if data_status == "demonstration" else PUBLISHED_NB
        extras.append(("Datastatus", lambda _r: status))
    return extras
