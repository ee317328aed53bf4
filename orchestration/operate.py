"""The operator's command for a deployment (deploy/, docs/operations.md), run with its environment:

    python -m orchestration.operate health [--only COMPONENT] [--wait SECONDS]
    python -m orchestration.operate status [--runs N]
    python -m orchestration.operate launch [--job publish_all] [--tags JSON]
    python -m orchestration.operate wait-idle [--timeout SECONDS]
    python -m orchestration.operate housekeep [--keep-days N] [--dry-run]

``health`` prints one line per component (the instance in PostgreSQL, the code server's gRPC health,
the webserver's ``/server_info``, the daemon's heartbeats) and exits 1 when one is down; ``--wait``
polls until all are up (what the systemd units' ``ExecStartPost=`` and deploy/upgrade.sh use).
``launch`` queues a run of the job on the deployment's code location (``dagster job launch -w
deploy/workspace.yaml``; the daemon starts it) and prints its id and link; ``status`` shows the last
runs and the releases. ``wait-idle`` waits until no run is in progress (the upgrade's step before it
restarts the code server, whose process is the parent of a running run). ``housekeep`` deletes runs
(and their event logs and captured logs) that ended more than N days ago, keeping the newest
successful run of each job (the monthly schedule's "inputs unchanged since run ..." needs it).

Settings: the deployment's environment (deploy/rbi.env.example): ``DAGSTER_HOME``,
``RBI_CODE_SERVER_HOST``/``RBI_CODE_SERVER_PORT``, ``RBI_WEBSERVER_URL`` (default
``http://127.0.0.1:3000``), ``RBI_UI_BASE_URL`` (links), ``RBI_OUTPUT_DIR`` (releases).
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storage.paths import REPO_ROOT, Paths

COMPONENTS = ("instance", "code-server", "webserver", "daemon")
DEFAULT_WEBSERVER_URL = "http://127.0.0.1:3000"
WORKSPACE = REPO_ROOT / "deploy" / "workspace.yaml"
BIN = Path(sys.executable).parent
# the daemon writes a heartbeat per daemon type every 30 s or so; two minutes without one is down
HEARTBEAT_TOLERANCE_SECONDS = 120.0
POLL_SECONDS = 2.0
IN_PROGRESS = ("STARTING", "STARTED", "CANCELING")
LAUNCH_TAG = "rbi/launch_id"


@dataclass(frozen=True)
class State:
    component: str
    up: bool
    detail: str

    def line(self) -> str:
        return f"{self.component:<12} {'up' if self.up else 'DOWN'}  {self.detail}"


def code_server_state(host: str, port: str) -> State:
    """The code server's own gRPC health check (``dagster api grpc-health-check``)."""
    command = [str(BIN / "dagster"), "api", "grpc-health-check", "--host", host, "--port", str(port)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return State("code-server", True, f"gRPC {host}:{port} serving")
    return State(
        "code-server",
        False,
        f"no gRPC health answer on {host}:{port}: start it (`systemctl start rbi-code-server`) and see "
        "`journalctl -u rbi-code-server`",
    )


def webserver_state(url: str) -> State:
    """The webserver's ``/server_info`` answers with its version."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/server_info", timeout=5) as response:
            info = json.loads(response.read())
    except (OSError, ValueError):
        return State(
            "webserver",
            False,
            f"no answer from {url}/server_info: `systemctl start rbi-webserver`, see `journalctl -u rbi-webserver`",
        )
    return State("webserver", True, f"{url} dagster-webserver {info.get('dagster_webserver_version', '?')}")


def daemon_state(statuses: Mapping[str, Any], now: float, tolerance: float = HEARTBEAT_TOLERANCE_SECONDS) -> State:
    """Up when every required daemon type has a heartbeat younger than ``tolerance`` seconds.

    ``statuses`` is ``DagsterInstance.get_daemon_statuses()``: daemon type -> status with
    ``last_heartbeat`` (``timestamp`` in epoch seconds) or None."""
    if not statuses:
        return State("daemon", False, "the instance requires no daemon (an ephemeral instance?)")
    missing, stale, ages = [], [], []
    for daemon_type, status in sorted(statuses.items()):
        beat = status.last_heartbeat
        if beat is None:
            missing.append(daemon_type)
            continue
        age = now - beat.timestamp
        ages.append(age)
        if age > tolerance:
            stale.append(f"{daemon_type} ({age:.0f} s ago)")
    if missing or stale:
        parts = []
        if missing:
            parts.append("never a heartbeat from " + ", ".join(missing))
        if stale:
            parts.append(f"no heartbeat for over {tolerance:.0f} s from " + ", ".join(stale))
        return State(
            "daemon",
            False,
            "; ".join(parts) + ": `systemctl start rbi-daemon`, see `journalctl -u rbi-daemon`",
        )
    return State("daemon", True, f"{len(statuses)} daemons, last heartbeat at most {max(ages):.0f} s ago")


def postgres_unreachable(env: Mapping[str, str], timeout: float = 5.0) -> str | None:
    """Why the PostgreSQL server of ``DAGSTER_PG_HOST``/``DAGSTER_PG_PORT`` (deploy/dagster.yaml)
    cannot be reached, or None (reached, or no such setting: the instance may be SQLite). Asked
    before the instance is opened: dagster-postgres retries a refused connection for about 12 s."""
    host = env.get("DAGSTER_PG_HOST", "").strip()
    if not host:
        return None
    port = env.get("DAGSTER_PG_PORT", "").strip() or "5432"
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return None
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or exc
        return f"PostgreSQL at {host}:{port} cannot be reached ({why}): is it up (`systemctl status postgresql`)?"


def open_instance() -> Any:
    from dagster import DagsterInstance

    return DagsterInstance.get()


def health(only: Iterable[str] = COMPONENTS, environ: Mapping[str, str] | None = None) -> list[State]:
    env = os.environ if environ is None else environ
    wanted = set(only)
    states: list[State] = []
    instance = None
    unreachable = postgres_unreachable(env) if wanted & {"instance", "daemon"} else None
    if unreachable:
        states.append(State("instance", False, unreachable))
    elif wanted & {"instance", "daemon"}:
        try:
            instance = open_instance()
            instance.get_runs(limit=1)  # reaches the run storage (PostgreSQL on a deployment)
            kind = type(instance.run_storage).__name__
            states.append(State("instance", True, f"{env.get('DAGSTER_HOME', '?')}: run storage {kind}"))
        except Exception as exc:  # any failure to open the instance is "down"
            states.append(
                State(
                    "instance",
                    False,
                    f"cannot open the instance of DAGSTER_HOME={env.get('DAGSTER_HOME', '(unset)')} "
                    f"({type(exc).__name__}): is PostgreSQL up and are DAGSTER_PG_* right?",
                )
            )
            instance = None
    if "code-server" in wanted:
        host = env.get("RBI_CODE_SERVER_HOST", "").strip() or "127.0.0.1"
        port = env.get("RBI_CODE_SERVER_PORT", "").strip() or "4266"
        states.append(code_server_state(host, port))
    if "webserver" in wanted:
        states.append(webserver_state(env.get("RBI_WEBSERVER_URL", "").strip() or DEFAULT_WEBSERVER_URL))
    if "daemon" in wanted:
        if instance is None:
            states.append(State("daemon", False, "unknown: its heartbeats are in the instance, which is down"))
        else:
            states.append(daemon_state(instance.get_daemon_statuses(), time.time()))
    if instance is not None:
        instance.dispose()
    return [s for s in states if s.component in wanted]


def cmd_health(args: argparse.Namespace) -> int:
    only = args.only or list(COMPONENTS)
    deadline = time.monotonic() + (args.wait or 0)
    while True:
        states = health(only)
        if all(s.up for s in states) or time.monotonic() >= deadline:
            break
        time.sleep(POLL_SECONDS)
    for state in states:
        print(state.line())
    down = [s.component for s in states if not s.up]
    if down:
        print(f"DOWN: {', '.join(down)}", file=sys.stderr)
        return 1
    return 0


def _duration(record: Any) -> str:
    if record.start_time and record.end_time:
        return f"{record.end_time - record.start_time:.0f} s"
    return "-"


def _when(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC") if timestamp else "-"


def cmd_status(args: argparse.Namespace) -> int:
    from publication.store import current_release, list_releases

    paths = Paths.from_env()
    with open_instance() as instance:
        records = instance.get_run_records(limit=args.runs)
        print(f"last {len(records)} runs (newest first):")
        for record in records:
            run = record.dagster_run
            trigger = run.tags.get("rbi/trigger") or run.tags.get("dagster/sensor_name") or "-"
            print(
                f"  {run.run_id}  {run.status.value:<9} {run.job_name:<14} {trigger:<18} "
                f"{_when(record.start_time or record.create_timestamp.timestamp())}  {_duration(record)}"
            )
    releases = list_releases(paths.releases) if paths.releases.exists() else []
    latest = current_release(paths.releases) if paths.releases.exists() else None
    print(f"releases in {paths.releases}: {len(releases)}; current: {latest or '(none yet)'}")
    for release in releases[-args.releases :]:
        print(f"  {release}{'  <- current' if release == latest else ''}")
    return 0


def ui_link(run_id: str, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    base = env.get("RBI_UI_BASE_URL", "").strip().rstrip("/") or DEFAULT_WEBSERVER_URL
    return f"{base}/runs/{run_id}"


def cmd_launch(args: argparse.Namespace) -> int:
    from dagster import RunsFilter

    launch_id = uuid.uuid4().hex
    tags = {"rbi/trigger": "operator", **json.loads(args.tags or "{}"), LAUNCH_TAG: launch_id}
    command = [
        *(str(BIN / "dagster"), "job", "launch", "-w", str(args.workspace), "-j", args.job),
        *("--tags", json.dumps(tags)),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        print(
            "launch failed: is the code server up? (`python -m orchestration.operate health`)",
            file=sys.stderr,
        )
        return 1
    with open_instance() as instance:
        records = instance.get_run_records(filters=RunsFilter(tags={LAUNCH_TAG: launch_id}), limit=1)
    if not records:
        print("launched, but the run is not in the instance: check DAGSTER_HOME", file=sys.stderr)
        return 1
    run = records[0].dagster_run
    print(f"run {run.run_id} of {run.job_name}: {run.status.value} (the daemon starts queued runs in turn)")
    print(f"follow it: {ui_link(run.run_id)}  or  python -m orchestration.operate status")
    return 0


def runs_in_progress(instance: Any) -> list[str]:
    from dagster import DagsterRunStatus, RunsFilter

    statuses = [DagsterRunStatus(s) for s in IN_PROGRESS]
    return [r.dagster_run.run_id for r in instance.get_run_records(filters=RunsFilter(statuses=statuses))]


def cmd_wait_idle(args: argparse.Namespace) -> int:
    deadline = time.monotonic() + args.timeout
    with open_instance() as instance:
        told = False
        while True:
            running = runs_in_progress(instance)
            if not running:
                print("no run in progress")
                return 0
            if time.monotonic() >= deadline:
                print(f"still in progress after {args.timeout:.0f} s: {', '.join(running)}", file=sys.stderr)
                return 1
            if not told:
                print(f"waiting for the run(s) in progress to end: {', '.join(running)}", flush=True)
                told = True
            time.sleep(POLL_SECONDS)


def runs_to_delete(records: list[Any], cutoff: datetime) -> list[str]:
    """Runs that ended before ``cutoff``, except the newest successful run of each job.

    ``records`` are run records newest first (``DagsterInstance.get_run_records``)."""
    kept_success: set[str] = set()
    doomed = []
    for record in records:
        run = record.dagster_run
        if run.status.value == "SUCCESS" and run.job_name not in kept_success:
            kept_success.add(run.job_name)
            continue
        if run.status.value in (*IN_PROGRESS, "QUEUED", "NOT_STARTED"):
            continue
        ended = record.end_time or record.update_timestamp.timestamp()
        if ended < cutoff.timestamp():
            doomed.append(run.run_id)
    return doomed


def cmd_housekeep(args: argparse.Namespace) -> int:
    cutoff = datetime.now(UTC) - timedelta(days=args.keep_days)
    with open_instance() as instance:
        doomed = runs_to_delete(instance.get_run_records(), cutoff)
        for run_id in doomed:
            if not args.dry_run:
                instance.delete_run(run_id)  # the run and its event logs
                instance.compute_log_manager.delete_logs(prefix=[run_id])  # its captured stdout/stderr
        verb = "would delete" if args.dry_run else "deleted"
        print(f"{verb} {len(doomed)} run(s) that ended before {cutoff:%Y-%m-%d} (kept: the newest success per job)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.operate", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("health", help="each component's state; exit 1 when one is down")
    p.add_argument("--only", action="append", choices=COMPONENTS, help="check only this component (repeatable)")
    p.add_argument("--wait", type=float, default=0, help="poll up to SECONDS until every component is up")
    p.set_defaults(func=cmd_health)
    p = sub.add_parser("status", help="the last runs and the releases")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--releases", type=int, default=5)
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("launch", help="queue a run on the deployment's code location")
    p.add_argument("--job", default="publish_all")
    p.add_argument("--workspace", type=Path, default=WORKSPACE)
    p.add_argument("--tags", help="extra run tags, a JSON object")
    p.set_defaults(func=cmd_launch)
    p = sub.add_parser("wait-idle", help="wait until no run is in progress; exit 1 on timeout")
    p.add_argument("--timeout", type=float, default=3600)
    p.set_defaults(func=cmd_wait_idle)
    p = sub.add_parser("housekeep", help="delete runs that ended more than N days ago")
    p.add_argument("--keep-days", type=int, default=400)
    p.add_argument("--dry-run", action="store_true")
    p.set_defaults(func=cmd_housekeep)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
