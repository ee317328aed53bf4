"""The site built from a releases folder: catalogue with real sizes and sha256, a valid Atom feed with
corrections, byte-identical rebuilds, real copies under latest/ (no symlink), the demonstration banner
on every page, sector pages with intervals, 90 % rank ranges, flags explained and CSV row links, and
colours that meet WCAG 2.1 AA."""

import csv
import hashlib
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from publication.site.builder import Site, build_from, build_site, write_site
from publication.site.catalog import is_correction, read_releases
from publication.site.pages import BANNER_ID, COLOURS, CONTRAST_PAIRS
from tests.publication.site.site_sample import FIRST, SECOND

ATOM = "{http://www.w3.org/2005/Atom}"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_layout_releases_are_exact_copies_and_latest_holds_the_current_release(site: Site, releases_root: Path) -> None:
    assert site.current_release == SECOND
    for release_id in (FIRST, SECOND):
        folder = releases_root / release_id
        for path in folder.rglob("*"):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                assert site.files[f"releases/{release_id}/{name}"] == path.read_bytes()
    current = tree(releases_root / SECOND)
    latest = {n.removeprefix("latest/"): d for n, d in site.files.items() if n.startswith("latest/")}
    assert latest == current
    assert "index_sector_year.csv" in latest and "report.html" in latest
    assert {"index.html", "404.html", "robots.txt", "feed.xml", "catalog.json"} <= set(site.files)
    assert {"sectors/NAV.html", "sectors/SYKEHUS.html", "sectors/POLITI.html"} <= set(site.files)
    assert not any(part == "latest" for n in site.files for part in n.split("/")[1:])  # no nested pointer


def test_catalog_lists_every_release_with_real_sizes_and_checksums(site: Site, releases_root: Path) -> None:
    catalog = json.loads(site.files["catalog.json"])
    assert catalog["current_release"] == SECOND and catalog["data_status"] == "demonstration"
    assert catalog["licence"]["name"] == "CC-BY-4.0"
    assert [r["release_id"] for r in catalog["releases"]] == [SECOND, FIRST]
    second, first = catalog["releases"]
    assert second["correction"] is True and first["correction"] is False
    assert second["current"] is True and first["current"] is False
    assert second["method_version"] == "1.0" and second["created_at"] == "2026-02-01"
    assert "1 published value changed" in second["changelog"]
    for entry in catalog["releases"]:
        files = {f["name"]: f for f in entry["files"]}
        on_disk = tree(releases_root / entry["release_id"])
        assert set(files) == set(on_disk)
        for name, data in on_disk.items():
            assert files[name]["bytes"] == len(data)
            assert files[name]["sha256"] == hashlib.sha256(data).hexdigest()
            assert site.files[files[name]["path"]] == data
    assert files["index_sector_year.csv"]["media_type"].startswith("text/csv")
    assert "latest/index_sector_year.csv" in catalog["latest"]["files"]
    assert catalog["sectors"] == ["sectors/NAV.html", "sectors/SYKEHUS.html", "sectors/POLITI.html"]
    assert catalog["updated"] == "2026-02-01"


def test_feed_is_atom_with_an_entry_per_release_and_per_correction(site: Site) -> None:
    root = ET.fromstring(site.files["feed.xml"])
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{required}") or "").strip(), required
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    assert root.findtext(f"{ATOM}updated") == "2026-02-01T00:00:00+00:00"  # newest release, not the clock
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3  # two releases, one of them a correction
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 3
    for entry in entries:
        for required in ("id", "title", "updated", "summary"):
            assert (entry.findtext(f"{ATOM}{required}") or "").strip(), required
        assert entry.find(f"{ATOM}link").get("href")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", entry.findtext(f"{ATOM}updated"))
    terms = sorted(c.get("term") for e in entries for c in e.findall(f"{ATOM}category"))
    assert terms.count("correction") == 1 and terms.count("release") == 2
    summaries = " ".join(e.findtext(f"{ATOM}summary") for e in entries)
    assert "First release." in summaries and "1 published value changed" in summaries
    assert "DEMONSTRATION DATA" in summaries


def test_same_releases_give_byte_identical_site(tmp_path: Path, releases_root: Path, site: Site) -> None:
    again = build_from(releases_root)
    assert again.files == site.files
    first, second = write_site(site, tmp_path / "a"), write_site(again, tmp_path / "b")
    assert tree(first) == tree(second) == site.files
    write_site(site, tmp_path / "a")  # replacing a site in place gives the same folder, nothing left over
    assert tree(tmp_path / "a") == site.files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_written_site_has_no_symlink_and_latest_is_a_folder(tmp_path: Path, site: Site) -> None:
    folder = write_site(site, tmp_path / "site")
    assert (folder / "latest").is_dir() and not (folder / "latest").is_symlink()
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            assert not Path(dirpath, name).is_symlink(), Path(dirpath, name)
    assert (folder / "latest" / "index_sector_year.csv").read_bytes() == site.files["latest/index_sector_year.csv"]


def html_pages(site: Site) -> list[str]:
    return [n for n in site.files if n.endswith(".html") and not n.startswith(("releases/", "latest/"))]


def test_demonstration_banner_on_every_page_exactly_for_demonstration_data(site: Site, releases_root: Path) -> None:
    pages = html_pages(site)
    assert len(pages) == 5  # index, 404, three sectors
    for name in pages:
        page = site.files[name].decode()
        assert f'id="{BANNER_ID}"' in page and "DEMONSTRATION DATA" in page and "DEMONSTRASJONSDATA" in page, name
    releases = read_releases(releases_root)
    published = replace(releases, releases=tuple(replace(r, data_status="published") for r in releases.releases))
    real = build_site(published)
    for name in html_pages(real):
        page = real.files[name].decode()
        assert BANNER_ID not in page and "DEMONSTRATION DATA" not in page, name
        assert "publisert statistikk" in page or name == "404.html"


