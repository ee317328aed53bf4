"""End to end: the whole Dagster + dbt + GX pipeline on tiny inputs whose published numbers are
computed by hand, in temporary directories, through the command `make run` uses.

Hand computation (method 1.2), survey year 2025, population of 2024 (so POP_LAGGED):

SYKEHUS: 40 women (N=600) and 40 men (N=400): w_F = 600/40 = 15, w_M = 10 (10 or more of each sex:
  post-stratified), rescaled to sum to the stratum's 80 respondents (sum w = 1000): w'_F = 1.2,
  w'_M = 0.8 (spec 3, pooling). n_eff = 80^2 / (40*1.44 + 40*0.64) = 76.92 -> 76.9 (C1, C2, C4);
  C3: only the women are valid, n = 40, n_eff 40.
  C1 = 100 * (40*1.2*10 + 40*0.8*20) / (80*40) = 35.0                             -> score 70.0
  C2 = 100 * 48 / 80 = 60.0 (women agree, men do not)                               -> score 60.0
     Korn-Graubard: x* = 0.6 * 76.92 = 46.15; [Beta^-1(0.025; x*, n*-x*+1), Beta^-1(0.975; x*+1,
     n*-x*)] = [48.196, 71.010] -> [48.2, 71.0]; W = 22.8 >= 20: LOW_PRECISION
  C3: women 5 (very often), men "don't know": 100.0; KG x* = n* = 40: [91.19, 100], W 8.8 > 5 and
     min(100, 100 - 100) = 0: the ratio is infinite -> SUPPRESSED (1.1 published it, W / value 0.09)
  C4: women p = 100, men (2, 2, 8) -> p = 25: 100 - (48*100 + 32*25) / 80 = 30.0     -> score 30.0
      dk_share = 40 don't-know of 240 answers = 16.7 %
  C5: obligations for 2025 but population rows for 2024 only: no fte of year t -> empty, NO_FTE
  index = (0.30*70 + 0.20*60 + 0.15*30) / 0.65 = 37.5 / 0.65 = 57.692 -> 57.7 (n_components 3)
  Rao-Wu bootstrap (B = 1000): a replicate draws 79 of the 80 respondents (weights x 80/79, the
  same factor for all, so the ratios do not see it); with k women drawn (k ~ Binomial(79, 1/2)):
  C1(k) = 100 (1264 - 4k) / (2528 + 16k), C2(k) = 120k / (0.4k + 63.2),
  C4(k) = 100 - (100k + 1580) / (0.4k + 63.2). P(k <= 30) = 2.1 %, P(k <= 31) = 3.6 %: the 2.5th /
  97.5th percentiles sit at k = 31 / 48 (give or take two draws of Monte Carlo error), so C1's
  interval is about [C1(48), C1(31)] = [32.5, 37.7] (W 5.2: no flag) and C4's about
  [C4(48), C4(31)] = [22.6, 38.1] (W 15.5 < 20: no flag).
  index(k) = (0.6 C1(k) + 0.2 C2(k) + 0.15 C4(k)) / 0.65 falls with k: interval about
  [index(48), index(31)] = [56.7, 58.7]; every replicate index stays below 60 < NAV's 71.875.
NAV: 80 respondents without sex, sector total known -> w = 1, SECTOR_WEIGHTED, n_eff 80.
  C1 = 60.0 -> score 100.0 CAPPED; C2 = 100.0 (KG [95.5, 100.0], W 4.5 not above 5: published);
  C3 = 0.0 (KG [0.0, 4.5], likewise; cv empty); C4 = 100 - 50 = 50.0. (With 40 respondents, as
  under 1.1, W would be 8.8 and 1.2 would suppress both shares.)
  Identical respondents: every replicate equals the point estimate, se = 0, cv = 0.
  index = (0.30*100 + 0.20*100 + 0.15*0 + 0.15*50) / 0.80 = 71.875 -> 71.9, rank 1, interval
  [71.9, 71.9]; ranks 1 and 2 in every replicate, rank_p05 = rank_p95 = rank (a 90 % rank interval).
POLITI: 3 respondents, no population: every survey cell SUPPRESSED, UNWEIGHTED; INSUFFICIENT.
Sensitivity (spec 7):
  S1 equal weights: NAV (100 + 100 + 0 + 50) / 4 = 62.5; SYKEHUS (70 + 60 + 30) / 3 = 53.3, rank 2
     in every replicate ((2 C1(k) + C2(k) + C4(k)) / 3 < 55 for every k).
  S2 survey components only: the same as S0 (neither sector has a C5 value).
  S3 geometric, (G - 1) / 0.99: NAV (exp((0.3 ln 100 + 0.2 ln 100 + 0.15 ln 1 + 0.15 ln 50.5) / 0.8)
     - 1) / 0.99 = 36.464 -> 36.5; SYKEHUS (exp((0.3 ln 70.3 + 0.2 ln 60.4 + 0.15 ln 30.7) / 0.65)
     - 1) / 0.99 = 54.966 -> 55.0: SYKEHUS rank 1.
  S4 perturbed weights: NAV's index is at least 63.9 under any factors in [0.75, 1.25], SYKEHUS's
     at most 60.6: the median indices rank NAV 1, SYKEHUS 2 (1.2: the rank of the median index),
     and every draw ranks them so.

Method 1.0 published other numbers for these inputs (then 5 + 5 hospital respondents and 10 at
NAV): 1.1 suppresses every cell with n_eff < 30, so the groups were made larger, and the men's
autonomy answers changed from (1, 1, 8) to (2, 2, 8) so that C4's interval is clearly < 20 wide.
Method 1.2 suppresses SYKEHUS's C3 (a share of 100 % with W 8.8) and NAV has 80 respondents.
"""

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from publication.checksums import verify
from tests.e2e.harness import run_pipeline
from tests.e2e.shared_runs import copy_of_published_tiny, published_tiny
from tests.e2e.tiny_inputs import SECRET_COMMENT

