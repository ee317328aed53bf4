"""The gate stops a release that loses a sector: all of NAV's respondents removed, NAV's rows stay
with the index empty; the gate says so, nothing is published, the previous release stays current
and so does the warehouse's `published` schema."""

import json
from pathlib import Path

import duckdb
import pytest

from publication.checksums import verify
from tests.e2e.harness import run_pipeline
from tests.e2e.shared_runs import copy_of_published_tiny

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]  # the shared first run (tests/e2e/shared_runs.py) + 1 run


def published_release(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select release_id from published.release_info").fetchone()[0]


def test_a_release_that_loses_a_sector_is_stopped(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    inputs, output = copy_of_published_tiny(tmp_path_factory, tmp_path)  # the tiny inputs, published
    releases = output / "releases"
    good = (releases / "LATEST").read_text().strip()
    warehouse = output / "warehouse" / "warehouse.duckdb"
    assert published_release(warehouse) == good

    export = inputs / "surveys" / "TINY-2025" / "export.csv"
    lines = export.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line.split(";")[2] != '"2"']  # sektor 2 = NAV
    assert len(kept) < len(lines)
    export.write_text("\n".join(kept) + "\n", encoding="utf-8")

    second = run_pipeline(inputs, output)
    assert second.returncode != 0
    assert "sector NAV lost" in second.stdout + second.stderr
    assert (releases / "LATEST").read_text().strip() == good and verify(releases / good) == []
    [attempt] = list((output / "failed-attempts").iterdir())
    summary = (attempt / "index_sector_year.failures.md").read_text(encoding="utf-8")
    assert "sector NAV lost: it had an index in the previous release (years 2025)" in summary
    assert any(
        "sector NAV lost" in line for line in json.loads((attempt / "index_sector_year.failures.json").read_text())
    )
    # analysts' `published` schema still holds the published build; `marts` holds the blocked one
    assert published_release(warehouse) == good
    with duckdb.connect(str(warehouse), read_only=True) as con:
        nav = con.execute("select index from marts.index_sector_year where sector_code = 'NAV'").fetchall()
        published_nav = con.execute(
            "select index from published.index_sector_year where sector_code = 'NAV'"
        ).fetchall()
    assert all(value is None for (value,) in nav)  # no index (rows gone or left empty)
    assert any(value is not None for (value,) in published_nav)
