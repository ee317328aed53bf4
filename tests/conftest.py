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
