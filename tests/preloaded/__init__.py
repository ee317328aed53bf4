"""Commands of the project run as ``python -m <module>`` would run them, but forked from an
interpreter that has imported the heavy packages once (Dagster, dagster-dbt, dbt, Great Expectations
and the pipeline's definitions: ~7 s of CPU that every pipeline run of the tests paid again).

    process = start("orchestration.run", ["publish_all"], env=..., cwd=REPO, stderr=STDOUT)  # like Popen
    result = run("orchestration.run", ["publish_all"], env=..., cwd=REPO, timeout=1200)  # CompletedProcess

Each child is a fresh process for everything the command does: its own environment (exactly the one
given), working folder, process group (``os.killpg(process.pid, ...)`` reaches dbt and every process
it started), stdin ``/dev/null``, and a normal interpreter exit. What it shares with the server is
what the imports built: the modules, and nothing the pipeline computes (no function of it runs in
the server; the dbt servers also run one warm-up build on scratch data,
tests/method/dbt_warm_up.py). tests/preloaded/test_preloaded.py checks that a child has the
environment, folder, process group, stdin and exit status it would have as a subprocess; the e2e
stories check that runs forked here publish the bytes of ``make run``'s own subprocess (the
session's shared first run, tests/e2e/shared_runs.py, stays a plain subprocess).

One server per test process, started on first use (its imports run meanwhile) and stopped with it.
``RBI_TEST_PRELOAD=0`` runs every command as a plain subprocess instead.
"""

import atexit
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[2]
PIPE, STDOUT = subprocess.PIPE, subprocess.STDOUT
# what a pipeline run imports before its first step (orchestration/run.py, the definitions, the
# gate's Great Expectations, the dbt adapter dagster-dbt opens in the run's process)
PIPELINE_MODULES = (
    "orchestration.run",
    "orchestration.definitions",
    "great_expectations",
    "dbt.adapters.factory",
    "dbt.adapters.duckdb",
    "dbt.cli.main",
)


def enabled() -> bool:
    return os.environ.get("RBI_TEST_PRELOAD", "1") != "0"


