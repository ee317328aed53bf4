"""End to end: the whole Dagster + dbt + GX pipeline on tiny inputs whose published numbers are
computed by hand, in temporary directories, through the command `make run` uses.

Hand computation (method 1.0), survey year 2025, population of 2024 (so POP_LAGGED):

SYKEHUS: 5 women (N=600) and 5 men (N=400): w_F = 600/5 = 120, w_M = 400/5 = 80.
  C1 = 100 * (5*120*10 + 5*80*20) / (5*120*40 + 5*80*40) = 100 * 14000 / 40000 = 35.0  -> score 70.0
  C2 = 100 * 600 / 1000 = 60.0 (women agree, men do not)                           -> score 60.0
  C3: women answer 5, men "don't know" (8): n = 5 < 10 -> SUPPRESSED
  C4: women p = 100, men mean(1, 1) -> p = 0: 100 - (600*100) / 1000 = 40.0
      dk_share = 5 don't-know of 30 answers = 16.7 %
  n_eff = 1000^2 / (5*120^2 + 5*80^2) = 9.615 -> 9.6, LOW_PRECISION
  C5 = 30 min * 10 reports * 100 units / 60 / 50 FTE = 10.0 h/FTE                  -> score 5.0
  Bootstrap (B = 1000): a replicate draws 10 of the 10 respondents with replacement; with k women
  drawn (k ~ Binomial(10, 1/2)): C1(k) = 100 (16000 - 400k) / (32000 + 1600k),
  C2(k) = 100 * 120k / (120k + 80(10 - k)), C4(k) = 100 - C2(k). Exact bootstrap sd: C1 3.85,
  C2 and C4 15.41, so cv(C1) = 0.110, cv(C2) = 0.257 (LOW_PRECISION), cv(C4) = 15.41/40 = 0.385
  > 0.333: C4 is SUPPRESSED by cv and leaves the index.
  P(k <= 1) = 1.1 % < 2.5 % < P(k <= 2) = 5.5 % (and symmetrically at the top), so the 2.5th and
  97.5th percentiles of the replicates are the values at k = 2 and k = 8:
  C1 interval [C1(8), C1(2)] = [28.571, 43.182] -> [28.6, 43.2];
  C2 interval [C2(2), C2(8)] = [27.273, 85.714] -> [27.3, 85.7].
  index = (0.30*70 + 0.20*60 + 0.20*5) / 0.70 = 34 / 0.70 = 48.5714 -> 48.6 (n_components 3);
  per replicate index(k) = (0.30 * 2 C1(k) + 0.20 C2(k) + 0.20*5) / 0.70 rises with k, so the
  interval is [index(2), index(8)] = [46.234, 50.408] -> [46.2, 50.4].
NAV: 10 respondents without sex, sector total known -> w = 1, SECTOR_WEIGHTED.
  C1 = 60.0 -> score 100.0 CAPPED; C2 = 100.0; C3 = 0.0; C4 = 100 - 50 = 50.0; no obligations.
  Identical respondents: every replicate equals the point estimate, se = 0, cv = 0 (C3 = 0: cv empty).
  index = (0.30*100 + 0.20*100 + 0.15*0 + 0.15*50) / 0.80 = 71.875 -> 71.9, rank 1, interval
  [71.9, 71.9]. SYKEHUS replicates stay <= index(10) = 51.4 < 71.875: ranks 1 and 2 in every
  replicate, rank_p05 = rank_p95 = rank.
POLITI: 3 respondents, no population: every survey cell SUPPRESSED, UNWEIGHTED; INSUFFICIENT.
Sensitivity (spec 7):
  S1 equal weights: NAV (100 + 100 + 0 + 50) / 4 = 62.5; SYKEHUS (70 + 60 + 5) / 3 = 45.0.
  S2 survey components only: NAV 71.875 (no C5 anyway); SYKEHUS has only C1, C2 -> no index.
  S3 geometric: NAV (exp((0.3 ln 100 + 0.2 ln 100 + 0.15 ln 1 + 0.15 ln 50.5) / 0.8) - 1) / 0.99
     = 36.464 -> 36.5; SYKEHUS (exp((0.3 ln 70.3 + 0.2 ln 60.4 + 0.2 ln 5.95) / 0.7) - 1) / 0.99
     = 32.569 -> 32.6.
  S4 perturbed weights (factors 0.75..1.25): SYKEHUS's index is at most
     (0.375*70 + 0.15*60 + 0.15*5) / 0.675 = 53.3 and NAV's at least
     (0.225*100 + 0.15*100 + 0.1875*0 + 0.1875*50) / 0.75 = 62.5, so NAV ranks 1 and SYKEHUS 2 in
     every draw.
"""

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from publication.checksums import verify
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
    assert (rows["NAV"]["index_ci_low"], rows["NAV"]["index_ci_high"]) == ("71.9", "71.9")
    assert (rows["NAV"]["rank_p05"], rows["NAV"]["rank_p95"]) == ("1", "1")
    assert rows["SYKEHUS"]["index"] == "48.6"
    assert (rows["SYKEHUS"]["index_ci_low"], rows["SYKEHUS"]["index_ci_high"]) == ("46.2", "50.4")
    assert rows["SYKEHUS"]["rank"] == "2"
    assert (rows["SYKEHUS"]["rank_p05"], rows["SYKEHUS"]["rank_p95"]) == ("2", "2")
    assert rows["SYKEHUS"]["n_components"] == "3"
    assert rows["SYKEHUS"]["flags"] == "POP_LAGGED"
    assert rows["SYKEHUS"]["sector_en"] == "Hospitals"
    for column in ("index", "index_ci_low", "index_ci_high", "rank", "rank_p05", "rank_p95"):
        assert rows["POLITI"][column] == ""
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
    assert (c1["raw_ci_low"], c1["raw_ci_high"]) == ("28.6", "43.2")
    assert 0.100 <= float(c1["cv"]) <= 0.120  # exact bootstrap cv 0.110; Monte Carlo error ~2 %
    assert c1["dk_share"] == ""
    assert c1["unit"] == "% of working hours"
    assert c1["source_ids"] == "TINY-2025;demo_population"
    c2 = cells[("SYKEHUS", "C2")]
    assert (c2["raw_value"], c2["raw_ci_low"], c2["raw_ci_high"], c2["dk_share"]) == ("60.0", "27.3", "85.7", "0.0")
    assert 0.240 <= float(c2["cv"]) <= 0.275  # exact 0.257: LOW_PRECISION by cv (and by n_eff)
    assert c2["flags"] == "LOW_PRECISION;POP_LAGGED"
    c3 = cells[("SYKEHUS", "C3")]
    assert c3["flags"] == "POP_LAGGED;SUPPRESSED"
    assert c3["n"] == "5"
    # nothing of a suppressed cell leaves the warehouse but its identity, n and flags
    assert [c3[k] for k in ("raw_value", "raw_ci_low", "raw_ci_high", "normalised", "n_eff", "cv", "dk_share")] == [
        ""
    ] * 7
    # C4 = 40.0 with cv 0.385 > 0.333: suppressed by cv although n = 10
    c4 = cells[("SYKEHUS", "C4")]
    assert (c4["n"], c4["flags"]) == ("10", "POP_LAGGED;SUPPRESSED")
    assert [c4[k] for k in ("raw_value", "raw_ci_low", "raw_ci_high", "normalised", "n_eff", "cv", "dk_share")] == [
        ""
    ] * 7
    c5 = cells[("SYKEHUS", "C5")]
    assert (c5["raw_value"], c5["normalised"], c5["n"], c5["flags"]) == ("10.0", "5.0", "", "POP_LAGGED")
    assert (c5["raw_ci_low"], c5["raw_ci_high"], c5["cv"]) == ("", "", "")  # no sampling error
    assert c5["source_ids"] == "demo_obligations;demo_population"
    nav_c1 = cells[("NAV", "C1")]
    assert (nav_c1["raw_value"], nav_c1["normalised"]) == ("60.0", "100.0")
    assert nav_c1["flags"] == "CAPPED;LOW_PRECISION;SECTOR_WEIGHTED"
    assert (nav_c1["raw_ci_low"], nav_c1["raw_ci_high"], nav_c1["cv"]) == ("60.0", "60.0", "0.000")
    assert (cells[("NAV", "C3")]["raw_value"], cells[("NAV", "C3")]["cv"]) == ("0.0", "")
    assert ("NAV", "C5") not in cells
    assert all(cells[("POLITI", c)]["raw_value"] == "" for c in ("C1", "C2", "C3", "C4"))


