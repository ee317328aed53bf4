"""The `dbt` a pipeline run of the tests runs (``RBI_DBT_EXECUTABLE``, through the wrapper
tests/preloaded/dbt.py writes): it hands its arguments, environment, folder, stdin, stdout and
stderr to the listener at ``$RBI_TEST_DBT_LISTENER`` (tests/preloaded/listener.py), which runs
``rbi-dbt`` with them, and exits with that command's status. Standard library only, started with
``python -S``: it costs a few milliseconds where a fresh ``rbi-dbt`` imports dbt (~3 s of CPU).

Killed (SIGKILL with its pipeline run's process group, or SIGTERM/SIGINT), its connection closes
and the listener kills the command's whole process group.
"""

import json
import os
import signal
import socket
import sys

LISTENER = "RBI_TEST_DBT_LISTENER"
COMMAND = "orchestration.warehouse.dbt_executable"  # rbi-dbt: dbt's own command line
OTHER_COMMAND = "RBI_TEST_LISTENER_COMMAND"  # another module to run (tests/preloaded/test_listener.py)


def main(argv: list[str]) -> int:
    env = dict(os.environ)
    path = env.pop(LISTENER)
    module = env.pop(OTHER_COMMAND, COMMAND)
    env.pop("RBI_DBT_EXECUTABLE", None)  # the forked rbi-dbt runs dbt itself, not this client again
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    for signum in (signal.SIGTERM, signal.SIGINT):  # closing the connection stops the command
        signal.signal(signum, lambda signum, _frame: os._exit(128 + signum))
    request = {"module": module, "args": argv, "env": env, "cwd": os.getcwd()}
    socket.send_fds(conn, [json.dumps(request).encode()], [0, 1, 2])
    reply = conn.makefile("r", encoding="utf-8").readline()
    returncode = json.loads(reply)["returncode"] if reply else 1
    if returncode < 0:  # killed by a signal: the same status for the run that waits on the client
        signal.signal(-returncode, signal.SIG_DFL)
        os.kill(os.getpid(), -returncode)
    return returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
