"""tests/e2e/stop_at_line.py stops the command it runs inside the write of the first matching
console line (the crash harness kills it there): it neither goes on nor exits by itself."""

import json
import signal
import time
from pathlib import Path

from tests import preloaded

PROBE = "tests.preloaded.child_probe"
MODULES = ("tests.preloaded.probe_state",)


def test_the_command_stops_at_the_matching_line_and_goes_no_further(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(preloaded.REPO)}
    # the probe prints its JSON line, then "to stderr", then exits 3 -- unless it is stopped first
    args = ["^to stderr$", PROBE, "exit", "3"]
    process = preloaded.start(
        "tests.e2e.stop_at_line", args, env=env, cwd=tmp_path, stderr=preloaded.STDOUT, modules=MODULES
    )
    assert process.stdout is not None
    seen = json.loads(process.stdout.readline())
    assert seen["argv"] == ["exit", "3"]
    assert process.stdout.readline() == "to stderr\n"
    deadline = time.monotonic() + 30  # the line is flushed just before the process stops itself
    while (status := state(process.pid)) != "T":
        assert status not in ("Z", "X") and time.monotonic() < deadline, f"not stopped: {status}"
        time.sleep(0.01)
    assert process.poll() is None  # stopped (SIGSTOP), not exited with its 3
    process.kill_group()
    assert process.wait() == -signal.SIGKILL
    process.stdout.close()


def state(pid: int) -> str:
    """The process state letter of /proc/<pid>/stat (T: stopped, Z: exited, not yet reaped)."""
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
