"""The internal revision store (spec section 5b, method 1.2 layout, revisions/store.py): versions
written aside and put in force atomically, restricted modes, loaded into the warehouse raw schema
(empty and typed when there is none), unchanged content writes nothing, a broken pointer is an
error; the candidate footprints hold digests and keys, never an answer. (The upgrade of a 1.1
store: tests/method/test_revision_upgrade.py.)"""

import json
from pathlib import Path

import duckdb
import pytest

from revisions import store as revisions
from storage.paths import Paths

CELL = (
    "select 2025 as year, 'SYKEHUS' as sector_code, 'C1' as component_id, 25.5 as raw_value, 20.0 as raw_ci_low, "
    "30.0 as raw_ci_high, 2.5 as se, 40 as n, 38.5 as n_eff, 0.098 as cv, null as dk_share, 51.0 as normalised, "
    "'POP_LAGGED' as flags, 'S1;pop' as source_ids, '{release}' as release_id, true as footprint_complete"
)
FOOTPRINTS = (
    "select 2025 as year, 'SYKEHUS' as sector_code, 'C1' as component_id, 'S1' as survey_id, "
    "i::varchar as respondent_id, sha256(i::varchar) as element_digest, [1] as versions from range({n}) t(i)"
)
REPLICATES = (
    "select 2025 as year, 'SYKEHUS' as sector_code, 'C1' as component_id, i::integer as replicate, "
    "25.0 + i as raw_value from range(1, 6) t(i)"
)


def queries(release: str, n: int) -> dict[str, str]:
    return {
        revisions.CELLS: CELL.format(release=release),
        revisions.FOOTPRINTS: FOOTPRINTS.format(n=n),
        revisions.REPLICATES: REPLICATES,
    }


def test_versions_are_written_aside_and_put_in_force(tmp_path: Path) -> None:
    root = Paths.from_env(output=tmp_path, environ={}).revisions
    assert revisions.current_version(root) is None
    with duckdb.connect() as con:
        first = revisions.write_version(root, "rel-1", con, queries("rel-1", 12))
        assert first is not None and first.name == "000001-rel-1"
        # the same content again (the same release re-run): nothing written
        assert revisions.write_version(root, "rel-1", con, queries("rel-1", 12)) is None
        second = revisions.write_version(root, "rel-2", con, queries("rel-2", 14))
    assert second is not None and second.name == "000002-rel-2"
    assert revisions.current_version(root) == second
    assert json.loads((second.folder / "manifest.json").read_text())["layout"] == revisions.LAYOUT
    assert sorted(p.name for p in second.folder.iterdir()) == [
        "cells.parquet",
        "footprints.parquet",
        "manifest.json",
        "replicates.parquet",
    ]
    assert (root / "CURRENT").read_text().strip() == "000002-rel-2"
    assert [v.name for v in revisions.versions(root)] == ["000001-rel-1", "000002-rel-2"]  # history kept
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no temporary left
    # restricted like the raw area
    assert root.stat().st_mode & 0o777 == 0o750 and root.parent.stat().st_mode & 0o777 == 0o750
    for path in [root / "CURRENT", *second.folder.iterdir()]:
        assert path.stat().st_mode & 0o777 == 0o640, path
    assert second.folder.stat().st_mode & 0o777 == 0o750


def test_load_into_the_warehouse(tmp_path: Path) -> None:
    root = Paths.from_env(output=tmp_path, environ={}).revisions
    db = tmp_path / "warehouse" / "warehouse.duckdb"
    assert revisions.load_into_warehouse(root, db) == {
        "revision_cells": 0,
        "revision_footprints": 0,
        "revision_replicates": 0,
        "cells_unknown_secret": 0,
    }
    with duckdb.connect(str(db), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from duckdb_columns() where table_name = 'revision_cells'"
            ).fetchall()
        )
    assert types["n"] == "BIGINT" and types["raw_value"] == "DOUBLE" and types["year"] == "INTEGER"
    assert types["footprint_complete"] == "BOOLEAN"
    with duckdb.connect() as con:
        revisions.write_version(root, "rel-1", con, queries("rel-1", 12))
    db.unlink()  # a rebuilt warehouse: the store is outside it
    assert revisions.load_into_warehouse(root, db) == {
        "revision_cells": 1,
        "revision_footprints": 12,
        "revision_replicates": 5,
        "cells_unknown_secret": 0,
    }
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select raw_value, n, flags, release_id from raw.revision_cells").fetchall() == [
            (25.5, 40, "POP_LAGGED", "rel-1")
        ]


