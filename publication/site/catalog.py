"""What the releases folder holds, and ``catalog.json``.

Every release folder under ``output/releases/`` (publication/store.py: immutable, one per id) is read
as it is: its own row of its ``releases.csv`` (date, method version, data status, changelog), its
``changes.json`` (to mark corrections) and every file with its size and sha256. Releases are ordered
by date, releases of one date in the order of the current release's history (``releases.csv``).

A **correction** is a release that changed published values of cells that were already published
(index or component values changed, or rows removed) with the same method version: that is how
corrections are published (new releases with a changelog; publication/calendar.py).
"""

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publication.checksums import sha256_hex
from publication.datapackage import LICENCE
from publication.store import current_release, list_releases

CORRECTED_TABLES = ("index_sector_year", "component_sector_year")
MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".parquet": "application/vnd.apache.parquet",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".duckdb": "application/octet-stream",
    ".xml": "application/atom+xml",
}
SUMS_LIKE = {"SHA256SUMS": "text/plain; charset=utf-8", "robots.txt": "text/plain; charset=utf-8"}


def media_type(name: str) -> str:
    """The Content-Type of a site file, by its name."""
    base = name.rsplit("/", 1)[-1]
    if base in SUMS_LIKE:
        return SUMS_LIKE[base]
    if base == "feed.xml":
        return "application/atom+xml; charset=utf-8"
    suffix = "." + base.rsplit(".", 1)[-1] if "." in base else ""
    return MEDIA_TYPES.get(suffix, "application/octet-stream")


@dataclass(frozen=True)
class ReleaseFile:
    name: str  # path inside the release folder (posix)
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return sha256_hex(self.data)


@dataclass(frozen=True)
class Release:
    release_id: str
    created_at: str
    method_version: str
    data_status: str
    changelog: str
    changes: Mapping[str, Any]
    files: tuple[ReleaseFile, ...]

    @property
    def correction(self) -> bool:
        return is_correction(self.changes)

    @property
    def demonstration(self) -> bool:
        return self.data_status == "demonstration"

    def file(self, name: str) -> bytes | None:
        for f in self.files:
            if f.name == name:
                return f.data
        return None


@dataclass(frozen=True)
class Releases:
    releases: tuple[Release, ...]  # oldest first
    current_id: str | None

    @property
    def current(self) -> Release | None:
        for release in self.releases:
            if release.release_id == self.current_id:
                return release
        return self.releases[-1] if self.releases else None

    @property
    def newest_date(self) -> str:
        """The site's own date: the newest release date (never the clock)."""
        return max((r.created_at for r in self.releases), default="1970-01-01")


def is_correction(changes: Mapping[str, Any]) -> bool:
    """Published values of cells already published changed (or rows went away), method unchanged."""
    if not changes or changes.get("first_release") or changes.get("previous_release") is None:
        return False
    if (changes.get("method_version") or {}).get("changed"):
        return False
    tables = changes.get("tables") or {}
    return any(
        (tables.get(name) or {}).get("values_changed_count", 0) > 0 or (tables.get(name) or {}).get("rows_removed")
        for name in CORRECTED_TABLES
    )


def _history(data: bytes | None) -> list[dict[str, str]]:
    if not data:
        return []
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def read_release(folder: Path) -> Release:
    files = tuple(
        ReleaseFile(p.relative_to(folder).as_posix(), p.read_bytes())
        for p in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix())
        if p.is_file()
    )
    by_name = {f.name: f.data for f in files}
    own = [row for row in _history(by_name.get("releases.csv")) if row.get("release_id") == folder.name]
    row = own[-1] if own else {}
    changes = json.loads(by_name["changes.json"]) if "changes.json" in by_name else {}
    return Release(
        release_id=folder.name,
        created_at=row.get("created_at", ""),
        method_version=row.get("method_version", ""),
        data_status=row.get("data_status", ""),
        changelog=row.get("changelog", ""),
        changes=changes,
        files=files,
    )


def read_releases(root: Path) -> Releases:
    """Every release under ``root`` (publication/store.py's layout), oldest first."""
    found = {name: read_release(root / name) for name in list_releases(root)}
    current_id = current_release(root)
    current = found.get(current_id or "")
    order = [row["release_id"] for row in _history(current.file("releases.csv") if current else None)]
    position = {release_id: i for i, release_id in enumerate(order)}
    releases = tuple(
        sorted(found.values(), key=lambda r: (r.created_at, position.get(r.release_id, len(order)), r.release_id))
    )
    return Releases(releases, current_id if current_id in found else None)


def latest_names(release: Release) -> list[str]:
    """The fixed names under ``latest/``: the current release's file names (they carry no id)."""
    return [f.name for f in release.files]


def catalog(releases: Releases, base_url: str = "") -> dict[str, Any]:
    """The machine-readable list of every release, its files (size, sha256, media type), method
    version, data status and licence, and the stable ``latest/`` and sector paths."""
    current = releases.current
    entries = []
    for release in reversed(releases.releases):  # newest first
        entries.append(
            {
                "release_id": release.release_id,
                "created_at": release.created_at,
                "method_version": release.method_version,
                "data_status": release.data_status,
                "changelog": release.changelog,
                "correction": release.correction,
                "current": current is not None and release.release_id == current.release_id,
                "path": f"releases/{release.release_id}/",
                "files": [
                    {
                        "name": f.name,
                        "path": f"releases/{release.release_id}/{f.name}",
                        "bytes": f.size,
                        "sha256": f.sha256,
                        "media_type": media_type(f.name),
                    }
                    for f in release.files
                ],
            }
        )
    return {
        "name": "rapporteringsbyrdeindeksen",
        "title": "Rapporteringsbyrdeindeksen / Reporting Burden Index",
        "base_url": base_url,
        "updated": releases.newest_date,
        "licence": LICENCE,
        "current_release": current.release_id if current else None,
        "data_status": current.data_status if current else None,
        "latest": {
            "release_id": current.release_id if current else None,
            "files": [f"latest/{name}" for name in latest_names(current)] if current else [],
        },
        "releases": entries,
    }


def catalog_json(releases: Releases, sectors: Sequence[str] = (), base_url: str = "") -> bytes:
    document = catalog(releases, base_url)
    document["sectors"] = [f"sectors/{code}.html" for code in sectors]
    return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