pytestmark = pytest.mark.e2e


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The tiny inputs published by one run, shared with other test files: read only."""
    shared = published_tiny(tmp_path_factory)
    inputs, output = shared / "inputs", shared / "output"
    return {"inputs": inputs, "output": output, "release": (output / "releases" / "latest").resolve()}


@pytest.fixture(scope="module")
def rerun(first_run: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A second run of the same inputs on a copy of the published output directory."""
    inputs, output = copy_of_published_tiny(tmp_path_factory, tmp_path_factory.mktemp("rerun"))
    result = run_pipeline(inputs, output)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    release = (output / "releases" / "latest").resolve()
    return {"release": release, "files": {p.name: p.read_bytes() for p in release.iterdir()}}


def test_index_values_computed_by_hand(first_run: dict) -> None:
    rows = {r["sector_code"]: r for r in read_csv(first_run["release"] / "index_sector_year.csv")}
    assert set(rows) == {"SYKEHUS", "NAV", "POLITI"}
    assert rows["NAV"]["index"] == "71.9"
    assert rows["NAV"]["rank"] == "1"
    assert rows["NAV"]["n_components"] == "4"
    assert rows["NAV"]["flags"] == "SECTOR_WEIGHTED"
    assert (rows["NAV"]["index_ci_low"], rows["NAV"]["index_ci_high"]) == ("71.9", "71.9")
    assert (rows["NAV"]["rank_p05"], rows["NAV"]["rank_p95"]) == ("1", "1")
    assert rows["SYKEHUS"]["index"] == "57.7"
    assert 56.5 <= float(rows["SYKEHUS"]["index_ci_low"]) <= 57.0  # index(50) .. index(46)
    assert 58.5 <= float(rows["SYKEHUS"]["index_ci_high"]) <= 59.0  # index(33) .. index(29)
    assert rows["SYKEHUS"]["rank"] == "2"
    assert (rows["SYKEHUS"]["rank_p05"], rows["SYKEHUS"]["rank_p95"]) == ("2", "2")
    assert rows["SYKEHUS"]["n_components"] == "3"  # C3 SUPPRESSED (1.2: a share of 100 % with W 8.8)
    assert rows["SYKEHUS"]["flags"] == "POP_LAGGED"
    assert rows["SYKEHUS"]["sector_en"] == "Hospitals"
    for column in ("index", "index_ci_low", "index_ci_high", "rank", "rank_p05", "rank_p95"):
        assert rows["POLITI"][column] == ""
    assert rows["POLITI"]["n_components"] == "0"
    assert rows["POLITI"]["flags"] == "INSUFFICIENT;UNWEIGHTED"
    for row in rows.values():
        assert row["method_version"] == "1.2"
        assert row["data_status"] == "demonstration"
        assert row["release_id"].startswith("demo-rbi-1.2-20261125-")  # newest input: the copied SSB snapshots


