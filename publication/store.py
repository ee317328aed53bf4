"""The release store: immutable release folders and an atomically moved ``latest`` pointer.

A release is written aside (``.partial-<id>``) and renamed into place, then ``latest`` (a relative
symlink) and ``LATEST`` (a text file, for systems without symlinks) are replaced with
``os.replace``. A crash at any moment leaves the previous release or the new one current, both
complete. A release folder is never changed once written.

Files whose bytes are not reproducible (the analyst DuckDB file) are written by ``writers`` into the
same staging folder, so they move in with the rest, but they are left out of the comparison that
decides whether an existing release has the same content.
"""

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from storage.atomic import fsync_dir, move_into_place, new_staging, replace_symlink, write_atomic, write_synced

LATEST_LINK = "latest"
LATEST_FILE = "LATEST"


def _checkpoint(step: str) -> None:
    """Called after each step of a publication; tests replace it to crash the process there."""


Writer = Callable[[Path], None]


class ReleaseConflict(RuntimeError):
    """A release with this id exists with other content; releases are immutable."""


@dataclass(frozen=True)
class PublishOutcome:
    release_id: str
    path: Path
    status: str  # 'published' | 'unchanged'


def current_release(root: Path) -> str | None:
    """The id of the current release, or None before the first one."""
    pointer = root / LATEST_FILE
    if pointer.exists():
        value = pointer.read_text(encoding="utf-8").strip()
        return value or None
    return None


def list_releases(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != LATEST_LINK)


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in sorted(files.items()):
        write_synced(folder / name, data)
        _checkpoint(f"wrote {name}")


def _differences(folder: Path, files: dict[str, bytes], volatile: set[str]) -> list[str]:
    """The files of ``folder`` that differ from ``files``: changed, missing or extra (sorted)."""
    existing = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    wanted = set(files) | volatile
    differing = sorted(existing ^ wanted)
    differing += sorted(n for n in files if n in existing and (folder / n).read_bytes() != files[n])
    return differing


def point_latest(root: Path, release_id: str) -> None:
    """Move the ``latest`` symlink and the ``LATEST`` file to ``release_id``, each atomically (storage/atomic.py)."""
    replace_symlink(root / LATEST_LINK, release_id)
    _checkpoint("moved latest")
    write_atomic(root / LATEST_FILE, (release_id + "\n").encode("utf-8"))


def publish(
    root: Path, release_id: str, files: dict[str, bytes], writers: Mapping[str, Writer] | None = None
) -> PublishOutcome:
    """Write ``files`` (name -> bytes) and the files of ``writers`` (name -> function writing that
    path) as release ``release_id`` and make it current."""
    writers = dict(writers or {})
    root.mkdir(parents=True, exist_ok=True)
    target = root / release_id
    if target.exists():
        differing = _differences(target, files, set(writers))
        if differing:
            shown = ", ".join(differing[:8]) + (f" and {len(differing) - 8} more" if len(differing) > 8 else "")
            raise ReleaseConflict(
                f"{target}: release {release_id} is already published with other content ({shown}). Releases "
                "are immutable, and the id covers the inputs, the method version and the presentation code "
                "(publication/identity.py), so the computation of the numbers changed without a "
                "method version bump. Bump the method version (dbt var method_version, with its seed rows), "
                "or publish into another output directory (RBI_OUTPUT_DIR)."
            )
        if current_release(root) != release_id:
            point_latest(root, release_id)
        return PublishOutcome(release_id, target, "unchanged")
    staging = new_staging(root / f".partial-{release_id}")  # a leftover of an interrupted attempt is removed
    _write_files(staging, files)
    for name, write in sorted(writers.items()):
        write(staging / name)
        _checkpoint(f"wrote {name}")
    fsync_dir(staging)
    _checkpoint("staged")
    move_into_place(staging, target)
    _checkpoint("renamed")
    point_latest(root, release_id)
    return PublishOutcome(release_id, target, "published")


def previous_release_table(releases_root: Path, table: str) -> list[dict[str, str]]:
    """The rows of ``table`` in the current (previous) release ([] before the first one or when the
    table is new)."""
    current = current_release(releases_root)
    path = releases_root / current / f"{table}.csv" if current else None
    if path is None or not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def previous_release_rows(releases_root: Path, table: str) -> tuple[int, frozenset[int] | None] | None:
    """Rows of ``table`` in the current (previous) release and the years they cover (None when the
    table has no year column); None before the first release or when the table is new."""
    current = current_release(releases_root)
    if current is None:
        return None
    path = releases_root / current / f"{table}.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "year" in rows[0]:
        return len(rows), frozenset(int(row["year"]) for row in rows if row["year"])
    return len(rows), None
