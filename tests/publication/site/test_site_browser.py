"""The site in headless Chromium (Debian's `chromium`; .ci/run installs it), served over HTTP on
127.0.0.1: every internal link answers (crawl from index.html), no page scrolls sideways at 390 px,
every page has a language, headings in order, table headers and text alternatives for its charts,
and the demonstration banner."""

import functools
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from publication.site.builder import Site, write_site
from publication.site.pages import BANNER_ID

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)"),
]
WIDTHS = (390, 1400)


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = write_site(site, tmp_path_factory.mktemp("served") / "site")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)  # shutdown() waits a poll
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", folder
    server.shutdown()
    server.server_close()


def chromium(url: str, profile: Path, window: str = "1400,900") -> str:
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--hide-scrollbars", f"--window-size={window}", "--virtual-time-budget=10000", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


class Page(HTMLParser):
    """What the checks need from a rendered DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.headings: list[int] = []
        self.links: list[str] = []
        self.tables = 0
        self.header_cells_in_head = 0
        self.in_thead = False
        self.svgs: list[dict[str, str | None]] = []
        self.ids: list[str] = []
        self.figcaptions = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if tag == "table":
            self.tables += 1
        if tag == "thead":
            self.in_thead = True
        if tag == "th" and self.in_thead and a.get("scope") == "col":
            self.header_cells_in_head += 1
        if tag == "svg":
            self.svgs.append({"role": a.get("role"), "label": a.get("aria-label")})
        if tag == "figcaption":
            self.figcaptions += 1
        if a.get("id"):
            self.ids.append(str(a["id"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self.in_thead = False


def parse(dom: str) -> Page:
    page = Page()
    page.feed(dom)
    return page


def site_pages(site: Site) -> list[str]:
    return [n for n in site.files if n.endswith(".html") and not n.startswith(("releases/", "latest/"))]


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_pages_have_language_headings_in_order_table_headers_chart_text_and_banner(
    served: tuple[str, Path], site: Site, tmp_path: Path
) -> None:
    base, _ = served
    for name in site_pages(site):
        page = parse(chromium(base + name, tmp_path / "profile"))
        assert page.lang == "nb", name
        assert page.headings and page.headings[0] == 1 and page.headings.count(1) == 1, (name, page.headings)
        for before, after in zip(page.headings, page.headings[1:], strict=False):
            assert after <= before + 1, (name, page.headings)  # no level skipped
        if page.tables:
            assert page.header_cells_in_head >= 2 * page.tables, name
        for svg in page.svgs:
            assert svg["role"] == "img" and svg["label"], (name, svg)
        if page.svgs:
            assert page.figcaptions >= len(page.svgs) and "chart-text" in page.ids, name
        assert BANNER_ID in page.ids, name  # a demonstration site: the banner on every page
    assert parse(chromium(base + "sectors/NAV.html", tmp_path / "profile")).svgs  # the sector chart is there


def test_crawl_from_the_front_page_finds_no_broken_internal_link(served: tuple[str, Path], tmp_path: Path) -> None:
    base, _ = served
    queue, seen, checked, broken = [base + "index.html"], set(), 0, []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        if url.startswith(base) and url.endswith(".html") and "/releases/" not in url and "/latest/" not in url:
            html = chromium(url, tmp_path / "profile")  # the site's own pages: links as the browser sees them
        else:
            status, body = fetch(url)
            checked += 1
            if status != 200:
                broken.append(url)
                continue
            html = body.decode("utf-8", "replace") if url.endswith(".html") else ""
        for href in parse(html).links:
            target = urldefrag(urljoin(url, href)).url
            if urlparse(target).scheme in ("http", "https") and target.startswith(base):
                queue.append(target)
    assert not broken, broken
    assert checked > 60  # release files, latest/ files, feed, catalogue were all requested
    assert base + "sectors/SYKEHUS.html" in seen and base + "feed.xml" in seen and base + "catalog.json" in seen
    assert fetch(base + "no-such-page.html")[0] == 404


def test_no_page_scrolls_sideways_at_390_px(served: tuple[str, Path], site: Site, tmp_path: Path) -> None:
    """Each page in a same-origin iframe of the given width (headless Chromium keeps windows at least
    500 px wide); the harness records each frame's document scrollWidth once everything loaded."""
    base, folder = served
    pages = site_pages(site) + [f"latest/{n}" for n in ("report.html", "methodology.html")]
    frames = "".join(
        f'<iframe data-page="{p}" data-width="{w}" src="{p}" style="width:{w}px;height:800px;border:0"></iframe>'
        for w in WIDTHS
        for p in pages
    )
    harness = (
        f'<!DOCTYPE html><html lang="en"><body style="margin:0">{frames}<script>'
        "window.addEventListener('load', function () {"
        "document.querySelectorAll('iframe').forEach(function (f) {"
        "var d = f.contentWindow.document.documentElement;"
        "f.setAttribute('data-scroll', d.scrollWidth); f.setAttribute('data-viewport', f.contentWindow.innerWidth);"
        "});});</script></body></html>"
    )
    (folder / "_harness.html").write_text(harness, encoding="utf-8")
    dom = chromium(base + "_harness.html", tmp_path / "profile", "1500,1000")
    found = re.findall(
        r'<iframe data-page="([^"]+)" data-width="(\d+)"[^>]*data-scroll="(\d+)" data-viewport="(\d+)"', dom
    )
    assert len(found) == len(pages) * len(WIDTHS), dom[:2000]
    for page, width, scroll, viewport in found:
        assert int(viewport) == int(width), (page, width, viewport)
        assert int(scroll) <= int(width), (page, width, scroll)