def test_index_page_headlines_status_releases_and_corrections(site: Site) -> None:
    page = site.files["index.html"].decode()
    assert '<html lang="nb">' in page
    assert "2025: NAV har den tyngste rapporteringsbyrden av 2 sektorer, indeks 72,9 av 100" in page
    assert "2024: the heaviest reporting burden" in page  # a headline per year, in both languages
    assert 'id="data-status"' in page and "demonstrasjonsdata (oppdiktet)" in page
    assert page.index(f'data-release="{SECOND}"') < page.index(f'data-release="{FIRST}"')
    second_row = page[page.index(f'data-release="{SECOND}"') : page.index(f'data-release="{FIRST}"')]
    assert "Rettelse / correction" in second_row and "(gjeldende / current)" in second_row
    first_row = page[page.index(f'data-release="{FIRST}"') :].split("</tr>")[0]
    assert "correction" not in first_row and "First release." in first_row
    assert 'href="latest/index_sector_year.csv"' in page and 'href="sectors/NAV.html"' in page
    assert "Oppdatert / updated 2026-02-01" in page


def test_sector_page_over_every_year_with_intervals_rank_ranges_flags_and_csv_rows(site: Site) -> None:
    page = site.files["sectors/NAV.html"].decode()
    assert "<h1>NAV" in page and "Labour and welfare" in page
    for year in (2024, 2025):
        assert f'id="year-{year}"' in page
    assert "67.8–77.9" in page  # 2025 interval; 2024 index corrected to 60.0
    assert ">60.0<" in page and ">72.9<" in page
    assert "Rangspenn, 90 %-intervall / rank range, 90 % interval" in page
    assert "1–2" in page
    # flags explained on the page: NAV carries SECTOR_WEIGHTED
    assert 'href="#flag-SECTOR_WEIGHTED"' in page and 'id="flag-SECTOR_WEIGHTED"' in page
    # each row link leads to that sector's row of that year in the CSV (RFC 7111: header = row 1)
    rows = list(csv.reader(io.StringIO(site.files["latest/index_sector_year.csv"].decode())))
    header = rows[0]
    links = re.findall(r'href="\.\./latest/index_sector_year\.csv#row=(\d+)"', page)
    assert len(links) == 2
    for number in links:
        row = dict(zip(header, rows[int(number) - 1], strict=True))
        assert row["sector_code"] == "NAV"
    assert f'href="../releases/{SECOND}/index_sector_year.csv#row=' in page
    hospital = site.files["sectors/SYKEHUS.html"].decode()
    assert "35,0 % av arbeidstiden → poeng 70,0" in hospital and "35.0 % of working hours → score 70.0" in hospital
    assert "prikket eller mangler / suppressed or missing" in hospital and 'id="flag-SUPPRESSED"' in hospital
    comp_links = re.findall(r'href="\.\./latest/component_sector_year\.csv#row=(\d+)"', hospital)
    comp_rows = list(csv.reader(io.StringIO(site.files["latest/component_sector_year.csv"].decode())))
    assert comp_links and all(dict(zip(comp_rows[0], comp_rows[int(n) - 1], strict=True))["sector_code"] == "SYKEHUS"
                              for n in comp_links)  # fmt: skip
    assert "<svg" in page and 'role="img"' in page and 'id="chart-text"' in page


def test_corrections_are_changed_published_values_with_the_same_method() -> None:
    changed = {"previous_release": "a", "method_version": {"changed": False}}
    assert not is_correction({"first_release": True})
    assert is_correction({**changed, "tables": {"index_sector_year": {"values_changed_count": 2}}})
    assert is_correction({**changed, "tables": {"component_sector_year": {"rows_removed": [{"year": "2024"}]}}})
    assert not is_correction(
        {**changed, "tables": {"index_sector_year": {"values_changed_count": 0, "rows_added": [1]}}}
    )
    method = {"previous_release": "a", "method_version": {"changed": True}}
    assert not is_correction({**method, "tables": {"index_sector_year": {"values_changed_count": 5}}})


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_colours_meet_wcag_aa_contrast(site: Site) -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0  # the formula itself
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54
    for fg, bg in CONTRAST_PAIRS:
        assert contrast(COLOURS[fg], COLOURS[bg]) >= 4.5, (fg, bg, contrast(COLOURS[fg], COLOURS[bg]))
    page = site.files["index.html"].decode()
    for colour in COLOURS.values():
        assert colour in page  # the stylesheet is built from these colours


def test_base_url_makes_feed_and_404_links_absolute_and_robots_allows_all(releases_root: Path, site: Site) -> None:
    absolute = build_from(releases_root, "https://rbi.example.org/")
    root = ET.fromstring(absolute.files["feed.xml"])
    hrefs = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert hrefs and all(h.startswith("https://rbi.example.org/") for h in hrefs)
    assert f"https://rbi.example.org/releases/{SECOND}/report.html" in hrefs
    assert 'href="https://rbi.example.org/index.html"' in absolute.files["404.html"].decode()
    assert 'href="index.html"' in site.files["404.html"].decode()  # relative without a base URL
    assert json.loads(absolute.files["catalog.json"])["base_url"] == "https://rbi.example.org/"
    assert site.files["robots.txt"] == b"User-agent: *\nAllow: /\n"


def test_paths_site_follows_the_output_directory(tmp_path: Path) -> None:
    from storage.paths import Paths

    assert Paths.from_env(output=tmp_path, environ={}).site == tmp_path.resolve() / "site"
