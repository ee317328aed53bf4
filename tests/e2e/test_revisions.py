"""End to end, sections 5b (the atoms rule of method 1.2) and 10, through the real pipeline
(Dagster + dbt + GX):

1. publish (a main survey: 60 hospital, 40 NAV and 3 police respondents): version V1 = A;
2. a late survey of the same year adds 4 hospital respondents: an atom of 4, so the hospital cells
   keep the rows last published (REVISION_HELD), the index, its interval and the ranks are
   unchanged, nothing of the 4 respondents can be derived from ``changes.json`` (held cells are
   not changes), and the held candidate does not become a published version;
3. a corrected delivery of 10 late respondents: atoms A (60) and the 10 (10): recomputed, V2;
4. one of them is erased with ``python -m sources.surveys erase``: the raw export is replaced by a
   copy without the row, the audit log records the request without any answer, the command says
   the cells will be held (the erased element is an atom of 1: in V2 only); the next release --
   built in a fresh output directory restored from a backup of ``raw/`` and ``releases/`` only (no
   warehouse) -- holds them at the values of step 3, and the store keeps the erased element.

Throughout, the value of the always-suppressed police cell appears in no output, log or metadata.
"""

import csv
import io
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from publication.checksums import verify
from sources.pseudonyms import respondent_key
from tests.e2e.harness import run_command, run_pipeline
from tests.e2e.revision_inputs import (
    LATE_ID,
    MAIN_ID,
    SUPPRESSED_C1,
    drop_late_delivery,
    late_respondent_ids,
    make_revision_inputs,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(4800)]  # the story: 4 runs in one fixture

SURVEY_CELLS = ("C1", "C2", "C3", "C4")
VALUE_COLUMNS = ("raw_value", "raw_ci_low", "raw_ci_high", "normalised", "n", "n_eff", "cv", "dk_share")


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def release(output: Path) -> dict:
    folder = (output / "releases" / "latest").resolve()
    components = {(r["sector_code"], r["component_id"]): r for r in read_csv(folder / "component_sector_year.csv")}
    index = {r["sector_code"]: r for r in read_csv(folder / "index_sector_year.csv")}
    sensitivity = read_csv(folder / "sensitivity.csv")
    changes = json.loads((folder / "changes.json").read_text(encoding="utf-8"))
    return {"id": folder.name, "folder": folder, "c": components, "i": index, "s": sensitivity, "changes": changes}


def fresh_values(output: Path) -> dict[tuple[str, str], float | None]:
    """The internal, unrounded fresh values of the last build (int_components_scored)."""
    with duckdb.connect(str(output / "warehouse" / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select sector_code, component_id, raw_value from intermediate.int_components_scored"
        ).fetchall()
    return {(s, c): v for s, c, v in rows}


def published(row: dict[str, str]) -> dict[str, str]:
    return {k: row[k] for k in VALUE_COLUMNS}


def without_ids(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: v for k, v in r.items() if k != "release_id"} for r in rows]


def ingest(inputs: Path, output: Path) -> None:
    result = run_command(inputs, output, "-m", "sources.surveys", "inbox")
    assert result.returncode == 0, result.stdout + result.stderr


