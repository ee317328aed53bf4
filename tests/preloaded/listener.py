"""A preloaded interpreter that other processes reach by a socket path: the pipeline's own `dbt`
subprocess in the tests, forked from an interpreter that has imported dbt (and built once) instead
of a fresh `rbi-dbt` that imports it again (~3 s of CPU per pipeline run).

    python -m tests.preloaded.listener <socket path> <module to import>...

It prints ``ready`` on stdout once its imports are done and it listens, and ends when its stdin
closes (the test process that started it is gone). Each connection is one command, sent by
tests/preloaded/dbt_client.py: ``{"module": ..., "args": [...], "env": {...}, "cwd": ...}`` with the
client's stdin, stdout and stderr beside it (SCM_RIGHTS). For each, a forked handler forks the
command's process exactly as tests/preloaded/server.py does (its own session, the environment and
folder it was sent, a normal interpreter exit), answers ``{"returncode": R}`` when it exits, and
kills its whole process group (SIGKILL) as soon as the client's connection closes first: a client
killed with its pipeline run (a crash test, a timeout) takes its dbt along, as a real subprocess of
the run would go.
"""

import contextlib
import os
import select
import signal
import socket
import sys
from importlib import import_module
from typing import Any

from tests.preloaded.server import answer, receive, run_child


def _handle(conn: socket.socket) -> int:
    """In a forked handler: run one command of ``conn`` and report its exit; its exit status."""
    request, fds = receive(conn)
    if request is None or len(fds) != 3:
        return 1
    pid = os.fork()
    if pid == 0:
        conn.close()
        # a normal interpreter exit, as `python -m` ends (atexit handlers, DuckDB closing its files)
        raise SystemExit(_command(request, fds))
    for fd in fds:
        os.close(fd)
    exited = os.pidfd_open(pid)
    readable, _, _ = select.select([conn, exited], [], [])
    if exited not in readable:  # the client's end closed (or spoke) before the command ended
        with_group_killed(pid)
    _pid, status = os.waitpid(pid, 0)
    returncode = os.waitstatus_to_exitcode(status)
    with contextlib.suppress(OSError):  # the client may be gone
        answer(conn, {"returncode": returncode})
    return 0


def _command(request: dict[str, Any], fds: list[int]) -> int:
    """The command's process: stdin, stdout and stderr are the client's own."""
    stdin, stdout, stderr = fds
    os.dup2(stdin, 0)
    os.close(stdin)
    return run_child(request, [stdout, stderr], stdin=0)


def with_group_killed(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def serve(listening: socket.socket) -> None:
    """Accept commands until stdin closes; each is handled by a forked process of its own."""
    while True:
        readable, _, _ = select.select([listening, sys.stdin], [], [])
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1):
            return
        while True:  # the handlers that have ended
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
        if listening in readable:
            conn, _address = listening.accept()
            pid = os.fork()
            if pid == 0:
                listening.close()
                os._exit(_handle(conn))
            conn.close()


def main(argv: list[str]) -> int:
    path, modules = argv[0], argv[1:]
    for module in modules:
        import_module(module)
    import gc

    gc.freeze()  # what the imports built is shared with every command, never collected there
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listening.bind(path)
    listening.listen(16)
    print("ready", flush=True)
    serve(listening)
    os._exit(0)  # as tests/preloaded/server.py: nothing of the imports needs finalising


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
