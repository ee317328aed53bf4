"""The published tables' columns: the public contract of spec section 9, in one place.

Each table maps column name -> how the column is written in a release (``text``, ``int``,
``dec1``/``dec3`` rounded half away from zero, ``plain`` as the source published it). The gate
(expectations/suites.py) and the release writer (orchestration/release/) both read this.
"""

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

FLAGS = ("CAPPED", "INSUFFICIENT", "LOW_PRECISION", "POP_LAGGED", "SECTOR_WEIGHTED", "SUPPRESSED", "UNWEIGHTED")
COMPONENT_IDS = ("C1", "C2", "C3", "C4", "C5")
DATA_STATUSES = ("published", "demonstration")
KEYS = {
    "index_sector_year": ["year", "sector_code"],
    "component_sector_year": ["year", "sector_code", "component_id"],
    "context_sector_year": ["year", "period", "sector_code", "indicator_id", "source_table"],
    "sources": ["source_id"],
}
