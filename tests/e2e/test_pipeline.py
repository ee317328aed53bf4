"""End to end: the whole Dagster + dbt + GX pipeline on tiny inputs whose published numbers are
computed by hand, in temporary directories, through the command `make run` uses.

Hand computation (method 1.0), survey year 2025, population of 2024 (so POP_LAGGED):

SYKEHUS: 5 women (N=600) and 5 men (N=400): w_F = 600/5 = 120, w_M = 400/5 = 80.
  C1 = 100 * (5*120*10 + 5*80*20) / (5*120*40 + 5*80*40) = 100 * 14000 / 40000 = 35.0  -> score 70.0
  C2 = 100 * 600 / 1000 = 60.0 (women agree, men do not)                           -> score 60.0
  C3: women answer 5, men "don't know" (8): n = 5 < 10 -> SUPPRESSED
  C4: women p = 100, men mean(1, 1) -> p = 0: 100 - (600*100) / 1000 = 40.0         -> score 40.0
      dk_share = 5 don't-know of 30 answers = 16.7 %
  n_eff = 1000^2 / (5*120^2 + 5*80^2) = 9.615 -> 9.6, LOW_PRECISION
  C5 = 30 min * 10 reports * 100 units / 60 / 50 FTE = 10.0 h/FTE                  -> score 5.0
  index = (0.30*70 + 0.20*60 + 0.15*40 + 0.20*5) / 0.85 = 40 / 0.85 = 47.0588 -> 47.1
NAV: 10 respondents without sex, sector total known -> w = 1, SECTOR_WEIGHTED.
  C1 = 60.0 -> score 100.0 CAPPED; C2 = 100.0; C3 = 0.0; C4 = 100 - 50 = 50.0; no obligations.
  index = (0.30*100 + 0.20*100 + 0.15*0 + 0.15*50) / 0.80 = 71.875 -> 71.9, rank 1
POLITI: 3 respondents, no population: every survey cell SUPPRESSED, UNWEIGHTED; INSUFFICIENT.
"""

import csv
import io
from pathlib import Path

import pytest

from tests.e2e.harness import run_pipeline
from tests.e2e.tiny_inputs import SECRET_COMMENT, make_tiny_inputs

pytestmark = pytest.mark.e2e


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("e2e")
    inputs = make_tiny_inputs(root / "inputs")
    output = root / "output"
    result = run_pipeline(inputs, output)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    latest = output / "releases" / "latest"
    return {"inputs": inputs, "output": output, "release": latest.resolve(), "result": result}


def test_index_values_computed_by_hand(first_run: dict) -> None:
    rows = {r["sector_code"]: r for r in read_csv(first_run["release"] / "index_sector_year.csv")}
    assert set(rows) == {"SYKEHUS", "NAV", "POLITI"}
    assert rows["NAV"]["index"] == "71.9"
    assert rows["NAV"]["rank"] == "1"
    assert rows["NAV"]["n_components"] == "4"
    assert rows["NAV"]["flags"] == "SECTOR_WEIGHTED"
    assert rows["SYKEHUS"]["index"] == "47.1"
    assert rows["SYKEHUS"]["rank"] == "2"
    assert rows["SYKEHUS"]["n_components"] == "4"
    assert rows["SYKEHUS"]["flags"] == "POP_LAGGED"
    assert rows["SYKEHUS"]["sector_en"] == "Hospitals"
    assert rows["POLITI"]["index"] == ""
    assert rows["POLITI"]["rank"] == ""
    assert rows["POLITI"]["n_components"] == "0"
    assert rows["POLITI"]["flags"] == "INSUFFICIENT;UNWEIGHTED"
    for row in rows.values():
        assert row["method_version"] == "1.0"
        assert row["data_status"] == "demonstration"
        assert row["release_id"].startswith("demo-rbi-1.0-20261125-")  # newest input: the copied SSB snapshots


