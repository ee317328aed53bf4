"""Session setup: the dbt manifest must exist before orchestration.definitions is imported
(`make` prepares it with `dbt parse`; this covers a bare `pytest` run too)."""

import os
import subprocess
import sys
from pathlib import Path

from storage.paths import Paths

REPO = Path(__file__).resolve().parents[1]
DBT_DIR = REPO / "dbt_project"


def _newest_dbt_source() -> float:
    files = [p for folder in ("models", "seeds", "macros") for p in (DBT_DIR / folder).rglob("*") if p.is_file()]
    files += [DBT_DIR / "dbt_project.yml", DBT_DIR / "profiles.yml"]
    return max(p.stat().st_mtime for p in files)


def pytest_sessionstart(session) -> None:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    if hasattr(session.config, "workerinput"):  # a pytest-xdist worker: the controller parsed already
        return
    manifest = DBT_DIR / "target" / "manifest.json"
    vars_ = Paths.from_env().dbt_vars()
    if manifest.exists() and manifest.stat().st_mtime >= _newest_dbt_source():
        return
    subprocess.run(
        # the --vars the Makefile and the Dagster asset pass (dbt's partial parsing stays valid)
        [str(Path(sys.executable).with_name("dbt")), "parse", "--quiet", "--profiles-dir", ".", "--vars", vars_],
        cwd=DBT_DIR,
        check=True,
    )


def _declared_length(item) -> float:
    """What a test declares about its length: its timeout (pytest-timeout's default 1,200 s unless a
    test says more, as the ones with several pipeline runs do) if it runs the pipeline (`e2e`), else 0."""
    if item.get_closest_marker("e2e") is None:
        return 0.0
    marker = item.get_closest_marker("timeout")
    return float(marker.args[0]) if marker and marker.args else 1200.0


def pytest_collection_modifyitems(session, config, items) -> None:
    """The longest files first: pytest-xdist (`--dist loadfile`) hands out files in collection order,
    so a long end-to-end story started last would run alone at the end while the other worker idles.
    Files are ordered by the longest declared length of their tests (stable: otherwise as collected)."""
    length: dict[str, float] = {}
    for item in items:
        path = str(item.path)
        length[path] = max(length.get(path, 0.0), _declared_length(item))
    items.sort(key=lambda item: -length[str(item.path)])
