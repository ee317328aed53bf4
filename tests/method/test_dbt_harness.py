"""The dbt harness of the method tests hands its first parse to the next dbt invocations; forked from
the warmed-up server (tests/method/dbt_warm_up.py), a build writes its own warehouse, not the
warm-up's (whose register has one row, not two)."""

from pathlib import Path

from tests import preloaded
from tests.method.dbt_harness import query, run_dbt, write_tables
from tests.method.test_release_id_sql import REGISTER


def test_a_second_warehouse_elsewhere_reuses_the_partial_parse(tmp_path: Path) -> None:
    logs = []
    for folder in ("one", "two"):
        warehouse = tmp_path / folder / "warehouse.duckdb"
        write_tables(warehouse, {"raw.source_register": REGISTER})
        run_dbt(warehouse, ["stg_sources__register"])
        assert query(warehouse, "select count(*) as n from staging.stg_sources__register") == [{"n": 2}]
        logs.append((warehouse.parent / "dbt_target" / "logs" / "dbt.log").read_text(encoding="utf-8"))
    assert "Unable to do partial parsing" not in logs[1], logs[1][:3000]
    assert "Partial parsing enabled" in logs[1]
    if preloaded.enabled():  # the first build too: it reads the warm-up's parse
        assert "Unable to do partial parsing" not in logs[0], logs[0][:3000]
