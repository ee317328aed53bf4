"""Runs the pipeline the way `make run` does, in a subprocess, on given inputs and output dirs."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DAGSTER = Path(sys.executable).with_name("dagster")


def _environment(inputs: Path, output: Path) -> dict[str, str]:
    home = output / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "RBI_INPUTS_DIR": str(inputs),
        "RBI_OUTPUT_DIR": str(output),
        "DAGSTER_HOME": str(home),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "GX_ANALYTICS_ENABLED": "False",
        "PYTHONPATH": str(REPO),
        "PATH": f"{DAGSTER.parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for name in ("RBI_INBOX_DIR", "RBI_RAW_DIR"):
        env.pop(name, None)
    return env


def run_pipeline(inputs: Path, output: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`make run`'s command, in a subprocess, on other inputs and output directories."""
    return subprocess.run(
        [sys.executable, "-m", "orchestration.run", "publish_all"],
        cwd=REPO,
        env={**_environment(inputs, output), **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def run_inbox_sensor(inputs: Path, output: Path) -> subprocess.CompletedProcess:
    """One evaluation of the survey inbox sensor and the runs it requests (tests/e2e/inbox_cycle.py)."""
    return subprocess.run(
        [sys.executable, "-m", "tests.e2e.inbox_cycle"],
        cwd=REPO,
        env=_environment(inputs, output),
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def run_command(inputs: Path, output: Path, *args: str) -> subprocess.CompletedProcess:
    """``python <args>`` (e.g. ``-m sources.surveys erase ...``) with the pipeline's environment."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=_environment(inputs, output),
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
