"""A bounded wait when someone else holds the DuckDB warehouse open.

DuckDB lets one process write a file, and a process that has it open read-only (an analyst's
session) keeps writers out. Instead of failing at once on "Could not set lock", the pipeline's
connections (raw writers, the gate, the publication) and the start of dbt wait up to
``RBI_WAREHOUSE_WAIT_SECONDS`` (default 120) and then fail with a message saying who holds it.
A caller may pass ``on_long_wait``: called once when the wait passes ``RBI_WAREHOUSE_ALERT_SECONDS``
(default 30) with the seconds waited, so that a person hears of it (orchestration sends an alert).
"""

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

DEFAULT_WAIT_SECONDS = 120.0
DEFAULT_ALERT_SECONDS = 30.0
POLL_SECONDS = 1.0
_HOLDER = re.compile(r"Conflicting lock is held in (.+?\(PID \d+\))")


class WarehouseBusy(RuntimeError):
    """The warehouse stayed locked by another process for the whole wait."""


def wait_seconds() -> float:
    value = os.environ.get("RBI_WAREHOUSE_WAIT_SECONDS", "").strip()
    return float(value) if value else DEFAULT_WAIT_SECONDS


def alert_seconds() -> float:
    value = os.environ.get("RBI_WAREHOUSE_ALERT_SECONDS", "").strip()
    return float(value) if value else DEFAULT_ALERT_SECONDS


def _is_lock_error(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


def busy_message(path: Path, exc: Exception, waited: float) -> str:
    found = _HOLDER.search(str(exc))
    holder = f"process {found.group(1)}" if found else "another process"
    return (
        f"the warehouse {path} is held open by {holder}; waited {waited:.0f} s for it. DuckDB lets no "
        "one write the file while another process has it open, even read-only: close that connection "
        "(an analyst's session) and start the run again. RBI_WAREHOUSE_WAIT_SECONDS sets the wait."
    )


def connect(
    path: Path,
    read_only: bool = False,
    log: Callable[[str], None] | None = None,
    on_long_wait: Callable[[float], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` that waits (bounded) while another process holds the file."""
    deadline = time.monotonic() + wait_seconds()
    started = time.monotonic()
    told = alerted = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(busy_message(path, exc, time.monotonic() - started)) from exc
            if log is not None and not told:
                log(f"waiting up to {wait_seconds():.0f} s: {busy_message(path, exc, 0).split(';')[0]}")
                told = True
            waited = time.monotonic() - started
            if on_long_wait is not None and not alerted and waited >= alert_seconds():
                on_long_wait(waited)
                alerted = True
            time.sleep(POLL_SECONDS)


def wait_until_writable(
    path: Path, log: Callable[[str], None] | None = None, on_long_wait: Callable[[float], None] | None = None
) -> None:
    """Return once this process could open the warehouse for writing (for dbt, which opens it itself)."""
    if not path.exists():
        return
    connect(path, log=log, on_long_wait=on_long_wait).close()
