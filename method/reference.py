"""The method's reference data, read from the dbt seeds (``dbt_project/seeds/``) in one place.

Sectors and components are data (spec section 1): adding a sector is one line of
``sectors.csv``, and the pipeline, the ``python -m sources.surveys validate`` command, the quality
gate, the release and the tests all see it. The canonical survey columns (spec section 2) are in
no seed; they are declared here, once.

Cheap to import: the seeds are read on first use and cached.
"""

import csv
from functools import cache

from storage.paths import SEEDS_DIR

# the canonical record of one survey respondent (spec section 2), in the warehouse's column order
CANONICAL_COLUMNS: tuple[str, ...] = (
    "survey_id",
    "respondent_id",
    "year",
    "sector_code",
    "sex",
    "hours_total",
    "hours_doc",
    "unnecessary",
    "duplicate",
    "autonomy_1",
    "autonomy_2",
    "autonomy_3",
    "design_weight",
)


@cache
def seed_rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of the seed ``name`` (e.g. ``"sectors.csv"``), as text."""
    with (SEEDS_DIR / name).open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def sector_codes() -> tuple[str, ...]:
    """The sector codes of the method, in the seed's order."""
    return tuple(row["sector_code"] for row in seed_rows("sectors.csv"))


def component_ids() -> tuple[str, ...]:
    """Every component of the index (C1..C5), in the seed's order."""
    return tuple(row["component_id"] for row in seed_rows("components.csv"))


def survey_component_ids() -> tuple[str, ...]:
    """Components measured by the survey: disclosure control applies to them (spec section 5)."""
    return tuple(row["component_id"] for row in seed_rows("components.csv") if row["source_kind"] == "survey")


def percent_component_ids() -> tuple[str, ...]:
    """Components on a 0..100 scale: survey shares (unit ``%...``) and scores (unit ``0..100``)."""
    return tuple(
        row["component_id"]
        for row in seed_rows("components.csv")
        if row["unit"].startswith("%") or row["unit"] == "0..100"
    )


def percent_units() -> tuple[str, ...]:
    """Units of the context indicators that are percentages (seed context_indicators.csv)."""
    units = {row["unit"] for row in seed_rows("context_indicators.csv")}
    return tuple(sorted(unit for unit in units if unit.startswith("%")))


def flag_rows() -> tuple[dict[str, str], ...]:
    """The flag glossary (seed flags.csv): code, where it applies, label and meaning in nb and en."""
    return seed_rows("flags.csv")


def flag_codes() -> tuple[str, ...]:
    """Every flag code, sorted as a published ``flags`` cell lists them (spec section 9)."""
    return tuple(sorted(row["flag"] for row in flag_rows()))
