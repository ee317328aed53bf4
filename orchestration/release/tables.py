"""The published tables: which mart each comes from, its columns (public contract, spec section 9)
and how each column is written."""

from dataclasses import dataclass

# column kinds: text | int | dec1 | dec3 | plain (a source's own number, as published)
INDEX_SECTOR_YEAR = {
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

COMPONENT_SECTOR_YEAR = {
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

CONTEXT_SECTOR_YEAR = {
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

SOURCES = {
    "source_id": "text",
    "title": "text",
    "publisher": "text",
    "url": "text",
    "licence": "text",
    "retrieved_at": "text",
    "sha256": "text",
    "origin": "text",
}

RELEASES = {
    "release_id": "text",
    "created_at": "text",
    "method_version": "text",
    "data_status": "text",
    "changelog": "text",
}


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
    PublishedTable("sources", "marts.sources", SOURCES, False),
)
