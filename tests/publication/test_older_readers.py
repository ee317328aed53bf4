"""The release's analyst file and Parquet files open in the readers analysts have: DuckDB 1.1 and 1.5
(every table and view queried, rows compared with the CSVs) and pyarrow 14 (types a reader expects)."""

import csv
import io
import math
from datetime import UTC, datetime
from pathlib import Path

import pytest

from publication.analyst_db import STORAGE_VERSION, TIMESTAMP_COLUMNS, storage_version
from publication.build import ANALYST_DB, build_release
from publication.csv_writer import escape_text
from publication.store import publish
from tests.publication import release_sample as sample
from tests.publication.older_readers import reader, run_json

DUCKDB_DUMP = r"""
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
out = {"version": duckdb.__version__, "objects": {}}
objects = con.execute(
    "SELECT schema_name, table_name, 'table' FROM duckdb_tables() WHERE NOT internal "
    "UNION ALL SELECT schema_name, view_name, 'view' FROM duckdb_views() WHERE NOT internal "
    "AND database_name = current_database()"
).fetchall()
for schema, name, kind in objects:
    cursor = con.execute(f'SELECT * FROM "{schema}"."{name}"')
    columns = [d[0] for d in cursor.description]
    rows = [[None if v is None else (v if isinstance(v, (int, float, str, bool)) else str(v)) for v in row]
            for row in cursor.fetchall()]
    comment = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = ? "
        "UNION ALL SELECT comment FROM duckdb_views() WHERE schema_name = ? AND view_name = ?",
        [schema, name, schema, name]).fetchone()
    out["objects"][f"{schema}.{name}"] = {"kind": kind, "columns": columns, "rows": rows,
                                          "comment": comment[0] if comment else None}
parquet = {}
for path in sys.argv[2:]:
    parquet[path] = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
out["parquet_rows"] = parquet
print(json.dumps(out))
"""

PYARROW_DUMP = r"""
import json, sys
import pyarrow, pyarrow.parquet as pq
out = {"version": pyarrow.__version__, "files": {}}
for path in sys.argv[1:]:
    table = pq.read_table(path)
    out["files"][path] = {"types": {f.name: str(f.type) for f in table.schema},
                          "rows": [[v for v in row.values()] for row in table.to_pylist()]}
print(json.dumps(out))
"""
# what an older reader expects: no unsigned, large, dictionary or nanosecond types
EXPECTED_ARROW_TYPES = {"string", "int64", "double"}


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("releases")
    content = build_release(sample.info("r1"), sample.TABLES, sample.rows("r1"), None, b"# Methodology\n")
    publish(root, "r1", content.files, content.writers)
    return root / "r1"


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _utc(text: str) -> datetime:
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return instant.astimezone(UTC) if instant.tzinfo else instant.replace(tzinfo=UTC)


def same(published: str, read: object, column: str = "") -> bool:
    """A CSV cell and the value a reader returned: equal as numbers when numeric, as instants for the
    timestamp columns the views type (the CSV's ``...Z`` text is UTC), else as text."""
    if column in TIMESTAMP_COLUMNS and read is not None and published:
        return _utc(published) == _utc(str(read))
    if read is None:
        return published == ""
    if isinstance(read, bool):
        return published.lower() == str(read).lower()
    if isinstance(read, int | float):
        return published != "" and math.isclose(float(published), float(read), rel_tol=0, abs_tol=1e-9)
    return published == escape_text(str(read))  # the CSV defuses formula triggers ('=...'), the file does not


def assert_rows_match_csv(release: Path, table: str, columns: list[str], rows: list[list[object]]) -> None:
    expected = csv_rows(release / f"{table}.csv")
    assert columns == list(expected[0]) if expected else True, f"{table}: columns differ from the CSV"
    assert len(rows) == len(expected), f"{table}: {len(rows)} rows, the CSV has {len(expected)}"
    for number, (want, got) in enumerate(zip(expected, rows, strict=True), start=2):
        for column, value in zip(columns, got, strict=True):
            assert same(want[column], value, column), (
                f"{table}.csv line {number}, column {column}: {want[column]!r} vs {value!r}"
            )


def test_the_analyst_file_is_tagged_with_the_oldest_storage_version(release: Path) -> None:
    assert STORAGE_VERSION == "v1.0.0"
    assert storage_version(release / ANALYST_DB).startswith("v1.0.0")


@pytest.mark.parametrize("name", ["duckdb-1.1", "duckdb-1.5"])
def test_every_table_and_view_opens_in_duckdb_1x(release: Path, name: str) -> None:
    parquet = sorted(str(p) for p in release.glob("*.parquet"))
    dump = run_json(reader(name), DUCKDB_DUMP, str(release / ANALYST_DB), *parquet)
    assert dump["version"].startswith(name.split("-")[1])
    objects = dump["objects"]
    for table, _ in sample.TABLES:
        for qualified in (f"publish.{table}", f"main.{table}"):
            got = objects[qualified]
            assert_rows_match_csv(release, table, got["columns"], got["rows"])
        assert objects[f"publish.{table}"]["comment"], f"{table}: comment lost"
    # the method schema, the metadata table and the wide results view are readable too
    assert any(key.startswith("method.") for key in objects)
    assert objects["main.results"]["rows"] and objects["main.release_metadata"]["rows"][0][0] == "r1"
    # DuckDB 1.x reads every Parquet file of the release, with the CSV's row count
    assert parquet and {Path(p).stem: n for p, n in dump["parquet_rows"].items()} == {
        Path(p).stem: len(csv_rows(Path(p).with_suffix(".csv"))) for p in parquet
    }


def test_parquet_files_open_in_an_older_pyarrow_with_plain_types(release: Path) -> None:
    files = sorted(release.glob("*.parquet"))
    assert files
    dump = run_json(reader("pyarrow-14"), PYARROW_DUMP, *map(str, files))
    assert dump["version"].startswith("14.")
    for path in files:
        table = path.name.removesuffix(".parquet")
        got = dump["files"][str(path)]
        assert set(got["types"].values()) <= EXPECTED_ARROW_TYPES, f"{path.name}: {got['types']}"
        assert_rows_match_csv(release, table, list(got["types"]), got["rows"])
