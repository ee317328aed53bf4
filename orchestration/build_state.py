"""Is the warehouse's dbt build complete? ``<warehouse dir>/build.json`` says so.

The dbt asset writes ``{"state": "building", ...}`` before dbt starts and ``"complete"`` after every
model and test of the invocation succeeded. A run killed or failed in dbt leaves "building": the
marts may then hold two builds at once (some tables new, some old), so the gate and the publication
refuse to read them, and the next dbt step rebuilds every model, whatever its run selected.
"""

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

STATE_FILE = "build.json"


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


def read_state(warehouse_dir: Path) -> BuildState | None:
    """The recorded state, or None before the first build (or for a warehouse built before this
    file existed)."""
    try:
        data = json.loads((warehouse_dir / STATE_FILE).read_text(encoding="utf-8"))
        return BuildState(str(data["state"]), str(data["run_id"]), str(data["at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(warehouse_dir: Path, state: str, run_id: str) -> None:
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    record = {"state": state, "run_id": run_id, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    tmp = warehouse_dir / f".{STATE_FILE}.tmp"
    tmp.write_text(json.dumps(record, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, warehouse_dir / STATE_FILE)


def mark_building(warehouse_dir: Path, run_id: str) -> None:
    _write(warehouse_dir, "building", run_id)


def mark_complete(warehouse_dir: Path, run_id: str) -> None:
    _write(warehouse_dir, "complete", run_id)


def interrupted(warehouse_dir: Path) -> BuildState | None:
    """The state of a build that started and never finished, if any."""
    state = read_state(warehouse_dir)
    return state if state is not None and not state.complete else None


def require_complete(warehouse_dir: Path) -> None:
    """Raise :class:`IncompleteBuild` unless the last dbt build finished."""
    state = interrupted(warehouse_dir)
    if state is not None:
        raise IncompleteBuild(
            f"the warehouse marts come from a dbt build that did not finish (run {state.run_id}, started "
            f"{state.at}): they may mix two builds, so nothing is read from them. The next run rebuilds "
            "every dbt model before the gate."
        )
