"""Clean what interrupted runs leave behind, at the start of a run that holds the output lock:
half-written release folders (``releases/.partial-<id>``, the temporary ``latest`` pointers) and dbt
artefacts (one folder per dbt invocation, ~7 MB each: the newest few are kept)."""

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from storage.paths import REPO_ROOT, Paths

KEEP_DBT_INVOCATIONS = 3
LEGACY_MIN_AGE_SECONDS = 3600  # dagster-dbt's default per-invocation folders under dbt_project/target


def remove_partial_releases(releases: Path) -> list[str]:
    """Remove ``.partial-*`` folders and ``.latest.tmp``/``.LATEST.tmp``: never a published release
    (publication renames a complete folder into place, then moves the pointers)."""
    removed = []
    if not releases.is_dir():
        return removed
    for path in sorted(releases.iterdir()):
        if path.name.startswith(".partial-") and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.name in (".latest.tmp", ".LATEST.tmp") and (path.is_symlink() or path.is_file()):
            path.unlink()
        else:
            continue
        removed.append(path.name)
    return removed


def _newest_mtime(folder: Path) -> float:
    times = [p.stat().st_mtime for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return max(times, default=folder.stat().st_mtime)


def bound_dbt_targets(target_root: Path, keep: int = KEEP_DBT_INVOCATIONS) -> list[str]:
    """Keep the ``keep`` newest invocation folders under ``target_root`` (this output directory's,
    so no other run uses them while the lock is held); remove the rest."""
    if not target_root.is_dir():
        return []
    folders = sorted((p for p in target_root.iterdir() if p.is_dir()), key=_newest_mtime, reverse=True)
    for folder in folders[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
    return [p.name for p in folders[keep:]]


def remove_legacy_dbt_targets(project_target: Path, min_age: float = LEGACY_MIN_AGE_SECONDS) -> list[str]:
    """Per-invocation folders that dagster-dbt wrote under ``dbt_project/target`` before runs got
    their own target folder (``<op>-<run>-<uuid>``), once untouched for an hour (another output
    directory's run might still use a recent one)."""
    if not project_target.is_dir():
        return []
    removed = []
    for folder in project_target.iterdir():
        if folder.is_dir() and folder.name.count("-") >= 2 and time.time() - _newest_mtime(folder) > min_age:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return sorted(removed)


def clean_stale_files(paths: Paths, log: Callable[[str], None]) -> None:
    """Everything above, for the run that holds the output directory's lock; one log line per kind removed."""
    partial = remove_partial_releases(paths.releases)
    if partial:
        log(f"removed what an interrupted publication left: {', '.join(partial)} (never a published release)")
    old = bound_dbt_targets(paths.dbt_target)
    legacy = remove_legacy_dbt_targets(REPO_ROOT / "dbt_project" / "target")
    if old or legacy:
        log(f"removed {len(old) + len(legacy)} old dbt artefact folder(s) (kept the newest {KEEP_DBT_INVOCATIONS})")
