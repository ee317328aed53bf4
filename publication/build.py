"""Every file of a release, from the gated marts' rows: plain Python, no Dagster, no warehouse.

``build_release`` returns the bytes of each reproducible file (CSV, Parquet, a Norwegian-Excel CSV
per table, the workbook, releases.csv, changes.json, datapackage.json, methodology.md and .html,
report.html, the charts as SVG, README.txt, SHA256SUMS) and a writer for the analyst DuckDB file;
publication/store.py publishes them.
"""

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from publication.analyst_db import ANALYST_DB, OPENS_WITH, write_analyst_db
from publication.chart_files import chart_description, chart_files
from publication.checksums import SUMS_FILE, sha256sums
from publication.contracts import RELEASES
from publication.csv_writer import csv_bytes, excel_no_csv_bytes
from publication.datapackage import ReleaseInfo, datapackage_json
from publication.diff import RevisionUpgrade, changelog_text, changes_json, read_csv_text, release_changes
from publication.headers import norwegian_header
from publication.identity import numbers_id
from publication.methodology_html import methodology_html
from publication.norwegian import extra_columns
from publication.parquet import parquet_bytes
from publication.readme import release_readme
from publication.report import report_html
from publication.store import Writer
from publication.values import published_rows
from publication.workbook import WORKBOOK_FILE, workbook_bytes

EXCEL_NO_SUFFIX = ".excel-nb.csv"  # <table>.excel-nb.csv: Norwegian Excel settings, Norwegian headers


@dataclass
class ReleaseContent:
    files: dict[str, bytes]
    writers: dict[str, Writer]
    changes: dict[str, Any]
    changelog: str
    row_counts: dict[str, int] = field(default_factory=dict)


