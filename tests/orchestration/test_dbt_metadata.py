"""dbt assets carry row counts and column types, read after dbt exits through a read-only
connection that is closed again (so the gate can open the warehouse in the same process); dbt
tests are described; the gated marts show their gate check, not the dbt tests the gate covers."""

import json
from pathlib import Path

import duckdb
from dagster import AssetKey, Output

from orchestration.definitions import defs
from orchestration.warehouse.dbt_metadata import with_table_metadata
from orchestration.warehouse.dbt_test_descriptions import describe_dbt_test


def test_row_count_and_columns_are_added_and_the_warehouse_is_released(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts; create table marts.t as select 1 as a, 'x' as b union all select 2, 'y'")
        con.execute("create view marts.v as select * from marts.t")
    manifest = tmp_path / "manifest.json"

    def node(name: str, materialized: str) -> dict:
        config = {"materialized": materialized}
        return {"schema": "marts", "alias": name, "name": name, "resource_type": "model", "config": config}

    nodes = {"model.p.t": node("t", "table"), "model.p.v": node("v", "view")}
    manifest.write_text(json.dumps({"nodes": nodes}), encoding="utf-8")
    events = [
        Output(None, output_name="t", metadata={"unique_id": "model.p.t"}),
        Output(None, output_name="v", metadata={"unique_id": "model.p.v"}),
        Output(None, output_name="other", metadata={"unique_id": "model.p.missing"}),
    ]
    table, view, other = list(with_table_metadata(iter(events), warehouse, manifest))
    assert table.metadata["dagster/row_count"].value == 2
    assert [(c.name, c.type) for c in table.metadata["dagster/column_schema"].schema.columns] == [
        ("a", "INTEGER"),
        ("b", "VARCHAR"),
    ]
    assert table.metadata["dagster/table_name"].text == "marts.t"
    assert "dagster/row_count" not in view.metadata and "dagster/column_schema" in view.metadata
    assert other.metadata == events[2].metadata
    # no connection is left open: a read-write and a read-only connection can be opened now
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute("select count(*) from marts.t").fetchone() == (2,)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.v").fetchone() == (2,)


def test_dbt_tests_are_described() -> None:
    node = {
        "test_metadata": {"name": "between", "kwargs": {"column_name": "index", "min_value": 0, "max_value": 100}},
        "column_name": "index",
    }
    assert describe_dbt_test(node).startswith("`index` >= 0 and <= 100. dbt test, runs inside `dbt build`")
    combo = {"test_metadata": {"name": "unique_combination", "kwargs": {"columns": ["year", "sector_code"]}}}
    assert describe_dbt_test(combo).startswith("One row per (year, sector_code).")


def test_gate_checks_stand_alone_on_the_marts_and_dbt_checks_have_descriptions() -> None:
    graph = defs.get_repository_def().asset_graph
    on_marts = {}
    for key in graph.asset_check_keys:
        spec = graph.get_check_spec(key)
        assert spec.description, key
        on_marts.setdefault(key.asset_key, []).append(key.name)
    for table in ("index_sector_year", "component_sector_year", "context_sector_year", "sensitivity"):
        assert on_marts[AssetKey(["marts", table])] == [f"gate_{table}"]
        spec = graph.get_check_spec(next(k for k in graph.asset_check_keys if k.name == f"gate_{table}"))
        assert spec.description.startswith("QUALITY GATE") and spec.blocking
    dbt_checks = [k for k in graph.asset_check_keys if not k.name.startswith("gate_")]
    assert len(dbt_checks) > 30  # the dbt tests of staging, intermediate and the other marts stay visible
