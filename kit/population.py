"""Sector population sizes for the planner: a CSV with ``sector_code`` and ``employees``.

The pipeline's population table (``year, sector_code, sex, employees, ...``) works as it is: the
rows of the chosen year (or the nearest earlier one, as method section 3 does for weights) are
used; a sector's total is its ``sex`` = empty row, or the sum of its F and M rows.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path


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


def read_population(path: Path, year: int | None = None) -> dict[str, SectorPopulation]:
    """sector_code -> its population (for ``year``, or the nearest earlier year in the file)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"sector_code", "employees"} <= set(rows[0]):
        raise PopulationError(f"{path}: needs the columns sector_code and employees")
    if "year" in rows[0]:
        years = sorted({int(r["year"]) for r in rows})
        usable = [y for y in years if year is None or y <= year]
        if not usable:
            raise PopulationError(f"{path}: no year at or before {year} (years in the file: {years})")
        rows = [r for r in rows if int(r["year"]) == usable[-1]]
    out: dict[str, SectorPopulation] = {}
    for number, row in enumerate(rows, start=2):
        sex = (row.get("sex") or "").strip() or None
        if sex not in (None, "F", "M"):
            raise PopulationError(f"{path}: line {number}, column sex: {sex!r} is not F, M or empty")
        try:
            employees = float(row["employees"])
        except ValueError:
            raise PopulationError(f"{path}: line {number}, column employees: not a number") from None
        if employees <= 0:
            raise PopulationError(f"{path}: line {number}, column employees: must be > 0")
        out.setdefault(row["sector_code"].strip(), SectorPopulation()).by_sex[sex] = employees
    return out
