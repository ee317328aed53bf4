"""The release for readers: workbook (opened with a second library), Norwegian-Excel CSVs, README,
methodology.html, flags in datapackage.json, and release identity covering the presentation."""

import io
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from method.reference import flag_codes
from publication.build import build_release
from publication.glossary import flags
from publication.identity import numbers_id, presentation_sources, revision_of, with_presentation
from publication.methodology_html import methodology_html
from publication.store import ReleaseConflict, publish
from publication.workbook import ABOUT_SHEET, WORKBOOK_FILE
from storage.paths import REPO_ROOT
from tests.publication import release_sample as sample

METHODOLOGY = b"# Methodology\n\nSee [the mapping](survey-mapping.md) and [the report](report.html).\n"


def build(rows: dict, info=None, current: Path | None = None):
    return build_release(info or sample.info(), sample.TABLES, rows, current, METHODOLOGY)


def test_workbook_sheets_headers_and_values_read_by_two_libraries() -> None:
    content = build(sample.rows())
    data = content.files[WORKBOOK_FILE]
    assert build(sample.rows()).files[WORKBOOK_FILE] == data  # byte-reproducible
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == [ABOUT_SHEET, "Indeks", "Komponenter", "Kontekst", "Følsomhet", "Kilder", "Utgivelser"]
    index = book.get_sheet_by_name("Indeks").to_python()
    header = index[0]
    assert header[:7] == ["Utgivelse", "Metodeversjon", "År", "Sektorkode", "Sektor (norsk)", "Sektor (engelsk)",
                          "Indeks (poeng 0–100)"]  # fmt: skip
    assert "Rangering (rang)" in header and header[-1] == "Flagg forklart"
    nav = next(row for row in index[1:] if row[3] == "NAV" and row[2] == 2024)
    assert nav[6] == 71.9 and nav[1] == "1.0"  # a number stays a number, a version a string
    politi = next(row for row in index[1:] if row[3] == "POLITI")
    assert politi[6] == "" and politi[-1] == "For lite grunnlag; Uvektet"
    components = book.get_sheet_by_name("Komponenter").to_python()
    assert "Verdi (se Enhet)" in components[0] and "Komponent (norsk)" in components[0]
    assert components[0][-2:] == ["Flagg forklart", "Datastatus"]  # a table without data_status says it too
    c1 = next(row for row in components[1:] if row[3] == "C1")
    assert "Dokumentasjonstid" in c1 and "% av arbeidstiden" in c1

    about = [row for row in book.get_sheet_by_name(ABOUT_SHEET).to_python() if any(row)]
    text = "\n".join(" | ".join(str(c) for c in row) for row in about)
    assert "DEMONSTRASJONSDATA" in text and "DEMONSTRATION DATA" in text
    assert "Sitering / citation" in text and "Reporting Burden Index, release demo-rbi-1.0-20260101-aaaa" in text
    assert "Lisens / licence" in text and "Neste utgivelse / next" in text and "Forbehold / caveat" in text
    for flag in flags():
        assert flag.flag in text and flag.meaning_en in text

    # second library: openpyxl sees the same workbook, strings typed as strings, fixed creation date
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[0] == ABOUT_SHEET
    sheet = workbook["Indeks"]
    assert sheet["A1"].value == "Utgivelse" and sheet["B2"].data_type == "s" and sheet["B2"].value == "1.0"
    assert workbook.properties.created.isoformat().startswith("2026-01-01")


def test_norwegian_excel_csv_for_every_table() -> None:
    content = build(sample.rows())
    for table, _ in [*sample.TABLES, ("releases", {})]:
        data = content.files[f"{table}.excel-nb.csv"]
        assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    index = content.files["index_sector_year.excel-nb.csv"].decode("utf-8-sig").split("\r\n")
    assert index[0].startswith("Utgivelse;Metodeversjon;År;Sektorkode;")
    assert "Indeks (poeng 0–100)" in index[0]
    assert any(";71,9;" in line for line in index[1:])
    # a version string stays text in Excel and LibreOffice as v1.0 (no formula), a sector code and a
    # number stay as they are
    assert all(";v1.0;" in line for line in index[1:] if line) and "=" not in "".join(index[1:])
    assert all(";NAV;" in line or ";SYKEHUS;" in line or ";POLITI;" in line for line in index[1:] if line)


