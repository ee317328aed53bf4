"""One sector over every survey year: its index and components, read back from the current release's
CSVs (the published, rounded values), each row with its line in the CSV.

A row's link is an RFC 7111 fragment (``index_sector_year.csv#row=N``, the header line being row 1),
under the stable ``latest/`` path and under the release's own immutable path.
"""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from publication.contracts import COMPONENT_SECTOR_YEAR, INDEX_SECTOR_YEAR
from publication.site.catalog import Release

INDEX_CSV = "index_sector_year.csv"
COMPONENT_CSV = "component_sector_year.csv"


def typed_csv(data: bytes | None, columns: Mapping[str, str]) -> list[dict[str, Any]]:
    """Rows of a published CSV typed by its contract (empty -> None), each with ``_row`` = its CSV row
    number (header = 1)."""
    if not data:
        return []
    out = []
    for number, row in enumerate(csv.DictReader(io.StringIO(data.decode("utf-8"))), start=2):
        typed: dict[str, Any] = {"_row": number}
        for name, text in row.items():
            kind = columns.get(name, "text")
            if text is None or text == "":
                typed[name] = None
            elif kind == "int":
                typed[name] = int(text)
            elif kind in ("dec1", "dec3", "plain"):
                typed[name] = float(text)
            else:
                typed[name] = text
        out.append(typed)
    return out


@dataclass(frozen=True)
class Sector:
    code: str
    name_nb: str
    name_en: str
    index_rows: tuple[dict[str, Any], ...]  # one per survey year, oldest first
    component_rows: tuple[dict[str, Any], ...]  # by year, then component

    @property
    def years(self) -> list[int]:
        return sorted({r["year"] for r in self.index_rows} | {r["year"] for r in self.component_rows})


def release_rows(release: Release) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(index rows, component rows) of a release, typed, with their CSV row numbers."""
    return (
        typed_csv(release.file(INDEX_CSV), INDEX_SECTOR_YEAR),
        typed_csv(release.file(COMPONENT_CSV), COMPONENT_SECTOR_YEAR),
    )


def sectors(release: Release) -> list[Sector]:
    """Every sector of the release's index table, in the order of the newest year's rank."""
    index_rows, component_rows = release_rows(release)
    codes: dict[str, tuple[str, str]] = {}
    for row in index_rows:
        codes.setdefault(row["sector_code"], (row.get("sector_nb") or row["sector_code"], row.get("sector_en") or ""))
    newest = max((r["year"] for r in index_rows), default=0)
    rank = {r["sector_code"]: r.get("rank") for r in index_rows if r["year"] == newest}

    def order(code: str) -> tuple:
        return (rank.get(code) is None, rank.get(code) or 0, code)

    out = []
    for code in sorted(codes, key=order):
        out.append(
            Sector(
                code=code,
                name_nb=codes[code][0],
                name_en=codes[code][1],
                index_rows=tuple(sorted((r for r in index_rows if r["sector_code"] == code), key=lambda r: r["year"])),
                component_rows=tuple(
                    sorted(
                        (r for r in component_rows if r["sector_code"] == code),
                        key=lambda r: (r["year"], r["component_id"]),
                    )
                ),
            )
        )
    return out
