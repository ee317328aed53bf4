"""report.html: self-contained, every sector, the demonstration banner exactly when it applies, what a
value means (raw value with unit beside the score), headline, legend, rank ranges, sensitivity and the
flag glossary; rendered in headless Chromium (Debian's `chromium`; .ci/run installs it) at 390 and
1400 px without horizontal overflow."""

import re
import shutil
import subprocess
from html import escape
from pathlib import Path

import pytest

from publication.charts import index_chart, spread_labels, trend_chart_svg
from publication.contracts import SENSITIVITY
from publication.glossary import flags
from publication.report import BANNER_ID, report_html, trend_chart
from publication.values import published_rows
from tests.publication import release_sample as sample

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
SECTORS = {"NAV": "Labour and welfare", "SYKEHUS": "Hospitals", "POLITI": "Police"}
METHOD_11_FLAGS = {
    "CAPPED", "INSUFFICIENT", "LOW_PRECISION", "NO_FTE", "POP_LAGGED", "REVISION_HELD",
    "SECTOR_WEIGHTED", "SKEWED", "SUPPRESSED", "UNWEIGHTED",
}  # fmt: skip


def page(data_status: str, years: tuple[int, ...] = (2024, 2025)) -> str:
    rows = sample.rows(years=years)
    cols = dict(sample.TABLES)
    index = published_rows(rows["index_sector_year"], cols["index_sector_year"])
    components = published_rows(rows["component_sector_year"], cols["component_sector_year"])
    sensitivity = published_rows(sample.sensitivity_rows(years=years), SENSITIVITY)
    info = sample.info(data_status=data_status)
    files = ["index_sector_year.csv", "README.txt", "rbi.duckdb"]
    return report_html(info, index, components, files, "First release.", sensitivity).decode("utf-8")


def test_banner_exactly_for_demonstration_data() -> None:
    assert f'id="{BANNER_ID}"' in page("demonstration")
    assert "DEMONSTRATION DATA" in page("demonstration")
    assert BANNER_ID not in page("published")
    assert "DEMONSTRATION DATA" not in page("published")


def test_report_is_self_contained_and_links_the_release() -> None:
    html = page("published")
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert "@import" not in html and "url(" not in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert all("://" not in h for h in hrefs), hrefs  # only files of the release and anchors
    assert {"methodology.html", "changes.json", "index_sector_year.csv", "rbi.duckdb"} <= set(hrefs)
    for code, name in SECTORS.items():
        assert f'data-sector="{code}"' in html and name in html
    assert "71.9" in html and "47.1" in html  # rounded like the CSV
    assert "=cmd" not in html  # no source_ids text on the page


def test_values_shown_with_their_unit_beside_the_score() -> None:
    html = page("published")
    # SYKEHUS C1 raw 35.0 % of working hours -> score 70.0; component names are words, not codes
    assert "35,0 % av arbeidstiden → poeng 70,0" in html
    assert "35.0 % of working hours → score 70.0" in html
    assert "Dokumentasjonstid" in html and "Documentation time" in html
    assert "DOC_TIME" not in html and "C1 DOC_TIME" not in html
    assert "prikket eller mangler / suppressed or missing" in html  # SYKEHUS C3
    assert "ikke en prosentandel av arbeidstiden" in html and "not a percentage of working time" in html


def test_headline_rank_ranges_sensitivity_and_glossary() -> None:
    html = page("published")
    # NAV 2025: 72.875 -> 72.9, interval 67.835..77.925 -> 67.8-77.9, rank 1, range 1-2
    assert (
        "2025: NAV har den tyngste rapporteringsbyrden av 2 sektorer, indeks 72,9 av 100 "
        "(95 %-intervall 67,8–77,9; 90 %-rangintervall 1–2). Året før: 71,9." in html
    )
    assert "2025: the heaviest reporting burden of 2 sectors is in Labour and welfare: index 72.9 out of 100" in html
    assert '<span class="rank-range">1–2</span>' in html
    assert 'id="glossary"' in html
    for flag in METHOD_11_FLAGS:
        assert f'id="flag-{flag}"' in html
    assert 'href="#flag-INSUFFICIENT"' in html and "For lite grunnlag / Insufficient" in html
    assert "sensitivity-table" in html and "Like vekter" in html
    assert 'class="legend"' in html and "95 %-intervall / interval" in html