def test_readme_explains_files_flags_citation_and_headline() -> None:
    readme = build(sample.rows()).files["README.txt"].decode("utf-8")
    assert readme.startswith("DEMONSTRASJONSDATA / DEMONSTRATION DATA")
    assert "ikke en prosentandel av arbeidstiden" in readme and "not a percentage of working time" in readme
    assert "2025: NAV har den tyngste rapporteringsbyrden" in readme
    assert "35,0 % av arbeidstiden → poeng 70,0" in readme and "35.0 % of working hours → score 70.0" in readme
    for name in ("report.html", "rapporteringsbyrdeindeksen.xlsx", "excel-nb.csv", "methodology.html", "rbi.duckdb"):
        assert name in readme
    for flag in flags():
        assert f"- {flag.flag} (" in readme and flag.meaning_nb in readme
    assert "Slik siterer du / how to cite" in readme
    assert "Rapporteringsbyrdeindeksen, utgivelse demo-rbi-1.0-20260101-aaaa (2026-01-01), metode 1.0." in readme


def test_datapackage_lists_the_flags_and_rejects_unknown_ones(tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    rows = sample.rows()
    content = build(rows)
    package = json.loads(content.files["datapackage.json"])
    for resource in ("index_sector_year", "component_sector_year"):
        fields = {
            f["name"]: f for f in next(r for r in package["resources"] if r["name"] == resource)["schema"]["fields"]
        }
        values = {v["value"]: v for v in fields["flags"]["x_values"]}
        assert set(values) == {f.flag for f in flags()}
        assert values["REVISION_HELD"]["description_nb"] and values["SKEWED"]["description"]
        assert "pattern" in fields["flags"]["constraints"]
    rows["index_sector_year"][0]["flags"] = "BOGUS"
    bad = build(rows)
    for name, data in bad.files.items():
        (tmp_path / name).write_bytes(data)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid and "constraint" in json.dumps(report.flatten(["type"]))


def test_methodology_html_summary_first_and_no_dead_links() -> None:
    html = methodology_html("1.0", "demonstration", ["report.html"], METHODOLOGY).decode("utf-8")
    assert html.index("Kort fortalt") < html.index("In brief") < html.index("<h1>Methodology</h1>")
    assert 'href="report.html"' in html  # a file of the release stays a link
    assert "survey-mapping.md" not in html and "the mapping" in html  # not in the release: plain text
    assert "DEMONSTRASJONSDATA" in html
    real = build(sample.rows()).files["methodology.html"].decode("utf-8")
    assert "Kort fortalt" in real and "<h1>Methodology</h1>" in real


def test_a_presentation_change_publishes_a_new_release_with_numbers_unchanged(tmp_path: Path) -> None:
    root = tmp_path / "releases"
    base = sample.info()
    first_info = with_presentation(base, "aaaaaa")
    first = build(sample.rows(), first_info)
    publish(root, first_info.release_id, first.files, first.writers)
    assert {r for r in first.files["index_sector_year.csv"].decode().splitlines()[1:] if first_info.release_id in r}

    second_info = with_presentation(base, "bbbbbb")
    second = build(sample.rows(), second_info, root / first_info.release_id)
    assert second.changelog == f"Presentation changed, numbers unchanged (since {first_info.release_id})."
    assert publish(root, second_info.release_id, second.files, second.writers).status == "published"
    assert numbers_id(second_info.release_id) == numbers_id(first_info.release_id) == base.release_id

    # the same id with other numbers is still refused, and the advice names only what exists
    rows = sample.rows()
    rows["index_sector_year"][0]["index"] = 10.0
    changed = build(rows, second_info, root / second_info.release_id)
    with pytest.raises(ReleaseConflict) as raised:
        publish(root, second_info.release_id, changed.files, changed.writers)
    assert "RBI_RELEASE_DATE" not in str(raised.value) and "method_version" in str(raised.value)


def test_presentation_revision_follows_the_presentation_sources(tmp_path: Path) -> None:
    sources = presentation_sources()
    names = {name for name, _ in sources}
    assert {
        "publication/report.py",
        "publication/workbook.py",
        "publication/contracts.py",
        "docs/methodology.md",
        "dbt_project/seeds/flags.csv",
    } <= names
    # only checked-in sources: nothing a run writes (output/, caches, the warehouse) enters the hash
    for name, path in sources:
        assert path.resolve().is_relative_to(REPO_ROOT) and path.suffix in {".py", ".md", ".yml", ".csv", ".lock"}
        assert not path.resolve().is_relative_to(REPO_ROOT / "output") and "__pycache__" not in path.parts, name
    copies = []
    for name, path in sources:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            shutil.copyfile(path, target)
        copies.append((name, target))
    before = revision_of(copies)
    assert revision_of(copies) == before and len(before) == 6
    report = tmp_path / "publication" / "report.py"
    report.write_text(report.read_text(encoding="utf-8") + "\n# a presentation change\n", encoding="utf-8")
    assert revision_of(copies) != before


def test_analyst_file_has_views_method_tables_and_a_wide_results_view(tmp_path: Path) -> None:
    import duckdb

    content = build(sample.rows())
    path = tmp_path / "rbi.duckdb"
    content.writers["rbi.duckdb"](path)
    with duckdb.connect(str(path), read_only=True) as con:
        views = {
            r[0] for r in con.execute("select view_name from duckdb_views() where schema_name = 'main'").fetchall()
        }
        assert {name for name, _ in sample.TABLES} | {"releases", "release_metadata", "results"} <= views
        assert {"weights", "goalposts", "flags", "scenarios", "sectors", "components"} <= views
        # no prefix needed; timestamps typed
        assert con.execute("select count(*) from index_sector_year").fetchone() == (6,)
        created = con.execute("select created_at from release_metadata").fetchone()[0]
        assert created.isoformat() == "2026-01-01T00:00:00"
        types = dict(
            con.execute(
                "select column_name, data_type from duckdb_columns() where table_name = 'releases' "
                "and schema_name = 'main'"
            ).fetchall()
        )
        assert types["created_at"] == "TIMESTAMP"
        assert con.execute("select weight from weights where component_id = 'C1'").fetchone() == (0.3,)
        assert con.execute("select lower, upper from goalposts where component_id = 'C5'").fetchone() == (0.0, 200.0)
        meaning = con.execute("select meaning_en from flags where flag = 'SUPPRESSED'").fetchone()[0]
        assert "withheld" in meaning
        assert con.execute("select label_en from scenarios where scenario_id = 'S1'").fetchone() == ("equal weights",)
        assert con.execute("select count(*) from sectors").fetchone() == (9,)
        results = con.execute("select year, rank, sector_code, c1_value, c1_unit, c1_score from results").fetchall()
        assert results[0][:3] == (2025, 1, "NAV") and results[1][:3] == (2025, 2, "SYKEHUS")
        assert results[1][3:] == (35.0, "% of working hours", 70.0)
        assert results[2][2] == "POLITI" and results[2][1] is None  # no rank: last of its year


def test_charts_shipped_as_svg_and_png() -> None:
    files = build(sample.rows()).files
    for stem in ("index-2024", "index-2025", "trend"):
        svg = files[f"{stem}.svg"].decode("utf-8")
        assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')
        assert files[f"{stem}.png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert "95 %-intervall / interval" in files["index-2025.svg"].decode("utf-8")
    assert build(sample.rows()).files["trend.png"] == files["trend.png"]


def test_every_flag_the_contract_allows_is_explained_in_the_glossary() -> None:
    # glossary (seed flags.csv, via method.reference) and the published contract must not drift apart
    explained = {f.flag: f for f in flags()}
    assert set(flag_codes()) <= set(explained)
    assert all(explained[code].meaning_nb and explained[code].meaning_en for code in flag_codes())
