"""A one-step job whose step takes a slot of the `duckdb_warehouse` pool and then sleeps, so a test
can kill its process inside the step (tests/orchestration/test_run_reaper.py)."""

import os
import sys
import time
from pathlib import Path

from dagster import (
    DagsterInstance,
    Definitions,
    asset,
    define_asset_job,
    execute_job,
    in_process_executor,
    reconstructable,
)

from orchestration.runs.run_reaper import process_tags


@asset(pool="duckdb_warehouse")
def sleepy() -> None:
    Path(os.environ["SLEEPY_MARKER"]).write_text("sleeping")
    time.sleep(600)


defs = Definitions(assets=[sleepy], jobs=[define_asset_job("sleepy_job")], executor=in_process_executor)


def sleepy_job():
    return defs.resolve_job_def("sleepy_job")


if __name__ == "__main__":
    tags = process_tags(os.getpid(), sys.argv[2]) if sys.argv[1] == "tagged" else {}
    with DagsterInstance.get() as instance:
        execute_job(reconstructable(sleepy_job), instance=instance, tags=tags)
