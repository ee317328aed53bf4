"""The release files: the gated marts -> ``releases/<release_id>/``, published (the first step of
the Dagster asset ``csv_release``; the next two record the release in the revision store and give
the analysts its published schema).

Reads ``marts.release_info`` and every published mart (read-only), builds every file of the
release (``build.py``) and publishes the folder through the release store (``store.py``): ``latest``
moves only once the whole folder is in place. The same release again is ``unchanged``; another
content under an existing id raises :class:`publication.store.ReleaseConflict`.
"""

from dataclasses import dataclass

from publication.build import ReleaseContent, build_release
from publication.contracts import PUBLISHED_TABLES
from publication.diff import RevisionUpgrade
from publication.identity import with_presentation
from publication.marts import read_relation
from publication.release_info import ReleaseInfo, release_info
from publication.store import PublishOutcome, current_release, publish
from storage.paths import METHODOLOGY, Paths


@dataclass(frozen=True)
class WrittenRelease:
    info: ReleaseInfo  # with the presentation revision in its id
    content: ReleaseContent
    outcome: PublishOutcome


def write_release_files(paths: Paths, upgrade: RevisionUpgrade | None = None) -> WrittenRelease:
    """Build this warehouse's release and publish it under ``paths.releases``; ``upgrade``: the
    cells held because a method 1.1 revision store was carried over (its changelog says so)."""
    warehouse = paths.warehouse
    info = with_presentation(release_info(read_relation(warehouse, "marts.release_info")[0]))
    rows = {table.name: read_relation(warehouse, table.mart) for table in PUBLISHED_TABLES}
    releases_root = paths.releases
    current = current_release(releases_root)
    content = build_release(
        info,
        [(t.name, t.columns) for t in PUBLISHED_TABLES],
        rows,
        releases_root / current if current else None,
        METHODOLOGY.read_bytes(),
        upgrade,
    )
    outcome = publish(releases_root, info.release_id, content.files, content.writers)
    return WrittenRelease(info, content, outcome)
