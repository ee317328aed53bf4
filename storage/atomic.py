"""Atomic writes, one way for every store: write aside, fsync, rename into place, fsync the folder.

A reader (or the next run after a crash) sees the old file or folder or the new one, complete,
never a half-written one; after the final fsync of the folder the rename survives a power cut too.
Aside means in the same folder (a rename is atomic only within one file system), under a name that
starts with ``.`` or ends with ``.partial``, which the stores' listings skip.

Used by the release store (publication/store.py) and the snapshot store (sources/snapshots.py).
"""

import os
import shutil
from collections.abc import Mapping
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make the entries of folder ``path`` (a rename, a new file) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_synced(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and fsync it; for a file inside a staging folder, which is itself
    moved into place with :func:`move_into_place`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_atomic(path: Path, data: bytes) -> None:
    """Replace (or create) the file ``path`` with ``data`` atomically and durably."""
    aside = path.with_name(f".{path.name}.partial")
    write_synced(aside, data)
    os.replace(aside, path)
    fsync_dir(path.parent)


def replace_symlink(link: Path, target: str) -> None:
    """Point the symbolic link ``link`` at ``target`` (relative or absolute) atomically and durably."""
    aside = link.with_name(f".{link.name}.tmp")
    if aside.is_symlink() or aside.exists():
        aside.unlink()
    aside.symlink_to(target, target_is_directory=True)
    os.replace(aside, link)
    fsync_dir(link.parent)


def new_staging(staging: Path) -> Path:
    """An empty staging folder at ``staging``; one left by an interrupted attempt (never moved into
    place, so never read by anyone) is removed first."""
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def move_into_place(staging: Path, target: Path) -> None:
    """Rename the complete ``staging`` folder to ``target`` (which must not exist), durably: the
    staging folder's entries are synced first, the parent's after the rename."""
    fsync_dir(staging)
    os.rename(staging, target)
    fsync_dir(target.parent)


def write_folder(target: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` (relative name -> bytes) as the new folder ``target``, all or nothing: in
    ``<target>.partial`` first, each file fsynced, then renamed into place."""
    staging = new_staging(target.with_name(f"{target.name}.partial"))
    for name, data in files.items():
        write_synced(staging / name, data)
    move_into_place(staging, target)
