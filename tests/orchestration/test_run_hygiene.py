"""What interrupted runs leave is cleaned; a half-written dbt build is refused; an emptied index is
a lost sector; the warehouse wait is bounded and says who holds it."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from expectations import coverage
from orchestration.runs import stale_files
from orchestration.warehouse import build_state
from publication.diff import release_changes
from storage import warehouse_wait
from storage.paths import Paths

REPO = Path(__file__).resolve().parents[2]


def test_partial_releases_and_temporary_pointers_are_removed(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    (releases / ".partial-r2").mkdir(parents=True)
    (releases / ".partial-r2" / "index_sector_year.csv").write_text("half")
    (releases / "r1").mkdir()
    (releases / ".latest.tmp").symlink_to("r1")
    (releases / "LATEST").write_text("r1\n")
    assert stale_files.remove_partial_releases(releases) == [".latest.tmp", ".partial-r2"]
    assert sorted(p.name for p in releases.iterdir()) == ["LATEST", "r1"]


def test_dbt_artefacts_are_bounded(tmp_path: Path) -> None:
    for i in range(6):
        folder = tmp_path / f"run{i}"
        folder.mkdir()
        (folder / "run_results.json").write_text("{}")
        os.utime(folder / "run_results.json", (1000 + i, 1000 + i))
    removed = stale_files.bound_dbt_targets(tmp_path, keep=3)
    assert sorted(removed) == ["run0", "run1", "run2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run3", "run4", "run5"]


def test_a_build_that_did_not_finish_is_refused(tmp_path: Path) -> None:
    state = Paths.from_env(output=tmp_path).build_state
    build_state.require_complete(state)  # no build recorded yet (an older warehouse)
    build_state.mark_building(state, "run-1")
    assert build_state.interrupted(state).run_id == "run-1"
    with pytest.raises(build_state.IncompleteBuild, match="did not finish \\(run run-1"):
        build_state.require_complete(state)
    build_state.mark_complete(state, "run-2")
    build_state.require_complete(state)
    assert build_state.interrupted(state) is None
    # next to the warehouse, restricted like it (storage/restricted.py)
    assert state.parent == Paths.from_env(output=tmp_path).warehouse.parent
    assert stat.S_IMODE(state.stat().st_mode) == 0o640
    assert stat.S_IMODE(state.parent.stat().st_mode) == 0o750


PREVIOUS = [
    {"year": "2024", "sector_code": "NAV", "index": "61.0"},
    {"year": "2025", "sector_code": "NAV", "index": "60.0"},
    {"year": "2025", "sector_code": "SYKEHUS", "index": "47.1"},
    {"year": "2025", "sector_code": "POLITI", "index": ""},
]


def test_an_emptied_index_is_a_lost_sector() -> None:
    current = [
        {"year": 2024, "sector_code": "NAV", "index": 61.0},
        {"year": 2025, "sector_code": "NAV", "index": 60.0},
        {"year": 2025, "sector_code": "SYKEHUS", "index": float("nan")},  # the rows stay, empty
        {"year": 2025, "sector_code": "POLITI", "index": None},
    ]
    assert coverage.lost(PREVIOUS, current) == {"sectors": ["SYKEHUS"], "years": []}
    [line] = coverage.failure_lines(PREVIOUS, current)
    assert line.startswith("sector SYKEHUS lost: it had an index in the previous release (years 2025)")
    assert "1 row(s) left, index empty" in line
    without_2024 = [r for r in current if r["year"] != 2024]
    assert coverage.lost(PREVIOUS, without_2024)["years"] == ["2024"]
    assert coverage.failure_lines(PREVIOUS, PREVIOUS) == []


def test_changes_json_reports_an_emptied_sector_as_removed() -> None:
    after = [dict(r, index="" if r["sector_code"] == "SYKEHUS" else r["index"]) for r in PREVIOUS]
    changes = release_changes("a", "1.0", {"index_sector_year": PREVIOUS}, "1.0", {"index_sector_year": after})
    assert changes["sectors_removed"] == ["SYKEHUS"] and changes["years_removed"] == []


HOLD_OPEN = (
    "import duckdb, sys, time\n"
    "con = duckdb.connect(sys.argv[1], read_only=True)\n"
    "print('open', flush=True)\n"
    "time.sleep(600)\n"
)


def test_the_warehouse_wait_is_bounded_and_names_the_holder(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "warehouse.duckdb"
    warehouse_wait.connect(path).close()
    analyst = subprocess.Popen([sys.executable, "-c", HOLD_OPEN, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout is not None and analyst.stdout.readline().strip() == "open"
        monkeypatch.setenv("RBI_WAREHOUSE_WAIT_SECONDS", "1")
        waits: list[str] = []
        with pytest.raises(warehouse_wait.WarehouseBusy) as caught:
            warehouse_wait.connect(path, log=waits.append)
        message = str(caught.value)
        assert f"(PID {analyst.pid})" in message and "waited 1 s" in message
        assert "close that connection" in message and "-readonly" not in message
        assert len(waits) == 1 and waits[0].startswith("waiting up to 1 s")
    finally:
        analyst.kill()
        analyst.wait()
    warehouse_wait.connect(path).close()  # free again
