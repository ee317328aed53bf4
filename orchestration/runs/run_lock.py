"""One run at a time per output directory: an exclusive lock on ``<output>/run.lock``, held for a
whole run.

The lock is an ``flock`` on the file, so the kernel releases it when the holding process ends in any
way (exit, crash, SIGKILL, reboot): a dead run never leaves a stale lock behind. The file's content
says who holds it (pid, host, run id, since), so a second run can say at once who is in the way.

Plain Python (no Dagster): used by ``python -m orchestration.run`` before a run exists, by the
run guard resource inside every run, and by the sensors and the schedule to skip while a run works.
A process may ask again for a lock it already holds (the entry point takes it, then the run's guard
finds it held by its own process).
"""

import fcntl
import json
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.paths import Paths

ATTEMPTS = 5
RETRY_SECONDS = 0.1

_HELD: dict[Path, "RunLock"] = {}  # the locks this process holds, by resolved output directory


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str
    run_id: str
    since: str  # ISO 8601, UTC
    command: str = ""

    def describe(self) -> str:
        run = f"run {self.run_id}" if self.run_id else "a run"
        what = f" ({self.command})" if self.command else ""
        return f"{run}{what}, process {self.pid} on {self.host}, since {self.since}"


class RunLockHeld(RuntimeError):
    """Another live process holds the output directory."""

    def __init__(self, output: Path, holder: Holder | None) -> None:
        self.output = output
        self.holder = holder
        who = holder.describe() if holder else "another process (no holder information yet)"
        super().__init__(
            f"output directory {output} is in use by {who}. One run at a time writes an output "
            "directory; this run did nothing. Wait for that run to finish (or stop it) and start again."
        )


def lock_path(output: Path) -> Path:
    """``Paths.run_lock`` of the output directory ``output``."""
    return Paths.from_env(output=output).run_lock


def read_holder(output: Path) -> Holder | None:
    """Who holds (or last held) the lock, from the lock file; None when unreadable."""
    try:
        data = json.loads(lock_path(output).read_text(encoding="utf-8"))
        return Holder(**{k: data[k] for k in ("pid", "host", "run_id", "since")}, command=data.get("command", ""))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class RunLock:
    """The lock of one output directory, held by this process."""

    def __init__(self, output: Path, fd: int, holder: Holder) -> None:
        self.output = output
        self._fd = fd
        self.holder = holder

    def set_run_id(self, run_id: str) -> None:
        """Record the Dagster run id once the run exists."""
        self.holder = Holder(self.holder.pid, self.holder.host, run_id, self.holder.since, self.holder.command)
        _write_holder(self._fd, self.holder)

    def release(self) -> None:
        if _HELD.get(self.output) is self:
            del _HELD[self.output]
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)


def _write_holder(fd: int, holder: Holder) -> None:
    data = (json.dumps(holder.__dict__, sort_keys=True) + "\n").encode("utf-8")
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    os.fsync(fd)


def held_here(output: Path) -> RunLock | None:
    """The lock of ``output`` if this process holds it."""
    return _HELD.get(output.resolve())


def acquire(output: Path, run_id: str = "", command: str = "") -> RunLock:
    """Take the lock of ``output`` at once or raise :class:`RunLockHeld` naming the holder. Returns
    the lock this process already holds when asked again."""
    output = output.resolve()
    if output in _HELD:
        return _HELD[output]
    output.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(output), os.O_RDWR | os.O_CREAT, 0o644)
    for attempt in range(ATTEMPTS):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if attempt == ATTEMPTS - 1:
                os.close(fd)
                raise RunLockHeld(output, read_holder(output)) from None
            time.sleep(RETRY_SECONDS)  # a sensor's look (busy()) holds it for a moment only
    holder = Holder(os.getpid(), socket.gethostname(), run_id, datetime.now(UTC).isoformat(timespec="seconds"), command)
    _write_holder(fd, holder)
    lock = RunLock(output, fd, holder)
    _HELD[output] = lock
    return lock


def busy(output: Path) -> Holder | None:
    """The holder when another process holds the lock of ``output`` now; None when it is free (or
    held by this process). Takes nothing."""
    output = output.resolve()
    if output in _HELD or not lock_path(output).exists():
        return None
    fd = os.open(lock_path(output), os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return read_holder(output) or Holder(0, "?", "", "?")
    finally:
        os.close(fd)  # closing drops the shared lock if it was taken
    return None
