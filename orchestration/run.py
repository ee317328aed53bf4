"""``make run``: run a job of the pipeline once, holding the output directory for the whole run.

    python -m orchestration.run [JOB] [-c RUN_CONFIG.yaml]

Takes the output directory's run lock first: if another run holds it, says who and since when and
exits with status 75 at once. Then marks this instance's dead runs failed (freeing their pool slots)
and executes the job in this process with Dagster's ``execute_job`` (console logs as configured in
the run config), tagged with this process. Exit status 0 when the run succeeded, 1 when it failed.
"""

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from orchestration.runs import run_lock
from storage.paths import REPO_ROOT, Paths

EXIT_BUSY = 75  # EX_TEMPFAIL: try again later
INSTANCE_TEMPLATE = REPO_ROOT / "orchestration" / "dagster.yaml"


def publish_all() -> Any:
    """The job ``publish_all`` (a module-level function, so ``reconstructable`` can find it)."""
    from orchestration.definitions import defs

    return defs.resolve_job_def("publish_all")


JOBS = {"publish_all": publish_all}


def _say(line: str) -> None:
    print(f"[run guard] {line}", file=sys.stderr, flush=True)


def _instance(paths: Paths) -> Any:
    """The Dagster instance of ``Paths.dagster_home`` (DAGSTER_HOME, default ``<output>/dagster_home``,
    set up as `make` does), opened from its folder (the environment is left as it is)."""
    home = paths.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(INSTANCE_TEMPLATE, home / "dagster.yaml")
    from dagster import DagsterInstance

    return DagsterInstance.from_config(str(home))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.run", description=__doc__.splitlines()[0])
    parser.add_argument("job", nargs="?", default="publish_all", choices=sorted(JOBS))
    parser.add_argument("-c", "--config", type=Path, help="run config YAML")
    args = parser.parse_args(argv)
    paths = Paths.from_env()
    output = paths.output
    try:
        lock = run_lock.acquire(output, command=f"python -m orchestration.run {args.job}")
    except run_lock.RunLockHeld as exc:
        _say(str(exc))
        return EXIT_BUSY
    # Dagster is imported once the lock is held: a refused run answers at once
    from dagster import execute_job, reconstructable

    from orchestration.runs.run_reaper import process_tags, reap_dead_runs

    try:
        run_config = yaml.safe_load(args.config.read_text(encoding="utf-8")) if args.config else {}
        with _instance(paths) as instance:
            reap_dead_runs(instance, str(output), True, _say)
            result = execute_job(
                reconstructable(JOBS[args.job]),
                instance=instance,
                run_config=run_config or {},
                tags=process_tags(os.getpid(), str(output)),
                raise_on_error=False,
            )
            if result.success:
                _say(f"run {result.run_id} succeeded")
                return 0
            failed = [e.step_key for e in result.get_step_failure_events() if e.step_key]
            where = f" in step(s) {', '.join(failed)}" if failed else ""
            _say(f"run {result.run_id} FAILED{where}; the messages above say why. Nothing else was published.")
            return 1
    finally:
        lock.release()


if __name__ == "__main__":
    sys.exit(main())
