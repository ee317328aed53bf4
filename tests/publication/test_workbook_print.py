"""The workbook and the excel-nb CSVs as a journalist opens and prints them: rendered by
LibreOffice headless (Debian's package, installed by .ci/run) and read back.

- the workbook printed to PDF: landscape A4 pages, every data sheet one page wide (the Index sheet
  of a year on one page, sector names beside the values), the header row on every page of a data
  sheet, the demonstration marker on every page;
- each excel-nb CSV imported with LibreOffice's default CSV settings and Norwegian locale: no
  formula text, the method version and table ids stay text, numbers with decimal commas are
  numbers.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from method.reference import seed_rows
from publication.build import build_release
from publication.contracts import PUBLISHED_TABLES
from publication.headers import SHEETS_NB
from publication.release_info import ReleaseInfo
from publication.workbook import WORKBOOK_FILE

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        not (SOFFICE and PDFTOTEXT) and not os.environ.get("CI"),
        reason="LibreOffice (soffice) and poppler-utils (pdftotext) are installed by .ci/run",
    ),
]
TABLES = [(t.name, t.columns) for t in PUBLISHED_TABLES]
DEMO = "DEMONSTRASJONSDATA (oppdiktede data, ikke reelle målinger)"
RELEASE_ID = "demo-rbi-1.1-20261129-4fd034f7.2"
YEARS = (2023, 2024, 2025)


def _rows() -> dict[str, list[dict]]:
    """Every sector of the seed, three years, every component: the size of a real release."""
    sectors, comps = seed_rows("sectors.csv"), seed_rows("components.csv")
    out: dict[str, list[dict]] = {name: [] for name, _ in TABLES}
    for year in YEARS:
        for i, s in enumerate(sectors):
            names = {"sector_code": s["sector_code"], "sector_nb": s["sector_nb"], "sector_en": s["sector_en"]}
            out["index_sector_year"].append(
                {"release_id": RELEASE_ID, "method_version": "1.1", "year": year, **names, "index": 40 + 3.3 * i,
                 "index_ci_low": 35.0 + i, "index_ci_high": 50.0 + i, "rank": i + 1, "rank_p05": i + 1,
                 "rank_p95": i + 2, "n_components": 5, "flags": "LOW_PRECISION;SECTOR_WEIGHTED" if i % 3 == 0 else None,
                 "data_status": "demonstration"}
            )  # fmt: skip
            for c in comps:
                out["component_sector_year"].append(
                    {"release_id": RELEASE_ID, "year": year, "sector_code": s["sector_code"],
                     "component_id": c["component_id"], "component_name": c["component_name"], "unit": c["unit"],
                     "raw_value": 20.0 + i, "raw_ci_low": 15.0, "raw_ci_high": 25.0, "normalised": 50.0, "n": 120,
                     "n_eff": 95.5, "cv": 0.05, "dk_share": 3.0, "flags": "SUPPRESSED" if i == 4 else None,
                     "source_ids": "DEMO-2025-ARBEIDSTID"}
                )  # fmt: skip
            for scenario in ("S0", "S1", "S2", "S3", "S4"):
                out["sensitivity"].append(
                    {"release_id": RELEASE_ID, "year": year, "sector_code": s["sector_code"], "scenario_id": scenario,
                     "index": 40.0 + i, "rank": i + 1, "rank_p05": i + 1, "rank_p95": i + 2}
                )  # fmt: skip
            out["context_sector_year"].append(
                {"release_id": RELEASE_ID, "year": year, "period": str(year), **names,
                 "indicator_id": "SICKNESS_ABSENCE_PCT", "indicator_nb": "Sykefraværsprosent, egenmeldt og legemeldt",
                 "indicator_en": "Sickness absence rate", "unit": "% of contracted man-days", "value": 7.1,
                 "status": None, "nace_code": "86-88", "ssb_sector": "Kommunal forvaltning",
                 "source_id": "ssb_sickness_absence", "source_table": "05300", "data_status": "demonstration"}
            )  # fmt: skip
    out["sources"] = [
        {"source_id": "ssb_sickness_absence", "publisher": "Statistisk sentralbyrå",
         "title": "Sykefravær etter næring og sektor (sickness absence by industry and institutional sector), "
         "transcribed figures", "url": "https://www.ssb.no/statbank/table/12441", "licence": "CC BY 4.0",
         "retrieved_at": "2026-11-25T00:00:00Z", "sha256": "ab" * 32, "origin": "transcribed"}
    ]  # fmt: skip
    return out


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("release")
    info = ReleaseInfo(RELEASE_ID, "2026-11-29", "1.1", "demonstration")
    for name, data in build_release(info, TABLES, _rows(), None, b"# Metode\n").files.items():
        if name.endswith((".xlsx", ".excel-nb.csv")):
            (folder / name).write_bytes(data)
    return folder


def _soffice(args: list[str], cwd: Path) -> None:
    assert SOFFICE, "LibreOffice is missing (.ci/run installs libreoffice-calc-nogui)"
    profile = cwd / "lo-profile"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", *args],
        cwd=cwd, capture_output=True, text=True, timeout=600, env={**os.environ, "HOME": str(cwd)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.fixture(scope="module")
def printed(release: Path) -> tuple[Path, list[str]]:
    _soffice(["--convert-to", "pdf", "--outdir", str(release / "pdf"), WORKBOOK_FILE], release)
    pdf = release / "pdf" / WORKBOOK_FILE.replace(".xlsx", ".pdf")
    return pdf, _pages(pdf)


def test_the_workbook_prints_landscape_one_page_wide(printed) -> None:
    pdf, pages = printed
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width > height and round(width) == 842  # A4 landscape
    # 9 sectors x 3 years: About 2 pages, Index 1 (one page wide), Components 2, Context 1,
    # Sensitivity 3, Sources 1, Releases 1 (64 portrait pages before)
    assert len(pages) == 11, [p.strip().splitlines()[0] for p in pages]
    for page in pages:
        assert "DEMONSTRASJONSDATA" in page.splitlines()[0] or "DEMONSTRASJONSDATA" in page[:400]


def test_every_page_of_a_data_sheet_carries_its_header_row(printed) -> None:
    _, pages = printed
    headers = {  # a few words of each data sheet's header row
        "Indeks": ["Utgivelse", "Metodeversjon", "Sektorkode", "Flagg forklart"],
        "Komponenter": ["Utgivelse", "Sektorkode", "Komponent", "Datastatus"],
        "Kontekst": ["Utgivelse", "Periode", "Sektorkode", "Datastatus"],
        "Følsomhet": ["Utgivelse", "Scenario", "Datastatus"],
        "Kilder": ["Kilde", "Tittel", "Datastatus"],
        "Utgivelser": ["Utgivelse", "Endringslogg"],
    }
    seen = dict.fromkeys(headers, 0)
    for page in pages:
        top = page.strip().splitlines()[0]
        sheet = next((s for s in headers if f" {s} " in f" {' '.join(top.split())} "), None)
        if sheet is None:
            continue
        seen[sheet] += 1
        flat = " ".join(page.split())
        assert all(word in flat for word in headers[sheet]), (sheet, flat[:300])
    assert set(SHEETS_NB.values()) == set(headers)
    assert seen == {"Indeks": 1, "Komponenter": 2, "Kontekst": 1, "Følsomhet": 3, "Kilder": 1, "Utgivelser": 1}


def test_the_index_page_has_sector_names_beside_the_values_in_norwegian(printed) -> None:
    _, pages = printed
    index = next(p for p in pages if " Indeks " in " ".join(p.split()[:8]))
    lines = [" ".join(line.split()) for line in index.splitlines()]
    for row in seed_rows("sectors.csv"):
        assert any(row["sector_code"] in line and "v1.1" not in line and "1.1" in line for line in lines), row
    assert "Lav presisjon; Vektet per sektor" in " ".join(index.split())


def test_excel_nb_csvs_in_libreoffice_default_import(release: Path) -> None:
    """LibreOffice's default CSV import with Norwegian settings (';', UTF-8, nb-NO, formulas not
    evaluated, special numbers detected as a user may have it): no formula text, versions and ids
    stay text, decimal commas are numbers."""
    names = sorted(p.name for p in release.glob("*.excel-nb.csv"))
    assert len(names) == 6
    for detect_special in ("false", "true"):
        out = release / f"xlsx-{detect_special}"
        _soffice(
            ["--infilter=CSV:59,34,76,1,,1044,false," + detect_special, "--convert-to", "xlsx", "--outdir", str(out),
             *names],
            release,
        )  # fmt: skip
        for name in names:
            sheet = openpyxl.load_workbook(out / name.replace(".csv", ".xlsx")).active
            rows = list(sheet.iter_rows(values_only=True))
            header = rows[0]
            assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row), name
            assert not any(isinstance(v, str) and v.startswith("=") for row in rows for v in row), name
            # the demonstration marker on every row, the flags explained where there are flags
            status = [i for i, h in enumerate(header) if h.startswith("Datastatus")]
            assert status and all(row[status[0]] in ("demonstration", DEMO) for row in rows[1:]), name
            assert ("Flagg forklart" in header) == any(h.startswith("Flagg") for h in header), name
            if name.startswith("index_sector_year"):
                column = {h: i for i, h in enumerate(header)}
                first = rows[1]
                assert first[column["Metodeversjon"]] == "v1.1"
                assert first[column["Utgivelse"]] == RELEASE_ID
                assert first[column["Indeks (poeng 0–100)"]] == 40.0  # "40,0" read as a number
            if name.startswith("context_sector_year"):
                column = {h: i for i, h in enumerate(header)}
                assert rows[1][column["Enhet (norsk)"]] == "% av avtalte dagsverk"
                assert [r for r in rows[1] if isinstance(r, str) and r.endswith("05300")] == ["tabell 05300"]
            if name.startswith("component_sector_year"):
                c4 = next(r for r in rows[1:] if "C4" in r)
                assert "poeng 0–100" in c4 and "Lite faglig handlingsrom" in c4
                assert DEMO in c4
