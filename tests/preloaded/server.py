"""The server side of tests/preloaded/__init__.py: an interpreter that imports the given modules once,
then forks one child per command it is sent, each run as ``python -m <module> <args>`` would run.

    python -m tests.preloaded.server <socket fd> <module to import>...

Requests come over a Unix socket (one JSON object per message, the child's stdout and stderr as
file descriptors beside it): ``{"op": "spawn", "module": ..., "args": [...], "env": {...}, "cwd": ...}``
answers ``{"pid": N}`` as soon as the child exists; ``{"op": "wait", "pid": N}`` answers
``{"returncode": R}`` once it has exited (negative: killed by that signal, as in ``subprocess``);
``{"op": "poll", "pid": N}`` answers at once (``returncode`` null while it runs). The server stops
when the socket closes.

The child is its own session (``setsid``: its process group holds dbt and every other process it
starts), gets exactly the environment and working folder it was sent, ``/dev/null`` as stdin, and
runs the module as ``__main__`` with ``runpy`` (what ``python -m`` uses). It leaves through a normal
interpreter exit (``atexit`` handlers and finalisation run, as in a real process). What the imports
built is moved out of the garbage collector's reach first (``gc.freeze``, made for a server that
forks), so a child's collections do not walk it. The server is
single-threaded when it forks (checked): forking a process that runs other threads can copy a lock
held by one of them.
"""

import array
import gc
import json
import os
import runpy
import socket
import sys
import threading
import traceback
from importlib import import_module
from typing import Any

MAX_MESSAGE = 1 << 20  # one request: the environment of a run is a few kB


def receive(sock: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    fds = array.array("i")
    room = socket.CMSG_SPACE(3 * fds.itemsize)  # up to 3: stdin (tests/preloaded/listener.py), stdout, stderr
    data, ancillary, _flags, _address = sock.recvmsg(MAX_MESSAGE, room)
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
    return (json.loads(data) if data else None), list(fds)


def answer(sock: socket.socket, message: dict[str, Any]) -> None:
    sock.sendall(json.dumps(message).encode() + b"\n")


def _returncode(status: int) -> int:
    return os.waitstatus_to_exitcode(status)


def serve(sock: socket.socket) -> tuple[dict[str, Any], list[int]] | None:
    """Answer requests until the socket closes (returns None), or, in a forked child, return the
    request the child is to run."""
    while True:
        request, fds = receive(sock)
        if request is None:
            return None
        op = request["op"]
        if op == "spawn":
            if threading.active_count() != 1:
                raise RuntimeError(f"the preloaded server runs {threading.active_count()} threads: not forking")
            pid = os.fork()
            if pid == 0:
                return request, fds
            for fd in fds:
                os.close(fd)
            answer(sock, {"pid": pid})
        elif op == "wait":
            _pid, status = os.waitpid(request["pid"], 0)
            answer(sock, {"returncode": _returncode(status)})
        elif op == "poll":
            pid, status = os.waitpid(request["pid"], os.WNOHANG)
            answer(sock, {"returncode": _returncode(status) if pid else None})
        else:
            answer(sock, {"error": f"unknown op {op!r}"})


def run_child(request: dict[str, Any], fds: list[int], stdin: int | None = None) -> int:
    """In the forked child: become the command of ``request`` and run it; its exit status. Its stdin
    is ``/dev/null``, or fd 0 as it is with ``stdin=0`` (tests/preloaded/listener.py)."""
    os.setsid()
    stdout, stderr = fds
    source_in = os.open(os.devnull, os.O_RDONLY) if stdin is None else stdin
    for source, target in ((source_in, 0), (stdout, 1), (stderr, 2)):
        if source != target:
            os.dup2(source, target)
    for fd in {source_in, stdout, stderr} - {0, 1, 2}:
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = [request["module"], *request["args"]]
    try:
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    except BaseException:  # what an uncaught exception does to `python -m`: the traceback, status 1
        traceback.print_exc()
        return 1
    return 0


def main(argv: list[str]) -> int:
    sock = socket.socket(fileno=int(argv[0]))
    for module in argv[1:]:
        import_module(module)
    gc.freeze()  # what the imports built is shared with every child, never collected there
    answer(sock, {"ready": sorted(argv[1:])})
    child = serve(sock)
    if child is None:
        # the server itself ends without tearing its imports down: nothing of it needs finalising,
        # and the frozen heap would only make DuckDB's bindings report "leaked" objects at exit
        os._exit(0)
    sock.close()
    return run_child(*child)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