def test_a_crash_before_the_pointer_moves_leaves_the_previous_version(tmp_path: Path) -> None:
    root = Paths.from_env(output=tmp_path, environ={}).revisions
    with duckdb.connect() as con:
        first = revisions.write_version(root, "rel-1", con, queries("rel-1", 12))
        bad = queries("rel-2", 14) | {revisions.REPLICATES: "select no_such_column"}
        with pytest.raises(duckdb.Error):
            revisions.write_version(root, "rel-2", con, bad)
    assert revisions.current_version(root) == first
    assert not [p for p in root.iterdir() if p.name.startswith(".")]


def test_a_pointer_to_a_missing_version_is_an_error(tmp_path: Path) -> None:
    root = Paths.from_env(output=tmp_path, environ={}).revisions
    root.mkdir(parents=True)
    (root / "CURRENT").write_text("000009-gone\n")
    with pytest.raises(revisions.RevisionStoreError, match="000009-gone"):
        revisions.current_version(root)


def test_the_warehouse_records_which_version_it_holds(tmp_path: Path) -> None:
    from dagster import Failure

    from orchestration.publication.publication import check_revision_store

    paths = Paths.from_env(output=tmp_path, environ={})
    root, db = paths.revisions, paths.warehouse
    revisions.load_into_warehouse(root, db)
    check_revision_store(paths)  # no store, nothing loaded: consistent
    with duckdb.connect() as con:
        first = revisions.write_version(root, "rel-1", con, queries("rel-1", 12))
    # the store moved on since the raw tables were loaded: publishing would use a stale hold
    with pytest.raises(Failure, match="000001-rel-1"):
        check_revision_store(paths)
    revisions.load_into_warehouse(root, db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert first is not None and revisions.loaded_version(con) == first.name
    check_revision_store(paths)


def test_candidate_footprints_are_digests_and_keys(tmp_path: Path) -> None:
    """raw.survey_footprints: one element per respondent and component with a non-NULL answer (C2
    code 8 included, C4 any item); the same fields give the same digest; no answer is stored."""
    from method.atoms import footprint_fields
    from sources.pseudonyms import element_digest

    db = tmp_path / "warehouse.duckdb"
    secret = b"s" * 32
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.survey_responses as select * from (values "
            "('S1', 'rk_a', 2025, 'NAV', 'F', 37.5, 7.25, 8, null, null, 2, null, null), "
            "('S1', 'rk_b', 2025, 'NAV', null, 40.0, null, 4, 5, 1, 2, 3, 1.5)) as t(survey_id, respondent_id, "
            "year, sector_code, sex, hours_total, hours_doc, unnecessary, duplicate, autonomy_1, autonomy_2, "
            "autonomy_3, design_weight)"
        )
    assert revisions.write_survey_footprints(db, secret) == 6  # a: C1 C2 C4; b: C2 C3 C4
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select respondent_id, component_id, element_digest from raw.survey_footprints order by all"
        ).fetchall()
        columns = [c[0] for c in con.execute("describe raw.survey_footprints").fetchall()]
    assert [(r, c) for r, c, _ in rows] == [
        ("rk_a", "C1"),
        ("rk_a", "C2"),
        ("rk_a", "C4"),
        ("rk_b", "C2"),
        ("rk_b", "C3"),
        ("rk_b", "C4"),
    ]
    a = {"survey_id": "S1", "respondent_id": "rk_a", "hours_total": 37.5, "hours_doc": 7.25, "sex": "F"}
    assert rows[0][2] == element_digest(secret, footprint_fields("C1", a))
    assert rows[0][2] == element_digest(secret, ("S1", "rk_a", 37.5, 7.25, "F", None))
    assert columns == list(revisions.SURVEY_FOOTPRINT_COLUMNS)


