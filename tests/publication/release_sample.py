"""Warehouse-like rows of the published tables for the release unit tests (two sectors, two years)."""

from typing import Any

from publication.contracts import PUBLISHED_TABLES
from publication.release_info import ReleaseInfo

TABLES = [(t.name, t.columns) for t in PUBLISHED_TABLES]


def info(release_id: str = "demo-rbi-1.0-20260101-aaaa", data_status: str = "demonstration") -> ReleaseInfo:
    return ReleaseInfo(release_id, "2026-01-01", "1.0", data_status)


def index_row(rid: str, year: int, sector: str, index: float | None, rank: int | None, flags: str | None) -> dict:
    names = {"SYKEHUS": ("Sykehus", "Hospitals"), "NAV": ("NAV", "Labour and welfare"), "POLITI": ("Politi", "Police")}
    return {
        "release_id": rid,
        "method_version": "1.0",
        "year": year,
        "sector_code": sector,
        "sector_nb": names[sector][0],
        "sector_en": names[sector][1],
        "index": index,
        "index_ci_low": None if index is None else index - 5.04,
        "index_ci_high": None if index is None else index + 5.05,
        "rank": rank,
        "rank_p05": rank,
        "rank_p95": None if rank is None else rank + 1,
        "n_components": 4 if index is not None else 1,
        "flags": flags,
        "data_status": "demonstration",
    }


def component_row(rid: str, year: int, sector: str, cid: str, value: float | None, flags: str | None) -> dict:
    return {
        "release_id": rid,
        "year": year,
        "sector_code": sector,
        "component_id": cid,
        "component_name": {"C1": "DOC_TIME", "C2": "UNNECESSARY", "C3": "DUPLICATE"}[cid],
        "unit": "% of working hours" if cid == "C1" else "% agreeing",
        "raw_value": value,
        "raw_ci_low": None,
        "raw_ci_high": None,
        "normalised": None if value is None else min(100.0, value * 2),
        "n": 12 if value is not None else 4,
        "n_eff": None if value is None else 11.25,
        "cv": None if value is None else 0.0625,
        "dk_share": None,
        "flags": flags,
        "source_ids": "=cmd|' /C calc'!A0" if cid == "C3" else "DEMO-2025",
    }


def rows(rid: str = "demo-rbi-1.0-20260101-aaaa", years: tuple[int, ...] = (2024, 2025)) -> dict[str, list[dict]]:
    index, components = [], []
    for offset, year in enumerate(years):
        index += [
            index_row(rid, year, "NAV", 71.875 + offset, 1, "SECTOR_WEIGHTED"),
            index_row(rid, year, "SYKEHUS", 47.0588 - offset, 2, None),
            index_row(rid, year, "POLITI", None, None, "INSUFFICIENT;UNWEIGHTED"),
        ]
        components += [
            component_row(rid, year, "SYKEHUS", "C1", 35.0, None),
            component_row(rid, year, "SYKEHUS", "C2", 2.675, None),
            component_row(rid, year, "SYKEHUS", "C3", None, "SUPPRESSED"),
        ]
    context: list[dict[str, Any]] = [
        {
            "release_id": rid,
            "year": 2024,
            "period": "2024",
            "sector_code": "SYKEHUS",
            "sector_nb": "Sykehus",
            "sector_en": "Hospitals",
            "indicator_id": "SICKNESS_ABSENCE_PCT",
            "indicator_nb": "Sykefravær",
            "indicator_en": "Sickness absence",
            "unit": "%",
            "value": 8.7,
            "status": None,
            "nace_code": "86-88",
            "ssb_sector": "Statlig forvaltning",
            "source_id": "ssb_sickness_absence",
            "source_table": "12441",
            "data_status": "demonstration",
        }
    ]
    sources = [
        {
            "source_id": "ssb_sickness_absence",
            "title": "Sykefravær",
            "publisher": "Statistisk sentralbyrå",
            "url": "https://www.ssb.no/statbank/table/12441",
            "licence": "CC BY 4.0",
            "retrieved_at": "2026-01-01T00:00:00Z",
            "sha256": "ab" * 32,
            "origin": "transcribed",
        },
        {
            "source_id": "DEMO-2025",
            "title": "Demonstration survey",
            "publisher": "project",
            "url": None,
            "licence": "CC BY 4.0",
            "retrieved_at": "2026-01-01T00:00:00Z",
            "sha256": "cd" * 32,
            "origin": "demonstration",
        },
    ]
    out = {"index_sector_year": index, "component_sector_year": components, "context_sector_year": context}
    out["sources"] = sources
    # tables added later (e.g. sensitivity) get no rows here
    for name, _ in TABLES:
        out.setdefault(name, [])
    return out


def sensitivity_rows(rid: str = "demo-rbi-1.0-20260101-aaaa", years: tuple[int, ...] = (2024, 2025)) -> list[dict]:
    """Scenario rows S0-S4 for NAV and SYKEHUS (POLITI has no index in any scenario)."""
    out = []
    for offset, year in enumerate(years):
        for sector, base, rank in (("NAV", 71.875 + offset, 1), ("SYKEHUS", 47.0588 - offset, 2)):
            for i, scenario in enumerate(("S0", "S1", "S2", "S3", "S4")):
                out.append(
                    {
                        "release_id": rid,
                        "year": year,
                        "sector_code": sector,
                        "scenario_id": scenario,
                        "index": base - 2 * i,
                        "rank": rank,
                        "rank_p05": rank if scenario == "S4" else None,
                        "rank_p95": rank + 1 if scenario == "S4" else None,
                    }
                )
    return out
