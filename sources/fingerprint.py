"""A fingerprint of the pipeline's inputs: one sha256 over the files a run reads.

The monthly publication schedule compares it with the fingerprint of the last successful run to
decide whether anything changed. Only file contents and their paths relative to each root count
(not modification times), so a fresh clone and a long-lived checkout agree.
"""

import hashlib
from collections.abc import Iterable
from pathlib import Path

from sources.snapshots import sha256_file

IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db"})
IGNORED_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints"})


def _files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    found = []
    for path in root.rglob("*"):
        if not path.is_file() or path.name in IGNORED_NAMES:
            continue
        if IGNORED_DIRS.intersection(path.relative_to(root).parts):
            continue
        found.append(path)
    return sorted(found)


def file_digests(roots: Iterable[tuple[str, Path]]) -> dict[str, str]:
    """``{"<label>/<relative path>": sha256}`` for every file under each labelled root.

    A missing root contributes nothing (e.g. the live snapshot store before the first fetch)."""
    digests: dict[str, str] = {}
    for label, root in roots:
        for path in _files(root):
            relative = path.name if root.is_file() else path.relative_to(root).as_posix()
            digests[f"{label}/{relative}"] = sha256_file(path)
    return dict(sorted(digests.items()))


def inputs_fingerprint(roots: Iterable[tuple[str, Path]]) -> str:
    """One sha256 over the sorted ``path sha256`` lines of every input file."""
    lines = "".join(f"{name}\t{digest}\n" for name, digest in file_digests(roots).items())
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()