def read_history(folder: Path | None) -> list[dict[str, str]]:
    """The ``releases`` table of a release folder (the history up to that release)."""
    if folder is None or not (folder / "releases.csv").exists():
        return []
    with (folder / "releases.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def excel_name(table: str) -> str:
    return table + EXCEL_NO_SUFFIX


def _described(info: ReleaseInfo, tables: Sequence[tuple[str, Mapping[str, str]]], charts: Sequence[str]) -> dict:
    """Name -> what it is (English, short; README.txt has the longer bilingual descriptions)."""
    described = {f"{name}.csv": f"table {name} (CSV)" for name, _ in tables}
    described |= {f"{name}.parquet": f"table {name} (Parquet, same rows, typed)" for name, _ in tables}
    described |= {
        excel_name(name): f"table {name} for Excel, Norwegian settings and headers (;, decimal comma, BOM)"
        for name, _ in [*tables, ("releases", RELEASES)]
    }
    described |= {name: chart_description(name) for name in charts}
    described |= {
        "releases.csv": "release history and changelog (CSV)",
        "releases.parquet": "release history and changelog (Parquet)",
        "changes.json": "what changed since the previous release, machine-readable",
        "methodology.md": "the methodology, method " + info.method_version + " (Markdown)",
        "methodology.html": "the methodology for people: plain-language summary (nb/en), then the technical text",
        WORKBOOK_FILE: "all tables as an Excel workbook, with an About sheet (definition, citation, flags)",
        "datapackage.json": "Frictionless Data Package: schemas, titles, units, flags, licence, sources",
        "report.html": "the numbers as a web page (works offline, also on a phone)",
        "README.txt": "this file",
        SUMS_FILE: "SHA-256 checksums of the files above",
    }
    return described


def build_release(
    info: ReleaseInfo,
    tables: Sequence[tuple[str, Mapping[str, str]]],
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    current_folder: Path | None,
    methodology: bytes,
    revision_upgrade: RevisionUpgrade | None = None,
) -> ReleaseContent:
    """All files of release ``info`` from the warehouse ``rows`` of each published table (name, columns).

    ``current_folder``: the current release (None before the first); its history gives the previous
    release this one is compared with (the last entry other than this release itself). Every row's
    ``release_id`` is published as ``info.release_id`` (the warehouse knows only the numbers id;
    publication/identity.py adds the presentation revision). ``revision_upgrade``: the revision store
    was carried over from an earlier method in this build (publication/diff.py); the changelog says so."""
    history = [r for r in read_history(current_folder) if r["release_id"] != info.release_id]
    previous_id = history[-1]["release_id"] if history else None
    previous_folder = current_folder.parent / previous_id if current_folder is not None and previous_id else None

    files: dict[str, bytes] = {}
    typed: dict[str, list[dict[str, Any]]] = {}
    for name, columns in tables:
        released = [{**row, "release_id": info.release_id} if "release_id" in columns else row for row in rows[name]]
        typed[name] = published_rows(released, columns)
        files[f"{name}.csv"] = csv_bytes(typed[name], columns)
        files[f"{name}.parquet"] = parquet_bytes(typed[name], columns)

    previous_tables: dict[str, list[dict[str, str]]] = {}
    if previous_folder is not None:
        for name, _ in tables:
            path = previous_folder / f"{name}.csv"
            if path.exists():
                previous_tables[name] = read_csv_text(path.read_bytes())
    current_tables = {name: read_csv_text(files[f"{name}.csv"]) for name, _ in tables}
    previous_method = history[-1]["method_version"] if history else None
    changes = release_changes(
        previous_id, previous_method, previous_tables, info.method_version, current_tables, revision_upgrade
    )
    changelog = changelog_text(changes)
    if previous_id is not None and numbers_id(previous_id) == numbers_id(info.release_id):
        changes["presentation_changed"] = True
        changelog = (
            f"Presentation changed, numbers unchanged (since {previous_id})."
            if changelog.startswith("Rebuilt")
            else changelog[:-1] + "; presentation changed."
        )

    entry = {
        "release_id": info.release_id,
        "created_at": info.created_at,
        "method_version": info.method_version,
        "data_status": info.data_status,
        "changelog": changelog,
    }
    typed["releases"] = published_rows([*history, entry], RELEASES)
    files["releases.csv"] = csv_bytes(typed["releases"], RELEASES)
    files["releases.parquet"] = parquet_bytes(typed["releases"], RELEASES)
    files["changes.json"] = changes_json(changes)
    all_tables = [*tables, ("releases", RELEASES)]
    for name, columns in all_tables:
        header = [norwegian_header(name, column) for column in columns]
        extras = extra_columns(name, columns, info.data_status)
        files[excel_name(name)] = excel_no_csv_bytes(typed[name], columns, header, extras)
    files["methodology.md"] = methodology

    index_rows, component_rows = typed.get("index_sector_year", []), typed.get("component_sector_year", [])
    charts = chart_files(index_rows)
    files |= charts
    described = _described(info, tables, sorted(charts))
    unchecked = {
        ANALYST_DB: "DuckDB database for analysts: every table as a view, method tables, a wide results table; "
        f"opens with {OPENS_WITH}"
    }
    listed = [*described, *unchecked]
    files["methodology.html"] = methodology_html(info.method_version, info.data_status, listed, methodology)
    files[WORKBOOK_FILE] = workbook_bytes(info, all_tables, typed)
    files["datapackage.json"] = datapackage_json(
        info, all_tables, files, rows.get("sources", []), extra_files={**described, **unchecked}
    )
    files["report.html"] = report_html(
        info, index_rows, component_rows, {**described, **unchecked}, changelog, typed.get("sensitivity", [])
    )
    files["README.txt"] = release_readme(
        info.release_id,
        info.created_at,
        info.method_version,
        info.data_status,
        described,
        changelog,
        unchecked,
        index_rows=index_rows,
        component_rows=component_rows,
    ).encode("utf-8")
    files[SUMS_FILE] = sha256sums(files)

    db_tables = [(name, columns, typed[name]) for name, columns in all_tables]
    writers: dict[str, Writer] = {
        ANALYST_DB: partial(write_analyst_db, info=info, tables=db_tables, sources=list(rows.get("sources", [])))
    }
    row_counts = {name: len(typed[name]) for name, _ in all_tables}
    return ReleaseContent(files, writers, changes, changelog, row_counts)
