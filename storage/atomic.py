"""Atomic writes, one way for every store: write aside, fsync, rename into place, fsync the folder.

A reader (or the next run after a crash) sees the old file or folder or the new one, complete,
never a half-written one; after the final fsync of the folder the rename survives a power cut too.
Aside means in the same folder (a rename is atomic only within one file system), under a name that
starts with ``.`` or ends with ``.partial``, which the stores' listings skip.

Used by every store that replaces what it keeps: the release store (publication/store.py), the
snapshot store (sources/snapshots.py), the survey store and the canonical records (sources/surveys/),
the revision store (revisions/store.py), the build state (orchestration/warehouse/build_state.py),
the analyst DuckDB file (publication/analyst_db.py) and the pseudonym secret (sources/pseudonyms.py).
A file that another library writes (DuckDB, Parquet) is written aside by it and moved in with
:func:`replace_file`. Append-only logs (the erasure log) and the run lock are written in place.
"""

import os
import shutil
from collections.abc import Mapping
from pathlib import Path


def fsync_path(path: Path) -> None:
    """Flush a file's content, or a folder's entries (a rename, a new file), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


fsync_dir = fsync_path  # the name the folder callers read best


def fsync_files(folder: Path) -> None:
    """Flush every regular file of ``folder`` (not its subfolders, not symbolic links) to disk."""
    for path in folder.iterdir():
        if path.is_file() and not path.is_symlink():
            fsync_path(path)


def write_synced(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` and fsync it; for a file inside a staging folder, which is itself
    moved into place with :func:`move_into_place`. With ``mode`` the file is created with it (and
    set to it), never wider for a moment (files holding personal data: storage/restricted.py)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666 if mode is None else mode)
    with os.fdopen(fd, "wb") as handle:
        if mode is not None:
            os.fchmod(handle.fileno(), mode)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def replace_file(aside: Path, path: Path) -> None:
    """Move the complete file ``aside`` (written beside ``path`` by the caller, e.g. DuckDB or a
    Parquet writer) onto ``path`` durably: its content is synced first, the folder after the rename."""
    fsync_path(aside)
    os.replace(aside, path)
    fsync_dir(path.parent)


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace (or create) the file ``path`` with ``data`` atomically and durably (``mode``: as
    :func:`write_synced`)."""
    aside = path.with_name(f".{path.name}.partial")
    write_synced(aside, data, mode)
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
