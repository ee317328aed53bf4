"""One run at a time per output directory: the lock names its holder, is freed by the kernel when
the holder dies, and makes the sensors and the schedule skip."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import SkipReason, build_schedule_context, build_sensor_context, instance_for_test

from orchestration.publication.schedules import monthly_publication
from orchestration.resources import PipelinePaths
from orchestration.runs import run_lock
from orchestration.runs.run_guard import busy_skip_reason
from orchestration.surveys.survey_inbox_sensor import survey_inbox
from storage.paths import Paths

REPO = Path(__file__).resolve().parents[2]
HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from orchestration.runs import run_lock\n"
    "run_lock.acquire(Path(sys.argv[1]), run_id='run-abc', command='test holder')\n"
    "print('held', flush=True)\n"
    "time.sleep(600)\n"
)


@pytest.fixture
def holder(tmp_path: Path):
    """A process holding the lock of ``tmp_path / 'output'``."""
    output = tmp_path / "output"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(output)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    yield output, process
    process.kill()
    process.wait()


def test_a_second_run_is_told_who_holds_the_output_and_since_when(holder) -> None:
    output, process = holder
    with pytest.raises(run_lock.RunLockHeld) as caught:
        run_lock.acquire(output)
    message = str(caught.value)
    assert f"process {process.pid}" in message and "run run-abc (test holder)" in message
    assert "since 20" in message and "this run did nothing" in message
    assert run_lock.busy(output).pid == process.pid


def test_the_lock_of_a_killed_holder_is_free_at_once(holder) -> None:
    output, process = holder
    process.send_signal(signal.SIGKILL)
    process.wait()
    lock = run_lock.acquire(output, run_id="next")
    try:
        assert run_lock.busy(output) is None  # held by this process, not busy for it
        assert run_lock.acquire(output) is lock  # asking again in the same process
        assert run_lock.read_holder(output).run_id == "next"
    finally:
        lock.release()
    assert run_lock.held_here(output) is None


def test_sensors_and_the_schedule_skip_while_a_run_holds_the_output(holder) -> None:
    output, process = holder
    paths = Paths.from_env(output=output)
    reason = busy_skip_reason(paths)
    assert isinstance(reason, SkipReason) and f"process {process.pid}" in (reason.skip_message or "")
    (output / "inbox").mkdir()
    with instance_for_test() as instance:
        resources = {"pipeline_paths": PipelinePaths(output_dir=str(output))}
        # entered and left in order, so the instance's Dagster context is restored after each
        with build_sensor_context(instance=instance, resources=resources) as sensor_context:
            sensor_result = survey_inbox(sensor_context)
        assert isinstance(sensor_result, SkipReason) and "in use by run run-abc" in sensor_result.skip_message
        with build_schedule_context(instance=instance, resources=resources) as schedule_context:
            tick = monthly_publication(schedule_context)
        assert isinstance(tick, SkipReason) and "in use by run run-abc" in tick.skip_message
    process.kill()
    process.wait()
    assert busy_skip_reason(paths) is None
