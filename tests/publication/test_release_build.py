"""A whole release built from warehouse-like rows: determinism, changes, datapackage, analyst DuckDB file."""

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest

from publication.build import ANALYST_DB, build_release
from publication.checksums import SUMS_FILE, verify
from publication.diff import RevisionUpgrade, changelog_text, release_changes
from publication.store import publish
from tests.publication import release_sample as sample

METHODOLOGY = b"# Methodology\n"


def build(rows: dict, info=None, current: Path | None = None):
    return build_release(info or sample.info(), sample.TABLES, rows, current, METHODOLOGY)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_release_files_are_byte_identical_for_the_same_inputs() -> None:
    first, second = build(sample.rows()), build(sample.rows())
    assert first.files == second.files
    names = set(first.files)
    for table, _ in sample.TABLES:
        assert {f"{table}.csv", f"{table}.parquet"} <= names
    assert {"releases.csv", "changes.json", "datapackage.json", "report.html", "README.txt", SUMS_FILE} <= names
    assert {"methodology.md", "methodology.html", "rapporteringsbyrdeindeksen.xlsx", "index-2025.svg"} <= names
    assert {f"{table}.excel-nb.csv" for table, _ in sample.TABLES} | {"releases.excel-nb.csv"} <= names
    assert not any(name.endswith(".xlsx-no.csv") for name in names)
    assert ANALYST_DB not in names and set(first.writers) == {ANALYST_DB}
    sums = first.files[SUMS_FILE].decode()
    assert f"  {ANALYST_DB}" not in sums
    assert sorted(line.split("  ")[1] for line in sums.splitlines()) == sorted(names - {SUMS_FILE})
    readme = first.files["README.txt"].decode()
    assert readme.startswith("DEMONSTRASJONSDATA / DEMONSTRATION DATA")
    assert "First release." in readme and "rbi.duckdb" in readme


def test_published_release_verifies_and_changes_are_recorded(tmp_path: Path) -> None:
    root = tmp_path / "releases"
    one = build(sample.rows("r1"), sample.info("r1"))
    publish(root, "r1", one.files, one.writers)
    assert verify(root / "r1") == []
    assert json.loads(one.files["changes.json"]) == {
        "first_release": True,
        "method_version": {"after": "1.0"},
        "previous_release": None,
    }
    # r2: NAV's index moves beyond rounding, SYKEHUS's only below it, a year and a sector appear,
    # an input changed and the method version changed
    rows = sample.rows("r2", years=(2024, 2025, 2026))
    rows["index_sector_year"][0]["index"] = 60.0  # 2024 NAV (was 71.875 -> 71.9)
    rows["index_sector_year"][1]["index"] = 47.0589  # 2024 SYKEHUS, still 47.1
    rows["sources"][0]["sha256"] = "ef" * 32
    info2 = sample.info("r2")
    info2 = type(info2)("r2", "2026-02-01", "1.1", "demonstration")
    two = build(rows, info2, current=root / "r1")
    changes = json.loads(two.files["changes.json"])
    assert changes["previous_release"] == "r1"
    assert changes["method_version"] == {"before": "1.0", "after": "1.1", "changed": True}
    assert changes["years_added"] == ["2026"] and changes["years_removed"] == []
    assert changes["inputs_changed"] == ["ssb_sickness_absence"]
    index = changes["tables"]["index_sector_year"]
    assert len(index["rows_added"]) == 3
    moved = [c for c in index["values_changed"] if c["column"] == "index"]
    assert moved == [
        {"key": {"year": "2024", "sector_code": "NAV"}, "column": "index", "before": "71.9", "after": "60.0"}
    ]
    assert not [c for c in index["values_changed"] if c["column"] == "method_version"]  # method is above
    log = two.changelog
    assert log.startswith("Since r1: method 1.0 -> 1.1 (stratum weights rescaled before surveys are pooled, ")
    assert "; new years 2026; input ssb_sickness_absence changed;" in log
    assert "index_sector_year: 3 rows added" in log
    history = csv_rows(two.files["releases.csv"])
    assert [r["release_id"] for r in history] == ["r1", "r2"]
    assert history[1]["changelog"] == log
    assert log in two.files["README.txt"].decode()
    publish(root, "r2", two.files, two.writers)
    # rebuilding r2 once it is current compares it with r1 again (not with itself): same bytes
    assert build(rows, info2, current=root / "r2").files == two.files


def test_changes_ignore_release_id_and_rounding_noise() -> None:
    before = {"index_sector_year": [{"release_id": "a", "year": "2025", "sector_code": "NAV", "index": "71.9"}]}
    after = {"index_sector_year": [{"release_id": "b", "year": "2025", "sector_code": "NAV", "index": "71.9"}]}
    changes = release_changes("a", "1.0", before, "1.0", after)
    assert changes["tables"]["index_sector_year"]["values_changed_count"] == 0
    assert changelog_text(changes) == "Rebuilt from the inputs of a; no published value changed."
    gone = release_changes("a", "1.0", before, "1.0", {"index_sector_year": []})
    assert gone["sectors_removed"] == ["NAV"] and gone["years_removed"] == ["2025"]
    assert "sectors removed NAV" in changelog_text(gone)


