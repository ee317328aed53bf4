"""Runs the pipeline the way `make run` does, in a process of its own, on given inputs and output dirs.

The process is forked from an interpreter that has imported the pipeline once (tests/preloaded/:
~7 s of CPU less per run, the same command, environment and exit); ``plain=True`` (the session's
shared first run of the tiny inputs, tests/e2e/shared_runs.py, the reference every other run's
release is compared with) starts ``make run``'s command as a plain subprocess. The dbt of a forked
run is forked too, from a listener that imported dbt and built once (tests/preloaded/dbt.py); the
crash stories (tests/e2e/crash_harness.py) keep a real `rbi-dbt` subprocess in the run's process
group, which their stop and kill reach at once.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests import preloaded
from tests.preloaded import dbt as preloaded_dbt

REPO = Path(__file__).resolve().parents[2]
DAGSTER = Path(sys.executable).with_name("dagster")
TIMEOUT = 1200  # a hang, not slowness: a tiny run takes about a minute on a quiet 2-core machine


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


def run_pipeline(
    inputs: Path, output: Path, extra_env: dict[str, str] | None = None, plain: bool = False
) -> subprocess.CompletedProcess:
    """`make run`'s command (``python -m orchestration.run publish_all``) on other inputs and output
    directories; ``plain``: in a plain subprocess rather than forked from the preloaded interpreter."""
    env = {**_environment(inputs, output), **(extra_env or {})}
    if plain:
        command = [sys.executable, "-m", "orchestration.run", "publish_all"]
        return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    env = {**env, **preloaded_dbt.environment()}
    return preloaded.run("orchestration.run", ["publish_all"], env=env, cwd=REPO, timeout=TIMEOUT)


def run_inbox_sensor(inputs: Path, output: Path) -> subprocess.CompletedProcess:
    """One evaluation of the survey inbox sensor and the runs it requests (tests/e2e/inbox_cycle.py)."""
    env = {**_environment(inputs, output), **preloaded_dbt.environment()}
    return preloaded.run("tests.e2e.inbox_cycle", [], env=env, cwd=REPO, timeout=TIMEOUT)


def run_command(inputs: Path, output: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m <module> <args>`` (e.g. ``-m sources.surveys erase ...``) with the pipeline's environment."""
    if args[:1] != ("-m",) or len(args) < 2:
        raise ValueError(f"run_command runs a module: -m <module> <args>, not {args}")
    return preloaded.run(args[1], list(args[2:]), env=_environment(inputs, output), cwd=REPO, timeout=TIMEOUT)
