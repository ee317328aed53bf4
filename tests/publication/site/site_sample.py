"""A releases folder with two releases made by the real release builder from the sample rows: r1, then r2
a month later that corrects a published 2024 value of NAV (same method: a correction)."""

from dataclasses import replace
from pathlib import Path

from publication.build import build_release
from publication.store import publish
from tests.publication import release_sample as sample

METHODOLOGY = b"# Methodology\n"
FIRST, SECOND = "demo-rbi-1.0-20260101-aaaa-p000001", "demo-rbi-1.0-20260201-bbbb-p000001"


def make_releases(root: Path, data_status: str = "demonstration", with_db: bool = True) -> Path:
    """Publish FIRST and SECOND under ``root`` (publication/store.py), SECOND current."""
    current = None
    for release_id, date, nav_2024 in ((FIRST, "2026-01-01", None), (SECOND, "2026-02-01", 60.0)):
        info = replace(sample.info(release_id, data_status), created_at=date)
        rows = sample.rows(release_id)
        if nav_2024 is not None:
            rows["index_sector_year"][0]["index"] = nav_2024
        content = build_release(info, sample.TABLES, rows, current, METHODOLOGY)
        publish(root, release_id, content.files, content.writers if with_db else None)
        current = root / release_id
    return root
