"""Runs the pipeline the way `make run` does, in a subprocess, on given inputs and output dirs."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DAGSTER = Path(sys.executable).with_name("dagster")


def run_pipeline(inputs: Path, output: Path) -> subprocess.CompletedProcess:
    """`make run`'s command, in a subprocess, on other inputs and output directories."""
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
    return subprocess.run(
        [str(DAGSTER), "job", "execute", "-m", "orchestration.definitions", "-j", "publish_all"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
