"""Has SSB published new data? Compare each live catalogue table's ``updated`` with what was seen.

The baseline of a table is the last ``updated`` seen (a cursor ``{table_id: updated}``), else the
``updated`` recorded in its newest stored snapshot. Used by the sensor ``ssb_table_updates`` and
the schedule ``monthly_publication`` (orchestration/); plain Python, no Dagster.
"""

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sources import jsonstat
from sources.catalogue import CatalogueEntry
from sources.snapshots import SnapshotError, newest_snapshot, writable_store
from sources.ssb import SsbError
from storage.paths import Paths


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def stored_updated(entry: CatalogueEntry, roots: list[Path]) -> str | None:
    """``updated`` of the newest stored snapshot: its sidecar's ``table_updated``, else the payload's."""
    try:
        snapshot = newest_snapshot(roots, entry.source_id)
        if snapshot is None:
            return None
        if snapshot.sidecar.get("table_updated"):
            return str(snapshot.sidecar["table_updated"])
        return jsonstat.read(snapshot.read_bytes()).updated
    except (SnapshotError, jsonstat.JsonStatError):
        return None


@dataclass
class UpdateCheck:
    """What one evaluation found."""

    changed: list[CatalogueEntry] = field(default_factory=list)
    cursor: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def check_updates(
    entries: Iterable[CatalogueEntry],
    cursor: dict[str, str],
    table_updated: Callable[[CatalogueEntry], str],
    roots: list[Path],
) -> UpdateCheck:
    """Compare SSB's ``updated`` per table with the cursor (or the stored snapshot)."""
    result = UpdateCheck(cursor=dict(cursor))
    for entry in entries:
        if not entry.is_live:
            continue
        try:
            updated = table_updated(entry)
        except SsbError as exc:
            result.notes.append(f"{entry.source_id}: could not ask SSB ({exc})")
            continue
        baseline = cursor.get(entry.table_id) or stored_updated(entry, roots)
        new, old = _parse(updated), _parse(baseline)
        if old is None or (new is not None and new > old):
            result.changed.append(entry)
            result.notes.append(f"{entry.source_id}: table {entry.table_id} updated {updated} (had {baseline})")
        result.cursor[entry.table_id] = updated
    return result


def snapshot_roots(paths: Paths) -> list[Path]:
    roots = [paths.snapshots]
    with contextlib.suppress(SnapshotError):
        roots.append(writable_store(paths))
    return roots
