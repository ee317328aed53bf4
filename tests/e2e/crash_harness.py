"""Start `make run`'s command in its own process group, watch its console and SIGKILL the whole group
when a given line appears (a stage has started), or let it finish."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.harness import REPO, _environment

TIMEOUT = 1200

# the console line that shows each stage running (DEBUG console logs show every step start; dbt's
# own lines show each node as it starts)
STAGES = {
    "raw writes": r"raw\.demo_population: \d+ rows",  # the first raw table is written, the next ones are being written
    "dbt seeds": r"START seed file method\.components ",
    "bootstrap model": r"START python table model intermediate\.int_component_replicates ",
    "marts": r"START sql table model marts\.index_sector_year ",
    "gate": r'Started execution of step "[^"]*gate_index_sector_year"',
    "publication": r'Started execution of step "csv_release"',
}
DEBUG_CONFIG = "loggers:\n  console:\n    config:\n      log_level: DEBUG\n"


@dataclass
class Outcome:
    returncode: int
    output: str
    killed: bool


def environment(inputs: Path, output: Path) -> dict[str, str]:
    """`make run`'s environment (the default B = 1000: the reference is the session's shared run of
    the tiny inputs, tests/e2e/shared_runs.py; on them the bootstrap takes well under a second)."""
    return _environment(inputs, output)


def start(inputs: Path, output: Path, config: Path | None = None) -> subprocess.Popen:
    command = [sys.executable, "-m", "orchestration.run", "publish_all"]
    if config is not None:
        command += ["-c", str(config)]
    return subprocess.Popen(
        command,
        cwd=REPO,
        env=environment(inputs, output),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: dbt and every child go with it
    )


def kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def run(inputs: Path, output: Path, kill_at: str | None = None, config: Path | None = None) -> Outcome:
    """Run the pipeline; with ``kill_at`` (a regex), SIGKILL its process group on the first console
    line that matches."""
    process = start(inputs, output, config)
    timer = threading.Timer(TIMEOUT, kill_group, [process])
    timer.start()
    lines, killed = [], False
    pattern = re.compile(kill_at) if kill_at else None
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if pattern is not None and pattern.search(line):
                kill_group(process)
                killed = True
                break
        process.wait()
    finally:
        timer.cancel()
        if process.stdout is not None:
            process.stdout.close()
    return Outcome(process.returncode, "".join(lines), killed)
