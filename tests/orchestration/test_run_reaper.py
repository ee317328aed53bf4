"""A run whose process was killed (SIGKILL) inside a step that holds a pool slot is found, marked
failed with its step named, and its slot freed -- through public Dagster APIs."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus, SkipReason, build_sensor_context

from orchestration.resources import PipelinePaths
from orchestration.runs.run_reaper import reap_dead_runs
from orchestration.runs.run_reaper_sensor import dead_run_reaper

REPO = Path(__file__).resolve().parents[2]


def killed_run(tmp_path: Path, tagged: bool) -> Path:
    """DAGSTER_HOME of an instance holding one run killed in its step `sleepy`."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(REPO / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    marker = tmp_path / "sleeping"
    env = {**os.environ, "DAGSTER_HOME": str(home), "SLEEPY_MARKER": str(marker), "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.orchestration.sleepy_job", "tagged" if tagged else "bare", str(tmp_path)],
        env=env,
        cwd=REPO,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None and time.monotonic() < deadline, "the job never reached its step"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return home


def only_run(instance: DagsterInstance):
    records = instance.get_run_records()
    assert len(records) == 1
    return records[0].dagster_run


def claimed(instance: DagsterInstance, run_id: str) -> list[str]:
    info = instance.event_log_storage.get_concurrency_info("duckdb_warehouse")
    return [slot.step_key for slot in info.claimed_slots if slot.run_id == run_id]


@pytest.mark.parametrize("tagged", [True, False])
def test_a_killed_run_is_failed_and_its_pool_slot_freed(tmp_path: Path, tagged: bool) -> None:
    home = killed_run(tmp_path, tagged)
    with DagsterInstance.from_config(str(home)) as instance:
        run = only_run(instance)
        assert run.status == DagsterRunStatus.STARTED  # what blocked every later run
        assert claimed(instance, run.run_id) == ["sleepy"]
        lines: list[str] = []
        # without the run lock, an untagged run counts as dead only through the launcher's pid
        # event, which `execute_job` does not write: it is left alone
        reaped = reap_dead_runs(instance, str(tmp_path), False, lines.append)
        if not tagged:
            assert reaped == [] and only_run(instance).status == DagsterRunStatus.STARTED
            reaped = reap_dead_runs(instance, str(tmp_path), True, lines.append)
        assert [r.run_id for r in reaped] == [run.run_id]
        assert only_run(instance).status == DagsterRunStatus.FAILURE
        assert claimed(instance, run.run_id) == []
        assert len(lines) == 1
        line = lines[0]
        assert line.startswith(f"dead run {run.run_id} (sleepy_job, STARTED) marked FAILED: ")
        assert "it died in step sleepy" in line and "freed 1 pool slot(s): duckdb_warehouse:sleepy" in line
        if tagged:
            assert "is gone" in line
        # a second pass finds nothing more
        assert reap_dead_runs(instance, str(tmp_path), True, lines.append) == []


def test_the_sensor_fails_a_dead_run_under_the_daemon(tmp_path: Path) -> None:
    home = killed_run(tmp_path, tagged=True)
    resources = {"pipeline_paths": PipelinePaths(output_dir=str(tmp_path))}
    with DagsterInstance.from_config(str(home)) as instance:
        run = only_run(instance)
        with build_sensor_context(instance=instance, resources=resources) as context:
            outcome = dead_run_reaper(context)
        assert isinstance(outcome, SkipReason)
        assert (outcome.skip_message or "").startswith(f"dead run {run.run_id} (sleepy_job, STARTED) marked FAILED")
        assert only_run(instance).status == DagsterRunStatus.FAILURE
        assert claimed(instance, run.run_id) == []
        with build_sensor_context(instance=instance, resources=resources) as context:
            again = dead_run_reaper(context)
        assert again.skip_message == "no dead run"
