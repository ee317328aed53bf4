"""The published tables' columns: the public contract of spec section 9, in one place.

Each table maps column name -> how the column is written in a release (``text``, ``int``,
``dec1``/``dec3`` rounded half away from zero, ``plain`` as the source published it); the dicts
keep the published column order, so ``list(INDEX_SECTOR_YEAR)`` is the ordered column list. The
gate (expectations/suites.py) and the release writer (publication/) both read this. Adding a
column: one line here, its SQL in the mart and its description in ``_marts.yml``.

No Great Expectations import here: this module is cheap to import.
"""

from dataclasses import dataclass
from functools import cache
from itertools import combinations

from method import load_parameters, reference
from method.scenarios import scenario_ids

# column kinds: text | int | dec1 | dec3 | plain (a source's own number, as published)
INDEX_SECTOR_YEAR: dict[str, str] = {
    "release_id": "text",
    "method_version": "text",
    "year": "int",
    "sector_code": "text",
    "sector_nb": "text",
    "sector_en": "text",
    "index": "dec1",
    "index_ci_low": "dec1",
    "index_ci_high": "dec1",
    "rank": "int",
    "rank_p05": "int",
    "rank_p95": "int",
    "n_components": "int",
    "flags": "text",
    "data_status": "text",
}

COMPONENT_SECTOR_YEAR: dict[str, str] = {
    "release_id": "text",
    "year": "int",
    "sector_code": "text",
    "component_id": "text",
    "component_name": "text",
    "unit": "text",
    "raw_value": "dec1",
    "raw_ci_low": "dec1",
    "raw_ci_high": "dec1",
    "normalised": "dec1",
    "n": "int",
    "n_eff": "dec1",
    "cv": "dec3",
    "dk_share": "dec1",
    "flags": "text",
    "source_ids": "text",
}

CONTEXT_SECTOR_YEAR: dict[str, str] = {
    "release_id": "text",
    "year": "int",
    "period": "text",
    "sector_code": "text",
    "sector_nb": "text",
    "sector_en": "text",
    "indicator_id": "text",
    "indicator_nb": "text",
    "indicator_en": "text",
    "unit": "text",
    "value": "plain",
    "status": "text",
    "nace_code": "text",
    "ssb_sector": "text",
    "source_id": "text",
    "source_table": "text",
    "data_status": "text",
}

SENSITIVITY: dict[str, str] = {
    "release_id": "text",
    "year": "int",
    "sector_code": "text",
    "scenario_id": "text",
    "index": "dec1",
    "rank": "int",
    "rank_p05": "int",
    "rank_p95": "int",
}

SOURCES: dict[str, str] = {
    "source_id": "text",
    "title": "text",
    "publisher": "text",
    "url": "text",
    "licence": "text",
    "retrieved_at": "text",
    "sha256": "text",
    "origin": "text",
}

RELEASES: dict[str, str] = {
    "release_id": "text",
    "created_at": "text",
    "method_version": "text",
    "data_status": "text",
    "changelog": "text",
}

# published table name -> its columns (in order)
TABLES: dict[str, dict[str, str]] = {
    "index_sector_year": INDEX_SECTOR_YEAR,
    "component_sector_year": COMPONENT_SECTOR_YEAR,
    "context_sector_year": CONTEXT_SECTOR_YEAR,
    "sensitivity": SENSITIVITY,
    "sources": SOURCES,
    "releases": RELEASES,
}

# the key of each published table: unique and never null
KEYS: dict[str, list[str]] = {
    "index_sector_year": ["year", "sector_code"],
    "component_sector_year": ["year", "sector_code", "component_id"],
    "context_sector_year": ["year", "period", "sector_code", "indicator_id", "source_table"],
    "sensitivity": ["year", "sector_code", "scenario_id"],
    "sources": ["source_id"],
    "releases": ["release_id"],
}


# the published tables read from the warehouse: which mart each comes from and whether the gate
# validates it (``releases`` is written by the release builder itself)
@dataclass(frozen=True)
class PublishedTable:
    name: str
    mart: str  # the warehouse relation it is read from
    columns: dict[str, str]
    gated: bool  # validated by a blocking GX check before publication


PUBLISHED_TABLES = (
    PublishedTable("index_sector_year", "marts.index_sector_year", INDEX_SECTOR_YEAR, True),
    PublishedTable("component_sector_year", "marts.component_sector_year", COMPONENT_SECTOR_YEAR, True),
    PublishedTable("context_sector_year", "marts.context_sector_year", CONTEXT_SECTOR_YEAR, True),
    PublishedTable("sensitivity", "marts.sensitivity", SENSITIVITY, True),
    PublishedTable("sources", "marts.sources", SOURCES, False),
)

# every flag a published cell can carry (spec sections 2b, 3, 5, 5b, 6, 7, 9) is a row of the seed
# flags.csv with its meaning in nb and en: method.reference.flag_codes(), alphabetical as in `flags`
FLAG_SEPARATOR = ";"
SCENARIO_IDS: tuple[str, ...] = scenario_ids()  # the seed sensitivity_scenarios of the method in force
DATA_STATUSES: tuple[str, ...] = ("published", "demonstration")
YEAR_RANGE: tuple[int, int] = (2000, 2100)


@dataclass(frozen=True)
class MethodRules:
    """The method's thresholds the gate checks, read from the package ``method`` (the seed
    method_parameters of the version in force); nothing here writes a number."""

    method_version: str
    min_respondents: int  # spec 5: n < suppress_n_below is suppressed
    min_published_n_eff: float  # spec 5 (NCHS): n_eff < nchs_n_eff_below is suppressed
    min_components_for_index: int  # spec 6


def method_rules(params=None) -> MethodRules:
    """The gate's rules for ``params`` (default: the method version in force)."""
    p = params or load_parameters()
    return MethodRules(
        p.version,
        p.integer("suppress_n_below"),
        p.number("nchs_n_eff_below"),
        p.integer("index_min_components"),
    )


_RULES = method_rules()
MIN_RESPONDENTS = _RULES.min_respondents
MIN_PUBLISHED_N_EFF = _RULES.min_published_n_eff
MIN_COMPONENTS_FOR_INDEX = _RULES.min_components_for_index


def columns(table: str) -> list[str]:
    """The ordered published column list of ``table``."""
    return list(TABLES[table])


def flags_pattern() -> str:
    """Regex of a valid ``flags`` value: known flags, distinct, sorted, ';'-separated, or empty.

    Null is handled by the caller (GX regex expectations skip nulls)."""
    return "^(?!.*;$)" + "".join(f"(?:{flag}(?:;|$))?" for flag in reference.flag_codes()) + "$"


@cache
def flag_values_with(flag: str) -> tuple[str, ...]:
    """Every valid (sorted, distinct) ``flags`` value that contains ``flag``: 2**(len(flag codes) - 1) strings.

    GX row conditions have no 'contains'; membership in this set is the same test for any value
    that passes the flags regex (values that do not fail that expectation anyway)."""
    if flag not in reference.flag_codes():
        raise ValueError(f"unknown flag {flag!r}")
    others = [f for f in reference.flag_codes() if f != flag]
    values = []
    for size in range(len(others) + 1):
        for subset in combinations(others, size):
            values.append(FLAG_SEPARATOR.join(sorted((*subset, flag))))
    return tuple(sorted(values))