def test_sensitivity_computed_by_hand(first_run: dict) -> None:
    rows = {(r["sector_code"], r["scenario_id"]): r for r in read_csv(first_run["release"] / "sensitivity.csv")}
    assert len(rows) == 3 * 5
    published = {key: (r["index"], r["rank"], r["rank_p05"], r["rank_p95"]) for key, r in rows.items()}
    assert published[("NAV", "S0")] == ("71.9", "1", "1", "1")
    assert published[("SYKEHUS", "S0")] == ("48.6", "2", "2", "2")
    assert published[("NAV", "S1")] == ("62.5", "1", "1", "1")
    assert published[("SYKEHUS", "S1")] == ("45.0", "2", "2", "2")
    assert published[("NAV", "S2")] == ("71.9", "1", "1", "1")
    assert published[("SYKEHUS", "S2")] == ("", "", "", "")
    assert published[("NAV", "S3")] == ("36.5", "1", "1", "1")
    assert published[("SYKEHUS", "S3")] == ("32.6", "2", "2", "2")
    # S4: the median over 1000 draws of perturbed weights lies near the default-weight index
    assert 70.0 <= float(published[("NAV", "S4")][0]) <= 74.0
    assert published[("NAV", "S4")][1:] == ("1", "1", "1")
    assert published[("SYKEHUS", "S4")][1:] == ("2", "2", "2")
    assert 46.0 <= float(published[("SYKEHUS", "S4")][0]) <= 51.0
    for scenario in ("S0", "S1", "S2", "S3", "S4"):
        assert published[("POLITI", scenario)] == ("", "", "", "")
    assert {r["release_id"] for r in rows.values()} == {first_run["release"].name}


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


