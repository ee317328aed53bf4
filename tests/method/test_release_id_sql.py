"""int_release: the numbers part of the release id. A build with a non-default number of bootstrap
replicates (RBI_BOOTSTRAP_REPLICATES) can never claim the official id: it gets a `b<B>-` segment."""

import re
from pathlib import Path

import pandas as pd
import pytest

from tests.method.dbt_harness import query, run_dbt, write_tables

REGISTER = pd.DataFrame(
    {
        "source_id": ["DEMO-2025", "ssb_employment"],
        "kind": ["survey", "snapshot"],
        "title": ["demo", "employment"],
        "publisher": ["project", "SSB"],
        "url": [None, "https://www.ssb.no"],
        "licence": ["CC0", "CC BY 4.0"],
        "retrieved_at": ["2026-11-25T00:00:00Z", "2026-11-20T00:00:00Z"],
        "sha256": ["ab" * 32, "cd" * 32],
        "origin": ["demonstration", "transcribed"],
        "data_status": ["demonstration", "published"],
        "snapshot_id": ["a", "b"],
    }
)


def release_id(tmp_path: Path, replicates: str | None) -> str:
    warehouse = tmp_path / "warehouse.duckdb"
    write_tables(warehouse, {"raw.source_register": REGISTER})
    env = {"RBI_BOOTSTRAP_REPLICATES": replicates} if replicates is not None else {}
    run_dbt(warehouse, ["stg_sources__register", "int_release"], env=env)
    return str(query(warehouse, "select release_id from intermediate.int_release")[0]["release_id"])


@pytest.mark.parametrize(("replicates", "segment"), [("200", "-b200-"), ("1000", None), (None, None)])
def test_non_default_bootstrap_replicates_get_their_own_release_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replicates: str | None, segment: str | None
) -> None:
    monkeypatch.delenv("RBI_BOOTSTRAP_REPLICATES", raising=False)
    found = release_id(tmp_path, replicates)
    version = r"\d+\.\d+"  # the method version of dbt_project.yml
    expected = (
        rf"^demo-rbi-{version}-b200-20261125-[0-9a-f]{{8}}$"
        if segment
        else rf"^demo-rbi-{version}-20261125-[0-9a-f]{{8}}$"
    )
    assert re.match(expected, found), found