def test_component_values_computed_by_hand(first_run: dict) -> None:
    cells = {
        (r["sector_code"], r["component_id"]): r for r in read_csv(first_run["release"] / "component_sector_year.csv")
    }
    c1 = cells[("SYKEHUS", "C1")]
    assert (c1["raw_value"], c1["normalised"], c1["n"], c1["n_eff"]) == ("35.0", "70.0", "10", "9.6")
    assert c1["flags"] == "LOW_PRECISION;POP_LAGGED"
    assert c1["dk_share"] == ""
    assert c1["unit"] == "% of working hours"
    assert c1["source_ids"] == "TINY-2025;demo_population"
    assert cells[("SYKEHUS", "C2")]["raw_value"] == "60.0"
    assert cells[("SYKEHUS", "C2")]["dk_share"] == "0.0"
    c3 = cells[("SYKEHUS", "C3")]
    assert c3["flags"] == "POP_LAGGED;SUPPRESSED"
    assert c3["n"] == "5"
    # nothing of a suppressed cell leaves the warehouse but its identity, n and flags
    assert [c3[k] for k in ("raw_value", "raw_ci_low", "raw_ci_high", "normalised", "n_eff", "cv", "dk_share")] == [
        ""
    ] * 7
    c4 = cells[("SYKEHUS", "C4")]
    assert (c4["raw_value"], c4["normalised"], c4["dk_share"]) == ("40.0", "40.0", "16.7")
    c5 = cells[("SYKEHUS", "C5")]
    assert (c5["raw_value"], c5["normalised"], c5["n"], c5["flags"]) == ("10.0", "5.0", "", "POP_LAGGED")
    assert c5["source_ids"] == "demo_obligations;demo_population"
    nav_c1 = cells[("NAV", "C1")]
    assert (nav_c1["raw_value"], nav_c1["normalised"]) == ("60.0", "100.0")
    assert nav_c1["flags"] == "CAPPED;LOW_PRECISION;SECTOR_WEIGHTED"
    assert cells[("NAV", "C3")]["raw_value"] == "0.0"
    assert ("NAV", "C5") not in cells
    assert all(cells[("POLITI", c)]["raw_value"] == "" for c in ("C1", "C2", "C3", "C4"))


def test_context_sources_and_release_files(first_run: dict) -> None:
    release = first_run["release"]
    context = read_csv(release / "context_sector_year.csv")
    # real SSB figure: sickness absence, industry 86-88, central government, 2012K1 (web table 122735)
    hospital = [
        r
        for r in context
        if r["sector_code"] == "SYKEHUS" and r["period"] == "2012K1" and r["indicator_id"] == "SICKNESS_ABSENCE_PCT"
    ]
    assert len(hospital) == 1
    assert hospital[0]["nace_code"] == "86-88" and hospital[0]["ssb_sector"] == "Statlig forvaltning"
    sources = {r["source_id"]: r for r in read_csv(release / "sources.csv")}
    assert set(sources) == {
        "TINY-2025",
        "demo_obligations",
        "demo_population",
        "ssb_05300",
        "ssb_employment",
        "ssb_sickness_absence",
    }
    assert sources["ssb_sickness_absence"]["licence"].startswith("CC BY 4.0")
    releases = read_csv(release / "releases.csv")
    assert [r["changelog"] for r in releases] == ["First release."]
    readme = (release / "README.txt").read_text(encoding="utf-8")
    assert readme.startswith("DEMONSTRASJONSDATA / DEMONSTRATION DATA")


def test_free_text_never_reaches_outputs(first_run: dict) -> None:
    # e-mail and name from the free-text column, and the exact submission time ($created)
    needles = ("kari@example.invalid", "Kari Nordmann", "Hemmelig fritekst", "2025-03-01T10:00:00")
    assert all(n in SECRET_COMMENT for n in needles[:3])
    for path in first_run["output"].rglob("*"):
        if path.is_file() and "dagster_home" not in path.parts:
            data = path.read_bytes()
            for needle in needles:
                assert needle.encode() not in data, (path, needle)


def test_second_run_is_byte_identical(first_run: dict) -> None:
    before = {p.name: p.read_bytes() for p in first_run["release"].iterdir()}
    result = run_pipeline(first_run["inputs"], first_run["output"])
    assert result.returncode == 0, result.stderr[-4000:]
    after_release = (first_run["output"] / "releases" / "latest").resolve()
    assert after_release == first_run["release"]
    assert {p.name: p.read_bytes() for p in after_release.iterdir()} == before
