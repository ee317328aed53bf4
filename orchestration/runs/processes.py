"""Is a process alive? (Linux /proc, with a portable fallback.) Used to tell a dead run from a live one."""

import os
import socket
from pathlib import Path

HOST = socket.gethostname()


def start_ticks(pid: int) -> int | None:
    """When the process started (clock ticks since boot, /proc/<pid>/stat field 22); None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[19])


def _state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()[0]


def alive(pid: int, ticks: int | None = None) -> bool:
    """True when process ``pid`` runs on this host (not a zombie) and, given ``ticks``, is the same
    process that started then (not a later process that reused the pid)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    if _state(pid) in ("Z", "X"):
        return False
    return ticks is None or start_ticks(pid) in (None, ticks)


def boot_time() -> float | None:
    """Boot time (epoch seconds) from /proc/stat, to turn start ticks into a time."""
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def started_at(pid: int) -> float | None:
    """When process ``pid`` started (epoch seconds), if /proc tells."""
    ticks, boot = start_ticks(pid), boot_time()
    if ticks is None or boot is None:
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")
