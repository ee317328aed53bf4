"""The pipeline runs of the tests run their dbt forked from a warm interpreter.

A pipeline run starts `rbi-dbt build ...` as a subprocess (dagster-dbt), which imports dbt again
(~3 s of CPU) and runs dbt's first invocation in a fresh process. With the variables of
``environment()`` in a run's environment, `rbi-dbt` hands the command to a small client
(``RBI_DBT_EXECUTABLE``, orchestration/warehouse/dbt_executable.py), which hands it with its stdin,
stdout and stderr to this process's listener (tests/preloaded/listener.py): an interpreter that has
imported dbt and run one build (tests/method/dbt_warm_up.py), forking the command from there. The
command's output, exit status and files are those of `rbi-dbt`; a client killed with its run takes
its dbt along. ``RBI_TEST_PRELOAD=0``: no variables, a real `rbi-dbt`.
"""

import atexit
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests import preloaded
from tests.method.dbt_harness import DBT_MODULES
from tests.method.dbt_warm_up import WARM_UP_FOLDER
from tests.preloaded.dbt_client import LISTENER

CLIENT = Path(__file__).with_name("dbt_client.py")


class Listener:
    """A listener preloading ``modules`` (this process's dbt listener by default), and the client's
    wrapper script beside its socket."""

    def __init__(self, modules: tuple[str, ...] = DBT_MODULES) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="rbi-dbt-listener-"))
        self.socket = self.folder / "socket"
        self.client = self.folder / "dbt"
        # `python -S`: the client needs the standard library only, not the site-packages' start-up
        self.client.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "{CLIENT}" "$@"\n', encoding="utf-8")
        self.client.chmod(0o755)
        (self.folder / "warm-up").mkdir()
        env = {**os.environ, "PYTHONPATH": str(preloaded.REPO), WARM_UP_FOLDER: str(self.folder / "warm-up")}
        command = [sys.executable, "-m", "tests.preloaded.listener", str(self.socket), *modules]
        self.process = subprocess.Popen(
            command, cwd=preloaded.REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.ready = False

    def wait_ready(self) -> None:
        if not self.ready:
            assert self.process.stdout is not None
            line = self.process.stdout.readline()
            if line != "ready\n":
                status = self.process.wait()
                self.close()  # its folder too: nothing is left behind in the temporary folder
                raise RuntimeError(f"the dbt listener did not start (status {status}): {line!r}")
            self.ready = True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            assert self.process.stdin is not None
            self.process.stdin.close()  # the listener ends when its stdin closes
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


_listener: list[Listener] = []


def environment() -> dict[str, str]:
    """The variables that send a pipeline run's dbt to this process's listener (started now if it
    is not running); none with ``RBI_TEST_PRELOAD=0``."""
    if not preloaded.enabled():
        return {}
    if not _listener or _listener[0].process.poll() is not None:
        if _listener:
            _listener.pop().close()
        _listener.append(Listener())
    _listener[0].wait_ready()
    return {"RBI_DBT_EXECUTABLE": str(_listener[0].client), LISTENER: str(_listener[0].socket)}


@atexit.register
def _stop() -> None:
    for each in _listener:
        each.close()
