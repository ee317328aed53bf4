"""A revision store written under method 1.1 (members.parquet: respondent sets, no digests) carried
into 1.2 without a manual step (spec 5b, sources/revisions.py): the first 1.2 build reconstructs
the footprint of every 1.1 published version whose records are provably those published (the same
export by source id, sha256 and origin, in the warehouse or in the raw area's kept records, giving
exactly the published respondent set and dk_share), and holds every cell it cannot decide."""

import json
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd

from orchestration.publication.publication import revision_upgrade
from publication.diff import RevisionUpgrade, changelog_text, release_changes
from sources import revisions
from tests.method.dbt_harness import query, run_dbt, write_tables
from tests.method.test_revision_property import MODELS, record, scored_sql

SECRET = b"u" * 32
ORIGIN = "survey export {s}/export.csv (csv, raw survey area (inbox)), mapped by mapping.yml (sha256 abc)"
# the 1.1 layout: the cells of today without the footprint flag 1.2 added
CELL_11 = {c: t for c, t in revisions.CELL_COLUMNS.items() if c != "footprint_complete"}


def frame(records: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(records).astype(
        {c: "Int32" for c in ("unnecessary", "duplicate", "autonomy_1", "autonomy_2", "autonomy_3")}
        | {"design_weight": "Float64", "year": "int32"}
    )


def cell(year: int, sector: str, component: str, release: str, n: int, dk: float | None, sources: str) -> dict:
    return {
        "year": year,
        "sector_code": sector,
        "component_id": component,
        "raw_value": 40.0,
        "raw_ci_low": 30.0,
        "raw_ci_high": 50.0,
        "se": 1.0,
        "n": n,
        "n_eff": float(n),
        "cv": 0.1,
        "dk_share": dk,
        "normalised": 40.0,
        "flags": "",
        "source_ids": sources,
        "release_id": release,
    }


def write_11_version(root: Path, name: str, cells: list[dict], members: dict[tuple, set[str]]) -> None:
    """A store version in the method 1.1 layout, as 1.1's write_version left it."""
    folder = root / name
    folder.mkdir(parents=True)
    with duckdb.connect() as con:
        con.register("cells", pd.DataFrame(cells))
        casts = ", ".join(f"cast({c} as {t}) as {c}" for c, t in CELL_11.items())
        con.execute(f"copy (select {casts} from cells) to '{folder / 'cells.parquet'}' (format parquet)")
        rows = [(y, s, c, key.split(":")[0], key) for (y, s, c), keys in members.items() for key in sorted(keys)]
        con.register(
            "members", pd.DataFrame(rows, columns=["year", "sector_code", "component_id", "survey_id", "respondent_id"])
        )
        con.execute(f"copy (select * from members) to '{folder / 'members.parquet'}' (format parquet)")
        con.execute(
            f"copy (select 2025 as year, 'X' as sector_code, 'C1' as component_id, 1 as replicate, 1.0 as raw_value) "
            f"to '{folder / 'replicates.parquet'}' (format parquet)"
        )
    (folder / "manifest.json").write_text(json.dumps({"release_id": name.split("-", 1)[1]}))
    (root / "CURRENT").write_text(name + "\n")


def write_release(releases: Path, release_id: str, sources: dict[str, str]) -> None:
    folder = releases / release_id
    folder.mkdir(parents=True)
    lines = ["source_id,title,publisher,url,licence,retrieved_at,sha256,origin"]
    lines += [f'{s},t,p,,,,{sha},"{ORIGIN.format(s=s)}"' for s, sha in sources.items()]
    lines.append("pop,Population,SSB,,,,ffff,snapshot of SSB table")
    (folder / "sources.csv").write_text("\n".join(lines) + "\n")


def valid_c2(records: list[dict]) -> set[str]:
    return {r["respondent_id"] for r in records if r["unnecessary"] is not None and 1 <= r["unnecessary"] <= 5}


def test_a_11_store_is_carried_into_12(tmp_path: Path) -> None:
    root, releases, kept = tmp_path / "raw" / "revisions", tmp_path / "releases", tmp_path / "raw" / "records"
    warehouse = tmp_path / "warehouse.duckdb"
    # S1 now: 30 hospital respondents (3 answer "don't know" to C2); its older export had the first 20
    s1 = [record(f"S1:r{i:02d}", 2025, 8 if i in (3, 13, 23) else (5 if i % 2 else 2)) for i in range(30)]
    s1_old = s1[:20]
    # S2 (NAV): re-delivered since it was published (another sha), and the old records are gone
    s2 = [record(f"S2:n{i:02d}", 2025, 4) | {"sector_code": "NAV"} for i in range(25)]
    write_tables(
        warehouse,
        {
            "raw.survey_responses": frame(s1 + s2),
            "raw.survey_register": (
                f"select * from (values ('S1', 'sha-s1-new', '{ORIGIN.format(s='S1')}'), "
                f"('S2', 'sha-s2-new', '{ORIGIN.format(s='S2')}')) as t(source_id, sha256, origin)"
            ),
        },
    )
    kept.joinpath("S1").mkdir(parents=True)
    frame(s1_old).to_parquet(kept / "S1" / "v1.parquet", index=False)
    provenance = {"register": {"source_id": "S1", "sha256": "sha-s1-old", "origin": ORIGIN.format(s="S1")}}
    (kept / "S1" / "v1.provenance.json").write_text(json.dumps(provenance))
    write_release(releases, "rel-0", {"S1": "sha-s1-old"})
    write_release(releases, "rel-1", {"S1": "sha-s1-new", "S2": "sha-s2-old"})
    all_s1 = {r["respondent_id"] for r in s1}
    # history: rel-0 published C1 from the old export; rel-1 C1, C2, C3 from the new one and NAV C1
    write_11_version(
        root, "000001-rel-0", [cell(2025, "SYKEHUS", "C1", "rel-0", 20, None, "S1;pop")],
        {(2025, "SYKEHUS", "C1"): {r["respondent_id"] for r in s1_old}},
    )  # fmt: skip
    write_11_version(
        root,
        "000002-rel-1",
        [
            cell(2025, "SYKEHUS", "C1", "rel-1", 30, None, "S1;pop"),
            cell(2025, "SYKEHUS", "C2", "rel-1", 27, 10.0, "S1;pop"),
            cell(2025, "SYKEHUS", "C3", "rel-1", 31, 0.0, "S1;pop"),
            cell(2025, "NAV", "C1", "rel-1", 25, None, "S2;pop"),
        ],
        {
            (2025, "SYKEHUS", "C1"): all_s1,
            (2025, "SYKEHUS", "C2"): valid_c2(s1),
            (2025, "SYKEHUS", "C3"): all_s1 | {"S1:erased"},  # a respondent the records no longer hold
            (2025, "NAV", "C1"): {r["respondent_id"] for r in s2},
        },
    )
    assert revisions.current_version(root).legacy

    upgrade = revisions.Upgrade(secret=SECRET, releases=releases, records=kept)
    assert revisions.write_survey_footprints(warehouse, SECRET) == 4 * 55  # every respondent is an element of C1-C4
    counts = revisions.load_into_warehouse(root, warehouse, upgrade)
    assert counts["legacy_versions_reconstructed"] == 3 and counts["legacy_cells_unknown"] == 2
    stored = query(
        warehouse,
        "select component_id, versions, count(*) as n from raw.revision_footprints group by all order by all",
    )
    got = {(r["component_id"], tuple(r["versions"])): r["n"] for r in stored}
    assert got == {("C1", (1, 2)): 20, ("C1", (2,)): 10, ("C2", (1,)): 30}
    # the digests are those a 1.2 build computes for the same records
    same = query(
        warehouse,
        "select count(*) as n from raw.revision_footprints join raw.survey_footprints "
        "using (year, sector_code, component_id, survey_id, respondent_id, element_digest)",
    )
    assert same == [{"n": 60}]
    complete = query(
        warehouse, "select sector_code, component_id, footprint_complete from raw.revision_cells order by all"
    )
    assert [(r["sector_code"], r["component_id"], r["footprint_complete"]) for r in complete] == [
        ("NAV", "C1", False),
        ("SYKEHUS", "C1", True),
        ("SYKEHUS", "C2", True),
        ("SYKEHUS", "C3", False),
    ]

    # the first 1.2 build on the same records: reconstructed cells are decided (unchanged: fresh),
    # the cells whose 1.1 footprint is unknown are held
    hospital = scored_sql({(2025, c): s1 for c in ("C1", "C2", "C3")})
    nav = scored_sql({(2025, "C1"): s2}).replace("'SYKEHUS'", "'NAV'")
    write_tables(
        warehouse,
        {
            "intermediate.int_components_scored": f"{hospital} union all {nav}",
            "intermediate.int_release": "select 'rel-2' as release_id",
        },
    )
    run_dbt(warehouse, MODELS)
    revised = {
        (r["sector_code"], r["component_id"]): r["revision_held"]
        for r in query(warehouse, "select * from intermediate.int_components_revised")
    }
    assert revised == {("SYKEHUS", "C1"): False, ("SYKEHUS", "C2"): False, ("SYKEHUS", "C3"): True, ("NAV", "C1"): True}

    # the release of this build says so in its changelog: the two cells held for want of a 1.1 footprint
    paths = SimpleNamespace(revisions=root, warehouse=warehouse)
    upgrade = revision_upgrade(paths)
    assert upgrade == RevisionUpgrade("1.1", 2)
    text = changelog_text(release_changes("rel-1", "1.1", {}, "1.2", {}, upgrade))
    assert (
        "the revision store was carried over from method 1.1; 2 cells whose 1.1 footprint could not be rebuilt "
        "are held at their published values (REVISION_HELD) until the atoms rule can decide them"
    ) in text


def test_without_the_records_every_11_cell_is_held_until_decidable(tmp_path: Path) -> None:
    """No releases folder and no records (e.g. only the store was restored): nothing can be
    reconstructed, so every stored cell is marked incomplete (int_components_revised holds it)."""
    root, warehouse = tmp_path / "revisions", tmp_path / "warehouse.duckdb"
    write_11_version(
        root, "000001-rel-1", [cell(2025, "SYKEHUS", "C1", "rel-1", 12, None, "S1;pop")],
        {(2025, "SYKEHUS", "C1"): {f"S1:r{i}" for i in range(12)}},
    )  # fmt: skip
    for upgrade in (None, revisions.Upgrade(SECRET, tmp_path / "releases", tmp_path / "records")):
        counts = revisions.load_into_warehouse(root, warehouse, upgrade)
        assert counts["revision_footprints"] == 0 and counts["legacy_cells_unknown"] == 1
        assert query(warehouse, "select footprint_complete from raw.revision_cells") == [{"footprint_complete": False}]
    # the first 1.2 publication writes the 1.2 layout; the 1.1 version stays as history
    with duckdb.connect(str(warehouse)) as con:
        queries = {name: f"select * from raw.{table}" for table, (name, _) in revisions.TABLES.items()}
        written = revisions.write_version(root, "rel-2", con, queries)
    assert written is not None and not written.legacy and revisions.current_version(root) == written
    assert revision_upgrade(SimpleNamespace(revisions=root, warehouse=warehouse)) is None  # later builds: no note
    assert [v.legacy for v in revisions.versions(root)] == [True, False]
    assert query(warehouse, "select footprint_complete from raw.revision_cells") == [{"footprint_complete": False}]
