"""Is the warehouse's dbt build complete? ``Paths.build_state`` (``<warehouse dir>/build.json``) says so.

The dbt asset writes ``{"state": "building", ...}`` before dbt starts and ``"complete"`` after every
model and test of the invocation succeeded. A run killed or failed in dbt leaves "building": the
marts may then hold two builds at once (some tables new, some old), so the gate and the publication
refuse to read them, and the next dbt step rebuilds every model, whatever its run selected.
The file sits in the restricted warehouse folder and is written owner/group-only like the
warehouse (storage/restricted.py).
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.atomic import write_atomic
from storage.restricted import FILE_MODE, restricted_dir


@dataclass(frozen=True)
class BuildState:
    state: str  # 'building' | 'complete'
    run_id: str
    at: str

    @property
    def complete(self) -> bool:
        return self.state == "complete"


class IncompleteBuild(RuntimeError):
    """The marts are not those of one complete dbt build."""


def read_state(state_file: Path) -> BuildState | None:
    """The recorded state, or None before the first build (or for a warehouse built before this
    file existed)."""
    try:
        data = json.loads(state_file.read_text(encoding="utf-8"))
        return BuildState(str(data["state"]), str(data["run_id"]), str(data["at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(state_file: Path, state: str, run_id: str) -> None:
    restricted_dir(state_file.parent)  # the warehouse folder: owner/group only
    record = {"state": state, "run_id": run_id, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    write_atomic(state_file, (json.dumps(record, sort_keys=True) + "\n").encode("utf-8"), mode=FILE_MODE)


def mark_building(state_file: Path, run_id: str) -> None:
    _write(state_file, "building", run_id)


def mark_complete(state_file: Path, run_id: str) -> None:
    _write(state_file, "complete", run_id)


def interrupted(state_file: Path) -> BuildState | None:
    """The state of a build that started and never finished, if any."""
    state = read_state(state_file)
    return state if state is not None and not state.complete else None


def require_complete(state_file: Path) -> None:
    """Raise :class:`IncompleteBuild` unless the last dbt build finished."""
    state = interrupted(state_file)
    if state is not None:
        raise IncompleteBuild(
            f"the warehouse marts come from a dbt build that did not finish (run {state.run_id}, started "
            f"{state.at}): they may mix two builds, so nothing is read from them. The next run rebuilds "
            "every dbt model before the gate."
        )