def test_first_release_of_a_method_version_says_what_changed() -> None:
    first = changelog_text(release_changes(None, None, {}, "1.1", {}))
    assert first.startswith("First release, method 1.1 (stratum weights rescaled before surveys are pooled, ")
    assert "NCHS precision rules" in first and "Korn-Graubard" in first and first.endswith(".")
    assert changelog_text(release_changes(None, None, {}, "1.0", {})) == "First release."
    first_12 = changelog_text(release_changes(None, None, {}, "1.2", {}))
    assert first_12.startswith("First release, method 1.2 (a revision checked against every published version")
    for change in ("min(value, 100 - value)", "10 respondents of each sex", "Rao-Wu", "median index", "90 % rank"):
        assert change in first_12
    upgrade = changelog_text(release_changes("a", "1.1", {}, "1.2", {}))
    assert "method 1.1 -> 1.2 (a revision checked against every published version" in upgrade


def test_a_release_built_on_a_carried_over_11_store_says_so_in_every_changelog(tmp_path: Path) -> None:
    root = tmp_path / "releases"
    one = build(sample.rows("r1"), type(sample.info("r1"))("r1", "2026-01-01", "1.1", "demonstration"))
    publish(root, "r1", one.files, one.writers)
    info2 = type(sample.info("r2"))("r2", "2026-02-01", "1.2", "demonstration")
    two = build_release(info2, sample.TABLES, sample.rows("r2"), root / "r1", METHODOLOGY, RevisionUpgrade("1.1", 4))
    note = (
        "the revision store was carried over from method 1.1; 4 cells whose 1.1 footprint could not be rebuilt "
        "are held at their published values (REVISION_HELD) until the atoms rule can decide them"
    )
    assert two.changelog.startswith("Since r1: method 1.1 -> 1.2 (") and note in two.changelog
    assert json.loads(two.files["changes.json"])["revision_store_upgrade"] == {"from_method": "1.1", "cells_held": 4}
    assert csv_rows(two.files["releases.csv"])[1]["changelog"] == two.changelog
    assert note in two.files["README.txt"].decode()
    assert "carried over" not in build(sample.rows("r2"), info2, current=root / "r1").changelog


def test_datapackage_validates_with_frictionless(tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    content = build(sample.rows())
    for name, data in content.files.items():
        (tmp_path / name).write_bytes(data)
    package = json.loads(content.files["datapackage.json"])
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["method_version"] == "1.0" and package["data_status"] == "demonstration"
    assert package["description"].startswith("DEMONSTRATION DATA")
    assert {s["source_id"] for s in package["sources"]} == {"ssb_sickness_absence", "DEMO-2025"}
    index = next(r for r in package["resources"] if r["name"] == "index_sector_year")
    fields = {f["name"]: f for f in index["schema"]["fields"]}
    assert fields["index"]["type"] == "number" and fields["rank"]["type"] == "integer"
    assert fields["index"]["title_nb"] == "Indeks" and fields["index"]["unit"] == "score 0-100"
    assert index["schema"]["primaryKey"] == ["year", "sector_code"]
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    # the hash is checked: a changed CSV makes the package invalid
    (tmp_path / "sources.csv").write_bytes(content.files["sources.csv"].replace(b"CC BY", b"CC-BY"))
    assert not frictionless.validate(str(tmp_path / "datapackage.json")).valid


def test_analyst_db_equals_the_csvs_and_holds_nothing_else(tmp_path: Path) -> None:
    content = build(sample.rows())
    path = tmp_path / ANALYST_DB
    content.writers[ANALYST_DB](path)
    assert path.exists() and not (tmp_path / f".{ANALYST_DB}.tmp").exists()
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {
            r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'publish'").fetchall()
        }
        assert tables == {name for name, _ in sample.TABLES} | {"releases", "release_metadata"}
        everything = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name not in ('publish', 'method')"
        ).fetchall()
        assert everything == []  # the default schema holds views only
        for name, columns in [*sample.TABLES, ("releases", None)]:
            expected = csv_rows(content.files[f"{name}.csv"])
            cursor = con.execute(f'select * from publish."{name}"')
            header = [d[0] for d in cursor.description]
            assert header == (list(columns) if columns else list(expected[0]) if expected else header)
            got = cursor.fetchall()
            assert len(got) == len(expected), name
            for row, csv_row in zip(got, expected, strict=True):
                for column, value in zip(header, row, strict=True):
                    text = csv_row[column]
                    if text == "":
                        assert value is None, (name, column)  # nothing where the CSV is empty
                    elif isinstance(value, float):
                        assert value == float(text), (name, column)
                    elif isinstance(value, int):
                        assert value == int(text), (name, column)
                    else:
                        assert text in (value, "'" + value), (name, column)  # CSV escapes formulas
        suppressed = con.execute(
            "select raw_value, normalised, n_eff, cv from publish.component_sector_year where flags like '%SUPPRESSED%'"
        ).fetchall()
        assert suppressed and all(v is None for row in suppressed for v in row)
        uncommented = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'publish' "
            "and table_name <> 'release_metadata' and (comment is null or comment = '')"
        ).fetchall()
        assert uncommented == []
        comment = con.execute(
            "select comment from duckdb_columns() where table_name = 'index_sector_year' and column_name = 'index'"
        ).fetchone()[0]
        assert "Index score 0-100" in comment and "Indeksverdi" in comment
        meta = con.execute("select release_id, method_version, data_status, licence from publish.release_metadata")
        assert meta.fetchall() == [("demo-rbi-1.0-20260101-aaaa", "1.0", "demonstration", "CC-BY-4.0")]
