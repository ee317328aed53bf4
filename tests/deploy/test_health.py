"""`python -m orchestration.operate health`: each component's state, exit 1 when one is down, with
what to do; the daemon's heartbeat logic on an instance; which runs housekeeping deletes."""

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from dagster import DagsterInstance

from orchestration.operate import daemon_state, postgres_unreachable, runs_to_delete
from tests.deploy.postgres_cluster import free_port

REPO = Path(__file__).resolve().parents[2]
NOW = 1_800_000_000.0


def status(seconds_ago: float | None) -> SimpleNamespace:
    beat = None if seconds_ago is None else SimpleNamespace(timestamp=NOW - seconds_ago)
    return SimpleNamespace(last_heartbeat=beat)


def test_daemon_is_up_only_when_every_daemon_beat_recently() -> None:
    up = daemon_state({"SENSOR": status(10), "SCHEDULER": status(40)}, NOW)
    assert up.up and "last heartbeat at most 40 s ago" in up.detail
    stale = daemon_state({"SENSOR": status(10), "SCHEDULER": status(600)}, NOW)
    assert not stale.up and "SCHEDULER (600 s ago)" in stale.detail and "systemctl start rbi-daemon" in stale.detail
    never = daemon_state({"SENSOR": status(None), "SCHEDULER": status(5)}, NOW)
    assert not never.up and "never a heartbeat from SENSOR" in never.detail


def test_an_instance_without_a_running_daemon_is_down(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_bytes((REPO / "orchestration" / "dagster.yaml").read_bytes())
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        state = daemon_state(instance.get_daemon_statuses(), NOW)
    assert not state.up
    # the instance's required daemons (run queue, monitoring, sensors, schedules) are all named
    for daemon_type in ("SENSOR", "SCHEDULER", "QUEUED_RUN_COORDINATOR", "MONITORING"):
        assert daemon_type in state.detail


def run_health(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RBI_", "DAGSTER_"))}
    env |= {
        "DAGSTER_HOME": str(home),
        "RBI_CODE_SERVER_HOST": "127.0.0.1",
        "RBI_CODE_SERVER_PORT": str(free_port()),  # nothing listens there
        "RBI_WEBSERVER_URL": f"http://127.0.0.1:{free_port()}",
        "PYTHONPATH": str(REPO),
        **extra,
    }
    command = [sys.executable, "-m", "orchestration.operate", "health", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=REPO)


def test_a_stopped_deployment_is_reported_down_component_by_component(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_bytes((REPO / "orchestration" / "dagster.yaml").read_bytes())
    result = run_health(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert set(lines) == {"instance", "code-server", "webserver", "daemon"}
    assert " up " in lines["instance"]
    assert " DOWN " in lines["code-server"] and "systemctl start rbi-code-server" in lines["code-server"]
    assert " DOWN " in lines["webserver"] and "/server_info" in lines["webserver"]
    assert " DOWN " in lines["daemon"] and "never a heartbeat" in lines["daemon"]
    assert "DOWN: code-server, webserver, daemon" in result.stderr


def test_postgresql_down_is_named(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_bytes((REPO / "deploy" / "dagster.yaml").read_bytes())
    pg = {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(free_port()), "DAGSTER_PG_DB": "dagster"}
    only = ("--only", "instance", "--only", "daemon")
    result = run_health(tmp_path, *only, **pg, DAGSTER_PG_USER="dagster", DAGSTER_PG_PASSWORD="x")
    assert result.returncode == 1
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert " DOWN " in lines["instance"] and "is it up" in lines["instance"]
    assert f"PostgreSQL at 127.0.0.1:{pg['DAGSTER_PG_PORT']} cannot be reached" in lines["instance"]
    assert "the instance, which is down" in lines["daemon"]


def test_postgres_reachability_is_asked_before_the_instance_is_opened() -> None:
    """A refused port is named at once (dagster-postgres would retry it for about 12 s); a port that
    answers, or an instance without PostgreSQL settings (SQLite), goes on to open the instance."""
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = str(listening.getsockname()[1])
        assert postgres_unreachable({"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": port}) is None
    closed = postgres_unreachable({"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": port})
    assert closed is not None and f"PostgreSQL at 127.0.0.1:{port} cannot be reached" in closed
    assert postgres_unreachable({}) is None
    assert "cannot be reached" in postgres_unreachable({"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": "x"})


def record(run_id: str, job: str, status: str, days_ago: float) -> SimpleNamespace:
    ended = (datetime.now(UTC) - timedelta(days=days_ago)).timestamp()
    run = SimpleNamespace(run_id=run_id, job_name=job, status=SimpleNamespace(value=status))
    return SimpleNamespace(dagster_run=run, end_time=ended, update_timestamp=datetime.fromtimestamp(ended, UTC))


def test_housekeeping_keeps_recent_runs_and_the_newest_success_of_each_job() -> None:
    newest_first = [
        record("r6", "publish_all", "STARTED", 0),
        record("r5", "publish_all", "FAILURE", 1),
        record("r4", "publish_all", "SUCCESS", 500),  # the newest success: the schedule names it
        record("r3", "publish_all", "FAILURE", 600),
        record("r2", "publish_all", "SUCCESS", 700),
        record("r1", "__ASSET_JOB", "SUCCESS", 800),
    ]
    cutoff = datetime.now(UTC) - timedelta(days=400)
    assert runs_to_delete(newest_first, cutoff) == ["r3", "r2"]