def test_release_files_verify(first_run: dict) -> None:
    """SHA256SUMS verifies with sha256sum, the data package with `frictionless validate`."""
    release = first_run["release"]
    assert verify(release) == []
    result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = {line.split("  ", 1)[1] for line in (release / "SHA256SUMS").read_text().splitlines()}
    assert listed == {p.name for p in release.iterdir()} - {"SHA256SUMS", "rbi.duckdb"}
    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run(
        [str(frictionless), "validate", "datapackage.json"], cwd=release, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "VALID" in result.stdout and "INVALID" not in result.stdout
    excel = (release / "index_sector_year.xlsx-no.csv").read_bytes()
    assert excel.startswith(b"\xef\xbb\xbfrelease_id;method_version;year;")
    assert b";71,9;" in excel  # NAV, decimal comma
    assert (release / "methodology.md").read_text(encoding="utf-8").startswith("# Methodology")


def test_analyst_db_matches_the_csvs(first_run: dict) -> None:
    release = first_run["release"]
    with duckdb.connect(str(release / "rbi.duckdb"), read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        assert tables == {
            "index_sector_year",
            "component_sector_year",
            "context_sector_year",
            "sensitivity",
            "sources",
            "releases",
            "release_metadata",
        }
        for table in tables - {"release_metadata"}:
            csv_rows = read_csv(release / f"{table}.csv")
            cursor = con.execute(f'select * from publish."{table}"')
            header = [d[0] for d in cursor.description]
            assert header == list(csv_rows[0]), table
            for row, csv_row in zip(cursor.fetchall(), csv_rows, strict=True):
                for column, value in zip(header, row, strict=True):
                    assert (value is None) == (csv_row[column] == ""), (table, column)
        nav = con.execute("select index, rank from publish.index_sector_year where sector_code = 'NAV'").fetchone()
        assert nav == (71.9, 1)
        c3 = con.execute(
            "select raw_value, n from publish.component_sector_year"
            " where sector_code = 'SYKEHUS' and component_id = 'C3'"
        ).fetchone()
        assert c3 == (None, 5)
        assert con.execute("select data_status from publish.release_metadata").fetchone() == ("demonstration",)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (.ci/run installs it)")
def test_report_of_the_release_renders(first_run: dict) -> None:
    report = first_run["release"] / "report.html"
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for sector in ("SYKEHUS", "NAV", "POLITI"):
        assert f'data-sector="{sector}"' in result.stdout
    assert 'id="demonstration-banner"' in result.stdout


def test_a_fresh_output_directory_gets_the_same_bytes(first_run: dict, tmp_path: Path) -> None:
    """Same snapshots and method -> byte-identical files in every format (the DuckDB file excepted:
    DuckDB files are not byte-reproducible; it is outside SHA256SUMS)."""
    other = tmp_path / "output"
    result = run_pipeline(first_run["inputs"], other)
    assert result.returncode == 0, result.stderr[-4000:]
    fresh = (other / "releases" / "latest").resolve()
    assert fresh.name == first_run["release"].name
    names = {p.name for p in first_run["release"].iterdir()}
    assert {p.name for p in fresh.iterdir()} == names
    for name in sorted(names - {"rbi.duckdb"}):
        assert (fresh / name).read_bytes() == (first_run["release"] / name).read_bytes(), name
    shutil.rmtree(other, ignore_errors=True)


def test_second_run_is_byte_identical(first_run: dict) -> None:
    before = {p.name: p.read_bytes() for p in first_run["release"].iterdir()}
    result = run_pipeline(first_run["inputs"], first_run["output"])
    assert result.returncode == 0, result.stderr[-4000:]
    after_release = (first_run["output"] / "releases" / "latest").resolve()
    assert after_release == first_run["release"]
    assert {p.name: p.read_bytes() for p in after_release.iterdir()} == before