class Server:
    """One preloaded interpreter (tests/preloaded/server.py) and the socket to it."""

    def __init__(self, modules: tuple[str, ...]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.preloaded.server", str(theirs.fileno()), *modules],
            cwd=REPO,
            env=env,
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.sock = ours
        self.replies = ours.makefile("r", encoding="utf-8")
        self.lock = threading.Lock()
        self.ready = False

    def _reply(self) -> dict[str, Any]:
        line = self.replies.readline()
        if not line:
            raise RuntimeError(f"the preloaded server stopped (status {self.process.wait()})")
        return json.loads(line)

    def wait_ready(self) -> None:
        """Return once the server's imports are done (its answer {"ready": [...]})."""
        with self.lock:
            if not self.ready:
                self._reply()
                self.ready = True

    def request(self, message: dict[str, Any], fds: list[int] | None = None) -> dict[str, Any]:
        self.wait_ready()
        with self.lock:
            data = json.dumps(message).encode()
            if fds:
                socket.send_fds(self.sock, [data], fds)
            else:
                self.sock.sendall(data)
            reply = self._reply()
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def close(self) -> None:
        """Stop the server (it ends when its socket closes; the children it forked go on)."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.replies.close()
        self.sock.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)


_servers: dict[tuple[str, ...], Server] = {}


def server(modules: tuple[str, ...] = PIPELINE_MODULES) -> Server:
    """This process's server preloading ``modules`` (started now if it is not yet)."""
    if not server_running(modules):
        _servers[modules] = Server(modules)
    return _servers[modules]


def server_running(modules: tuple[str, ...]) -> bool:
    """Whether this process has a live server preloading ``modules``."""
    return modules in _servers and _servers[modules].process.poll() is None


@atexit.register
def _stop_servers() -> None:
    for each in _servers.values():
        each.close()


class Process:
    """A forked command, used like ``subprocess.Popen`` (pid, stdout, poll, wait)."""

    def __init__(self, server: Server, pid: int, stdout: IO[str] | None, stderr: IO[str] | None) -> None:
        self.server, self.pid, self.stdout, self.stderr = server, pid, stdout, stderr
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.request({"op": "poll", "pid": self.pid})["returncode"]
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Its exit status; after ``timeout`` seconds its process group is killed (SIGKILL) first."""
        if self.returncode is None:
            timer = threading.Timer(timeout, self.kill_group) if timeout else None
            if timer:
                timer.start()
            try:
                self.returncode = self.server.request({"op": "wait", "pid": self.pid})["returncode"]
            finally:
                if timer:
                    timer.cancel()
        return self.returncode

    def kill_group(self) -> None:
        kill_group(self.pid)


class PlainProcess(subprocess.Popen):
    """What ``start`` returns with ``RBI_TEST_PRELOAD=0``: a plain subprocess, same interface."""

    def kill_group(self) -> None:
        kill_group(self.pid)


def kill_group(pid: int) -> None:
    """SIGKILL to the process group ``pid`` leads (gone already: nothing to do)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def start(
    module: str,
    args: list[str],
    env: dict[str, str],
    cwd: Path,
    stderr: int = PIPE,
    modules: tuple[str, ...] = PIPELINE_MODULES,
) -> "Process | PlainProcess":
    """``python -m module args`` forked from the server that preloaded ``modules``; its stdout and
    stderr are pipes read from the process (text), or with ``stderr=STDOUT`` one pipe for both; with
    ``RBI_TEST_PRELOAD=0`` a plain subprocess in a new session (``PlainProcess``)."""
    if not enabled():
        return PlainProcess(
            [sys.executable, "-m", module, *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=PIPE,
            stderr=stderr,
            text=True,
            errors="replace",
            start_new_session=True,
        )
    chosen = server(modules)
    out_read, out_write = os.pipe()
    err_read, err_write = (out_read, out_write) if stderr == STDOUT else os.pipe()
    try:
        pid = chosen.request(
            {"op": "spawn", "module": module, "args": list(args), "env": dict(env), "cwd": str(cwd)},
            [out_write, err_write],
        )["pid"]
    finally:
        os.close(out_write)
        if err_write != out_write:
            os.close(err_write)
    out = open(out_read, encoding="utf-8", errors="replace")  # noqa: SIM115 (the caller closes it)
    err = None if stderr == STDOUT else open(err_read, encoding="utf-8", errors="replace")  # noqa: SIM115
    return Process(chosen, pid, out, err)


def run(
    module: str,
    args: list[str],
    env: dict[str, str],
    cwd: Path,
    timeout: float,
    modules: tuple[str, ...] = PIPELINE_MODULES,
) -> subprocess.CompletedProcess:
    """``subprocess.run([python, -m, module, *args], capture_output=True, text=True)``, forked (or a
    plain subprocess with ``RBI_TEST_PRELOAD=0``); killed with its group after ``timeout`` seconds."""
    command = [sys.executable, "-m", module, *args]
    process = start(module, args, env, cwd, modules=modules)  # forked, or a plain subprocess
    timer = threading.Timer(timeout, process.kill_group)  # a hang: its output so far, status -9
    timer.start()
    captured: dict[str, str] = {}

    def drain(name: str, stream: IO[str]) -> None:
        with stream:
            captured[name] = stream.read()

    assert process.stdout is not None and process.stderr is not None
    reader = threading.Thread(target=drain, args=("stderr", process.stderr), daemon=True)
    reader.start()
    try:
        drain("stdout", process.stdout)
        reader.join()
        returncode = process.wait()
    finally:
        timer.cancel()
    return subprocess.CompletedProcess(command, returncode, captured.get("stdout", ""), captured.get("stderr", ""))
