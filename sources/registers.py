"""Readers for the analyst-maintained registers: reporting obligations and the population table.

Obligations follow the Standard Cost Model (spec section 2b); the population table gives
employees and FTE by sector, year and sex ('F', 'M', or empty for the total).
"""

from collections.abc import Iterable

from sources.tables import (
    Column,
    TableError,
    matching,
    non_negative_number,
    one_of,
    parse_csv_rows,
    positive_number,
    year,
)

DATA_STATUS = one_of("published", "demonstration")
SECTOR_CODE = matching(r"[A-Z][A-Z0-9_]*", "a sector code in capitals")

OBLIGATION_COLUMNS = (
    Column("obligation_id", matching(r"[A-Za-z0-9_.-]+", "an identifier")),
    Column("year", year),
    Column("sector_code", SECTOR_CODE),
    Column("title"),
    Column("legal_basis"),
    Column("recipient"),
    Column("minutes_per_report", positive_number),
    Column("reports_per_year_per_unit", positive_number),
    Column("units", positive_number),
    Column("source_url", required=False),
    Column("data_status", DATA_STATUS),
)

POPULATION_COLUMNS = (
    Column("year", year),
    Column("sector_code", SECTOR_CODE),
    Column("sex", one_of("F", "M"), required=False),
    Column("employees", non_negative_number),
    Column("fte", non_negative_number),
    Column("data_status", DATA_STATUS),
)


def _check_sectors(rows: list[dict[str, object]], source: str, sectors: Iterable[str] | None) -> list[str]:
    if sectors is None:
        return []
    known = set(sectors)
    return [
        f"row {i}, field 'sector_code': unknown sector '{row['sector_code']}'"
        for i, row in enumerate(rows, start=1)
        if row["sector_code"] not in known
    ]


def _check_unique(rows: list[dict[str, object]], keys: tuple[str, ...]) -> list[str]:
    seen: dict[tuple, int] = {}
    problems = []
    for i, row in enumerate(rows, start=1):
        key = tuple(row[k] for k in keys)
        if key in seen:
            problems.append(f"row {i}: duplicate {'/'.join(keys)} {key} (first in row {seen[key]})")
        seen.setdefault(key, i)
    return problems


def read_obligations(data: bytes, source: str, sectors: Iterable[str] | None = None) -> list[dict[str, object]]:
    rows, problems = parse_csv_rows(data, source, OBLIGATION_COLUMNS)
    problems += _check_sectors(rows, source, sectors) + _check_unique(rows, ("obligation_id", "year"))
    if problems:
        raise TableError(source, problems)
    return rows


def read_population(data: bytes, source: str, sectors: Iterable[str] | None = None) -> list[dict[str, object]]:
    rows, problems = parse_csv_rows(data, source, POPULATION_COLUMNS)
    problems += _check_sectors(rows, source, sectors) + _check_unique(rows, ("year", "sector_code", "sex"))
    if problems:
        raise TableError(source, problems)
    return rows
