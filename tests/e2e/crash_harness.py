"""Start `make run`'s command in its own process group, watch its console and SIGKILL the whole group
when a given line appears (a stage has started; the run stops itself on writing that line,
tests/e2e/stop_at_line.py), or let it finish."""

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from tests import preloaded
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


def start(
    inputs: Path, output: Path, config: Path | None = None, stop_at: str | None = None
) -> "preloaded.Process | preloaded.PlainProcess":
    """`make run`'s command, forked from the preloaded interpreter (tests/preloaded/) in its own
    process group (dbt and every child go with it), stdout and stderr on one pipe; with ``stop_at``
    (a regex) the run stops itself as it writes the first matching console line
    (tests/e2e/stop_at_line.py)."""
    module, args = "orchestration.run", ["publish_all", *(["-c", str(config)] if config is not None else [])]
    if stop_at is not None:
        module, args = "tests.e2e.stop_at_line", [stop_at, module, *args]
    return preloaded.start(module, args, env=environment(inputs, output), cwd=REPO, stderr=preloaded.STDOUT)


def kill_group(process: "preloaded.Process | preloaded.PlainProcess") -> None:
    process.kill_group()


def run(inputs: Path, output: Path, kill_at: str | None = None, config: Path | None = None) -> Outcome:
    """Run the pipeline; with ``kill_at`` (a regex), SIGKILL its process group at the first console
    line that matches (the run stops itself there first: no step can end in between)."""
    process = start(inputs, output, config, stop_at=kill_at)
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
