"""The published tables: which mart each comes from and whether the gate validates it
(columns: expectations/contracts.py)."""

from dataclasses import dataclass

from expectations.contracts import (
    COMPONENT_SECTOR_YEAR,
    CONTEXT_SECTOR_YEAR,
    INDEX_SECTOR_YEAR,
    SENSITIVITY,
    SOURCES,
)


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
