"""Dead runs never block: find this instance's runs whose process is gone, mark them failed and free
the pool slots they held.

A run killed with SIGKILL, an out-of-memory kill or a reboot stays STARTED in the Dagster instance
and keeps its slot of the one-slot ``duckdb_warehouse`` pool, so every later run would wait forever
(and the daemon's queue, with ``max_concurrent_runs: 1``, would never start another run). Dagster's
run monitoring cannot see this with the default run launcher (it has no worker health check), so
every run start (``orchestration/runs/run_guard.py``) and the sensor ``dead_run_reaper`` call
:func:`reap_dead_runs`.

How a run's process is known: runs started by ``python -m orchestration.run`` and every run's guard
tag the run with ``rbi/pid``, ``rbi/host`` and ``rbi/pid_start``; runs launched by the daemon or the
UI also have the launcher's engine event "Started process for run (pid: N)". A run whose process is
not alive on this host is dead. A STARTED run with no process recorded is dead only when the caller
holds the output directory's run lock (every live run holds it). Public Dagster APIs only.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunRecord, RunsFilter

from orchestration.runs import processes

TAG_PID = "rbi/pid"
TAG_HOST = "rbi/host"
TAG_PID_START = "rbi/pid_start"
TAG_OUTPUT = "rbi/output_dir"
ACTIVE = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]
STARTING_GRACE_SECONDS = 300  # a launched run that never started (Dagster's own default is 180 s)
_PID_MESSAGE = re.compile(r"Started process for run \(pid: (\d+)\)")
_STEP_END = {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE, DagsterEventType.STEP_SKIPPED}


@dataclass(frozen=True)
class ReapedRun:
    run_id: str
    job_name: str
    status: str  # the status it was stuck in
    reason: str
    steps: tuple[str, ...]  # the step(s) it died in
    slots: tuple[str, ...]  # "pool:step" of the concurrency slots freed

    def line(self) -> str:
        where = f"it died in step {', '.join(self.steps)}" if self.steps else "it died before or between steps"
        freed = f"freed {len(self.slots)} pool slot(s): {', '.join(self.slots)}" if self.slots else "no pool slot held"
        return f"dead run {self.run_id} ({self.job_name}, {self.status}) marked FAILED: {self.reason}; {where}; {freed}"


def process_tags(pid: int, output: str) -> dict[str, str]:
    """Tags that record which process runs a run (set at creation or by the run guard)."""
    ticks = processes.start_ticks(pid)
    tags = {TAG_PID: str(pid), TAG_HOST: processes.HOST, TAG_OUTPUT: output}
    if ticks is not None:
        tags[TAG_PID_START] = str(ticks)
    return tags


def _launcher_pid(instance: DagsterInstance, run_id: str) -> int | None:
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.ENGINE_EVENT, limit=100).records
    for record in records:
        found = _PID_MESSAGE.search(record.event_log_entry.message or "")
        if found:
            return int(found.group(1))
    return None


def why_dead(instance: DagsterInstance, record: RunRecord, holding_lock: bool, output: str) -> str | None:
    """Why the run of ``record`` is dead, or None when it may be alive (or cannot be told from here)."""
    run = record.dagster_run
    tags = run.tags
    if TAG_PID in tags:
        pid, ticks = int(tags[TAG_PID]), tags.get(TAG_PID_START)
        if tags.get(TAG_HOST, processes.HOST) != processes.HOST:
            return None  # another machine's process: not ours to judge
        if not processes.alive(pid, int(ticks) if ticks else None):
            return f"its process {pid} on {processes.HOST} is gone"
        return None
    pid = _launcher_pid(instance, run.run_id)
    if pid is not None:
        started = processes.started_at(pid)
        later = started is not None and record.start_time is not None and started > record.start_time + 2
        if not processes.alive(pid) or later:  # gone, or the pid now belongs to a younger process
            return f"its process {pid} on {processes.HOST} is gone"
        return None
    if tags.get(TAG_OUTPUT, output) != output:
        return None
    age = time.time() - record.create_timestamp.timestamp()
    if run.status == DagsterRunStatus.STARTING and age > STARTING_GRACE_SECONDS:
        return f"it never started ({int(age)} s in STARTING, no process recorded)"
    if run.status != DagsterRunStatus.STARTING and holding_lock:
        return "no live process recorded for it, and every live run holds the output directory's run lock"
    return None


def _open_steps(instance: DagsterInstance, run_id: str) -> tuple[str, ...]:
    kinds = {DagsterEventType.STEP_START, *_STEP_END}
    started: dict[str, None] = {}
    for record in instance.get_records_for_run(run_id, of_type=kinds).records:
        entry = record.event_log_entry
        if entry.step_key is None:
            continue
        if entry.dagster_event_type == DagsterEventType.STEP_START:
            started[entry.step_key] = None
        else:
            started.pop(entry.step_key, None)
    return tuple(started)


def _free_slots(instance: DagsterInstance, run_id: str) -> tuple[str, ...]:
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return ()
    held = []
    for key in sorted(storage.get_concurrency_keys()):
        info = storage.get_concurrency_info(key)
        claimed = [slot.step_key for slot in info.claimed_slots if slot.run_id == run_id]
        waiting = [s.step_key for s in info.pending_steps if s.run_id == run_id and s.step_key not in claimed]
        held += [f"{key}:{step}" for step in claimed] + [f"{key}:{step} (waiting)" for step in waiting]
    storage.free_concurrency_slots_for_run(run_id)
    return tuple(held)


def reap_dead_runs(
    instance: DagsterInstance,
    output: str,
    holding_lock: bool,
    log: Callable[[str], None],
    exclude_run_id: str | None = None,
) -> list[ReapedRun]:
    """Mark every dead STARTING/STARTED/CANCELING run of ``instance`` failed, free its pool slots, and
    log one line per run. QUEUED runs are left alone: they have no process yet, the daemon's queue
    starts them."""
    reaped = []
    for record in instance.get_run_records(filters=RunsFilter(statuses=ACTIVE)):
        run = record.dagster_run
        if run.run_id == exclude_run_id:
            continue
        reason = why_dead(instance, record, holding_lock, output)
        if reason is None:
            continue
        steps = _open_steps(instance, run.run_id)
        instance.report_run_failed(run, f"Marked failed by the RBI run guard: {reason}.")
        slots = _free_slots(instance, run.run_id)
        outcome = ReapedRun(run.run_id, run.job_name, run.status.value, reason, steps, slots)
        log(outcome.line())
        reaped.append(outcome)
    # slots still claimed by runs that have ended (a run failed by hand, say) block the pool too
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        for run_id in sorted(storage.get_concurrency_run_ids() - {exclude_run_id}):
            finished = instance.get_run_by_id(run_id)
            if finished is None or finished.is_finished:
                slots = _free_slots(instance, run_id)
                if slots:
                    log(f"run {run_id} has ended but still held pool slot(s) {', '.join(slots)}: freed")
    return reaped
