"""The run guard: every run holds its output directory for its whole length.

``RunGuard`` is a resource every asset and gate check asks for. With the in-process executor a run
initialises its resources once, before its first step, and tears them down after its last, so the
guard brackets the whole run, whatever launched it (``make run``, the UI, a sensor or the schedule
through the daemon). At the start it:

1. takes the output directory's run lock (``orchestration/runs/run_lock.py``) or fails the run at once
   naming the holder (a ``make run`` takes the lock before the run exists; its guard finds it held
   by its own process);
2. tags the run with its process (``rbi/pid``, ``rbi/host``, ``rbi/pid_start``, ``rbi/output_dir``);
3. marks this instance's dead runs failed and frees their pool slots (``orchestration/runs/run_reaper.py``);
4. removes what interrupted runs left (``orchestration/runs/stale_files.py``).
The lock is released when the run ends, or by the kernel when its process dies.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import ConfigurableResource, Failure, InitResourceContext, SkipReason

from orchestration.runs import run_lock
from orchestration.runs.run_reaper import process_tags, reap_dead_runs
from orchestration.runs.stale_files import clean_stale_files
from storage.paths import Paths


class RunGuard(ConfigurableResource):
    """Holds the output directory for the whole run; see the module docstring. ``output_dir`` empty
    (the default) = ``RBI_OUTPUT_DIR``, as for ``PipelinePaths``."""

    output_dir: str = ""

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["RunGuard"]:
        paths = Paths.from_env(output=self.output_dir or None)
        output = paths.output
        log = context.log.info if context.log else print
        own = run_lock.held_here(output)
        try:
            lock = run_lock.acquire(output, context.run_id or "", "dagster run")
        except run_lock.RunLockHeld as exc:
            raise Failure(description=str(exc)) from exc
        try:
            if context.run_id:
                lock.set_run_id(context.run_id)
            instance = context.instance
            if instance is not None and context.run_id:
                tags = context.dagster_run.tags if context.dagster_run else {}
                if "rbi/pid" not in tags:
                    instance.add_run_tags(context.run_id, process_tags(os.getpid(), str(output)))
                reap_dead_runs(instance, str(output), True, log, exclude_run_id=context.run_id)
            clean_stale_files(paths, log)
            yield self
        finally:
            if own is None:
                lock.release()


def busy_skip_reason(paths: Paths) -> SkipReason | None:
    """For sensors and the schedule: a SkipReason while a run holds the output directory."""
    holder = run_lock.busy(paths.output)
    if holder is None:
        return None
    return SkipReason(
        f"output directory {paths.output} is in use by {holder.describe()}; nothing requested, "
        "the next evaluation tries again"
    )
