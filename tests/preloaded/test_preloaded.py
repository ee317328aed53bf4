"""Commands forked from a preloaded interpreter (tests/preloaded/) behave as ``python -m`` would:
their own environment, folder, process group, stdin, exit status and output."""

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from tests import preloaded

PROBE = "tests.preloaded.child_probe"
MODULES = ("tests.preloaded.probe_state",)  # a light server: the pipeline's own is tested by tests/e2e


@pytest.fixture(autouse=True)
def _forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are of the forked commands, also in a run with RBI_TEST_PRELOAD=0."""
    monkeypatch.setenv("RBI_TEST_PRELOAD", "1")


def probe(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    given = env if env is not None else {"ONLY_THIS": "1", "PYTHONPATH": str(preloaded.REPO)}
    result = preloaded.run(PROBE, list(args), env=given, cwd=tmp_path, timeout=60, modules=MODULES)
    first = result.stdout.splitlines()[0] if result.stdout else "{}"
    return result.returncode, json.loads(first), result.stderr


def test_a_child_has_the_environment_folder_and_arguments_it_was_given(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SET_IN_THE_TEST_PROCESS", "1")  # the server started before or after: never seen
    code, seen, stderr = probe(tmp_path, "a", "b")
    assert code == 0
    assert seen["env"] == {"ONLY_THIS": "1", "PYTHONPATH": str(preloaded.REPO)}
    assert seen["cwd"] == str(tmp_path)
    assert seen["argv"] == ["a", "b"] and seen["name"] == "__main__"
    assert seen["stdin"] == ""  # /dev/null
    assert stderr == "to stderr\n"


def test_a_child_is_forked_from_the_server_and_leads_its_own_process_group(tmp_path: Path) -> None:
    _, first, _ = probe(tmp_path)
    _, second, _ = probe(tmp_path)
    server = preloaded.server(MODULES).process.pid
    assert first["imported_at_start"] == second["imported_at_start"] == server  # imported once, before the forks
    assert first["pid"] != second["pid"] and server not in (first["pid"], second["pid"])
    assert first["pgid"] == first["pid"] and second["pgid"] == second["pid"]
    assert os.getpgid(0) not in (first["pgid"], second["pgid"])


@pytest.mark.parametrize(("args", "expected"), [((), 0), (("exit", "3"), 3), (("raise",), 1)])
def test_exit_status_as_python_dash_m_gives_it(tmp_path: Path, args: tuple[str, ...], expected: int) -> None:
    code, _, stderr = probe(tmp_path, *args)
    assert code == expected
    if args == ("raise",):
        assert "Traceback" in stderr and "ValueError: the probe raised" in stderr


def test_killing_the_group_kills_the_grandchildren_and_reports_the_signal(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(preloaded.REPO), "PATH": os.environ.get("PATH", "")}
    process = preloaded.start(PROBE, ["grandchild"], env=env, cwd=tmp_path, stderr=preloaded.STDOUT, modules=MODULES)
    assert process.stdout is not None
    grandchild = None
    for line in process.stdout:
        if line.startswith("grandchild "):
            grandchild = int(line.split()[1])
            break
    assert grandchild is not None and process.poll() is None
    process.kill_group()
    assert process.wait() == -signal.SIGKILL
    process.stdout.read()  # returns (EOF): every process that held the pipe is gone
    deadline = time.monotonic() + 30
    while _alive(grandchild):  # reaped by init once killed
        assert time.monotonic() < deadline, f"the grandchild {grandchild} outlived its group"
        time.sleep(0.05)
    process.stdout.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split(") ")[-1][:1] != "Z"


def test_a_hung_child_is_killed_at_the_timeout(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(preloaded.REPO), "PATH": os.environ.get("PATH", "")}
    result = preloaded.run(PROBE, ["grandchild"], env=env, cwd=tmp_path, timeout=2, modules=MODULES)
    assert result.returncode == -signal.SIGKILL
    assert "grandchild" in result.stdout


def test_the_plain_subprocess_fallback(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("RBI_TEST_PRELOAD", "0")
    env = {"PYTHONPATH": str(preloaded.REPO)}
    result = preloaded.run(PROBE, ["exit", "4"], env=env, cwd=tmp_path, timeout=60, modules=MODULES)
    seen = json.loads(result.stdout.splitlines()[0])
    assert result.returncode == 4 and seen["imported_at_start"] == seen["pid"]  # imported by itself
    assert result.args[:3] == [sys.executable, "-m", PROBE]
    hung = preloaded.run(PROBE, ["grandchild"], env={**env, "PATH": os.environ["PATH"]}, cwd=tmp_path, timeout=2)
    assert hung.returncode == -signal.SIGKILL and "grandchild" in hung.stdout  # killed with its group, as forked


def test_the_plain_subprocess_fallback_of_start_leads_its_own_group_too(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("RBI_TEST_PRELOAD", "0")
    env = {"PYTHONPATH": str(preloaded.REPO)}
    process = preloaded.start(PROBE, ["exit", "5"], env=env, cwd=tmp_path, stderr=preloaded.STDOUT, modules=MODULES)
    assert isinstance(process, preloaded.PlainProcess)
    assert process.stdout is not None
    seen = json.loads(process.stdout.readline())
    assert process.wait(timeout=60) == 5 and seen["pgid"] == seen["pid"] == process.pid
    assert process.stdout.read() == "to stderr\n"  # stderr on the same pipe
    process.stdout.close()
