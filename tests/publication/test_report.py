"""report.html: self-contained, every sector, the demonstration banner exactly when it applies; rendered
in headless Chromium (Debian's `chromium`; .ci/run installs it)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from publication.report import BANNER_ID, interval_bar, report_html, trend_chart
from publication.values import published_rows
from tests.publication import release_sample as sample

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
SECTORS = {"NAV": "Labour and welfare", "SYKEHUS": "Hospitals", "POLITI": "Police"}


def page(data_status: str, years: tuple[int, ...] = (2024, 2025)) -> str:
    rows = sample.rows(years=years)
    cols = dict(sample.TABLES)
    index = published_rows(rows["index_sector_year"], cols["index_sector_year"])
    components = published_rows(rows["component_sector_year"], cols["component_sector_year"])
    info = sample.info(data_status=data_status)
    files = ["index_sector_year.csv", "README.txt", "rbi.duckdb"]
    return report_html(info, index, components, files, "First release.").decode("utf-8")


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
    assert all("://" not in h for h in hrefs), hrefs  # only files of the release
    assert {"methodology.md", "changes.json", "index_sector_year.csv", "rbi.duckdb"} <= set(hrefs)
    for code, name in SECTORS.items():
        assert f'data-sector="{code}"' in html and name in html
    assert "71.9" in html and "47.1" in html  # rounded like the CSV
    assert "prikket / suppressed" in html  # SYKEHUS C3
    assert "=cmd" not in html  # no source_ids text on the page


def test_interval_bar_and_trends() -> None:
    bar = interval_bar(50.0, 40.0, 60.0)
    assert 'width="150.0"' in bar and 'class="interval" x1="120.0" x2="180.0"' in bar
    assert "interval" not in interval_bar(50.0, None, None)
    assert "<polyline" in page("published", years=(2024, 2025))
    assert "trends" not in page("published", years=(2025,))
    assert trend_chart([]) == ""


def render(html: str, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)")
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    demo = render(page("demonstration"), tmp_path / "demo" / "report.html")
    real = render(page("published"), tmp_path / "real" / "report.html")
    for dom in (demo, real):
        assert "<svg" in dom and "Rapporteringsbyrdeindeksen" in dom
        for code, name in SECTORS.items():
            assert f'data-sector="{code}"' in dom and name in dom
    assert dom.count('data-sector="NAV"') == 2  # one row per year
    assert f'id="{BANNER_ID}"' in demo
    assert BANNER_ID not in real and "DEMONSTRATION DATA" not in real
