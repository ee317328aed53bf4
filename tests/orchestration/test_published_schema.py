"""The analysts' `published` schema: one transaction, the published tables with the release's full
id (numbers id + presentation revision), not the numbers id the marts hold."""

from pathlib import Path

import duckdb

from orchestration.publication import published_schema


def test_published_tables_carry_the_release_id_and_replace_the_old_ones(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.release_info as select 'demo-rbi-1.1-20261129-abcd1234' as release_id")
        con.execute(
            "create table marts.index_sector_year as select 'demo-rbi-1.1-20261129-abcd1234' as release_id, 1 as rank"
        )
        con.execute("create table marts.sources as select 'ssb' as source_id")
    relations = ["marts.index_sector_year", "marts.sources", "marts.release_info"]
    full = "demo-rbi-1.1-20261129-abcd1234-p0a1b2c"
    published_schema.promote(warehouse, relations, full)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select release_id from published.release_info").fetchall() == [(full,)]
        assert con.execute("select release_id, rank from published.index_sector_year").fetchall() == [(full, 1)]
        assert con.execute("select source_id from published.sources").fetchall() == [("ssb",)]
        comment = con.execute(
            "select comment from duckdb_tables() where schema_name = 'published' and table_name = 'release_info'"
        ).fetchone()[0]
    assert full in comment