def test_sectors_that_cannot_be_told_apart_are_marked() -> None:
    rows = published_rows(sample.rows()["index_sector_year"], dict(sample.TABLES)["index_sector_year"])
    rows[1]["index_ci_low"] = 60.0  # SYKEHUS 2024 interval now reaches NAV's (66.8..76.9)
    rows[1]["index_ci_high"] = 70.0
    info = sample.info(data_status="published")
    html = report_html(info, rows, [], [], "First release.").decode("utf-8")
    year_2024 = html[html.index('id="year-2024"') :]
    nav = year_2024[year_2024.index('data-sector="NAV"') :]
    assert "Kan ikke skilles fra / cannot be told apart from" in nav
    assert re.search(r'cannot be told apart from">Sykehus</td>', nav)
    year_2025 = html[html.index('id="year-2025"') : html.index('id="year-2024"')]
    assert "skilles fra alle / distinct from all" in year_2025


def test_charts_have_axis_legend_intervals_and_labels_that_do_not_overlap() -> None:
    index = published_rows(sample.rows()["index_sector_year"], dict(sample.TABLES)["index_sector_year"])
    chart = index_chart(2025, index)
    assert 'class="legend"' in chart and 'class="interval"' in chart and ">100</text>" in chart
    assert "Sykehus" in chart and "ingen indeks / no index" in chart  # POLITI
    trend = trend_chart_svg(index)
    assert trend.count("<polyline") >= 2 and "NAV 72.9" in trend and "Sykehus 46.1" in trend
    assert trend_chart_svg([r for r in index if r["year"] == 2025]) == ""
    assert trend_chart([]) == ""
    placed = spread_labels([100.0, 101.0, 102.0, 300.0], 15, 0, 400)
    assert all(abs(a - b) >= 15 for i, a in enumerate(placed) for b in placed[i + 1 :])
    assert placed[3] == 300.0
    assert spread_labels([395.0, 399.0], 15, 0, 400) == [385.0, 400.0]
    assert "trends" in page("published", years=(2024, 2025)) and "trends" not in page("published", years=(2025,))


def test_glossary_has_every_flag_of_method_11_in_both_languages() -> None:
    assert {f.flag for f in flags()} >= METHOD_11_FLAGS
    for f in flags():
        assert f.meaning_nb and f.meaning_en and f.label_nb and f.label_en


def chromium_dom(path: Path, window: str = "1400,900") -> str:
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--window-size={window}",
         "--dump-dom", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def render(html: str, path: Path) -> str:
    """The DOM of the page after Chromium loaded it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return chromium_dom(path)


def document_width(html: str, path: Path, width: int) -> tuple[int, int]:
    """(document width, viewport width) of the page laid out in a viewport ``width`` px wide: the page
    is loaded in an iframe of that width (headless Chromium keeps windows at least 500 px wide), and
    the parent records the frame's scrollWidth."""
    harness = (
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe id="f" style="width:{width}px;height:900px;border:0" srcdoc="{escape(html, quote=True)}"></iframe>'
        "<script>document.getElementById('f').addEventListener('load', function () {"
        "var w = this.contentWindow, d = w.document;"
        "document.body.setAttribute('data-scroll-width', d.documentElement.scrollWidth);"
        "document.body.setAttribute('data-viewport', w.innerWidth);});</script></body></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(harness, encoding="utf-8")
    dom = chromium_dom(path, f"{max(width + 100, 600)},1000")
    scroll = re.search(r'data-scroll-width="(\d+)"', dom)
    viewport = re.search(r'data-viewport="(\d+)"', dom)
    assert scroll and viewport, dom[-500:]
    return int(scroll.group(1)), int(viewport.group(1))


@pytest.mark.chromium
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)")
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    demo = render(page("demonstration"), tmp_path / "demo" / "report.html")
    real = render(page("published"), tmp_path / "real" / "report.html")
    for dom in (demo, real):
        assert "<svg" in dom and "Rapporteringsbyrdeindeksen" in dom
        for code, name in SECTORS.items():
            assert f'data-sector="{code}"' in dom and name in dom
        assert 'class="headline"' in dom and 'class="legend"' in dom
        assert 'class="rank-range"' in dom and 'id="glossary"' in dom
    assert f'id="{BANNER_ID}"' in demo
    assert BANNER_ID not in real and "DEMONSTRATION DATA" not in real


@pytest.mark.chromium
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)")
@pytest.mark.parametrize("width", [390, 1400])
def test_report_has_no_horizontal_overflow(tmp_path: Path, width: int) -> None:
    for status in ("demonstration", "published"):
        scroll, viewport = document_width(page(status, years=(2023, 2024, 2025)), tmp_path / f"{status}.html", width)
        assert viewport == width and scroll <= viewport, (status, scroll, viewport)
