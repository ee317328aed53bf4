"""Files and folders that hold personal data: created owner/group-only, whatever the umask.

Everything under the raw area (inbox copies, ``received/``, ``quarantine/``, ``surveys/``, the
canonical ``records/``), the
warehouse file and its folder hold respondent-level answers; docs/surveys.md ("Privacy") prescribes that only the
owner and the operators' group may read them. Folders are made ``0o750`` (``rwxr-x---``), files
``0o640`` (``rw-r-----``) or stricter (accepted survey versions are ``0o440``). The mode is set
explicitly after creation, so a permissive umask (``0o000``) changes nothing.
"""

import os
import shutil
from pathlib import Path
from typing import BinaryIO

DIR_MODE = 0o750
FILE_MODE = 0o640
READ_ONLY_MODE = 0o440


def restricted_dir(path: Path, top: Path | None = None) -> Path:
    """Create ``path`` (and missing parents up to ``top``, if given) as ``0o750`` folders."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if top is not None and current == top:
            break
        current = current.parent
    path.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        os.chmod(folder, DIR_MODE)
    if path.is_dir() and not path.is_symlink():
        os.chmod(path, DIR_MODE)
    return path


def restrict_file(path: Path, mode: int = FILE_MODE) -> Path:
    os.chmod(path, mode)
    return path


def open_binary(path: Path, mode: int = FILE_MODE) -> BinaryIO:
    """A file opened for binary writing, created (or truncated) with ``mode`` from the start;
    call :func:`restrict_file` after closing it if it may have existed with another mode."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    return os.fdopen(descriptor, "wb")


def write_text(path: Path, text: str, mode: int = FILE_MODE) -> Path:
    """Write a text file created with ``mode`` from the start (no moment with wider permissions)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return restrict_file(path, mode)


def copy_file(source: Path, target: Path, mode: int = FILE_MODE) -> Path:
    """Copy bytes into a new file created with ``mode``."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with source.open("rb") as reader, os.fdopen(descriptor, "wb") as writer:
        shutil.copyfileobj(reader, writer, 1 << 20)
    return restrict_file(target, mode)


def restrict_tree(root: Path) -> None:
    """Folders ``0o750``, files ``0o640`` (read-only files stay read-only) under ``root``; symlinks
    are left alone (the inbox refuses them before anything moves)."""
    for folder, dirs, files in os.walk(root):
        os.chmod(folder, DIR_MODE)
        for name in files:
            path = Path(folder) / name
            if path.is_symlink():
                continue
            writable = path.stat().st_mode & 0o200
            os.chmod(path, FILE_MODE if writable else READ_ONLY_MODE)
        dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]


def restrict_warehouse(db_path: Path) -> None:
    """The warehouse folder ``0o750`` and the DuckDB file (and its write-ahead log) ``0o640``: it
    holds respondent-level rows. Call before and after opening it (DuckDB creates the file)."""
    restricted_dir(db_path.parent)
    for path in (db_path, db_path.with_name(db_path.name + ".wal")):
        if path.exists() and not path.is_symlink():
            os.chmod(path, FILE_MODE)