def test_component_values_computed_by_hand(first_run: dict) -> None:
    cells = {
        (r["sector_code"], r["component_id"]): r for r in read_csv(first_run["release"] / "component_sector_year.csv")
    }
    assert len(cells) == 3 * 4 + 1  # C1-C4 of every sector with respondents (POLITI too), SYKEHUS's C5
    c1 = cells[("SYKEHUS", "C1")]
    assert (c1["raw_value"], c1["normalised"], c1["n"], c1["n_eff"]) == ("35.0", "70.0", "80", "76.9")
    assert c1["flags"] == "POP_LAGGED"
    assert 31.9 <= float(c1["raw_ci_low"]) <= 33.1 and 37.0 <= float(c1["raw_ci_high"]) <= 38.4  # k 46..50, 29..33
    assert 0.031 <= float(c1["cv"]) <= 0.047  # exact Rao-Wu sd over Binomial(79, 1/2): 1.353 -> cv 0.039
    assert c1["dk_share"] == ""
    assert c1["unit"] == "% of working hours"
    assert c1["source_ids"] == "TINY-2025;demo_population"
    c2 = cells[("SYKEHUS", "C2")]
    assert (c2["raw_value"], c2["raw_ci_low"], c2["raw_ci_high"], c2["dk_share"]) == ("60.0", "48.2", "71.0", "0.0")
    assert c2["flags"] == "LOW_PRECISION;POP_LAGGED"  # Korn-Graubard W = 22.8 >= 20
    c3 = cells[("SYKEHUS", "C3")]
    # 1.2: a share of 100 % with W = 8.8 > 5: min(value, 100 - value) = 0, SUPPRESSED (identity, n, flags)
    assert (c3["raw_value"], c3["raw_ci_low"], c3["raw_ci_high"], c3["n"], c3["n_eff"]) == ("", "", "", "40", "")
    assert (c3["dk_share"], c3["normalised"], c3["flags"]) == ("", "", "POP_LAGGED;SUPPRESSED")
    c4 = cells[("SYKEHUS", "C4")]
    assert (c4["raw_value"], c4["normalised"], c4["dk_share"], c4["flags"]) == ("30.0", "30.0", "16.7", "POP_LAGGED")
    assert 20.9 <= float(c4["raw_ci_low"]) <= 24.3 and 36.1 <= float(c4["raw_ci_high"]) <= 40.2  # k 46..50, 29..33
    # C5: obligations for 2025, but the population table has 2024 only -> no fte of year t
    c5 = cells[("SYKEHUS", "C5")]
    assert (c5["raw_value"], c5["normalised"], c5["n"], c5["flags"]) == ("", "", "", "NO_FTE")
    assert (c5["raw_ci_low"], c5["raw_ci_high"], c5["cv"]) == ("", "", "")
    assert c5["source_ids"] == "demo_obligations"
    nav_c1 = cells[("NAV", "C1")]
    assert (nav_c1["raw_value"], nav_c1["normalised"]) == ("60.0", "100.0")
    assert nav_c1["flags"] == "CAPPED;SECTOR_WEIGHTED"
    assert (nav_c1["raw_ci_low"], nav_c1["raw_ci_high"], nav_c1["cv"]) == ("60.0", "60.0", "0.000")
    nav_c3 = cells[("NAV", "C3")]
    assert (nav_c3["raw_value"], nav_c3["raw_ci_low"], nav_c3["raw_ci_high"], nav_c3["cv"]) == ("0.0", "0.0", "4.5", "")
    assert (nav_c3["n"], nav_c3["n_eff"], nav_c3["flags"]) == ("80", "80.0", "SECTOR_WEIGHTED")
    assert (cells[("NAV", "C2")]["raw_ci_low"], cells[("NAV", "C2")]["raw_ci_high"]) == ("95.5", "100.0")
    assert ("NAV", "C5") not in cells
    for component in ("C1", "C2", "C3", "C4"):
        politi = cells[("POLITI", component)]
        assert (politi["raw_value"], politi["n"], politi["flags"]) == ("", "3", "SUPPRESSED;UNWEIGHTED")


