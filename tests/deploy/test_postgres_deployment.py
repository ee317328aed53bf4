"""The deployment of deploy/: a Dagster instance on a real PostgreSQL, the code location in its
own code server, the daemon and the webserver as separate processes (as deploy/systemd/ runs them).

Against that instance and a running `dagster-daemon run`:
- the monthly schedule's decision: a run is due (no published run of these inputs yet); the run it
  asks for, queued through the code location and started by the daemon, succeeds; then the
  decision is to skip, naming that run; after a new survey, a run is due again;
- a survey export + mapping dropped in the inbox: the `survey_inbox` sensor's tick (daemon) starts
  a run of the new partition, which publishes a new release.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dagster import DagsterInstance, DagsterRunStatus, RunRequest, RunsFilter, SkipReason, build_schedule_context

from orchestration.publication.schedules import FINGERPRINT_TAG, JOB_NAME, publication_request
from tests.deploy.postgres_cluster import Cluster, free_port
from tests.e2e.test_survey_inbox import GENERATED, SURVEY_ID, drop
from tests.e2e.tiny_inputs import make_tiny_inputs

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(3600)]  # a deployment and 2 runs through its daemon

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKSPACE = REPO / "deploy" / "workspace.yaml"
TICK = datetime(2026, 12, 2, 6, 0, tzinfo=ZoneInfo("Europe/Oslo"))
RUN_TIMEOUT = 900


class Deployment:
    def __init__(self, root: Path, cluster: Cluster) -> None:
        self.root = root
        self.inputs = make_tiny_inputs(root / "inputs")
        self.output = root / "output"
        self.home = root / "dagster_home"
        self.home.mkdir()
        shutil.copyfile(REPO / "deploy" / "dagster.yaml", self.home / "dagster.yaml")
        self.env = {
            **cluster.env(),
            "DAGSTER_HOME": str(self.home),
            "RBI_INPUTS_DIR": str(self.inputs),
            "RBI_OUTPUT_DIR": str(self.output),
            "RBI_CODE_SERVER_HOST": "127.0.0.1",
            "RBI_CODE_SERVER_PORT": str(free_port()),
            "PYTHONPATH": str(REPO),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "GX_ANALYTICS_ENABLED": "False",
        }
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str]) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("RBI_INBOX_DIR", "RBI_RAW_DIR")} | self.env
        log = (self.root / f"{name}.log").open("wb")
        # its own process group, as systemd gives each unit its own control group
        self.processes[name] = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        """What `systemctl stop` does (KillMode=control-group: SIGTERM to every process of a unit,
        SIGKILL to what is left after 30 s), in the order deploy/upgrade.sh stops them: the daemon
        first (the code server waits up to 60 s for the RPC calls in progress, the daemon's too),
        then the rest, last started first."""
        for process in reversed(list(self.processes.values())):
            signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                signal_group(process, signal.SIGKILL)
                process.wait()


def signal_group(process: subprocess.Popen, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, number)


def wait_for(predicate, timeout: float, what: str, deployment: Deployment):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for name, process in deployment.processes.items():
            assert process.poll() is None, f"{name} exited:\n{deployment.log(name)}"
        time.sleep(2)
    logs = "\n".join(f"--- {name}\n{deployment.log(name)}" for name in deployment.processes)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def failures(instance: DagsterInstance, run_id: str) -> str:
    """The run's failure events, for the assertion message."""
    records = instance.all_logs(run_id)
    lines = [
        f"{r.dagster_event.event_type_value} {r.dagster_event.step_key}: {r.dagster_event.message}"
        for r in records
        if r.dagster_event is not None and "FAILURE" in r.dagster_event.event_type_value
    ]
    return "\n".join(lines)


def finished_run(instance: DagsterInstance, tags: dict[str, str]):
    records = instance.get_run_records(filters=RunsFilter(tags=tags), limit=1)
    if records and records[0].dagster_run.status in (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE):
        return records[0].dagster_run
    return None


@pytest.fixture(scope="module")
def deployment(postgres: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    deployment = Deployment(tmp_path_factory.mktemp("deployment"), postgres)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in deployment.env.items():
            patch.setenv(name, value)
        for name in ("RBI_INBOX_DIR", "RBI_RAW_DIR", "RBI_SNAPSHOT_DIR", "RBI_PUBLISH_FORCE", "RBI_LIVE"):
            patch.delenv(name, raising=False)
        host, port = deployment.env["RBI_CODE_SERVER_HOST"], deployment.env["RBI_CODE_SERVER_PORT"]
        # the same commands as deploy/systemd/*.service
        deployment.start(
            "code-server",
            [
                *(str(BIN / "dagster"), "code-server", "start", "-m", "orchestration.definitions"),
                *("--location-name", "rapporteringsbyrdeindeksen", "-h", host, "-p", port),
            ],
        )
        health = [str(BIN / "dagster"), "api", "grpc-health-check", "--host", host, "--port", port]
        wait_for(
            lambda: subprocess.run(health, capture_output=True, check=False).returncode == 0,
            180,
            "the code server",
            deployment,
        )
        deployment.start("daemon", [str(BIN / "dagster-daemon"), "run", "-w", str(WORKSPACE)])
        try:
            yield deployment
        finally:
            deployment.stop()


@pytest.fixture(scope="module")
def instance(deployment: Deployment) -> Iterator[DagsterInstance]:
    with DagsterInstance.from_config(str(deployment.home)) as instance:
        yield instance


def decide(instance: DagsterInstance) -> RunRequest | SkipReason:
    return publication_request(build_schedule_context(instance=instance, scheduled_execution_time=TICK))


def test_instance_is_on_postgres_and_the_webserver_serves_it(deployment: Deployment, instance) -> None:
    assert type(instance.run_storage).__module__.startswith("dagster_postgres")
    assert type(instance.event_log_storage).__module__.startswith("dagster_postgres")
    assert type(instance.schedule_storage).__module__.startswith("dagster_postgres")
    port = free_port()
    deployment.start(
        "webserver", [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), "-w", str(WORKSPACE)]
    )
    try:

        def server_info():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as response:
                    return json.loads(response.read())
            except OSError:
                return None

        served = wait_for(server_info, 180, "the webserver", deployment)
        assert "dagster_webserver_version" in served
    finally:
        webserver = deployment.processes.pop("webserver")
        signal_group(webserver, signal.SIGTERM)
        webserver.wait(timeout=30)


def test_schedule_decision_and_the_run_it_asks_for(deployment: Deployment, instance) -> None:
    first = decide(instance)
    assert isinstance(first, RunRequest), first
    assert first.tags["rbi/reason"] == "inputs changed"
    # what the daemon does with the tick's request: a queued run of publish_all in the code location,
    # launched with the operator's command (`dagster job launch -w deploy/workspace.yaml` underneath)
    launched = subprocess.run(
        [
            *(sys.executable, "-m", "orchestration.operate", "launch", "--job", JOB_NAME),
            *("--tags", json.dumps(dict(first.tags))),
        ],
        cwd=REPO,
        env={**os.environ, **deployment.env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert launched.returncode == 0, launched.stdout + launched.stderr
    tags = {FINGERPRINT_TAG: first.tags[FINGERPRINT_TAG]}
    run = wait_for(lambda: finished_run(instance, tags), RUN_TIMEOUT, "the scheduled run", deployment)
    assert run.status == DagsterRunStatus.SUCCESS, failures(instance, run.run_id)
    assert f"run {run.run_id} of {JOB_NAME}" in launched.stdout
    assert (deployment.output / "releases" / "latest").exists()

    def operate(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "orchestration.operate", *args]
        env = {**os.environ, **deployment.env}
        return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)

    status = operate("status")
    assert status.returncode == 0 and run.run_id in status.stdout and "current: " in status.stdout
    # the code server and the daemon (its heartbeats in PostgreSQL) are up; the webserver is not started
    health = operate("health", "--only", "instance", "--only", "code-server", "--only", "daemon")
    assert health.returncode == 0, health.stdout + health.stderr
    assert "PostgresRunStorage" in health.stdout

    again = decide(instance)
    assert isinstance(again, SkipReason)
    assert f"inputs unchanged since run {run.run_id}" in again.skip_message


def test_inbox_sensor_tick_starts_a_run_that_publishes(deployment: Deployment, instance) -> None:
    before = (deployment.output / "releases" / "latest").resolve()
    mapping = (GENERATED / "msforms_responses.yml").read_text(encoding="utf-8")
    mapping = mapping.replace("survey_id: TEST-MSFORMS-2026", f"survey_id: {SURVEY_ID}").replace(
        "year: 2026", "year: 2025"
    )
    drop(deployment.output / "inbox", "msforms", mapping)

    tags = {"dagster/sensor_name": "survey_inbox"}
    run = wait_for(lambda: finished_run(instance, tags), RUN_TIMEOUT, "the survey_inbox sensor's run", deployment)
    assert run.status == DagsterRunStatus.SUCCESS, failures(instance, run.run_id)
    assert run.tags["dagster/partition"] == SURVEY_ID
    assert run.tags["rbi/trigger"] == "survey_inbox"
    assert instance.get_dynamic_partitions("surveys") == [SURVEY_ID]
    assert (deployment.output / "releases" / "latest").resolve() != before
    assert list((deployment.output / "inbox").iterdir()) == []

    # the new survey is a changed input: the monthly tick would publish again
    changed = decide(instance)
    assert isinstance(changed, RunRequest) and changed.tags["rbi/reason"] == "inputs changed"
