"""The listener and its client (tests/preloaded/listener.py, dbt_client.py): a command forked from
the listener gets the client's arguments, environment, folder and stdin, writes to the client's
stdout, its exit status is the client's, and killing the client kills the command's process group."""

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import preloaded
from tests.preloaded.dbt import Listener
from tests.preloaded.dbt_client import LISTENER, OTHER_COMMAND


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    started = Listener(modules=("tests.preloaded.probe_state",))
    started.wait_ready()
    yield started
    started.close()


def client_env(listener: Listener) -> dict[str, str]:
    return {
        LISTENER: str(listener.socket),
        OTHER_COMMAND: "tests.preloaded.child_probe",
        "RBI_DBT_EXECUTABLE": str(listener.client),
        "PYTHONPATH": str(preloaded.REPO),
        "PATH": os.environ["PATH"],
        "ONLY_THIS": "1",
    }


def test_a_command_gets_the_clients_arguments_environment_folder_and_stdin(listener: Listener, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(listener.client), "exit", "3"],
        input="from stdin",
        cwd=tmp_path,
        env=client_env(listener),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3, result.stderr
    seen = json.loads(result.stdout.splitlines()[0])
    assert seen["argv"] == ["exit", "3"] and seen["cwd"] == str(tmp_path) and seen["stdin"] == "from stdin"
    assert seen["env"]["ONLY_THIS"] == "1"
    assert LISTENER not in seen["env"] and OTHER_COMMAND not in seen["env"] and "RBI_DBT_EXECUTABLE" not in seen["env"]
    assert seen["imported_at_start"] == listener.process.pid  # forked from the listener, not imported again
    assert seen["pgid"] == seen["pid"]  # a session and process group of its own
    assert "to stderr" in result.stderr


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_killed_client_takes_the_command_and_its_children_along(listener: Listener, tmp_path: Path) -> None:
    client = subprocess.Popen(
        [str(listener.client), "grandchild"],
        cwd=tmp_path,
        env=client_env(listener),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert client.stdout is not None
    command = json.loads(client.stdout.readline())["pid"]
    while not (line := client.stdout.readline()).startswith("grandchild "):
        assert line, "the probe ended before starting its grandchild"
    grandchild = int(line.split()[1])
    assert _alive(command) and _alive(grandchild)
    client.send_signal(signal.SIGKILL)
    client.wait(timeout=30)
    deadline = time.monotonic() + 30
    while (_alive(command) or _alive(grandchild)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(command) and not _alive(grandchild)


def test_a_listener_that_cannot_start_says_so_and_leaves_nothing_behind() -> None:
    failed = Listener(modules=("no_such_module_here",))
    with pytest.raises(RuntimeError, match="did not start"):
        failed.wait_ready()
    assert not failed.folder.exists()