def test_sensitivity_computed_by_hand(first_run: dict) -> None:
    rows = {(r["sector_code"], r["scenario_id"]): r for r in read_csv(first_run["release"] / "sensitivity.csv")}
    assert len(rows) == 3 * 5
    published = {key: (r["index"], r["rank"], r["rank_p05"], r["rank_p95"]) for key, r in rows.items()}
    assert published[("NAV", "S0")] == ("71.9", "1", "1", "1")
    assert published[("SYKEHUS", "S0")] == ("57.7", "2", "2", "2")
    assert published[("NAV", "S1")] == ("62.5", "1", "1", "1")
    assert published[("SYKEHUS", "S1")] == ("53.3", "2", "2", "2")
    assert published[("NAV", "S2")] == ("71.9", "1", "1", "1")
    assert published[("SYKEHUS", "S2")] == ("57.7", "2", "2", "2")
    assert published[("NAV", "S3")] == ("36.5", "2", "2", "2")
    assert published[("SYKEHUS", "S3")] == ("55.0", "1", "1", "1")
    # S4: the median over 1000 draws of perturbed weights lies near the default-weight index; the
    # rank is that of the median index (1.2), and every draw ranks NAV first
    assert 70.0 <= float(published[("NAV", "S4")][0]) <= 74.0
    assert 56.0 <= float(published[("SYKEHUS", "S4")][0]) <= 59.5
    assert published[("NAV", "S4")][1:] == ("1", "1", "1")
    assert published[("SYKEHUS", "S4")][1:] == ("2", "2", "2")
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
    assert [r["changelog"] for r in releases] == [
        "First release, method 1.2 (a revision checked against every published version at once (atoms of at "
        "least 10 respondents), the relative-width rule on min(value, 100 - value), 10 respondents of each sex "
        "to post-stratify, Rao-Wu bootstrap intervals (n_h - 1 draws), the S4 rank from the median index, 90 % "
        "rank intervals said so, SKEWED also on the index, an fte total from sex rows only with both F and M)."
    ]
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
    excel = (release / "index_sector_year.excel-nb.csv").read_bytes()
    assert excel.startswith("\ufeffUtgivelse;Metodeversjon;År;".encode())  # BOM, Norwegian headers
    assert b";71,9;" in excel  # NAV, decimal comma
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(release / "rapporteringsbyrdeindeksen.xlsx"))
    assert book.sheet_names[:3] == ["Om tallene - About", "Indeks", "Komponenter"]
    assert book.get_sheet_by_name("Indeks").to_python()[0][6] == "Indeks (poeng 0–100)"
    assert (release / "methodology.md").read_text(encoding="utf-8").startswith("# Methodology")


def test_analyst_db_matches_the_csvs(first_run: dict) -> None:
    release = first_run["release"]
    with duckdb.connect(str(release / "rbi.duckdb"), read_only=True) as con:
        tables = {
            r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'publish'").fetchall()
        }
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
            " where sector_code = 'POLITI' and component_id = 'C3'"
        ).fetchone()
        assert c3 == (None, 3)
        assert con.execute("select data_status from publish.release_metadata").fetchone() == ("demonstration",)
        assert con.execute("select sector_code from results limit 1").fetchone() == ("NAV",)  # default schema


@pytest.mark.chromium
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
    for marker in ('class="headline"', 'class="legend"', 'class="rank-range"', 'id="glossary"', "sensitivity-table"):
        assert marker in result.stdout, marker


def test_the_run_leaves_the_public_site(first_run: dict) -> None:
    """The publication/site asset after the release: output/site/ with the release copied exactly,
    latest/ as real copies under fixed names, a page per sector, the feed and the catalogue."""
    site, release = first_run["output"] / "site", first_run["release"]
    assert (site / "index.html").is_file() and not (site / "latest").is_symlink()
    for path in release.iterdir():
        assert (site / "releases" / release.name / path.name).read_bytes() == path.read_bytes(), path.name
        assert (site / "latest" / path.name).read_bytes() == path.read_bytes(), path.name
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'id="demonstration-banner"' in index and release.name in index
    for sector in ("SYKEHUS", "NAV", "POLITI"):
        assert f'href="sectors/{sector}.html"' in index and (site / "sectors" / f"{sector}.html").is_file()
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    assert catalog["current_release"] == release.name
    assert (site / "feed.xml").read_bytes().startswith(b"<?xml")


def test_second_run_is_byte_identical(first_run: dict, rerun: dict) -> None:
    """The same inputs again: the same release, byte for byte, and no new one. (A fresh output
    directory gets the same bytes too: tests/e2e/test_crash_recovery.py compares the SHA256SUMS of
    a fresh directory's release, after a crash in every stage, with this run's. dbt's partial parse
    is reused from one run to the next on an output directory: tests/e2e/test_revisions.py.)"""
    assert rerun["release"].name == first_run["release"].name
    assert rerun["files"] == {p.name: p.read_bytes() for p in first_run["release"].iterdir()}
    assert [p.name for p in rerun["release"].parent.iterdir() if p.is_dir() and not p.is_symlink()] == [
        rerun["release"].name
    ]