def test_erasure_preview_follows_the_atoms_rule(tmp_path: Path) -> None:
    """``python -m sources.surveys erase`` says what the next release will do: the atoms of the
    published versions and the cell's footprint without the removed rows (method/atoms.py)."""
    from sources.surveys.erasure import next_release_preview

    paths = Paths.from_env(output=tmp_path, environ={})
    assert next_release_preview(paths, "S1", "3") == [
        "no release has been published from this output directory yet: nothing to hold"
    ]
    # one published version: 12 respondents of S1 and 10 of S2; the warehouse's candidate is the same
    elements = (
        "select 2025 as year, 'SYKEHUS' as sector_code, 'C1' as component_id, s as survey_id, "
        "i::varchar as respondent_id, sha256(s || i::varchar) as element_digest, [1] as versions "
        "from (select 'S1' as s, i from range(12) t(i) union all select 'S2' as s, i from range(10) t(i))"
    )
    with duckdb.connect() as con:
        revisions.write_version(paths.revisions, "rel-1", con, queries("rel-1", 0) | {revisions.FOOTPRINTS: elements})
    paths.warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("create schema raw")
        con.execute(f"create table raw.survey_footprints as select * exclude (versions) from ({elements})")
    held = next_release_preview(paths, "S1", "3")
    assert held == [
        "2025 SYKEHUS C1: smallest atom 1 respondent(s) -> keeps the row last published (REVISION_HELD), "
        "unless the fresh value is suppressed"
    ]
    # withdrawing all of S2 (10 respondents) makes an atom of 10: recomputed
    assert next_release_preview(paths, "S2", None) == [
        "2025 SYKEHUS C1: smallest atom 10 respondent(s) -> is recomputed (every atom has 10 or more respondents)"
    ]
    assert next_release_preview(paths, "S9", None) == [
        "the rows were in no published cell: no published value changes because of them"
    ]


def test_the_fast_digester_equals_element_digest() -> None:
    """write_survey_footprints hashes with revisions.ElementDigester (key schedule once, field texts
    cached): the same digests as sources.pseudonyms.element_digest, for every kind of field."""
    from sources.pseudonyms import element_digest

    cases = [
        ("S1", "rk_0123", 37.5, 7.25, "F", None),
        ("S1", "rk_0123", 40.0, 0.0, None, 1.5),
        ("S1", "rk_0123", 40, 0, None, 1.5),  # ints and whole floats write the same text
        ("S2", "17", 8, "M", 1e-05),
        ("S2", "17", None, "M", float("nan")),
        ("S2", "17", None, None, 0.1 + 0.2),
        ("Ø", "æ", 3, True, 123456789.123),
    ]
    for secret in (b"k" * 32, b"x" * 100, b""):
        digester = revisions.ElementDigester(secret)
        for fields in cases * 2:  # the second pass reads the cache
            assert digester(fields) == element_digest(secret, fields), fields


def test_a_store_written_under_another_secret_holds_every_cell(tmp_path: Path) -> None:
    """The manifest records a check value of the digests' secret; loaded under another secret (the
    key file lost and recreated), no digest can match, so every stored cell is marked incomplete
    (int_components_revised holds it) instead of every element looking new."""
    root, db = tmp_path / "revisions", tmp_path / "warehouse.duckdb"
    with duckdb.connect() as con:
        version = revisions.write_version(root, "rel-1", con, queries("rel-1", 12), secret=b"a" * 32)
    assert version is not None
    manifest = json.loads((version.folder / "manifest.json").read_text())
    assert manifest["secret_check"] == revisions.secret_check(b"a" * 32) != revisions.secret_check(b"b" * 32)
    same = revisions.load_into_warehouse(root, db, revisions.Upgrade(b"a" * 32, tmp_path, tmp_path))
    assert same["cells_unknown_secret"] == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select footprint_complete from raw.revision_cells").fetchall() == [(True,)]
    other = revisions.load_into_warehouse(root, db, revisions.Upgrade(b"b" * 32, tmp_path, tmp_path))
    assert other["cells_unknown_secret"] == 1
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select footprint_complete from raw.revision_cells").fetchall() == [(False,)]
