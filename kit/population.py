"""Sector population sizes for the planner: a CSV with ``sector_code`` and ``employees``.

The pipeline's population table (``year, sector_code, sex, employees, ...``) works as it is: the
rows of the chosen year (or the nearest earlier one, as method section 3 does for weights) are
used; a sector's total is its ``sex`` = empty row, or the sum of its F and M rows.

Read as a coordinator's spreadsheet saves it: ``;``, ``,`` or tab between columns (found from the
header line), UTF-8 (with or without BOM) or Windows-1252 (Norwegian Excel's "CSV"), column names
in any case, sector codes in any case (``sykehjem`` is ``SYKEHJEM``), numbers with a decimal
comma and spaces between thousands (``1 234,5``). Anything else is refused with the reason, the
line and what to write instead; an unknown sector code is refused with the list of codes
(``kit/SECTORS.md``).
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from method.reference import sector_codes

DELIMITERS = {";": "';'", ",": "','", "\t": "tab"}
REQUIRED = ("sector_code", "employees")
# spaces Excel and LibreOffice put between thousands: space, no-break space, narrow no-break space
THOUSANDS = re.compile(r"[ \u00a0\u202f]")
NUMBER = re.compile(r"\d+(\.\d+)?")


class PopulationError(ValueError):
    """The population file cannot be used; the message names the file, row and column."""


@dataclass
class SectorPopulation:
    by_sex: dict[str | None, float] = field(default_factory=dict)  # 'F', 'M', None (total)

    @property
    def total(self) -> float | None:
        if None in self.by_sex:
            return self.by_sex[None]
        if "F" in self.by_sex and "M" in self.by_sex:
            return self.by_sex["F"] + self.by_sex["M"]
        return None


def parse_number(text: str) -> float | None:
    """``1234``, ``1 234``, ``1234,5``, ``1 234,5``, ``1234.5`` -> a float; None when not a number.

    A comma is the decimal separator (Norwegian); a point too. Both in one number (``1.234,5``) is
    refused rather than guessed."""
    text = THOUSANDS.sub("", text.strip())
    if "," in text and "." in text:
        return None
    text = text.replace(",", ".")
    return float(text) if NUMBER.fullmatch(text) else None


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(path: Path, header: str) -> str:
    for delimiter in DELIMITERS:
        names = {c.strip().strip('"').lower() for c in header.split(delimiter)}
        if set(REQUIRED) <= names:
            return delimiter
    raise PopulationError(
        f"{path}: line 1 must name the columns sector_code and employees (separated by ';', ',' or tab); "
        f"it reads {header.strip()[:80]!r}. Put the column names in the first row, e.g. sector_code;employees"
    )


def read_population(path: Path, year: int | None = None) -> dict[str, SectorPopulation]:
    """sector_code -> its population (for ``year``, or the nearest earlier year in the file)."""
    text = _text(path)
    header = text.splitlines()[0] if text.strip() else ""
    if not header.strip():
        raise PopulationError(f"{path}: the file is empty; it needs the columns sector_code and employees")
    delimiter = _delimiter(path, header)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = [c.strip().lower() for c in next(reader)]
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(names):
            raise PopulationError(
                f"{path}: line {number} has {len(cells)} values for {len(names)} columns: a decimal comma in a "
                f"file separated by {DELIMITERS[delimiter]}? Save it separated by ';' (Excel: CSV with ';') "
                "or write the number without a comma"
            )
        rows.append(dict(zip(names, (c.strip() for c in cells), strict=False)) | {"_line": str(number)})
    if "year" in names:
        for row in rows:
            if not re.fullmatch(r"\d{4}", row.get("year") or ""):
                raise PopulationError(f"{path}: line {row['_line']}, column year: write a year such as 2025")
        years = sorted({int(r["year"]) for r in rows})
        usable = [y for y in years if year is None or y <= year]
        if not usable:
            raise PopulationError(f"{path}: no year at or before {year} (years in the file: {years})")
        rows = [r for r in rows if int(r["year"]) == usable[-1]]
    known = sector_codes()
    out: dict[str, SectorPopulation] = {}
    for row in rows:
        line = row["_line"]
        sector = (row.get("sector_code") or "").upper()
        if sector not in known:
            raise PopulationError(
                f"{path}: line {line}, column sector_code: {row.get('sector_code')!r} is not a sector code; "
                f"use one of {', '.join(known)} (kit/SECTORS.md)"
            )
        sex = (row.get("sex") or "").upper() or None
        if sex not in (None, "F", "M"):
            raise PopulationError(f"{path}: line {line}, column sex: {row.get('sex')!r} is not F, M or empty")
        employees = parse_number(row.get("employees") or "")
        if employees is None:
            raise PopulationError(
                f"{path}: line {line}, column employees: {row.get('employees')!r} is not a number "
                "(write e.g. 1234 or 1 234,5)"
            )
        if employees <= 0:
            raise PopulationError(f"{path}: line {line}, column employees: must be > 0")
        out.setdefault(sector, SectorPopulation()).by_sex[sex] = employees
    return out