def run(inputs: Path, output: Path, logs: list[str]) -> None:
    result = run_pipeline(inputs, output)
    logs.append(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("revisions")
    inputs = make_revision_inputs(root / "inputs")
    output = root / "output"
    logs: list[str] = []
    out: dict = {"root": root, "inputs": inputs, "output": output, "logs": logs}

    run(inputs, output, logs)  # 1. publish
    out["r1"] = release(output)

    drop_late_delivery(output / "inbox", "late4", 4)  # 2. four late respondents
    ingest(inputs, output)
    run(inputs, output, logs)
    out["r2"] = release(output)
    out["fresh2"] = fresh_values(output)

    drop_late_delivery(output / "inbox", "late10", 10)  # 3. six more (a corrected delivery of 10)
    ingest(inputs, output)
    run(inputs, output, logs)
    out["r3"] = release(output)
    out["dbt_logs"] = [
        p.read_text(encoding="utf-8")
        for p in sorted((output / "dbt-target").glob("*/dbt.log"), key=lambda p: p.stat().st_mtime_ns)
    ]

    erased = late_respondent_ids(10)[0]  # 4. erase one respondent
    out["erased"] = erased
    out["erase"] = run_command(
        inputs, output, "-m", "sources.surveys", "erase", LATE_ID, erased, "--requested-by", "Test Operator"
    )
    # the documented backup: raw/ and releases/ only; restored into a fresh output directory
    restored = root / "restored"
    for folder in ("raw", "releases"):
        shutil.copytree(output / folder, restored / folder, symlinks=True)
    assert not (restored / "warehouse").exists()
    run(inputs, restored, logs)
    out["r4"] = release(restored)
    out["restored"] = restored
    return out


def test_later_runs_on_the_output_directory_reuse_dbt_s_partial_parse(story: dict) -> None:
    """orchestration/warehouse/partial_parse.py: the runs after the first on an output directory
    parse only what changed (the late deliveries change data, not the dbt project)."""
    first, *later = story["dbt_logs"]
    assert "Unable to do partial parsing" in first  # the first run on a new directory parses all
    assert len(later) >= 2
    for log in later:
        assert "Partial parsing enabled" in log and "Unable to do partial parsing" not in log, log[:3000]


def test_four_added_respondents_hold_the_published_cells(story: dict) -> None:
    r1, r2 = story["r1"], story["r2"]
    assert r2["id"] != r1["id"]
    for component in SURVEY_CELLS:
        before, after = r1["c"][("SYKEHUS", component)], r2["c"][("SYKEHUS", component)]
        assert published(after) == published(before), component
        assert "REVISION_HELD" in after["flags"].split(";")
        assert set(after["flags"].split(";")) - {"REVISION_HELD"} == set(filter(None, before["flags"].split(";")))
        # NAV is untouched (D = 0) and not flagged
        assert "REVISION_HELD" not in (r2["c"][("NAV", component)]["flags"] or "")
    # the fresh value differs from the held one: holding it is what protects the 4 respondents
    fresh = story["fresh2"][("SYKEHUS", "C1")]
    assert f"{fresh:.1f}" != r1["c"][("SYKEHUS", "C1")]["raw_value"]
    # index, interval, ranks and the sensitivity table are those of the first release
    assert without_ids(list(r2["i"].values())) == without_ids(list(r1["i"].values()))
    assert without_ids(r2["s"]) == without_ids(r1["s"])


def test_held_cells_are_not_changes(story: dict) -> None:
    changes = story["r2"]["changes"]
    assert changes["previous_release"] == story["r1"]["id"]
    assert changes["inputs_added"] == [LATE_ID]
    components = changes["tables"]["component_sector_year"]
    assert components["values_changed_count"] == 0, components["values_changed"]
    assert changes["tables"]["index_sector_year"]["values_changed_count"] == 0
    assert changes["cells_held"] == [
        {"year": "2025", "sector_code": "SYKEHUS", "component_id": c} for c in SURVEY_CELLS
    ]
    fresh = story["fresh2"][("SYKEHUS", "C1")]
    text = (story["r2"]["folder"] / "changes.json").read_text(encoding="utf-8")
    assert f"{fresh:.1f}" not in text and repr(fresh) not in text
    assert "held at the values last published" in (story["r2"]["folder"] / "releases.csv").read_text()


def test_ten_changed_respondents_recompute_the_cells(story: dict) -> None:
    r1, r3 = story["r1"], story["r3"]
    for component in SURVEY_CELLS:
        after = r3["c"][("SYKEHUS", component)]
        assert "REVISION_HELD" not in (after["flags"] or "")
        assert int(after["n"]) == int(r1["c"][("SYKEHUS", component)]["n"]) + 10
    assert r3["c"][("SYKEHUS", "C1")]["raw_value"] != r1["c"][("SYKEHUS", "C1")]["raw_value"]
    assert r3["changes"]["cells_held"] == []
    assert r3["changes"]["tables"]["component_sector_year"]["values_changed_count"] > 0


def test_erasing_one_respondent_holds_the_cells_again(story: dict) -> None:
    r3, r4 = story["r3"], story["r4"]
    assert r4["id"] != r3["id"]
    for component in SURVEY_CELLS:
        before, after = r3["c"][("SYKEHUS", component)], r4["c"][("SYKEHUS", component)]
        assert published(after) == published(before), component
        assert "REVISION_HELD" in after["flags"].split(";")
    assert without_ids(list(r4["i"].values())) == without_ids(list(r3["i"].values()))
    assert verify(r4["folder"]) == []
    # the restored output directory continued the release history of the backup
    assert r4["changes"]["previous_release"] == r3["id"]


def test_erase_command_replaces_the_raw_export_and_audits_without_answers(story: dict) -> None:
    result, output, erased = story["erase"], story["output"], story["erased"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 row(s) removed" in result.stdout
    for component in SURVEY_CELLS:
        assert f"2025 SYKEHUS {component}: smallest atom 1 respondent(s)" in result.stdout
    assert "REVISION_HELD" in result.stdout
    # the audit log: one JSON line, restricted, keys only
    log = output / "raw" / "audit" / "erasures.jsonl"
    assert oct(log.stat().st_mode & 0o777) == "0o640"
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 1
    record = records[0]
    key = respondent_key((output / "raw" / "keys" / "pseudonym.key").read_bytes(), erased)
    assert (record["action"], record["survey_id"], record["respondent_id"]) == ("erase", LATE_ID, key)
    assert erased not in log.read_text(encoding="utf-8")  # the key, never the tool's id
    assert record["requested_by"] == "Test Operator" and record["rows_removed"] == 1
    text = log.read_text(encoding="utf-8")
    for answer_column in ("hours", "unnecessary", "duplicate", "autonomy", "sektor", "timer", "dok"):
        assert answer_column not in text
    # the raw export: a new version without the row; the older exports that held it are gone
    versions = sorted(p for p in (output / "raw" / "surveys" / LATE_ID).iterdir() if not p.name.startswith("."))
    assert len(versions) == 3
    newest = versions[-1]
    sidecar = json.loads((newest / "sidecar.json").read_text(encoding="utf-8"))
    assert sidecar["supersedes"] == versions[1].name and "erasure" in sidecar["superseded_reason"]
    assert not list(newest.glob("export.*"))  # the new version is the canonical records without the row
    kept = pd.read_parquet(newest / "records.parquet")
    assert key not in set(kept["respondent_id"]) and len(kept) == 9
    for old in versions[:2]:
        assert not list(old.glob("export.*")), old
        assert json.loads((old / "export-removed.json").read_text())["replaced_by_version"] == newest.name
    # the inbox originals of those deliveries are gone too; nothing in the raw area still holds the row
    for path in (output / "raw").rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".xlsx"):
            assert f'"{erased}"' not in path.read_text(encoding="utf-8", errors="replace"), path
    # the pipeline left the row out
    with duckdb.connect(str(story["restored"] / "warehouse" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(
            "select count(*) from raw.survey_responses where respondent_id in (?, ?)", [erased, key]
        ).fetchone() == (0,)
    assert (output / "raw" / "revisions").stat().st_mode & 0o777 == 0o750


def test_a_suppressed_value_appears_nowhere(story: dict) -> None:
    forms = {repr(SUPPRESSED_C1), f"{SUPPRESSED_C1:.2f}", f"{SUPPRESSED_C1:.3f}"}
    rounded = f"{SUPPRESSED_C1:.1f}"
    for output in (story["output"], story["restored"]):
        for path in (output / "releases").rglob("*"):
            if not path.is_file() or path.suffix == ".duckdb":
                continue
            text = path.read_bytes().decode("utf-8", errors="replace")
            assert not any(f in text for f in forms), path
            if path.name in ("changes.json", "component_sector_year.csv", "report.html"):
                assert rounded not in text, path
        for rbi in (output / "releases").glob("*/rbi.duckdb"):
            with duckdb.connect(str(rbi), read_only=True) as con:
                rows = con.execute(
                    "select raw_value, raw_ci_low, raw_ci_high, normalised, n_eff, cv, dk_share "
                    "from publish.component_sector_year where sector_code = 'POLITI'"
                ).fetchall()
            assert rows and all(v is None for row in rows for v in row)
        # Dagster's run history (events, metadata, logs): its timestamps hold every short digit
        # string, so look for the value to 5 decimals and in full
        precise = {repr(SUPPRESSED_C1), f"{SUPPRESSED_C1:.5f}"}
        for path in (output / "dagster_home").rglob("*"):
            if path.is_file():
                data = path.read_bytes().decode("utf-8", errors="replace")
                assert not any(f in data for f in precise), path
    for log in story["logs"]:
        assert not any(f in log for f in {repr(SUPPRESSED_C1), f"{SUPPRESSED_C1:.5f}"})
    # the warehouse does hold it (so the searches above looked for the right thing)
    with duckdb.connect(str(story["restored"] / "warehouse" / "warehouse.duckdb"), read_only=True) as con:
        value = con.execute(
            "select raw_value from intermediate.int_components_scored "
            "where sector_code = 'POLITI' and component_id = 'C1'"
        ).fetchone()[0]
    assert value == pytest.approx(SUPPRESSED_C1)


def test_main_survey_is_the_only_source_of_the_held_cells(story: dict) -> None:
    held = story["r2"]["c"][("SYKEHUS", "C1")]["source_ids"].split(";")
    assert MAIN_ID in held and LATE_ID not in held


def test_the_store_keeps_every_published_footprint_as_digests(story: dict) -> None:
    """After step 4 (held): the hospital cells have two published versions, V1 = A (60) and
    V2 = A + 10 late; the held candidates of steps 2 and 4 are no version; the erased respondent's
    element stays; the store holds digests and keys, never an answer."""
    root = story["restored"] / "raw" / "revisions"
    current = (root / "CURRENT").read_text(encoding="utf-8").strip()
    footprints = root / current / "footprints.parquet"
    with duckdb.connect() as con:
        rows = con.execute(
            f"select survey_id, versions, count(*) from read_parquet('{footprints}') "
            "where sector_code = 'SYKEHUS' and component_id = 'C1' group by all order by all"
        ).fetchall()
        columns = [c[0] for c in con.execute(f"describe select * from read_parquet('{footprints}')").fetchall()]
    assert rows == [(MAIN_ID, [1, 2], 60), (LATE_ID, [2], 10)]
    assert columns == [
        "year",
        "sector_code",
        "component_id",
        "survey_id",
        "respondent_id",
        "element_digest",
        "versions",
    ]
    assert json.loads((root / current / "manifest.json").read_text())["layout"] == "1.2-footprints"
